//! One process of a fleet, for the multi-process tests: it shares a token store (a directory or
//! a Redis server) with its siblings and logs in to a sandbox the test runs.
//!
//! ```text
//! fleet_worker stampede <igv base URL> <store> <tasks> <lease ms>
//!     <tasks> concurrent callers ask for a token; prints `fingerprint <md5 of each distinct
//!     token>` and `logins <login requests this process sent>`.
//! fleet_worker race <lazada base URL> <store> <code>
//!     takes a token (the code, or the stored one), prints `ready`, then for each `renew` line
//!     on stdin renews and makes one signed call: prints `ok` or `err <message>`.
//! fleet_worker market-race <tiktok|shopee|mercadolibre> <sandbox base URL> <store> <code>
//!     as `race`, for a marketplace whose refresh tokens rotate, with its protected call.
//! fleet_worker shop <shopee base URL> <store> <code>
//!     a session for the sandbox's Shopee demo shop, by its account (its code is exchanged only
//!     when the store holds nothing), with a 500 ms store timeout: takes a token, prints
//!     `ready <its refresh token>`, then for each `renew` line renews and prints
//!     `ok <the new refresh token>` or `err <message>`. (Sandbox tokens only: the test reads
//!     them to ask the sandbox whether they are spent.)
//! fleet_worker seller <lazada base URL> <store> <code> [<account>]
//!     exchanges the code (or takes the stored token), makes one signed call; prints
//!     `fingerprint <md5 of the token>`, `seller <the seller the vendor says the call acted
//!     for>` and `logins <exchanges this process sent>`.
//! fleet_worker login <igv base URL> <store> <password> [until-token]
//!     one iGV session with the demo e-mail (or `FLEET_EMAIL`) and this password asks for a
//!     token once (or, with `until-token`, until it holds one, waiting as long as each
//!     retryable error asks); prints
//!     `token <md5 of the token> <unix ms when held>` or `error <class> <message>`, then
//!     `logins <login requests this process sent>`. `FLEET_ACCOUNT` names the account (its
//!     store key is then the account's, whatever the password); `FLEET_REMEMBER_MS` how long the
//!     fleet remembers a rejection; `FLEET_RETRY` (`attempts,base_ms,max_ms,gap_ms,max_gap_ms`)
//!     the retry policy; `FLEET_STORE_FAILURE=fail` fails a call when the store does (a
//!     retryable error) instead of logging in alone.
//! ```
//! `<store>` is `file:DIR`, a `redis://` URL, or `cluster:` and comma-separated `redis://` URLs
//! of a Redis Cluster's nodes, optionally followed by `;namespace=NAME` (tests sharing one
//! cluster); `FLEET_STORE_KEY` (64 hex digits) encrypts it, and `FLEET_NAMESPACE` prefixes
//! its Redis keys.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::sync::Arc;
use std::time::Duration;

use auth_core::store::{EncryptionKey, FileStore, RedisStore, TokenStore};
use auth_core::{AuthorizedClient, RetryPolicy, Secret, Session, md5_hex};
use vendors::igv::IgvLogin;
use vendors::iop::IopApp;
use vendors::lazada;
use vendors::sandbox::{igv, iop};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("stampede") if args.len() == 5 => {
            stampede(&args[1], &args[2], &args[3], &args[4]).await
        }
        Some("race") if args.len() == 4 => race(&args[1], &args[2], &args[3]).await,
        Some("market-race") if args.len() == 5 => {
            market_race(&args[1], &args[2], &args[3], &args[4]).await
        }
        Some("login") if args.len() == 4 || args.len() == 5 => {
            login(&args[1], &args[2], &args[3], args.get(4).map(String::as_str)).await
        }
        Some("shop") if args.len() == 4 => shop(&args[1], &args[2], &args[3]).await,
        Some("seller") if args.len() == 4 || args.len() == 5 => {
            seller(&args[1], &args[2], &args[3], args.get(4).map(String::as_str)).await
        }
        _ => Err(
            "usage: fleet_worker stampede URL STORE TASKS LEASE_MS | race URL STORE CODE | login URL STORE PASSWORD [until-token] | seller URL STORE CODE [ACCOUNT]".into(),
        ),
    };
    if let Err(message) = outcome {
        eprintln!("fleet_worker: {message}");
        std::process::exit(1);
    }
}

fn store(spec: &str) -> Result<Arc<dyn TokenStore>, String> {
    let key = match std::env::var("FLEET_STORE_KEY") {
        Ok(text) => Some(EncryptionKey::parse(&text).map_err(|e| e.to_string())?),
        Err(_) => None,
    };
    let namespace = std::env::var("FLEET_NAMESPACE").unwrap_or_else(|_| "seller-auth".into());
    if let Some(nodes) = spec.strip_prefix("cluster:") {
        let (nodes, namespace) = match nodes.split_once(";namespace=") {
            Some((nodes, own)) => (nodes, own.to_owned()),
            None => (nodes, namespace),
        };
        let mut builder = RedisStore::cluster_builder(nodes.split(',')).namespace(&namespace);
        if let Some(key) = key {
            builder = builder.encrypted(key);
        }
        return Ok(Arc::new(builder.build().map_err(|e| e.to_string())?));
    }
    if let Some(dir) = spec.strip_prefix("file:") {
        let store = FileStore::new(dir);
        return Ok(Arc::new(match key {
            Some(key) => store.encrypted(key),
            None => store,
        }));
    }
    let mut builder = RedisStore::builder(spec).namespace(&namespace);
    if let Some(key) = key {
        builder = builder.encrypted(key);
    }
    Ok(Arc::new(builder.build().map_err(|e| e.to_string())?))
}

async fn stampede(url: &str, spec: &str, tasks: &str, lease_ms: &str) -> Result<(), String> {
    let tasks: usize = tasks.parse().map_err(|_| "TASKS is a number")?;
    let lease: u64 = lease_ms.parse().map_err(|_| "LEASE_MS is a number")?;
    let session = Session::builder(IgvLogin::new(
        igv::DEMO_EMAIL,
        Secret::from(igv::DEMO_PASSWORD),
    ))
    .base_url(url)
    .store(store(spec)?)
    .store_lease(Duration::from_millis(lease))
    .build()
    .map_err(|e| e.to_string())?;
    let callers: Vec<_> = (0..tasks)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    let mut fingerprints = BTreeSet::new();
    for caller in callers {
        let token = caller
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        fingerprints.insert(md5_hex(token.secret().expose()));
    }
    for fingerprint in fingerprints {
        println!("fingerprint {fingerprint}");
    }
    println!("logins {}", session.stats().login_requests);
    Ok(())
}

/// The retry policy `FLEET_RETRY` describes, if set.
fn retry_policy() -> Result<Option<RetryPolicy>, String> {
    let Ok(text) = std::env::var("FLEET_RETRY") else {
        return Ok(None);
    };
    let numbers: Vec<u64> = text
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| "FLEET_RETRY is attempts,base_ms,max_ms,gap_ms,max_gap_ms")?;
    let [attempts, base, max, gap, max_gap] = numbers[..] else {
        return Err("FLEET_RETRY has five numbers".into());
    };
    let ms = Duration::from_millis;
    Ok(Some(
        RetryPolicy::default()
            .with_max_attempts(u32::try_from(attempts).map_err(|e| e.to_string())?)
            .with_delays(ms(base), ms(max))
            .with_login_gap(ms(gap), ms(max_gap)),
    ))
}

async fn login(url: &str, spec: &str, password: &str, mode: Option<&str>) -> Result<(), String> {
    let until_token = match mode {
        None => false,
        Some("until-token") => true,
        Some(other) => return Err(format!("unknown login mode {other}")),
    };
    let email = std::env::var("FLEET_EMAIL").unwrap_or_else(|_| igv::DEMO_EMAIL.to_owned());
    let mut builder = Session::builder(IgvLogin::new(email, Secret::from(password)))
        .base_url(url)
        .store(store(spec)?)
        .store_lease(Duration::from_secs(10));
    if std::env::var("FLEET_STORE_FAILURE").as_deref() == Ok("fail") {
        builder = builder.on_store_failure(auth_core::StoreFailure::Fail);
    }
    if let Ok(account) = std::env::var("FLEET_ACCOUNT") {
        builder = builder.account(account);
    }
    if let Ok(ms) = std::env::var("FLEET_REMEMBER_MS") {
        let ms = ms.parse().map_err(|_| "FLEET_REMEMBER_MS is a number")?;
        builder = builder.remember_rejection(Duration::from_millis(ms));
    }
    if let Some(policy) = retry_policy()? {
        builder = builder.retry(policy);
    }
    let session = builder.build().map_err(|e| e.to_string())?;
    loop {
        match session.token().await {
            Ok(token) => {
                let held_at = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_err(|e| e.to_string())?
                    .as_millis();
                println!("token {} {held_at}", md5_hex(token.secret().expose()));
                break;
            }
            Err(err) if until_token && err.is_retryable() => {
                let wait = err.retry_after().unwrap_or(Duration::from_millis(50));
                tokio::time::sleep(wait).await;
            }
            Err(err) => {
                println!("error {:?} {err}", err.class());
                break;
            }
        }
    }
    println!("logins {}", session.stats().login_requests);
    Ok(())
}

async fn race(url: &str, spec: &str, code: &str) -> Result<(), String> {
    let app = IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    };
    let session = lazada::session_builder(app, Secret::from(code))
        .base_url(url)
        .store(store(spec)?)
        .store_lease(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    let client = AuthorizedClient::new(session.clone(), url).map_err(|e| e.to_string())?;
    session.token().await.map_err(|e| e.to_string())?;
    println!("ready");
    let mut lines = std::io::stdin().lock().lines();
    while let Some(Ok(line)) = tokio::task::block_in_place(|| lines.next()) {
        if line.trim() != "renew" {
            break;
        }
        let outcome = match session.renew().await {
            Err(e) => format!("err renew: {e}"),
            Ok(_) => match client
                .post("/seller/get")
                .form(&[("fields", "all")])
                .send()
                .await
            {
                Ok(response) if response.status().is_success() => {
                    let body = response.text().await.unwrap_or_default();
                    if body.contains("\"code\":\"0\"") {
                        "ok".to_owned()
                    } else {
                        format!("err call: {body}")
                    }
                }
                Ok(response) => format!("err call: HTTP {}", response.status()),
                Err(e) => format!("err call: {e}"),
            },
        };
        println!("{outcome}");
    }
    Ok(())
}

async fn market_race(vendor: &str, url: &str, spec: &str, code: &str) -> Result<(), String> {
    fn built<E: auth_core::LoginEndpoint>(
        login: E,
        url: &str,
        store: Arc<dyn TokenStore>,
    ) -> Result<AuthorizedClient, String> {
        let session = Session::builder(login)
            .base_url(url)
            .store(store)
            .store_lease(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        AuthorizedClient::new(session, url).map_err(|e| e.to_string())
    }
    let store = store(spec)?;
    let code = Secret::from(code);
    let (client, path) = match vendor {
        "tiktok" => (
            built(
                vendors::tiktok::TiktokLogin::new(
                    vendors::sandbox::tiktok::DEMO_APP_KEY,
                    Secret::from(vendors::sandbox::tiktok::DEMO_APP_SECRET),
                    code,
                ),
                url,
                store,
            )?,
            vendors::sandbox::tiktok::SHOPS_PATH,
        ),
        "shopee" => (
            built(
                vendors::shopee::ShopeeLogin {
                    partner_id: vendors::sandbox::shopee::DEMO_PARTNER_ID,
                    partner_key: Secret::from(vendors::sandbox::shopee::DEMO_PARTNER_KEY),
                    code,
                    shop_id: vendors::sandbox::shopee::DEMO_SHOP_ID,
                },
                url,
                store,
            )?,
            vendors::sandbox::shopee::SHOP_INFO_PATH,
        ),
        "mercadolibre" => (
            built(
                vendors::mercadolibre::MercadoLibreLogin {
                    client_id: vendors::sandbox::mercadolibre::DEMO_CLIENT_ID.into(),
                    client_secret: Secret::from(vendors::sandbox::mercadolibre::DEMO_CLIENT_SECRET),
                    code,
                    redirect_uri: vendors::sandbox::mercadolibre::DEMO_REDIRECT_URI.into(),
                },
                url,
                store,
            )?,
            vendors::sandbox::mercadolibre::ME_PATH,
        ),
        other => return Err(format!("no rotating marketplace named {other}")),
    };
    let session = client.session().clone();
    session.token().await.map_err(|e| e.to_string())?;
    println!("ready");
    let mut lines = std::io::stdin().lock().lines();
    while let Some(Ok(line)) = tokio::task::block_in_place(|| lines.next()) {
        if line.trim() != "renew" {
            break;
        }
        let outcome = match session.renew().await {
            Err(e) => format!("err renew: {e}"),
            Ok(_) => match client.get(path).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = response.bytes().await.unwrap_or_default();
                    match client.vendor_error(status, &body) {
                        None if status == 200 => "ok".to_owned(),
                        _ => format!("err call: HTTP {status} {}", String::from_utf8_lossy(&body)),
                    }
                }
                Err(e) => format!("err call: {e}"),
            },
        };
        println!("{outcome}");
    }
    Ok(())
}

async fn shop(url: &str, spec: &str, code: &str) -> Result<(), String> {
    let session = Session::builder(vendors::shopee::ShopeeLogin {
        partner_id: vendors::sandbox::shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(vendors::sandbox::shopee::DEMO_PARTNER_KEY),
        code: Secret::from(code),
        shop_id: vendors::sandbox::shopee::DEMO_SHOP_ID,
    })
    .base_url(url)
    .account(vendors::sandbox::shopee::DEMO_SHOP_ID.to_string())
    .store(store(spec)?)
    .store_lease(Duration::from_secs(5))
    .store_timeout(Duration::from_millis(500))
    .build()
    .map_err(|e| e.to_string())?;
    let refresh = |token: &auth_core::Token| {
        token
            .refresh_token()
            .map(|r| r.expose().to_owned())
            .unwrap_or_default()
    };
    let token = session.token().await.map_err(|e| e.to_string())?;
    println!("ready {}", refresh(&token));
    let mut lines = std::io::stdin().lock().lines();
    while let Some(Ok(line)) = tokio::task::block_in_place(|| lines.next()) {
        if line.trim() != "renew" {
            break;
        }
        match session.renew().await {
            Ok(token) => println!("ok {}", refresh(&token)),
            Err(e) => println!("err {e}"),
        }
    }
    Ok(())
}

async fn seller(url: &str, spec: &str, code: &str, account: Option<&str>) -> Result<(), String> {
    let app = IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    };
    let mut builder = lazada::session_builder(app, Secret::from(code))
        .base_url(url)
        .store(store(spec)?)
        .store_lease(Duration::from_secs(5));
    if let Some(account) = account {
        builder = builder.account(account);
    }
    let session = builder.build().map_err(|e| e.to_string())?;
    let client = AuthorizedClient::new(session.clone(), url).map_err(|e| e.to_string())?;
    let token = session.token().await.map_err(|e| e.to_string())?;
    let response = client
        .post("/seller/get")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    let body: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let seller = match &body["data"]["seller_id"] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    println!("fingerprint {}", md5_hex(token.secret().expose()));
    println!("seller {seller}");
    println!("logins {}", session.stats().login_requests);
    Ok(())
}

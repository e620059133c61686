//! authctl end to end: the `sandbox` command is the fixture, every other command runs against
//! it with exactly the variables it printed, and every exit code is checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // a test: a failed setup step should panic loudly

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;

/// `authctl sandbox` running in the background, and the variables it printed.
struct SandboxProcess {
    child: Child,
    env: Vec<(String, String)>,
    /// The lines it printed, as a shell would source them.
    printed: String,
    /// This test's own cache directory, where the default token store lives; removed when
    /// dropped, even when the test fails.
    cache: tempfile::TempDir,
}

impl SandboxProcess {
    fn start() -> Self {
        SandboxProcess::start_with(&[])
    }

    /// `authctl sandbox` with these extra arguments.
    fn start_with(args: &[&str]) -> Self {
        let mut child = StdCommand::new(cargo_bin("authctl"))
            .arg("sandbox")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut env = Vec::new();
        let mut printed = String::new();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.is_empty() {
                break;
            }
            printed.push_str(&line);
            printed.push('\n');
            let (name, value) = line
                .strip_prefix("export ")
                .unwrap()
                .split_once('=')
                .unwrap();
            env.push((name.to_owned(), unquoted(value)));
        }
        let cache = tempfile::Builder::new()
            .prefix("authctl-cache-")
            .tempdir()
            .unwrap();
        SandboxProcess {
            child,
            env,
            printed,
            cache,
        }
    }

    fn var(&self, name: &str) -> String {
        self.env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    /// The same as a `std` command, for a test that picks where its stdout goes.
    fn std_authctl(&self) -> StdCommand {
        let mut command = StdCommand::new(cargo_bin("authctl"));
        command
            .env_clear()
            .envs(self.env.iter().cloned())
            .env("XDG_CACHE_HOME", self.cache.path())
            .env("HOME", self.cache.path())
            .stderr(Stdio::piped());
        command
    }

    /// authctl with the sandbox's variables and nothing else from the environment.
    fn authctl(&self) -> Command {
        let mut command = Command::new(cargo_bin("authctl"));
        command
            .env_clear()
            .envs(self.env.iter().cloned())
            .env("XDG_CACHE_HOME", self.cache.path())
            .env("HOME", self.cache.path())
            .timeout(std::time::Duration::from_secs(60));
        command
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A value as `authctl sandbox` prints it, single-quoted for a shell, read back.
fn unquoted(word: &str) -> String {
    assert!(
        word.len() >= 2 && word.starts_with('\'') && word.ends_with('\''),
        "not single-quoted: {word}"
    );
    word[1..word.len() - 1].replace(r"'\''", "'")
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).trim().to_owned()
}

#[test]
fn sandbox_prints_every_variable_then_a_blank_line() {
    let sandbox = SandboxProcess::start();
    for name in [
        "IGV_BASE_URL",
        "IGV_EMAIL",
        "IGV_PASSWORD",
        "WAHOOL_BASE_URL",
        "WAHOOL_ACCESS_KEY",
        "WAHOOL_SECRET_KEY",
        "LAZADA_BASE_URL",
        "ALIEXPRESS_BASE_URL",
        "IOP_APP_KEY",
        "IOP_APP_SECRET",
        "IOP_CODE",
        "LAZADA_AUTHORIZE_URL",
        "ALIEXPRESS_AUTHORIZE_URL",
        "ICEKREDIT_BASE_URL",
        "ICEKREDIT_SERVICE_URL",
        "ICEKREDIT_MERCHANT_NAME",
        "ICEKREDIT_PASSWORD",
        "YZ365_BASE_URL",
        "YZ365_USERNAME",
        "YZ365_PASSWORD",
        "YZ365_TENANT_ID",
        "AMAZON_BASE_URL",
        "AMAZON_API_URL",
        "AMAZON_CLIENT_ID",
        "AMAZON_CLIENT_SECRET",
        "AMAZON_REFRESH_TOKEN",
        "EBAY_CLIENT_ID",
        "EBAY_CLIENT_SECRET",
        "WALMART_CLIENT_ID",
        "WALMART_CLIENT_SECRET",
        "TIKTOK_APP_KEY",
        "TIKTOK_APP_SECRET",
        "TIKTOK_AUTH_CODE",
        "TIKTOK_API_URL",
        "SHOPEE_PARTNER_ID",
        "SHOPEE_PARTNER_KEY",
        "SHOPEE_SHOP_ID",
        "SHOPEE_CODE",
        "MERCADOLIBRE_CLIENT_ID",
        "MERCADOLIBRE_CLIENT_SECRET",
        "MERCADOLIBRE_CODE",
        "MERCADOLIBRE_REDIRECT_URI",
    ] {
        assert!(!sandbox.var(name).is_empty(), "{name}");
    }
    assert!(sandbox.var("IGV_BASE_URL").starts_with("http://127.0.0.1:"));
}

#[test]
fn token_in_every_format() {
    let sandbox = SandboxProcess::start();
    let out = sandbox.authctl().args(["token", "igv"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("igv-") && !stdout(&out).contains(' '));

    let out = sandbox
        .authctl()
        .args(["token", "igv", "--format", "header"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("Authorization: Bearer igv-"),
        "{}",
        stdout(&out)
    );

    let out = sandbox
        .authctl()
        .args(["token", "igv", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["vendor"], "igv");
    assert!(json["token"].as_str().unwrap().starts_with("igv-"));
    let left = json["expires_in_seconds"].as_u64().unwrap();
    assert!((7100..=7200).contains(&left), "{left}");
    assert!(
        !stdout(&out).contains(&sandbox.var("IGV_PASSWORD")),
        "never the credentials"
    );

    let out = sandbox
        .authctl()
        .args(["token", "lazada", "--format", "header"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("access_token=iop-"),
        "{} {}",
        stdout(&out),
        stderr(&out)
    );
}

#[test]
fn token_for_each_vendor_with_its_variables() {
    let sandbox = SandboxProcess::start();
    for (vendor, prefix) in [
        ("wahool", "Bearer wahool-"),
        ("icekredit", "ik-"),
        ("yz365", "eyJ"),
    ] {
        let out = sandbox.authctl().args(["token", vendor]).output().unwrap();
        assert!(out.status.success(), "{vendor}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with(prefix),
            "{vendor}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn request_prints_the_body_of_an_authorised_call() {
    let sandbox = SandboxProcess::start();
    let out = sandbox
        .authctl()
        .args(["request", "igv", "GET", "/seller/sandbox/whoami"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&sandbox.var("IGV_EMAIL")),
        "{}",
        stdout(&out)
    );

    let out = sandbox
        .authctl()
        .args([
            "request",
            "lazada",
            "POST",
            "/seller/get",
            "--data",
            "fields=all",
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(r#""code":"0""#),
        "{} {}",
        stdout(&out),
        stderr(&out)
    );

    let out = sandbox
        .authctl()
        .args([
            "request",
            "icekredit",
            "POST",
            "/api/sandbox/whoami.do",
            "-H",
            "X-Trace: 1",
        ])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains(r#""response_code":"00""#),
        "{}",
        stdout(&out)
    );
}

#[test]
fn authorize_url_prints_the_consent_page() {
    let sandbox = SandboxProcess::start();
    let out = sandbox
        .authctl()
        .args([
            "authorize-url",
            "aliexpress",
            "--redirect-uri",
            "https://app.example/cb",
        ])
        .output()
        .unwrap();
    let url = stdout(&out);
    assert!(
        url.starts_with(&sandbox.var("ALIEXPRESS_AUTHORIZE_URL")),
        "{url}"
    );
    assert!(url.ends_with("response_type=code&force_auth=true&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&client_id=100001"), "{url}");
}

#[test]
fn authorize_url_for_the_marketplaces_with_a_consent_page() {
    let sandbox = SandboxProcess::start();
    let out = sandbox
        .authctl()
        .args(["authorize-url", "ebay", "--redirect-uri", "My_App-RuName"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out);
    assert!(
        url.starts_with("https://auth.ebay.com/oauth2/authorize?client_id="),
        "{url}"
    );
    assert!(
        url.contains("&redirect_uri=My_App-RuName&response_type=code&scope="),
        "{url}"
    );

    let out = sandbox
        .authctl()
        .args([
            "authorize-url",
            "shopee",
            "--redirect-uri",
            "https://app.example/cb",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out);
    let base = sandbox.var("SHOPEE_BASE_URL");
    assert!(
        url.starts_with(&format!(
            "{base}/api/v2/shop/auth_partner?partner_id=2001887&timestamp="
        )),
        "{url}"
    );
    assert!(
        url.contains("&sign=") && url.ends_with("&redirect=https%3A%2F%2Fapp.example%2Fcb"),
        "{url}"
    );
    assert!(
        !url.contains(&sandbox.var("SHOPEE_PARTNER_KEY")),
        "the key is never in the URL"
    );
}

#[test]
fn exit_2_for_usage_and_configuration() {
    let sandbox = SandboxProcess::start();
    sandbox.authctl().args(["token", "etsy"]).assert().code(2);
    let out = sandbox
        .authctl()
        .args(["token", "igv"])
        .env_remove("IGV_PASSWORD")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), "authctl: igv: IGV_PASSWORD is not set");
    let out = sandbox
        .authctl()
        .args(["token", "igv", "--base-url", "not a url"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("authctl: iGV: bad base URL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exit_3_when_the_vendor_refuses_and_the_secret_stays_out() {
    let sandbox = SandboxProcess::start();
    let out = sandbox
        .authctl()
        .args(["token", "igv"])
        .env("IGV_PASSWORD", "wrong-secret-value")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stderr(&out),
        "authctl: iGV rejected the login: code 4001: Invalid email or password"
    );
    // A code works once: the printed code was not used yet, a made-up one is refused.
    let out = sandbox
        .authctl()
        .args(["token", "aliexpress"])
        .env("ALIEXPRESS_CODE", "0_made_up")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("InvalidCode"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("0_made_up"));
}

#[test]
fn exit_4_when_the_vendor_is_unreachable() {
    let sandbox = SandboxProcess::start();
    // A hang guard, not a margin: bounded retries end long before it on any machine.
    let out = sandbox
        .authctl()
        .args(["token", "wahool", "--base-url", "http://127.0.0.1:9"])
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("authctl: Wahool is unavailable: could not connect"),
        "{}",
        stderr(&out)
    );
}

/// A listener that counts the connections it accepts (and answers none).
fn counting_listener() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicU32>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = std::sync::Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stream.is_ok() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
    });
    (addr, hits)
}

#[test]
fn exit_7_when_request_names_another_origin_and_nothing_is_sent() {
    let sandbox = SandboxProcess::start();
    let (elsewhere, hits) = counting_listener();
    let vendor_host = sandbox
        .var("IGV_BASE_URL")
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    for url in [
        format!("http://{elsewhere}/seller/sandbox/whoami"),
        format!("http://{vendor_host}@{elsewhere}/seller/sandbox/whoami"),
    ] {
        let out = sandbox
            .authctl()
            .args(["request", "igv", "GET", &url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(7), "{url}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("refusing to send the token to"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    // The vendor's own origin, written out in full, is fine.
    let own = format!("{}/seller/sandbox/whoami", sandbox.var("IGV_BASE_URL"));
    let out = sandbox
        .authctl()
        .args(["request", "igv", "GET", &own])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn demo_shows_every_vendor() {
    let out = Command::new(cargo_bin("authctl"))
        .arg("demo")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    for vendor in [
        "igv",
        "wahool",
        "lazada",
        "aliexpress",
        "icekredit",
        "yz365",
        "amazon",
        "ebay",
        "walmart",
        "tiktok",
        "shopee",
        "mercadolibre",
    ] {
        let row = table
            .lines()
            .find(|l| l.starts_with(vendor))
            .unwrap_or_else(|| panic!("{vendor} missing:\n{table}"));
        assert!(row.contains(" 200 ") && row.contains(" yes "), "{row}");
    }
    assert!(
        table.contains("refreshed")
            && table.contains("renewed")
            && table.contains("extended by use"),
        "{table}"
    );
}

#[test]
fn each_marketplace_gives_a_token_and_a_protected_call() {
    let sandbox = SandboxProcess::start();
    for (vendor, path, expected) in [
        (
            "amazon",
            "/sellers/v1/marketplaceParticipations",
            "A2SANDBOXSELLER",
        ),
        ("ebay", "/sell/account/v1/privilege", "sandbox_seller_1"),
        ("walmart", "/v3/orders", "\"order\":[]"),
        ("tiktok", "/authorization/202309/shops", "Sandbox shop"),
        ("shopee", "/api/v2/shop/get_shop_info", "Sandbox shop"),
        ("mercadolibre", "/users/me", "146322322"),
    ] {
        let token = sandbox.authctl().args(["token", vendor]).output().unwrap();
        assert!(token.status.success(), "{vendor}: {}", stderr(&token));
        let call = sandbox
            .authctl()
            .args(["request", vendor, "GET", path])
            .output()
            .unwrap();
        assert!(call.status.success(), "{vendor}: {}", stderr(&call));
        assert!(
            stdout(&call).contains(expected),
            "{vendor}: {}",
            stdout(&call)
        );
    }
}

#[test]
fn a_rotated_refresh_token_is_kept_between_runs_and_no_code_is_sent_twice() {
    let sandbox = SandboxProcess::start();
    for vendor in ["tiktok", "shopee", "mercadolibre"] {
        let first = sandbox.authctl().args(["token", vendor]).output().unwrap();
        assert!(first.status.success(), "{vendor}: {}", stderr(&first));
        // The code is spent: only the stored token (or its refresh token) makes these work.
        for _ in 0..2 {
            let again = sandbox.authctl().args(["token", vendor]).output().unwrap();
            assert!(again.status.success(), "{vendor}: {}", stderr(&again));
            assert_eq!(
                stdout(&first),
                stdout(&again),
                "{vendor}: the stored token is reused"
            );
        }
    }
}

#[test]
fn a_later_run_refreshes_with_the_stored_rotated_refresh_token() {
    // Tokens live 2 s: each run after a pause must renew, and only the refresh token the
    // previous run stored can do it (the code is spent, and a spent refresh token is refused).
    let sandbox = SandboxProcess::start_with(&["--token-lifetime", "2"]);
    for vendor in ["tiktok", "shopee", "mercadolibre"] {
        let mut tokens = Vec::new();
        for _ in 0..3 {
            let out = sandbox.authctl().args(["token", vendor]).output().unwrap();
            assert!(out.status.success(), "{vendor}: {}", stderr(&out));
            tokens.push(stdout(&out));
            std::thread::sleep(std::time::Duration::from_millis(2_200));
        }
        tokens.dedup();
        assert_eq!(tokens.len(), 3, "{vendor}: each run renewed: {tokens:?}");
    }
}

#[test]
fn the_default_store_keeps_an_iop_token_across_runs() {
    let sandbox = SandboxProcess::start();
    let first = sandbox
        .authctl()
        .args(["token", "lazada"])
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    // The code is spent: only the stored token makes the second run work.
    let second = sandbox
        .authctl()
        .args(["token", "lazada"])
        .output()
        .unwrap();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&first), stdout(&second));

    let dir = sandbox.cache.path().join("seller-auth");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let entries = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"));
    // One entry, the seller's: none keyed by the code.
    assert_eq!(
        entries.count(),
        1,
        "the seller's entry (and its lock files): {files:?}"
    );
    for file in &files {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(file).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let content = std::fs::read_to_string(file).unwrap();
        assert!(
            !content.contains(&sandbox.var("IOP_APP_SECRET"))
                && !content.contains(&sandbox.var("IOP_CODE"))
        );
    }
}

#[test]
fn a_stale_password_is_sent_by_one_of_eight_runs_sharing_a_store() {
    let sandbox = SandboxProcess::start();
    let tmp = tempfile::Builder::new()
        .prefix("authctl-stale-")
        .tempdir()
        .unwrap();
    let spec = format!("file:{}", tmp.path().display());
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let mut command = StdCommand::new(cargo_bin("authctl"));
            command
                .env_clear()
                .envs(sandbox.env.iter().cloned())
                .env("IGV_PASSWORD", "a-stale-password")
                .args(["--store", &spec, "token", "igv"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let mut said = Vec::new();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        said.push(stderr(&out));
    }
    let sent: Vec<_> = said
        .iter()
        .filter(|s| !s.contains("recorded by the fleet"))
        .collect();
    assert_eq!(sent.len(), 1, "{said:#?}");
    for message in &said {
        assert!(
            message.starts_with(
                "authctl: iGV rejected the login: code 4001: Invalid email or password"
            ),
            "{message}"
        );
        assert!(!message.contains("a-stale-password"), "{message}");
    }
    // The password fixed: no record stands in its way.
    sandbox
        .authctl()
        .args(["--store", &spec, "token", "igv"])
        .assert()
        .success();
}

#[test]
fn a_memory_store_forgets_between_runs_and_bad_stores_are_usage_errors() {
    let sandbox = SandboxProcess::start();
    sandbox
        .authctl()
        .args(["--store", "memory", "token", "lazada"])
        .assert()
        .success();
    let again = sandbox
        .authctl()
        .args(["--store", "memory", "token", "lazada"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(3), "the spent code is refused");
    assert!(stderr(&again).contains("InvalidCode"), "{}", stderr(&again));
    for bad in [
        "redis://[::1",
        "redis+unix:///tmp/x",
        "bogus",
        "file:",
        "redis-cluster:",
        "redis-cluster:http://127.0.0.1:7000",
    ] {
        let out = sandbox
            .authctl()
            .args(["--store", bad, "token", "igv"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
    let bad_key = sandbox
        .authctl()
        .env("SELLER_AUTH_STORE_KEY", "not-a-key")
        .args(["--store", "memory", "token", "igv"])
        .output()
        .unwrap();
    assert_eq!(bad_key.status.code(), Some(2));
    assert!(
        stderr(&bad_key).contains("SELLER_AUTH_STORE_KEY")
            && !stderr(&bad_key).contains("not-a-key"),
        "{}",
        stderr(&bad_key)
    );
    let tmp = tempfile::Builder::new()
        .prefix("authctl-file-store-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().join("store");
    let spec = format!("file:{}", dir.display());
    sandbox
        .authctl()
        .args(["--store", &spec, "token", "igv"])
        .assert()
        .success();
    let entries = std::fs::read_dir(&dir).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "json")
    });
    assert_eq!(entries.count(), 1);
}

#[path = "../../tests/tests/common/redis_server.rs"]
mod redis_server;

#[test]
fn a_redis_store_shares_an_iop_token_between_runs_encrypted() {
    let sandbox = SandboxProcess::start();
    let redis = redis_server::RedisServer::start();
    let key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let run = || {
        sandbox
            .authctl()
            .env("SELLER_AUTH_STORE_KEY", key)
            .args(["--store", &redis.url(), "token", "lazada"])
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    // The code is spent: the second run works only with the token in Redis.
    let second = run();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&first), stdout(&second));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dump = runtime.block_on(redis.dump());
    assert!(!dump.is_empty());
    let token = stdout(&first).trim().to_owned();
    for (name, value) in &dump {
        for secret in [
            &token,
            &sandbox.var("IOP_APP_SECRET"),
            &sandbox.var("IOP_CODE"),
        ] {
            assert!(
                !name.contains(secret.as_str()) && !value.contains(secret.as_str()),
                "{name}"
            );
        }
    }
    // Without the key, the stored token cannot be read: the run says so, and does not send the
    // seller's spent code in its place.
    let keyless = sandbox
        .authctl()
        .args(["--store", &redis.url(), "token", "lazada"])
        .output()
        .unwrap();
    assert_eq!(keyless.status.code(), Some(4), "{}", stderr(&keyless));
    assert!(
        stderr(&keyless).contains("sealed with another encryption key"),
        "{}",
        stderr(&keyless)
    );
}

/// A fresh Lazada code approved by `seller`, through the sandbox's consent page.
fn code_approved_by(sandbox: &SandboxProcess, seller: &str) -> String {
    code_from(sandbox, "LAZADA_AUTHORIZE_URL", seller)
}

/// A fresh code from the consent page `page_variable` names, approved by `seller`.
fn code_from(sandbox: &SandboxProcess, page_variable: &str, seller: &str) -> String {
    let seller: String = seller.bytes().map(|b| format!("%{b:02X}")).collect();
    let page = format!(
        "{}?response_type=code&client_id={}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&sandbox_seller={seller}",
        sandbox.var(page_variable),
        sandbox.var("IOP_APP_KEY"),
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let location = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(page).send().await.unwrap();
        response.headers()["location"].to_str().unwrap().to_owned()
    });
    let url = reqwest::Url::parse(&location).unwrap();
    url.query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.into_owned())
        .unwrap()
}

#[test]
fn one_app_two_sellers_each_keep_their_own_token() {
    let sandbox = SandboxProcess::start();
    let token = |code: Option<&str>, account: Option<&str>| {
        let mut command = sandbox.authctl();
        command
            .env_remove("IOP_CODE")
            .env_remove("LAZADA_ACCOUNT")
            .args(["token", "lazada"]);
        if let Some(code) = code {
            command.env("IOP_CODE", code);
        }
        if let Some(account) = account {
            command.env("LAZADA_ACCOUNT", account);
        }
        command.output().unwrap()
    };
    // Onboarding: a code alone; the seller's id comes from the answer, and is shown.
    let first_code = code_approved_by(&sandbox, "1001");
    let second_code = code_approved_by(&sandbox, "2002");
    let first = token(Some(&first_code), None);
    let second = token(Some(&second_code), None);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        stderr(&first),
        "authctl: lazada seller 1001 onboarded; later runs need only --account 1001 (no code)"
    );
    assert_ne!(
        stdout(&first),
        stdout(&second),
        "seller 2002 got seller 1001's token"
    );

    // Returning runs name the seller and need no code; a code given beside a seller that is
    // still stored is not sent.
    assert_eq!(stdout(&token(None, Some("1001"))), stdout(&first));
    assert_eq!(stdout(&token(None, Some("2002"))), stdout(&second));
    assert_eq!(
        stdout(&token(Some("0_spent_or_made_up"), Some("1001"))),
        stdout(&first)
    );
    // A spent code alone is sent (no store entry is keyed by a code), refused, and explained.
    let spent = token(Some(&first_code), None);
    assert_eq!(spent.status.code(), Some(3), "{}", stderr(&spent));
    assert!(
        stderr(&spent).contains("a code works once: name a seller onboarded before with --account"),
        "{}",
        stderr(&spent)
    );
    // A seller never onboarded, without a code: nothing is sent, exit 8.
    let unknown = token(None, Some("5005"));
    assert_eq!(unknown.status.code(), Some(8), "{}", stderr(&unknown));
    assert_eq!(
        stderr(&unknown),
        "authctl: Lazada: seller `5005` must approve the app again: the store holds no token for this seller; onboard it with its authorization code"
    );

    // A code another seller approved is refused for the account named, and its tokens are kept
    // for the seller who approved it.
    let other = code_approved_by(&sandbox, "3003");
    let out = sandbox
        .authctl()
        .env("IOP_CODE", &other)
        .args(["--account", "4004", "token", "lazada"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert_eq!(
        stderr(&out),
        "authctl: Lazada issued a token for account `3003`, but this session is for `4004`"
    );
    assert!(stdout(&out).is_empty());
    let kept = token(None, Some("3003"));
    assert!(kept.status.success(), "{}", stderr(&kept));
}

#[test]
fn exit_5_when_the_vendor_answers_with_an_error_and_its_body_is_printed() {
    let sandbox = SandboxProcess::start();
    let out = sandbox
        .authctl()
        .args(["request", "igv", "GET", "/seller/no/such/path"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "authctl: igv answered with an error (HTTP 404)"
    );

    // IOP refuses inside an HTTP 200: its error envelope is a failure too.
    let out = sandbox
        .authctl()
        .args(["request", "lazada", "GET", "/seller/get?sign_method=md5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "authctl: lazada answered with an error (HTTP 200): code IncompleteSignature"
        ),
        "{}",
        stderr(&out)
    );
    let body: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(body["code"], "IncompleteSignature");
}

#[test]
fn parameters_in_the_url_are_signed_and_aliexpress_calls_reach_its_gateway() {
    let sandbox = SandboxProcess::start();
    let out = sandbox
        .authctl()
        .args([
            "request",
            "lazada",
            "GET",
            "/seller/get?fields=all&x=%C3%A9+1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let body: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(body["code"], "0", "{body}");

    let out = sandbox
        .authctl()
        .env(
            "IOP_CODE",
            code_from(&sandbox, "ALIEXPRESS_AUTHORIZE_URL", "1001"),
        )
        .args([
            "request",
            "aliexpress",
            "GET",
            "?method=aliexpress.seller.get",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let body: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(body["code"], "0", "{body}");
}

#[test]
fn header_format_uses_the_documented_spelling() {
    let sandbox = SandboxProcess::start();
    for (vendor, prefix) in [
        ("yz365", "accessToken: "),
        ("wahool", "Authorization: Bearer "),
        ("icekredit", "token_id: "),
    ] {
        let out = sandbox
            .authctl()
            .args(["token", vendor, "--format", "header"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stdout(&out).starts_with(prefix),
            "{vendor}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn every_variable_can_come_from_a_file_and_both_forms_are_a_usage_error() {
    let sandbox = SandboxProcess::start();
    let secrets = tempfile::Builder::new()
        .prefix("authctl-secrets-")
        .tempdir()
        .unwrap();
    let password = secrets.path().join("igv-password");
    // As a Kubernetes secret mounted from a file written by `echo`: a trailing newline.
    std::fs::write(&password, format!("{}\n", sandbox.var("IGV_PASSWORD"))).unwrap();
    let out = sandbox
        .authctl()
        .env_remove("IGV_PASSWORD")
        .env("IGV_PASSWORD_FILE", &password)
        .args(["--store", "memory", "token", "igv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stdout(&out).is_empty());

    // An IOP app secret from a file too (a signed exchange: a stray newline would break it).
    let app_secret = secrets.path().join("iop-app-secret");
    std::fs::write(
        &app_secret,
        format!("{}\r\n", sandbox.var("IOP_APP_SECRET")),
    )
    .unwrap();
    sandbox
        .authctl()
        .env_remove("IOP_APP_SECRET")
        .env("IOP_APP_SECRET_FILE", &app_secret)
        .args(["--store", "memory", "token", "lazada"])
        .assert()
        .success();

    let both = sandbox
        .authctl()
        .env("IGV_PASSWORD_FILE", &password)
        .args(["--store", "memory", "token", "igv"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
    assert_eq!(
        stderr(&both),
        "authctl: both IGV_PASSWORD and IGV_PASSWORD_FILE are set; keep one"
    );
    let missing = sandbox
        .authctl()
        .env_remove("IGV_PASSWORD")
        .env("IGV_PASSWORD_FILE", secrets.path().join("absent"))
        .args(["--store", "memory", "token", "igv"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).starts_with("authctl: IGV_PASSWORD_FILE: cannot read "),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn completions_and_the_manual_page_are_generated() {
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef authctl"),
        ("fish", "complete -c authctl"),
    ] {
        let out = Command::new(cargo_bin("authctl"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(mark), "{shell}: {script}");
        for word in ["token", "authorize-url", "store"] {
            assert!(script.contains(word), "{shell} completes no {word}");
        }
        // clap's fish scripts complete options and subcommands, not positional values.
        if shell != "fish" {
            assert!(script.contains("lazada"), "{shell} completes no vendor");
        }
    }
    let out = Command::new(cargo_bin("authctl"))
        .arg("man")
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(page.starts_with(".ie"), "{}", &page[..page.len().min(200)]);
    assert!(
        page.contains(".TH authctl") && page.contains("_FILE"),
        "{page}"
    );
    let bad = Command::new(cargo_bin("authctl"))
        .args(["completions", "cmd.exe"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// `status` lists the store without a token or secret, `forget` removes one vendor's entry and
/// nothing else; `store` is the `--store` value.
fn status_and_forget_on(sandbox: &SandboxProcess, store: &str) {
    let token = sandbox
        .authctl()
        .args(["--store", store, "token", "igv"])
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", stderr(&token));
    let igv_token = stdout(&token);
    sandbox
        .authctl()
        .args(["--store", store, "token", "lazada"])
        .assert()
        .success();

    let listed = sandbox
        .authctl()
        .args(["--store", store, "status"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let text = stdout(&listed);
    assert!(text.starts_with("VENDOR"), "{text}");
    let igv_line = text.lines().find(|l| l.starts_with("iGV")).expect(&text);
    assert!(
        igv_line.contains("email=seller@igv.sandbox")
            && igv_line.contains("(in 1h 59m)")
            && igv_line.contains(" yes "),
        "{igv_line}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("Lazada") && l.contains("app_key=")),
        "{text}"
    );
    for secret in [
        igv_token.as_str(),
        &sandbox.var("IGV_PASSWORD"),
        &sandbox.var("IOP_APP_SECRET"),
    ] {
        assert!(!text.contains(secret), "status shows a secret:\n{text}");
    }

    let json = sandbox
        .authctl()
        .args(["--store", store, "status", "--format", "json"])
        .output()
        .unwrap();
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&json)).unwrap();
    let igv = entries.iter().find(|e| e["vendor"] == "iGV").unwrap();
    assert_eq!(igv["account"], "email=seller@igv.sandbox");
    assert_eq!(igv["refresh_token"], true);
    let left = igv["expires_in_seconds"].as_u64().unwrap();
    assert!((7_000..=7_200).contains(&left), "{left}");
    assert!(igv["stored_at_unix"].as_u64().unwrap() > 1_700_000_000);
    assert!(!stdout(&json).contains(&igv_token));
    let lazada_entries = entries.iter().filter(|e| e["vendor"] == "Lazada").count();

    let forgot = sandbox
        .authctl()
        .args(["--store", store, "forget", "igv"])
        .output()
        .unwrap();
    assert!(forgot.status.success(), "{}", stderr(&forgot));
    assert_eq!(stdout(&forgot), "igv: the stored token was removed");
    let again = sandbox
        .authctl()
        .args(["--store", store, "forget", "igv"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&again),
        "igv: the store held no token for these credentials"
    );
    let after: Vec<serde_json::Value> = serde_json::from_str(&stdout(
        &sandbox
            .authctl()
            .args(["--store", store, "status", "--format", "json"])
            .output()
            .unwrap(),
    ))
    .unwrap();
    assert!(after.iter().all(|e| e["vendor"] != "iGV"), "{after:?}");
    assert_eq!(
        after.iter().filter(|e| e["vendor"] == "Lazada").count(),
        lazada_entries,
        "forget touched nothing else"
    );
    // The next run logs in afresh: a new token.
    let fresh = sandbox
        .authctl()
        .args(["--store", store, "token", "igv"])
        .output()
        .unwrap();
    assert!(fresh.status.success(), "{}", stderr(&fresh));
    assert!(stdout(&fresh).starts_with("igv-"), "{}", stdout(&fresh));
    assert_ne!(stdout(&fresh), igv_token);
}

#[test]
fn status_lists_and_forget_removes_in_a_file_store() {
    let sandbox = SandboxProcess::start();
    let tmp = tempfile::Builder::new()
        .prefix("authctl-status-")
        .tempdir()
        .unwrap();
    status_and_forget_on(&sandbox, &format!("file:{}", tmp.path().display()));
    let empty = tmp.path().join("empty");
    let out = sandbox
        .authctl()
        .args(["--store", &format!("file:{}", empty.display()), "status"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "the token store holds no token");
}

#[test]
fn status_lists_and_forget_removes_in_redis() {
    let sandbox = SandboxProcess::start();
    let redis = redis_server::RedisServer::start();
    status_and_forget_on(&sandbox, &redis.url());
}

#[test]
fn the_sandbox_lines_can_be_sourced_by_a_shell() {
    let sandbox = SandboxProcess::start();
    let names: Vec<String> = sandbox
        .env
        .iter()
        .map(|(name, _)| format!("\"${name}\""))
        .collect();
    // Each value as the shell holds it, then a NUL.
    let script = format!("{}printf '%s\\0' {}", sandbox.printed, names.join(" "));
    let out = StdCommand::new("sh")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .split_terminator('\0')
        .map(str::to_owned)
        .collect();
    let printed: Vec<String> = sandbox.env.iter().map(|(_, v)| v.clone()).collect();
    assert_eq!(read, printed);
    assert_eq!(
        sandbox.var("AMAZON_REFRESH_TOKEN"),
        "Atzr|sandbox-seller-refresh-token"
    );
}

/// A temporary directory holding a FIFO named `fifo` (which hangs a reader that waits for a
/// writer), and the FIFO's path.
fn dir_with_a_fifo() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("authctl-hostile-files-")
        .tempdir()
        .unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        StdCommand::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    (dir, fifo)
}

#[test]
fn a_secret_file_that_is_no_regular_file_or_too_large_is_refused_by_name() {
    let sandbox = SandboxProcess::start();
    let (dir, fifo) = dir_with_a_fifo();
    let big = dir.path().join("big");
    std::fs::write(&big, vec![b'x'; 64 * 1024 + 1]).unwrap();
    let not_regular = "it is not a regular file (a FIFO, socket or device)";
    for (path, why) in [
        (fifo.clone(), not_regular),
        (dir.path().to_path_buf(), "it is a directory"),
        (big.clone(), "it is larger than 64 KiB"),
        (std::path::PathBuf::from("/dev/zero"), not_regular),
    ] {
        let out = sandbox
            .authctl()
            .env_remove("IGV_PASSWORD")
            .env("IGV_PASSWORD_FILE", &path)
            .args(["--store", "memory", "token", "igv"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        assert_eq!(
            stderr(&out),
            format!(
                "authctl: IGV_PASSWORD_FILE: cannot read {}: {why}",
                path.display()
            )
        );
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn a_broken_file_variable_of_a_vendor_not_used_stops_nothing() {
    let sandbox = SandboxProcess::start();
    let (dir, fifo) = dir_with_a_fifo();
    let out = sandbox
        .authctl()
        .env("WAHOOL_SECRET_KEY_FILE", dir.path())
        .env("SHOPEE_PARTNER_KEY_FILE", &fifo)
        .env("EBAY_CLIENT_SECRET_FILE", dir.path().join("absent"))
        // Both forms of a variable igv does not read.
        .env("IOP_APP_SECRET_FILE", dir.path().join("absent"))
        .args(["--store", "memory", "token", "igv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("igv-"), "{}", stdout(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// A loopback HTTP server that answers every request with `status` and `body`; its base URL.
fn serve_bytes(status: &'static str, body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut byte = [0u8; 1];
            while !request.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => request.push(byte[0]),
                    _ => break,
                }
            }
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(&body));
        }
    });
    url
}

#[test]
fn request_passes_a_binary_answer_through_byte_for_byte() {
    let sandbox = SandboxProcess::start();
    // Every byte value, over 1 MiB: what a shipping label's PDF is like.
    let body: Vec<u8> = (0..=255u8).cycle().take((1 << 20) + 4099).collect();
    for (status, code) in [("200 OK", 0), ("404 Not Found", 5)] {
        let api = serve_bytes(status, body.clone());
        let out = sandbox
            .authctl()
            .env("AMAZON_API_URL", &api)
            .args([
                "--store",
                "memory",
                "request",
                "amazon",
                "GET",
                "/label.pdf",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        assert!(
            out.stdout == body,
            "{status}: {} bytes came out, not the {} sent",
            out.stdout.len(),
            body.len()
        );
        if code == 5 {
            assert_eq!(
                stderr(&out),
                "authctl: amazon answered with an error (HTTP 404)"
            );
        }
    }
}

#[test]
fn a_full_disk_is_exit_6_and_a_closed_pipe_exit_141_never_a_panic() {
    let sandbox = SandboxProcess::start();
    let commands: [&[&str]; 4] = [
        &["--store", "memory", "token", "igv"],
        &[
            "--store",
            "memory",
            "request",
            "igv",
            "GET",
            "/seller/sandbox/whoami",
        ],
        &["completions", "bash"],
        &["--help"],
    ];
    for args in commands {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = sandbox
            .std_authctl()
            .args(args)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(6), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            "authctl: the output could not be written: No space left on device (os error 28)",
            "{args:?}"
        );

        // A reader that left before anything was written.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = sandbox
            .std_authctl()
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(141), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }

    // A failure whose message stderr cannot take keeps its own code: nothing panics, and a
    // usage error is not turned into an output failure.
    for (args, code) in [
        (&["token", "etsy"][..], 2),
        (&["--store", "memory", "token", "igv"][..], 2),
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = sandbox
            .std_authctl()
            .env_remove("IGV_PASSWORD")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn status_escapes_what_would_drive_the_terminal_one_row_per_entry() {
    use auth_core::store::{EntryInfo, FileStore, StoredToken, TokenStore};
    let tmp = tempfile::Builder::new()
        .prefix("authctl-status-")
        .tempdir()
        .unwrap();
    // Labels that retitle the terminal, ring, and start a forged row, as a hostile writer of
    // the store could leave them.
    let hostile = [
        "email=evil\u{1b}]0;owned\u{7}\n\r\u{9b}row",
        "email=two\nlines\u{202e}",
    ];
    let now = std::time::SystemTime::now();
    let store = FileStore::new(tmp.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for (i, label) in hostile.iter().enumerate() {
        let entry = StoredToken {
            token: auth_core::Secret::from("stored-token"),
            scheme: None,
            refresh_token: None,
            refresh_expires_at: None,
            expires_at: now + std::time::Duration::from_secs(3600),
            account: None,
            about: Some(EntryInfo {
                vendor: "iGV\u{1b}[2J".to_owned(),
                label: (*label).to_owned(),
                stored_at: now,
            }),
        };
        let key = format!("key-{i}");
        let swap = runtime.block_on(store.compare_and_swap(&key, None, &entry, 0));
        assert!(swap.is_ok(), "{swap:?}");
    }
    let spec = format!("file:{}", tmp.path().display());

    let listed = Command::new(cargo_bin("authctl"))
        .env_clear()
        .args(["--store", &spec, "status"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let text = String::from_utf8(listed.stdout).unwrap();
    assert_eq!(
        text.lines().count(),
        3,
        "a header and a row per entry: {text:?}"
    );
    assert!(
        text.contains(r"email=evil\u{1b}]0;owned\u{7}\n\r\u{9b}row")
            && text.contains(r"email=two\nlines\u{202e}")
            && text.contains(r"iGV\u{1b}[2J"),
        "{text:?}"
    );
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );

    // JSON stays JSON: the labels as they are, escaped by the encoder.
    let json = Command::new(cargo_bin("authctl"))
        .env_clear()
        .args(["--store", &spec, "status", "--format", "json"])
        .output()
        .unwrap();
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let mut accounts: Vec<&str> = entries
        .iter()
        .map(|e| e["account"].as_str().unwrap())
        .collect();
    accounts.sort_unstable();
    assert_eq!(accounts, hostile);
}

/// `CONFIG SET name value` on the Redis server at `url`.
fn config_set(runtime: &tokio::runtime::Runtime, url: &str, name: &str, value: &str) {
    runtime.block_on(async {
        let client = redis::Client::open(url).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let () = redis::cmd("CONFIG")
            .arg("SET")
            .arg(name)
            .arg(value)
            .query_async(&mut connection)
            .await
            .unwrap();
    });
}

#[test]
fn a_store_that_cannot_be_used_is_said_once_and_the_token_still_comes() {
    let sandbox = SandboxProcess::start();
    let redis = redis_server::RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The server wants a password; the URL below carries a wrong one.
    config_set(&runtime, &redis.url(), "requirepass", "the-right-one");
    let redis_port = reqwest::Url::parse(&redis.url()).unwrap().port().unwrap();
    // The sandbox speaks HTTP, not Redis.
    let http_port = reqwest::Url::parse(&sandbox.var("IGV_BASE_URL"))
        .unwrap()
        .port()
        .unwrap();
    let not_redis = format!("redis://127.0.0.1:{http_port}/");
    let wrong_password = format!("redis://:wrong-password@127.0.0.1:{redis_port}/");
    for (store, shown) in [
        (
            "redis://127.0.0.1:1/".to_owned(),
            "redis://127.0.0.1:1/".to_owned(),
        ),
        (not_redis.clone(), not_redis.clone()),
        (wrong_password, format!("redis://127.0.0.1:{redis_port}/")),
        ("file:/dev/null".to_owned(), "file:/dev/null".to_owned()),
    ] {
        let out = sandbox
            .authctl()
            .args(["--store", &store, "token", "igv"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{store}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with("igv-"),
            "{store}: {}",
            stdout(&out)
        );
        let said = stderr(&out);
        assert_eq!(said.lines().count(), 1, "{store}: {said}");
        assert!(
            said.starts_with(&format!(
                "authctl: the token store {shown} cannot be used ("
            )) && said.ends_with("); going on without it"),
            "{store}: {said}"
        );
        assert!(!said.contains("wrong-password"), "{said}");
    }

    // A store that reads but refuses every write fails mid-run, after the first look: said
    // once too, and the session logs in without it.
    let read_only = redis_server::RedisServer::start();
    config_set(&runtime, &read_only.url(), "min-replicas-to-write", "1");
    let out = sandbox
        .authctl()
        .args(["--store", &read_only.url(), "token", "igv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("igv-"), "{}", stdout(&out));
    let said = stderr(&out);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with(&format!(
            "authctl: the token store {} failed: ",
            read_only.url()
        )),
        "{said}"
    );
}

/// `status` shows when each stored refresh token dies (null when unknown), and `--expiring`
/// lists only the entries whose refresh token dies within the window.
#[test]
fn status_shows_refresh_expiries_and_lists_the_entries_at_risk() {
    let sandbox = SandboxProcess::start();
    let tmp = tempfile::Builder::new()
        .prefix("authctl-expiring-")
        .tempdir()
        .unwrap();
    let store = format!("file:{}", tmp.path().display());
    let unix_now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let before = unix_now();
    for vendor in ["igv", "lazada"] {
        let out = sandbox
            .authctl()
            .args(["--store", &store, "token", vendor])
            .output()
            .unwrap();
        assert!(out.status.success(), "{vendor}: {}", stderr(&out));
    }
    let after = unix_now();
    let status = |args: &[&str]| {
        let out = sandbox
            .authctl()
            .args(["--store", &store, "status"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let entries = |text: String| -> Vec<serde_json::Value> { serde_json::from_str(&text).unwrap() };

    // The sandbox's Lazada refresh tokens live 14 days (`refresh_expires_in`); iGV states none.
    let all = entries(status(&["--format", "json"]));
    let lazada = all
        .iter()
        .find(|e| e["vendor"] == "Lazada")
        .expect("a Lazada entry");
    let dies = lazada["refresh_expires_at_unix"].as_u64().unwrap();
    let fortnight = 14 * 86_400;
    assert!(
        before + fortnight <= dies && dies <= after + fortnight,
        "{dies} not within [{}, {}]",
        before + fortnight,
        after + fortnight
    );
    let igv = all
        .iter()
        .find(|e| e["vendor"] == "iGV")
        .expect("an iGV entry");
    assert!(igv["refresh_expires_at_unix"].is_null(), "{igv}");

    let text = status(&[]);
    assert!(
        text.lines().next().unwrap().contains("REFRESH EXPIRES"),
        "{text}"
    );
    let lazada_line = text.lines().find(|l| l.starts_with("Lazada")).expect(&text);
    assert!(lazada_line.contains("(in 13d "), "{lazada_line}");
    let igv_line = text.lines().find(|l| l.starts_with("iGV")).expect(&text);
    assert!(igv_line.contains(" unknown "), "{igv_line}");

    // Within a week: nobody. Within 15 days: Lazada only (iGV's expiry is unknown).
    assert!(entries(status(&["--expiring", "7d", "--format", "json"])).is_empty());
    assert_eq!(
        status(&["--expiring", "7d"]),
        "no stored refresh token dies within that window"
    );
    // (Lazada's entries: the session's key and the seller's.)
    let at_risk = entries(status(&["--expiring", "15d", "--format", "json"]));
    let lazadas = all.iter().filter(|e| e["vendor"] == "Lazada").count();
    assert_eq!(at_risk.len(), lazadas, "{at_risk:?}");
    assert!(
        at_risk.iter().all(|e| e["vendor"] == "Lazada"),
        "{at_risk:?}"
    );
    let text = status(&["--expiring", "14d12h"]);
    assert_eq!(text.lines().count(), 1 + lazadas, "{text}");
    assert!(
        text.lines().skip(1).all(|l| l.starts_with("Lazada")),
        "{text}"
    );

    let bad = sandbox
        .authctl()
        .args(["--store", &store, "status", "--expiring", "7"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("needs a unit"), "{}", stderr(&bad));
}

#[test]
fn keepalive_refreshes_the_sellers_at_risk_and_says_what_it_did() {
    let sandbox = SandboxProcess::start();
    // Two sellers onboarded: Lazada's refresh tokens live 14 days here, Shopee's 30.
    for vendor in ["lazada", "shopee"] {
        let out = sandbox.authctl().args(["token", vendor]).output().unwrap();
        assert!(out.status.success(), "{vendor}: {}", stderr(&out));
    }
    let keepalive = |args: &[&str]| {
        sandbox
            .authctl()
            .arg("keepalive")
            .args(args)
            .output()
            .unwrap()
    };
    let quiet = keepalive(&["--within", "7d"]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert_eq!(
        stdout(&quiet),
        "lazada: 0 refreshed, 0 need consent, 0 failed, 1 not due\nshopee: 0 refreshed, 0 need consent, 0 failed, 1 not due"
    );
    let due = keepalive(&["--within", "20d", "--vendor", "lazada"]);
    assert!(due.status.success(), "{}", stderr(&due));
    assert_eq!(
        stdout(&due),
        "lazada: 1 refreshed, 0 need consent, 0 failed, 0 not due"
    );
    // The refreshed seller still works from the store, without a code.
    let token = sandbox
        .authctl()
        .env_remove("IOP_CODE")
        .args(["token", "lazada"])
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", stderr(&token));

    // Without its app's variables a vendor's stored sellers cannot be refreshed: said, exit 4.
    let broken = sandbox
        .authctl()
        .env_remove("SHOPEE_PARTNER_KEY")
        .args(["keepalive", "--within", "40d"])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(4), "{}", stderr(&broken));
    assert_eq!(
        stdout(&broken),
        "lazada: 1 refreshed, 0 need consent, 0 failed, 0 not due\nshopee: not swept (1 stored): shopee: SHOPEE_PARTNER_KEY is not set"
    );
    assert_eq!(
        stderr(&broken),
        "authctl: keepalive: some sellers could not be refreshed (listed above); run it again"
    );
}

//! Redis failures under a fleet: a lease holder from before a failover cannot write over a token
//! stored after it, even when the failover lost the fence counter; and a real cluster that loses
//! a master mid-run (its replica promoted) costs each account at most one extra login.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use auth_core::Secret;
use auth_core::store::{Lease, RedisStore, StoredToken, Swap, TokenStore};
use common::fleet::{LoginReport, login_fleet};
use common::redis_cluster::RedisCluster;
use common::redis_server::RedisServer;
use vendors::sandbox::{Sandbox, Vendor};

fn token(text: &str) -> StoredToken {
    StoredToken {
        token: Secret::from(text),
        scheme: None,
        refresh_token: None,
        refresh_expires_at: None,
        expires_at: SystemTime::now() + Duration::from_secs(3600),
        account: None,
        about: None,
    }
}

/// What a failover that lost the last writes leaves: the lease and the fence counter gone.
async fn forget_lease_and_fence(url: &str, key: &str) {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let removed: i64 = redis::cmd("DEL")
        .arg(format!("seller-auth:{{{key}}}:lease"))
        .arg(format!("seller-auth:{{{key}}}:fence"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(removed, 2);
}

#[tokio::test]
async fn a_holder_from_before_a_lost_fence_counter_cannot_write_over_a_newer_token() {
    let redis = RedisServer::start();
    let store = RedisStore::open(&redis.url()).unwrap();
    let key = "igv-failover";
    let stale = store
        .try_lease(key, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    forget_lease_and_fence(&redis.url(), key).await;
    let fresh = store
        .try_lease(key, Duration::from_secs(60))
        .await
        .unwrap()
        .expect("the lease was lost with the failover");
    assert_fenced_out(&store, key, &stale, &fresh).await;
}

/// `fresh`, taken after a failover, outranks `stale`: its token is written, and the stale
/// holder's write (over the version it would read now) is refused.
async fn assert_fenced_out(store: &RedisStore, key: &str, stale: &Lease, fresh: &Lease) {
    assert!(
        fresh.fence() > stale.fence(),
        "fence {} after {}",
        fresh.fence(),
        stale.fence()
    );
    let written = store
        .compare_and_swap(key, None, &token("after-failover"), fresh.fence())
        .await
        .unwrap();
    assert_eq!(written, Swap::Written { version: 1 });
    let late = store
        .compare_and_swap(key, Some(1), &token("from-before"), stale.fence())
        .await
        .unwrap();
    assert_eq!(late, Swap::Conflict, "the stale holder was fenced out");
    let kept = store.load(key).await.unwrap().unwrap();
    assert_eq!(kept.token.token.expose(), "after-failover");
}

#[tokio::test]
async fn after_a_real_failover_the_old_lease_holder_is_fenced_out() {
    let cluster = RedisCluster::start(3, 1, "fenced");
    let store = RedisStore::cluster_builder(cluster.urls())
        .namespace(&cluster.namespace)
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let key = "igv-fenced";
    let ttl = Duration::from_secs(2);
    let stale = store.try_lease(key, ttl).await.unwrap().unwrap();
    let name = format!("{}:{{{key}}}:lease", cluster.namespace);
    let victim = cluster.master_of(&name);
    cluster.kill(victim);
    cluster.wait_for_failover(&name, victim, Duration::from_secs(30));
    // The holder stalls past its lease; another process takes the account over on the replica.
    // Bounded: a cluster that never serves the slot again fails the test instead of hanging it.
    let mut fresh = None;
    for _ in 0..600 {
        match store.try_lease(key, ttl).await {
            Ok(Some(lease)) => {
                fresh = Some(lease);
                break;
            }
            Ok(None) | Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    let fresh = fresh.expect("no lease on the promoted replica within 600 tries");
    assert_fenced_out(&store, key, &stale, &fresh).await;
    assert!(!store.extend_lease(key, &stale, ttl).await.unwrap());
}

const ACCOUNTS: usize = 3;
const PER_ACCOUNT: usize = 4;

/// `PER_ACCOUNT` processes for each account ask for a token, failing (and retrying) while the
/// store fails rather than logging in alone; the reports by account.
async fn fleet_round(
    sandbox: &Sandbox,
    store: &str,
    accounts: &[(String, String)],
) -> BTreeMap<String, Vec<LoginReport>> {
    let url = sandbox.base_url(Vendor::Igv);
    let mut rounds = Vec::new();
    for (email, password) in accounts {
        let env = [
            ("FLEET_EMAIL", email.clone()),
            ("FLEET_ACCOUNT", email.clone()),
            ("FLEET_STORE_FAILURE", "fail".to_owned()),
        ];
        let store = store.to_owned();
        let (url, email, password) = (url.clone(), email.clone(), password.clone());
        rounds.push(tokio::spawn(async move {
            let reports = login_fleet(PER_ACCOUNT, &url, &store, &password, true, &env).await;
            (email, reports)
        }));
    }
    let mut by_account = BTreeMap::new();
    for round in rounds {
        // Bounded: a cluster that never recovers fails the test instead of hanging it.
        let (email, reports) = tokio::time::timeout(Duration::from_secs(120), round)
            .await
            .expect("the fleet got no token within two minutes")
            .unwrap();
        by_account.insert(email, reports);
    }
    by_account
}

fn held(reports: &[LoginReport]) -> BTreeSet<String> {
    reports
        .iter()
        .map(|r| {
            let (md5, _) = r
                .token
                .as_ref()
                .unwrap_or_else(|| panic!("no token: {:?}", r.error));
            md5.clone()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_killed_mid_run_costs_each_account_at_most_one_login() {
    let cluster = RedisCluster::start(3, 1, "failover");
    let sandbox = Sandbox::start().await.unwrap();
    let accounts: Vec<(String, String)> = (1..=ACCOUNTS)
        .map(|n| (format!("seller{n}@igv.sandbox"), format!("password-{n}")))
        .collect();
    for (email, password) in &accounts {
        sandbox.igv().add_account(email, password);
    }
    let store = cluster.spec();

    let before = fleet_round(&sandbox, &store, &accounts).await;
    assert_eq!(sandbox.igv().login_count(), ACCOUNTS as u64);
    let first: BTreeMap<_, _> = before.iter().map(|(a, r)| (a.clone(), held(r))).collect();
    for tokens in first.values() {
        assert_eq!(tokens.len(), 1, "one token per account");
    }

    // Kill the master holding the first account's entry, and start the next round at once:
    // its processes meet the failover under way.
    let reader = RedisStore::cluster_builder(cluster.urls())
        .namespace(&cluster.namespace)
        .build()
        .unwrap();
    let entry_keys = cluster.keys(&format!("{}:*:token", cluster.namespace));
    assert_eq!(entry_keys.len(), ACCOUNTS, "{entry_keys:?}");
    let victim = cluster.master_of(&entry_keys[0]);
    cluster.kill(victim);
    let during = fleet_round(&sandbox, &store, &accounts).await;
    let promoted = cluster.wait_for_failover(&entry_keys[0], victim, Duration::from_secs(30));
    assert_ne!(promoted, victim);

    let logins = sandbox.igv().login_count();
    eprintln!("failover: {logins} logins for {ACCOUNTS} accounts over both rounds");
    assert!(
        logins <= 2 * ACCOUNTS as u64,
        "{logins} logins for {ACCOUNTS} accounts: more than one extra each"
    );
    // Whatever the failover kept, the store now holds the tokens the fleet uses: no stale
    // writer replaced one.
    let mut stored = BTreeSet::new();
    for key in &entry_keys {
        let session_key = key.split(['{', '}']).nth(1).unwrap();
        if let Some(entry) = reader.load(session_key).await.unwrap() {
            stored.insert(auth_core::md5_hex(entry.token.token.expose()));
        }
    }
    for (account, reports) in &during {
        let tokens = held(reports);
        assert_eq!(tokens.len(), 1, "{account}: one token after the failover");
        assert!(
            tokens.is_subset(&stored),
            "{account}: the token in use is the stored one"
        );
    }
}

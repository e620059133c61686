//! Fleets remember failures, with real processes (`fleet_worker login`) sharing a store: a
//! rejected password is sent once per fleet (file store, Redis, Redis Cluster) and fixed
//! credentials go through at once; a locked account is tried once per record period; an outage
//! gets no more logins from sixteen processes than one process's schedule sends, and the
//! vendor's `Retry-After` holds for all of them.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::RetryPolicy;
use common::fleet::{LoginReport, login_fleet};
use common::redis_cluster::RedisCluster;
use common::redis_server::RedisServer;
use vendors::sandbox::{Fault, Sandbox, Vendor, igv};

const FLEET: usize = 16;
const WRONG: &str = "a-stale-password-0417";

fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("seller-auth-failures-{name}-"))
        .tempdir()
        .unwrap()
}

fn errors(reports: &[LoginReport]) -> Vec<&str> {
    reports
        .iter()
        .map(|r| {
            r.error
                .as_deref()
                .unwrap_or_else(|| panic!("an error, not a token: {reports:?}"))
        })
        .collect()
}

fn tokens(reports: &[LoginReport]) -> BTreeSet<&str> {
    reports
        .iter()
        .map(|r| r.token.as_ref().expect("a token, not an error").0.as_str())
        .collect()
}

/// How long a fleet of `FLEET` processes takes to share one login on this machine, measured on
/// a store of its own: the unit that the time-based steps below scale with, so that a slower
/// machine gets longer token lifetimes and record periods instead of a different verdict.
async fn fleet_time(url: &str, password: &str) -> Duration {
    let dir = temp_dir("calibration");
    let store = format!("file:{}", dir.path().display());
    let started = std::time::Instant::now();
    login_fleet(FLEET, url, &store, password, false, &[]).await;
    started.elapsed()
}

/// Sixteen processes with a stale password send one login; a seventeenth later sends none; the
/// fixed password logs in at once; the sixteen rerun all hold its token.
///
/// With the account named, stale and fixed credentials share one store key, and the record's
/// fingerprint tells them apart: the fixed login clears the record. Without it, each set of
/// credentials has a key of its own, and the stale one stays recorded until it expires.
async fn a_wrong_password_is_sent_once(store: &str, account: bool) {
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.base_url(Vendor::Igv);
    let logins = || sandbox.igv().login_count();
    let env: Vec<(&str, String)> = match account {
        true => vec![("FLEET_ACCOUNT", igv::DEMO_EMAIL.to_owned())],
        false => vec![],
    };
    let env = env.as_slice();

    let started = std::time::Instant::now();
    let stale = login_fleet(FLEET, &url, store, WRONG, false, env).await;
    let fleet_took = started.elapsed();
    assert_eq!(logins(), 1, "the vendor saw the stale password once");
    assert_eq!(stale.iter().map(|r| r.logins).sum::<u64>(), 1);
    let said = errors(&stale);
    for error in &said {
        assert!(
            error.starts_with(
                "Rejected iGV rejected the login: code 4001: Invalid email or password"
            ),
            "{error}"
        );
        assert!(!error.contains(WRONG), "{error}");
    }
    let from_record = said
        .iter()
        .filter(|e| e.contains("(recorded by the fleet ") && e.contains("GMT; not sent again)"))
        .count();
    assert_eq!(
        from_record,
        FLEET - 1,
        "all but the sender learned it from the store"
    );

    let later = login_fleet(1, &url, store, WRONG, false, env).await;
    assert!(errors(&later)[0].contains("recorded by the fleet"));
    assert_eq!(logins(), 1, "a later run sends nothing either");

    // Short-lived tokens, so that the stale password's last run below finds none to adopt; yet
    // long enough that the rerun of sixteen ends well before the earliest renewal point (3/4 of
    // the lifetime): four times what a fleet of sixteen just took here, and at least 4 s.
    let renew_from = auth_core::RenewPolicy::default().renew_from;
    let lifetime = Duration::from_secs(4).max(fleet_took.mul_f64(4.0 / renew_from));
    sandbox.igv().set_token_lifetime(lifetime);
    let fixed = login_fleet(1, &url, store, igv::DEMO_PASSWORD, false, env).await;
    let fixed_at = std::time::Instant::now();
    let held = tokens(&fixed);
    assert_eq!(logins(), 2, "fixed credentials are not held back");

    let rerun = login_fleet(FLEET, &url, store, igv::DEMO_PASSWORD, false, env).await;
    assert_eq!(
        tokens(&rerun),
        held,
        "all sixteen hold the fixed login's token (lifetime {lifetime:?}, the rerun ended {:?} after it was issued)",
        fixed_at.elapsed()
    );
    assert_eq!(logins(), 2);

    tokio::time::sleep(lifetime.saturating_sub(fixed_at.elapsed())).await;
    let again = login_fleet(1, &url, store, WRONG, false, env).await;
    if account {
        // The fixed login cleared the account's record: the stale password is tried again.
        assert!(!errors(&again)[0].contains("recorded by the fleet"));
        assert_eq!(logins(), 3);
    } else {
        // Its own key's record still holds it back.
        assert!(errors(&again)[0].contains("recorded by the fleet"));
        assert_eq!(logins(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_sent_once_per_fleet_through_a_file_store() {
    for account in [false, true] {
        let dir = temp_dir("wrong");
        a_wrong_password_is_sent_once(&format!("file:{}", dir.path().display()), account).await;
        // The record names the credentials by their salted fingerprint only.
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap_or_default();
            assert!(
                !text.contains(WRONG) && !text.contains(igv::DEMO_PASSWORD),
                "{text}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_sent_once_per_fleet_through_redis() {
    let redis = RedisServer::start();
    a_wrong_password_is_sent_once(&redis.url(), true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_sent_once_per_fleet_through_a_redis_cluster() {
    let cluster = RedisCluster::shared_or_start("wrong-password");
    a_wrong_password_is_sent_once(&cluster.spec(), true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_is_tried_once_per_fleet_until_the_record_expires() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.base_url(Vendor::Igv);
    // The record must outlive two fleets of sixteen on this machine, however busy: four times
    // what one fleet took here (and at least 8 s).
    let remember = Duration::from_secs(8).max(4 * fleet_time(&url, igv::DEMO_PASSWORD).await);
    let before = sandbox.igv().login_count();
    sandbox.igv().lock_account(igv::DEMO_EMAIL);
    let dir = temp_dir("locked");
    let store = format!("file:{}", dir.path().display());
    let env = [("FLEET_REMEMBER_MS", remember.as_millis().to_string())];
    let sent = || sandbox.igv().login_count() - before;

    let started = std::time::Instant::now();
    let first = login_fleet(FLEET, &url, &store, igv::DEMO_PASSWORD, false, &env).await;
    for error in errors(&first) {
        assert!(error.contains("code 4003: Account is locked"), "{error}");
    }
    assert_eq!(sent(), 1);
    // The record was written before the first fleet ended.
    let first_ended = std::time::Instant::now();

    let again = login_fleet(FLEET, &url, &store, igv::DEMO_PASSWORD, false, &env).await;
    assert_eq!(errors(&again).len(), FLEET);
    assert_eq!(
        sent(),
        1,
        "nothing sent while recorded (kept {remember:?}; both fleets took {:?})",
        started.elapsed()
    );

    // The record was written during the first fleet, so it has expired by `remember` after
    // that fleet ended (however late in it the busy machine let the login go).
    tokio::time::sleep(remember.saturating_sub(first_ended.elapsed()) + Duration::from_millis(200))
        .await;
    let expired = login_fleet(FLEET, &url, &store, igv::DEMO_PASSWORD, false, &env).await;
    assert_eq!(errors(&expired).len(), FLEET);
    assert_eq!(
        sent(),
        2,
        "one attempt for the fleet once the record expired"
    );
}

/// The most login attempts one process can send in `window` under `policy`, retrying as
/// `fleet_worker login ... until-token` does: every backoff at its shortest (half its ceiling),
/// every attempt taking no time, and the next call at once when no gap holds it.
fn most_attempts_of_one_process(policy: &RetryPolicy, window: Duration) -> u64 {
    let (mut elapsed, mut attempts, mut failures) = (Duration::ZERO, 0, 0);
    loop {
        for attempt in 1..=policy.max_attempts {
            if elapsed >= window {
                return attempts;
            }
            attempts += 1;
            if attempt < policy.max_attempts {
                let ceiling = policy
                    .base_delay
                    .saturating_mul(1 << (attempt - 1))
                    .min(policy.max_delay);
                elapsed += ceiling / 2;
            }
        }
        failures += 1;
        elapsed += policy.login_gap_after(failures);
    }
}

fn unix_ms(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_gets_no_more_logins_from_sixteen_processes_than_from_one() {
    // One attempt per call, so that the spacing between calls is what decides the count (the
    // lease alone already keeps two processes from sending at the same moment).
    let policy = RetryPolicy::default()
        .with_max_attempts(1)
        .with_login_gap(Duration::from_millis(500), Duration::from_millis(1_000));
    let env = [("FLEET_RETRY", "1,100,400,500,1000".to_owned())];
    let outage = Duration::from_secs(3);
    let bound = most_attempts_of_one_process(&policy, outage) + 1;

    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.base_url(Vendor::Igv);
    // How long sixteen processes take here to share a login once the vendor answers: the slack
    // after the fleet's last gap, measured rather than guessed.
    let slack = fleet_time(&url, igv::DEMO_PASSWORD).await;
    let before = sandbox.igv().login_count();
    let dir = temp_dir("outage");
    let store = format!("file:{}", dir.path().display());
    sandbox.igv().outage(outage);
    let recovery = unix_ms(SystemTime::now() + outage);
    let reports = login_fleet(FLEET, &url, &store, igv::DEMO_PASSWORD, true, &env).await;

    let sent = sandbox.igv().login_count() - before;
    eprintln!("outage: {sent} logins sent, bound {bound}");
    assert!(
        sent <= bound,
        "{sent} logins from the fleet; one process's schedule sends at most {} in the outage, +1",
        bound - 1
    );
    assert_eq!(tokens(&reports).len(), 1, "one token for the fleet");
    let interval = policy.max_login_gap.as_millis() as u64;
    // How long a fleet's shared login takes here, measured again now: a machine that got
    // busier during the outage takes longer after it too.
    let slack = slack.max(fleet_time(&url, igv::DEMO_PASSWORD).await);
    // The fleet's gap at the recovery is at most `max_login_gap`; then one login, and the
    // others adopt it at their next look: what a fleet's shared login took here, plus the
    // longest pause a worker takes between looks (the gap itself).
    let slack = slack.as_millis() as u64 + interval;
    for report in &reports {
        let held_at = report.token.as_ref().unwrap().1;
        assert!(
            held_at <= recovery + interval + slack,
            "a token {} ms after the recovery",
            held_at.saturating_sub(recovery)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_holds_the_whole_fleet() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.base_url(Vendor::Igv);
    let redis = RedisServer::start();
    sandbox.igv().push_fault(Fault::RateLimit {
        retry_after: Some(5),
    });
    // One attempt per call: the holder gives up on the 429 and records when to try again.
    let env = [("FLEET_RETRY", "1,100,400,250,1000".to_owned())];
    let asked_at = unix_ms(SystemTime::now());
    let reports = login_fleet(FLEET, &url, &redis.url(), igv::DEMO_PASSWORD, true, &env).await;
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "the refused login, then one after the wait"
    );
    assert_eq!(tokens(&reports).len(), 1);
    for report in &reports {
        let held_at = report.token.as_ref().unwrap().1;
        assert!(
            held_at >= asked_at + 5_000,
            "a token {} ms after the 429 asked for 5 s",
            held_at - asked_at
        );
    }
}

//! The metrics a known sequence produces, read back from a recording backend: one login, one
//! business request whose token the vendor rejects (with its re-login and replay), one refresh;
//! store calls counted; labels bounded (no account, no secret).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use auth_core::metrics::{
    LOGIN_DURATION, LOGINS, REQUESTS_REPLAYED, STORE_OPERATIONS, TOKEN_REMAINING,
};
use auth_core::store::MemoryStore;
use common::clients;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use vendors::sandbox::{Sandbox, igv};

/// A metric's name and its labels, sorted, as one readable key.
fn key(name: &str, labels: &[(&str, &str)]) -> String {
    let mut labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    labels.sort();
    format!("{name}{{{}}}", labels.join(","))
}

#[test]
fn a_login_a_rejected_request_and_a_refresh_are_counted_as_they_happened() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let sandbox = Sandbox::start().await.unwrap();
            let igv_client = clients::igv(&sandbox);
            let first = igv_client.get(igv::WHOAMI_PATH).send().await.unwrap();
            assert_eq!(first.status(), 200);
            sandbox.igv().revoke_all();
            let replayed = igv_client.get(igv::WHOAMI_PATH).send().await.unwrap();
            assert_eq!(replayed.status(), 200);

            let lazada = clients::lazada_with(&sandbox, |b| b.store(Arc::new(MemoryStore::new())));
            lazada.session().token().await.unwrap();
            lazada.session().renew().await.unwrap();
        })
    });

    let mut counters = BTreeMap::new();
    let mut histograms = BTreeMap::new();
    let mut gauges = BTreeMap::new();
    for (composite, _, _, value) in snapshotter.snapshot().into_vec() {
        let metric = composite.key();
        let labels: Vec<(&str, &str)> = metric.labels().map(|l| (l.key(), l.value())).collect();
        for (name, value) in &labels {
            assert!(
                !value.contains('@') && !value.contains(igv::DEMO_PASSWORD),
                "label {name}={value} on {}",
                metric.name()
            );
        }
        let key = key(metric.name(), &labels);
        match value {
            DebugValue::Counter(n) => counters.insert(key, n),
            DebugValue::Histogram(samples) => histograms.insert(key, samples.len() as u64),
            DebugValue::Gauge(g) => gauges.insert(key, g.into_inner() as u64),
        };
    }
    let logins = |vendor, kind, reason| {
        key(
            LOGINS,
            &[
                ("vendor", vendor),
                ("kind", kind),
                ("reason", reason),
                ("outcome", "ok"),
            ],
        )
    };
    let expected_logins = BTreeMap::from([
        (logins("iGV", "login", "cold"), 1),
        (logins("iGV", "login", "token_rejected"), 1),
        (logins("Lazada", "login", "cold"), 1),
        (logins("Lazada", "refresh", "forced"), 1),
    ]);
    let seen_logins: BTreeMap<_, _> = counters
        .iter()
        .filter(|(k, _)| k.starts_with(LOGINS))
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(seen_logins, expected_logins);
    assert_eq!(
        counters.get(&key(REQUESTS_REPLAYED, &[("vendor", "iGV")])),
        Some(&1)
    );
    for (vendor, kind, requests) in [
        ("iGV", "login", 2),
        ("Lazada", "login", 1),
        ("Lazada", "refresh", 1),
    ] {
        assert_eq!(
            histograms.get(&key(LOGIN_DURATION, &[("vendor", vendor), ("kind", kind)])),
            Some(&requests),
            "{vendor} {kind}"
        );
    }
    // Both Lazada tokens were stored under the lease, each twice: under the session's key and
    // under the seller's the answer names (its own lease); the failure record read once each.
    for (operation, calls) in [("swap", 4), ("release", 4), ("load_failures", 2)] {
        assert_eq!(
            counters.get(&key(
                STORE_OPERATIONS,
                &[
                    ("vendor", "Lazada"),
                    ("operation", operation),
                    ("outcome", "ok")
                ]
            )),
            Some(&calls),
            "{operation}"
        );
    }
    // The sandbox's tokens live two hours (iGV) and its IOP tokens a day or more.
    let remaining = gauges[&key(TOKEN_REMAINING, &[("vendor", "iGV")])];
    assert!((7_000..=7_200).contains(&remaining), "{remaining}");
    assert!(gauges[&key(TOKEN_REMAINING, &[("vendor", "Lazada")])] > 3_600);
}

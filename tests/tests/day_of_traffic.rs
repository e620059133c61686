//! A simulated day of traffic for every vendor, the marketplaces included, through the authorised client (paused time):
//! zero failed requests, and the number of logins and refreshes the lifetime implies.

mod common;

use std::time::Duration;

use common::clients::{Clients, call};
use vendors::sandbox::{Sandbox, Vendor};

const DAY: u64 = 24 * 3600;
const EVERY: u64 = 120;

#[tokio::test(start_paused = true)]
async fn a_day_of_traffic_for_every_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    // Shorter-lived IOP tokens than the 7-day default, so a day holds many refreshes.
    for vendor in [Vendor::Lazada, Vendor::AliExpress, Vendor::Tiktok] {
        sandbox
            .vendor(vendor)
            .set_token_lifetime(Duration::from_secs(3600));
    }
    let clients = Clients::new(&sandbox);
    let mut failures = 0;
    for _ in 0..DAY / EVERY {
        for vendor in Vendor::ALL {
            if !call(vendor, &sandbox, &clients).await {
                failures += 1;
            }
        }
        tokio::time::sleep(Duration::from_secs(EVERY)).await;
    }
    assert_eq!(failures, 0);

    // Renewal at 75-85% of the lifetime: between day/(0.85 L) and day/(0.75 L) renewals.
    let renewals = |lifetime: u64| (DAY * 100 / (85 * lifetime), DAY * 100 / (75 * lifetime) + 1);
    for vendor in [
        Vendor::Igv,
        Vendor::Wahool,
        Vendor::Yz365,
        Vendor::Amazon,
        Vendor::Walmart,
    ] {
        let lifetime = sandbox.vendor(vendor).token_lifetime().as_secs();
        let (low, high) = renewals(lifetime);
        let logins = sandbox.vendor(vendor).login_count();
        assert!(
            (low + 1..=high + 1).contains(&logins),
            "{vendor:?}: {logins} logins, expected {}..={}",
            low + 1,
            high + 1
        );
    }
    // eBay renews a user token from its (non-rotating) refresh token each time: every renewal is
    // a refresh grant.
    let ebay = sandbox.vendor(Vendor::Ebay);
    let (low, high) = renewals(ebay.token_lifetime().as_secs());
    assert!(
        (low + 1..=high + 1).contains(&ebay.refresh_count()),
        "eBay: {} refresh grants",
        ebay.refresh_count()
    );
    for vendor in [
        Vendor::Lazada,
        Vendor::AliExpress,
        Vendor::Tiktok,
        Vendor::Shopee,
        Vendor::MercadoLibre,
    ] {
        let (low, high) = renewals(sandbox.vendor(vendor).token_lifetime().as_secs());
        let state = sandbox.vendor(vendor);
        assert_eq!(
            state.login_count(),
            1,
            "{vendor:?}: the code is exchanged once"
        );
        let refreshes = state.refresh_count();
        assert!(
            (low..=high).contains(&refreshes),
            "{vendor:?}: {refreshes} refreshes, expected {low}..={high}"
        );
    }
    assert_eq!(
        sandbox.vendor(Vendor::IceKredit).login_count(),
        1,
        "a sliding token used every 2 minutes never lapses"
    );
    for vendor in Vendor::ALL {
        assert_eq!(
            sandbox.vendor(vendor).protected_count(),
            DAY / EVERY,
            "{vendor:?}: no replays were needed"
        );
    }
}

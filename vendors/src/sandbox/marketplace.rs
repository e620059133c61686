//! What each simulated marketplace is: the vendor state every sandbox vendor has (the app's
//! credentials, issued tokens, lifetimes, faults, counters) and its ledger (codes, refresh
//! tokens, correlation ids).

use std::time::Duration;

use super::ledger::Ledger;
use super::state::VendorState;

/// One simulated marketplace and its test controls.
#[derive(Debug)]
pub struct MarketplaceSandbox {
    state: VendorState,
    ledger: Ledger,
    /// The account the consent page approves, and the prefix of the codes it hands out.
    demo_account: String,
    code_prefix: &'static str,
}

impl MarketplaceSandbox {
    /// `code_lifetime`: how long a consent's code works, and `refresh_lifetime` how long a
    /// refresh token does (`None`: until revoked), as the vendor documents them.
    pub(crate) fn new(
        state: VendorState,
        demo_account: impl Into<String>,
        code_prefix: &'static str,
        code_lifetime: Duration,
        refresh_lifetime: Option<Duration>,
    ) -> Self {
        MarketplaceSandbox {
            state,
            ledger: Ledger::new(code_lifetime, refresh_lifetime),
            demo_account: demo_account.into(),
            code_prefix,
        }
    }

    /// Accounts (the app), lifetimes, faults and counters.
    pub fn state(&self) -> &VendorState {
        &self.state
    }

    /// Codes, refresh tokens and correlation ids.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// A fresh single-use code for the demo account, as the vendor's consent redirect carries
    /// it (for the vendors that exchange codes).
    pub fn issue_code(&self) -> String {
        self.ledger.issue_code(&self.demo_account, self.code_prefix)
    }
}

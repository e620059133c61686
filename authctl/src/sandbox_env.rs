//! The variables that point authctl at a running sandbox, with its demo accounts.

use vendors::sandbox::{Sandbox, Vendor, icekredit, igv, iop, wahool, yz365};

/// `NAME=value` pairs for every variable authctl reads, plus the IOP consent pages.
pub fn variables(sandbox: &Sandbox) -> Vec<(String, String)> {
    let pairs: [(&str, String); 19] = [
        ("IGV_BASE_URL", sandbox.base_url(Vendor::Igv)),
        ("IGV_EMAIL", igv::DEMO_EMAIL.into()),
        ("IGV_PASSWORD", igv::DEMO_PASSWORD.into()),
        ("WAHOOL_BASE_URL", sandbox.base_url(Vendor::Wahool)),
        ("WAHOOL_ACCESS_KEY", wahool::DEMO_ACCESS_KEY.into()),
        ("WAHOOL_SECRET_KEY", wahool::DEMO_SECRET_KEY.into()),
        ("LAZADA_BASE_URL", sandbox.base_url(Vendor::Lazada)),
        ("ALIEXPRESS_BASE_URL", sandbox.base_url(Vendor::AliExpress)),
        ("ALIEXPRESS_API_URL", sandbox.api_url(Vendor::AliExpress)),
        ("IOP_APP_KEY", iop::DEMO_APP_KEY.into()),
        ("IOP_APP_SECRET", iop::DEMO_APP_SECRET.into()),
        (
            "LAZADA_AUTHORIZE_URL",
            sandbox.authorize_url(Vendor::Lazada).unwrap_or_default(),
        ),
        (
            "ALIEXPRESS_AUTHORIZE_URL",
            sandbox
                .authorize_url(Vendor::AliExpress)
                .unwrap_or_default(),
        ),
        ("ICEKREDIT_BASE_URL", sandbox.base_url(Vendor::IceKredit)),
        ("ICEKREDIT_SERVICE_URL", sandbox.icekredit_service_url()),
        ("ICEKREDIT_MERCHANT_NAME", icekredit::DEMO_MERCHANT.into()),
        ("ICEKREDIT_PASSWORD", icekredit::DEMO_PASSWORD.into()),
        ("YZ365_BASE_URL", sandbox.base_url(Vendor::Yz365)),
        ("YZ365_USERNAME", yz365::DEMO_USERNAME.into()),
    ];
    let mut all: Vec<(String, String)> =
        pairs.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
    all.push(("YZ365_PASSWORD".into(), yz365::DEMO_PASSWORD.into()));
    all.push(("YZ365_TENANT_ID".into(), yz365::DEMO_TENANT_ID.into()));
    all
}

//! The variables that point authctl at a running sandbox, with its demo accounts.

use vendors::sandbox::{
    Sandbox, Vendor, amazon, ebay, icekredit, igv, iop, mercadolibre, shopee, tiktok, wahool,
    walmart, yz365,
};

/// `NAME=value` pairs for every variable authctl reads, plus the IOP consent pages. Codes are
/// single use: [`fresh_codes`] adds them.
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
    let marketplaces: [(&str, String); 22] = [
        ("AMAZON_BASE_URL", sandbox.base_url(Vendor::Amazon)),
        ("AMAZON_API_URL", sandbox.api_url(Vendor::Amazon)),
        ("AMAZON_CLIENT_ID", amazon::DEMO_CLIENT_ID.into()),
        ("AMAZON_CLIENT_SECRET", amazon::DEMO_CLIENT_SECRET.into()),
        ("AMAZON_REFRESH_TOKEN", amazon::DEMO_REFRESH_TOKEN.into()),
        ("EBAY_BASE_URL", sandbox.base_url(Vendor::Ebay)),
        ("EBAY_CLIENT_ID", ebay::DEMO_CLIENT_ID.into()),
        ("EBAY_CLIENT_SECRET", ebay::DEMO_CLIENT_SECRET.into()),
        ("EBAY_REFRESH_TOKEN", ebay::DEMO_REFRESH_TOKEN.into()),
        ("WALMART_BASE_URL", sandbox.base_url(Vendor::Walmart)),
        ("WALMART_CLIENT_ID", walmart::DEMO_CLIENT_ID.into()),
        ("WALMART_CLIENT_SECRET", walmart::DEMO_CLIENT_SECRET.into()),
        ("TIKTOK_BASE_URL", sandbox.base_url(Vendor::Tiktok)),
        ("TIKTOK_API_URL", sandbox.api_url(Vendor::Tiktok)),
        ("TIKTOK_APP_KEY", tiktok::DEMO_APP_KEY.into()),
        ("TIKTOK_APP_SECRET", tiktok::DEMO_APP_SECRET.into()),
        ("SHOPEE_BASE_URL", sandbox.base_url(Vendor::Shopee)),
        ("SHOPEE_PARTNER_ID", shopee::DEMO_PARTNER_ID.to_string()),
        ("SHOPEE_PARTNER_KEY", shopee::DEMO_PARTNER_KEY.into()),
        ("SHOPEE_SHOP_ID", shopee::DEMO_SHOP_ID.to_string()),
        (
            "MERCADOLIBRE_BASE_URL",
            sandbox.base_url(Vendor::MercadoLibre),
        ),
        (
            "MERCADOLIBRE_CLIENT_ID",
            mercadolibre::DEMO_CLIENT_ID.into(),
        ),
    ];
    all.extend(marketplaces.into_iter().map(|(n, v)| (n.to_owned(), v)));
    all.push((
        "MERCADOLIBRE_CLIENT_SECRET".into(),
        mercadolibre::DEMO_CLIENT_SECRET.into(),
    ));
    all.push((
        "MERCADOLIBRE_REDIRECT_URI".into(),
        mercadolibre::DEMO_REDIRECT_URI.into(),
    ));
    // The sellers the codes below are approved by: with a code and an account, a run onboards
    // the seller only while the store holds no usable refresh token for it, so the variables
    // keep working after the codes are spent.
    let sellers = [
        ("LAZADA_ACCOUNT", iop::DEMO_SELLER_ID.to_owned()),
        ("ALIEXPRESS_ACCOUNT", iop::DEMO_SELLER_ID.to_owned()),
        ("TIKTOK_ACCOUNT", tiktok::DEMO_SELLER.to_owned()),
        (
            "MERCADOLIBRE_ACCOUNT",
            mercadolibre::DEMO_USER_ID.to_string(),
        ),
        ("AMAZON_REDIRECT_URI", amazon::DEMO_REDIRECT_URI.to_owned()),
        ("EBAY_RU_NAME", ebay::DEMO_RU_NAME.to_owned()),
    ];
    all.extend(sellers.into_iter().map(|(n, v)| (n.to_owned(), v)));
    all
}

/// A fresh single-use code for every code-exchange vendor, as each consent page would give.
pub fn fresh_codes(sandbox: &Sandbox) -> Vec<(String, String)> {
    vec![
        (
            "IOP_CODE".into(),
            sandbox.lazada().issue_code(iop::DEMO_APP_KEY),
        ),
        (
            "ALIEXPRESS_CODE".into(),
            sandbox.aliexpress().issue_code(iop::DEMO_APP_KEY),
        ),
        ("TIKTOK_AUTH_CODE".into(), sandbox.tiktok().issue_code()),
        ("SHOPEE_CODE".into(), sandbox.shopee().issue_code()),
        (
            "MERCADOLIBRE_CODE".into(),
            sandbox.mercadolibre().issue_code(),
        ),
    ]
}

/// `export NAME='value'` lines a POSIX shell can source (`eval "$(authctl sandbox)"`), one a
/// variable: every value single-quoted, so that `|`, `$`, spaces and quotes stay part of it.
pub fn export_lines(variables: &[(String, String)]) -> String {
    variables
        .iter()
        .map(|(name, value)| format!("export {name}={}\n", shell_quoted(value)))
        .collect()
}

/// `value` as one POSIX shell word: in single quotes, where nothing is special but the quote
/// itself, which is written as `'\''` (close, an escaped quote, reopen).
pub fn shell_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_reads_every_value_back_unchanged() {
        let values = [
            "Atzr|IwEBI-sandbox",
            "it's",
            "two  spaces and a tab\t",
            "$HOME `id` $(id) \\ \"",
            "''",
            "",
            "ünïcode ✓",
            "a\nnewline",
        ];
        let variables: Vec<(String, String)> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("V{i}"), (*v).to_owned()))
            .collect();
        let names: Vec<String> = variables.iter().map(|(n, _)| format!("\"${n}\"")).collect();
        // Each value, then a NUL: the shell's view, with nothing of ours in between.
        let script = format!(
            "{}printf '%s\\0' {}",
            export_lines(&variables),
            names.join(" ")
        );
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let read: Vec<&str> = std::str::from_utf8(&out.stdout)
            .unwrap()
            .split_terminator('\0')
            .collect();
        assert_eq!(read, values);
    }
}

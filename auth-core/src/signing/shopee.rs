//! Shopee Open Platform v2: lower-case hex HMAC-SHA256, keyed by the partner key, over
//! `partner_id + path + timestamp`, with `access_token` and `shop_id` (or `merchant_id`)
//! appended on calls made with a token. The body is not signed.

use std::borrow::Cow;

use super::{Signer, Signing, WireParams, hmac_sha256_hex, unix_seconds};

/// Adds `timestamp` (Unix seconds) when absent, then `sign`, to the parameters (which go in the
/// query: Shopee's bodies are JSON).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use auth_core::signing::{ShopeeSha256, Signer, Signing};
///
/// let mut params = vec![("partner_id".into(), "2001887".into())];
/// let now = UNIX_EPOCH + Duration::from_secs(1_655_714_431);
/// ShopeeSha256.sign(&Signing::new("/api/v2/auth/token/get", "test_partner_key", now), &mut params);
/// assert_eq!(params[1], ("timestamp".into(), "1655714431".into()));
/// assert_eq!(params[2].1, "4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ShopeeSha256;

impl Signer for ShopeeSha256 {
    fn sign<'a>(&self, request: &Signing<'_>, params: &mut WireParams<'a>) {
        params.retain(|(name, _)| name != "sign");
        if !params.iter().any(|(name, _)| name == "timestamp") {
            params.push((
                Cow::Borrowed("timestamp"),
                Cow::Owned(unix_seconds(request.now())),
            ));
        }
        let find = |wanted: &str| {
            params
                .iter()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.as_ref())
        };
        let account = find("shop_id").or_else(|| find("merchant_id"));
        let sign = signature(
            request.key(),
            find("partner_id").unwrap_or_default(),
            request.api_path(),
            find("timestamp").unwrap_or_default(),
            find("access_token").map(|token| (token, account.unwrap_or_default())),
        );
        params.push((Cow::Borrowed("sign"), Cow::Owned(sign)));
    }

    fn owned_parameters(&self) -> &'static [&'static str] {
        &["sign"]
    }
}

/// Shopee's signature: public calls sign `partner_id + path + timestamp`; calls with a token
/// append `access_token + shop_id` (or the merchant id).
///
/// ```
/// let sign = auth_core::signing::shopee::signature(
///     "test_partner_key",
///     "2001887",
///     "/api/v2/shop/get_shop_info",
///     "1655714431",
///     Some(("59777174636562737266615546704c6d", "14701711")),
/// );
/// assert_eq!(sign, "9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3");
/// ```
pub fn signature(
    partner_key: &str,
    partner_id: &str,
    api_path: &str,
    timestamp: &str,
    token_and_account: Option<(&str, &str)>,
) -> String {
    let (token, account) = token_and_account.unwrap_or_default();
    hmac_sha256_hex(
        partner_key,
        [
            partner_id.as_bytes(),
            api_path.as_bytes(),
            timestamp.as_bytes(),
            token.as_bytes(),
            account.as_bytes(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MARKETPLACES.md §3: computed with Python's `hmac` from Shopee's documented base strings.
    #[test]
    fn the_vectors_computed_outside_rust() {
        let key = "test_partner_key";
        let ts = "1655714431";
        assert_eq!(
            signature(
                key,
                "2001887",
                "/api/v2/public/get_shops_by_partner",
                ts,
                None
            ),
            "bfd95b21eda3ed2c80e9373e8c0ce80bdc39b2dc02e4c6dc19e1413c75f8ab09"
        );
        assert_eq!(
            signature(
                key,
                "2001887",
                "/api/v2/global_product/get_category",
                ts,
                Some(("09777174636962737266615546704c6d", "1000000"))
            ),
            "acd5a420a62ce9d730d869464ecd8e0cc66698e31175baf1b755007c90d0bd35"
        );
    }

    #[test]
    fn the_signer_signs_the_token_and_shop_it_sends() {
        let mut params: WireParams<'_> = vec![
            ("partner_id".into(), "2001887".into()),
            ("timestamp".into(), "1655714431".into()),
            (
                "access_token".into(),
                "59777174636562737266615546704c6d".into(),
            ),
            ("shop_id".into(), "14701711".into()),
            ("sign".into(), "stale".into()),
        ];
        let request = Signing::new(
            "/api/v2/shop/get_shop_info",
            "test_partner_key",
            std::time::UNIX_EPOCH,
        );
        ShopeeSha256.sign(&request, &mut params);
        let signs: Vec<&str> = params
            .iter()
            .filter(|(n, _)| n == "sign")
            .map(|(_, v)| v.as_ref())
            .collect();
        assert_eq!(
            signs,
            ["9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3"]
        );
    }
}

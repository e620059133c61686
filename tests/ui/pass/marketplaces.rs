//! The grammar covers the big marketplaces' logins, each as its documents describe it.
include!("../marketplaces.rs");

use auth_core::LoginEndpoint;
use auth_core::spec::{Lifetime, SendAs};

fn main() {
    assert_eq!(AmazonLogin::SPEC.token_placement(), SendAs::Header("x-amz-access-token"));
    assert_eq!(EbayApplication::SPEC.path(), "/identity/v1/oauth2/token");
    assert_eq!(WalmartLogin::SPEC.token_placement(), SendAs::Header("WM_SEC.ACCESS_TOKEN"));
    assert!(matches!(TiktokLogin::SPEC.lifetime(), Lifetime::UnixSeconds(_)));
    assert_eq!(TiktokLogin::REFRESH.map(|r| r.path()), Some("/api/v2/token/refresh"));
    assert_eq!(ShopeeLogin::REFRESH.map(|r| r.path()), Some("/api/v2/auth/access_token/get"));
    assert!(MercadoLibreLogin::REFRESH.is_some());
    assert!(EtsyLogin::REFRESH.is_none());
    let _ = (AmazonGrantless::SPEC, EtsyLogin::SPEC, MercadoLibreRefresh::SPEC);
}

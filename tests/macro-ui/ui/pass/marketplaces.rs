//! The grammar covers the big marketplaces' logins, each as its documents describe it: the
//! ready vendor modules themselves, compiled here as a user's crate would write them, and Etsy.
#[path = "../../../../vendors/src/amazon.rs"]
mod amazon;
#[path = "../../../../vendors/src/ebay.rs"]
mod ebay;
#[path = "../../../../vendors/src/mercadolibre.rs"]
mod mercadolibre;
#[path = "../../../../vendors/src/shopee.rs"]
mod shopee;
#[path = "../../../../vendors/src/tiktok.rs"]
mod tiktok;
#[path = "../../../../vendors/src/walmart.rs"]
mod walmart;

include!("../etsy.rs");

use auth_core::LoginEndpoint;
use auth_core::spec::{Lifetime, SendAs};

fn main() {
    assert_eq!(amazon::AmazonLogin::SPEC.token_placement(), SendAs::Header("x-amz-access-token"));
    assert_eq!(ebay::EbayApplication::SPEC.path(), "/identity/v1/oauth2/token");
    assert_eq!(walmart::WalmartLogin::SPEC.token_placement(), SendAs::Header("WM_SEC.ACCESS_TOKEN"));
    assert!(matches!(tiktok::TiktokLogin::SPEC.lifetime(), Lifetime::UnixSeconds(_)));
    assert_eq!(tiktok::TiktokLogin::REFRESH.map(|r| r.path()), Some("/api/v2/token/refresh"));
    assert_eq!(shopee::ShopeeLogin::REFRESH.map(|r| r.path()), Some("/api/v2/auth/access_token/get"));
    assert!(mercadolibre::MercadoLibreLogin::REFRESH.is_some());
    assert!(EtsyLogin::REFRESH.is_none());
    let _ = (amazon::AmazonGrantless::SPEC, ebay::EbayUser::SPEC, EtsyLogin::SPEC);
}

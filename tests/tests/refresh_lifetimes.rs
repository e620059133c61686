//! Each code-exchange vendor's refresh-token lifetime, read from the vendor's own sample answer
//! (`tests/fixtures/refresh-lifetimes`, sources in its README) through the ready declaration:
//! a witness of the declaration that does not come from our sandbox.
//!
//! The expiry is compared with the access token's, which counts from the same instant (when
//! the exchange was sent): the difference is exact, whatever the clock says.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::spec::RefreshLifetime;
use auth_core::{LoginEndpoint, Secret, Session, Token};
use axum::Router;
use axum::routing::any;
use vendors::iop::IopApp;

/// Serves `body` as JSON at `path`; returns the base URL.
async fn serve(path: &'static str, body: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new().route(
        path,
        any(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// The token `login` obtains from a server answering `sample`.
async fn exchange<E: LoginEndpoint>(login: E, sample: &str) -> Arc<Token> {
    let base = serve(E::SPEC.path(), sample.to_owned()).await;
    let session = Session::builder(login).base_url(base).build().unwrap();
    let token = session.token().await.unwrap();
    assert!(
        token.refresh_token().is_some(),
        "the sample has a refresh token"
    );
    token
}

/// How much longer the refresh token lives than the access token.
fn beyond_access(token: &Token) -> Option<Duration> {
    let refresh = token.refresh_expires_at()?;
    Some(refresh.duration_since(token.expires_at()).unwrap())
}

const S: fn(u64) -> Duration = Duration::from_secs;

fn iop_app() -> IopApp {
    IopApp {
        app_key: "123456".into(),
        app_secret: Secret::from("helloworld"),
    }
}

#[tokio::test]
async fn aliexpress_sample_refresh_expires_in_is_seconds_sent_as_a_string() {
    use vendors::aliexpress::AliExpressTokenCreate;
    let sample = include_str!("../fixtures/refresh-lifetimes/aliexpress.json");
    let login = AliExpressTokenCreate::new(&iop_app(), Secret::from("0_code"));
    let token = exchange(login, sample).await;
    // "refresh_expires_in": "60", "expires_in": "10".
    assert_eq!(token.lifetime(), S(10));
    assert_eq!(beyond_access(&token), Some(S(50)));
}

#[tokio::test]
async fn lazada_sample_refresh_expires_in_is_seconds_sent_as_a_number() {
    use vendors::lazada::LazadaTokenCreate;
    let sample = include_str!("../fixtures/refresh-lifetimes/lazada.json");
    let login = LazadaTokenCreate::new(&iop_app(), Secret::from("0_code"));
    let token = exchange(login, sample).await;
    assert_eq!(beyond_access(&token), Some(S(2_592_000 - 604_800)));
}

#[tokio::test]
async fn tiktok_sample_refresh_token_expire_in_is_an_absolute_unix_time() {
    use vendors::tiktok::TiktokLogin;
    let sample = include_str!("../fixtures/refresh-lifetimes/tiktok.json");
    // The sample's access expiry is in 2022 and would be refused: only it is moved.
    let week_out = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 7 * 86_400;
    let sample = sample.replace("1660556783", &week_out.to_string());
    let login = TiktokLogin::new("29a39d", Secret::from("secret"), Secret::from("code"));
    let token = exchange(login, &sample).await;
    // An absolute time. This sample's is already past, which a refresh token just issued
    // cannot be: read as unknown (a duration sent where a time is declared would read so), so
    // the refresh is tried rather than the seller given up.
    assert_eq!(token.refresh_expires_at(), None);
    let sample = sample.replace("1691487031", &(week_out + 86_400 * 365).to_string());
    let login = TiktokLogin::new("29a39d", Secret::from("secret"), Secret::from("code"));
    let token = exchange(login, &sample).await;
    assert_eq!(
        token.refresh_expires_at(),
        Some(UNIX_EPOCH + S(week_out + 86_400 * 365))
    );
    // The seller the token acts for is the sample's `data.open_id` (a seller directory's id).
    assert_eq!(token.account(), Some("…"));
}

#[tokio::test]
async fn shopee_sample_has_no_field_and_its_refresh_token_lives_the_documented_30_days() {
    use vendors::shopee::ShopeeLogin;
    let sample = include_str!("../fixtures/refresh-lifetimes/shopee.json");
    let login = ShopeeLogin {
        partner_id: 2001887,
        partner_key: Secret::from("test_partner_key"),
        code: Secret::from("6a4b6f6c4e"),
        shop_id: 14701711,
    };
    let token = exchange(login, sample).await;
    assert_eq!(token.lifetime(), S(13_859));
    assert_eq!(beyond_access(&token), Some(S(30 * 86_400 - 13_859)));
}

#[tokio::test]
async fn ebay_user_sample_refresh_token_expires_in_is_seconds() {
    use vendors::ebay::EbayCodeExchange;
    let sample = include_str!("../fixtures/refresh-lifetimes/ebay.json");
    let login = EbayCodeExchange {
        client_id: "id".into(),
        client_secret: Secret::from("secret"),
        code: Secret::from("code"),
        redirect_uri: "RuName".into(),
    };
    let token = exchange(login, sample).await;
    // 18 months, from the answer.
    assert_eq!(beyond_access(&token), Some(S(47_304_000 - 7_200)));
}

#[tokio::test]
async fn mercadolibre_and_amazon_samples_state_no_expiry_and_none_is_made_up() {
    use vendors::amazon::AmazonCodeExchange;
    use vendors::mercadolibre::MercadoLibreLogin;
    let sample = include_str!("../fixtures/refresh-lifetimes/mercadolibre.json");
    let login = MercadoLibreLogin {
        client_id: "7616159722006050".into(),
        client_secret: Secret::from("secret"),
        code: Secret::from("TG-code"),
        redirect_uri: "https://app.example/cb".into(),
    };
    let token = exchange(login, sample).await;
    assert_eq!(token.refresh_expires_at(), None);
    assert_eq!(
        MercadoLibreLogin::SPEC.declared_refresh_lifetime(),
        Some(RefreshLifetime::Never)
    );

    let sample = include_str!("../fixtures/refresh-lifetimes/amazon.json");
    let login = AmazonCodeExchange {
        code: Secret::from("code"),
        redirect_uri: "https://app.example/cb".into(),
        client_id: "amzn1.application-oa2-client.x".into(),
        client_secret: Secret::from("secret"),
    };
    let token = exchange(login, sample).await;
    assert_eq!(token.refresh_expires_at(), None);
    assert_eq!(
        AmazonCodeExchange::SPEC.declared_refresh_lifetime(),
        Some(RefreshLifetime::Never)
    );
}

/// Every code exchange and every refresh grant declares how long its refresh tokens live.
#[test]
fn every_code_exchange_and_its_refresh_grant_declare_a_refresh_lifetime() {
    use vendors::{aliexpress, amazon, ebay, lazada, mercadolibre, shopee, tiktok};
    let declared = [
        lazada::LazadaTokenCreate::SPEC,
        lazada::LazadaTokenRefresh::SPEC,
        aliexpress::AliExpressTokenCreate::SPEC,
        aliexpress::AliExpressTokenRefresh::SPEC,
        tiktok::TiktokLogin::SPEC,
        tiktok::TiktokRefresh::SPEC,
        shopee::ShopeeLogin::SPEC,
        shopee::ShopeeRefresh::SPEC,
        mercadolibre::MercadoLibreLogin::SPEC,
        mercadolibre::MercadoLibreRefresh::SPEC,
        ebay::EbayCodeExchange::SPEC,
        amazon::AmazonCodeExchange::SPEC,
    ];
    for spec in declared {
        assert!(
            spec.declared_refresh_lifetime().is_some(),
            "{} {}",
            spec.vendor(),
            spec.path()
        );
    }
    // eBay's refresh answer carries no refresh token, so no lifetime of one.
    assert_eq!(ebay::EbayUser::SPEC.declared_refresh_lifetime(), None);
}

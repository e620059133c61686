//! The sandbox's code-exchange vendors send their refresh tokens' lifetimes as the vendors do,
//! with the lifetime a test sets, and refuse an expired refresh token with the vendor's own
//! error; the declarations read what they send.
//!
//! Expiries are compared with the access token's, which counts from the same instant (when the
//! exchange was sent), or bounded by clock readings taken around the exchange: no margin
//! depends on the machine's speed. An expired refresh token is one issued with a zero lifetime.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use auth_core::{Error, LoginEndpoint, RetryPolicy, Secret, Session, Token};
use vendors::iop::IopApp;
use vendors::sandbox::{Sandbox, Vendor, amazon, ebay, iop, mercadolibre, shopee, tiktok};

const S: fn(u64) -> Duration = Duration::from_secs;
const HOUR: Duration = Duration::from_secs(3600);

async fn token<E: LoginEndpoint>(sandbox: &Sandbox, vendor: Vendor, login: E) -> Arc<Token> {
    Session::builder(login)
        .base_url(sandbox.base_url(vendor))
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_or_else(|e| panic!("{vendor:?}: {e}"))
}

/// What the vendor answers a request of `login` (a refresh grant, sent on its own).
async fn refused_with<E: LoginEndpoint>(sandbox: &Sandbox, vendor: Vendor, login: E) -> String {
    let session = Session::builder(login)
        .base_url(sandbox.base_url(vendor))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    match session.token().await {
        Err(Error::Rejected { said, .. }) => said.code.unwrap_or_default(),
        other => panic!("{vendor:?}: expected a rejection, got {other:?}"),
    }
}

/// When the exchange behind `token` was sent.
fn sent_at(token: &Token) -> SystemTime {
    token.expires_at() - token.lifetime()
}

fn refresh_token(token: &Token) -> Secret {
    token.refresh_token().cloned().unwrap()
}

fn iop_app() -> IopApp {
    IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    }
}

#[tokio::test]
async fn iop_sends_refresh_expires_in_and_refuses_an_expired_refresh_token() {
    use vendors::aliexpress::{AliExpressTokenCreate, AliExpressTokenRefresh};
    use vendors::lazada::{LazadaTokenCreate, LazadaTokenRefresh};
    let sandbox = Sandbox::start().await.unwrap();
    let app = iop_app();
    for vendor in [Vendor::Lazada, Vendor::AliExpress] {
        let sim = match vendor {
            Vendor::Lazada => sandbox.lazada(),
            _ => sandbox.aliexpress(),
        };
        let (sandbox, app) = (&sandbox, &app);
        let exchange = move |code: String| async move {
            let code = Secret::from(code);
            match vendor {
                Vendor::Lazada => token(sandbox, vendor, LazadaTokenCreate::new(app, code)).await,
                _ => token(sandbox, vendor, AliExpressTokenCreate::new(app, code)).await,
            }
        };
        let refresh = move |refresh_token: Secret| async move {
            match vendor {
                Vendor::Lazada => {
                    let grant = LazadaTokenRefresh::new(app, refresh_token);
                    refused_with(sandbox, vendor, grant).await
                }
                _ => {
                    let grant = AliExpressTokenRefresh::new(app, refresh_token);
                    refused_with(sandbox, vendor, grant).await
                }
            }
        };

        sim.set_refresh_lifetime(Some(3 * HOUR));
        let live = exchange(sim.issue_code(iop::DEMO_APP_KEY)).await;
        assert_eq!(
            live.refresh_expires_at(),
            Some(sent_at(&live) + 3 * HOUR),
            "{vendor:?}"
        );

        // `refresh_expires_in` of 0: the platform says the refresh token cannot be used.
        sim.set_refresh_lifetime(Some(Duration::ZERO));
        let spent = exchange(sim.issue_code(iop::DEMO_APP_KEY)).await;
        assert_eq!(
            spent.refresh_expires_at(),
            Some(sent_at(&spent)),
            "{vendor:?}"
        );
        assert_eq!(
            refresh(refresh_token(&spent)).await,
            "IllegalRefreshToken",
            "{vendor:?}"
        );
        assert!(sim.refresh_token_is_live(refresh_token(&live).expose()));
    }
}

#[tokio::test]
async fn tiktok_sends_an_absolute_expiry_and_refuses_an_expired_refresh_token() {
    use vendors::tiktok::{TiktokLogin, TiktokRefresh};
    let sandbox = Sandbox::start().await.unwrap();
    let login = || {
        TiktokLogin::new(
            tiktok::DEMO_APP_KEY,
            Secret::from(tiktok::DEMO_APP_SECRET),
            Secret::from(sandbox.tiktok().issue_code()),
        )
    };
    sandbox
        .tiktok()
        .ledger()
        .set_refresh_lifetime(Some(3 * HOUR));
    let before = SystemTime::now();
    let live = token(&sandbox, Vendor::Tiktok, login()).await;
    let after = SystemTime::now();
    // Unix seconds: the server's reading of the clock, cut to the second, plus the lifetime.
    let whole = |t: SystemTime| UNIX_EPOCH + S(t.duration_since(UNIX_EPOCH).unwrap().as_secs());
    let expiry = live.refresh_expires_at().unwrap();
    assert!(
        whole(before) + 3 * HOUR <= expiry && expiry <= after + 3 * HOUR,
        "{expiry:?}"
    );

    sandbox
        .tiktok()
        .ledger()
        .set_refresh_lifetime(Some(Duration::ZERO));
    let spent = token(&sandbox, Vendor::Tiktok, login()).await;
    let grant = TiktokRefresh {
        app_key: tiktok::DEMO_APP_KEY.into(),
        app_secret: Secret::from(tiktok::DEMO_APP_SECRET),
        refresh_token: refresh_token(&spent),
    };
    assert_eq!(
        refused_with(&sandbox, Vendor::Tiktok, grant).await,
        "36004001"
    );
}

#[tokio::test]
async fn shopee_refuses_a_refresh_token_past_its_30_days_with_refresh_token_expired() {
    use vendors::shopee::{ShopeeLogin, ShopeeRefresh};
    let sandbox = Sandbox::start().await.unwrap();
    let login = || ShopeeLogin {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(shopee::DEMO_PARTNER_KEY),
        code: Secret::from(sandbox.shopee().issue_code()),
        shop_id: shopee::DEMO_SHOP_ID,
    };
    // Shopee sends no lifetime: the declaration's 30 days count from the exchange.
    let live = token(&sandbox, Vendor::Shopee, login()).await;
    assert_eq!(
        live.refresh_expires_at(),
        Some(sent_at(&live) + S(30 * 86_400))
    );
    let grant = |refresh_token| ShopeeRefresh {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(shopee::DEMO_PARTNER_KEY),
        refresh_token,
        shop_id: shopee::DEMO_SHOP_ID,
    };
    sandbox
        .shopee()
        .ledger()
        .set_refresh_lifetime(Some(Duration::ZERO));
    let spent = token(&sandbox, Vendor::Shopee, login()).await;
    assert_eq!(
        refused_with(&sandbox, Vendor::Shopee, grant(refresh_token(&spent))).await,
        "refresh_token_expired"
    );
    // One that is merely unknown is told apart.
    assert_eq!(
        refused_with(&sandbox, Vendor::Shopee, grant(Secret::from("nope"))).await,
        "error_shop_refresh_token"
    );
}

#[tokio::test]
async fn ebay_sends_refresh_token_expires_in_and_refuses_an_expired_refresh_token() {
    use vendors::ebay::{EbayCodeExchange, EbayUser};
    let sandbox = Sandbox::start().await.unwrap();
    let login = || EbayCodeExchange {
        client_id: ebay::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(ebay::DEMO_CLIENT_SECRET),
        code: Secret::from(sandbox.ebay().issue_code()),
        redirect_uri: ebay::DEMO_RU_NAME.into(),
    };
    // The documented 18 months by default.
    let live = token(&sandbox, Vendor::Ebay, login()).await;
    assert_eq!(
        live.refresh_expires_at(),
        Some(sent_at(&live) + S(47_304_000))
    );
    sandbox
        .ebay()
        .ledger()
        .set_refresh_lifetime(Some(Duration::ZERO));
    let spent = token(&sandbox, Vendor::Ebay, login()).await;
    assert_eq!(spent.refresh_expires_at(), Some(sent_at(&spent)));
    let user = |refresh_token| EbayUser {
        client_id: ebay::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(ebay::DEMO_CLIENT_SECRET),
        refresh_token,
    };
    assert_eq!(
        refused_with(&sandbox, Vendor::Ebay, user(refresh_token(&spent))).await,
        "invalid_grant"
    );
    // Not rotated: the live one still works, and the answer carries no refresh token.
    let renewed = token(&sandbox, Vendor::Ebay, user(refresh_token(&live))).await;
    assert!(renewed.refresh_token().is_none());
}

#[tokio::test]
async fn mercadolibre_and_amazon_state_no_expiry_but_refuse_one_set_on_the_sandbox() {
    use vendors::amazon::{AmazonCodeExchange, AmazonLogin};
    use vendors::mercadolibre::{MercadoLibreLogin, MercadoLibreRefresh};
    let sandbox = Sandbox::start().await.unwrap();
    let ml = || MercadoLibreLogin {
        client_id: mercadolibre::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(mercadolibre::DEMO_CLIENT_SECRET),
        code: Secret::from(sandbox.mercadolibre().issue_code()),
        redirect_uri: mercadolibre::DEMO_REDIRECT_URI.into(),
    };
    let amz = || AmazonCodeExchange {
        code: Secret::from(sandbox.amazon().issue_code()),
        redirect_uri: amazon::DEMO_REDIRECT_URI.into(),
        client_id: amazon::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(amazon::DEMO_CLIENT_SECRET),
    };
    assert_eq!(sandbox.mercadolibre().ledger().refresh_lifetime(), None);
    assert_eq!(sandbox.amazon().ledger().refresh_lifetime(), None);
    let ml_live = token(&sandbox, Vendor::MercadoLibre, ml()).await;
    let amz_live = token(&sandbox, Vendor::Amazon, amz()).await;
    assert_eq!(ml_live.refresh_expires_at(), None);
    assert_eq!(amz_live.refresh_expires_at(), None);

    for sim in [sandbox.mercadolibre(), sandbox.amazon()] {
        sim.ledger().set_refresh_lifetime(Some(Duration::ZERO));
    }
    let ml_spent = token(&sandbox, Vendor::MercadoLibre, ml()).await;
    let grant = MercadoLibreRefresh {
        client_id: mercadolibre::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(mercadolibre::DEMO_CLIENT_SECRET),
        refresh_token: refresh_token(&ml_spent),
    };
    assert_eq!(
        refused_with(&sandbox, Vendor::MercadoLibre, grant).await,
        "invalid_grant"
    );
    let amz_spent = token(&sandbox, Vendor::Amazon, amz()).await;
    let login = AmazonLogin::new(
        amazon::DEMO_CLIENT_ID,
        Secret::from(amazon::DEMO_CLIENT_SECRET),
        refresh_token(&amz_spent),
    );
    assert_eq!(
        refused_with(&sandbox, Vendor::Amazon, login).await,
        "invalid_grant"
    );
    // Issued before the change: still good.
    let login = AmazonLogin::new(
        amazon::DEMO_CLIENT_ID,
        Secret::from(amazon::DEMO_CLIENT_SECRET),
        refresh_token(&amz_live),
    );
    token(&sandbox, Vendor::Amazon, login).await;
}

/// eBay's refresh answer carries no refresh token: the session keeps the one it has and its
/// expiry, and stores both; a session of another process adopts the entry with its expiry.
#[tokio::test]
async fn a_kept_refresh_token_keeps_its_expiry_in_the_store_and_through_adoption() {
    use auth_core::store::{MemoryStore, TokenStore};
    use vendors::ebay::EbayCodeExchange;
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let session = |code: String| {
        Session::builder(EbayCodeExchange {
            client_id: ebay::DEMO_CLIENT_ID.into(),
            client_secret: Secret::from(ebay::DEMO_CLIENT_SECRET),
            code: Secret::from(code),
            redirect_uri: ebay::DEMO_RU_NAME.into(),
        })
        .base_url(sandbox.base_url(Vendor::Ebay))
        .retry(RetryPolicy::never())
        .store(Arc::clone(&store))
        .build()
        .unwrap()
    };
    let code = sandbox.ebay().issue_code();
    let first = session(code.clone());
    let exchanged = first.token().await.unwrap();
    let dies = exchanged.refresh_expires_at().unwrap();
    assert_eq!(dies, sent_at(&exchanged) + S(47_304_000));

    // Renewed through the refresh grant: a new access token, no refresh token in the answer.
    let renewed = first.renew().await.unwrap();
    assert_eq!(sandbox.ebay().state().refresh_count(), 1);
    assert!(renewed.refresh_token().is_none());
    assert_ne!(renewed.secret().expose(), exchanged.secret().expose());
    let entries = store.list().await.unwrap();
    let stored = &entries
        .iter()
        .find(|(_, e)| e.token.expose() == renewed.secret().expose())
        .expect("the renewed token is stored")
        .1;
    assert_eq!(
        stored.refresh_token.as_ref().map(Secret::expose),
        Some(refresh_token(&exchanged).expose())
    );
    assert_eq!(
        stored.refresh_expires_at,
        Some(dies),
        "the kept one's expiry"
    );

    // Another process with the same (now spent) code adopts the stored token, with its
    // refresh expiry.
    let other = session(code);
    let adopted = other.token().await.unwrap();
    assert_eq!(adopted.secret().expose(), renewed.secret().expose());
    assert_eq!(adopted.refresh_expires_at(), Some(dies));
    assert_eq!(
        sandbox.ebay().state().login_count(),
        1,
        "no second exchange"
    );
}

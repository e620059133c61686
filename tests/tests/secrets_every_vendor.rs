//! Every vendor's flows, the six seeds and the six marketplaces (a login with a business call, a
//! renewal, a re-login after the vendor revoked the token, and every error class) with tracing at TRACE and the `log` records of the
//! HTTP stack captured, and every public type involved `Debug`-formatted: no password, secret
//! key, MD5 of either, authorization code, token or refresh token appears anywhere.

mod common;

use std::fmt::Debug;

use auth_core::store::{EncryptionKey, FileStore, MemoryStore};
use auth_core::{
    AuthorizedClient, Error, ErrorClass, LoginEndpoint, Params, RetryPolicy, Session, md5_hex,
};
use common::capture::Captured;
use common::clients::{Clients, call};
use vendors::aliexpress::AliExpressTokenCreate;
use vendors::amazon::AmazonLogin;
use vendors::ebay::EbayUser;
use vendors::icekredit::IceKreditLogin;
use vendors::igv::IgvLogin;
use vendors::lazada::LazadaTokenCreate;
use vendors::mercadolibre::MercadoLibreLogin;
use vendors::sandbox::{
    Fault, Sandbox, Vendor, amazon, ebay, icekredit, igv, iop, mercadolibre, shopee, tiktok,
    wahool, walmart, yz365,
};
use vendors::shopee::ShopeeLogin;
use vendors::tiktok::TiktokLogin;
use vendors::wahool::WahoolLogin;
use vendors::walmart::WalmartLogin;
use vendors::yz365::Yz365Login;

/// What the flows printed, and the secrets they met.
#[derive(Default)]
struct Evidence {
    printed: Vec<String>,
    secrets: Vec<String>,
}

impl Evidence {
    fn print(&mut self, what: &dyn Debug) {
        self.printed.push(format!("{what:?}\n{what:#?}"));
    }

    fn error(&mut self, err: &Error) {
        let source = std::error::Error::source(err).map(ToString::to_string);
        self.printed.push(format!("{err}\n{err:?}\n{source:?}"));
    }

    fn token_of<E: LoginEndpoint>(&mut self, session: &Session<E>) {
        let token = session.cached_token().expect("a token after a login");
        self.secrets.push(token.secret().expose().to_owned());
        if let Some(refresh) = token.refresh_token() {
            self.secrets.push(refresh.expose().to_owned());
        }
        self.print(&token);
        self.print(&token.header());
        self.print(&token.query_param().map(|(name, _)| name));
    }

    /// The authorization codes of a set of clients (IOP's and the marketplaces'): single-use,
    /// but credentials all the same.
    fn codes_of(&mut self, clients: &Clients) {
        let market = |vendor| &clients.marketplaces[&vendor];
        for code in [
            &typed::<LazadaTokenCreate>(&clients.lazada).endpoint().code,
            &typed::<AliExpressTokenCreate>(&clients.aliexpress)
                .endpoint()
                .code,
            &typed::<TiktokLogin>(market(Vendor::Tiktok))
                .endpoint()
                .auth_code,
            &typed::<ShopeeLogin>(market(Vendor::Shopee)).endpoint().code,
            &typed::<MercadoLibreLogin>(market(Vendor::MercadoLibre))
                .endpoint()
                .code,
        ] {
            self.secrets.push(code.expose().to_owned());
        }
    }
}

const FAULTS: [(Fault, ErrorClass); 6] = [
    (Fault::RejectNextLogin, ErrorClass::Rejected),
    (Fault::Unavailable, ErrorClass::Transient),
    (Fault::HtmlErrorPage(502), ErrorClass::Transient),
    (
        Fault::RateLimit {
            retry_after: Some(3600),
        },
        ErrorClass::RateLimited,
    ),
    (Fault::MalformedBody, ErrorClass::Protocol),
    (Fault::TruncatedBody, ErrorClass::Protocol),
];

/// The typed session behind a client (its endpoint's credentials, its handle).
fn typed<E: LoginEndpoint>(client: &AuthorizedClient) -> &Session<E> {
    client
        .session()
        .downcast_ref::<E>()
        .expect("the client's endpoint type")
}

/// One vendor's flows, on the client `$pick` chooses from a `Clients`, whose endpoint type is
/// `$endpoint`.
macro_rules! exercise {
    ($vendor:expr, $pick:expr, $endpoint:ty, $sandbox:expr, $evidence:expr) => {{
        let (vendor, sandbox, evidence): (Vendor, &Sandbox, &mut Evidence) =
            ($vendor, $sandbox, $evidence);
        let state = sandbox.vendor(vendor);
        let pick: fn(&Clients) -> &AuthorizedClient = $pick;
        let clients = Clients::new(sandbox);
        evidence.codes_of(&clients);
        let session = typed::<$endpoint>(pick(&clients));

        assert!(call(vendor, sandbox, &clients).await, "{vendor:?}: a call");
        evidence.token_of(session);
        session.renew().await.unwrap();
        evidence.token_of(session);
        state.revoke_all();
        assert!(
            call(vendor, sandbox, &clients).await,
            "{vendor:?}: a re-login"
        );
        evidence.token_of(session);

        evidence.print(session.endpoint());
        evidence.print(pick(&clients));
        evidence.print(session);
        evidence.print(&session.handle());
        evidence.print(&session.stats());
        evidence.print(session.login_url());
        evidence.print(&Session::builder(session.endpoint().clone()));
        evidence.print(&pick(&clients).get("/x").query(&[("a", "b")]));
        let mut params = Params::new();
        session.endpoint().params(&mut params);
        evidence.print(&params);

        for (fault, class) in FAULTS {
            state.push_fault(fault.clone());
            let failing = Clients::with_retry(sandbox, RetryPolicy::never());
            evidence.codes_of(&failing);
            let err = pick(&failing).session().token().await.unwrap_err();
            assert_eq!(err.class(), class, "{vendor:?} {fault:?}: {err}");
            evidence.error(&err);
        }

        // Two failed logins in a row, then one held back.
        state.push_fault(Fault::Unavailable);
        state.push_fault(Fault::Unavailable);
        let spaced = Clients::with_retry(sandbox, RetryPolicy::never());
        evidence.codes_of(&spaced);
        for _ in 0..2 {
            pick(&spaced).session().token().await.unwrap_err();
        }
        let err = pick(&spaced).session().token().await.unwrap_err();
        assert!(matches!(err, Error::LoginSpaced { .. }), "{err:?}");
        evidence.error(&err);
    }};
}

#[tokio::test]
async fn no_vendor_flow_leaks_a_secret() {
    let captured = Captured::log_records();
    let _guard = tracing::subscriber::set_default(captured.subscriber());

    let sandbox = Sandbox::start().await.unwrap();
    let mut evidence = Evidence::default();
    exercise!(Vendor::Igv, |c| &c.igv, IgvLogin, &sandbox, &mut evidence);
    exercise!(
        Vendor::Wahool,
        |c| &c.wahool,
        WahoolLogin,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::IceKredit,
        |c| &c.icekredit,
        IceKreditLogin,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Yz365,
        |c| &c.yz365,
        Yz365Login,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Lazada,
        |c| &c.lazada,
        LazadaTokenCreate,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::AliExpress,
        |c| &c.aliexpress,
        AliExpressTokenCreate,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Amazon,
        |c| &c.marketplaces[&Vendor::Amazon],
        AmazonLogin,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Ebay,
        |c| &c.marketplaces[&Vendor::Ebay],
        EbayUser,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Walmart,
        |c| &c.marketplaces[&Vendor::Walmart],
        WalmartLogin,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Tiktok,
        |c| &c.marketplaces[&Vendor::Tiktok],
        TiktokLogin,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::Shopee,
        |c| &c.marketplaces[&Vendor::Shopee],
        ShopeeLogin,
        &sandbox,
        &mut evidence
    );
    exercise!(
        Vendor::MercadoLibre,
        |c| &c.marketplaces[&Vendor::MercadoLibre],
        MercadoLibreLogin,
        &sandbox,
        &mut evidence
    );

    // A token rejected twice (the second time right after a fresh login): the vendors whose
    // sandbox can refuse a business call on demand.
    let clients = Clients::new(&sandbox);
    for _ in 0..2 {
        sandbox.igv().push_protected_fault(Fault::RejectNextLogin);
    }
    let err = clients.igv.get(igv::WHOAMI_PATH).send().await.unwrap_err();
    assert!(matches!(err, Error::TokenRejected { .. }), "{err:?}");
    evidence.error(&err);
    evidence.token_of(typed::<IgvLogin>(&clients.igv));

    // A configuration error names the host, not the credentials.
    let err = Session::builder(typed::<Yz365Login>(&clients.yz365).endpoint().clone())
        .base_url("http://yz365.example")
        .build()
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Config);
    evidence.error(&err);

    // The remaining public types, as an application would configure them.
    let key = EncryptionKey::from_bytes([7; 32]);
    evidence.print(&key);
    evidence.print(&FileStore::new(std::env::temp_dir()).encrypted(key));
    evidence.print(&MemoryStore::new());
    evidence.print(&RetryPolicy::default());
    evidence.print(&auth_core::RenewPolicy::default());
    evidence.print(&auth_core::StoreFailure::default());

    let logs = captured.text();
    assert!(logs.contains("login"), "the tracing capture works");
    assert!(
        logs.contains("reqwest") || logs.contains("hyper"),
        "the log capture works"
    );
    let plain = [
        igv::DEMO_PASSWORD,
        icekredit::DEMO_PASSWORD,
        wahool::DEMO_SECRET_KEY,
        yz365::DEMO_PASSWORD,
        iop::DEMO_APP_SECRET,
        amazon::DEMO_CLIENT_SECRET,
        amazon::DEMO_REFRESH_TOKEN,
        ebay::DEMO_CLIENT_SECRET,
        ebay::DEMO_REFRESH_TOKEN,
        walmart::DEMO_CLIENT_SECRET,
        tiktok::DEMO_APP_SECRET,
        shopee::DEMO_PARTNER_KEY,
        mercadolibre::DEMO_CLIENT_SECRET,
    ];
    let mut forbidden: Vec<String> = plain.iter().map(|s| (*s).to_owned()).collect();
    forbidden.extend(plain.iter().map(|s| md5_hex(s)));
    forbidden.extend(evidence.secrets.iter().cloned());
    forbidden.push("07".repeat(32)); // the encryption key, in hex
    // The Basic headers of the vendors that authenticate the app that way, as sent.
    for (id, secret) in [
        (ebay::DEMO_CLIENT_ID, ebay::DEMO_CLIENT_SECRET),
        (walmart::DEMO_CLIENT_ID, walmart::DEMO_CLIENT_SECRET),
    ] {
        use base64::Engine as _;
        forbidden.push(base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")));
    }
    assert!(
        evidence.secrets.len() > 80,
        "tokens and codes were collected"
    );
    let everything = format!("{logs}\n{}", evidence.printed.join("\n"));
    for secret in &forbidden {
        assert!(secret.len() >= 6, "too short to search for: {secret:?}");
        if let Some(at) = everything.find(secret.as_str()) {
            let start = everything[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = everything[at..]
                .find('\n')
                .map_or(everything.len(), |i| at + i);
            panic!("a secret leaked in: {}", &everything[start..end]);
        }
    }
}

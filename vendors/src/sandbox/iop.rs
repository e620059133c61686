//! The IOP platform (Lazada, AliExpress) as VENDORS.md describes it: signed token calls
//! `/auth/token/create` (a code works once, for 3 minutes; `uuid` makes it invalid) and
//! `/auth/token/refresh` (the refresh token rotates: the old one stops working), signed business
//! calls carrying `access_token`, and the seller consent page that redirects with a fresh code.
//! Errors use the envelope `{type, code, message, request_id}` with HTTP 200.
//!
//! The sandbox's own choices: a timestamp more than 7200 s from the server's clock answers
//! `InvalidTimestamp`; a bad refresh token `IllegalRefreshToken`; missing system parameters
//! `MissingParameter`; a locked app `AUTH_TYPE_UNSUPPORTED`; the business endpoint is
//! `/rest/seller/get` (Lazada) and the gateway `/sync` beside `/rest` with `method` and `session`
//! (AliExpress, signed without the path, as its official SDK sends). One app serves many sellers:
//! each code is approved by one seller ([`IopSandbox::issue_code_for`]), and the tokens it yields
//! act for that seller only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::faults::{FaultOutcome, lock, too_many_requests};
use super::iop_signature;
use super::reply::{json as answer, pairs, param};
use super::state::{AccountCheck, TokenCheck, VendorState};
use super::time::epoch_millis;
use super::token::random_token;

/// The demo app's key (`client_id` on the consent page).
pub const DEMO_APP_KEY: &str = "100001";
/// The demo app's secret.
pub const DEMO_APP_SECRET: &str = "iop-demo-app-secret";
/// The seller who approves the app on the consent page.
pub const DEMO_SELLER_ID: &str = "1001";
/// How long a code stays valid.
pub const CODE_LIFETIME: Duration = Duration::from_secs(180);
/// How far a request's timestamp may be from the server's clock.
pub const TIMESTAMP_WINDOW: Duration = Duration::from_secs(7200);

/// One simulated IOP vendor: the app registry and tokens, plus codes and refresh tokens.
#[derive(Debug)]
pub struct IopSandbox {
    state: VendorState,
    aliexpress: bool,
    codes: Mutex<HashMap<String, CodeGrant>>,
    refresh_tokens: Mutex<HashMap<String, RefreshGrant>>,
    /// How long refresh tokens issued from now on work; `None`: twice the access token's
    /// lifetime (Lazada's test apps: 7 days access, 14 days refresh).
    refresh_lifetime: Mutex<Option<Duration>>,
    /// The seller each access token acts for.
    sellers: Mutex<HashMap<String, String>>,
    /// Codes exchanged (successfully), by seller.
    exchanges: Mutex<HashMap<String, u64>>,
}

#[derive(Debug, Clone)]
struct CodeGrant {
    app_key: String,
    seller_id: String,
    issued: Instant,
}

#[derive(Debug, Clone)]
struct RefreshGrant {
    app_key: String,
    seller_id: String,
    expires_at: Instant,
}

impl IopSandbox {
    pub(crate) fn new(aliexpress: bool) -> Self {
        IopSandbox {
            state: VendorState::new(
                DEMO_APP_KEY,
                DEMO_APP_SECRET,
                Duration::from_secs(7 * 24 * 3600),
                false,
            ),
            aliexpress,
            codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            refresh_lifetime: Mutex::default(),
            sellers: Mutex::default(),
            exchanges: Mutex::default(),
        }
    }

    /// Accounts (apps), lifetimes, faults and counters.
    pub fn state(&self) -> &VendorState {
        &self.state
    }

    /// How long refresh tokens issued from now on work (`refresh_expires_in`); tests shorten
    /// it. Zero issues refresh tokens the platform says cannot be used (`refresh_expires_in`
    /// of 0), and refuses as expired. `None` restores the default, twice the access token's.
    pub fn set_refresh_lifetime(&self, lifetime: Option<Duration>) {
        *lock(&self.refresh_lifetime) = lifetime;
    }

    /// A fresh single-use code for `app_key`, as if the demo seller had just approved the app.
    pub fn issue_code(&self, app_key: &str) -> String {
        self.issue_code_for(app_key, DEMO_SELLER_ID)
    }

    /// A fresh single-use code for `app_key`, approved by the seller `seller_id`.
    pub fn issue_code_for(&self, app_key: &str, seller_id: &str) -> String {
        let code = format!("0_{}", random_token(app_key));
        lock(&self.codes).insert(
            code.clone(),
            CodeGrant {
                app_key: app_key.to_owned(),
                seller_id: seller_id.to_owned(),
                issued: Instant::now(),
            },
        );
        code
    }

    /// How many codes approved by `seller_id` were exchanged for tokens.
    pub fn exchanges_for(&self, seller_id: &str) -> u64 {
        lock(&self.exchanges).get(seller_id).copied().unwrap_or(0)
    }

    /// The seller an access token acts for, if the token was issued here.
    pub fn seller_of(&self, access_token: &str) -> Option<String> {
        lock(&self.sellers).get(access_token).cloned()
    }

    /// How many refresh tokens are currently valid.
    pub fn live_refresh_tokens(&self) -> usize {
        let now = Instant::now();
        lock(&self.refresh_tokens)
            .values()
            .filter(|g| g.expires_at > now)
            .count()
    }

    /// Whether `refresh_token` would be accepted now (issued, not yet used, not expired).
    pub fn refresh_token_is_live(&self, refresh_token: &str) -> bool {
        let now = Instant::now();
        lock(&self.refresh_tokens)
            .get(refresh_token)
            .is_some_and(|g| g.expires_at > now)
    }

    fn app_secret(&self, app_key: &str) -> Option<String> {
        self.state.secret_of(app_key)
    }
}

pub(crate) fn router(sim: Arc<IopSandbox>) -> Router {
    Router::new()
        .route("/rest/auth/token/create", get(create).post(create))
        .route("/rest/auth/token/refresh", get(refresh).post(refresh))
        .route("/rest/seller/get", get(seller_get).post(seller_get))
        .route("/sync", get(sync).post(sync))
        .route("/oauth/authorize", get(authorize))
        .with_state(sim)
}

fn error(code: &str, message: &str) -> Response {
    let kind = if code == "ServiceUnavailable" {
        "ISP"
    } else {
        "ISV"
    };
    answer(
        StatusCode::OK,
        json!({ "type": kind, "code": code, "message": message, "request_id": random_token("req") }),
    )
}

/// Query and form parameters together, as the platform reads them.
fn all_params(query: Option<String>, body: &Bytes) -> Vec<(String, String)> {
    let mut all = pairs(query.unwrap_or_default().as_bytes());
    all.extend(pairs(body));
    all
}

/// A documented IOP error: its code and message.
type Refusal = (&'static str, &'static str);

/// The checks every call shares: app, timestamp, signature. Returns the app key.
fn check_system(
    sim: &IopSandbox,
    api: &str,
    params: &[(String, String)],
) -> Result<String, Refusal> {
    let (Some(app_key), Some(timestamp), Some(method)) = (
        param(params, "app_key"),
        param(params, "timestamp"),
        param(params, "sign_method"),
    ) else {
        return Err((
            "MissingParameter",
            "app_key, timestamp, sign_method and sign are required",
        ));
    };
    let Some(secret) = sim.app_secret(app_key) else {
        return Err(("InvalidAppkey", "Invalid Appkey"));
    };
    let now = u128::from(epoch_millis(SystemTime::now()));
    let window = TIMESTAMP_WINDOW.as_millis();
    match timestamp.parse::<u128>() {
        Ok(ts) if ts.abs_diff(now) <= window => {}
        _ => {
            return Err((
                "InvalidTimestamp",
                "The timestamp is too far from the server time",
            ));
        }
    }
    if method != "sha256" || !iop_signature::verify(&secret, api, params) {
        return Err((
            "IncompleteSignature",
            "The request signature does not conform to platform standards",
        ));
    }
    Ok(app_key.to_owned())
}

/// A number, or its string on AliExpress (whose examples send strings).
fn number(sim: &IopSandbox, n: u64) -> Value {
    if sim.aliexpress {
        Value::from(n.to_string())
    } else {
        Value::from(n)
    }
}

fn token_response(sim: &IopSandbox, app_key: &str, seller_id: &str) -> Response {
    let (access, lifetime) = sim.state.issue(app_key, "iop");
    lock(&sim.sellers).insert(access.clone(), seller_id.to_owned());
    let refresh_lifetime = lock(&sim.refresh_lifetime).unwrap_or(lifetime * 2);
    let refresh = random_token("iop-refresh");
    lock(&sim.refresh_tokens).insert(
        refresh.clone(),
        RefreshGrant {
            app_key: app_key.to_owned(),
            seller_id: seller_id.to_owned(),
            // Beyond what the clock holds, it simply does not expire here.
            expires_at: Instant::now()
                .checked_add(refresh_lifetime)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)),
        },
    );
    let now = epoch_millis(SystemTime::now());
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    answer(
        StatusCode::OK,
        json!({
            "code": "0",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": number(sim, lifetime.as_secs()),
            "refresh_expires_in": number(sim, refresh_lifetime.as_secs()),
            "expire_time": number(sim, now + ms(lifetime)),
            "refresh_token_valid_time": number(sim, now + ms(refresh_lifetime)),
            "account_platform": "seller_center",
            "account_id": Value::Null,
            "seller_id": seller_id.parse().map_or_else(|_| Value::from(seller_id), |n| number(sim, n)),
            "user_id": seller_id,
            "user_nick": format!("sandbox seller {seller_id}"),
            "havana_id": seller_id,
            "sp": if sim.aliexpress { "ae" } else { "lazada" },
            "locale": "en_US",
            "account": format!("seller{seller_id}@iop.sandbox"),
            "request_id": random_token("req"),
        }),
    )
}

async fn fault_or_proceed(sim: &IopSandbox) -> Option<Response> {
    match sim.state.next_fault().await {
        FaultOutcome::Proceed => None,
        FaultOutcome::Respond(response) => Some(response),
        FaultOutcome::Reject | FaultOutcome::EchoToken => {
            Some(error("InvalidCode", "Invalid Code"))
        }
        FaultOutcome::RateLimit(after) => Some(too_many_requests(after)),
        FaultOutcome::Unavailable => Some(error("ServiceUnavailable", "Service Unavailable")),
    }
}

async fn create(
    State(sim): State<Arc<IopSandbox>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    sim.state.count_login();
    if let Some(response) = fault_or_proceed(&sim).await {
        return response;
    }
    let params = all_params(query, &body);
    let app_key = match check_system(&sim, "/auth/token/create", &params) {
        Ok(app_key) => app_key,
        Err((code, message)) => return error(code, message),
    };
    if sim
        .state
        .check_account(&app_key, &sim.app_secret(&app_key).unwrap_or_default())
        == AccountCheck::Locked
    {
        return error("AUTH_TYPE_UNSUPPORTED", "Authorization type not supported");
    }
    let Some(code) = param(&params, "code") else {
        return error("MissingParameter", "code is required");
    };
    // Consumed whatever happens next: a code works once.
    let grant = lock(&sim.codes).remove(code);
    let seller = grant
        .filter(|g| g.app_key == app_key && g.issued.elapsed() < CODE_LIFETIME)
        .map(|g| g.seller_id);
    let Some(seller) = seller.filter(|_| param(&params, "uuid").is_none()) else {
        return error("InvalidCode", "Invalid Code");
    };
    *lock(&sim.exchanges).entry(seller.clone()).or_default() += 1;
    token_response(&sim, &app_key, &seller)
}

async fn refresh(
    State(sim): State<Arc<IopSandbox>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    sim.state.count_refresh();
    if let Some(response) = fault_or_proceed(&sim).await {
        return response;
    }
    let params = all_params(query, &body);
    let app_key = match check_system(&sim, "/auth/token/refresh", &params) {
        Ok(app_key) => app_key,
        Err((code, message)) => return error(code, message),
    };
    let Some(refresh_token) = param(&params, "refresh_token") else {
        return error("MissingParameter", "refresh_token is required");
    };
    // Rotation: a refresh token is spent by its use.
    let grant = lock(&sim.refresh_tokens).remove(refresh_token);
    match grant {
        Some(g) if g.app_key == app_key && Instant::now() < g.expires_at => {
            token_response(&sim, &app_key, &g.seller_id)
        }
        _ => error(
            "IllegalRefreshToken",
            "The refresh token is invalid or expired",
        ),
    }
}

fn business(
    sim: &IopSandbox,
    api: &str,
    token_param: &str,
    params: &[(String, String)],
) -> Response {
    sim.state.count_protected();
    if let Err((code, message)) = check_system(sim, api, params) {
        return error(code, message);
    }
    let token = param(params, token_param);
    match token.map(|t| (sim.state.check_token(t), sim.seller_of(t))) {
        Some((TokenCheck::Valid(app), Some(seller))) => answer(
            StatusCode::OK,
            json!({ "code": "0", "data": { "seller_id": seller, "app_key": app }, "request_id": random_token("req") }),
        ),
        _ => error(
            "IllegalAccessToken",
            "The specified access token is invalid or expired",
        ),
    }
}

async fn seller_get(
    State(sim): State<Arc<IopSandbox>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    business(
        &sim,
        "/seller/get",
        "access_token",
        &all_params(query, &body),
    )
}

async fn sync(
    State(sim): State<Arc<IopSandbox>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let params = all_params(query, &body);
    if !sim.aliexpress || param(&params, "method").is_none() {
        return error("InvalidApiPath", "The specified API path is invalid");
    }
    business(&sim, "", "session", &params)
}

/// The consent page, as it answers once the seller approves: a redirect with a fresh code. The
/// approving seller is [`DEMO_SELLER_ID`], or the one named by the sandbox's own parameter
/// `sandbox_seller` (the real page has the seller log in instead).
async fn authorize(
    State(sim): State<Arc<IopSandbox>>,
    RawQuery(query): RawQuery,
    _headers: HeaderMap,
) -> Response {
    let params = pairs(query.unwrap_or_default().as_bytes());
    let (Some("code"), Some(client_id), Some(redirect)) = (
        param(&params, "response_type"),
        param(&params, "client_id"),
        param(&params, "redirect_uri"),
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            "response_type=code, client_id and redirect_uri are required",
        )
            .into_response();
    };
    if sim.app_secret(client_id).is_none() {
        return (StatusCode::BAD_REQUEST, "unknown client_id").into_response();
    }
    let Ok(mut target) = url::Url::parse(redirect) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri is not a URL").into_response();
    };
    // The real page has the seller log in; here `sandbox_seller` says who approves.
    let seller = param(&params, "sandbox_seller").unwrap_or(DEMO_SELLER_ID);
    target
        .query_pairs_mut()
        .append_pair("code", &sim.issue_code_for(client_id, seller));
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

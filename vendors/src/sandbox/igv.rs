//! iGV as its seed document describes it: JSON login with e-mail and plain password, `code`
//! `"0000"` on success, a `Bearer` token living `expiresIn` seconds.
//!
//! The sandbox's own choices, where the document is silent: a wrong login answers HTTP 200 with
//! `code` `"4001"`; a body that is not JSON answers `"4000"`; a content type other than JSON
//! answers HTTP 415 with `code` `"4150"`; a missing or invalid token on a protected call answers
//! HTTP 401 with `code` `"401"`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::faults::{Counters, Fault, Faults, lock};
use super::time::iso8601;
use super::token::random_token;

/// The demo account's e-mail.
pub const DEMO_EMAIL: &str = "seller@igv.sandbox";
/// The demo account's password.
pub const DEMO_PASSWORD: &str = "igv-demo-password";
/// Where the sandbox serves iGV, below its root; the base URL ends with it.
pub const PREFIX: &str = "/igv/merchant-api";
/// A protected sandbox endpoint (iGV documents none): answers who the token belongs to.
pub const WHOAMI_PATH: &str = "/seller/sandbox/whoami";

/// The simulated iGV: accounts, issued tokens, faults and counters.
#[derive(Debug)]
pub struct IgvSandbox {
    accounts: Mutex<HashMap<String, String>>,
    tokens: Mutex<HashMap<String, Issued>>,
    lifetime: Mutex<Duration>,
    faults: Faults,
    counters: Counters,
}

#[derive(Debug, Clone)]
struct Issued {
    email: String,
    expires_at: Instant,
}

impl Default for IgvSandbox {
    fn default() -> Self {
        let accounts = HashMap::from([(DEMO_EMAIL.to_owned(), DEMO_PASSWORD.to_owned())]);
        IgvSandbox {
            accounts: Mutex::new(accounts),
            tokens: Mutex::default(),
            lifetime: Mutex::new(Duration::from_secs(7200)),
            faults: Faults::default(),
            counters: Counters::default(),
        }
    }
}

impl IgvSandbox {
    /// Adds (or replaces) an account.
    pub fn add_account(&self, email: &str, password: &str) {
        lock(&self.accounts).insert(email.to_owned(), password.to_owned());
    }

    /// The `expiresIn` of tokens issued from now on, in whole seconds (at least 1).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *lock(&self.lifetime) = lifetime.max(Duration::from_secs(1));
    }

    /// Queues a fault for an upcoming login.
    pub fn push_fault(&self, fault: Fault) {
        self.faults.push(fault);
    }

    /// Revokes every token issued so far.
    pub fn revoke_all(&self) {
        lock(&self.tokens).clear();
    }

    /// Login requests received, whatever their outcome.
    pub fn login_count(&self) -> u64 {
        Counters::read(&self.counters.logins)
    }

    /// Protected requests received, whatever their outcome.
    pub fn protected_count(&self) -> u64 {
        Counters::read(&self.counters.protected)
    }

    pub(crate) fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/seller/auth/login", post(login))
            .route(WHOAMI_PATH, get(whoami))
            .with_state(Arc::clone(self))
    }

    fn issue(&self, email: &str) -> (String, u64) {
        let lifetime = *lock(&self.lifetime);
        let token = random_token("igv");
        let issued = Issued {
            email: email.to_owned(),
            expires_at: Instant::now() + lifetime,
        };
        lock(&self.tokens).insert(token.clone(), issued);
        (token, lifetime.as_secs())
    }
}

fn envelope(code: &str, msg: &str, data: Option<Value>) -> Value {
    let mut body = json!({ "code": code, "msg": msg, "time": iso8601(SystemTime::now()) });
    if let (Some(data), Some(object)) = (data, body.as_object_mut()) {
        object.insert("data".into(), data);
    }
    body
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn login(State(sim): State<Arc<IgvSandbox>>, headers: HeaderMap, body: Bytes) -> Response {
    Counters::count(&sim.counters.logins);
    if let Some(faulty) = sim.faults.apply_next().await {
        return faulty;
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !is_json {
        return answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            envelope("4150", "Content-Type must be application/json", None),
        );
    }
    let request: Option<Value> = serde_json::from_slice(&body).ok();
    let field = |name: &str| {
        request
            .as_ref()
            .and_then(|r| r.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (Some(email), Some(password)) = (field("email"), field("password")) else {
        return answer(
            StatusCode::OK,
            envelope("4000", "email and password are required", None),
        );
    };
    let known = lock(&sim.accounts)
        .get(&email)
        .is_some_and(|p| *p == password);
    if !known {
        return answer(
            StatusCode::OK,
            envelope("4001", "Invalid email or password", None),
        );
    }
    let (token, expires_in) = sim.issue(&email);
    let refresh = random_token("igv-refresh");
    let data = json!({ "accessToken": token, "tokenType": "Bearer", "expiresIn": expires_in, "refreshToken": refresh });
    answer(StatusCode::OK, envelope("0000", "Success", Some(data)))
}

async fn whoami(State(sim): State<Arc<IgvSandbox>>, headers: HeaderMap) -> Response {
    Counters::count(&sim.counters.protected);
    let unauthorized = || {
        answer(
            StatusCode::UNAUTHORIZED,
            envelope("401", "Unauthorized", None),
        )
    };
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return unauthorized();
    };
    let issued = lock(&sim.tokens).get(token).cloned();
    match issued {
        Some(issued) if Instant::now() < issued.expires_at => answer(
            StatusCode::OK,
            envelope("0000", "Success", Some(json!({ "email": issued.email }))),
        ),
        _ => unauthorized(),
    }
}

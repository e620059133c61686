//! One authorised request: built from owned parts, so it can be signed and replayed.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use super::AuthorizedClient;
use super::inspect::{Verdict, inspect};
use crate::error::{ConfigError, Error, ErrorClass, VendorSaid};
use crate::http::{check_transport, join, retry_after, status_error};
use crate::login::supplied;
use crate::signing::{Signing, WireParams};
use crate::token::Token;

enum Body {
    None,
    Form(Vec<(String, String)>),
    Raw {
        content_type: HeaderValue,
        bytes: Vec<u8>,
    },
}

/// A request being built by an [`AuthorizedClient`]; send it with [`AuthorizedRequest::send`].
///
/// As with reqwest's `RequestBuilder`, a mistake while building (a header that is not one, a
/// body that does not serialize) is kept, the first one only, and returned by `send`.
#[must_use]
pub struct AuthorizedRequest {
    client: AuthorizedClient,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Body,
    headers: HeaderMap,
    mistake: Option<ConfigError>,
    timeout: Option<Duration>,
}

/// The method and path only: parameters and bodies may carry anything.
impl std::fmt::Debug for AuthorizedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl AuthorizedRequest {
    pub(super) fn new(client: AuthorizedClient, method: Method, path: &str) -> Self {
        AuthorizedRequest {
            client,
            method,
            path: path.to_owned(),
            query: Vec::new(),
            body: Body::None,
            headers: HeaderMap::new(),
            mistake: None,
            timeout: None,
        }
    }

    /// Keeps the first mistake made while building.
    fn mistake(mut self, mistake: ConfigError) -> Self {
        self.mistake.get_or_insert(mistake);
        self
    }

    /// Adds query parameters.
    pub fn query<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> Self {
        self.query.extend(
            pairs
                .iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
        );
        self
    }

    /// Sends these parameters as an `application/x-www-form-urlencoded` body.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, pairs: &[(K, V)]) -> Self {
        let pairs = pairs
            .iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()));
        match &mut self.body {
            Body::Form(existing) => existing.extend(pairs),
            _ => self.body = Body::Form(pairs.collect()),
        }
        self
    }

    /// Sends `value` as a JSON body.
    ///
    /// ```no_run
    /// # async fn run(client: auth_core::AuthorizedClient) -> Result<(), auth_core::Error> {
    /// let order = serde_json::json!({ "sku": "A-1", "quantity": 2 });
    /// client.post("/orders").json(&order).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn json<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                self.body = Body::Raw {
                    content_type: HeaderValue::from_static("application/json"),
                    bytes,
                };
                self
            }
            Err(err) => self.mistake(ConfigError::BadJsonBody {
                reason: err.to_string(),
            }),
        }
    }

    /// Sends a body of any type.
    pub fn body(mut self, content_type: HeaderValue, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Raw {
            content_type,
            bytes: bytes.into(),
        };
        self
    }

    /// Adds a header: anything a `HeaderName` and a `HeaderValue` can be made from, as with
    /// reqwest (`&str`, `String`, the typed constants of `reqwest::header`).
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
        K: std::fmt::Display,
    {
        let shown = name.to_string();
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            // The host the token goes to is the URL's, checked against the client's origin: a
            // `Host` of the caller's would send it to another site behind a shared front end.
            (Ok(name), Ok(_)) if name == reqwest::header::HOST => {
                self.mistake(ConfigError::HostHeader)
            }
            (Ok(name), Ok(value)) => {
                self.headers.append(name, value);
                self
            }
            _ => self.mistake(ConfigError::BadRequestHeader { name: shown }),
        }
    }

    /// How long this request may take, in place of the client's
    /// [`timeout`](AuthorizedClient::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Checks the request as [`send`](Self::send) does before sending anything (a mistake made
    /// while building, the origin, the transport, the signature's parameters), without a token
    /// or a login.
    pub fn check(&self) -> Result<(), Error> {
        let vendor = self.client.session.spec().vendor();
        if let Some(mistake) = self.mistake.clone() {
            return Err(Error::config(vendor, mistake));
        }
        self.target().map(|_| ())
    }

    /// The URL the request goes to, checked: joined to the base URL, on an origin that may
    /// receive the token, over a transport the session allows.
    fn target(&self) -> Result<url::Url, Error> {
        let settings = &self.client.settings;
        let vendor = self.client.session.spec().vendor();
        let url = join(&settings.base_url, &self.path).map_err(|e| {
            Error::config(
                vendor,
                ConfigError::BadBaseUrl {
                    reason: e.to_string(),
                },
            )
        })?;
        // An absolute URL may name any host: the token goes only to the base URL's origin and to
        // those named for it (`http://vendor@elsewhere/` has elsewhere's origin, and is refused).
        let origin = url.origin();
        let base = settings.base_url.origin();
        if origin != base && !settings.other_origins.contains(&origin) {
            return Err(Error::config(
                vendor,
                ConfigError::ForeignOrigin {
                    origin: origin.ascii_serialization(),
                    base: base.ascii_serialization(),
                },
            ));
        }
        check_transport(&url, self.client.session.allows_insecure_http())
            .map_err(|problem| Error::config(vendor, problem))?;
        Ok(url)
    }

    /// Sends the request with the current token. A rejection of the token drops it from the
    /// session (only if it is still the cached one), logs in (or refreshes) once, and replays
    /// the request once; a second rejection is [`Error::TokenRejected`]. Other answers, errors
    /// included, are returned as they came, after the retries configured on the client.
    pub async fn send(self) -> Result<reqwest::Response, Error> {
        let client = &self.client;
        let settings = &client.settings;
        let spec = client.session.spec();
        // Refused before a token is asked for: a request that cannot go out costs no login.
        self.check()?;
        let retry = settings
            .retry
            .filter(|_| settings.retry_all_methods || is_idempotent(&self.method));
        // A rate-limited request was refused before it was processed: retried whatever the method.
        let rate_retry = settings.retry;
        let mut replayed = false;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let token = client.session.token().await?;
            let request = self.build(&token)?;
            let response = match settings.http.execute(request).await {
                Ok(response) => response,
                Err(err) => {
                    let err = Error::transport(spec.vendor(), err);
                    match retry.and_then(|policy| policy.delay_after(attempt, &err)) {
                        Some(delay) => {
                            backoff(&err, delay).await;
                            continue;
                        }
                        None => return Err(err),
                    }
                }
            };
            if let Some(err) = retryable_status(spec.vendor(), &response)
                && let Some(delay) = match err.class() {
                    ErrorClass::RateLimited => rate_retry,
                    _ => retry,
                }
                .and_then(|policy| policy.delay_after(attempt, &err))
            {
                backoff(&err, delay).await;
                continue;
            }
            let redactor = || client.session.redactor(Some(&token));
            match inspect(spec, response, settings.max_inspected_bytes, redactor).await? {
                Verdict::Accepted(response) => {
                    if response.status().is_success() {
                        client.session.record_success(&token);
                    }
                    return Ok(response);
                }
                Verdict::RateLimited { status, said } => {
                    let err = Error::RateLimited {
                        vendor: spec.vendor(),
                        status,
                        retry_after: None,
                        said,
                    };
                    match rate_retry.and_then(|policy| policy.delay_after(attempt, &err)) {
                        Some(delay) => backoff(&err, delay).await,
                        None => return Err(err),
                    }
                }
                Verdict::TokenRejected { status, said } if replayed => {
                    return Err(Error::TokenRejected {
                        vendor: spec.vendor(),
                        status,
                        said,
                    });
                }
                Verdict::TokenRejected { .. } => {
                    super::drop_rejected(&client.session, &token);
                    replayed = true;
                    attempt = 0;
                }
            }
        }
    }

    pub(super) fn build(&self, token: &Token) -> Result<reqwest::Request, Error> {
        let client = &self.client;
        let settings = &client.settings;
        let spec = client.session.spec();
        let vendor = spec.vendor();
        let carried = client.session.carried();
        let mut url = self.target()?;
        // Parameters written into the URL travel like those given to `query`: taken out here and
        // put back below, so that what is signed is exactly what is sent.
        let in_url: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        url.set_query(None);

        // Parameters the session adds: carried fields, the token if it travels as one, and the
        // signature over everything.
        let now = SystemTime::now();
        let mut added: WireParams<'_> = carried
            .params
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), Cow::Borrowed(value.expose())))
            .chain(
                carried
                    .fresh_params
                    .iter()
                    .map(|(name, value)| (Cow::Borrowed(*name), supplied::text(*value, now))),
            )
            .collect();
        if let Some((name, value)) = token.query_param() {
            let name = settings.token_param.as_deref().unwrap_or(name);
            added.push((Cow::Borrowed(name), Cow::Borrowed(value)));
        }
        let form = match &self.body {
            Body::Form(pairs) => Some(pairs),
            _ => None,
        };
        let given = || {
            in_url
                .iter()
                .chain(&self.query)
                .chain(form.into_iter().flatten())
        };
        if let (Some(signer), Some(key)) = (spec.request_signer_or_login(), &carried.signing_key) {
            // A signature covers each name once: a name given twice (in the URL and in a form,
            // or by the caller and by the session) would be signed one way and read another.
            // The signer's own (IOP's `sign`) count as given: a caller's would go out beside them.
            let mut seen: std::collections::HashSet<&str> =
                signer.owned_parameters().iter().copied().collect();
            let names = given()
                .map(|(n, _)| n.as_str())
                .chain(added.iter().map(|(n, _)| n.as_ref()));
            for name in names {
                if !seen.insert(name) {
                    return Err(Error::config(
                        vendor,
                        ConfigError::RepeatedParameter {
                            name: name.to_owned(),
                        },
                    ));
                }
            }
            let mut all: WireParams<'_> = given()
                .map(|(n, v)| (Cow::Borrowed(n.as_str()), Cow::Borrowed(v.as_str())))
                .collect();
            let user = all.len();
            all.extend(added);
            let api = if settings.sign_path {
                url.path()
                    .strip_prefix(settings.base_url.path().trim_end_matches('/'))
                    .unwrap_or(url.path())
            } else {
                ""
            };
            let body: &[u8] = match &self.body {
                Body::Raw { bytes, .. } => bytes,
                _ => &[],
            };
            let signing = Signing::new(api, key.expose(), now)
                .with_method(self.method.as_str())
                .with_body(body);
            signer.sign(&signing, &mut all);
            added = all.split_off(user);
        }

        let mut query: Vec<(&str, &str)> = in_url
            .iter()
            .chain(&self.query)
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        if form.is_none() {
            query.extend(added.iter().map(|(n, v)| (n.as_ref(), v.as_ref())));
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = reqwest::Request::new(self.method.clone(), url);
        *request.timeout_mut() = Some(self.timeout.unwrap_or(settings.timeout));
        let headers = request.headers_mut();
        for (name, value) in &carried.headers {
            headers.insert(name.clone(), value.clone());
        }
        for fresh in carried.fresh_headers(vendor, now) {
            let (name, value) = fresh?;
            headers.insert(name.clone(), value);
        }
        if let Some((name, value)) = token.header() {
            headers.insert(name.clone(), value.clone());
        }
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        match &self.body {
            Body::None => {}
            Body::Form(pairs) => {
                let mut body = url::form_urlencoded::Serializer::new(String::new());
                body.extend_pairs(pairs.iter());
                body.extend_pairs(added.iter());
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                );
                *request.body_mut() = Some(body.finish().into());
            }
            Body::Raw {
                content_type,
                bytes,
            } => {
                headers.insert(CONTENT_TYPE, content_type.clone());
                *request.body_mut() = Some(bytes.clone().into());
            }
        }
        Ok(request)
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

async fn backoff(err: &Error, delay: std::time::Duration) {
    tracing::info!(error = %err, delay_ms = delay.as_millis() as u64, "request failed, retrying");
    tokio::time::sleep(delay).await;
}

/// A response worth retrying, as the error it stands for: 429 (with `Retry-After`), 408, 5xx.
fn retryable_status(vendor: &'static str, response: &reqwest::Response) -> Option<Error> {
    let retry_after = retry_after(response.headers(), SystemTime::now());
    status_error(
        vendor,
        response.status().as_u16(),
        retry_after,
        VendorSaid::default,
    )
}

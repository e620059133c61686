//! The session as a [`reqwest_middleware::Middleware`], for applications that already send
//! through a `ClientWithMiddleware` stack (retries, tracing, caching).
//!
//! Each request passing through gets what an [`AuthorizedClient`] would give it: the token in
//! the vendor's form, the carried headers and parameters, and the vendor's signature (IOP,
//! Shopee, TikTok Shop) computed over the request's own URL and body; a request whose token the
//! vendor rejects is sent again once after a fresh login. The body is read once (it must be in
//! memory: a streaming body is refused, as it could be neither signed nor replayed).
//!
//! Which to pick: [`AuthorizedClient`] when the SDK is the HTTP layer (it retries, and builds
//! signed requests from parts); `TokenMiddleware` when the application owns the stack and its
//! retry policy, and builds requests with reqwest's own builder.

use http::Extensions;
use reqwest::header::CONTENT_TYPE;
use reqwest_middleware::{Middleware, Next};

use super::AuthorizedClient;
use super::inspect::{Verdict, inspect};
use super::request::AuthorizedRequest;
use crate::error::{ConfigError, Error};

/// A [`reqwest_middleware::Middleware`] that authorises each request with a session.
///
/// ```no_run
/// # use auth_core::{login_endpoint, Secret, Session};
/// # #[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"), scheme = "Bearer")]
/// # struct Login { user: String, password: Secret }
/// # async fn run(session: Session<Login>) -> Result<(), Box<dyn std::error::Error>> {
/// use auth_core::{AuthorizedClient, TokenMiddleware};
/// use reqwest_middleware::ClientBuilder;
///
/// let authorised = AuthorizedClient::new(session, "https://api.vendor.example")?;
/// // No redirects: reqwest drops `Authorization` on a redirect to another host, but not a
/// // token in another header or in the query, and this middleware does not see redirects.
/// let http = reqwest::Client::builder()
///     .redirect(reqwest::redirect::Policy::none())
///     .build()?;
/// let client = ClientBuilder::new(http)
///     .with(TokenMiddleware::new(authorised))
///     .build();
/// let orders = client.get("https://api.vendor.example/orders").send().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TokenMiddleware {
    client: AuthorizedClient,
}

impl TokenMiddleware {
    /// A middleware authorising requests as `client` would: its session, its base URL (what a
    /// signature's path is counted from), its token parameter name and response inspection.
    /// The client's own retries and timeout do not apply: the stack's do.
    pub fn new(client: AuthorizedClient) -> Self {
        TokenMiddleware { client }
    }

    /// The request rebuilt from its parts, so that it can be signed and replayed.
    fn parts(&self, request: &reqwest::Request) -> Result<AuthorizedRequest, Error> {
        let vendor = self.client.session.vendor();
        let mut rebuilt = self
            .client
            .request(request.method().clone(), request.url().as_str());
        for (name, value) in request.headers() {
            if name != CONTENT_TYPE {
                rebuilt = rebuilt.header(name.clone(), value.clone());
            }
        }
        if let Some(timeout) = request.timeout() {
            rebuilt = rebuilt.timeout(*timeout);
        }
        let Some(body) = request.body() else {
            return Ok(rebuilt);
        };
        let Some(bytes) = body.as_bytes() else {
            return Err(Error::config(vendor, ConfigError::StreamingBody));
        };
        let content_type = request.headers().get(CONTENT_TYPE).cloned();
        let is_form = content_type
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        Ok(match (is_form, content_type) {
            // Parsed, so that a signature covers its parameters as the vendor reads them.
            (true, _) => {
                let pairs: Vec<(String, String)> =
                    url::form_urlencoded::parse(bytes).into_owned().collect();
                rebuilt.form(&pairs)
            }
            (false, Some(content_type)) => rebuilt.body(content_type, bytes.to_vec()),
            (false, None) => rebuilt.body(
                reqwest::header::HeaderValue::from_static("application/octet-stream"),
                bytes.to_vec(),
            ),
        })
    }
}

#[async_trait::async_trait]
impl Middleware for TokenMiddleware {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let parts = self
            .parts(&request)
            .map_err(reqwest_middleware::Error::middleware)?;
        drop(request);
        // A request for a foreign origin is refused before a token is asked for.
        parts
            .check()
            .map_err(reqwest_middleware::Error::middleware)?;
        let session = &self.client.session;
        let spec = session.spec();
        let mut replayed = false;
        loop {
            let token = session
                .token()
                .await
                .map_err(reqwest_middleware::Error::middleware)?;
            let signed = parts
                .build(&token)
                .map_err(reqwest_middleware::Error::middleware)?;
            // reqwest names the URL in its errors, and a signed vendor's URL holds the token
            // (IOP's `access_token`, AliExpress's `session`): it is taken out, as the client does.
            let response = next
                .clone()
                .run(signed, extensions)
                .await
                .map_err(|err| match err {
                    reqwest_middleware::Error::Reqwest(err) => {
                        reqwest_middleware::Error::Reqwest(err.without_url())
                    }
                    other => other,
                })?;
            let redactor = || session.redactor(Some(&token));
            let verdict = inspect(
                spec,
                response,
                self.client.settings.max_inspected_bytes,
                redactor,
            )
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
            match verdict {
                Verdict::Accepted(response) => {
                    if response.status().is_success() {
                        session.record_success(&token);
                    }
                    return Ok(response);
                }
                Verdict::RateLimited { status, said } => {
                    return Err(reqwest_middleware::Error::middleware(Error::RateLimited {
                        vendor: spec.vendor(),
                        status,
                        retry_after: None,
                        said,
                    }));
                }
                Verdict::TokenRejected { status, said } if replayed => {
                    return Err(reqwest_middleware::Error::middleware(
                        Error::TokenRejected {
                            vendor: spec.vendor(),
                            status,
                            said,
                        },
                    ));
                }
                Verdict::TokenRejected { .. } => {
                    super::drop_rejected(session, &token);
                    replayed = true;
                }
            }
        }
    }
}

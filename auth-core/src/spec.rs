//! The description of a login endpoint: plain data, built in `const` context by the macro (or by
//! hand), read by the login executor.

use std::fmt;
use std::time::Duration;

use crate::error::ErrorClass;
use crate::signing::Signer;

/// A dotted path into a JSON response (`data.accessToken`), split into its segments.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FieldPath(&'static [&'static str]);

impl FieldPath {
    /// A path from its segments, outermost first.
    pub const fn new(segments: &'static [&'static str]) -> Self {
        FieldPath(segments)
    }

    /// The segments, outermost first.
    pub const fn segments(&self) -> &'static [&'static str] {
        self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(segment)?;
        }
        Ok(())
    }
}

impl fmt::Debug for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({self})")
    }
}

/// The HTTP method of the login request.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: parameters go in the query string.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
}

/// How the credential fields are encoded.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// A JSON object of strings.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// The URL query string, with an empty body.
    Query,
}

/// The digest applied to fields marked `hashed`.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgorithm {
    /// MD5, as 32 lower-case hex digits.
    Md5,
}

/// A value a success rule expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A string; an integer whose decimal text is equal also matches.
    Str(&'static str),
    /// An integer; a string holding the same decimal text also matches.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

/// One condition a successful response meets: the field at `path` holds `expected`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuccessRule {
    /// Where the field is.
    pub path: FieldPath,
    /// What it must hold.
    pub expected: Expected,
}

impl SuccessRule {
    /// A rule.
    pub const fn new(path: FieldPath, expected: Expected) -> Self {
        SuccessRule { path, expected }
    }
}

/// How the token's scheme (`Bearer`) is known.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// The token is sent as it is: it is raw, or already carries its scheme.
    None,
    /// A fixed scheme, such as `Bearer`.
    Fixed(&'static str),
    /// The scheme is a response field, such as `data.tokenType`.
    Field(FieldPath),
}

/// Where the token's lifetime comes from.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifetime {
    /// A response field in seconds (a number, or a string of digits).
    Seconds(FieldPath),
    /// A response field in milliseconds (a number, or a string of digits).
    Millis(FieldPath),
    /// A fixed duration the vendor documents.
    Fixed(Duration),
    /// The `exp` claim of the token, which is a JWT.
    JwtExp,
    /// A response field holding the expiry as a Unix time in seconds (TikTok Shop's
    /// `access_token_expire_in`), a number or a string of digits.
    UnixSeconds(FieldPath),
    /// A response field holding the expiry as a Unix time in milliseconds.
    UnixMillis(FieldPath),
}

impl Lifetime {
    /// The response field the lifetime is read from, if any.
    pub const fn field(&self) -> Option<FieldPath> {
        match self {
            Lifetime::Seconds(f)
            | Lifetime::Millis(f)
            | Lifetime::UnixSeconds(f)
            | Lifetime::UnixMillis(f) => Some(*f),
            Lifetime::Fixed(_) | Lifetime::JwtExp => None,
        }
    }
}

/// Where a refresh token's lifetime comes from (`refresh_lifetime = ...`): the forms of
/// [`Lifetime`] that make sense for a refresh token, and [`Never`](RefreshLifetime::Never).
///
/// What the answer says is read with care, since a login is never failed over it (the code it
/// spent cannot be sent again): an absent field, a value of the wrong type, or an absurd one
/// (a "duration" of more than ten years, an expiry more than a thousand years away) leaves the
/// expiry unknown, with a warning; a value of zero or less means the refresh token cannot be
/// used (IOP refreshes "when `refresh_expires_in` > 0"): it is recorded as already expired.
///
/// ```
/// use std::time::Duration;
/// use auth_core::spec::{FieldPath, Lifetime, LoginSpec, RefreshLifetime};
///
/// const SPEC: &LoginSpec = &LoginSpec::new(
///     "Example",
///     "/token",
///     FieldPath::new(&["access_token"]),
///     Lifetime::Seconds(FieldPath::new(&["expires_in"])),
/// )
/// .refresh_token(FieldPath::new(&["refresh_token"]))
/// .refresh_lifetime(RefreshLifetime::Fixed(Duration::from_secs(30 * 24 * 3600)));
/// assert_eq!(
///     SPEC.declared_refresh_lifetime(),
///     Some(RefreshLifetime::Fixed(Duration::from_secs(2_592_000)))
/// );
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshLifetime {
    /// A response field in seconds (a number, or a string of digits).
    Seconds(FieldPath),
    /// A response field in milliseconds.
    Millis(FieldPath),
    /// A response field holding the expiry as a Unix time in seconds (TikTok Shop's
    /// `refresh_token_expire_in`).
    UnixSeconds(FieldPath),
    /// A response field holding the expiry as a Unix time in milliseconds.
    UnixMillis(FieldPath),
    /// A fixed duration the vendor documents (Shopee: 30 days).
    Fixed(Duration),
    /// The vendor states no expiry: the refresh token lives until it is revoked (or used, when
    /// it is single use). Its expiry reads as unknown (`None`).
    Never,
}

/// A value the endpoint supplies itself: a constant, or one made fresh for each request.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A constant, such as `client_credentials`.
    Text(&'static str),
    /// A random (version 4) UUID, new for each request (Walmart's `WM_QOS.CORRELATION_ID`).
    Uuid,
    /// The Unix time in seconds when the request is made.
    UnixSeconds,
    /// The Unix time in milliseconds when the request is made.
    UnixMillis,
}

/// Where a value the endpoint supplies goes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Among the fields: in the body, or in the query for `body = query`.
    Body,
    /// In the URL's query string, whatever the body.
    Query,
    /// In a header.
    Header,
}

/// A named value the endpoint supplies, and where it goes: `grant_type=client_credentials` in
/// the body, or a fresh correlation id in a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supplied {
    /// The parameter or header name.
    pub name: &'static str,
    /// The value.
    pub value: Value,
    /// Where it goes.
    pub slot: Slot,
}

impl Supplied {
    /// A constant body (or form, or query for `body = query`) parameter.
    pub const fn param(name: &'static str, value: &'static str) -> Self {
        Supplied {
            name,
            value: Value::Text(value),
            slot: Slot::Body,
        }
    }
    /// A constant URL query parameter, whatever the body.
    pub const fn query(name: &'static str, value: &'static str) -> Self {
        Supplied {
            name,
            value: Value::Text(value),
            slot: Slot::Query,
        }
    }
    /// A constant header.
    pub const fn header(name: &'static str, value: &'static str) -> Self {
        Supplied {
            name,
            value: Value::Text(value),
            slot: Slot::Header,
        }
    }
    /// The same name and place, with a value made fresh for each request.
    pub const fn fresh(mut self, value: Value) -> Self {
        self.value = value;
        self
    }
}

/// How later requests carry the token.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendAs {
    /// In a header with this name.
    Header(&'static str),
    /// In a query (or signed) parameter with this name.
    Query(&'static str),
}

/// Which vendor error codes are not credential rejections.
///
/// Any error code not listed is treated as a rejection on login, so credentials are never
/// re-sent on an answer nobody classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeClass {
    /// The vendor's code, as text.
    pub code: &'static str,
    /// Its class.
    pub class: ErrorClass,
}

impl CodeClass {
    /// A vendor code and its class.
    pub const fn new(code: &'static str, class: ErrorClass) -> Self {
        CodeClass { code, class }
    }
}

/// RFC 6749 §5.2's error codes that are not rejections of the credentials.
const OAUTH2_CODES: &[CodeClass] = &[
    CodeClass::new("temporarily_unavailable", ErrorClass::Transient),
    CodeClass::new("server_error", ErrorClass::Transient),
    CodeClass::new("invalid_request", ErrorClass::Protocol),
    CodeClass::new("invalid_scope", ErrorClass::Protocol),
    CodeClass::new("unsupported_grant_type", ErrorClass::Protocol),
];

/// Everything the runtime needs to know about a login endpoint.
///
/// Made by `#[login_endpoint]`, or by hand with the `const` builder when the macro does not fit:
///
/// ```
/// use auth_core::spec::{FieldPath, Lifetime, LoginSpec, Scheme};
///
/// const SPEC: &LoginSpec = &LoginSpec::new(
///     "Example",
///     "/login",
///     FieldPath::new(&["data", "token"]),
///     Lifetime::Seconds(FieldPath::new(&["data", "ttl"])),
/// )
/// .scheme(Scheme::Fixed("Bearer"));
/// assert_eq!(SPEC.path(), "/login");
/// ```
#[derive(Clone, Copy)]
pub struct LoginSpec {
    pub(crate) vendor: &'static str,
    pub(crate) path: &'static str,
    pub(crate) base_url: Option<&'static str>,
    pub(crate) method: Method,
    pub(crate) body: BodyEncoding,
    pub(crate) hash: Option<HashAlgorithm>,
    pub(crate) supplied: &'static [Supplied],
    pub(crate) success: &'static [SuccessRule],
    pub(crate) error_code: Option<FieldPath>,
    pub(crate) error_message: &'static [FieldPath],
    pub(crate) code_classes: &'static [CodeClass],
    pub(crate) token: FieldPath,
    pub(crate) scheme: Scheme,
    pub(crate) lifetime: Lifetime,
    pub(crate) default_lifetime: Option<Duration>,
    pub(crate) sliding: bool,
    pub(crate) refresh_token: Option<FieldPath>,
    pub(crate) refresh_lifetime: Option<RefreshLifetime>,
    pub(crate) account: Option<FieldPath>,
    pub(crate) send_as: SendAs,
    pub(crate) signer: Option<&'static dyn Signer>,
    pub(crate) request_signer: Option<&'static dyn Signer>,
    pub(crate) request_supplied: &'static [Supplied],
    pub(crate) token_rejected: &'static [&'static str],
    pub(crate) refresh_refused: &'static [&'static str],
    /// Whether RFC 6749's codes are classified after the declared ones.
    pub(crate) oauth2: bool,
}

impl LoginSpec {
    /// Whether the vendor's `code` was declared a rate limit (`rate_limited(..)`).
    pub(crate) fn is_rate_limit_code(&self, code: &str) -> bool {
        self.declared_class(code) == Some(ErrorClass::RateLimited)
    }

    /// Whether a business answer's code says the token is no longer valid.
    pub(crate) fn rejects_token(&self, code: &str) -> bool {
        self.token_rejected.contains(&code) || (self.oauth2 && code == "invalid_token")
    }

    /// Whether any code can reject the token.
    pub(crate) fn has_token_rejected_codes(&self) -> bool {
        self.oauth2 || !self.token_rejected.is_empty()
    }

    fn declared_class(&self, code: &str) -> Option<ErrorClass> {
        let standard: &[CodeClass] = if self.oauth2 { OAUTH2_CODES } else { &[] };
        self.code_classes
            .iter()
            .chain(standard)
            .find(|c| c.code == code)
            .map(|c| c.class)
    }

    /// Whether any code was declared a rate limit.
    pub(crate) fn has_rate_limit_codes(&self) -> bool {
        self.code_classes
            .iter()
            .any(|c| c.class == ErrorClass::RateLimited)
    }

    /// A `POST` endpoint with a JSON body whose token is sent raw in `Authorization`.
    pub const fn new(
        vendor: &'static str,
        path: &'static str,
        token: FieldPath,
        lifetime: Lifetime,
    ) -> Self {
        LoginSpec {
            vendor,
            path,
            base_url: None,
            method: Method::Post,
            body: BodyEncoding::Json,
            hash: None,
            supplied: &[],
            success: &[],
            error_code: None,
            error_message: &[],
            code_classes: &[],
            token,
            scheme: Scheme::None,
            lifetime,
            default_lifetime: None,
            sliding: false,
            refresh_token: None,
            refresh_lifetime: None,
            account: None,
            send_as: SendAs::Header("Authorization"),
            signer: None,
            request_signer: None,
            request_supplied: &[],
            token_rejected: &[],
            refresh_refused: &[],
            oauth2: false,
        }
    }

    /// An OAuth 2.0 token endpoint (RFC 6749): a form body; the token at `access_token`, its
    /// lifetime in seconds at `expires_in`, sent as `Authorization: Bearer`; errors at `error`
    /// and `error_description` (§5.2), classified by the standard codes: `invalid_grant`,
    /// `invalid_client` and `unauthorized_client` reject the credentials;
    /// `temporarily_unavailable` and `server_error` are transient; `invalid_request`,
    /// `invalid_scope` and `unsupported_grant_type` are protocol errors. A later request
    /// answered with `invalid_token` (RFC 6750) rejects the token.
    ///
    /// ```
    /// use auth_core::ErrorClass;
    /// use auth_core::spec::{LoginSpec, Supplied};
    ///
    /// const SPEC: &LoginSpec = &LoginSpec::oauth2("eBay", "/identity/v1/oauth2/token")
    ///     .supplied(&[Supplied::param("grant_type", "client_credentials")]);
    /// assert_eq!(SPEC.class_of_code("server_error"), ErrorClass::Transient);
    /// assert_eq!(SPEC.class_of_code("invalid_grant"), ErrorClass::Rejected);
    /// ```
    pub const fn oauth2(vendor: &'static str, path: &'static str) -> Self {
        const MESSAGE: &[FieldPath] = &[FieldPath::new(&["error_description"])];
        LoginSpec::new(
            vendor,
            path,
            FieldPath::new(&["access_token"]),
            Lifetime::Seconds(FieldPath::new(&["expires_in"])),
        )
        .body(BodyEncoding::Form)
        .scheme(Scheme::Fixed("Bearer"))
        .error_code(FieldPath::new(&["error"]))
        .error_message(MESSAGE)
        .oauth2_codes()
    }

    const fn oauth2_codes(mut self) -> Self {
        self.oauth2 = true;
        self
    }

    /// Values the endpoint supplies on the login: constants and fresh values, in the body, the
    /// query or the headers.
    pub const fn supplied(mut self, supplied: &'static [Supplied]) -> Self {
        self.supplied = supplied;
        self
    }
    /// Values supplied on every later (authorised) request: headers or query parameters, each
    /// fresh where it is not a constant.
    pub const fn request_supplied(mut self, supplied: &'static [Supplied]) -> Self {
        self.request_supplied = supplied;
        self
    }
    /// Where the token is in the answer.
    pub const fn token_field(mut self, path: FieldPath) -> Self {
        self.token = path;
        self
    }
    /// Where the token's lifetime comes from.
    pub const fn lifetime_from(mut self, lifetime: Lifetime) -> Self {
        self.lifetime = lifetime;
        self
    }
    /// The lifetime to assume when the answer has no lifetime field (the vendor documents it).
    pub const fn default_lifetime(mut self, lifetime: Duration) -> Self {
        self.default_lifetime = Some(lifetime);
        self
    }
    /// The vendor's codes by which a refresh grant's answer refuses the refresh token itself
    /// (spent, revoked, expired): the seller must approve the app again. Any other refusal of a
    /// refresh (a wrong app secret, a bad signature) leaves the refresh token alone. OAuth 2
    /// endpoints add `invalid_grant` (RFC 6749, section 5.2).
    pub const fn refresh_refused(mut self, codes: &'static [&'static str]) -> Self {
        self.refresh_refused = codes;
        self
    }

    /// Whether `code`, in a refresh grant's answer, refuses the refresh token itself.
    pub(crate) fn refuses_refresh_token(&self, code: &str) -> bool {
        self.refresh_refused.contains(&code) || (self.oauth2 && code == "invalid_grant")
    }

    /// Vendor codes (read at `error_code`) by which a later request says the token is no longer
    /// valid; HTTP 401 and 403 always mean that.
    pub const fn token_rejected(mut self, codes: &'static [&'static str]) -> Self {
        self.token_rejected = codes;
        self
    }

    /// The vendor's documented default base URL.
    pub const fn base_url(mut self, url: &'static str) -> Self {
        self.base_url = Some(url);
        self
    }
    /// The HTTP method.
    pub const fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }
    /// How fields are encoded.
    pub const fn body(mut self, body: BodyEncoding) -> Self {
        self.body = body;
        self
    }
    /// The digest for fields marked `hashed`.
    pub const fn hash(mut self, hash: HashAlgorithm) -> Self {
        self.hash = Some(hash);
        self
    }
    /// Conditions that all hold on success. With none, any 2xx answer with a token succeeds.
    pub const fn success(mut self, rules: &'static [SuccessRule]) -> Self {
        self.success = rules;
        self
    }
    /// Where the vendor's error code is.
    pub const fn error_code(mut self, path: FieldPath) -> Self {
        self.error_code = Some(path);
        self
    }
    /// Where the vendor's error message is; the first present field wins.
    pub const fn error_message(mut self, paths: &'static [FieldPath]) -> Self {
        self.error_message = paths;
        self
    }
    /// Vendor error codes that are transient or rate limits rather than rejections.
    pub const fn code_classes(mut self, classes: &'static [CodeClass]) -> Self {
        self.code_classes = classes;
        self
    }
    /// How the token's scheme is known.
    pub const fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }
    /// Whether each successful request extends the lifetime.
    pub const fn sliding(mut self, sliding: bool) -> Self {
        self.sliding = sliding;
        self
    }
    /// Where the refresh token is.
    pub const fn refresh_token(mut self, path: FieldPath) -> Self {
        self.refresh_token = Some(path);
        self
    }
    /// Where the refresh token's lifetime comes from; undeclared, it is unknown.
    pub const fn refresh_lifetime(mut self, lifetime: RefreshLifetime) -> Self {
        self.refresh_lifetime = Some(lifetime);
        self
    }
    /// Where the answer names the account the token acts for (IOP's `seller_id`).
    pub const fn account(mut self, path: FieldPath) -> Self {
        self.account = Some(path);
        self
    }
    /// How later requests carry the token.
    pub const fn send_as(mut self, send_as: SendAs) -> Self {
        self.send_as = send_as;
        self
    }
    /// The signer applied to the login's parameters and to every later request's.
    pub const fn signer(mut self, signer: &'static dyn Signer) -> Self {
        self.signer = Some(signer);
        self
    }
    /// A signer for later requests only: the login is not signed, and the field marked
    /// `signing_key` is sent on it like any other (TikTok Shop's `app_secret`).
    pub const fn request_signer(mut self, signer: &'static dyn Signer) -> Self {
        self.request_signer = Some(signer);
        self
    }

    /// The signer of later requests: the declared one, or the login's.
    pub(crate) fn request_signer_or_login(&self) -> Option<&'static dyn Signer> {
        match self.request_signer {
            Some(signer) => Some(signer),
            None => self.signer,
        }
    }

    /// The vendor's name, used in errors and tracing.
    pub const fn vendor(&self) -> &'static str {
        self.vendor
    }
    /// The login path, appended to the base URL.
    pub const fn path(&self) -> &'static str {
        self.path
    }
    /// The documented default base URL, if the endpoint declares one.
    pub const fn default_base_url(&self) -> Option<&'static str> {
        self.base_url
    }
    /// The answer's field naming the account the token acts for (`seller_id`), if declared.
    pub const fn account_field(&self) -> Option<FieldPath> {
        self.account
    }
    /// How later requests carry the token.
    pub const fn token_placement(&self) -> SendAs {
        self.send_as
    }
    /// Whether each successful request extends the lifetime.
    pub const fn is_sliding(&self) -> bool {
        self.sliding
    }
    /// Where the lifetime comes from.
    pub const fn lifetime(&self) -> Lifetime {
        self.lifetime
    }
    /// Where the refresh token's lifetime comes from, if the endpoint declares it.
    pub const fn declared_refresh_lifetime(&self) -> Option<RefreshLifetime> {
        self.refresh_lifetime
    }
    /// The class of a vendor error code on login: as declared, or a rejection when undeclared.
    ///
    /// ```
    /// use auth_core::ErrorClass;
    /// use auth_core::spec::{CodeClass, FieldPath, Lifetime, LoginSpec};
    ///
    /// const SPEC: LoginSpec = LoginSpec::new("V", "/login", FieldPath::new(&["t"]), Lifetime::JwtExp)
    ///     .code_classes(&[CodeClass::new("02", ErrorClass::Transient)]);
    /// assert_eq!(SPEC.class_of_code("02"), ErrorClass::Transient);
    /// assert_eq!(SPEC.class_of_code("200002"), ErrorClass::Rejected);
    /// ```
    pub fn class_of_code(&self, code: &str) -> ErrorClass {
        self.declared_class(code).unwrap_or(ErrorClass::Rejected)
    }
}

impl fmt::Debug for LoginSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginSpec")
            .field("vendor", &self.vendor)
            .field("path", &self.path)
            .field("method", &self.method)
            .field("body", &self.body)
            .field("token", &self.token)
            .field("lifetime", &self.lifetime)
            .field("send_as", &self.send_as)
            .finish_non_exhaustive()
    }
}

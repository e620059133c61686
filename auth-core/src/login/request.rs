//! Turns an endpoint's description and credentials into one HTTP request.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use md5::{Digest, Md5};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue};
use url::Url;

use crate::endpoint::{FieldSpec, LoginEndpoint, Params, Place};
use crate::error::{ConfigError, Error};
use crate::redact::Redactor;
use crate::secret::{Secret, sensitive_header, wiped_body};
use crate::signing::{Signing, WireParams};
use crate::spec::{BodyEncoding, HashAlgorithm, LoginSpec, Method, Slot};

use super::supplied;

/// MD5 of `text` as 32 lower-case hex digits.
///
/// ```
/// assert_eq!(auth_core::md5_hex("123456"), "e10adc3949ba59abbe56e057f20f883e");
/// ```
pub fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

fn digest(hash: HashAlgorithm, text: &str) -> String {
    match hash {
        HashAlgorithm::Md5 => md5_hex(text),
    }
}

/// One credential field as it goes on the wire: hashed if asked, with where it goes.
#[derive(Clone)]
pub(crate) struct WireField<'a> {
    pub(crate) spec: FieldSpec,
    pub(crate) text: Cow<'a, str>,
    pub(crate) secret: bool,
}

/// The credential fields sorted by where they go, and the secrets among them.
pub(crate) struct Resolved<'a> {
    pub(crate) body: WireParams<'a>,
    /// Parameters that go in the URL's query string whatever the body.
    pub(crate) query: WireParams<'a>,
    /// Body fields that are integers, which a JSON body sends as numbers.
    pub(crate) numbers: Vec<&'static str>,
    pub(crate) headers: Vec<WireField<'a>>,
    /// The HTTP Basic header value, when the endpoint authenticates so (wiped when dropped).
    pub(crate) basic: Option<Secret>,
    pub(crate) signing_key: Option<Cow<'a, str>>,
    /// Fields marked `every_request`, for later requests.
    pub(crate) carried: Vec<WireField<'a>>,
    /// The fields that are not secret (and not digests of secrets), which identify the account.
    pub(crate) body_public: Vec<(&'static str, Cow<'a, str>)>,
    /// The secret fields (the signing key among them) as sent, for the store's fingerprint.
    pub(crate) secrets: Vec<(&'static str, Cow<'a, str>)>,
    pub(crate) redactor: Redactor,
}

/// Applies the hash to the fields that ask for it, and sorts them by place.
pub(crate) fn resolve<'a>(spec: &LoginSpec, params: Params<'a>) -> Resolved<'a> {
    let mut out = Resolved {
        body: Vec::with_capacity(params.len() + 4),
        query: Vec::new(),
        numbers: Vec::new(),
        headers: Vec::new(),
        basic: None,
        signing_key: None,
        carried: Vec::new(),
        body_public: Vec::new(),
        secrets: Vec::new(),
        redactor: Redactor::default(),
    };
    let mut basic: Option<(Cow<'a, str>, Cow<'a, str>)> = None;
    for param in params.items {
        let secret = param.value.secret;
        if param.value.number && !param.spec.hashed {
            out.numbers.push(param.spec.name);
        }
        let mut text = param.value.text;
        if param.spec.hashed {
            if secret {
                out.redactor.add(&text);
            }
            // A hashed field without an algorithm is refused by the macro; by hand, MD5 is the
            // only algorithm there is.
            text = Cow::Owned(digest(spec.hash.unwrap_or(HashAlgorithm::Md5), &text));
        }
        if secret {
            out.redactor.add(&text);
        }
        let field = WireField {
            spec: param.spec,
            text,
            secret,
        };
        if !secret && field.spec.place != Place::SigningKey {
            out.body_public.push((field.spec.name, field.text.clone()));
        } else {
            out.secrets.push((field.spec.name, field.text.clone()));
        }
        if field.spec.every_request {
            out.carried.push(field.clone());
        }
        let name = Cow::Borrowed(field.spec.name);
        match field.spec.place {
            Place::Body => out.body.push((name, field.text)),
            Place::Query => out.query.push((name, field.text)),
            Place::BodyAndQuery => {
                out.query.push((name.clone(), field.text.clone()));
                out.body.push((name, field.text));
            }
            Place::Header => out.headers.push(field),
            Place::SigningKey => {
                // A key signs later requests only when the login is unsigned (TikTok Shop's
                // `app_secret`): the login then sends it like any other field.
                if spec.signer.is_none() && !name.is_empty() {
                    out.body.push((name, field.text.clone()));
                }
                out.signing_key = Some(field.text);
            }
            Place::BasicUser => basic.get_or_insert_default().0 = field.text,
            Place::BasicPassword => basic.get_or_insert_default().1 = field.text,
        }
    }
    if let Some((user, password)) = &basic {
        let header = supplied::basic(user, password);
        // A vendor may quote the header it refused: its encoded form is a secret too.
        if let Some(encoded) = header.strip_prefix("Basic ") {
            out.redactor.add(encoded);
        }
        out.basic = Some(Secret::from(header));
    }
    out
}

/// The request, ready to send, and the secrets to keep out of whatever comes back.
pub(crate) struct Prepared {
    pub(crate) request: reqwest::RequestBuilder,
    pub(crate) redactor: Redactor,
}

pub(crate) fn prepare<E: LoginEndpoint>(
    endpoint: &E,
    url: &Url,
    api_path: &str,
    client: &reqwest::Client,
    timeout: Duration,
    now: SystemTime,
) -> Result<Prepared, Error> {
    let spec = E::SPEC;
    let vendor = spec.vendor;
    let mut params = Params::new();
    endpoint.params(&mut params);
    let Resolved {
        body: mut wire,
        query: mut in_query,
        numbers,
        headers,
        basic,
        signing_key,
        redactor,
        ..
    } = resolve(spec, params);
    // Declared values go first, as vendors' documents write them (`grant_type=...&...`).
    let mut supplied_headers = Vec::new();
    let (mut constants, mut query_constants) = (Vec::new(), Vec::new());
    for supplied in spec.supplied {
        let value = supplied::text(supplied.value, now);
        let name = Cow::Borrowed(supplied.name);
        match supplied.slot {
            Slot::Body => constants.push((name, value)),
            Slot::Query => query_constants.push((name, value)),
            Slot::Header => supplied_headers.push((supplied.name, value)),
        }
    }
    constants.append(&mut wire);
    wire = constants;
    query_constants.append(&mut in_query);
    in_query = query_constants;

    // Where the fields go: all in the query for GET and `body = query`, else in the body.
    let encoding = match (spec.method, spec.body) {
        (Method::Get, _) | (_, BodyEncoding::Query) => {
            wire.append(&mut in_query);
            in_query = wire;
            wire = Vec::new();
            BodyEncoding::Query
        }
        (_, encoding) => encoding,
    };
    let json = (encoding == BodyEncoding::Json).then(|| {
        let object: serde_json::Map<String, serde_json::Value> = wire
            .iter()
            .map(|(name, value)| (name.to_string(), json_value(name, value, &numbers)))
            .collect();
        serde_json::Value::Object(object).to_string()
    });

    if let Some(signer) = spec.signer {
        let key = signing_key.ok_or(Error::config(vendor, ConfigError::MissingSigningKey))?;
        let http_method = method(spec.method);
        let signing = Signing::new(api_path, &key, now)
            .with_method(http_method.as_str())
            .with_body(json.as_deref().unwrap_or_default().as_bytes());
        // The signer sees every parameter (a form's fields among them); what it adds goes in
        // the form for a form body, and in the query otherwise.
        if encoding == BodyEncoding::Form {
            let in_url = in_query.len();
            let mut all = std::mem::take(&mut in_query);
            all.append(&mut wire);
            signer.sign(&signing, &mut all);
            wire = all.split_off(in_url.min(all.len()));
            in_query = all;
        } else {
            signer.sign(&signing, &mut in_query);
        }
    }

    let mut url = url.clone();
    if !in_query.is_empty() {
        url.query_pairs_mut().extend_pairs(in_query.iter());
    }
    let builder = client.request(method(spec.method), url);
    let mut request = match (encoding, json) {
        (_, Some(body)) => builder
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(wiped_body(body)),
        (BodyEncoding::Form, None) => {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(wire.iter())
                .finish();
            builder
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(wiped_body(body))
        }
        _ => builder,
    };
    request = request.header(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in &supplied_headers {
        request = request.header(
            header_name(vendor, name)?,
            header_value(vendor, name, value, false)?,
        );
    }
    if let Some(basic) = basic {
        request = request.header(
            AUTHORIZATION,
            header_value(vendor, "Authorization", basic.expose(), true)?,
        );
    }
    for field in &headers {
        let name = field.spec.name;
        request = request.header(
            header_name(vendor, name)?,
            header_value(vendor, name, &field.text, field.secret)?,
        );
    }
    Ok(Prepared {
        request: request.timeout(timeout),
        redactor,
    })
}

/// A JSON body's value: an integer field as a number, anything else as a string.
fn json_value(name: &str, text: &str, numbers: &[&str]) -> serde_json::Value {
    if numbers.contains(&name) {
        if let Ok(n) = text.parse::<i64>() {
            return n.into();
        }
        if let Ok(n) = text.parse::<u64>() {
            return n.into();
        }
    }
    serde_json::Value::from(text)
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
    }
}

pub(crate) fn header_name(vendor: &'static str, name: &'static str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::config(vendor, ConfigError::BadHeaderValue { header: name }))
}

pub(crate) fn header_value(
    vendor: &'static str,
    name: &'static str,
    value: &str,
    secret: bool,
) -> Result<HeaderValue, Error> {
    let bad = |_| Error::config(vendor, ConfigError::BadHeaderValue { header: name });
    if secret {
        return sensitive_header(value.to_owned()).map_err(bad);
    }
    HeaderValue::from_str(value).map_err(bad)
}

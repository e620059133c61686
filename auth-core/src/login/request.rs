//! Turns an endpoint's description and credentials into one HTTP request.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use md5::{Digest, Md5};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderName, HeaderValue};
use url::Url;

use crate::endpoint::{FieldSpec, LoginEndpoint, Params, Place};
use crate::error::{ConfigError, Error};
use crate::redact::Redactor;
use crate::secret::{sensitive_header, wiped_body};
use crate::signing::WireParams;
use crate::spec::{BodyEncoding, HashAlgorithm, LoginSpec, Method};

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
    pub(crate) headers: Vec<WireField<'a>>,
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
        headers: Vec::new(),
        signing_key: None,
        carried: Vec::new(),
        body_public: Vec::new(),
        secrets: Vec::new(),
        redactor: Redactor::default(),
    };
    for param in params.items {
        let secret = param.value.secret;
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
        match field.spec.place {
            Place::Body => out.body.push((Cow::Borrowed(field.spec.name), field.text)),
            Place::Header => out.headers.push(field),
            Place::SigningKey => out.signing_key = Some(field.text),
        }
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
        headers,
        signing_key,
        redactor,
        ..
    } = resolve(spec, params);

    if let Some(signer) = spec.signer {
        let key = signing_key.ok_or(Error::config(vendor, ConfigError::MissingSigningKey))?;
        signer.sign(api_path, &key, now, &mut wire);
    }

    let mut url = url.clone();
    let mut request = match (spec.method, spec.body) {
        (Method::Get, _) | (_, BodyEncoding::Query) => {
            if !wire.is_empty() {
                url.query_pairs_mut().extend_pairs(wire.iter());
            }
            client.request(method(spec.method), url)
        }
        (m, BodyEncoding::Json) => {
            let object: serde_json::Map<String, serde_json::Value> = wire
                .iter()
                .map(|(name, value)| (name.to_string(), serde_json::Value::from(value.as_ref())))
                .collect();
            let body = serde_json::Value::Object(object).to_string();
            client
                .request(method(m), url)
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(wiped_body(body))
        }
        (m, BodyEncoding::Form) => {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(wire.iter())
                .finish();
            client
                .request(method(m), url)
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-www-form-urlencoded"),
                )
                .body(wiped_body(body))
        }
    };
    request = request.header(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in spec.headers {
        request = request.header(
            header_name(vendor, name)?,
            header_value(vendor, name, value, false)?,
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

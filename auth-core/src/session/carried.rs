//! What every authorised request carries besides the token: declared headers and parameters,
//! fields marked `every_request`, and the signing key. Resolved once, when the session is
//! built, except the values made fresh for each request.

use std::borrow::Cow;
use std::time::SystemTime;

use reqwest::header::{HeaderName, HeaderValue};

use crate::endpoint::{LoginEndpoint, Params, Place};
use crate::error::Error;
use crate::login::request::{header_name, header_value, resolve};
use crate::login::supplied;
use crate::secret::Secret;
use crate::spec::{Slot, Value};

#[derive(Debug, Default)]
pub(crate) struct Carried {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) params: Vec<(&'static str, Secret)>,
    /// Headers made fresh for each request (a correlation id, a timestamp).
    pub(crate) fresh_headers: Vec<(&'static str, HeaderName, Value)>,
    /// Parameters made fresh for each request.
    pub(crate) fresh_params: Vec<(&'static str, Value)>,
    pub(crate) signing_key: Option<Secret>,
}

impl Carried {
    pub(crate) fn of<E: LoginEndpoint>(endpoint: &E) -> Result<Self, Error> {
        let spec = E::SPEC;
        let vendor = spec.vendor;
        let mut params = Params::new();
        endpoint.params(&mut params);
        let resolved = resolve(spec, params);
        let mut carried = Carried {
            signing_key: resolved
                .signing_key
                .map(|key| Secret::from(key.into_owned())),
            ..Carried::default()
        };
        for supplied in spec.request_supplied {
            let name = supplied.name;
            match (supplied.slot, supplied.value) {
                (Slot::Header, Value::Text(text)) => carried.headers.push((
                    header_name(vendor, name)?,
                    header_value(vendor, name, text, false)?,
                )),
                (Slot::Header, fresh) => {
                    carried
                        .fresh_headers
                        .push((name, header_name(vendor, name)?, fresh))
                }
                (_, Value::Text(text)) => carried.params.push((name, Secret::from(text))),
                (_, fresh) => carried.fresh_params.push((name, fresh)),
            }
        }
        for field in resolved.carried {
            let name = field.spec.name;
            match field.spec.place {
                Place::Header => {
                    carried.headers.push((
                        header_name(vendor, name)?,
                        header_value(vendor, name, &field.text, field.secret)?,
                    ));
                }
                Place::Body | Place::Query | Place::BodyAndQuery => carried
                    .params
                    .push((name, Secret::from(field.text.into_owned()))),
                Place::SigningKey | Place::BasicUser | Place::BasicPassword => {}
            }
        }
        Ok(carried)
    }

    /// The fresh headers for a request made at `now`.
    pub(crate) fn fresh_headers(
        &self,
        vendor: &'static str,
        now: SystemTime,
    ) -> impl Iterator<Item = Result<(&HeaderName, HeaderValue), Error>> {
        self.fresh_headers.iter().map(move |(name, header, value)| {
            let text: Cow<'static, str> = supplied::text(*value, now);
            Ok((header, header_value(vendor, name, &text, false)?))
        })
    }
}

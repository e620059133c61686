//! What every authorised request carries besides the token: fixed headers, fields marked
//! `every_request`, and the signing key. Resolved once, when the session is built.

use reqwest::header::{HeaderName, HeaderValue};

use crate::endpoint::{LoginEndpoint, Params, Place};
use crate::error::Error;
use crate::login::request::{header_name, header_value, resolve};
use crate::secret::Secret;

#[derive(Debug, Default)]
pub(crate) struct Carried {
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) params: Vec<(&'static str, Secret)>,
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
        for (name, value) in spec.request_headers {
            carried.headers.push((
                header_name(vendor, name)?,
                header_value(vendor, name, value, false)?,
            ));
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
                Place::Body => carried
                    .params
                    .push((name, Secret::from(field.text.into_owned()))),
                Place::SigningKey => {}
            }
        }
        Ok(carried)
    }
}

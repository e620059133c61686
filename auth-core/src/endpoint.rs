//! The trait a login endpoint implements, and the parameters it hands to the executor.

use std::borrow::Cow;

use crate::refresh_grant::RefreshGrant;
use crate::secret::Secret;
use crate::spec::LoginSpec;

/// A login endpoint: a struct of credentials plus the description of how to log in with them.
///
/// `#[login_endpoint(...)]` implements it. When the macro does not fit, implement it by hand:
///
/// ```
/// use auth_core::spec::{FieldPath, Lifetime, LoginSpec, Scheme};
/// use auth_core::{FieldSpec, LoginEndpoint, Params, Secret};
///
/// struct MyLogin {
///     user: String,
///     password: Secret,
/// }
///
/// impl LoginEndpoint for MyLogin {
///     const SPEC: &'static LoginSpec = &LoginSpec::new(
///         "MyVendor",
///         "/login",
///         FieldPath::new(&["token"]),
///         Lifetime::Seconds(FieldPath::new(&["expires_in"])),
///     )
///     .scheme(Scheme::Fixed("Bearer"));
///
///     fn params<'a>(&'a self, out: &mut Params<'a>) {
///         out.push(FieldSpec::body("user"), &self.user);
///         out.push(FieldSpec::body("password"), &self.password);
///     }
/// }
/// ```
pub trait LoginEndpoint: Send + Sync + 'static {
    /// How to log in.
    const SPEC: &'static LoginSpec;

    /// Hands every credential field to `out`, each with where it goes.
    fn params<'a>(&'a self, out: &mut Params<'a>);

    /// The refresh grant sessions renew through, declared with `refresh = ...`; none by default
    /// (a session then logs in again).
    const REFRESH: Option<RefreshGrant<Self>> = None;
}

/// Where a credential field goes in the login request.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In the body (or the query string, for `body = query`).
    Body,
    /// In the URL's query string, whatever the body.
    Query,
    /// In the body and, with the same name, in the query string (Shopee's `partner_id`).
    BodyAndQuery,
    /// In a header.
    Header,
    /// Nowhere: it keys the request signature.
    SigningKey,
    /// The user name of HTTP Basic authentication (an OAuth client id).
    BasicUser,
    /// The password of HTTP Basic authentication (an OAuth client secret).
    BasicPassword,
}

/// The wire name and placement of one credential field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub(crate) name: &'static str,
    pub(crate) place: Place,
    pub(crate) hashed: bool,
    pub(crate) every_request: bool,
}

impl FieldSpec {
    /// A body (or query) parameter with this wire name.
    pub const fn body(name: &'static str) -> Self {
        FieldSpec {
            name,
            place: Place::Body,
            hashed: false,
            every_request: false,
        }
    }
    /// A header with this name.
    pub const fn header(name: &'static str) -> Self {
        FieldSpec {
            name,
            place: Place::Header,
            hashed: false,
            every_request: false,
        }
    }
    /// The key of the request signature; never sent.
    pub const fn signing_key() -> Self {
        FieldSpec::at("", Place::SigningKey)
    }
    /// A field with this wire name, sent at `place`.
    pub const fn at(name: &'static str, place: Place) -> Self {
        FieldSpec {
            name,
            place,
            hashed: false,
            every_request: false,
        }
    }
    /// Sends the digest of the value (the endpoint's `hash`) instead of the value.
    pub const fn hashed(mut self) -> Self {
        self.hashed = true;
        self
    }
    /// Sends the field on every later (authorised) request too, as a header or a parameter.
    pub const fn every_request(mut self) -> Self {
        self.every_request = true;
        self
    }
}

/// One credential field's value, as handed over by [`LoginEndpoint::params`].
#[derive(Debug)]
pub(crate) struct Param<'a> {
    pub(crate) spec: FieldSpec,
    pub(crate) value: ParamValue<'a>,
}

/// A field value that remembers whether it is secret, so it can be redacted from errors.
pub(crate) struct ParamValue<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) secret: bool,
    /// An integer, which a JSON body sends as a number.
    pub(crate) number: bool,
}

impl std::fmt::Debug for ParamValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.secret {
            f.write_str("[redacted]")
        } else {
            std::fmt::Debug::fmt(&self.text, f)
        }
    }
}

/// The credential fields of one login, collected by [`LoginEndpoint::params`].
#[derive(Debug, Default)]
pub struct Params<'a> {
    pub(crate) items: Vec<Param<'a>>,
}

impl<'a> Params<'a> {
    /// An empty list.
    pub fn new() -> Self {
        Params { items: Vec::new() }
    }

    /// Adds a field. A value that is absent (`None`) is not sent at all.
    pub fn push<T: LoginValue + ?Sized>(&mut self, spec: FieldSpec, value: &'a T) {
        if let Some(text) = value.login_value() {
            self.items.push(Param {
                spec,
                value: ParamValue {
                    text,
                    secret: value.is_secret(),
                    number: value.is_integer(),
                },
            });
        }
    }

    /// How many fields will be sent or used.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A type a credential field may have: it knows its wire text and whether it is secret.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a login field",
    label = "a login field's type must turn into request text",
    note = "use `String` for plain text, `auth_core::Secret` for a password or key, an integer, or `Option` of one of these"
)]
pub trait LoginValue {
    /// The text to send, or `None` to leave the field out.
    fn login_value(&self) -> Option<Cow<'_, str>>;
    /// Whether the value must be kept out of errors and logs.
    fn is_secret(&self) -> bool {
        false
    }
    /// Whether the value is an integer, which a JSON body sends as a number (not a string).
    fn is_integer(&self) -> bool {
        false
    }
}

impl LoginValue for str {
    fn login_value(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

impl LoginValue for String {
    fn login_value(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

impl<T: LoginValue + ?Sized> LoginValue for &T {
    fn login_value(&self) -> Option<Cow<'_, str>> {
        (**self).login_value()
    }
    fn is_secret(&self) -> bool {
        (**self).is_secret()
    }
    fn is_integer(&self) -> bool {
        (**self).is_integer()
    }
}

impl LoginValue for Secret {
    fn login_value(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self.expose()))
    }
    fn is_secret(&self) -> bool {
        true
    }
}

impl<T: LoginValue> LoginValue for Option<T> {
    fn login_value(&self) -> Option<Cow<'_, str>> {
        self.as_ref().and_then(LoginValue::login_value)
    }
    fn is_secret(&self) -> bool {
        self.as_ref().is_some_and(LoginValue::is_secret)
    }
    fn is_integer(&self) -> bool {
        self.as_ref().is_some_and(LoginValue::is_integer)
    }
}

macro_rules! login_value_for_integers {
    ($($t:ty),*) => {$(
        impl LoginValue for $t {
            fn login_value(&self) -> Option<Cow<'_, str>> {
                Some(Cow::Owned(self.to_string()))
            }
            fn is_integer(&self) -> bool {
                true
            }
        }
    )*};
}
login_value_for_integers!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_values_are_left_out_and_secrets_are_marked() {
        let name = String::from("shop");
        let password = Secret::from("pw");
        let uuid: Option<String> = None;
        let tenant = 10000u32;
        let mut params = Params::new();
        params.push(FieldSpec::body("name"), &name);
        params.push(FieldSpec::body("password").hashed(), &password);
        params.push(FieldSpec::body("uuid"), &uuid);
        params.push(FieldSpec::header("tenant-id"), &tenant);
        assert_eq!(params.len(), 3);
        assert!(!params.items[0].value.secret);
        assert!(params.items[1].value.secret && params.items[1].spec.hashed);
        assert_eq!(params.items[2].value.text, "10000");
        assert!(!format!("{params:?}").contains("pw\""), "{params:?}");
    }
}

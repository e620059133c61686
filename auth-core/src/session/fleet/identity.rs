//! Whose tokens a session's are, as keys in a shared store.
//!
//! A key is the vendor's name and a digest of what tells accounts apart: the login URL, the
//! non-secret credential fields (e-mail, app key, tenant) and then either
//! - the account the application names ([`SessionBuilder::account`](crate::SessionBuilder::account)),
//!   or the one a vendor's answer names (IOP's `seller_id`): one app serves many sellers, and
//!   only the account tells their tokens apart; or
//! - without an account, a slow fingerprint of the secret fields (a password, an IOP
//!   authorization code), so that two sellers' codes, or two apps that differ only in a secret,
//!   never share a key. Store keys are readable by whoever reads the store, so a fast digest of a
//!   password there could be guessed offline; PBKDF2 makes each guess cost as much as a login.

use std::borrow::Cow;

use secrecy::zeroize::Zeroizing;
use sha2::{Digest, Sha256};
use url::Url;

use crate::endpoint::{LoginEndpoint, Params};
use crate::login::request::resolve;

/// PBKDF2-HMAC-SHA256 rounds for the secret fingerprint: paid once per session built with a
/// store and no account, and by anyone guessing a secret from a key, once per guess.
const FINGERPRINT_ROUNDS: u32 = 100_000;

/// Where a session's own key comes from.
pub(crate) enum KeySource {
    /// The account's key, made at once.
    Ready(String),
    /// The framed secret fields, to fingerprint (slowly, on the blocking pool) when the store is
    /// first used. Wiped on drop.
    Fingerprint(Zeroizing<Vec<u8>>),
}

/// What a session's store keys are made of. Holds no secret.
#[derive(Clone)]
pub(crate) struct Identity {
    /// The vendor's name, lower case, letters and digits: readable keys.
    slug: String,
    /// Vendor, login URL and non-secret fields, each field framed so no two inputs collide.
    public: Vec<u8>,
    /// The non-secret fields as `name=value`, for listings.
    fields: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("slug", &self.slug)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The identity of `endpoint`'s account at `login_url`, and this session's own key: the
    /// account's, when one is named, or else the secret fingerprint's. `None` when nothing
    /// at all tells accounts apart.
    pub(crate) fn of<E: LoginEndpoint>(
        endpoint: &E,
        login_url: &Url,
        account: Option<&str>,
    ) -> Option<(Identity, KeySource)> {
        let mut params = Params::new();
        endpoint.params(&mut params);
        let resolved = resolve(E::SPEC, params);
        let mut public = Vec::new();
        frame(&mut public, E::SPEC.vendor().as_bytes());
        frame(&mut public, login_url.as_str().as_bytes());
        frame_pairs(&mut public, &resolved.body_public);
        let slug: String = E::SPEC
            .vendor()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let fields = resolved
            .body_public
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(" ");
        let identity = Identity {
            slug,
            public,
            fields,
        };
        if let Some(account) = account {
            let key = identity.account_key(account);
            return Some((identity, KeySource::Ready(key)));
        }
        let mut secrets = Zeroizing::new(Vec::new());
        frame_pairs(&mut secrets, &resolved.secrets);
        if resolved.body_public.is_empty() && secrets.is_empty() {
            return None;
        }
        Some((identity, KeySource::Fingerprint(secrets)))
    }

    /// The key of the credentials whose secret fields are `secrets` (framed): PBKDF2's rounds,
    /// tens of milliseconds, so the caller runs it off the async threads.
    pub(crate) fn fingerprint_key(&self, secrets: &[u8]) -> String {
        let mut fingerprint = Zeroizing::new([0u8; 32]);
        pbkdf2::pbkdf2_hmac::<Sha256>(secrets, &self.public, FINGERPRINT_ROUNDS, &mut *fingerprint);
        self.key(b"secrets", &*fingerprint)
    }

    /// Everything that tells one set of credentials from another: the identity's public part
    /// (vendor, login URL, non-secret fields) and then `endpoint`'s secret fields, framed; what a
    /// fleet's failure record fingerprints. Wiped on drop.
    pub(crate) fn credentials<E: LoginEndpoint>(&self, endpoint: &E) -> Zeroizing<Vec<u8>> {
        let mut params = Params::new();
        endpoint.params(&mut params);
        let resolved = resolve(E::SPEC, params);
        let mut bytes = Zeroizing::new(self.public.clone());
        frame_pairs(&mut bytes, &resolved.secrets);
        bytes
    }

    /// How a listing names the entry: the non-secret fields, and the account when there is one.
    pub(crate) fn label(&self, account: Option<&str>) -> String {
        match account {
            Some(account) if self.fields.is_empty() => format!("account={account}"),
            Some(account) => format!("{} account={account}", self.fields),
            None => self.fields.clone(),
        }
    }

    /// The key of `account` (as the application or the vendor names it).
    pub(crate) fn account_key(&self, account: &str) -> String {
        self.key(b"account", account.as_bytes())
    }

    fn key(&self, kind: &[u8], value: &[u8]) -> String {
        let mut digest = Sha256::new();
        digest.update(&self.public);
        let mut tail = Vec::new();
        frame(&mut tail, kind);
        frame(&mut tail, value);
        digest.update(&tail);
        let digest = digest.finalize();
        let short = digest.get(..16).unwrap_or(&digest);
        format!("{}-{}", self.slug, hex::encode(short))
    }
}

/// Appends each name and value framed.
fn frame_pairs(out: &mut Vec<u8>, pairs: &[(&'static str, Cow<'_, str>)]) {
    for (name, value) in pairs {
        frame(out, name.as_bytes());
        frame(out, value.as_bytes());
    }
}

/// Appends `bytes` with its length before it, so that `("ab", "c")` and `("a", "bc")` differ.
fn frame(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FieldPath, Lifetime, LoginSpec};
    use crate::{FieldSpec, Secret};

    const SPEC: &LoginSpec = &LoginSpec::new(
        "Example",
        "/login",
        FieldPath::new(&["token"]),
        Lifetime::JwtExp,
    );

    struct Login {
        user: String,
        password: Secret,
    }

    impl LoginEndpoint for Login {
        const SPEC: &'static LoginSpec = SPEC;
        fn params<'a>(&'a self, out: &mut Params<'a>) {
            out.push(FieldSpec::body("user"), &self.user);
            out.push(FieldSpec::body("password"), &self.password);
        }
    }

    struct SecretOnly {
        api_secret: Secret,
    }

    impl LoginEndpoint for SecretOnly {
        const SPEC: &'static LoginSpec = SPEC;
        fn params<'a>(&'a self, out: &mut Params<'a>) {
            out.push(FieldSpec::body("api_secret"), &self.api_secret);
        }
    }

    fn url() -> Url {
        Url::parse("https://vendor.example/login").unwrap()
    }

    fn key<E: LoginEndpoint>(endpoint: &E, account: Option<&str>) -> Option<String> {
        Identity::of(endpoint, &url(), account).map(|(identity, source)| match source {
            KeySource::Ready(key) => key,
            KeySource::Fingerprint(secrets) => identity.fingerprint_key(&secrets),
        })
    }

    #[test]
    fn accounts_that_differ_only_in_a_secret_get_different_keys() {
        let a = key(
            &SecretOnly {
                api_secret: "first-app-secret".into(),
            },
            None,
        );
        let b = key(
            &SecretOnly {
                api_secret: "second-app-secret".into(),
            },
            None,
        );
        assert!(a.is_some() && b.is_some());
        assert_ne!(a, b);
        let again = key(
            &SecretOnly {
                api_secret: "first-app-secret".into(),
            },
            None,
        );
        assert_eq!(a, again, "the same credentials find their tokens again");
    }

    #[test]
    fn a_named_account_is_the_key_whatever_the_secrets() {
        let one = Login {
            user: "me".into(),
            password: "one-password".into(),
        };
        let two = Login {
            user: "me".into(),
            password: "another-password".into(),
        };
        assert_eq!(key(&one, Some("1001")), key(&two, Some("1001")));
        assert_ne!(key(&one, Some("1001")), key(&one, Some("1002")));
        assert_ne!(key(&one, Some("1001")), key(&one, None));
        let (identity, _) = Identity::of(&one, &url(), Some("1001")).unwrap();
        assert_eq!(Some(identity.account_key("1001")), key(&one, Some("1001")));
    }
}

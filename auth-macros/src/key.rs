//! The attribute's keys, listed once: parsing matches on them (so a key without a parser does
//! not compile), checks ask for them by name (so a misspelt check does not compile), and "did
//! you mean" suggests from the same list.

/// Declares [`Key`] and its spelling in the attribute, in one list.
macro_rules! keys {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A key of `#[login_endpoint(...)]`.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Key {
            $($(#[$doc])* $variant,)*
        }

        impl Key {
            /// Every key as written in the attribute, for suggestions.
            pub(crate) const NAMES: &'static [&'static str] = &[$($name,)*];

            /// The key as written in the attribute.
            pub(crate) fn name(self) -> &'static str {
                match self {
                    $(Key::$variant => $name,)*
                }
            }

            /// The key written `name`, if there is one.
            pub(crate) fn from_name(name: &str) -> Option<Key> {
                match name {
                    $($name => Some(Key::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

keys! {
    /// The login path.
    Path = "path",
    /// The HTTP method.
    Method = "method",
    /// How the fields are encoded.
    Body = "body",
    /// The digest of `hashed` fields.
    Hash = "hash",
    /// Where the token is in the answer.
    TokenField = "token_field",
    /// The documented base URL.
    BaseUrl = "base_url",
    /// The vendor's name in errors.
    Vendor = "vendor",
    /// A fixed header of the login.
    Header = "header",
    /// A header of every later request.
    RequestHeader = "request_header",
    /// A parameter the endpoint supplies on the login.
    Param = "param",
    /// A query parameter the endpoint supplies on the login, whatever the body.
    Query = "query",
    /// A parameter of every later request.
    RequestParam = "request_param",
    /// The lifetime when the answer has none.
    DefaultLifetime = "default_lifetime",
    /// A flag: an OAuth 2.0 token endpoint.
    Oauth2 = "oauth2",
    /// The refresh endpoint of this login.
    Refresh = "refresh",
    /// The login this refresh endpoint renews.
    Refreshes = "refreshes",
    /// A condition of success.
    Success = "success",
    /// Where the vendor's error code is.
    ErrorCode = "error_code",
    /// Where the vendor's message is.
    ErrorMessage = "error_message",
    /// Codes that mean "try again later".
    Transient = "transient",
    /// Codes that mean "slow down".
    RateLimited = "rate_limited",
    /// Codes that mean "the request is malformed".
    Protocol = "protocol",
    /// Codes by which a business answer rejects the token.
    TokenRejected = "token_rejected",
    /// Codes by which a refresh grant's answer refuses the refresh token itself.
    RefreshRefused = "refresh_refused",
    /// The token's scheme.
    Scheme = "scheme",
    /// Where the lifetime comes from.
    Lifetime = "lifetime",
    /// A flag: each use extends the lifetime.
    Sliding = "sliding",
    /// Where the refresh token is.
    RefreshToken = "refresh_token",
    /// Where the refresh token's lifetime comes from.
    RefreshLifetime = "refresh_lifetime",
    /// Where the answer names the account.
    Account = "account",
    /// How later requests carry the token.
    SendAs = "send_as",
    /// The signer of the login and every later request.
    Sign = "sign",
    /// The signer of later requests only.
    RequestSign = "request_sign",
    /// The wire names of fields without `rename`.
    RenameAll = "rename_all",
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_key() {
        for name in Key::NAMES {
            let key = Key::from_name(name).unwrap();
            assert_eq!(key.name(), *name);
        }
        assert_eq!(Key::from_name("hsah"), None);
    }
}

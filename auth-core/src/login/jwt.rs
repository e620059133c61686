//! The `exp` claim of a JWT, read without checking the signature (we hold no key, and the token
//! is only inspected for its lifetime, never trusted for anything else).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::error::ProtocolProblem;
use crate::json::{parse_strict, whole_number};

/// Seconds since the epoch at which the token expires.
pub(crate) fn expiry(token: &str) -> Result<u64, ProtocolProblem> {
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ProtocolProblem::MalformedJwt);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| ProtocolProblem::MalformedJwt)?;
    let claims: Value = parse_strict(&bytes).map_err(|_| ProtocolProblem::MalformedJwt)?;
    let exp = claims
        .as_object()
        .ok_or(ProtocolProblem::MalformedJwt)?
        .get("exp")
        .filter(|v| !v.is_null())
        .ok_or_else(|| ProtocolProblem::MissingField {
            field: "exp".into(),
        })?;
    whole_number(exp).ok_or_else(|| ProtocolProblem::BadLifetime {
        field: "exp".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_exp_as_number_or_string() {
        assert_eq!(
            expiry(&jwt(r#"{"sub":"1","exp":1727261338}"#)),
            Ok(1_727_261_338)
        );
        assert_eq!(expiry(&jwt(r#"{"exp":"1727261338"}"#)), Ok(1_727_261_338));
    }

    #[test]
    fn the_yz365_example_token_decodes() {
        // The payload of the seed page's example token ends with "exp":1727261338.
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMzAxMTExMTExMSIsImV4cCI6MTcyNzI2MTMzOH0.sig";
        assert_eq!(expiry(token), Ok(1_727_261_338));
    }

    #[test]
    fn malformed_tokens_are_protocol_errors() {
        for bad in [
            "",
            "abc",
            "a.b",
            "a.b.c.d",
            "a.!!!.c",
            &jwt("not json"),
            &jwt("[1]"),
        ] {
            assert_eq!(expiry(bad), Err(ProtocolProblem::MalformedJwt), "{bad}");
        }
        assert!(matches!(
            expiry(&jwt("{}")),
            Err(ProtocolProblem::MissingField { .. })
        ));
        assert!(matches!(
            expiry(&jwt(r#"{"exp":-5}"#)),
            Err(ProtocolProblem::BadLifetime { .. })
        ));
    }
}

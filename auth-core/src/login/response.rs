//! Reads a login response: a token with its lifetime, or the typed error it amounts to.
//!
//! Pure: no I/O and no clock of its own, so every response shape is a plain unit test.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::jwt;
use super::refresh_expiry::refresh_expiry;
use crate::error::{Error, ErrorClass, ProtocolProblem, TransientKind, VendorSaid};
use crate::http::status_error;
use crate::json::{
    Unparsable, lookup, optional_str, parse_strict, required_str, scalar_text, success_holds,
    type_name, whole_number,
};
use crate::redact::Redactor;
use crate::redact::vendor_said;
use crate::secret::Secret;
use crate::spec::{FieldPath, Lifetime, LoginSpec, Scheme};

/// A hundred years: anything longer is not a lifetime, it is a bug (and would overflow clocks).
const MAX_LIFETIME: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// What a successful login yields.
pub(crate) struct Issued {
    pub(crate) token: Secret,
    pub(crate) scheme: Option<String>,
    pub(crate) lifetime: Duration,
    pub(crate) refresh_token: Option<Secret>,
    /// When the refresh token stops being accepted, where the endpoint declares how to know;
    /// `None` when unknown, never, or without a refresh token.
    pub(crate) refresh_expires_at: Option<SystemTime>,
    /// The account the answer says the token acts for, where the endpoint declares where.
    pub(crate) account: Option<String>,
}

/// The parts of an HTTP answer the interpretation needs.
pub(crate) struct Answer<'a> {
    pub(crate) status: u16,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) body: &'a [u8],
}

pub(crate) fn interpret(
    spec: &LoginSpec,
    answer: &Answer<'_>,
    redactor: &Redactor,
    sent_at: SystemTime,
) -> Result<Issued, Error> {
    let vendor = spec.vendor;
    let status = answer.status;
    let (json, duplicate) = match parse_strict(answer.body) {
        Ok(value) => (Some(value), None),
        Err(Unparsable::DuplicateKey(key)) => (None, Some(key)),
        Err(Unparsable::NotJson) => (None, None),
    };
    let said = || {
        json.as_ref()
            .map(|v| vendor_said(spec, v, redactor))
            .unwrap_or_default()
    };
    let protocol = |problem| Error::Protocol {
        vendor,
        status,
        problem,
    };

    if let Some(err) = status_error(vendor, status, answer.retry_after, said) {
        return Err(err);
    }
    if let Some(key) = duplicate {
        return Err(protocol(ProtocolProblem::DuplicateKey { key }));
    }
    let credentials_refused = status == 401 || status == 403;
    let Some(json) = json.as_ref().filter(|v| v.is_object()) else {
        if credentials_refused {
            return Err(Error::Rejected {
                vendor,
                status,
                said: VendorSaid::default(),
                recorded_at: None,
            });
        }
        return Err(protocol(match &json {
            Some(other) => ProtocolProblem::WrongType {
                field: "(body)".into(),
                expected: "an object",
                found: type_name(other),
            },
            None => ProtocolProblem::NotJson {
                content_type: answer.content_type.map(str::to_owned),
                length: answer.body.len(),
            },
        }));
    };

    let succeeded = (200..300).contains(&status) && success_holds(spec.success, json);
    if !succeeded {
        let said = vendor_said(spec, json, redactor);
        if credentials_refused {
            return Err(Error::Rejected {
                vendor,
                status,
                said,
                recorded_at: None,
            });
        }
        if said.code.is_none() && said.message.is_none() {
            return Err(protocol(ProtocolProblem::Unexplained));
        }
        let class = said
            .code
            .as_deref()
            .map_or(ErrorClass::Rejected, |code| spec.class_of_code(code));
        return Err(match class {
            ErrorClass::RateLimited => Error::RateLimited {
                vendor,
                status,
                retry_after: answer.retry_after,
                said,
            },
            ErrorClass::Transient => Error::Transient {
                vendor,
                kind: TransientKind::VendorCode,
                said,
                source: None,
            },
            ErrorClass::Protocol => protocol(ProtocolProblem::RequestRefused(said)),
            _ => Error::Rejected {
                vendor,
                status,
                said,
                recorded_at: None,
            },
        });
    }

    let token = required_str(json, spec.token).map_err(protocol)?;
    if token.is_empty() || token.chars().any(char::is_control) {
        return Err(protocol(ProtocolProblem::UnusableToken));
    }
    let scheme = match spec.scheme {
        Scheme::None => None,
        Scheme::Fixed(s) => Some(s.to_owned()),
        Scheme::Field(path) => Some(required_str(json, path).map_err(protocol)?.to_owned()),
    };
    if scheme
        .as_deref()
        .is_some_and(|s| s.is_empty() || s.chars().any(|c| c.is_control() || c == ' '))
    {
        let field = match spec.scheme {
            Scheme::Field(path) => path.to_string(),
            _ => "scheme".to_owned(),
        };
        return Err(protocol(ProtocolProblem::UnusableScheme { field }));
    }
    let lifetime = lifetime(spec, json, token, sent_at).map_err(protocol)?;
    let refresh_token = match spec.refresh_token {
        Some(path) => optional_str(json, path)
            .map_err(protocol)?
            .map(Secret::from),
        None => None,
    };
    let account = match spec.account {
        Some(path) => account(json, path).map_err(protocol)?,
        None => None,
    };
    let refresh_expires_at = refresh_token
        .as_ref()
        .and_then(|_| refresh_expiry(spec, json, sent_at));
    Ok(Issued {
        token: Secret::from(token),
        scheme,
        lifetime,
        refresh_token,
        refresh_expires_at,
        account,
    })
}

/// The account named at `path`: a string or a number (IOP sends either); absent or null is none.
fn account(json: &Value, path: FieldPath) -> Result<Option<String>, ProtocolProblem> {
    match lookup(json, path) {
        None | Some(Value::Null) => Ok(None),
        Some(value @ (Value::String(_) | Value::Number(_))) => {
            let text = scalar_text(value)
                .map(|t| t.into_owned())
                .unwrap_or_default();
            if text.is_empty() || text.chars().any(char::is_control) {
                return Err(ProtocolProblem::WrongType {
                    field: path.to_string(),
                    expected: "an account name",
                    found: "an empty or unprintable text",
                });
            }
            Ok(Some(text))
        }
        Some(other) => Err(ProtocolProblem::WrongType {
            field: path.to_string(),
            expected: "a string or a number",
            found: type_name(other),
        }),
    }
}

/// Ten years: a duration longer than this can only be a Unix time the endpoint misdeclared.
const LONGEST_DURATION: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

fn lifetime(
    spec: &LoginSpec,
    json: &Value,
    token: &str,
    sent_at: SystemTime,
) -> Result<Duration, ProtocolProblem> {
    let rule = spec.lifetime;
    let (duration, field) = match rule {
        Lifetime::Fixed(d) => return Ok(d),
        Lifetime::JwtExp => {
            let exp = UNIX_EPOCH
                + Duration::from_secs(jwt::expiry(token)?.min(MAX_LIFETIME.as_secs() * 2));
            (
                exp.duration_since(sent_at).unwrap_or(Duration::ZERO),
                "exp".to_owned(),
            )
        }
        Lifetime::Seconds(path)
        | Lifetime::Millis(path)
        | Lifetime::UnixSeconds(path)
        | Lifetime::UnixMillis(path) => {
            let field = path.to_string();
            let Some(value) = lookup(json, path) else {
                return spec
                    .default_lifetime
                    .ok_or(ProtocolProblem::MissingField { field });
            };
            let n = whole_number(value).ok_or_else(|| ProtocolProblem::BadLifetime {
                field: field.clone(),
            })?;
            let millis = matches!(rule, Lifetime::Millis(_) | Lifetime::UnixMillis(_));
            let number = if millis {
                Duration::from_millis(n)
            } else {
                Duration::from_secs(n)
            };
            let duration = match rule {
                Lifetime::UnixSeconds(_) | Lifetime::UnixMillis(_) => (UNIX_EPOCH + number)
                    .duration_since(sent_at)
                    .unwrap_or(Duration::ZERO),
                _ if number > LONGEST_DURATION => {
                    return Err(ProtocolProblem::EpochAsDuration { field, value: n });
                }
                _ => number,
            };
            (duration, field)
        }
    };
    if duration.is_zero() || duration > MAX_LIFETIME {
        return Err(ProtocolProblem::BadLifetime { field });
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{CodeClass, Expected, FieldPath, SuccessRule};
    use serde_json::json;

    const IGV: LoginSpec = LoginSpec::new(
        "iGV",
        "/seller/auth/login",
        FieldPath::new(&["data", "accessToken"]),
        Lifetime::Seconds(FieldPath::new(&["data", "expiresIn"])),
    )
    .success(&[SuccessRule::new(
        FieldPath::new(&["code"]),
        Expected::Str("0000"),
    )])
    .error_code(FieldPath::new(&["code"]))
    .error_message(&[FieldPath::new(&["msg"])])
    .code_classes(&[
        CodeClass::new("9999", ErrorClass::Transient),
        CodeClass::new("4290", ErrorClass::RateLimited),
    ])
    .scheme(Scheme::Field(FieldPath::new(&["data", "tokenType"])))
    .refresh_token(FieldPath::new(&["data", "refreshToken"]));

    fn answer(status: u16, body: &str) -> Result<Issued, Error> {
        let mut redactor = Redactor::default();
        redactor.add("s3cret-password");
        let answer = Answer {
            status,
            content_type: Some("text/html"),
            retry_after: None,
            body: body.as_bytes(),
        };
        interpret(&IGV, &answer, &redactor, SystemTime::now())
    }

    fn problem(result: Result<Issued, Error>) -> ProtocolProblem {
        match result {
            Err(Error::Protocol { problem, .. }) => problem,
            Err(other) => panic!("expected a protocol error, got {other}"),
            Ok(_) => panic!("expected a protocol error, got a token"),
        }
    }

    fn ok_body(expires: serde_json::Value) -> String {
        json!({"code": "0000", "msg": "Success", "data": {
            "accessToken": "abc.def", "tokenType": "Bearer", "expiresIn": expires, "refreshToken": "r1"
        }})
        .to_string()
    }

    #[test]
    fn success_yields_token_scheme_lifetime_and_refresh_token() {
        let issued = answer(200, &ok_body(json!(7200))).unwrap();
        assert_eq!(issued.token.expose(), "abc.def");
        assert_eq!(issued.scheme.as_deref(), Some("Bearer"));
        assert_eq!(issued.lifetime, Duration::from_secs(7200));
        assert_eq!(
            issued
                .refresh_token
                .map(|r| r.expose().to_owned())
                .as_deref(),
            Some("r1")
        );
        assert_eq!(
            answer(200, &ok_body(json!("60"))).unwrap().lifetime,
            Duration::from_secs(60)
        );
    }

    #[test]
    fn the_refresh_tokens_expiry_is_read_beside_it_and_never_fails_a_login() {
        use crate::spec::RefreshLifetime;
        let spec = IGV.refresh_lifetime(RefreshLifetime::Seconds(FieldPath::new(&[
            "data",
            "refreshExpiresIn",
        ])));
        let sent = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let read = |data: serde_json::Value| {
            let body = json!({"code": "0000", "data": data}).to_string();
            let a = Answer {
                status: 200,
                content_type: None,
                retry_after: None,
                body: body.as_bytes(),
            };
            interpret(&spec, &a, &Redactor::default(), sent)
        };
        let base = json!({"accessToken": "a", "tokenType": "Bearer", "expiresIn": 60});
        let with = |refresh: Option<&str>, expires: serde_json::Value| {
            let mut data = base.clone();
            if let Some(refresh) = refresh {
                data["refreshToken"] = json!(refresh);
            }
            data["refreshExpiresIn"] = expires;
            read(data).map(|i| i.refresh_expires_at)
        };
        assert_eq!(
            with(Some("r"), json!(3600)).ok(),
            Some(Some(sent + Duration::from_secs(3600)))
        );
        // IOP: a refresh token is usable only while `refresh_expires_in` > 0.
        assert_eq!(with(Some("r"), json!(0)).ok(), Some(Some(sent)));
        // Nonsense is unknown; the token and its refresh token are kept all the same.
        assert_eq!(with(Some("r"), json!("soon")).ok(), Some(None));
        // No refresh token, no expiry to speak of.
        assert_eq!(with(None, json!(3600)).ok(), Some(None));
        // Undeclared: unknown.
        let mut data = base.clone();
        data["refreshToken"] = json!("r");
        data["refreshExpiresIn"] = json!(3600);
        let body = json!({"code": "0000", "data": data}).to_string();
        let a = Answer {
            status: 200,
            content_type: None,
            retry_after: None,
            body: body.as_bytes(),
        };
        let undeclared = interpret(&IGV, &a, &Redactor::default(), sent).unwrap();
        assert_eq!(undeclared.refresh_expires_at, None);
    }

    #[test]
    fn vendor_error_is_rejected_with_its_code_and_redacted_message() {
        let body = json!({"code": "1001", "msg": "wrong password s3cret-password"}).to_string();
        match answer(200, &body) {
            Err(Error::Rejected {
                said, status: 200, ..
            }) => {
                assert_eq!(said.code.as_deref(), Some("1001"));
                assert_eq!(said.message.as_deref(), Some("wrong password [redacted]"));
            }
            _ => panic!("expected a rejection"),
        }
    }

    #[test]
    fn classified_codes_keep_their_class() {
        let transient = answer(200, &json!({"code": "9999", "msg": "busy"}).to_string());
        assert_eq!(
            transient.err().map(|e| e.class()),
            Some(ErrorClass::Transient)
        );
        let limited = answer(200, &json!({"code": 4290}).to_string());
        assert_eq!(
            limited.err().map(|e| e.class()),
            Some(ErrorClass::RateLimited)
        );
    }

    #[test]
    fn http_status_classes() {
        let html = "<html><body>502 Bad Gateway</body></html>";
        assert_eq!(
            answer(502, html).err().map(|e| e.class()),
            Some(ErrorClass::Transient)
        );
        assert_eq!(
            answer(429, "").err().map(|e| e.class()),
            Some(ErrorClass::RateLimited)
        );
        assert_eq!(
            answer(401, html).err().map(|e| e.class()),
            Some(ErrorClass::Rejected)
        );
        assert_eq!(
            answer(403, &ok_body(json!(1))).err().map(|e| e.class()),
            Some(ErrorClass::Rejected)
        );
    }

    #[test]
    fn malformed_responses_are_protocol_errors() {
        assert!(matches!(
            problem(answer(200, "<html>oops</html>")),
            ProtocolProblem::NotJson { length: 17, .. }
        ));
        assert!(matches!(
            problem(answer(200, "")),
            ProtocolProblem::NotJson { length: 0, .. }
        ));
        assert!(matches!(
            problem(answer(200, "[1,2]")),
            ProtocolProblem::WrongType {
                found: "an array",
                ..
            }
        ));
        assert!(matches!(
            problem(answer(200, "{\"code\":\"0000\"")),
            ProtocolProblem::NotJson { .. }
        ));
        assert_eq!(problem(answer(200, "{}")), ProtocolProblem::Unexplained);
        assert!(matches!(
            problem(answer(404, "{}")),
            ProtocolProblem::Unexplained
        ));
        let missing =
            json!({"code": "0000", "data": {"tokenType": "Bearer", "expiresIn": 5}}).to_string();
        assert_eq!(
            problem(answer(200, &missing)),
            ProtocolProblem::MissingField {
                field: "data.accessToken".into()
            }
        );
        let wrong = json!({"code": "0000", "data": {"accessToken": 5, "tokenType": "Bearer", "expiresIn": 5}});
        assert!(matches!(
            problem(answer(200, &wrong.to_string())),
            ProtocolProblem::WrongType {
                found: "a number",
                ..
            }
        ));
        for bad in [
            json!(0),
            json!(-3),
            json!("soon"),
            json!(1.5),
            json!(null),
            json!(u64::MAX),
        ] {
            let p = problem(answer(200, &ok_body(bad.clone())));
            assert!(
                matches!(
                    p,
                    ProtocolProblem::BadLifetime { .. }
                        | ProtocolProblem::MissingField { .. }
                        | ProtocolProblem::EpochAsDuration { .. }
                ),
                "{bad}: {p}"
            );
        }
        let empty = json!({"code": "0000", "data": {"accessToken": "", "tokenType": "Bearer", "expiresIn": 5}});
        assert_eq!(
            problem(answer(200, &empty.to_string())),
            ProtocolProblem::UnusableToken
        );
        let ctl = json!({"code": "0000", "data": {"accessToken": "a\r\nb", "tokenType": "Bearer", "expiresIn": 5}});
        assert_eq!(
            problem(answer(200, &ctl.to_string())),
            ProtocolProblem::UnusableToken
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            problem(answer(200, &deep)),
            ProtocolProblem::NotJson { .. }
        ));
    }

    #[test]
    fn hostile_bodies_are_clear_protocol_errors() {
        // The same key twice: which one the vendor meant is unknowable.
        let twice = r#"{"code":"0000","data":{"accessToken":"a","accessToken":"b","tokenType":"Bearer","expiresIn":5}}"#;
        assert_eq!(
            problem(answer(200, twice)),
            ProtocolProblem::DuplicateKey {
                key: "accessToken".into()
            }
        );
        let twice_top = r#"{"code":"0000","code":"1001"}"#;
        assert!(matches!(
            problem(answer(200, twice_top)),
            ProtocolProblem::DuplicateKey { .. }
        ));
        // Not UTF-8, nested past any sane depth, a number beyond f64, a lone surrogate.
        let mut latin1 = ok_body(json!(5)).into_bytes();
        latin1.push(0xE9);
        let deep = "[".repeat(100_000);
        let huge = ok_body(json!(5)).replace("\"expiresIn\":5", "\"expiresIn\":1e400");
        let surrogate = r#"{"code":"0000","msg":"\ud800"}"#;
        for body in [
            latin1,
            deep.into_bytes(),
            huge.into_bytes(),
            surrogate.as_bytes().to_vec(),
        ] {
            let answer = Answer {
                status: 200,
                content_type: Some("application/json"),
                retry_after: None,
                body: &body,
            };
            let result = interpret(&IGV, &answer, &Redactor::default(), SystemTime::now());
            assert!(
                matches!(problem(result), ProtocolProblem::NotJson { .. }),
                "{}",
                String::from_utf8_lossy(&body[..body.len().min(60)])
            );
        }
        // A huge integer that JSON can hold is a lifetime no clock can: refused, not wrapped.
        let big = ok_body(json!(5)).replace(
            "\"expiresIn\":5",
            "\"expiresIn\":123456789012345678901234567890",
        );
        assert!(matches!(
            problem(answer(200, &big)),
            ProtocolProblem::BadLifetime { .. }
        ));
        // A duplicate key names only the key, cut and printable, in the message.
        let long_key = format!("{{\"{0}\":1,\"{0}\":2}}", "k\\n".repeat(100));
        match problem(answer(200, &long_key)) {
            ProtocolProblem::DuplicateKey { key } => {
                assert!(key.chars().count() <= 64 && !key.contains('\n'), "{key:?}")
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn jwt_lifetime_comes_from_exp() {
        use base64::Engine;
        const YZ: LoginSpec =
            LoginSpec::new("yz365", "/login", FieldPath::new(&["t"]), Lifetime::JwtExp);
        let sent = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"exp":1018000}"#);
        let body = json!({"t": format!("h.{payload}.s")}).to_string();
        let a = Answer {
            status: 200,
            content_type: None,
            retry_after: None,
            body: body.as_bytes(),
        };
        let issued = interpret(&YZ, &a, &Redactor::default(), sent).unwrap();
        assert_eq!(issued.lifetime, Duration::from_secs(18_000));
        let expired = interpret(
            &YZ,
            &a,
            &Redactor::default(),
            sent + Duration::from_secs(20_000),
        );
        assert!(matches!(
            expired,
            Err(Error::Protocol {
                problem: ProtocolProblem::BadLifetime { .. },
                ..
            })
        ));
        let garbage = json!({"t": "not-a-jwt"}).to_string();
        let a = Answer {
            status: 200,
            content_type: None,
            retry_after: None,
            body: garbage.as_bytes(),
        };
        assert!(matches!(
            interpret(&YZ, &a, &Redactor::default(), sent),
            Err(Error::Protocol {
                problem: ProtocolProblem::MalformedJwt,
                ..
            })
        ));
    }

    /// TikTok Shop's answer: the expiry is a Unix time (MARKETPLACES.md §4).
    const TIKTOK: LoginSpec = LoginSpec::new(
        "TikTok Shop",
        "/api/v2/token/get",
        FieldPath::new(&["data", "access_token"]),
        Lifetime::UnixSeconds(FieldPath::new(&["data", "access_token_expire_in"])),
    )
    .success(&[SuccessRule::new(
        FieldPath::new(&["code"]),
        Expected::Int(0),
    )])
    .error_code(FieldPath::new(&["code"]))
    .error_message(&[FieldPath::new(&["message"])]);

    fn tiktok_answer(
        spec: &LoginSpec,
        expire: serde_json::Value,
        sent: SystemTime,
    ) -> Result<Issued, Error> {
        let body = json!({"code": 0, "message": "success", "data": {
            "access_token": "TTP_abc", "access_token_expire_in": expire,
            "refresh_token": "TTP_r", "refresh_token_expire_in": 4903858076u64
        }})
        .to_string();
        let a = Answer {
            status: 200,
            content_type: None,
            retry_after: None,
            body: body.as_bytes(),
        };
        interpret(spec, &a, &Redactor::default(), sent)
    }

    #[test]
    fn an_absolute_expiry_counts_from_the_time_the_login_was_sent() {
        // The stored live token of MARKETPLACES.md §4: saved at 1781803946, expiring a week later.
        let sent = UNIX_EPOCH + Duration::from_secs(1_781_803_946);
        let issued = tiktok_answer(&TIKTOK, json!(1_782_408_746u64), sent).unwrap();
        assert_eq!(issued.lifetime, Duration::from_secs(604_800));
        let as_text = tiktok_answer(&TIKTOK, json!("1782408746"), sent).unwrap();
        assert_eq!(as_text.lifetime, Duration::from_secs(604_800));
        let millis = TIKTOK.lifetime_from(Lifetime::UnixMillis(FieldPath::new(&[
            "data",
            "access_token_expire_in",
        ])));
        let issued = tiktok_answer(&millis, json!(1_782_408_746_000u64), sent).unwrap();
        assert_eq!(issued.lifetime, Duration::from_secs(604_800));
        // Already past: not a token to keep.
        assert!(matches!(
            problem(tiktok_answer(&TIKTOK, json!(1_781_803_000u64), sent)),
            ProtocolProblem::BadLifetime { .. }
        ));
    }

    #[test]
    fn a_duration_that_can_only_be_an_epoch_names_its_field_instead_of_living_56_years() {
        let misdeclared = TIKTOK.lifetime_from(Lifetime::Seconds(FieldPath::new(&[
            "data",
            "access_token_expire_in",
        ])));
        let err = tiktok_answer(&misdeclared, json!(1_782_408_746u64), SystemTime::now())
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(
            matches!(&err, Error::Protocol { problem: ProtocolProblem::EpochAsDuration { field, value: 1_782_408_746 }, .. } if field == "data.access_token_expire_in"),
            "{text}"
        );
        assert!(
            text.contains("data.access_token_expire_in") && text.contains("unix_seconds"),
            "{text}"
        );
        // Ten years less a second is still a duration.
        let issued = tiktok_answer(
            &misdeclared,
            json!(LONGEST_DURATION.as_secs()),
            SystemTime::now(),
        )
        .unwrap();
        assert_eq!(issued.lifetime, LONGEST_DURATION);
    }

    #[test]
    fn a_documented_default_stands_in_for_an_absent_lifetime_only() {
        let spec =
            LoginSpec::oauth2("Example", "/token").default_lifetime(Duration::from_secs(299));
        let read = |body: serde_json::Value| {
            let body = body.to_string();
            let a = Answer {
                status: 200,
                content_type: None,
                retry_after: None,
                body: body.as_bytes(),
            };
            interpret(&spec, &a, &Redactor::default(), SystemTime::now())
        };
        assert_eq!(
            read(json!({"access_token": "t"})).unwrap().lifetime,
            Duration::from_secs(299)
        );
        assert_eq!(
            read(json!({"access_token": "t", "expires_in": 60}))
                .unwrap()
                .lifetime,
            Duration::from_secs(60)
        );
        assert!(matches!(
            read(json!({"access_token": "t", "expires_in": "soon"})),
            Err(Error::Protocol {
                problem: ProtocolProblem::BadLifetime { .. },
                ..
            })
        ));
        let without = LoginSpec::oauth2("Example", "/token");
        let body = json!({"access_token": "t"}).to_string();
        let a = Answer {
            status: 200,
            content_type: None,
            retry_after: None,
            body: body.as_bytes(),
        };
        assert!(matches!(
            interpret(&without, &a, &Redactor::default(), SystemTime::now()),
            Err(Error::Protocol {
                problem: ProtocolProblem::MissingField { .. },
                ..
            })
        ));
    }

    #[test]
    fn oauth2_errors_are_classified_by_the_standard_codes() {
        let spec = LoginSpec::oauth2("Example", "/token");
        let class_of = |status: u16, error: &str| {
            let body = json!({"error": error, "error_description": "why"}).to_string();
            let a = Answer {
                status,
                content_type: None,
                retry_after: None,
                body: body.as_bytes(),
            };
            interpret(&spec, &a, &Redactor::default(), SystemTime::now())
                .err()
                .map(|e| e.class())
        };
        for code in ["invalid_grant", "invalid_client", "unauthorized_client"] {
            assert_eq!(class_of(400, code), Some(ErrorClass::Rejected), "{code}");
        }
        for code in ["temporarily_unavailable", "server_error"] {
            assert_eq!(class_of(400, code), Some(ErrorClass::Transient), "{code}");
        }
        for code in ["invalid_request", "invalid_scope", "unsupported_grant_type"] {
            assert_eq!(class_of(400, code), Some(ErrorClass::Protocol), "{code}");
        }
        // A declared class comes first.
        const MINE: &[CodeClass] = &[CodeClass::new("invalid_scope", ErrorClass::Transient)];
        assert_eq!(
            spec.code_classes(MINE).class_of_code("invalid_scope"),
            ErrorClass::Transient
        );
    }

    #[test]
    fn a_scheme_field_that_is_not_one_word_is_named() {
        let err = answer(
            200,
            &json!({"code": "0000", "data": {
                "accessToken": "abc", "tokenType": "Bearer token", "expiresIn": 60
            }})
            .to_string(),
        );
        match err {
            Err(Error::Protocol {
                problem: ProtocolProblem::UnusableScheme { field },
                ..
            }) => {
                assert_eq!(field, "data.tokenType")
            }
            _ => panic!("expected the scheme field to be named"),
        }
    }

    #[test]
    fn paths_index_arrays() {
        const SPEC: LoginSpec = LoginSpec::new(
            "Amazon",
            "/x",
            FieldPath::new(&["t"]),
            Lifetime::Fixed(Duration::from_secs(60)),
        )
        .error_code(FieldPath::new(&["errors", "0", "code"]))
        .error_message(&[FieldPath::new(&["errors", "0", "message"])]);
        let spec = SPEC;
        let body =
            json!({"errors": [{"code": "Unauthorized", "message": "Access denied"}]}).to_string();
        let a = Answer {
            status: 403,
            content_type: None,
            retry_after: None,
            body: body.as_bytes(),
        };
        match interpret(&spec, &a, &Redactor::default(), SystemTime::now()) {
            Err(Error::Rejected { said, .. }) => {
                assert_eq!(said.code.as_deref(), Some("Unauthorized"));
                assert_eq!(said.message.as_deref(), Some("Access denied"));
            }
            _ => panic!("expected the indexed code"),
        }
    }

    proptest::proptest! {
        /// Vendors send lifetimes as numbers or as strings of digits (AliExpress): the same
        /// lifetime either way, for every value a lifetime may have.
        #[test]
        fn a_lifetime_reads_the_same_as_a_number_or_a_string(
            secs in 1u64..=LONGEST_DURATION.as_secs(),
            pad in " {0,2}",
        ) {
            let body = |expires: serde_json::Value| {
                json!({"code": "0000", "data": {"accessToken": "t", "tokenType": "Bearer", "expiresIn": expires}})
                    .to_string()
            };
            let as_number = answer(200, &body(json!(secs))).map(|i| i.lifetime).ok();
            let as_text = answer(200, &body(json!(format!("{pad}{secs}{pad}")))).map(|i| i.lifetime).ok();
            proptest::prop_assert_eq!(as_number, Some(Duration::from_secs(secs)));
            proptest::prop_assert_eq!(as_text, as_number);
        }

        /// An error code compared as a number or as its text classifies alike.
        #[test]
        fn an_error_code_classifies_alike_as_a_number_or_a_string(code in 0u32..100_000) {
            let body = |code: serde_json::Value| json!({"code": code, "msg": "m"}).to_string();
            let class = |body: String| answer(200, &body).err().map(|e| e.class());
            let expected = match code {
                9999 => ErrorClass::Transient,
                4290 => ErrorClass::RateLimited,
                _ => ErrorClass::Rejected,
            };
            proptest::prop_assert_eq!(class(body(json!(code))), Some(expected));
            proptest::prop_assert_eq!(class(body(json!(code.to_string()))), Some(expected));
        }
    }
}

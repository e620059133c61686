//! Parses the arguments of `#[login_endpoint(...)]`: every key once, every mistake recorded.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, Lit, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::key::Key;
use crate::suggest;

/// A value with the tokens it came from, for errors that point at it.
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

/// A dotted response path (`data.accessToken`), already split.
pub(crate) struct JsonPath {
    pub(crate) segments: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    Json,
    Form,
    Query,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Camel,
    Pascal,
    Snake,
    ScreamingSnake,
}

#[derive(PartialEq)]
pub(crate) enum Expected {
    Str(String),
    Int(i64),
    Bool(bool),
}

pub(crate) enum Scheme {
    Fixed(String),
    Field(JsonPath),
}

pub(crate) enum Lifetime {
    Seconds(JsonPath),
    Millis(JsonPath),
    UnixSeconds(JsonPath),
    UnixMillis(JsonPath),
    Fixed(u64),
    JwtExp,
}

impl Lifetime {
    /// Whether the lifetime is read from a response field (which may be absent).
    pub(crate) fn has_field(&self) -> bool {
        !matches!(self, Lifetime::Fixed(_) | Lifetime::JwtExp)
    }
}

/// `refresh_lifetime = ...`: the forms of [`Lifetime`] a refresh token can have, and `never`.
pub(crate) enum RefreshLifetime {
    Seconds(JsonPath),
    Millis(JsonPath),
    UnixSeconds(JsonPath),
    UnixMillis(JsonPath),
    Fixed(u64),
    Never,
}

/// A value the endpoint supplies: a constant, or one made fresh for each request.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum SuppliedValue {
    Text(String),
    Uuid,
    UnixSeconds,
    UnixMillis,
}

/// Where a supplied value goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Body,
    Query,
    Header,
}

/// `header("name" = value)`, `param(..)`, `query(..)` and their `request_` forms.
pub(crate) struct Supplied {
    pub(crate) name: String,
    pub(crate) span: Span,
    pub(crate) value: SuppliedValue,
    pub(crate) slot: Slot,
}

pub(crate) enum SendAs {
    Header(String),
    Query(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeClass {
    Transient,
    RateLimited,
    Protocol,
}

/// The attribute's arguments as written, each checked on its own.
#[derive(Default)]
pub(crate) struct Attrs {
    pub(crate) path: Option<Spanned<String>>,
    pub(crate) method: Option<Spanned<Method>>,
    pub(crate) body: Option<Spanned<Body>>,
    pub(crate) hash: Option<Spanned<()>>,
    pub(crate) token_field: Option<Spanned<JsonPath>>,
    pub(crate) base_url: Option<Spanned<String>>,
    pub(crate) vendor: Option<Spanned<String>>,
    /// Values supplied on the login, in the order written.
    pub(crate) supplied: Vec<Supplied>,
    /// Values supplied on every later request.
    pub(crate) request_supplied: Vec<Supplied>,
    pub(crate) token_rejected: Vec<(String, Span)>,
    pub(crate) refresh_refused: Vec<(String, Span)>,
    pub(crate) success: Vec<(JsonPath, Expected, Span)>,
    pub(crate) error_code: Option<Spanned<JsonPath>>,
    pub(crate) error_message: Option<Spanned<Vec<JsonPath>>>,
    pub(crate) code_classes: Vec<(String, CodeClass, Span)>,
    pub(crate) scheme: Option<Spanned<Scheme>>,
    pub(crate) lifetime: Option<Spanned<Lifetime>>,
    pub(crate) sliding: Option<Spanned<()>>,
    pub(crate) refresh_token: Option<Spanned<JsonPath>>,
    pub(crate) refresh_lifetime: Option<Spanned<RefreshLifetime>>,
    pub(crate) account: Option<Spanned<JsonPath>>,
    pub(crate) send_as: Option<Spanned<SendAs>>,
    pub(crate) sign: Option<Spanned<syn::Path>>,
    pub(crate) request_sign: Option<Spanned<syn::Path>>,
    pub(crate) rename_all: Option<Spanned<RenameRule>>,
    pub(crate) default_lifetime: Option<Spanned<u64>>,
    pub(crate) oauth2: Option<Spanned<()>>,
    pub(crate) refresh: Option<Spanned<syn::Path>>,
    pub(crate) refreshes: Option<Spanned<syn::Path>>,
    /// Keys that were written, valid or not (a misspelt key counts as the one it resembles),
    /// so a bad value is not reported a second time as a missing key.
    pub(crate) seen: Vec<Key>,
}

impl Attrs {
    pub(crate) fn saw(&self, key: Key) -> bool {
        self.seen.contains(&key)
    }
}

impl Attrs {
    /// Parses `args`; errors go to `cx` and parsing goes on after each, so all are reported.
    pub(crate) fn parse(args: TokenStream, cx: &mut Ctxt) -> Attrs {
        let mut attrs = Attrs::default();
        let parser = syn::meta::parser(|meta| {
            if let Err(err) = attrs.parse_key(&meta) {
                cx.push(err);
                skip_to_comma(meta.input)?;
            }
            Ok(())
        });
        if let Err(err) = parser.parse2(args) {
            cx.push(err);
        }
        attrs
    }

    fn parse_key(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let Some(key) = meta.path.get_ident() else {
            return Err(meta.error(format!("expected a key{}", suggest::hint("", Key::NAMES))));
        };
        let name = key.to_string();
        let span = key.span();
        let written = Key::from_name(&name);
        let known =
            written.or_else(|| suggest::closest(&name, Key::NAMES).and_then(Key::from_name));
        if let Some(known) = known {
            self.seen.push(known);
        }
        let Some(which) = written else {
            return Err(syn::Error::new(
                span,
                format!("unknown key `{name}`{}", suggest::hint(&name, Key::NAMES)),
            ));
        };
        match which {
            Key::Path => {
                let lit = string_value(meta, "path", "\"/login\"")?;
                if !lit.value().starts_with('/') {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`path` starts with `/`, e.g. \"/seller/auth/login\"",
                    ));
                }
                no_query_in(&lit, "path")?;
                set_once(&mut self.path, key, lit.value(), lit.span())
            }
            Key::BaseUrl => {
                let lit = string_value(meta, "base_url", "\"https://api.vendor.example\"")?;
                let url = lit.value();
                if !(url.starts_with("https://") || url.starts_with("http://"))
                    || url.len() <= "https://".len()
                {
                    return Err(syn::Error::new(
                        lit.span(),
                        "`base_url` is an absolute http(s) URL",
                    ));
                }
                no_query_in(&lit, "base_url")?;
                set_once(&mut self.base_url, key, url, lit.span())
            }
            Key::Vendor => {
                let lit = string_value(meta, "vendor", "\"iGV\"")?;
                if lit.value().trim().is_empty() {
                    return Err(syn::Error::new(lit.span(), "`vendor` is a non-empty name"));
                }
                set_once(&mut self.vendor, key, lit.value(), lit.span())
            }
            Key::TokenField => {
                let (path, span) = path_value(meta, "token_field")?;
                set_once(&mut self.token_field, key, path, span)
            }
            Key::ErrorCode => {
                let (path, span) = path_value(meta, "error_code")?;
                set_once(&mut self.error_code, key, path, span)
            }
            Key::RefreshToken => {
                let (path, span) = path_value(meta, "refresh_token")?;
                set_once(&mut self.refresh_token, key, path, span)
            }
            Key::Account => {
                let (path, span) = path_value(meta, "account")?;
                set_once(&mut self.account, key, path, span)
            }
            Key::ErrorMessage => {
                let input = meta.value()?;
                let mut paths = Vec::new();
                let value_span = input.span();
                if input.peek(syn::token::Bracket) {
                    let content;
                    syn::bracketed!(content in input);
                    let lits = drained(
                        &content,
                        Punctuated::<LitStr, Token![,]>::parse_terminated(&content),
                    )?;
                    for lit in lits {
                        paths.push(json_path(&lit)?);
                    }
                    if paths.is_empty() {
                        return Err(syn::Error::new(
                            value_span,
                            "`error_message` needs at least one field",
                        ));
                    }
                } else {
                    let lit = string_in(input, "error_message", "\"msg\"")?;
                    paths.push(json_path(&lit)?);
                }
                set_once(&mut self.error_message, key, paths, value_span)
            }
            Key::Method => {
                let (ident, method) = choice(
                    meta,
                    "method",
                    &[
                        ("GET", Method::Get),
                        ("POST", Method::Post),
                        ("PUT", Method::Put),
                    ],
                )?;
                set_once(&mut self.method, key, method, ident.span())
            }
            Key::Body => {
                let (ident, body) = choice(
                    meta,
                    "body",
                    &[
                        ("json", Body::Json),
                        ("form", Body::Form),
                        ("query", Body::Query),
                    ],
                )?;
                set_once(&mut self.body, key, body, ident.span())
            }
            Key::Hash => {
                let (ident, ()) = choice(meta, "hash", &[("md5", ())])?;
                set_once(&mut self.hash, key, (), ident.span())
            }
            Key::RenameAll => {
                let (ident, rule) = choice(
                    meta,
                    "rename_all",
                    &[
                        ("camelCase", RenameRule::Camel),
                        ("PascalCase", RenameRule::Pascal),
                        ("snake_case", RenameRule::Snake),
                        ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
                    ],
                )?;
                set_once(&mut self.rename_all, key, rule, ident.span())
            }
            Key::Sliding => {
                flag(meta, which.name())?;
                set_once(&mut self.sliding, key, (), span)
            }
            Key::Oauth2 => {
                flag(meta, which.name())?;
                set_once(&mut self.oauth2, key, (), span)
            }
            Key::DefaultLifetime => {
                let input = meta.value()?;
                let lit = duration_literal(input, "default_lifetime")?;
                set_once(
                    &mut self.default_lifetime,
                    key,
                    duration_millis(&lit)?,
                    lit.span(),
                )
            }
            Key::Refresh | Key::Refreshes => {
                let input = meta.value()?;
                if input.peek(LitStr) {
                    return Err(input.error(format!(
                        "`{name}` takes the name of an endpoint struct, not a string: `{name} = LazadaRefresh`"
                    )));
                }
                let path: syn::Path = input.parse()?;
                let path_span = path.segments.last().map_or(span, |s| s.ident.span());
                let slot = if which == Key::Refresh {
                    &mut self.refresh
                } else {
                    &mut self.refreshes
                };
                set_once(slot, key, path, path_span)
            }
            Key::Header | Key::RequestHeader | Key::Param | Key::Query | Key::RequestParam => {
                let slot = match which {
                    Key::Header | Key::RequestHeader => Slot::Header,
                    Key::Query => Slot::Query,
                    _ => Slot::Body,
                };
                let supplied = in_parens(meta.input, |content| supplied(content, &name, slot))?;
                if matches!(which, Key::RequestHeader | Key::RequestParam) {
                    self.request_supplied.push(supplied);
                } else {
                    self.supplied.push(supplied);
                }
                Ok(())
            }
            Key::Success => {
                let rule = in_parens(meta.input, |content| {
                    let hint = "write `success(\"code\" = \"0000\")`, with a string, integer or boolean value";
                    let field: LitStr = content.parse().map_err(|e| hinted(e, hint))?;
                    content.parse::<Token![=]>().map_err(|e| hinted(e, hint))?;
                    Ok((json_path(&field)?, expected_value(content)?, field.span()))
                })?;
                self.success.push(rule);
                Ok(())
            }
            Key::Transient
            | Key::RateLimited
            | Key::Protocol
            | Key::TokenRejected
            | Key::RefreshRefused => {
                let class = match which {
                    Key::Transient => Some(CodeClass::Transient),
                    Key::RateLimited => Some(CodeClass::RateLimited),
                    Key::Protocol => Some(CodeClass::Protocol),
                    _ => None,
                };
                let codes = in_parens(meta.input, Punctuated::<Lit, Token![,]>::parse_terminated)?;
                if codes.is_empty() {
                    return Err(meta.error(format!(
                        "`{name}` lists vendor error codes: `{name}(\"10000429\")`"
                    )));
                }
                for code in codes {
                    let text = match &code {
                        Lit::Str(s) => s.value(),
                        Lit::Int(i) => i.base10_digits().to_owned(),
                        other => {
                            return Err(syn::Error::new(
                                other.span(),
                                "an error code is a string or an integer",
                            ));
                        }
                    };
                    match (class, which) {
                        (Some(class), _) => self.code_classes.push((text, class, code.span())),
                        (None, Key::RefreshRefused) => {
                            self.refresh_refused.push((text, code.span()));
                        }
                        (None, _) => self.token_rejected.push((text, code.span())),
                    }
                }
                Ok(())
            }
            Key::Scheme => {
                let input = meta.value()?;
                let value_span = input.span();
                let scheme = if input.peek(LitStr) {
                    let lit: LitStr = input.parse()?;
                    let text = lit.value();
                    if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control())
                    {
                        return Err(syn::Error::new(
                            lit.span(),
                            "a scheme is one word, such as \"Bearer\"",
                        ));
                    }
                    Scheme::Fixed(text)
                } else {
                    let (ident, arg) = call(
                        input,
                        "scheme",
                        &["field"],
                        "`scheme = \"Bearer\"` or `scheme = field(\"data.tokenType\")`",
                    )?;
                    let Some(arg) = arg else {
                        return Err(syn::Error::new(
                            ident.span(),
                            "write `field(\"data.tokenType\")`",
                        ));
                    };
                    Scheme::Field(json_path(&arg)?)
                };
                set_once(&mut self.scheme, key, scheme, value_span)
            }
            Key::Lifetime => {
                let input = meta.value()?;
                let value_span = input.span();
                let example = "`seconds(\"data.expiresIn\")`, `millis(\"data.expiresIn\")`, `unix_seconds(\"data.expireAt\")`, `unix_millis(\"data.expireAt\")`, `fixed(\"20m\")` or `jwt_exp`";
                if input.peek(LitStr) {
                    return Err(
                        input.error(format!("`lifetime` takes one of {example}, not a string"))
                    );
                }
                let (ident, arg) = call(
                    input,
                    "lifetime",
                    &[
                        "seconds",
                        "millis",
                        "unix_seconds",
                        "unix_millis",
                        "fixed",
                        "jwt_exp",
                    ],
                    example,
                )?;
                let kind = ident.to_string();
                let lifetime = match (kind.as_str(), arg) {
                    ("jwt_exp", None) => Lifetime::JwtExp,
                    ("jwt_exp", Some(arg)) => {
                        return Err(syn::Error::new(arg.span(), "`jwt_exp` takes no argument"));
                    }
                    ("seconds", Some(arg)) => Lifetime::Seconds(json_path(&arg)?),
                    ("millis", Some(arg)) => Lifetime::Millis(json_path(&arg)?),
                    ("unix_seconds", Some(arg)) => Lifetime::UnixSeconds(json_path(&arg)?),
                    ("unix_millis", Some(arg)) => Lifetime::UnixMillis(json_path(&arg)?),
                    ("fixed", Some(arg)) => Lifetime::Fixed(duration_millis(&arg)?),
                    (_, None) => {
                        return Err(syn::Error::new(
                            ident.span(),
                            format!("`{kind}` needs an argument: {example}"),
                        ));
                    }
                    _ => return Err(syn::Error::new(ident.span(), format!("expected {example}"))),
                };
                set_once(&mut self.lifetime, key, lifetime, value_span)
            }
            Key::RefreshLifetime => {
                let input = meta.value()?;
                let value_span = input.span();
                let example = "`seconds(\"refresh_expires_in\")`, `millis(\"...\")`, `unix_seconds(\"data.refresh_token_expire_in\")`, `unix_millis(\"...\")`, `fixed(\"30d\")` or `never`";
                if input.peek(LitStr) {
                    return Err(input.error(format!(
                        "`refresh_lifetime` takes one of {example}, not a string"
                    )));
                }
                let fork = input.fork();
                if let Ok(word) = fork.parse::<Ident>()
                    && word == "jwt_exp"
                {
                    return Err(syn::Error::new(
                        word.span(),
                        format!(
                            "a refresh token's lifetime is not read from a JWT's `exp`; `refresh_lifetime` takes {example}"
                        ),
                    ));
                }
                let (ident, arg) = call(
                    input,
                    "refresh_lifetime",
                    &[
                        "seconds",
                        "millis",
                        "unix_seconds",
                        "unix_millis",
                        "fixed",
                        "never",
                    ],
                    example,
                )?;
                let kind = ident.to_string();
                let lifetime = match (kind.as_str(), arg) {
                    ("never", None) => RefreshLifetime::Never,
                    ("never", Some(arg)) => {
                        return Err(syn::Error::new(arg.span(), "`never` takes no argument"));
                    }
                    ("seconds", Some(arg)) => RefreshLifetime::Seconds(json_path(&arg)?),
                    ("millis", Some(arg)) => RefreshLifetime::Millis(json_path(&arg)?),
                    ("unix_seconds", Some(arg)) => RefreshLifetime::UnixSeconds(json_path(&arg)?),
                    ("unix_millis", Some(arg)) => RefreshLifetime::UnixMillis(json_path(&arg)?),
                    ("fixed", Some(arg)) => RefreshLifetime::Fixed(duration_millis(&arg)?),
                    (_, None) => {
                        return Err(syn::Error::new(
                            ident.span(),
                            format!("`{kind}` needs an argument: {example}"),
                        ));
                    }
                    _ => return Err(syn::Error::new(ident.span(), format!("expected {example}"))),
                };
                set_once(&mut self.refresh_lifetime, key, lifetime, value_span)
            }
            Key::SendAs => {
                let input = meta.value()?;
                let value_span = input.span();
                let example = "`header(\"Authorization\")` or `query(\"access_token\")`";
                let (ident, arg) = call(input, "send_as", &["header", "query"], example)?;
                let Some(arg) = arg else {
                    return Err(syn::Error::new(ident.span(), format!("write {example}")));
                };
                let send_as = if ident == "header" {
                    check_header_name(&arg)?;
                    SendAs::Header(arg.value())
                } else {
                    if arg.value().is_empty() {
                        return Err(syn::Error::new(
                            arg.span(),
                            "the parameter name cannot be empty",
                        ));
                    }
                    SendAs::Query(arg.value())
                };
                set_once(&mut self.send_as, key, send_as, value_span)
            }
            Key::Sign | Key::RequestSign => {
                let input = meta.value()?;
                if input.peek(LitStr) {
                    return Err(input.error(format!("`{name}` takes the path of a signer, not a string: `{name} = auth_core::signing::IopSha256`")));
                }
                let path: syn::Path = input.parse()?;
                let span = path.segments.last().map_or(span, |s| s.ident.span());
                let slot = if which == Key::Sign {
                    &mut self.sign
                } else {
                    &mut self.request_sign
                };
                set_once(slot, key, path, span)
            }
        }
    }
}

/// `"name" = "text"` or `"name" = uuid | unix_seconds | unix_millis`, inside `header(..)`,
/// `param(..)`, `query(..)` and their `request_` forms.
fn supplied(content: ParseStream<'_>, key: &str, slot: Slot) -> syn::Result<Supplied> {
    let hint = format!(
        "write `{key}(\"name\" = \"value\")`, or a fresh value: `{key}(\"name\" = uuid)`, `unix_seconds` or `unix_millis`"
    );
    let name: LitStr = content.parse().map_err(|e| hinted(e, &hint))?;
    content.parse::<Token![=]>().map_err(|e| hinted(e, &hint))?;
    if slot == Slot::Header {
        check_header_name(&name)?;
    } else if name.value().is_empty() {
        return Err(syn::Error::new(
            name.span(),
            "a parameter name cannot be empty",
        ));
    }
    let value = if content.peek(LitStr) {
        let value: LitStr = content.parse()?;
        if value.value().chars().any(|c| c.is_control()) {
            return Err(syn::Error::new(
                value.span(),
                "a value cannot hold control characters",
            ));
        }
        SuppliedValue::Text(value.value())
    } else if content.peek(Ident) {
        let ident: Ident = content.parse()?;
        let fresh = ["uuid", "unix_seconds", "unix_millis"];
        match ident.to_string().as_str() {
            "uuid" => SuppliedValue::Uuid,
            "unix_seconds" => SuppliedValue::UnixSeconds,
            "unix_millis" => SuppliedValue::UnixMillis,
            word => {
                return Err(syn::Error::new(
                    ident.span(),
                    format!(
                        "unknown fresh value `{word}`; expected a string, or one of: {}{}",
                        fresh.join(", "),
                        did_you_mean(word, &fresh)
                    ),
                ));
            }
        }
    } else {
        return Err(content.error(format!("{key} values are strings; {hint}")));
    };
    Ok(Supplied {
        name: name.value(),
        span: name.span(),
        value,
        slot,
    })
}

/// A query string belongs in `query(..)`: written in a URL it is lost or doubled at run time.
fn no_query_in(lit: &LitStr, key: &str) -> syn::Result<()> {
    if lit.value().contains('?') {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` cannot hold a query string; declare each parameter with `query(\"name\" = \"value\")`"
            ),
        ));
    }
    Ok(())
}

/// A duration written as a string, with a hint when written as a number (`3600`).
fn duration_literal(input: ParseStream<'_>, key: &str) -> syn::Result<LitStr> {
    if input.peek(syn::LitInt) {
        let int: syn::LitInt = input.parse()?;
        return Err(syn::Error::new(
            int.span(),
            format!(
                "`{key}` takes a duration string with a unit: write `\"{}s\"`",
                int.base10_digits()
            ),
        ));
    }
    string_in(input, key, "\"1h\"")
}

/// A flag (`sliding`, and the fields' `hashed`, `signing_key`, `every_request`): the key alone.
pub(crate) fn flag(meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        return Ok(());
    }
    Err(meta.error(format!(
        "`{name}` is a flag and takes no value: write `{name}`"
    )))
}

/// Records a key's value, or an error on its second occurrence.
fn set_once<T>(
    slot: &mut Option<Spanned<T>>,
    key: &Ident,
    value: T,
    span: Span,
) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new(
            key.span(),
            format!("duplicate key `{key}`: give it once"),
        ));
    }
    *slot = Some(Spanned { value, span });
    Ok(())
}

fn hinted(err: syn::Error, hint: &str) -> syn::Error {
    syn::Error::new(err.span(), format!("{err}; {hint}"))
}

/// `key = "text"`, with a hint when something else was written.
fn string_value(meta: &ParseNestedMeta<'_>, key: &str, example: &str) -> syn::Result<LitStr> {
    let input = meta.value()?;
    string_in(input, key, example)
}

fn string_in(input: ParseStream<'_>, key: &str, example: &str) -> syn::Result<LitStr> {
    if input.peek(LitStr) {
        return input.parse();
    }
    Err(input.error(format!("`{key}` takes a string: `{key} = {example}`")))
}

/// `key = "a.b.c"` as a checked path, with the literal's span.
fn path_value(meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<(JsonPath, Span)> {
    let lit = string_value(meta, key, "\"data.accessToken\"")?;
    Ok((json_path(&lit)?, lit.span()))
}

/// A dotted path into the JSON response: non-empty segments without blanks.
pub(crate) fn json_path(lit: &LitStr) -> syn::Result<JsonPath> {
    let text = lit.value();
    if text.is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            "a field path cannot be empty; write it like \"data.accessToken\"",
        ));
    }
    let segments: Vec<String> = text.split('.').map(str::to_owned).collect();
    if segments.iter().any(String::is_empty) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "malformed field path \"{text}\": a segment is empty (a leading, trailing or doubled `.`)"
            ),
        ));
    }
    if segments.iter().any(|s| s.chars().any(char::is_whitespace)) {
        return Err(syn::Error::new(
            lit.span(),
            format!("malformed field path \"{text}\": it contains white space"),
        ));
    }
    Ok(JsonPath { segments })
}

/// `key = ident` where the identifier is one of a closed set.
fn choice<T: Copy>(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    choices: &[(&str, T)],
) -> syn::Result<(Ident, T)> {
    let input = meta.value()?;
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        let word = lit.value();
        let fix = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&word))
            .or(names.first())
            .copied()
            .unwrap_or_default();
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`{key}` takes an identifier, not a string: write `{key} = {fix}` without quotes"
            ),
        ));
    }
    let ident: Ident = input
        .parse()
        .map_err(|e| hinted(e, &format!("`{key}` is one of: {}", names.join(", "))))?;
    let word = ident.to_string();
    match choices.iter().find(|(n, _)| *n == word) {
        Some((_, value)) => Ok((ident, *value)),
        None => Err(syn::Error::new(
            ident.span(),
            format!(
                "unknown `{key}` value `{word}`; expected one of: {}{}",
                names.join(", "),
                did_you_mean(&word, &names)
            ),
        )),
    }
}

fn did_you_mean(word: &str, names: &[&str]) -> String {
    suggest::closest(word, names)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// `ident` or `ident("text")`, with the identifier from a closed set.
fn call(
    input: ParseStream<'_>,
    key: &str,
    names: &[&str],
    example: &str,
) -> syn::Result<(Ident, Option<LitStr>)> {
    let ident: Ident = input
        .parse()
        .map_err(|e| hinted(e, &format!("`{key}` takes {example}")))?;
    let word = ident.to_string();
    if !names.contains(&word.as_str()) {
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "unknown `{key}` form `{word}`; expected {example}{}",
                did_you_mean(&word, names)
            ),
        ));
    }
    if !input.peek(syn::token::Paren) {
        return Ok((ident, None));
    }
    let arg = in_parens(input, |content| {
        if word == "fixed" {
            return duration_literal(content, "fixed");
        }
        content
            .parse::<LitStr>()
            .map_err(|e| hinted(e, &format!("`{key}` takes {example}")))
    })?;
    Ok((ident, Some(arg)))
}

fn expected_value(input: ParseStream<'_>) -> syn::Result<Expected> {
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    let lit: Lit = input.parse()?;
    match (lit, negative) {
        (Lit::Str(s), false) => Ok(Expected::Str(s.value())),
        (Lit::Bool(b), false) => Ok(Expected::Bool(b.value)),
        (Lit::Int(i), _) => {
            let n: i64 = i.base10_parse()?;
            Ok(Expected::Int(if negative { -n } else { n }))
        }
        (other, _) => Err(syn::Error::new(
            other.span(),
            "a success value is a string, an integer or a boolean",
        )),
    }
}

/// Parses a parenthesized group with `f`, which must use all of it.
fn in_parens<T>(
    input: ParseStream<'_>,
    f: impl FnOnce(ParseStream<'_>) -> syn::Result<T>,
) -> syn::Result<T> {
    let content;
    syn::parenthesized!(content in input);
    let result = f(&content).and_then(|value| {
        if content.is_empty() {
            Ok(value)
        } else {
            Err(content.error("unexpected tokens here"))
        }
    });
    drained(&content, result)
}

/// On error, consumes the rest of a group: syn would otherwise report its leftover tokens as a
/// second, confusing error.
fn drained<T>(content: ParseStream<'_>, result: syn::Result<T>) -> syn::Result<T> {
    if result.is_err() {
        let _ = content.step(|cursor| {
            let mut rest = *cursor;
            while let Some((_, next)) = rest.token_tree() {
                rest = next;
            }
            Ok(((), rest))
        });
    }
    result
}

/// A header name must be an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``.
pub(crate) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn check_header_name(lit: &LitStr) -> syn::Result<()> {
    let name = lit.value();
    if is_header_name(&name) {
        Ok(())
    } else {
        Err(syn::Error::new(
            lit.span(),
            format!("\"{name}\" is not a valid HTTP header name"),
        ))
    }
}

/// `"20m"`, `"2h"`, `"1h30m"`, `"7200s"`, `"500ms"`, `"7d"` as milliseconds.
fn duration_millis(lit: &LitStr) -> syn::Result<u64> {
    let text = lit.value();
    let bad = || {
        syn::Error::new(
            lit.span(),
            format!(
                "\"{text}\" is not a duration; write e.g. \"20m\", \"2h\", \"1h30m\", \"90s\", \"500ms\" or \"7d\""
            ),
        )
    };
    let mut total: u64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let number: u64 = number.parse().map_err(|_| bad())?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let factor = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(bad()),
        };
        total = number
            .checked_mul(factor)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(bad)?;
        rest = tail;
    }
    if total == 0 {
        return Err(syn::Error::new(
            lit.span(),
            "a fixed lifetime must be longer than zero",
        ));
    }
    Ok(total)
}

/// After an error, skips the rest of the key's value so parsing resumes at the next key.
fn skip_to_comma(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if let proc_macro2::TokenTree::Punct(p) = &tt
                && p.as_char() == ','
            {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> LitStr {
        LitStr::new(s, Span::call_site())
    }

    #[test]
    fn durations() {
        assert_eq!(duration_millis(&lit("20m")).ok(), Some(1_200_000));
        assert_eq!(duration_millis(&lit("1h30m")).ok(), Some(5_400_000));
        assert_eq!(duration_millis(&lit("500ms")).ok(), Some(500));
        assert_eq!(duration_millis(&lit("7d")).ok(), Some(604_800_000));
        for bad in ["", "20", "m", "20 m", "0s", "1y", "99999999999999999999d"] {
            assert!(duration_millis(&lit(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(
            json_path(&lit("data.accessToken")).map(|p| p.segments).ok(),
            Some(vec!["data".into(), "accessToken".into()])
        );
        for bad in ["", ".a", "a.", "data..accessToken", "a b"] {
            assert!(json_path(&lit(bad)).is_err(), "{bad}");
        }
    }
}

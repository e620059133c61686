//! Cross-checks the parsed attribute against the struct and produces the model to expand.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::attr::{
    Attrs, Body, CodeClass, Expected, Lifetime, Method, RefreshLifetime, RenameRule, Scheme,
    SendAs, Slot, Supplied,
};
use crate::ctxt::Ctxt;
use crate::field::FieldAttrs;
use crate::key::Key;

/// Where a field's value goes.
pub(crate) enum Place {
    Body(String),
    Query(String),
    BodyAndQuery(String),
    Header(String),
    SigningKey(String),
    BasicUser(String),
    BasicPassword(String),
}

pub(crate) struct ModelField {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) place: Place,
    pub(crate) hashed: bool,
    pub(crate) every_request: bool,
}

/// Everything the expansion needs, already known to be consistent.
pub(crate) struct Model {
    pub(crate) ident: Ident,
    pub(crate) vendor: String,
    pub(crate) path: String,
    pub(crate) base_url: Option<String>,
    pub(crate) method: Method,
    /// The body encoding, when it differs from the constructor's default.
    pub(crate) body: Option<Body>,
    pub(crate) hash: bool,
    pub(crate) supplied: Vec<Supplied>,
    pub(crate) request_supplied: Vec<Supplied>,
    pub(crate) token_rejected: Vec<String>,
    /// Codes by which a refresh grant's answer refuses the refresh token itself.
    pub(crate) refresh_refused: Vec<String>,
    pub(crate) success: Vec<(Vec<String>, Expected)>,
    pub(crate) error_code: Option<Vec<String>>,
    pub(crate) error_message: Vec<Vec<String>>,
    pub(crate) code_classes: Vec<(String, CodeClass)>,
    pub(crate) token: Option<Vec<String>>,
    pub(crate) scheme: Option<Scheme>,
    /// The scheme is dropped: OAuth 2.0's `Bearer` where the token goes elsewhere.
    pub(crate) no_scheme: bool,
    pub(crate) lifetime: Option<Lifetime>,
    pub(crate) default_lifetime: Option<u64>,
    pub(crate) oauth2: bool,
    pub(crate) refresh: Option<syn::Path>,
    /// The login this endpoint refreshes, and the field that takes the refresh token.
    pub(crate) refreshes: Option<(syn::Path, Ident)>,
    pub(crate) sliding: bool,
    pub(crate) refresh_token: Option<Vec<String>>,
    pub(crate) refresh_lifetime: Option<RefreshLifetime>,
    pub(crate) account: Option<Vec<String>>,
    pub(crate) send_as: Option<SendAs>,
    pub(crate) sign: Option<syn::Path>,
    pub(crate) request_sign: Option<syn::Path>,
    pub(crate) fields: Vec<ModelField>,
}

/// The model, or `None` when `cx` holds errors.
pub(crate) fn check(attrs: Attrs, input: &DeriveInput, cx: &mut Ctxt) -> Option<Model> {
    let fields = struct_fields(input, cx);
    let rename_all = attrs.rename_all.as_ref().map(|r| r.value);
    let mut model_fields = Vec::new();
    let mut wire_names: HashMap<String, Span> = HashMap::new();
    let mut query_names: HashMap<String, Span> = HashMap::new();
    let mut signing_keys = 0;
    let mut refresh_fields: Vec<(Ident, Span)> = Vec::new();
    let mut login_headers: Vec<(String, Span)> = Vec::new();
    let mut later_headers: Vec<(String, Span)> = Vec::new();
    let mut basic: (Option<Span>, Option<Span>) = (None, None);
    for field in fields.iter().flat_map(|f| f.named.iter()) {
        let field_attrs = FieldAttrs::parse(&field.attrs, cx);
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        borrowed_type(&field.ty, cx);
        if let Some(span) = field_attrs.refresh_token {
            refresh_fields.push((ident.clone(), span));
        }
        let wire = || {
            let name = match &field_attrs.rename {
                Some(rename) => rename.value.clone(),
                None => rename(&ident.unraw_string(), rename_all),
            };
            let span = field_attrs.rename.as_ref().map_or(ident.span(), |r| r.span);
            (name, span)
        };
        let place = if let Some(key) = field_attrs.signing_key {
            signing_keys += 1;
            if signing_keys > 1 {
                cx.error_at(
                    key,
                    "a second signing key: an endpoint's signature has one key; remove `signing_key` here",
                );
            }
            Place::SigningKey(wire().0)
        } else if let Some(header) = &field_attrs.header {
            check_header_name(&header.value, header.span, cx);
            login_headers.push((header.value.clone(), header.span));
            if field_attrs.every_request.is_some() {
                later_headers.push((header.value.clone(), header.span));
            }
            Place::Header(header.value.clone())
        } else if let Some(span) = field_attrs.basic_user {
            basic.0 = Some(span);
            Place::BasicUser(wire().0)
        } else if let Some(span) = field_attrs.basic_password {
            basic.1 = Some(span);
            Place::BasicPassword(wire().0)
        } else {
            let (name, span) = wire();
            let in_query = field_attrs.query.is_some() || field_attrs.also_query.is_some();
            let in_body = field_attrs.query.is_none();
            if in_body && wire_names.insert(name.clone(), span).is_some() {
                cx.error_at(span, format!("two fields are sent as `{name}`; rename one"));
            }
            if in_query && query_names.insert(name.clone(), span).is_some() {
                cx.error_at(
                    span,
                    format!("two query parameters are named `{name}`; rename one"),
                );
            }
            match (field_attrs.query, field_attrs.also_query) {
                (Some(_), _) => Place::Query(name),
                (None, Some(also)) => {
                    if attrs.body.as_ref().is_some_and(|b| b.value == Body::Query)
                        || attrs
                            .method
                            .as_ref()
                            .is_some_and(|m| m.value == Method::Get)
                    {
                        cx.error_at(
                            also,
                            "with the fields in the query already, `also_query` would send this one twice; drop it",
                        );
                    }
                    Place::BodyAndQuery(name)
                }
                (None, None) => Place::Body(name),
            }
        };
        if let (Some(hashed), false) = (field_attrs.hashed, attrs.saw(Key::Hash)) {
            cx.error_at(hashed, "this field is hashed but the endpoint names no hash; add `hash = md5` to `#[login_endpoint]`");
        }
        if let (Some(key), false) = (
            field_attrs.signing_key,
            attrs.saw(Key::Sign) || attrs.saw(Key::RequestSign),
        ) {
            cx.error_at(
                key,
                "a signing key needs a signer; add `sign = ...` to `#[login_endpoint]`",
            );
        }
        if let (Some(rename), Some(_), true) = (
            &field_attrs.rename,
            field_attrs.signing_key,
            attrs.saw(Key::Sign),
        ) {
            cx.error_at(
                rename.span,
                "a signing key is never sent on a request it signs, so `rename` has no effect; drop it",
            );
        }
        model_fields.push(ModelField {
            ident,
            ty: field.ty.clone(),
            place,
            hashed: field_attrs.hashed.is_some(),
            every_request: field_attrs.every_request.is_some(),
        });
    }

    if let Some(hash) = &attrs.hash
        && fields.is_some()
        && !model_fields.iter().any(|f| f.hashed)
    {
        cx.error_at(
            hash.span,
            "`hash = md5` but no field is hashed; mark the field `#[login(hashed)]`",
        );
    }
    if let Some(sign) = attrs.sign.as_ref().or(attrs.request_sign.as_ref())
        && fields.is_some()
        && signing_keys == 0
    {
        cx.error_at(
            sign.span,
            "a signed endpoint needs its key: mark one field `#[login(signing_key)]`",
        );
    }
    if let (Some(_), Some(request_sign)) = (&attrs.sign, &attrs.request_sign) {
        cx.error_at(
            request_sign.span,
            "`sign` signs later requests too; give `request_sign` alone, for a login that is not signed",
        );
    }
    match basic {
        (Some(_), Some(_)) | (None, None) => {}
        (Some(span), None) => cx.error_at(
            span,
            "HTTP Basic needs a password too: mark the secret field `#[login(basic_password)]`",
        ),
        (None, Some(span)) => cx.error_at(
            span,
            "HTTP Basic needs a user too: mark the id field `#[login(basic_user)]`",
        ),
    }
    check_supplied(&attrs, &mut wire_names, &mut query_names, cx);
    check_headers(&attrs, basic.0.is_some(), login_headers, later_headers, cx);
    check_codes(&attrs, cx);
    check_refresh(&attrs, fields.is_some(), &refresh_fields, cx);
    let method = attrs.method.as_ref().map_or(Method::Post, |m| m.value);
    if let (Method::Get, Some(body)) = (method, &attrs.body)
        && body.value != Body::Query
    {
        cx.error_at(
            body.span,
            "a GET request has no body; use `body = query`, or `method = POST`",
        );
    }
    if let (Some((_, span)), false) = (attrs.token_rejected.first(), attrs.saw(Key::ErrorCode)) {
        cx.error_at(
            *span,
            "`token_rejected` codes are read at `error_code`; add `error_code = \"code\"`",
        );
    }
    let reads_codes = attrs.saw(Key::ErrorCode) || attrs.saw(Key::Oauth2);
    if let (Some((_, span)), false) = (attrs.refresh_refused.first(), reads_codes) {
        cx.error_at(
            *span,
            "`refresh_refused` codes are read at `error_code`; add `error_code = \"code\"`",
        );
    }
    if let (Some((_, span)), None) = (attrs.refresh_refused.first(), &attrs.refreshes) {
        cx.error_at(
            *span,
            "`refresh_refused` lists the codes by which a refresh grant refuses its refresh token; it belongs on the endpoint declared with `refreshes = YourLogin`",
        );
    }
    let call_site = Span::call_site();
    if !attrs.saw(Key::Path) {
        cx.error_at(
            call_site,
            "missing `path`: add `path = \"/login\"`, the login path under the base URL",
        );
    }
    // Written, even with a bad value: the standard's defaults are not missing keys.
    let oauth2 = attrs.saw(Key::Oauth2);
    if !attrs.saw(Key::TokenField) && !oauth2 {
        cx.error_at(call_site, "missing `token_field`: add the response field that holds the token, e.g. `token_field = \"data.accessToken\"`");
    }
    if !attrs.saw(Key::Lifetime) && !oauth2 {
        cx.error_at(
            call_site,
            "missing `lifetime`: add `seconds(\"data.expiresIn\")`, `millis(\"...\")`, `fixed(\"20m\")` or `jwt_exp`",
        );
    }
    if let (Some(sliding), Some(lifetime)) = (&attrs.sliding, &attrs.lifetime)
        && matches!(lifetime.value, Lifetime::JwtExp)
    {
        cx.error_at(
            sliding.span,
            "a JWT's `exp` is fixed; `sliding` needs a `fixed` or response lifetime",
        );
    }

    if let (Some(default), Some(lifetime)) = (&attrs.default_lifetime, &attrs.lifetime)
        && !lifetime.value.has_field()
    {
        cx.error_at(
            default.span,
            "`default_lifetime` stands in for an absent lifetime field; this lifetime has no field",
        );
    }
    if let (Some(scheme), Some(SendAs::Query(_))) =
        (&attrs.scheme, attrs.send_as.as_ref().map(|s| &s.value))
    {
        cx.error_at(
            scheme.span,
            "a token sent as a query parameter has no scheme; drop `scheme`, or send it in a header",
        );
    }
    let token_header_is_authorization = match attrs.send_as.as_ref().map(|s| &s.value) {
        None => true,
        Some(SendAs::Header(name)) => name.eq_ignore_ascii_case("authorization"),
        Some(SendAs::Query(_)) => false,
    };
    let no_scheme = oauth2 && attrs.scheme.is_none() && !token_header_is_authorization;

    let path = attrs.path?;
    if !oauth2 && (attrs.token_field.is_none() || attrs.lifetime.is_none()) {
        return None;
    }
    fields?;
    let refreshes = match (attrs.refreshes, refresh_fields.first()) {
        (Some(login), Some((field, _))) => Some((login.value, field.clone())),
        _ => None,
    };
    Some(Model {
        ident: input.ident.clone(),
        vendor: attrs
            .vendor
            .map_or_else(|| input.ident.to_string(), |v| v.value),
        path: path.value,
        base_url: attrs.base_url.map(|b| b.value),
        method,
        body: match (&attrs.body, method) {
            (Some(body), _) => Some(body.value),
            (None, Method::Get) => Some(Body::Query),
            (None, _) => None,
        },
        hash: attrs.hash.is_some(),
        supplied: attrs.supplied,
        request_supplied: attrs.request_supplied,
        token_rejected: attrs
            .token_rejected
            .into_iter()
            .map(|(code, _)| code)
            .collect(),
        refresh_refused: attrs
            .refresh_refused
            .into_iter()
            .map(|(code, _)| code)
            .collect(),
        success: attrs
            .success
            .into_iter()
            .map(|(p, e, _)| (p.segments, e))
            .collect(),
        error_code: attrs.error_code.map(|p| p.value.segments),
        error_message: attrs
            .error_message
            .map(|m| m.value.into_iter().map(|p| p.segments).collect())
            .unwrap_or_default(),
        code_classes: attrs
            .code_classes
            .into_iter()
            .map(|(code, class, _)| (code, class))
            .collect(),
        token: attrs.token_field.map(|t| t.value.segments),
        scheme: attrs.scheme.map(|s| s.value),
        no_scheme,
        lifetime: attrs.lifetime.map(|l| l.value),
        default_lifetime: attrs.default_lifetime.map(|d| d.value),
        oauth2,
        refresh: attrs.refresh.map(|r| r.value),
        refreshes,
        sliding: attrs.sliding.is_some(),
        refresh_token: attrs.refresh_token.map(|p| p.value.segments),
        refresh_lifetime: attrs.refresh_lifetime.map(|l| l.value),
        account: attrs.account.map(|p| p.value.segments),
        send_as: attrs.send_as.map(|s| s.value),
        sign: attrs.sign.map(|s| s.value),
        request_sign: attrs.request_sign.map(|s| s.value),
        fields: model_fields,
    })
}

/// A value the endpoint supplies must not collide with a field of the same name in the same place.
fn check_supplied(
    attrs: &Attrs,
    body_names: &mut HashMap<String, Span>,
    query_names: &mut HashMap<String, Span>,
    cx: &mut Ctxt,
) {
    let fields_in_query = attrs.body.as_ref().is_some_and(|b| b.value == Body::Query)
        || attrs
            .method
            .as_ref()
            .is_some_and(|m| m.value == Method::Get);
    for supplied in &attrs.supplied {
        let names = match supplied.slot {
            Slot::Body => &mut *body_names,
            Slot::Query if fields_in_query => &mut *body_names,
            Slot::Query => &mut *query_names,
            Slot::Header => continue,
        };
        if names.insert(supplied.name.clone(), supplied.span).is_some() {
            cx.error_at(
                supplied.span,
                format!("`{}` is sent twice; give it once", supplied.name),
            );
        }
    }
    let mut later: HashMap<&str, ()> = HashMap::new();
    for supplied in attrs
        .request_supplied
        .iter()
        .filter(|s| s.slot != Slot::Header)
    {
        if later.insert(&supplied.name, ()).is_some() {
            cx.error_at(
                supplied.span,
                format!("`{}` is sent twice; give it once", supplied.name),
            );
        }
    }
}

/// Headers compare without case: two spellings of one name are one header sent twice, and a
/// header the runtime writes itself would be sent twice or silently replaced.
fn check_headers(
    attrs: &Attrs,
    basic: bool,
    mut login: Vec<(String, Span)>,
    mut later: Vec<(String, Span)>,
    cx: &mut Ctxt,
) {
    let declared = |list: &[Supplied]| -> Vec<(String, Span)> {
        list.iter()
            .filter(|s| s.slot == Slot::Header)
            .map(|s| (s.name.clone(), s.span))
            .collect()
    };
    login.extend(declared(&attrs.supplied));
    later.extend(declared(&attrs.request_supplied));
    let mut owned_by_login = vec![
        ("content-type", "the login sets `Content-Type` from `body`"),
        (
            "accept",
            "the login already sends `Accept: application/json`",
        ),
    ];
    if basic {
        owned_by_login.push((
            "authorization",
            "the fields marked `basic_user` and `basic_password` make the login's `Authorization`",
        ));
    }
    let token_header = match attrs.send_as.as_ref().map(|s| &s.value) {
        Some(SendAs::Header(name)) => Some(name.to_ascii_lowercase()),
        Some(SendAs::Query(_)) => None,
        None => Some("authorization".to_owned()),
    };
    let token_reason = "the token goes in this header (`send_as`); it would be replaced";
    let mut owned_later = vec![(
        "content-type",
        "a later request sets `Content-Type` from its own body",
    )];
    if let Some(name) = &token_header {
        owned_later.push((name.as_str(), token_reason));
    }
    for (list, owned) in [(&login, &owned_by_login), (&later, &owned_later)] {
        let mut seen: Vec<String> = Vec::new();
        for (name, span) in list.iter() {
            let lower = name.to_ascii_lowercase();
            if let Some((_, why)) = owned.iter().find(|(o, _)| *o == lower) {
                cx.error_at(*span, format!("`{name}` cannot be declared: {why}"));
            } else if seen.contains(&lower) {
                cx.error_at(
                    *span,
                    format!(
                        "the header `{name}` is declared twice (header names ignore case); give it once"
                    ),
                );
            }
            seen.push(lower);
        }
    }
}

/// A code in two classes, or success rules no answer can meet, make every login fail the same
/// way the credentials' rejection would.
fn check_codes(attrs: &Attrs, cx: &mut Ctxt) {
    let mut classes: HashMap<&str, CodeClass> = HashMap::new();
    for (code, class, span) in &attrs.code_classes {
        match classes.insert(code, *class) {
            Some(previous) if previous != *class => cx.error_at(
                *span,
                format!(
                    "the code `{code}` is listed as `{}` and already as `{}`; a code has one class",
                    class_name(*class),
                    class_name(previous)
                ),
            ),
            Some(_) => cx.error_at(*span, format!("the code `{code}` is listed twice")),
            None => {}
        }
    }
    for (i, (path, expected, span)) in attrs.success.iter().enumerate() {
        let earlier = attrs
            .success
            .iter()
            .take(i)
            .find(|(p, _, _)| p.segments == path.segments);
        if let Some((_, other, _)) = earlier {
            let message = if can_both_hold(other, expected) {
                format!(
                    "`{}` already has a success rule; give it once",
                    path.segments.join(".")
                )
            } else {
                format!(
                    "`{}` cannot hold two values: no answer would succeed and every login would be taken for a rejection; keep one",
                    path.segments.join(".")
                )
            };
            cx.error_at(*span, message);
        }
    }
}

/// Whether one JSON value can meet both rules: the runtime takes a digit string and the number
/// it spells for the same value.
fn can_both_hold(a: &Expected, b: &Expected) -> bool {
    match (a, b) {
        (Expected::Str(s), Expected::Int(i)) | (Expected::Int(i), Expected::Str(s)) => {
            s.trim().parse::<i64>() == Ok(*i)
        }
        _ => a == b,
    }
}

fn class_name(class: CodeClass) -> &'static str {
    match class {
        CodeClass::Transient => "transient",
        CodeClass::RateLimited => "rate_limited",
        CodeClass::Protocol => "protocol",
    }
}

/// `refreshes = Login` takes its refresh token in exactly one field marked `refresh_token`.
fn check_refresh(attrs: &Attrs, have_fields: bool, fields: &[(Ident, Span)], cx: &mut Ctxt) {
    match (&attrs.refreshes, fields) {
        (Some(refreshes), []) if have_fields => cx.error_at(
            refreshes.span,
            "a refresh endpoint takes the refresh token in a field: mark it `#[login(refresh_token)]`",
        ),
        (None, [(_, span), ..]) => cx.error_at(
            *span,
            "`refresh_token` marks the field of a refresh endpoint; add `refreshes = YourLogin` to `#[login_endpoint]`",
        ),
        (_, [_, (_, span), ..]) => cx.error_at(
            *span,
            "a second `refresh_token` field: the refresh token goes in one",
        ),
        _ => {}
    }
    if let (Some(lifetime), false) = (&attrs.refresh_lifetime, attrs.saw(Key::RefreshToken)) {
        cx.error_at(
            lifetime.span,
            "`refresh_lifetime` is the lifetime of the refresh token the answer carries; add where it is: `refresh_token = \"refresh_token\"`",
        );
    }
    if let (Some(refresh), Some(_)) = (&attrs.refresh, &attrs.refreshes) {
        cx.error_at(
            refresh.span,
            "a refresh endpoint renews its login's tokens; it names no refresh of its own",
        );
    }
}

/// A borrowed field would make the endpoint hold a lifetime it cannot have.
fn borrowed_type(ty: &Type, cx: &mut Ctxt) {
    if let Type::Reference(reference) = ty {
        cx.error_spanned_by(
            reference,
            "a login field owns its value: use `String`, or `auth_core::Secret` for a password or key",
        );
    }
}

/// The named fields, or an error on whatever makes this not a plain struct with named fields.
fn struct_fields<'a>(input: &'a DeriveInput, cx: &mut Ctxt) -> Option<&'a syn::FieldsNamed> {
    if input.generics.lifetimes().next().is_some() {
        cx.error_spanned_by(
            &input.generics,
            "a login endpoint owns its credentials and takes no lifetime: use `String`, or `auth_core::Secret` for a password or key",
        );
    } else if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &input.generics,
            "a login endpoint cannot be generic; declare a concrete struct",
        );
    }
    let hint = "#[login_endpoint] goes on a struct with named fields, e.g. `struct Login { user: String, password: Secret }`";
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named),
            Fields::Unnamed(unnamed) => {
                cx.error_at(
                    unnamed.paren_token.span.join(),
                    format!("tuple structs have no field names to send; {hint}"),
                );
                None
            }
            Fields::Unit => {
                cx.error_spanned_by(
                    &input.ident,
                    format!("a unit struct has no credentials; {hint}"),
                );
                None
            }
        },
        Data::Enum(data) => {
            cx.error_spanned_by(
                data.enum_token,
                format!("an enum cannot be a login endpoint; {hint}"),
            );
            None
        }
        Data::Union(data) => {
            cx.error_spanned_by(
                data.union_token,
                format!("a union cannot be a login endpoint; {hint}"),
            );
            None
        }
    }
}

fn check_header_name(name: &str, span: Span, cx: &mut Ctxt) {
    if !crate::attr::is_header_name(name) {
        cx.error_at(span, format!("\"{name}\" is not a valid HTTP header name"));
    }
}

/// A Rust field name (snake_case) in the vendor's case.
fn rename(field: &str, rule: Option<RenameRule>) -> String {
    let words = field.split('_').filter(|w| !w.is_empty());
    match rule {
        None | Some(RenameRule::Snake) => field.to_owned(),
        Some(RenameRule::ScreamingSnake) => field.to_ascii_uppercase(),
        Some(RenameRule::Pascal) => words.map(capitalize).collect(),
        Some(RenameRule::Camel) => {
            let mut out = String::new();
            for (i, word) in words.enumerate() {
                if i == 0 {
                    out.push_str(word)
                } else {
                    out.push_str(&capitalize(word))
                }
            }
            out
        }
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

trait UnrawString {
    fn unraw_string(&self) -> String;
}

impl UnrawString for Ident {
    /// `r#type` is sent as `type`.
    fn unraw_string(&self) -> String {
        let s = self.to_string();
        s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_rules() {
        assert_eq!(rename("access_key", Some(RenameRule::Camel)), "accessKey");
        assert_eq!(rename("access_key", Some(RenameRule::Pascal)), "AccessKey");
        assert_eq!(
            rename("access_key", Some(RenameRule::ScreamingSnake)),
            "ACCESS_KEY"
        );
        assert_eq!(rename("access_key", None), "access_key");
        assert_eq!(rename("email", Some(RenameRule::Camel)), "email");
    }
}

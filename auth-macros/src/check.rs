//! Cross-checks the parsed attribute against the struct and produces the model to expand.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::attr::{Attrs, Body, CodeClass, Expected, Lifetime, Method, RenameRule, Scheme, SendAs};
use crate::ctxt::Ctxt;
use crate::field::FieldAttrs;
use crate::key::Key;

/// Where a field's value goes.
pub(crate) enum Place {
    Body(String),
    Header(String),
    SigningKey,
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
    pub(crate) body: Body,
    pub(crate) hash: bool,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) request_headers: Vec<(String, String)>,
    pub(crate) token_rejected: Vec<String>,
    pub(crate) success: Vec<(Vec<String>, Expected)>,
    pub(crate) error_code: Option<Vec<String>>,
    pub(crate) error_message: Vec<Vec<String>>,
    pub(crate) code_classes: Vec<(String, CodeClass)>,
    pub(crate) token: Vec<String>,
    pub(crate) scheme: Option<Scheme>,
    pub(crate) lifetime: Lifetime,
    pub(crate) sliding: bool,
    pub(crate) refresh_token: Option<Vec<String>>,
    pub(crate) account: Option<Vec<String>>,
    pub(crate) send_as: Option<SendAs>,
    pub(crate) sign: Option<syn::Path>,
    pub(crate) fields: Vec<ModelField>,
}

/// The model, or `None` when `cx` holds errors.
pub(crate) fn check(attrs: Attrs, input: &DeriveInput, cx: &mut Ctxt) -> Option<Model> {
    let fields = struct_fields(input, cx);
    let rename_all = attrs.rename_all.as_ref().map(|r| r.value);
    let mut model_fields = Vec::new();
    let mut wire_names: HashMap<String, Span> = HashMap::new();
    for field in fields.iter().flat_map(|f| f.named.iter()) {
        let field_attrs = FieldAttrs::parse(&field.attrs, cx);
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let place = if field_attrs.signing_key.is_some() {
            Place::SigningKey
        } else if let Some(header) = &field_attrs.header {
            check_header_name(&header.value, header.span, cx);
            Place::Header(header.value.clone())
        } else {
            let name = match &field_attrs.rename {
                Some(rename) => rename.value.clone(),
                None => rename(&ident.unraw_string(), rename_all),
            };
            let span = field_attrs.rename.as_ref().map_or(ident.span(), |r| r.span);
            if wire_names.insert(name.clone(), span).is_some() {
                cx.error_at(span, format!("two fields are sent as `{name}`; rename one"));
            }
            Place::Body(name)
        };
        if let (Some(hashed), false) = (field_attrs.hashed, attrs.saw(Key::Hash)) {
            cx.error_at(hashed, "this field is hashed but the endpoint names no hash; add `hash = md5` to `#[login_endpoint]`");
        }
        if let (Some(key), false) = (field_attrs.signing_key, attrs.saw(Key::Sign)) {
            cx.error_at(
                key,
                "a signing key needs a signer; add `sign = ...` to `#[login_endpoint]`",
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
    if let Some(sign) = &attrs.sign {
        let keys = model_fields
            .iter()
            .filter(|f| matches!(f.place, Place::SigningKey))
            .count();
        if fields.is_some() && keys != 1 {
            cx.error_at(
                sign.span,
                "a signed endpoint has exactly one field marked `#[login(signing_key)]`",
            );
        }
    }
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
    let call_site = Span::call_site();
    if !attrs.saw(Key::Path) {
        cx.error_at(
            call_site,
            "missing `path`: add `path = \"/login\"`, the login path under the base URL",
        );
    }
    if !attrs.saw(Key::TokenField) {
        cx.error_at(call_site, "missing `token_field`: add the response field that holds the token, e.g. `token_field = \"data.accessToken\"`");
    }
    if !attrs.saw(Key::Lifetime) {
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

    let (Some(path), Some(token), Some(lifetime)) = (attrs.path, attrs.token_field, attrs.lifetime)
    else {
        return None;
    };
    fields?;
    Some(Model {
        ident: input.ident.clone(),
        vendor: attrs
            .vendor
            .map_or_else(|| input.ident.to_string(), |v| v.value),
        path: path.value,
        base_url: attrs.base_url.map(|b| b.value),
        method,
        body: attrs.body.map_or(
            if method == Method::Get {
                Body::Query
            } else {
                Body::Json
            },
            |b| b.value,
        ),
        hash: attrs.hash.is_some(),
        headers: attrs.headers,
        request_headers: attrs.request_headers,
        token_rejected: attrs
            .token_rejected
            .into_iter()
            .map(|(code, _)| code)
            .collect(),
        success: attrs
            .success
            .into_iter()
            .map(|(p, e)| (p.segments, e))
            .collect(),
        error_code: attrs.error_code.map(|p| p.value.segments),
        error_message: attrs
            .error_message
            .map(|m| m.value.into_iter().map(|p| p.segments).collect())
            .unwrap_or_default(),
        code_classes: attrs.code_classes,
        token: token.value.segments,
        scheme: attrs.scheme.map(|s| s.value),
        lifetime: lifetime.value,
        sliding: attrs.sliding.is_some(),
        refresh_token: attrs.refresh_token.map(|p| p.value.segments),
        account: attrs.account.map(|p| p.value.segments),
        send_as: attrs.send_as.map(|s| s.value),
        sign: attrs.sign.map(|s| s.value),
        fields: model_fields,
    })
}

/// The named fields, or an error on whatever makes this not a plain struct with named fields.
fn struct_fields<'a>(input: &'a DeriveInput, cx: &mut Ctxt) -> Option<&'a syn::FieldsNamed> {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
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

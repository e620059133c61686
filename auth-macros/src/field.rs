//! Parses `#[login(...)]` on the credential fields.

use proc_macro2::Span;
use syn::{Attribute, LitStr};

use crate::attr::Spanned;
use crate::ctxt::Ctxt;
use crate::suggest;

const FIELD_KEYS: &[&str] = &[
    "rename",
    "hashed",
    "header",
    "query",
    "also_query",
    "basic_user",
    "basic_password",
    "signing_key",
    "every_request",
    "refresh_token",
];

/// What `#[login(...)]` says about one field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) rename: Option<Spanned<String>>,
    pub(crate) hashed: Option<Span>,
    pub(crate) header: Option<Spanned<String>>,
    pub(crate) signing_key: Option<Span>,
    pub(crate) every_request: Option<Span>,
    pub(crate) query: Option<Span>,
    pub(crate) also_query: Option<Span>,
    pub(crate) basic_user: Option<Span>,
    pub(crate) basic_password: Option<Span>,
    pub(crate) refresh_token: Option<Span>,
}

pub(crate) fn is_login_attr(attr: &Attribute) -> bool {
    attr.path().is_ident("login")
}

impl FieldAttrs {
    pub(crate) fn parse(attrs: &[Attribute], cx: &mut Ctxt) -> FieldAttrs {
        let mut out = FieldAttrs::default();
        for attr in attrs.iter().filter(|a| is_login_attr(a)) {
            let result = attr.parse_nested_meta(|meta| {
                let Some(key) = meta.path.get_ident() else {
                    return Err(meta.error(format!("expected one of: {}", FIELD_KEYS.join(", "))));
                };
                let span = key.span();
                let duplicate =
                    || syn::Error::new(span, format!("duplicate key `{key}`: give it once"));
                match key.to_string().as_str() {
                    "rename" | "header" => {
                        let input = meta.value().map_err(|_| {
                            syn::Error::new(
                                span,
                                format!(
                                    "`{key}` takes a name: write `{key} = \"{}\"`",
                                    if key == "header" {
                                        "tenant-id"
                                    } else {
                                        "accessKey"
                                    }
                                ),
                            )
                        })?;
                        if !input.peek(LitStr) {
                            return Err(
                                input.error(format!("`{key}` takes a string: `{key} = \"name\"`"))
                            );
                        }
                        let lit: LitStr = input.parse()?;
                        if lit.value().is_empty() {
                            return Err(syn::Error::new(lit.span(), "a name cannot be empty"));
                        }
                        let slot = if key == "rename" {
                            &mut out.rename
                        } else {
                            &mut out.header
                        };
                        if slot.is_some() {
                            return Err(duplicate());
                        }
                        *slot = Some(Spanned {
                            value: lit.value(),
                            span: lit.span(),
                        });
                        Ok(())
                    }
                    "hashed" | "signing_key" | "every_request" | "query" | "also_query"
                    | "basic_user" | "basic_password" | "refresh_token" => {
                        crate::attr::flag(&meta, &key.to_string())?;
                        let slot = match key.to_string().as_str() {
                            "hashed" => &mut out.hashed,
                            "signing_key" => &mut out.signing_key,
                            "query" => &mut out.query,
                            "also_query" => &mut out.also_query,
                            "basic_user" => &mut out.basic_user,
                            "basic_password" => &mut out.basic_password,
                            "refresh_token" => &mut out.refresh_token,
                            _ => &mut out.every_request,
                        };
                        if slot.replace(span).is_some() {
                            return Err(duplicate());
                        }
                        Ok(())
                    }
                    other => Err(syn::Error::new(
                        span,
                        format!(
                            "unknown field key `{other}`{}",
                            suggest::hint(other, FIELD_KEYS)
                        ),
                    )),
                }
            });
            if let Err(err) = result {
                cx.push(err);
            }
        }
        if let (Some(_), Some(key)) = (&out.header, out.signing_key) {
            cx.error_at(
                key,
                "a signing key is never sent, so it cannot also be a header",
            );
        }
        if let (Some(every), Some(_)) = (out.every_request, out.signing_key) {
            cx.error_at(
                every,
                "a signing key is never sent; it signs every request already",
            );
        }
        // Each field goes to one place: the places written, in the order they are listed here.
        let places = [
            ("header", out.header.as_ref().map(|h| h.span)),
            ("query", out.query),
            ("also_query", out.also_query),
            ("basic_user", out.basic_user),
            ("basic_password", out.basic_password),
            ("signing_key", out.signing_key),
        ];
        let written: Vec<(&str, Span)> = places
            .iter()
            .filter_map(|(name, span)| span.map(|s| (*name, s)))
            .collect();
        if let [(first, _), (second, span), ..] = written.as_slice()
            && !(*first == "header" && *second == "signing_key")
        {
            cx.error_at(
                *span,
                format!("a field goes to one place: `{first}` and `{second}` cannot be combined"),
            );
        }
        if let (Some(rename), Some(_)) = (&out.rename, &out.header) {
            cx.error_at(
                rename.span,
                "a header field takes its name from `header = \"...\"`; drop `rename`",
            );
        }
        out
    }
}

//! Writes the `LoginEndpoint` impl for a checked model. Cannot fail: all checks are done.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attr::{
    Body, CodeClass, Expected, Lifetime, Method, RefreshLifetime, Scheme, SendAs, Slot, Supplied,
    SuppliedValue,
};
use crate::check::{Model, Place};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let p = quote!(::auth_core::__private);
    let ident = &model.ident;
    let vendor = &model.vendor;
    let path = &model.path;
    let lifetime = model.lifetime.as_ref().map(|lifetime| {
        let field = |kind: TokenStream, f: &crate::attr::JsonPath| {
            let f = field_path(&f.segments);
            quote!(#p::Lifetime::#kind(#f))
        };
        match lifetime {
            Lifetime::Seconds(f) => field(quote!(Seconds), f),
            Lifetime::Millis(f) => field(quote!(Millis), f),
            Lifetime::UnixSeconds(f) => field(quote!(UnixSeconds), f),
            Lifetime::UnixMillis(f) => field(quote!(UnixMillis), f),
            Lifetime::Fixed(ms) => quote!(#p::Lifetime::Fixed(#p::Duration::from_millis(#ms))),
            Lifetime::JwtExp => quote!(#p::Lifetime::JwtExp),
        }
    });
    let token = model.token.as_deref().map(field_path);
    // OAuth 2.0 starts from the standard's defaults; anything written overrides them.
    let constructor = match (model.oauth2, &token, &lifetime) {
        (false, Some(token), Some(lifetime)) => {
            quote!(#p::LoginSpec::new(#vendor, #path, #token, #lifetime))
        }
        _ => {
            let mut oauth2 = quote!(#p::LoginSpec::oauth2(#vendor, #path));
            if let Some(token) = &token {
                oauth2.extend(quote!(.token_field(#token)));
            }
            if let Some(lifetime) = &lifetime {
                oauth2.extend(quote!(.lifetime_from(#lifetime)));
            }
            oauth2
        }
    };

    let mut calls = Vec::new();
    if let Some(url) = &model.base_url {
        calls.push(quote!(.base_url(#url)));
    }
    let method = match model.method {
        Method::Get => quote!(Get),
        Method::Post => quote!(Post),
        Method::Put => quote!(Put),
    };
    calls.push(quote!(.method(#p::Method::#method)));
    if let Some(body) = model.body {
        let body = match body {
            Body::Json => quote!(Json),
            Body::Form => quote!(Form),
            Body::Query => quote!(Query),
        };
        calls.push(quote!(.body(#p::BodyEncoding::#body)));
    }
    if model.hash {
        calls.push(quote!(.hash(#p::HashAlgorithm::Md5)));
    }
    if !model.supplied.is_empty() {
        let values = model.supplied.iter().map(supplied);
        calls.push(quote!(.supplied(&[#(#values),*])));
    }
    if !model.request_supplied.is_empty() {
        let values = model.request_supplied.iter().map(supplied);
        calls.push(quote!(.request_supplied(&[#(#values),*])));
    }
    if let Some(ms) = model.default_lifetime {
        calls.push(quote!(.default_lifetime(#p::Duration::from_millis(#ms))));
    }
    if !model.refresh_refused.is_empty() {
        let codes = &model.refresh_refused;
        calls.push(quote!(.refresh_refused(&[#(#codes),*])));
    }
    if !model.token_rejected.is_empty() {
        let codes = &model.token_rejected;
        calls.push(quote!(.token_rejected(&[#(#codes),*])));
    }
    if !model.success.is_empty() {
        let rules = model.success.iter().map(|(path, expected)| {
            let path = field_path(path);
            let expected = match expected {
                Expected::Str(s) => quote!(#p::Expected::Str(#s)),
                Expected::Int(i) => quote!(#p::Expected::Int(#i)),
                Expected::Bool(b) => quote!(#p::Expected::Bool(#b)),
            };
            quote!(#p::SuccessRule::new(#path, #expected))
        });
        calls.push(quote!(.success(&[#(#rules),*])));
    }
    if let Some(code) = &model.error_code {
        let code = field_path(code);
        calls.push(quote!(.error_code(#code)));
    }
    if !model.error_message.is_empty() {
        let paths = model.error_message.iter().map(|m| field_path(m));
        calls.push(quote!(.error_message(&[#(#paths),*])));
    }
    if !model.code_classes.is_empty() {
        let classes = model.code_classes.iter().map(|(code, class)| {
            let class = match class {
                CodeClass::Transient => quote!(Transient),
                CodeClass::RateLimited => quote!(RateLimited),
                CodeClass::Protocol => quote!(Protocol),
            };
            quote!(#p::CodeClass::new(#code, #p::ErrorClass::#class))
        });
        calls.push(quote!(.code_classes(&[#(#classes),*])));
    }
    match &model.scheme {
        Some(Scheme::Fixed(s)) => calls.push(quote!(.scheme(#p::Scheme::Fixed(#s)))),
        Some(Scheme::Field(f)) => {
            let f = field_path(&f.segments);
            calls.push(quote!(.scheme(#p::Scheme::Field(#f))));
        }
        None if model.no_scheme => calls.push(quote!(.scheme(#p::Scheme::None))),
        None => {}
    }
    if model.sliding {
        calls.push(quote!(.sliding(true)));
    }
    if let Some(refresh) = &model.refresh_token {
        let refresh = field_path(refresh);
        calls.push(quote!(.refresh_token(#refresh)));
    }
    if let Some(lifetime) = &model.refresh_lifetime {
        let field = |kind: TokenStream, f: &crate::attr::JsonPath| {
            let f = field_path(&f.segments);
            quote!(#p::RefreshLifetime::#kind(#f))
        };
        let lifetime = match lifetime {
            RefreshLifetime::Seconds(f) => field(quote!(Seconds), f),
            RefreshLifetime::Millis(f) => field(quote!(Millis), f),
            RefreshLifetime::UnixSeconds(f) => field(quote!(UnixSeconds), f),
            RefreshLifetime::UnixMillis(f) => field(quote!(UnixMillis), f),
            RefreshLifetime::Fixed(ms) => {
                quote!(#p::RefreshLifetime::Fixed(#p::Duration::from_millis(#ms)))
            }
            RefreshLifetime::Never => quote!(#p::RefreshLifetime::Never),
        };
        calls.push(quote!(.refresh_lifetime(#lifetime)));
    }
    if let Some(account) = &model.account {
        let account = field_path(account);
        calls.push(quote!(.account(#account)));
    }
    match &model.send_as {
        Some(SendAs::Header(name)) => calls.push(quote!(.send_as(#p::SendAs::Header(#name)))),
        Some(SendAs::Query(name)) => calls.push(quote!(.send_as(#p::SendAs::Query(#name)))),
        None => {}
    }
    if let Some(signer) = &model.sign {
        calls.push(quote_spanned!(signer.span()=> .signer(&#signer)));
    }
    if let Some(signer) = &model.request_sign {
        calls.push(quote_spanned!(signer.span()=> .request_signer(&#signer)));
    }

    let pushes = model.fields.iter().map(|field| {
        let name = &field.ident;
        let spec = match &field.place {
            Place::Body(wire) => quote!(#p::FieldSpec::body(#wire)),
            Place::Query(wire) => quote!(#p::FieldSpec::at(#wire, #p::Place::Query)),
            Place::BodyAndQuery(wire) => {
                quote!(#p::FieldSpec::at(#wire, #p::Place::BodyAndQuery))
            }
            Place::Header(header) => quote!(#p::FieldSpec::header(#header)),
            Place::SigningKey(wire) => quote!(#p::FieldSpec::at(#wire, #p::Place::SigningKey)),
            Place::BasicUser(wire) => quote!(#p::FieldSpec::at(#wire, #p::Place::BasicUser)),
            Place::BasicPassword(wire) => {
                quote!(#p::FieldSpec::at(#wire, #p::Place::BasicPassword))
            }
        };
        let spec = if field.hashed {
            quote!(#spec.hashed())
        } else {
            spec
        };
        let spec = if field.every_request {
            quote!(#spec.every_request())
        } else {
            spec
        };
        // Spanned on the type, so an unsupported field type is reported on the field.
        let ty = &field.ty;
        quote_spanned!(ty.span()=> #p::Params::push::<#ty>(out, #spec, &self.#name);)
    });

    // Spanned on the named endpoint, so a struct that is not its refresh grant is reported there.
    let refresh = model.refresh.as_ref().map(|refresh| {
        quote_spanned! {refresh.span()=>
            const REFRESH: ::core::option::Option<#p::RefreshGrant<Self>> =
                ::core::option::Option::Some(#p::RefreshGrant::<Self>::of::<#refresh>());
        }
    });
    let refreshes = model.refreshes.as_ref().map(|(login, token_field)| {
        let copies = model
            .fields
            .iter()
            .filter(|f| f.ident != *token_field)
            .map(|f| {
                let name = &f.ident;
                quote_spanned!(name.span()=> #name: ::core::clone::Clone::clone(&login.#name))
            });
        quote! {
            impl #p::RefreshEndpoint<#login> for #ident {
                fn refreshing(login: &#login, refresh_token: #p::Secret) -> Self {
                    #ident {
                        #(#copies,)*
                        #token_field: ::core::convert::From::from(refresh_token),
                    }
                }
            }
        }
    });

    quote! {
        impl #p::LoginEndpoint for #ident {
            const SPEC: &'static #p::LoginSpec = &#constructor #(#calls)*;

            fn params<'__a>(&'__a self, out: &mut #p::Params<'__a>) {
                #(#pushes)*
            }

            #refresh
        }

        #refreshes
    }
}

/// One `header(..)`, `param(..)` or `query(..)` as a `Supplied`.
fn supplied(supplied: &Supplied) -> TokenStream {
    let p = quote!(::auth_core::__private);
    let name = &supplied.name;
    let slot = match supplied.slot {
        Slot::Body => quote!(Body),
        Slot::Query => quote!(Query),
        Slot::Header => quote!(Header),
    };
    let value = match &supplied.value {
        SuppliedValue::Text(text) => quote!(Text(#text)),
        SuppliedValue::Uuid => quote!(Uuid),
        SuppliedValue::UnixSeconds => quote!(UnixSeconds),
        SuppliedValue::UnixMillis => quote!(UnixMillis),
    };
    quote!(#p::Supplied { name: #name, value: #p::Value::#value, slot: #p::Slot::#slot })
}

/// What stands in for the impl when the attribute has mistakes, as thiserror's fallback does: code
/// that uses the struct then compiles, so the only errors shown are the real ones. It is never
/// run: the crate does not compile while the attribute's errors stand.
pub(crate) fn stub(input: &syn::DeriveInput, named: &Named) -> TokenStream {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        // A generic item is an error of its own; an impl would need bounds the user never wrote.
        return TokenStream::new();
    }
    let p = quote!(::auth_core::__private);
    let ident = &input.ident;
    // What the attribute names is used here too, so its imports raise no stray warning.
    let values = &named.values;
    let types = &named.types;
    quote! {
        const _: () = {
            #(let _ = &#values;)*
            #(let _ = ::core::marker::PhantomData::<#types>;)*
        };

        impl #p::LoginEndpoint for #ident {
            const SPEC: &'static #p::LoginSpec = &#p::LoginSpec::new(
                "",
                "/",
                #p::FieldPath::new(&[]),
                #p::Lifetime::JwtExp,
            );

            fn params<'__a>(&'__a self, _: &mut #p::Params<'__a>) {}
        }
    }
}

/// The paths an attribute names: signers (values) and endpoints (types).
#[derive(Default)]
pub(crate) struct Named {
    pub(crate) values: Vec<syn::Path>,
    pub(crate) types: Vec<syn::Path>,
}

impl Named {
    pub(crate) fn of(attrs: &crate::attr::Attrs) -> Named {
        let path =
            |slot: &Option<crate::attr::Spanned<syn::Path>>| slot.as_ref().map(|s| s.value.clone());
        Named {
            values: [path(&attrs.sign), path(&attrs.request_sign)]
                .into_iter()
                .flatten()
                .collect(),
            types: [path(&attrs.refresh), path(&attrs.refreshes)]
                .into_iter()
                .flatten()
                .collect(),
        }
    }
}

fn field_path(segments: &[String]) -> TokenStream {
    quote!(::auth_core::__private::FieldPath::new(&[#(#segments),*]))
}

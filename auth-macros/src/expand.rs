//! Writes the `LoginEndpoint` impl for a checked model. Cannot fail: all checks are done.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::attr::{Body, CodeClass, Expected, Lifetime, Method, Scheme, SendAs};
use crate::check::{Model, Place};

pub(crate) fn expand(model: &Model) -> TokenStream {
    let p = quote!(::auth_core::__private);
    let ident = &model.ident;
    let vendor = &model.vendor;
    let path = &model.path;
    let token = field_path(&model.token);
    let lifetime = match &model.lifetime {
        Lifetime::Seconds(f) => {
            let f = field_path(&f.segments);
            quote!(#p::Lifetime::Seconds(#f))
        }
        Lifetime::Millis(f) => {
            let f = field_path(&f.segments);
            quote!(#p::Lifetime::Millis(#f))
        }
        Lifetime::Fixed(ms) => quote!(#p::Lifetime::Fixed(#p::Duration::from_millis(#ms))),
        Lifetime::JwtExp => quote!(#p::Lifetime::JwtExp),
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
    let body = match model.body {
        Body::Json => quote!(Json),
        Body::Form => quote!(Form),
        Body::Query => quote!(Query),
    };
    calls.push(quote!(.method(#p::Method::#method).body(#p::BodyEncoding::#body)));
    if model.hash {
        calls.push(quote!(.hash(#p::HashAlgorithm::Md5)));
    }
    if !model.headers.is_empty() {
        let pairs = model.headers.iter().map(|(n, v)| quote!((#n, #v)));
        calls.push(quote!(.headers(&[#(#pairs),*])));
    }
    if !model.request_headers.is_empty() {
        let pairs = model.request_headers.iter().map(|(n, v)| quote!((#n, #v)));
        calls.push(quote!(.request_headers(&[#(#pairs),*])));
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
        None => {}
    }
    if model.sliding {
        calls.push(quote!(.sliding(true)));
    }
    if let Some(refresh) = &model.refresh_token {
        let refresh = field_path(refresh);
        calls.push(quote!(.refresh_token(#refresh)));
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

    let pushes = model.fields.iter().map(|field| {
        let name = &field.ident;
        let spec = match &field.place {
            Place::Body(wire) => quote!(#p::FieldSpec::body(#wire)),
            Place::Header(header) => quote!(#p::FieldSpec::header(#header)),
            Place::SigningKey => quote!(#p::FieldSpec::signing_key()),
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

    quote! {
        impl #p::LoginEndpoint for #ident {
            const SPEC: &'static #p::LoginSpec =
                &#p::LoginSpec::new(#vendor, #path, #token, #lifetime) #(#calls)*;

            fn params<'__a>(&'__a self, out: &mut #p::Params<'__a>) {
                #(#pushes)*
            }
        }
    }
}

/// What stands in for the impl when the attribute has mistakes, as thiserror's fallback does: code
/// that uses the struct then compiles, so the only errors shown are the real ones. It is never
/// run: the crate does not compile while the attribute's errors stand.
pub(crate) fn stub(input: &syn::DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        // A generic item is an error of its own; an impl would need bounds the user never wrote.
        return TokenStream::new();
    }
    let p = quote!(::auth_core::__private);
    let ident = &input.ident;
    quote! {
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

fn field_path(segments: &[String]) -> TokenStream {
    quote!(::auth_core::__private::FieldPath::new(&[#(#segments),*]))
}

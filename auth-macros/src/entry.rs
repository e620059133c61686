//! The whole macro on `proc_macro2` tokens: unit tested, snapshotted, and fuzzed (`fuzz/` compiles
//! these files outside a proc-macro crate, so nothing here may name `proc_macro` itself).

use proc_macro2::TokenStream as TokenStream2;
use quote::ToTokens;

use crate::{attr, check, ctxt, expand, field};

/// `#[login_endpoint(args)]` on `input`: the struct, then its generated code or its errors.
pub(crate) fn login_endpoint_impl(args: TokenStream2, input: TokenStream2) -> TokenStream2 {
    let mut item: syn::DeriveInput = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            let err = syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[login_endpoint] goes on a struct with named fields",
            );
            let mut out = input;
            out.extend(err.to_compile_error());
            return out;
        }
    };
    let mut cx = ctxt::Ctxt::default();
    let attrs = attr::Attrs::parse(args, &mut cx);
    let named = expand::Named::of(&attrs);
    let model = check::check(attrs, &item, &mut cx);
    strip_field_attrs(&mut item);
    let mut out = item.to_token_stream();
    match (cx.finish(), model) {
        (Ok(()), Some(model)) => out.extend(expand::expand(&model)),
        (Err(err), _) => {
            out.extend(err.to_compile_error());
            out.extend(expand::stub(&item, &named));
        }
        // Unreachable in practice: a missing model always comes with an error.
        (Ok(()), None) => {}
    }
    out
}

/// Removes `#[login(...)]` so the emitted struct compiles even when the macro reports errors.
fn strip_field_attrs(item: &mut syn::DeriveInput) {
    if let syn::Data::Struct(data) = &mut item.data {
        for field in data.fields.iter_mut() {
            field.attrs.retain(|a| !field::is_login_attr(a));
        }
    }
}

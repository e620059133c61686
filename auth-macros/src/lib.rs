//! The `#[login_endpoint]` attribute macro of seller-auth. Use it through `auth_core`, which
//! re-exports it and documents every key: the generated code names `::auth_core` only.

mod attr;
mod check;
mod ctxt;
mod expand;
mod field;
#[cfg(test)]
mod snapshots;
mod suggest;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::ToTokens;

/// Declares a login endpoint on a struct of credentials. See `auth_core::login_endpoint`.
#[proc_macro_attribute]
pub fn login_endpoint(args: TokenStream, input: TokenStream) -> TokenStream {
    login_endpoint_impl(args.into(), input.into()).into()
}

/// The whole macro on proc_macro2 tokens, so it can be unit tested and snapshotted.
fn login_endpoint_impl(args: TokenStream2, input: TokenStream2) -> TokenStream2 {
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
    let model = check::check(attrs, &item, &mut cx);
    strip_field_attrs(&mut item);
    let mut out = item.to_token_stream();
    match (cx.finish(), model) {
        (Ok(()), Some(model)) => out.extend(expand::expand(&model)),
        (Err(err), _) => out.extend(err.to_compile_error()),
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

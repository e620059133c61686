//! The `#[login_endpoint]` attribute macro of seller-auth. Use it through `auth_core`, which
//! re-exports it and documents every key: the generated code names `::auth_core` only.

mod attr;
mod check;
mod ctxt;
mod entry;
mod expand;
mod field;
mod key;
#[cfg(test)]
mod snapshots;
mod suggest;

use proc_macro::TokenStream;

/// Declares a login endpoint on a struct of credentials. See `auth_core::login_endpoint`.
#[proc_macro_attribute]
pub fn login_endpoint(args: TokenStream, input: TokenStream) -> TokenStream {
    entry::login_endpoint_impl(args.into(), input.into()).into()
}

//! placeholder
use proc_macro::TokenStream;
/// placeholder
#[proc_macro_attribute]
pub fn login_endpoint(_args: TokenStream, input: TokenStream) -> TokenStream { input }

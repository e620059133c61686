//! Any text as the arguments of `#[login_endpoint(...)]` (and, after a NUL, as the struct it is
//! on): the macro answers with code or with compile errors, never a panic.
//!
//! A proc-macro crate exports nothing but its macros, so its sources are compiled in here.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../auth-macros/src/attr.rs"]
mod attr;
#[path = "../../auth-macros/src/check.rs"]
mod check;
#[path = "../../auth-macros/src/ctxt.rs"]
mod ctxt;
#[path = "../../auth-macros/src/entry.rs"]
mod entry;
#[path = "../../auth-macros/src/expand.rs"]
mod expand;
#[path = "../../auth-macros/src/field.rs"]
mod field;
#[path = "../../auth-macros/src/key.rs"]
mod key;
#[path = "../../auth-macros/src/suggest.rs"]
mod suggest;

const ITEM: &str = "pub struct Login { pub user: String, #[login(hashed, rename = \"pwd\")] pub password: Secret, #[login(header = \"X-Shop\")] pub shop: Option<String> }";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (args, item) = text.split_once('\0').unwrap_or((text, ITEM));
    let (Ok(args), Ok(item)) = (
        args.parse::<proc_macro2::TokenStream>(),
        item.parse::<proc_macro2::TokenStream>(),
    ) else {
        return;
    };
    let _ = entry::login_endpoint_impl(args, item).to_string();
});

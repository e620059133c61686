//! Any bytes, as any vendor's business answer read by the authorised client: accepted, a token
//! rejection or a rate limit, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod vendor_specs;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let spec = vendor_specs::SPECS[usize::from(selector) % vendor_specs::SPECS.len()];
    auth_core::fuzzing::business_answer(spec, selector & 0x80 != 0, body);
});

//! Any bytes, as any vendor's login answer, with any status and content type: an error or a
//! token fit for a header, never a panic (the checks live in `auth_core::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

mod vendor_specs;

const STATUSES: [u16; 8] = [200, 200, 200, 401, 403, 429, 502, 400];
const CONTENT_TYPES: [Option<&str>; 4] = [
    Some("application/json"),
    Some("application/json;charset=UTF-8"),
    Some("text/html"),
    None,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let spec = vendor_specs::SPECS[usize::from(selector) % vendor_specs::SPECS.len()];
    let status = STATUSES[usize::from(selector >> 3) % STATUSES.len()];
    let content_type = CONTENT_TYPES[usize::from(selector >> 6) % CONTENT_TYPES.len()];
    auth_core::fuzzing::login_answer(spec, status, content_type, body);
});

//! Any text as a JWT: its `exp` claim or nothing, never a panic. Half the inputs are wrapped as
//! `header.<input>.signature`, so the fuzzer spends its time on the payload decoding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if mode & 1 == 0 {
        let _ = auth_core::fuzzing::jwt_expiry(text);
    } else {
        let _ = auth_core::fuzzing::jwt_expiry(&format!("eyJhbGciOiJIUzI1NiJ9.{text}.c2ln"));
    }
});

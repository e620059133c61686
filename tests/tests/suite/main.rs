//! The integration tests, in one binary: each file below was its own test binary, and each
//! linked reqwest, axum and redis again. One link instead of eighteen makes a cold
//! `cargo test` faster (the figures are in the closing note of issue 15). The allocation count
//! (`hit_path_allocations`, which replaces the global allocator) and the compile-fail tests
//! (`ui`) keep binaries of their own.

#[path = "../common/mod.rs"]
mod common;

mod authorised_requests;
mod day_of_traffic;
mod fleet;
mod icekredit_end_to_end;
mod igv_end_to_end;
mod iop_end_to_end;
mod large_answers;
mod network_faults;
mod official_sdk;
mod sandbox_strictness;
mod secrets_every_vendor;
mod secrets_stay_secret;
mod seed_examples;
mod session_cache;
mod store_coordination;
mod token_store;
mod wahool_end_to_end;
mod yz365_end_to_end;

//! Compile errors of `#[login_endpoint]` are part of the product: each `.stderr` is reviewed.
//! Run on the pinned toolchain only (`rust-toolchain.toml`); regenerate with `TRYBUILD=overwrite`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}

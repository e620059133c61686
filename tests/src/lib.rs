//! Test-only crate: see `tests/`. Its doctests are the README's examples, so they stay true.

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

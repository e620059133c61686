//! Nothing to use: this crate holds the trybuild tests of `#[login_endpoint]`
//! (`tests/ui.rs`, with the cases under `ui/`), apart from the heavy dev-dependencies of the
//! integration tests, which trybuild would otherwise build again for its own project.

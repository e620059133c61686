//! Generated code names only `::auth_core::__private` and `::core`: shadowing the prelude and
//! common names in the user's crate changes nothing.
#![allow(dead_code, non_camel_case_types)]
use auth_core::{login_endpoint, LoginEndpoint, Secret};

struct Option;
struct Result;
struct Vec;
struct Box;
struct Duration;
struct str;
mod core {}
mod std {}

#[login_endpoint(path = "/login", token_field = "data.token", lifetime = fixed("1h"), scheme = "Bearer",
                 success("ok" = true), header("X-Client" = "shadow"))]
pub struct Login {
    pub user: ::std::string::String,
    pub password: Secret,
    pub tenant: ::core::option::Option<u64>,
}

fn main() {
    assert_eq!(Login::SPEC.path(), "/login");
}

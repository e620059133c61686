//! Failures and their exit codes: one clear line on stderr, never a secret.

use std::fmt;
use std::process::ExitCode;

use auth_core::{Error, ErrorClass};

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// A usage or configuration problem: exit 2.
    Config(String),
    /// The vendor (or the SDK) reported an error.
    Auth(Error),
    /// Something local went wrong (an I/O error starting the sandbox): exit 4.
    Local(String),
    /// The request was made and the vendor answered with an error (HTTP 400 or more, or its
    /// error envelope): exit 5, the body on stdout.
    Answered {
        vendor: &'static str,
        status: u16,
        said: auth_core::VendorSaid,
        body: String,
    },
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Config(_) => 2,
            Failure::Auth(error) => match error.class() {
                ErrorClass::Config => 2,
                ErrorClass::Rejected => 3,
                _ => 4,
            },
            Failure::Local(_) => 4,
            Failure::Answered { .. } => 5,
        })
    }

    /// The vendor's answer, where the failure is what it answered.
    pub fn body(&self) -> Option<&str> {
        match self {
            Failure::Answered { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Config(message) | Failure::Local(message) => write!(f, "authctl: {message}"),
            // The error's own message starts with the vendor's name.
            Failure::Auth(error) => write!(f, "authctl: {error}"),
            Failure::Answered {
                vendor,
                status,
                said,
                ..
            } => write!(
                f,
                "authctl: {vendor} answered with an error (HTTP {status}){said}"
            ),
        }
    }
}

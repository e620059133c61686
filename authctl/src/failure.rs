//! Failures and their exit codes: one clear line on stderr, never a secret.

use std::fmt;
use std::process::ExitCode;

use auth_core::{ConfigError, Error, ErrorClass};

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
    /// error envelope): exit 5, the body on stdout (`None`: already written, as it came).
    Answered {
        vendor: &'static str,
        status: u16,
        said: auth_core::VendorSaid,
        body: Option<Vec<u8>>,
    },
    /// Standard output could not be written: exit 141, silently, when its reader is gone (as a
    /// tool killed by `SIGPIPE` reports), or exit 6 with the cause (a full disk).
    Stdout(std::io::Error),
}

/// The exit code when stdout's reader has gone: what a shell reports for a process killed by
/// `SIGPIPE` (128 + 13), as `cat` or `grep` end in a pipeline whose reader left early.
pub const CLOSED_PIPE: u8 = 141;

/// The exit code when stdout could not be written for another reason (a full disk).
pub const STDOUT_FAILED: u8 = 6;

/// The exit code when `request` names a URL on another origin than the vendor's API: the token
/// would have gone there, and nothing was sent.
pub const FOREIGN_ORIGIN: u8 = 7;

/// The exit code when a seller must approve the app again: its refresh token is missing, spent
/// or refused, and no code was given to onboard it.
pub const NEEDS_CONSENT: u8 = 8;

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Config(_) => 2,
            Failure::Auth(Error::Config {
                problem: ConfigError::ForeignOrigin { .. },
                ..
            }) => FOREIGN_ORIGIN,
            Failure::Auth(error) => match error.class() {
                ErrorClass::Config => 2,
                ErrorClass::Rejected => 3,
                ErrorClass::NeedsConsent => NEEDS_CONSENT,
                _ => 4,
            },
            Failure::Local(_) => 4,
            Failure::Answered { .. } => 5,
            Failure::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe => CLOSED_PIPE,
            Failure::Stdout(_) => STDOUT_FAILED,
        })
    }

    /// The vendor's answer still to print, where the failure is what it answered.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Failure::Answered { body, .. } => body.as_deref(),
            _ => None,
        }
    }

    /// Whether the failure goes without a message: no one reads what authctl writes any more.
    pub fn is_quiet(&self) -> bool {
        matches!(self, Failure::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
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
            Failure::Stdout(e) => write!(f, "authctl: the output could not be written: {e}"),
        }
    }
}

//! The HTTP client sessions share when given none: one per tokio runtime, so that a process
//! building thousands of sessions builds one client (its TLS roots and connection pool), not
//! one each.
//!
//! Per runtime, not per process: a client's pooled connections are driven by tasks of the
//! runtime that opened them, and die with it; a process may run several runtimes one after
//! another (a test suite does), and a connection left from a dead one must not be handed out.

use std::sync::Mutex;

use tokio::runtime::{Handle, Id};

use super::builder::default_client;
use crate::error::ConfigError;

/// The runtimes' clients, newest last. Runtimes that ended leave theirs behind: at most this
/// many are kept, the oldest dropped first.
const KEPT: usize = 8;

static CLIENTS: Mutex<Vec<(Id, reqwest::Client)>> = Mutex::new(Vec::new());

/// The current runtime's shared client, built on first use; a client of its own outside a
/// runtime.
pub(crate) fn shared_client() -> Result<reqwest::Client, ConfigError> {
    let Ok(runtime) = Handle::try_current() else {
        return default_client();
    };
    let id = runtime.id();
    // The list is consistent whatever a panicking holder did: each change is one call.
    let mut clients = CLIENTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, client)) = clients.iter().find(|(owner, _)| *owner == id) {
        return Ok(client.clone());
    }
    let client = default_client()?;
    if clients.len() >= KEPT {
        clients.remove(0);
    }
    clients.push((id, client.clone()));
    Ok(client)
}

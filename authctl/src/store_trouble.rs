//! At the default verbosity tracing is off, yet a store that fails during a run (an entry
//! sealed with another key, a write refused) leaves the session going on without it: this
//! layer says so on stderr, once, whatever the verbosity.

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};

/// Where the session's store warnings come from: its fleet layer (auth-core's module), which
/// warns exactly when a store call failed and the session went on without that call.
const FLEET: &str = "auth_core::session::fleet";

/// Says the first store warning of the run on stderr.
pub struct StoreTrouble {
    /// `--store`'s value, or `None` for the default store.
    choice: Option<String>,
    said: AtomicBool,
}

impl StoreTrouble {
    pub fn new(choice: Option<&str>) -> Self {
        StoreTrouble {
            choice: choice.map(str::to_owned),
            said: AtomicBool::new(false),
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for StoreTrouble {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if *meta.level() != tracing::Level::WARN || !meta.target().starts_with(FLEET) {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        // Only a failed store call carries an error; the fleet's other warnings (a rejection
        // another process recorded, say) are news from a store that works.
        let Some(error) = fields.error else {
            return;
        };
        if self.said.swap(true, Ordering::Relaxed) {
            return;
        }
        let why = format!("{}: {error}", fields.message);
        crate::output::stderr_line(&crate::store::trouble_message(self.choice.as_deref(), &why));
    }
}

/// The message and the `error` field of an event.
#[derive(Default)]
struct Fields {
    message: String,
    error: Option<String>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "error" => self.error = Some(format!("{value:?}")),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_owned(),
            "error" => self.error = Some(value.to_owned()),
            _ => {}
        }
    }
}

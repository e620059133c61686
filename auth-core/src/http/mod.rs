//! HTTP helpers that logins and authorised requests share: how a URL is joined, which URLs may
//! carry secrets, what a status alone means, and how long `Retry-After` asks to wait.

mod retry_after;
mod status;
mod transport;
mod urls;

pub(crate) use retry_after::retry_after;
pub(crate) use status::status_error;
pub(crate) use transport::check_transport;
pub(crate) use urls::{base, join, login_url};

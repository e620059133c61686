//! A refresh grant declared as its own endpoint and tied to the login it renews.

use std::time::SystemTime;

use futures_util::future::BoxFuture;
use url::Url;

use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::login::{self, AttemptLimits, Issued};
use crate::secret::Secret;

/// An endpoint that renews the tokens of the login `L` with a refresh token.
///
/// `#[login_endpoint(refreshes = L, ...)]` implements it: the field marked
/// `#[login(refresh_token)]` takes the refresh token, and every other field is copied from the
/// login's field of the same name. The login names it with `refresh = ...`, and its sessions
/// then renew through it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not declared as the refresh grant of `{L}`",
    label = "named by `refresh = ...`",
    note = "declare it with `#[login_endpoint(refreshes = {L}, ...)]` and a field marked `#[login(refresh_token)]`"
)]
pub trait RefreshEndpoint<L: ?Sized>: LoginEndpoint + Sized {
    /// The refresh request for `login`'s credentials and this refresh token.
    fn refreshing(login: &L, refresh_token: Secret) -> Self;
}

type Attempt<L> = fn(
    &L,
    Secret,
    Url,
    reqwest::Client,
    AttemptLimits,
    SystemTime,
) -> BoxFuture<'static, Result<Issued, Error>>;

/// How a login's sessions renew: the refresh endpoint it names with `refresh = ...`.
pub struct RefreshGrant<L: ?Sized> {
    pub(crate) path: &'static str,
    pub(crate) attempt: Attempt<L>,
    /// The refresh endpoint's description (its codes for a refused refresh token).
    pub(crate) spec: &'static crate::spec::LoginSpec,
}

impl<L: ?Sized> Clone for RefreshGrant<L> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<L: ?Sized> Copy for RefreshGrant<L> {}

impl<L: ?Sized> std::fmt::Debug for RefreshGrant<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshGrant")
            .field("path", &self.path)
            .finish()
    }
}

impl<L: LoginEndpoint + ?Sized> RefreshGrant<L> {
    /// The grant of the refresh endpoint `R`.
    pub const fn of<R: RefreshEndpoint<L>>() -> Self {
        RefreshGrant {
            path: R::SPEC.path,
            attempt: attempt::<L, R>,
            spec: R::SPEC,
        }
    }

    /// The refresh endpoint's path, under the session's base URL.
    pub const fn path(&self) -> &'static str {
        self.path
    }
}

fn attempt<L: ?Sized, R: RefreshEndpoint<L>>(
    login: &L,
    refresh_token: Secret,
    url: Url,
    client: reqwest::Client,
    limits: AttemptLimits,
    now: SystemTime,
) -> BoxFuture<'static, Result<Issued, Error>> {
    let endpoint = R::refreshing(login, refresh_token);
    Box::pin(
        async move { login::attempt(&endpoint, &url, R::SPEC.path(), &client, limits, now).await },
    )
}

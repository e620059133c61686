//! Renewing with a refresh token through a second endpoint (IOP's `/auth/token/refresh`).

use std::time::SystemTime;

use futures_util::future::BoxFuture;
use url::Url;

use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::login::{self, AttemptLimits, Issued};
use crate::refresh_grant::RefreshGrant;
use crate::secret::Secret;

type Attempt<E> = dyn Fn(
        &E,
        Secret,
        &reqwest::Client,
        AttemptLimits,
        SystemTime,
    ) -> BoxFuture<'static, Result<Issued, Error>>
    + Send
    + Sync;

/// Turns a refresh token into one refresh request, made from the login `E`'s credentials.
pub(crate) struct Refresher<E> {
    attempt: Box<Attempt<E>>,
    /// The refresh endpoint's description: which of its answers refuse the refresh token.
    spec: &'static crate::spec::LoginSpec,
}

impl<E: LoginEndpoint> Refresher<E> {
    /// A refresher through the endpoint `make` builds (`SessionBuilder::refresh_with`).
    pub(crate) fn new<R, F>(url: Url, make: F) -> Self
    where
        R: LoginEndpoint,
        F: Fn(Secret) -> R + Send + Sync + 'static,
    {
        let attempt = move |_: &E,
                            refresh_token: Secret,
                            client: &reqwest::Client,
                            limits: AttemptLimits,
                            now: SystemTime| {
            let endpoint = make(refresh_token);
            let client = client.clone();
            let url = url.clone();
            let future: BoxFuture<'static, Result<Issued, Error>> = Box::pin(async move {
                login::attempt(&endpoint, &url, R::SPEC.path(), &client, limits, now).await
            });
            future
        };
        Refresher {
            attempt: Box::new(attempt),
            spec: R::SPEC,
        }
    }

    /// A refresher through the grant the login declares (`refresh = ...`).
    pub(crate) fn declared(url: Url, grant: RefreshGrant<E>) -> Self {
        Refresher {
            spec: grant.spec,
            attempt: Box::new(move |login, refresh_token, client, limits, now| {
                (grant.attempt)(
                    login,
                    refresh_token,
                    url.clone(),
                    client.clone(),
                    limits,
                    now,
                )
            }),
        }
    }

    /// Whether `err`, the answer to a refresh, refuses the refresh token itself (spent,
    /// revoked, expired), rather than the app or the request.
    pub(crate) fn refuses_refresh_token(&self, err: &Error) -> bool {
        err.vendor_said()
            .and_then(|said| said.code.as_deref())
            .is_some_and(|code| self.spec.refuses_refresh_token(code))
    }

    pub(crate) fn attempt(
        &self,
        login: &E,
        refresh_token: Secret,
        client: &reqwest::Client,
        limits: AttemptLimits,
        now: SystemTime,
    ) -> BoxFuture<'static, Result<Issued, Error>> {
        (self.attempt)(login, refresh_token, client, limits, now)
    }
}

//! Renewing with a refresh token through a second endpoint (IOP's `/auth/token/refresh`).

use std::time::SystemTime;

use futures_util::future::BoxFuture;
use url::Url;

use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::login::{self, AttemptLimits, Issued};
use crate::secret::Secret;

type Attempt = dyn Fn(
        Secret,
        &reqwest::Client,
        AttemptLimits,
        SystemTime,
    ) -> BoxFuture<'static, Result<Issued, Error>>
    + Send
    + Sync;

/// Turns a refresh token into one refresh request of the endpoint `R`.
pub(crate) struct Refresher {
    attempt: Box<Attempt>,
}

impl Refresher {
    pub(crate) fn new<R, F>(url: Url, make: F) -> Self
    where
        R: LoginEndpoint,
        F: Fn(Secret) -> R + Send + Sync + 'static,
    {
        let attempt = move |refresh_token: Secret,
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
        }
    }

    pub(crate) fn attempt(
        &self,
        refresh_token: Secret,
        client: &reqwest::Client,
        limits: AttemptLimits,
        now: SystemTime,
    ) -> BoxFuture<'static, Result<Issued, Error>> {
        (self.attempt)(refresh_token, client, limits, now)
    }
}

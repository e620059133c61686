//! Which URLs may carry credentials and tokens.

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::ConfigError;

/// `https`, or plain `http` to loopback (or anywhere, when allowed): where credentials and
/// tokens may be sent.
pub(crate) fn check_transport(url: &Url, allow_insecure_http: bool) -> Result<(), ConfigError> {
    let host = url.host().ok_or_else(|| ConfigError::BadBaseUrl {
        reason: "it has no host".into(),
    })?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure_http || is_loopback(&host) => Ok(()),
        "http" => Err(ConfigError::InsecureHttp {
            host: host.to_string(),
        }),
        other => Err(ConfigError::BadBaseUrl {
            reason: format!("unsupported scheme `{other}`"),
        }),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

//! Joining a base URL and a path, the one way every request of ours is addressed.

use url::Url;

use super::transport::check_transport;
use crate::error::ConfigError;

/// `path` under `base`, with exactly one slash between them and `base`'s own path kept; an empty
/// path, or one that is only a `?query`, addresses `base` itself (a gateway such as AliExpress's
/// `/sync`); an absolute `http(s)://` URL stands for itself.
pub(crate) fn join(base: &Url, path: &str) -> Result<Url, url::ParseError> {
    if path.starts_with("http://") || path.starts_with("https://") {
        return Url::parse(path);
    }
    let base = base.as_str().trim_end_matches('/');
    if path.is_empty() || path.starts_with('?') {
        return Url::parse(&format!("{base}{path}"));
    }
    Url::parse(&format!("{base}/{}", path.trim_start_matches('/')))
}

/// The base URL given by a caller, parsed, without a trailing slash.
pub(crate) fn base(text: &str) -> Result<Url, ConfigError> {
    Url::parse(text.trim_end_matches('/')).map_err(|e| ConfigError::BadBaseUrl {
        reason: e.to_string(),
    })
}

/// Where a login goes: `path` under `base`, with no query or fragment (credentials go in the
/// body, and a query would be signed or sent twice), over a transport that may carry secrets.
pub(crate) fn login_url(
    base_text: &str,
    path: &str,
    allow_insecure_http: bool,
) -> Result<Url, ConfigError> {
    let base = base(base_text)?;
    if base.query().is_some() || base.fragment().is_some() {
        return Err(ConfigError::BadBaseUrl {
            reason: "it has a query or fragment".into(),
        });
    }
    let bad_path = |reason| ConfigError::BadLoginPath {
        path: path.to_owned(),
        reason,
    };
    let url = join(&base, path).map_err(|_| bad_path("it does not join the base URL"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad_path(
            "it has a query or fragment; declare parameters with `query(..)`",
        ));
    }
    check_transport(&url, allow_insecure_http)?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_a_query_is_named() {
        let err = login_url("https://vendor.example", "/token?grant_type=x", false);
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("bad login path `/token?grant_type=x`: it has a query or fragment; declare parameters with `query(..)`".to_owned())
        );
        let err = login_url("https://vendor.example/?v=1", "/token", false);
        assert!(matches!(err, Err(ConfigError::BadBaseUrl { .. })));
    }

    #[test]
    fn joins_with_one_slash_keeping_the_base_path() {
        let url = login_url(
            "https://paas-gateway.example/merchant-api/",
            "/seller/auth/login",
            false,
        );
        assert_eq!(
            url.map(|u| u.to_string()).ok().as_deref(),
            Some("https://paas-gateway.example/merchant-api/seller/auth/login")
        );
    }

    #[test]
    fn an_empty_path_or_a_query_addresses_the_base_itself() {
        let gateway = Url::parse("https://api.vendor.example/sync").unwrap();
        assert_eq!(
            join(&gateway, "").unwrap().as_str(),
            "https://api.vendor.example/sync"
        );
        assert_eq!(
            join(&gateway, "?method=a.b").unwrap().as_str(),
            "https://api.vendor.example/sync?method=a.b"
        );
        assert_eq!(
            join(&gateway, "https://other.example/x").unwrap().as_str(),
            "https://other.example/x"
        );
    }

    #[test]
    fn plain_http_only_to_loopback_unless_allowed() {
        assert!(login_url("http://127.0.0.1:8080", "/x", false).is_ok());
        assert!(login_url("http://[::1]:8080", "/x", false).is_ok());
        assert!(login_url("http://localhost:1", "/x", false).is_ok());
        assert_eq!(
            login_url("http://vendor.example", "/x", false),
            Err(ConfigError::InsecureHttp {
                host: "vendor.example".into()
            })
        );
        assert!(login_url("http://vendor.example", "/x", true).is_ok());
    }

    #[test]
    fn bad_urls_are_refused() {
        for bad in ["not a url", "ftp://h/x", "https://h/?a=1", "mailto:x@y"] {
            assert!(
                matches!(
                    login_url(bad, "/x", false),
                    Err(ConfigError::BadBaseUrl { .. })
                ),
                "{bad}"
            );
        }
    }
}

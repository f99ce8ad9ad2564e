//! OCSP responder URLs: plain `http://` only, as RFC 6960 Appendix A.1 transports OCSP.

use std::fmt;

use hyper::Uri;
use hyper::http::uri::Scheme;

use super::error::UrlError;

/// Port used when the URL names none.
const DEFAULT_PORT: u16 = 80;

/// A parsed `http://` responder URL: where to connect and what to send in the request line
/// and `Host` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ResponderUrl {
    /// Host to connect to; an IPv6 literal without its brackets.
    host: String,
    /// TCP port, 80 when the URL names none.
    port: u16,
    /// `Host` header value: the host (IPv6 in brackets) and the port when it is not 80.
    authority: String,
    /// Request target: path (at least `/`) and query.
    target: String,
}

impl ResponderUrl {
    /// Parses `url`, accepting only the `http` scheme (case-insensitively), a non-empty host,
    /// no user information and an optional port, path and query; a fragment is dropped.
    pub(super) fn parse(url: &str) -> Result<Self, UrlError> {
        let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
        let uri: Uri = without_fragment
            .parse()
            .map_err(|err: hyper::http::uri::InvalidUri| UrlError::Invalid {
                reason: err.to_string(),
            })?;
        let scheme = uri.scheme().ok_or(UrlError::MissingScheme)?;
        if *scheme != Scheme::HTTP {
            return Err(UrlError::UnsupportedScheme {
                scheme: scheme.as_str().to_owned(),
            });
        }
        let authority = uri.authority().ok_or(UrlError::MissingHost)?;
        if authority.as_str().contains('@') {
            return Err(UrlError::UserInfo);
        }
        let bracketed_host = authority.host();
        let host = bracketed_host
            .strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(bracketed_host);
        if host.is_empty() {
            return Err(UrlError::MissingHost);
        }
        // `Authority::port` hides ports that do not fit in 16 bits, so read the text after
        // the host (the authority starts with it, user information having been refused).
        let port_text = authority
            .as_str()
            .get(bracketed_host.len()..)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or_default();
        let port = if port_text.is_empty() {
            DEFAULT_PORT
        } else {
            port_text.parse().map_err(|_| UrlError::Invalid {
                reason: format!("port {port_text:?} is not a number from 0 to 65535"),
            })?
        };
        let authority = if port == DEFAULT_PORT {
            bracketed_host.to_owned()
        } else {
            format!("{bracketed_host}:{port}")
        };
        // `path()` is `/` when the URL has none.
        let target = match uri.query() {
            Some(query) => format!("{}?{query}", uri.path()),
            None => uri.path().to_owned(),
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            authority,
            target,
        })
    }

    /// Host to connect to (an IPv6 literal without brackets).
    pub(super) fn host(&self) -> &str {
        &self.host
    }

    /// TCP port to connect to.
    pub(super) fn port(&self) -> u16 {
        self.port
    }

    /// Value of the `Host` request header.
    pub(super) fn authority(&self) -> &str {
        &self.authority
    }

    /// Request target of the `POST` line: path and query.
    pub(super) fn target(&self) -> &str {
        &self.target
    }
}

impl fmt::Display for ResponderUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.authority, self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(url: &str) -> (String, u16, String, String) {
        let parsed = ResponderUrl::parse(url).unwrap();
        (
            parsed.host().to_owned(),
            parsed.port(),
            parsed.authority().to_owned(),
            parsed.target().to_owned(),
        )
    }

    #[test]
    fn host_only_defaults_to_port_80_and_root_path() {
        assert_eq!(
            parts("http://ocsp.example.org"),
            (
                "ocsp.example.org".into(),
                80,
                "ocsp.example.org".into(),
                "/".into()
            )
        );
    }

    #[test]
    fn explicit_port_path_and_query_are_kept() {
        assert_eq!(
            parts("http://127.0.0.1:8888/ocsp/v1?ca=a%20b"),
            (
                "127.0.0.1".into(),
                8888,
                "127.0.0.1:8888".into(),
                "/ocsp/v1?ca=a%20b".into()
            )
        );
    }

    #[test]
    fn explicit_or_empty_port_80_is_left_out_of_the_host_header() {
        assert_eq!(parts("http://example.org:80/x").2, "example.org");
        let empty_port = parts("http://example.org:/x");
        assert_eq!((empty_port.1, empty_port.2.as_str()), (80, "example.org"));
    }

    #[test]
    fn query_without_path_gets_a_root_path() {
        assert_eq!(parts("http://example.org?x=1").3, "/?x=1");
    }

    #[test]
    fn ipv6_literal_is_unbracketed_for_connecting_only() {
        assert_eq!(
            parts("http://[::1]:8080/ocsp"),
            ("::1".into(), 8080, "[::1]:8080".into(), "/ocsp".into())
        );
        assert_eq!(
            parts("http://[2001:db8::7]"),
            ("2001:db8::7".into(), 80, "[2001:db8::7]".into(), "/".into())
        );
    }

    #[test]
    fn scheme_is_case_insensitive_and_fragment_is_dropped() {
        assert_eq!(
            parts("HTTP://Example.org/a#frag"),
            ("Example.org".into(), 80, "Example.org".into(), "/a".into())
        );
    }

    #[test]
    fn display_round_trips_the_normalised_url() {
        let url = ResponderUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!(url.to_string(), "http://[::1]:8080/");
    }

    #[test]
    fn https_and_other_schemes_are_refused_by_name() {
        for (url, scheme) in [
            ("https://ocsp.example.org/", "https"),
            ("ldap://ldap.example.org/", "ldap"),
            ("ftp://example.org/x", "ftp"),
        ] {
            assert_eq!(
                ResponderUrl::parse(url),
                Err(UrlError::UnsupportedScheme {
                    scheme: scheme.into()
                }),
                "{url}"
            );
        }
    }

    #[test]
    fn relative_references_have_no_scheme() {
        assert_eq!(ResponderUrl::parse("/ocsp"), Err(UrlError::MissingScheme));
        assert_eq!(
            ResponderUrl::parse("ocsp.example.org"),
            Err(UrlError::MissingScheme)
        );
    }

    #[test]
    fn user_information_is_refused() {
        assert_eq!(
            ResponderUrl::parse("http://user:pw@example.org/"),
            Err(UrlError::UserInfo)
        );
    }

    #[test]
    fn malformed_urls_are_invalid() {
        for url in [
            "",
            "http://",
            "http://exa mple.org/",
            "http://[::1/",
            "http://host:99999/",
            "http://host:-1/",
        ] {
            assert!(
                matches!(
                    ResponderUrl::parse(url),
                    Err(UrlError::Invalid { .. } | UrlError::MissingHost)
                ),
                "{url:?} gave {:?}",
                ResponderUrl::parse(url)
            );
        }
    }
}

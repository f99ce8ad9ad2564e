//! `https://host[:port]/path` URLs of client requests.

use hyper::Uri;

use super::error::ClientError;

/// Where a client request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The URL as given, for error messages.
    pub(crate) url: String,
    /// Host name or IP address, IPv6 without brackets: for name resolution, SNI and
    /// certificate name checks.
    pub(crate) host: String,
    /// The port, 443 when not given.
    pub(crate) port: u16,
    /// The `Host` header value: host as written, with the port when it was given.
    pub(crate) authority: String,
    /// Path and query of the request line, `/` when empty.
    pub(crate) path: String,
}

impl Target {
    /// Parses an absolute `https` URL.
    pub(crate) fn parse(url: &str) -> Result<Self, ClientError> {
        let invalid = |reason| ClientError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let uri: Uri = url.parse().map_err(|_| invalid("not a valid URI"))?;
        if !uri
            .scheme_str()
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https"))
        {
            return Err(invalid("the scheme must be https"));
        }
        let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("user information is not allowed"));
        }
        let host = authority.host();
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let port = match authority.as_str()[host.len()..].strip_prefix(':') {
            None => 443,
            Some(text) => text
                .parse::<u16>()
                .ok()
                .filter(|port| *port != 0)
                .ok_or_else(|| invalid("the port must be a number from 1 to 65535"))?,
        };
        let path = match uri.path_and_query().map(|path| path.as_str()) {
            None | Some("") => "/".to_owned(),
            Some(path) => path.to_owned(),
        };
        let bare_host = host
            .strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(host);
        Ok(Target {
            url: url.to_owned(),
            host: bare_host.to_owned(),
            port,
            authority: authority.as_str().to_owned(),
            path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    fn reason(url: &str) -> &'static str {
        match Target::parse(url) {
            Err(ClientError::InvalidUrl { reason, .. }) => reason,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn host_port_and_path() {
        let target = parse("https://cs.example.org:4001/managementservice/");
        assert_eq!(target.host, "cs.example.org");
        assert_eq!(target.port, 4001);
        assert_eq!(target.authority, "cs.example.org:4001");
        assert_eq!(target.path, "/managementservice/");
    }

    #[test]
    fn defaults_and_ipv6() {
        let target = parse("HTTPS://cs.example.org");
        assert_eq!((target.port, target.path.as_str()), (443, "/"));
        let target = parse("https://[::1]:8443/managementservice/manage/?a=1");
        assert_eq!(target.host, "::1");
        assert_eq!(target.authority, "[::1]:8443");
        assert_eq!(target.path, "/managementservice/manage/?a=1");
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(reason("http://cs.example.org/"), "the scheme must be https");
        assert_eq!(reason("/managementservice/"), "the scheme must be https");
        assert_eq!(
            reason("https://user@cs.example.org/"),
            "user information is not allowed"
        );
        assert_eq!(
            reason("https://cs.example.org:0/"),
            "the port must be a number from 1 to 65535"
        );
        assert_eq!(
            reason("https://cs.example.org:70000/"),
            "the port must be a number from 1 to 65535"
        );
        assert_eq!(reason("https://cs example/"), "not a valid URI");
    }
}

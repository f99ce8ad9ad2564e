//! Server configuration: listeners, endpoints, client authentication and limits.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use ipnet::IpNet;

use super::error::TransportError;
use super::identity::TlsIdentity;

/// The two management service endpoints of a central server, as operation descriptions
/// name them.
pub use xroad_codec::operation::Endpoint;

/// Whether a listener asks TLS clients for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// The handshake fails unless the client presents a certificate and proves possession of
    /// its key. The transport does not check it against any CA: the handler receives it in
    /// [`IncomingRequest::client_certificate`](super::IncomingRequest::client_certificate)
    /// and decides (the service handler: a registered authentication certificate, then its
    /// chain, validity, key usage and OCSP status), with a SOAP fault that says what is
    /// wrong instead of a failed handshake.
    Required,
    /// No client certificate is requested (for example behind a management service
    /// provider's security server, which authenticates the caller itself).
    Off,
}

/// One listener: where it listens, its TLS certificate, the path it serves, whether it
/// requires TLS client authentication and whom it takes connections from.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// Address to bind; port 0 picks a free port (see [`Server::local_addr`](super::Server::local_addr)).
    pub address: SocketAddr,
    /// The only path served; other paths get 404. Matched exactly, query ignored.
    pub path: String,
    /// The server's TLS certificate, chain and key.
    pub tls: TlsIdentity,
    /// Whether TLS client authentication is required.
    pub client_auth: ClientAuth,
    /// The client addresses and networks connections are taken from; a connection from
    /// elsewhere is closed at accept, before the TLS handshake. `None` (the default) takes
    /// any. IPv4-mapped IPv6 addresses are matched as IPv4.
    pub allowed_sources: Option<Vec<IpNet>>,
}

impl ListenerConfig {
    /// The registration listener: path `/managementservice/`, no client authentication.
    pub fn registration(address: SocketAddr, tls: TlsIdentity) -> Self {
        ListenerConfig {
            address,
            path: Endpoint::Registration.default_path().to_owned(),
            tls,
            client_auth: ClientAuth::Off,
            allowed_sources: None,
        }
    }

    /// The manage listener: path `/managementservice/manage/`, client authentication
    /// required.
    pub fn manage(address: SocketAddr, tls: TlsIdentity) -> Self {
        ListenerConfig {
            address,
            path: Endpoint::Manage.default_path().to_owned(),
            tls,
            client_auth: ClientAuth::Required,
            allowed_sources: None,
        }
    }
}

/// A per-client-address request rate: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests per second allowed on average.
    pub per_second: NonZeroU32,
    /// Requests allowed at once before the rate applies.
    pub burst: NonZeroU32,
}

impl Default for RateLimit {
    /// 100 requests per second, bursts of 200.
    fn default() -> Self {
        const PER_SECOND: NonZeroU32 = NonZeroU32::new(100).unwrap();
        const BURST: NonZeroU32 = NonZeroU32::new(200).unwrap();
        RateLimit {
            per_second: PER_SECOND,
            burst: BURST,
        }
    }
}

/// Resource limits of the TLS listeners. Over a limit the client gets an error and the
/// server keeps serving everyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body in bytes (default 50 KiB). A larger `Content-Length` is answered
    /// 413 without reading the body; a chunked body is read up to the limit, then 413. The
    /// connection is closed after a 413.
    pub max_body_bytes: usize,
    /// Time a client has to send a complete request head (default 10 s). It also bounds how
    /// long an idle keep-alive connection stays open.
    pub header_read_timeout: Duration,
    /// Time a client has from the TCP connection to the end of the TLS handshake (default
    /// 10 s); a connection that has not finished its handshake by then is closed.
    pub tls_handshake_timeout: Duration,
    /// Time a client has to send the whole request body once the head is in (default 20 s);
    /// over it the request gets 408 and the connection is closed.
    pub body_read_timeout: Duration,
    /// Most TLS connections open at once on each listener (default 1000): each endpoint
    /// has its own, so that connections to the unauthenticated registration endpoint cannot
    /// take the manage endpoint's. A connection accepted over the limit is closed at once,
    /// before the TLS handshake, so the client sees the handshake fail and can retry; open
    /// connections are unaffected.
    pub max_connections: usize,
    /// Most TLS connections one client address (IPv6: its /64 prefix) may have open on
    /// each listener (default 100), so that one address cannot take a listener's
    /// connections; over it, a connection is closed at accept as over `max_connections`.
    pub max_connections_per_address: usize,
    /// Request rate per client address (IPv6: per /64 prefix); `None` turns it off. Over it
    /// the request gets 429 with `Retry-After`.
    pub rate_limit: Option<RateLimit>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 50 * 1024,
            header_read_timeout: Duration::from_secs(10),
            tls_handshake_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(20),
            max_connections: 1000,
            max_connections_per_address: 100,
            rate_limit: Some(RateLimit::default()),
        }
    }
}

impl Limits {
    /// Checks that every limit allows some traffic ([`Server::bind`](super::Server::bind)
    /// does it too).
    pub fn validate(&self) -> Result<(), TransportError> {
        let invalid = |field, expected| Err(TransportError::InvalidLimit { field, expected });
        if self.max_body_bytes == 0 {
            return invalid("max_body_bytes", "at least 1 byte");
        }
        if self.max_connections == 0 {
            return invalid("max_connections", "at least 1 connection");
        }
        if self.max_connections > tokio::sync::Semaphore::MAX_PERMITS {
            return invalid("max_connections", "fewer than usize::MAX / 8 connections");
        }
        if self.max_connections_per_address == 0 {
            return invalid("max_connections_per_address", "at least 1 connection");
        }
        for (field, value) in [
            ("header_read_timeout", self.header_read_timeout),
            ("tls_handshake_timeout", self.tls_handshake_timeout),
            ("body_read_timeout", self.body_read_timeout),
        ] {
            if value.is_zero() {
                return invalid(field, "a non-zero duration");
            }
        }
        Ok(())
    }
}

/// Configuration of a [`Server`](super::Server).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The registration listener (`authCertReg`).
    pub registration: ListenerConfig,
    /// The manage listener (the four other services).
    pub manage: ListenerConfig,
    /// Address of the plain-HTTP admin listener serving `GET /metrics`; `None` for none.
    /// It has no TLS and no authentication: bind it to a loopback or private address.
    pub admin: Option<SocketAddr>,
    /// Limits of the TLS listeners.
    pub limits: Limits,
    /// How long a shutdown waits for in-flight requests before closing their connections
    /// (default 30 s).
    pub shutdown_grace: Duration,
}

impl ServerConfig {
    /// A configuration with the two listeners, no admin listener and default limits.
    pub fn new(registration: ListenerConfig, manage: ListenerConfig) -> Self {
        ServerConfig {
            registration,
            manage,
            admin: None,
            limits: Limits::default(),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_limits_are_the_reference_like_values() {
        let limits = Limits::default();
        assert_eq!(limits.max_body_bytes, 51_200);
        assert_eq!(limits.header_read_timeout, Duration::from_secs(10));
        assert_eq!(limits.max_connections, 1000);
        assert_eq!(limits.max_connections_per_address, 100);
        let rate = limits.rate_limit.unwrap();
        assert_eq!((rate.per_second.get(), rate.burst.get()), (100, 200));
        assert!(limits.validate().is_ok());
    }

    #[test]
    fn unusable_limits_are_refused_with_the_field_name() {
        type Zero = fn(&mut Limits);
        let cases: [(&str, Zero); 7] = [
            ("max_body_bytes", |l| l.max_body_bytes = 0),
            ("max_connections", |l| l.max_connections = 0),
            ("max_connections_per_address", |l| {
                l.max_connections_per_address = 0
            }),
            ("max_connections", |l| l.max_connections = usize::MAX),
            ("header_read_timeout", |l| {
                l.header_read_timeout = Duration::ZERO
            }),
            ("tls_handshake_timeout", |l| {
                l.tls_handshake_timeout = Duration::ZERO
            }),
            ("body_read_timeout", |l| {
                l.body_read_timeout = Duration::ZERO
            }),
        ];
        for (name, zero) in cases {
            let mut limits = Limits::default();
            zero(&mut limits);
            match limits.validate() {
                Err(TransportError::InvalidLimit { field, .. }) => assert_eq!(field, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn endpoints_have_the_reference_paths() {
        assert_eq!(Endpoint::Registration.default_path(), "/managementservice/");
        assert_eq!(
            Endpoint::Manage.default_path(),
            "/managementservice/manage/"
        );
        assert_eq!(Endpoint::Manage.to_string(), "manage");
    }
}

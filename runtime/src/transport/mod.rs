//! HTTP over TLS for management requests: the server and client transport.
//!
//! # Server
//!
//! A [`Server`] has two TLS listeners, as the reference central server:
//!
//! - **registration** ([`Endpoint::Registration`], `POST /managementservice/`): `authCertReg`,
//!   HTTPS with server authentication only;
//! - **manage** ([`Endpoint::Manage`], `POST /managementservice/manage/`): the other four
//!   services. By default the TLS handshake requires a client certificate, accepts any
//!   certificate whose key the client holds, and hands it to the [`Handler`], which decides
//!   per request whether it is a registered authentication certificate of the server named
//!   in the request, and valid (the service handler checks its chain, validity, key usage
//!   and OCSP status: [`ClientCertVerifier`](crate::verify::ClientCertVerifier)), as the
//!   reference's security servers check their peer after the handshake.
//!   [`ClientAuth::Off`] turns this off for deployments behind a management service
//!   provider's security server.
//!
//! Both listeners offer TLS 1.2 with ECDHE key exchange only and TLS 1.3, without session
//! tickets or session cache: every connection makes a full handshake.
//!
//! Other paths get 404, other methods 405 with `Allow: POST`. Requests that pass are read
//! in full and given to the [`Handler`] (the protocol layer) as an [`IncomingRequest`]; its
//! [`HandlerResponse`] is sent back.
//!
//! [`Limits`] bound what one client can take: body size (413), header and body read time
//! (connection closed, 408), TLS handshake time, open connections per listener and per
//! client address (closed at accept over the limit; each endpoint has its own, so the
//! registration endpoint cannot starve the manage endpoint) and request rate per address
//! (429 with `Retry-After`). [`ListenerConfig::allowed_sources`] restricts a listener to
//! some addresses and networks.
//!
//! [`Server::run_until`] serves until a future completes, e.g. [`shutdown_signal`], then
//! stops accepting, lets requests in flight finish within [`ServerConfig::shutdown_grace`]
//! and returns.
//!
//! Every request is logged as one `tracing` event (target
//! `xroad_runtime::transport::request`) with endpoint, peer, status, sizes, duration and the
//! handler's [`Outcome`] (the duration in milliseconds, to a tenth). Prometheus metrics are
//! served on the optional plain-HTTP admin listener at `GET /metrics`, as the Prometheus text
//! format 0.0.4 (`text/plain; version=0.0.4`) or, when the `Accept` header prefers it,
//! OpenMetrics 1.0.0 (`application/openmetrics-text; version=1.0.0`). Every family is listed
//! from the start, its series known in advance (every endpoint and reason, every transport
//! rejection) at zero:
//!
//! - `xroad_mserv_requests_total{endpoint, service, outcome}`: `outcome` is `ok`, a fault
//!   code, `error`, or the transport's rejection (`not_found`, `method_not_allowed`,
//!   `payload_too_large`, `rate_limited`, `body_timeout`, `body_error`, `bad_request`);
//! - `xroad_mserv_request_duration_seconds{endpoint, service, outcome}` (histogram);
//! - `xroad_mserv_connection_errors_total{endpoint, reason}`: `connection_limit`,
//!   `address_limit`, `source_not_allowed`, `tls_handshake_failed`, `tls_handshake_timeout`,
//!   `header_timeout`;
//! - `xroad_mserv_open_connections{endpoint}`.
//!
//! # Client
//!
//! [`HttpsClient`] POSTs a body to an `https://` URL and returns a [`ClientResponse`]. It
//! checks the server either by equality with a pinned certificate (as a security server
//! checks the central server's TLS certificate from the global configuration; no host name
//! check) or by a CA bundle and the host name, and can present a client certificate.
//! [`HttpsClient::connect`] gives a keep-alive [`Connection`] for several requests.

mod admission;
mod client;
mod config;
mod error;
mod exchange;
mod handler;
mod identity;
mod metrics;
mod rate;
mod rejection;
mod response;
mod server;
mod signal;
mod tls_error;
mod url;

pub use client::{ClientConfig, ClientResponse, Connection, HttpsClient, ServerTrust};
pub use config::{ClientAuth, Endpoint, Limits, ListenerConfig, RateLimit, ServerConfig};
pub use error::{ClientError, PemError, TransportError};
pub use handler::{Handler, HandlerResponse, IncomingRequest, Outcome, UNKNOWN_SERVICE};
pub use identity::TlsIdentity;
pub use server::Server;
pub use signal::shutdown_signal;

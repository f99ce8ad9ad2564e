//! Error types of the transport: configuration, binding and client-side failures.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use openssl::error::ErrorStack;
use thiserror::Error;
use xroad_codec::operation::Endpoint;

/// Why PEM input (certificates, keys) could not be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PemError {
    /// The input is not PEM of the expected kind.
    #[error("{what}: not valid PEM")]
    Parse {
        /// What was being read, e.g. `server certificate chain`.
        what: &'static str,
        /// The OpenSSL errors.
        #[source]
        source: ErrorStack,
    },
    /// The input holds no certificate.
    #[error("{what}: no certificate found in the PEM input")]
    NoCertificate {
        /// What was being read.
        what: &'static str,
    },
    /// The private key is not the key of the certificate.
    #[error("the private key does not belong to the certificate {subject}")]
    KeyMismatch {
        /// Subject of the certificate, one line.
        subject: String,
    },
}

/// Why a [`Server`](super::Server) could not be set up.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TransportError {
    /// A limit has a value the server cannot work with.
    #[error("limit `{field}` is invalid: expected {expected}")]
    InvalidLimit {
        /// Name of the field in [`Limits`](super::Limits).
        field: &'static str,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// An endpoint path is not an absolute path.
    #[error("{endpoint} listener: path {path:?} must start with '/'")]
    InvalidPath {
        /// The listener's endpoint.
        endpoint: Endpoint,
        /// The rejected path.
        path: String,
    },
    /// The TLS context of a listener could not be built.
    #[error("{endpoint} listener: cannot set up TLS")]
    TlsSetup {
        /// The listener's endpoint.
        endpoint: Endpoint,
        /// The OpenSSL errors.
        #[source]
        source: ErrorStack,
    },
    /// A listener could not bind its address.
    #[error("{listener} listener: cannot bind {address}")]
    Bind {
        /// `registration`, `manage` or `admin`.
        listener: &'static str,
        /// The configured address.
        address: SocketAddr,
        /// The operating system error.
        #[source]
        source: io::Error,
    },
}

/// Why an [`HttpsClient`](super::HttpsClient) request failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The URL is not an absolute `https://host[:port]/path` URL.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The rejected URL.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The content type is not a valid HTTP header value.
    #[error("content type {content_type:?} is not a valid header value")]
    InvalidContentType {
        /// The rejected content type.
        content_type: String,
    },
    /// The TLS context of the client could not be built.
    #[error("cannot set up the client TLS context")]
    TlsSetup(#[source] ErrorStack),
    /// The host name could not be resolved.
    #[error("cannot resolve {host}")]
    Resolve {
        /// The host name.
        host: String,
        /// The resolver error.
        #[source]
        source: io::Error,
    },
    /// The host name resolved to no address.
    #[error("{host} resolves to no address")]
    NoAddress {
        /// The host name.
        host: String,
    },
    /// The TCP connection failed (refused, unreachable, ...).
    #[error("cannot connect to {address}")]
    Connect {
        /// The address tried last.
        address: SocketAddr,
        /// The operating system error.
        #[source]
        source: io::Error,
    },
    /// The TCP connection was not established within the connect timeout.
    #[error("connecting to {address} timed out after {timeout:?}")]
    ConnectTimeout {
        /// The address tried last.
        address: SocketAddr,
        /// The configured connect timeout.
        timeout: Duration,
    },
    /// The TLS handshake failed (protocol error, certificate not trusted, name mismatch,
    /// connection closed by the server, e.g. at its connection limit).
    #[error(
        "TLS handshake with {address} failed{}",
        verify_error.as_ref().map(|e| format!(": certificate verification: {e}")).unwrap_or_default()
    )]
    TlsHandshake {
        /// The server address.
        address: SocketAddr,
        /// The certificate verification error, when verification is what failed.
        verify_error: Option<String>,
        /// The OpenSSL error.
        #[source]
        source: openssl::ssl::Error,
    },
    /// The TLS handshake did not finish within the connect timeout.
    #[error("TLS handshake with {address} timed out after {timeout:?}")]
    TlsHandshakeTimeout {
        /// The server address.
        address: SocketAddr,
        /// The configured connect timeout.
        timeout: Duration,
    },
    /// The server presented a certificate other than the pinned one.
    #[error(
        "pinned certificate mismatch: {address} presented {presented_subject} \
         (SHA-256 {presented_sha256}), expected the certificate with SHA-256 {expected_sha256}"
    )]
    PinnedCertificateMismatch {
        /// The server address.
        address: SocketAddr,
        /// SHA-256 fingerprint of the pinned certificate, hex.
        expected_sha256: String,
        /// SHA-256 fingerprint of the presented certificate, hex.
        presented_sha256: String,
        /// Subject of the presented certificate, one line.
        presented_subject: String,
    },
    /// The TLS connection failed after the handshake: the server sent an alert, such as
    /// `certificate required` when TLS 1.3 client authentication refuses the client.
    #[error("TLS connection for {url} failed after the handshake")]
    TlsConnection {
        /// The request URL.
        url: String,
        /// The I/O error holding the OpenSSL error.
        #[source]
        source: io::Error,
    },
    /// The HTTP exchange failed after the connection was set up (connection closed or
    /// reset, malformed response).
    #[error("HTTP exchange with {url} failed")]
    Exchange {
        /// The request URL.
        url: String,
        /// The HTTP error.
        #[source]
        source: hyper::Error,
    },
    /// No complete response arrived within the response timeout.
    #[error("no response from {url} within {timeout:?}")]
    ResponseTimeout {
        /// The request URL.
        url: String,
        /// The configured response timeout.
        timeout: Duration,
    },
    /// The response body is larger than the configured limit.
    #[error(
        "response from {url} is larger than the limit of {limit} bytes{}",
        declared.map(|n| format!(" (Content-Length {n})")).unwrap_or_default()
    )]
    ResponseTooLarge {
        /// The request URL.
        url: String,
        /// The configured limit in bytes.
        limit: usize,
        /// The declared `Content-Length`, when the server sent one.
        declared: Option<u64>,
    },
    /// The server answered with a status other than 2xx or 500 (SOAP fault).
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The request URL.
        url: String,
        /// The HTTP status.
        status: StatusCode,
        /// The `Retry-After` delay, when the server sent one in seconds (429, 503).
        retry_after: Option<Duration>,
        /// The response body (bounded by the response size limit).
        body: Bytes,
    },
}

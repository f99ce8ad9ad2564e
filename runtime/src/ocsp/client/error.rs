//! Error types of fetching OCSP responses.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use openssl::error::ErrorStack;
use thiserror::Error;

/// Why no OCSP response could be fetched for a certificate.
///
/// Cloneable so that callers waiting on the same fetch all receive its outcome; I/O and HTTP
/// sources are shared through [`Arc`].
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum OcspFetchError {
    /// The certificate's Authority Information Access extension names no OCSP responder,
    /// or the certificate has no such extension.
    #[error(
        "certificate with serial {serial} names no OCSP responder in its Authority Information Access extension"
    )]
    NoResponder {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
    },
    /// The Authority Information Access extension could not be decoded.
    #[error(
        "Authority Information Access extension of certificate with serial {serial} cannot be read"
    )]
    InvalidAuthorityInfoAccess {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
        /// The OpenSSL errors.
        source: ErrorStack,
    },
    /// The DER `OCSPRequest` (or the certificate fingerprint keying the cache) could not be
    /// computed.
    #[error("cannot build the OCSP request for certificate with serial {serial}")]
    Request {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
        /// The OpenSSL errors.
        source: ErrorStack,
    },
    /// Every responder named by the certificate was tried and none gave a usable response.
    #[error(
        "no OCSP responder of certificate with serial {serial} gave a usable response: {}",
        FailureList(failures)
    )]
    Responders {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
        /// One entry per responder URL, in the order of the extension; never empty.
        failures: Vec<ResponderFailure>,
    },
}

impl OcspFetchError {
    /// The per-responder failures, empty unless this is [`OcspFetchError::Responders`].
    pub fn responder_failures(&self) -> &[ResponderFailure] {
        match self {
            Self::Responders { failures, .. } => failures,
            _ => &[],
        }
    }
}

/// Formats the per-responder failures, each with the errors under it, separated by `"; "`.
struct FailureList<'a>(&'a [ResponderFailure]);

impl fmt::Display for FailureList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, failure) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}", crate::fault::ErrorChain(failure))?;
        }
        Ok(())
    }
}

/// Why one responder URL gave no usable response.
#[derive(Debug, Clone, Error)]
#[error("{url}")]
pub struct ResponderFailure {
    /// The URL as written in the certificate.
    pub url: String,
    /// What went wrong.
    #[source]
    pub error: ResponderError,
}

/// What went wrong with one responder.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum ResponderError {
    /// The URL cannot be used to reach an OCSP responder.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The TCP connection could not be opened.
    #[error("connecting failed")]
    Connect {
        /// The I/O error.
        source: Arc<io::Error>,
    },
    /// The TCP connection was not established within the connect timeout.
    #[error("connecting did not complete within {timeout:?}")]
    ConnectTimeout {
        /// The configured connect timeout.
        timeout: Duration,
    },
    /// The exchange (connecting, sending, receiving the whole body) exceeded the timeout.
    #[error("no complete response within {timeout:?}")]
    Timeout {
        /// The configured total timeout.
        timeout: Duration,
    },
    /// The HTTP request could not be formed.
    #[error("HTTP request cannot be formed")]
    HttpRequest {
        /// The error of the `http` crate.
        source: Arc<hyper::http::Error>,
    },
    /// The HTTP exchange failed (connection reset, malformed response, ...).
    #[error("HTTP exchange failed")]
    Http {
        /// The error of `hyper`.
        source: Arc<hyper::Error>,
    },
    /// The responder answered with an HTTP status other than 200.
    #[error("HTTP status {status}, expected 200")]
    Status {
        /// The status code received.
        status: u16,
    },
    /// The responder's `Content-Type` is missing or not `application/ocsp-response`.
    #[error("content type {found:?}, expected \"application/ocsp-response\"")]
    ContentType {
        /// The `Content-Type` value received, if any (lossily decoded).
        found: Option<String>,
    },
    /// The response body is larger than the configured limit.
    #[error("response body exceeds the limit of {limit} bytes (Content-Length: {declared:?})")]
    TooLarge {
        /// The configured limit.
        limit: usize,
        /// The `Content-Length` the responder declared, if any.
        declared: Option<u64>,
    },
    /// The body is not a DER `OCSPResponse`.
    #[error("body is not a DER OCSPResponse")]
    Malformed {
        /// The OpenSSL errors.
        source: ErrorStack,
    },
    /// The `responseStatus` is not `successful`.
    #[error("responder answered responseStatus {name} ({code}), expected successful (0)")]
    Unsuccessful {
        /// The `OCSPResponseStatus` value.
        code: i32,
        /// Its RFC 6960 name, or `"unassigned"`.
        name: &'static str,
    },
    /// The `responseBytes` are not a decodable `BasicOCSPResponse`.
    #[error("responseBytes are not a BasicOCSPResponse")]
    NotBasic {
        /// The OpenSSL errors.
        source: ErrorStack,
    },
    /// The response holds no `SingleResponse` for the requested SHA-1 CertID.
    #[error("response has no status for the requested CertID")]
    NoStatusForCertificate,
    /// `thisUpdate` or `nextUpdate` could not be converted to a point in time.
    #[error("{field} cannot be read as a time: {reason}")]
    Time {
        /// `"thisUpdate"` or `"nextUpdate"`.
        field: &'static str,
        /// Why the conversion failed.
        reason: String,
    },
    /// The request carried a nonce and the response carries none.
    #[error("response carries no nonce although the request had one")]
    NonceMissing,
    /// The response's nonce differs from the request's.
    #[error("response nonce differs from the request nonce")]
    NonceMismatch,
}

/// Why a responder URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UrlError {
    /// The URL does not parse.
    #[error("not a valid URL: {reason}")]
    Invalid {
        /// The parser's message.
        reason: String,
    },
    /// The URL is relative.
    #[error("URL has no scheme, expected http")]
    MissingScheme,
    /// The scheme is not `http` (OCSP responders are reached over plain HTTP).
    #[error("scheme {scheme:?} is not supported, expected http")]
    UnsupportedScheme {
        /// The scheme of the URL.
        scheme: String,
    },
    /// The URL names no host.
    #[error("URL has no host")]
    MissingHost,
    /// The URL carries `user:password@`, which an OCSP responder URL must not.
    #[error("URL carries user information")]
    UserInfo,
}

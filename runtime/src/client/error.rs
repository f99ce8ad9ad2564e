//! Errors of setting up the management client and of its requests.

use hyper::StatusCode;
use openssl::error::ErrorStack;
use thiserror::Error;
use tokio::task::JoinError;

use crate::compose::ComposeError;
use crate::envelope::{BuildError, EnvelopeError, ReceivedFault, ResponseError};
use crate::fault::Fault;
use crate::ocsp::OcspFetchError;
use crate::signature::SignatureAlgorithm;
use crate::transport::{ClientError, Endpoint};

/// Why a [`ManagementClient`](super::ManagementClient) could not be built from its settings.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SetupError {
    /// An endpoint URL is not an absolute `https://` URL.
    #[error("{field}: {url:?} is not an absolute https URL")]
    InvalidUrl {
        /// The setting (`registration_url` or `manage_url`).
        field: &'static str,
        /// The URL given.
        url: String,
    },
    /// The algorithm for the proof of possession of the authentication key is not one of
    /// the RSASSA-PKCS1-v1_5 algorithms PR-MSERV allows for it.
    #[error(
        "auth_key_algorithm: {algorithm} is not allowed for the authentication key signature; \
         use SHA256withRSA, SHA384withRSA or SHA512withRSA"
    )]
    AuthKeyAlgorithm {
        /// The algorithm given.
        algorithm: SignatureAlgorithm,
    },
    /// The TLS context of an endpoint could not be built.
    #[error("cannot set up TLS for the {endpoint} endpoint")]
    Tls {
        /// The endpoint.
        endpoint: Endpoint,
        /// What failed.
        #[source]
        source: ClientError,
    },
}

/// Why a signing key and a certificate cannot be paired.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum KeyPairError {
    /// The certificate is not for the signer's key.
    #[error("the certificate {subject} is not for the signer's public key")]
    Mismatch {
        /// Subject of the certificate.
        subject: String,
    },
    /// The certificate names no member.
    #[error("the certificate {subject} names no member")]
    Identity {
        /// Subject of the certificate.
        subject: String,
        /// Why no member could be read.
        #[source]
        source: crate::cert::IdentityError,
    },
    /// The certificate or its public key could not be encoded or compared.
    #[error("cannot read the certificate {subject}")]
    Certificate {
        /// Subject of the certificate.
        subject: String,
        /// What libcrypto reported.
        source: ErrorStack,
    },
}

/// Why a management request did not yield a request id.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ManagementError {
    /// The request could not be built from the arguments (malformed identifier, wrong
    /// object type, text XML cannot carry).
    #[error("cannot build the {operation} request")]
    Build {
        /// The service code.
        operation: &'static str,
        /// What is wrong.
        source: Box<BuildError>,
    },
    /// The operation's signature is by the owner of the body's client, and the body has none.
    #[error("{operation}: the request body names no client whose owner signs it")]
    NoClient {
        /// The service code.
        operation: &'static str,
    },
    /// An argument has the wrong identifier type for the service.
    #[error("{operation}: the {field} must be a MEMBER identifier, found {found}")]
    NotAMember {
        /// The service code.
        operation: &'static str,
        /// The argument.
        field: &'static str,
        /// The identifier given.
        found: String,
    },
    /// The operation's request is signed by a member the client has no signing key of.
    #[error("{operation}: no signing key for member {member}")]
    NoSigningKey {
        /// The service code.
        operation: &'static str,
        /// The member (`instance/class/code`).
        member: String,
    },
    /// The operation's request carries a proof of possession of the authentication key, and
    /// the client has none.
    #[error("{operation}: no authentication key configured")]
    NoAuthKey {
        /// The service code.
        operation: &'static str,
    },
    /// None of the configured CA certificates issued the signing certificate, so its OCSP
    /// response cannot be asked for.
    #[error("no configured CA certificate issued the signing certificate {subject}")]
    NoIssuer {
        /// Subject of the signing certificate.
        subject: String,
    },
    /// No OCSP response could be fetched for the signing certificate.
    #[error("cannot fetch the OCSP response for the signing certificate {subject}")]
    Ocsp {
        /// Subject of the signing certificate.
        subject: String,
        /// What failed.
        source: OcspFetchError,
    },
    /// The request could not be signed or framed.
    #[error("cannot compose the {operation} request")]
    Compose {
        /// The service code.
        operation: &'static str,
        /// What failed.
        source: Box<ComposeError>,
    },
    /// The task that signs the request panicked or was cancelled.
    #[error("the signing task of the {operation} request failed")]
    SigningTask {
        /// The service code.
        operation: &'static str,
        /// The task's failure.
        source: JoinError,
    },
    /// A request was sent on a connection to the other endpoint.
    #[error("{operation} requests go to the {expected} endpoint, not to {connection}")]
    WrongEndpoint {
        /// The service code.
        operation: &'static str,
        /// The endpoint the service is served at.
        expected: Endpoint,
        /// The endpoint of the connection.
        connection: Endpoint,
    },
    /// The HTTPS exchange failed: connection, TLS (including a server certificate other
    /// than the pinned one), timeout, size limit, or an HTTP status other than 2xx and 500.
    #[error("{endpoint} endpoint")]
    Transport {
        /// The endpoint.
        endpoint: Endpoint,
        /// What failed.
        source: ClientError,
    },
    /// The central server refused the request with a SOAP fault.
    #[error("request refused: {0}")]
    Fault(Fault),
    /// The request was refused with a SOAP 1.1 fault whose `faultcode` is not an X-Road
    /// management code (`SOAP-ENV:Server`, or the code of a proxy in between).
    #[error("request refused: {0}")]
    OtherFault(ReceivedFault),
    /// The central server answered with a 2xx status other than 200.
    #[error("{endpoint} endpoint answered HTTP {status}, expected 200 or a SOAP fault with 500")]
    UnexpectedStatus {
        /// The endpoint.
        endpoint: Endpoint,
        /// The status.
        status: StatusCode,
    },
    /// The answer is not `text/xml` (with UTF-8, if a charset is given).
    #[error(
        "HTTP {status} answer has content type {}, expected text/xml",
        found.as_deref().map_or_else(|| "(none)".to_owned(), |found| format!("{found:?}"))
    )]
    UnexpectedContentType {
        /// The status of the answer.
        status: StatusCode,
        /// The `Content-Type` received.
        found: Option<String>,
    },
    /// An HTTP 500 answer is not a SOAP 1.1 fault.
    #[error("HTTP 500 answer is not a valid SOAP fault")]
    MalformedFault(#[source] EnvelopeError),
    /// The response does not answer the request sent: malformed, a header or body field
    /// not echoed, a wrong or missing `requestHash`, or no positive `requestId`. The source
    /// names the element path.
    #[error("{operation} response refused")]
    Response {
        /// The service code.
        operation: &'static str,
        /// What is wrong, with the element path.
        source: Box<ResponseError>,
    },
}

impl ManagementError {
    /// The fault, when the central server refused the request.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            ManagementError::Fault(fault) => Some(fault),
            _ => None,
        }
    }

    /// `faultcode` and `faultstring` of the SOAP fault the request was refused with, X-Road
    /// code or not.
    pub fn soap_fault(&self) -> Option<(&str, &str)> {
        match self {
            ManagementError::Fault(fault) => Some((fault.code.as_str(), &fault.reason)),
            ManagementError::OtherFault(fault) => Some((&fault.faultcode, &fault.faultstring)),
            _ => None,
        }
    }
}

//! Errors of composing requests.

use crate::envelope::BuildError;
use crate::message::MessageError;
use crate::signature::{SignatureAlgorithm, SignatureError};

/// Why a request could not be composed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// The SOAP message could not be written.
    #[error("cannot write the SOAP message")]
    Build(#[from] BuildError),
    /// Not as many signatures as the operation's request carries.
    #[error("{operation} requests carry {expected} signature(s), {found} were given")]
    SignatureCount {
        /// The service code.
        operation: &'static str,
        /// The number of signature parts of the operation.
        expected: usize,
        /// The number of signatures given.
        found: usize,
    },
    /// An OCSP response given for a signature that carries none, or missing for one that does.
    #[error("{operation}: the {part} {}", if *expected { "needs an OCSP response" } else { "carries no OCSP response" })]
    OcspResponse {
        /// The service code.
        operation: &'static str,
        /// Which signature.
        part: String,
        /// Whether the signature carries one.
        expected: bool,
    },
    /// The authentication key signature must use PKCS#1 v1.5.
    #[error(
        "{algorithm} is not allowed for the authentication key signature; use SHA256withRSA, \
         SHA384withRSA or SHA512withRSA"
    )]
    AuthKeyAlgorithm {
        /// The algorithm given.
        algorithm: SignatureAlgorithm,
    },
    /// The certificate of the authentication key signature is not the body's `authCert`.
    #[error("{operation}: the authentication certificate differs from the request's `authCert`")]
    AuthCertMismatch {
        /// The service code.
        operation: &'static str,
    },
    /// A signer failed.
    #[error("cannot make the {part}")]
    Sign {
        /// Which signature.
        part: String,
        /// What failed.
        source: SignatureError,
    },
    /// The message could not be framed.
    #[error(transparent)]
    Message(#[from] MessageError),
}

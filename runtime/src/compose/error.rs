//! Errors of composing requests.

use xroad_codec::operation::MimePart;

use crate::envelope::BuildError;
use crate::message::MessageError;
use crate::signature::{SignatureAlgorithm, SignatureError};

/// Why a request could not be composed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// The SOAP message could not be written.
    #[error("cannot write the SOAP message: {0}")]
    Build(#[from] BuildError),
    /// The service needs a signature that was not given.
    #[error("{operation} requests need the {part}")]
    MissingSignature {
        /// The service code.
        operation: &'static str,
        /// Which signature.
        part: MimePart,
    },
    /// A signature was given for a service that does not carry it.
    #[error("{operation} requests do not carry the {part}")]
    UnexpectedSignature {
        /// The service code.
        operation: &'static str,
        /// Which signature.
        part: MimePart,
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
    /// A signer failed.
    #[error("cannot make the {part}: {source}")]
    Sign {
        /// Which signature.
        part: MimePart,
        /// What failed.
        source: SignatureError,
    },
    /// The message could not be framed.
    #[error(transparent)]
    Message(#[from] MessageError),
}

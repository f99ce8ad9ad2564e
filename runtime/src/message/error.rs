//! Errors of encoding and decoding request messages.

use crate::fault::{ErrorChain, Fault, FaultCode};
use crate::multipart::{BoundaryError, ContentTypeError, MultipartError, WriteError};

/// Why a request message could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The HTTP request has no `Content-Type` header.
    #[error("the request has no Content-Type")]
    MissingContentType,
    /// The `Content-Type` value is malformed.
    #[error("malformed Content-Type `{value}`")]
    MalformedContentType {
        /// The header value.
        value: String,
        /// What is wrong with it.
        source: ContentTypeError,
    },
    /// The media type is neither `text/xml` nor `multipart/related`.
    #[error("unsupported media type `{media_type}`: expected text/xml or multipart/related")]
    UnsupportedMediaType {
        /// The media type found.
        media_type: String,
    },
    /// A `charset` other than UTF-8.
    #[error("unsupported charset `{charset}`: expected UTF-8")]
    UnsupportedCharset {
        /// The charset found.
        charset: String,
    },
    /// `multipart/related` without a `boundary` parameter.
    #[error("multipart/related Content-Type has no boundary parameter")]
    MissingBoundary,
    /// The `multipart/related` body is malformed.
    #[error("malformed multipart body: {0}")]
    Multipart(MultipartError),
    /// A `multipart/related` body without parts.
    #[error("the multipart/related body has no parts")]
    NoParts,
    /// The request's form does not fit its service: a plain SOAP message for a service that
    /// needs more parts, or the other way round.
    #[error("{operation} requests must be {expected}, not {found}")]
    WrongFraming {
        /// The service code.
        operation: &'static str,
        /// The media type the service requires.
        expected: &'static str,
        /// The media type received.
        found: &'static str,
    },
    /// The number of MIME parts does not fit the service.
    #[error("{operation} requests have {expected} MIME parts ({names}), found {found}")]
    PartCount {
        /// The service code.
        operation: &'static str,
        /// The number of parts required.
        expected: usize,
        /// The parts required, in order.
        names: String,
        /// The number of parts found.
        found: usize,
    },
    /// A MIME part has a missing or wrong `Content-Type`.
    #[error("MIME part {} ({part}) must be {expected}, found {found}", index + 1)]
    PartContentType {
        /// Zero-based position of the part.
        index: usize,
        /// What the part must hold.
        part: String,
        /// The media type required.
        expected: &'static str,
        /// The `Content-Type` found, or `no Content-Type`.
        found: String,
    },
    /// A signature part without a `signature-algorithm-id` header.
    #[error("MIME part {} ({part}) has no signature-algorithm-id header", index + 1)]
    MissingSignatureAlgorithm {
        /// Zero-based position of the part.
        index: usize,
        /// Which signature.
        part: String,
    },
    /// A part other than a signature with a `signature-algorithm-id` (encoding).
    #[error("MIME part {} ({part}) is not a signature but has a signature algorithm", index + 1)]
    UnexpectedSignatureAlgorithm {
        /// Zero-based position of the part.
        index: usize,
        /// What the part holds.
        part: String,
    },
    /// Not the number of parts the service carries (encoding).
    #[error("{operation} requests have {expected} MIME parts, {found} were given")]
    WrongPartCount {
        /// The service code.
        operation: &'static str,
        /// The number of parts required.
        expected: usize,
        /// The number of parts given.
        found: usize,
    },
    /// No boundary could be made (encoding).
    #[error("cannot make a multipart boundary")]
    Boundary(#[from] BoundaryError),
    /// A part could not be written (encoding).
    #[error("cannot write the multipart body")]
    Write(#[from] WriteError),
}

impl MessageError {
    /// The X-Road fault code a receiver answers this error with.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            MessageError::MissingContentType
            | MessageError::MalformedContentType { .. }
            | MessageError::UnsupportedMediaType { .. }
            | MessageError::UnsupportedCharset { .. }
            | MessageError::WrongFraming { .. } => FaultCode::InvalidContentType,
            MessageError::MissingSignatureAlgorithm { .. } => FaultCode::InvalidSignatureValue,
            MessageError::MissingBoundary
            | MessageError::Multipart(_)
            | MessageError::NoParts
            | MessageError::PartCount { .. }
            | MessageError::PartContentType { .. } => FaultCode::MimeParsingFailed,
            MessageError::UnexpectedSignatureAlgorithm { .. }
            | MessageError::WrongPartCount { .. }
            | MessageError::Boundary(_)
            | MessageError::Write(_) => FaultCode::InternalError,
        }
    }

    /// The fault a receiver answers this error with.
    pub fn to_fault(&self) -> Fault {
        Fault::new(self.fault_code(), ErrorChain(&self).to_string())
    }
}

//! Errors of encoding and decoding request messages.

use xroad_codec::operation::MimePart;

use crate::fault::{Fault, FaultCode};
use crate::multipart::{BoundaryError, ContentTypeError, MultipartError, WriteError};

/// Why a request message could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The HTTP request has no `Content-Type` header.
    #[error("the request has no Content-Type")]
    MissingContentType,
    /// The `Content-Type` value is malformed.
    #[error("malformed Content-Type `{value}`: {source}")]
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
    /// The request's form does not fit its service: a plain SOAP message for a service that
    /// needs attachments, or the other way round.
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
    #[error("MIME part {index} ({part}) must be {expected}, found {found}")]
    PartContentType {
        /// One-based position of the part.
        index: usize,
        /// What the part must hold.
        part: MimePart,
        /// The media type required.
        expected: &'static str,
        /// The `Content-Type` found, or `no Content-Type`.
        found: String,
    },
    /// A signature part without a `signature-algorithm-id` header.
    #[error("MIME part {index} ({part}) has no signature-algorithm-id header")]
    MissingSignatureAlgorithm {
        /// One-based position of the part.
        index: usize,
        /// Which signature.
        part: MimePart,
    },
    /// A part the service needs was not given (encoding).
    #[error("{operation} requests need the {part} part")]
    MissingPart {
        /// The service code.
        operation: &'static str,
        /// The missing part.
        part: MimePart,
    },
    /// A part the service does not carry was given (encoding).
    #[error("{operation} requests do not carry a {part} part")]
    UnexpectedPart {
        /// The service code.
        operation: &'static str,
        /// The extra part.
        part: MimePart,
    },
    /// No boundary could be made (encoding).
    #[error("cannot make a multipart boundary: {0}")]
    Boundary(#[from] BoundaryError),
    /// A part could not be written (encoding).
    #[error("cannot write the multipart body: {0}")]
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
            | MessageError::PartCount { .. }
            | MessageError::PartContentType { .. } => FaultCode::MimeParsingFailed,
            MessageError::MissingPart { .. }
            | MessageError::UnexpectedPart { .. }
            | MessageError::Boundary(_)
            | MessageError::Write(_) => FaultCode::InternalError,
        }
    }

    /// The fault a receiver answers this error with.
    pub fn to_fault(&self) -> Fault {
        Fault::new(self.fault_code(), self.to_string())
    }
}

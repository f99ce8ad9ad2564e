//! Why a response does not answer the request sent, on the client side.

use super::error::EnvelopeError;
use super::fault::SoapFault;

/// Why a response does not answer the request sent, on the client side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The response is not a valid response envelope.
    #[error("malformed response")]
    Malformed(#[from] EnvelopeError),
    /// The central server refused the request with a SOAP fault.
    #[error("request refused: {0}")]
    Fault(SoapFault),
    /// A header field differs from the one sent.
    #[error("{path}: the response has `{received}`, the request had `{sent}`")]
    HeaderMismatch {
        /// Path of the header field.
        path: String,
        /// The value sent (textual form; empty when absent).
        sent: String,
        /// The value received (textual form; empty when absent).
        received: String,
    },
    /// A body field differs from the one sent.
    #[error("{path}: the response does not echo the value of the request")]
    BodyMismatch {
        /// Path of the body field.
        path: String,
    },
    /// No `requestHash` in the response to an X-Road message (every operation but those
    /// posted to the central server directly, such as `authCertReg`).
    #[error("{path}: missing, the response must carry the hash of the request")]
    MissingRequestHash {
        /// Path of the header.
        path: &'static str,
    },
    /// A `requestHash` with an algorithm other than SHA-512.
    #[error("{path}: algorithm `{found}`, expected `{expected}`")]
    RequestHashAlgorithm {
        /// Path of the attribute.
        path: &'static str,
        /// The algorithm identifier found.
        found: String,
        /// The SHA-512 algorithm identifier.
        expected: &'static str,
    },
    /// A `requestHash` that is not base64.
    #[error("{path}: invalid base64: {reason}")]
    RequestHashEncoding {
        /// Path of the field.
        path: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// A `requestHash` that is not the SHA-512 hash of the request sent.
    #[error("{path}: not the SHA-512 hash of the request sent")]
    RequestHashMismatch {
        /// Path of the field.
        path: &'static str,
    },
    /// No `requestId` in the response body.
    #[error("{path}: missing `requestId`")]
    MissingRequestId {
        /// Path of the body element.
        path: String,
    },
    /// A `requestId` that is zero or negative.
    #[error("{path}: request id {found} is not positive")]
    NonPositiveRequestId {
        /// Path of the field.
        path: String,
        /// The value found.
        found: i64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mismatch_names_the_field_and_both_values() {
        let error = ResponseError::HeaderMismatch {
            path: "/Envelope/Header/id".to_owned(),
            sent: "a".to_owned(),
            received: "b".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "/Envelope/Header/id: the response has `b`, the request had `a`"
        );
    }
}

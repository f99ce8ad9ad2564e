//! Errors of reading, writing and checking envelopes.

use xroad_codec::identifier::IdentifierError;
use xroad_codec::xml::{self, XmlText};
use xroad_mserv::identifiers::XRoadObjectType;

use crate::fault::{ErrorChain, Fault, FaultCode};

/// Why an envelope was refused. Every variant names the path of the element concerned
/// ([`EnvelopeError::path`]) and maps to the X-Road fault code a receiver answers with
/// ([`EnvelopeError::fault_code`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Not well-formed UTF-8 XML (DTDs and entity declarations included), or not the SOAP
    /// structure expected; the XML error carries the path.
    #[error(transparent)]
    Xml(#[from] xml::Error),
    /// The envelope has no `SOAP-ENV:Header`.
    #[error("{path}: the SOAP header is missing")]
    MissingHeader {
        /// Path of the envelope.
        path: String,
    },
    /// A mandatory X-Road header field is missing.
    #[error("{path}: missing X-Road header field `{field}`")]
    MissingHeaderField {
        /// Path of the header.
        path: String,
        /// Local name of the field (`client`, `service`, `id`, `protocolVersion`).
        field: String,
    },
    /// An X-Road header field occurs more than once.
    #[error("{path}: X-Road header field `{field}` occurs more than once")]
    DuplicateHeaderField {
        /// Path of the second occurrence.
        path: String,
        /// Local name of the field.
        field: String,
    },
    /// A header element that is not one of the X-Road header fields allowed here.
    #[error("{path}: header element `{name}` is not allowed")]
    UnexpectedHeaderField {
        /// Path of the element.
        path: String,
        /// `{namespace}local` of the element.
        name: String,
    },
    /// A `requestHash` header field in a request; only responses carry one.
    #[error("{path}: `requestHash` is only allowed in responses")]
    RequestHashInRequest {
        /// Path of the field.
        path: String,
    },
    /// A `protocolVersion` other than `4.x` (`x` one or more digits).
    #[error("{path}: protocol version `{found}` is not supported, expected `4.x`")]
    UnsupportedProtocolVersion {
        /// Path of the field.
        path: String,
        /// The version found.
        found: String,
    },
    /// A malformed identifier: a code with forbidden characters, a wrong or missing
    /// `objectType`, a missing or extra identifier part.
    #[error("malformed identifier `{element}`")]
    InvalidIdentifier {
        /// Path of the identifier element (`/Envelope/Header/client`, …).
        element: String,
        /// What is wrong with it, at the path inside the identifier.
        source: Box<xml::Error>,
    },
    /// The service code names none of the management services.
    #[error("{path}: service code `{code}` names no management service")]
    UnknownService {
        /// Path of the service code.
        path: String,
        /// The service code.
        code: String,
    },
    /// The service code names another operation than the one the request is read as.
    #[error("{path}: service code `{code}` is not `{expected}`, the operation read")]
    ServiceMismatch {
        /// Path of the service code.
        path: String,
        /// The service code.
        code: String,
        /// The operation the request is read as.
        expected: &'static str,
    },
    /// The body element is not the one the service code names.
    #[error("{path}: body element `{found}` does not match the service, expected `{expected}`")]
    BodyMismatch {
        /// Path of the body element found.
        path: String,
        /// `{namespace}local` of the element expected.
        expected: String,
        /// `{namespace}local` of the element found.
        found: String,
    },
    /// A `requestId` in a request body; only responses carry one.
    #[error("{path}: `requestId` is only allowed in responses")]
    RequestIdInRequest {
        /// Path of the field.
        path: String,
    },
    /// A `faultcode` that is none of the X-Road fault codes, or a prefix that is not a SOAP
    /// fault class followed by dot-separated subcodes.
    #[error("{path}: unknown fault code `{code}`")]
    UnknownFaultCode {
        /// Path of `faultcode`.
        path: String,
        /// The `faultcode` text.
        code: String,
    },
}

impl EnvelopeError {
    /// The X-Road fault code a receiver answers this refusal with: a missing header or header
    /// field is `missing_header_field`, a malformed identifier `invalid_client_identifier`,
    /// anything else `invalid_request`.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            EnvelopeError::MissingHeader { .. } | EnvelopeError::MissingHeaderField { .. } => {
                FaultCode::MissingHeaderField
            }
            EnvelopeError::InvalidIdentifier { .. } => FaultCode::InvalidClientIdentifier,
            EnvelopeError::Xml(_)
            | EnvelopeError::DuplicateHeaderField { .. }
            | EnvelopeError::UnexpectedHeaderField { .. }
            | EnvelopeError::RequestHashInRequest { .. }
            | EnvelopeError::UnsupportedProtocolVersion { .. }
            | EnvelopeError::UnknownService { .. }
            | EnvelopeError::ServiceMismatch { .. }
            | EnvelopeError::BodyMismatch { .. }
            | EnvelopeError::RequestIdInRequest { .. }
            | EnvelopeError::UnknownFaultCode { .. } => FaultCode::InvalidRequest,
        }
    }

    /// The path of the element (or attribute, `…/@name`) the refusal is about.
    pub fn path(&self) -> &str {
        match self {
            EnvelopeError::Xml(error) => &error.path,
            EnvelopeError::InvalidIdentifier { source, .. } => &source.path,
            EnvelopeError::MissingHeader { path }
            | EnvelopeError::MissingHeaderField { path, .. }
            | EnvelopeError::DuplicateHeaderField { path, .. }
            | EnvelopeError::UnexpectedHeaderField { path, .. }
            | EnvelopeError::RequestHashInRequest { path }
            | EnvelopeError::UnsupportedProtocolVersion { path, .. }
            | EnvelopeError::UnknownService { path, .. }
            | EnvelopeError::ServiceMismatch { path, .. }
            | EnvelopeError::BodyMismatch { path, .. }
            | EnvelopeError::RequestIdInRequest { path }
            | EnvelopeError::UnknownFaultCode { path, .. } => path,
        }
    }

    /// The fault a receiver answers with: [`EnvelopeError::fault_code`] and this error's
    /// message as the reason.
    pub fn into_fault(self) -> Fault {
        Fault::new(self.fault_code(), ErrorChain(&self).to_string())
    }
}

impl From<EnvelopeError> for Fault {
    fn from(error: EnvelopeError) -> Self {
        error.into_fault()
    }
}

/// Why a request, response or fault cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// An identifier whose codes do not fit its object type.
    #[error("identifier `{field}`")]
    Identifier {
        /// Which identifier (`client`, `service provider`, `body client`).
        field: &'static str,
        /// What is wrong with it.
        source: IdentifierError,
    },
    /// The header client is not a member: requests are sent on behalf of the security
    /// server's owner, a member.
    #[error(
        "the header client must be a MEMBER (the security server's owner), found {}",
        XmlText::to_text(found)
    )]
    ClientNotMember {
        /// The client's object type.
        found: XRoadObjectType,
    },
    /// A `requestId` in a request body; it is assigned by the central server.
    #[error("a request body carries no `requestId`, found {0}")]
    RequestIdInRequest(i64),
    /// A response's request id must be positive.
    #[error("request id {0} is not positive")]
    NonPositiveRequestId(i64),
    /// A fault code prefix that is not a SOAP fault class followed by dot-separated subcodes.
    #[error("fault code prefix `{0}` is not `Server` or `Client` followed by `.`-separated names")]
    FaultCodePrefix(String),
    /// A value that cannot be written as XML 1.0 (e.g. a control character).
    #[error(transparent)]
    Xml(#[from] xml::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml_error(path: &str) -> xml::Error {
        xml::Error {
            path: path.to_owned(),
            position: 7,
            kind: xml::ErrorKind::UnexpectedEof,
        }
    }

    #[test]
    fn fault_codes_and_paths() {
        let cases = [
            (
                EnvelopeError::Xml(xml_error("/Envelope/Body")),
                FaultCode::InvalidRequest,
                "/Envelope/Body",
            ),
            (
                EnvelopeError::MissingHeader {
                    path: "/Envelope".to_owned(),
                },
                FaultCode::MissingHeaderField,
                "/Envelope",
            ),
            (
                EnvelopeError::MissingHeaderField {
                    path: "/Envelope/Header".to_owned(),
                    field: "id".to_owned(),
                },
                FaultCode::MissingHeaderField,
                "/Envelope/Header",
            ),
            (
                EnvelopeError::InvalidIdentifier {
                    element: "/Envelope/Header/client".to_owned(),
                    source: Box::new(xml_error("/Envelope/Header/client/memberCode")),
                },
                FaultCode::InvalidClientIdentifier,
                "/Envelope/Header/client/memberCode",
            ),
            (
                EnvelopeError::UnsupportedProtocolVersion {
                    path: "/Envelope/Header/protocolVersion".to_owned(),
                    found: "3.1".to_owned(),
                },
                FaultCode::InvalidRequest,
                "/Envelope/Header/protocolVersion",
            ),
        ];
        for (error, code, path) in cases {
            assert_eq!(error.fault_code(), code, "{error}");
            assert_eq!(error.path(), path, "{error}");
            let message = ErrorChain(&error).to_string();
            let fault = Fault::from(error);
            assert_eq!(fault.code, code);
            assert_eq!(fault.reason, message);
        }
    }

    #[test]
    fn messages_name_the_field() {
        let error = EnvelopeError::DuplicateHeaderField {
            path: "/Envelope/Header/id".to_owned(),
            field: "id".to_owned(),
        };
        assert_eq!(
            error.to_string(),
            "/Envelope/Header/id: X-Road header field `id` occurs more than once"
        );
    }
}

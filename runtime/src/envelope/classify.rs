//! Telling apart what the generated readers refuse: a malformed identifier, a missing,
//! repeated or unknown header field, or malformed XML. The readers report an element path and
//! an error kind; the path says which X-Road field the error is in.

use xroad_codec::xml::{self, ErrorKind};

use super::error::EnvelopeError;
use super::frame::{BODY_PATH, HEADER_PATH, display_name};

/// Header fields that hold identifiers.
const HEADER_IDENTIFIERS: [&str; 3] = ["client", "service", "securityServer"];

/// Body fields that hold identifiers.
const BODY_IDENTIFIERS: [&str; 2] = ["server", "client"];

/// Classifies an error of reading `SOAP-ENV:Header`.
pub(crate) fn header_error(error: xml::Error) -> EnvelopeError {
    let Some(rest) = error.path.strip_prefix(HEADER_PATH) else {
        return EnvelopeError::Xml(error);
    };
    if rest.is_empty() {
        if let ErrorKind::MissingElement { expected, .. } = &error.kind {
            return EnvelopeError::MissingHeaderField {
                path: HEADER_PATH.to_owned(),
                field: local_name(expected).to_owned(),
            };
        }
        return EnvelopeError::Xml(error);
    }
    let mut segments = rest.trim_start_matches('/').split('/');
    let field = segments.next().unwrap_or_default().to_owned();
    let is_field_itself = segments.next().is_none();
    match &error.kind {
        ErrorKind::DuplicateElement(_) if is_field_itself => EnvelopeError::DuplicateHeaderField {
            path: error.path.clone(),
            field,
        },
        ErrorKind::UnexpectedElement { found, .. } if is_field_itself => {
            EnvelopeError::UnexpectedHeaderField {
                path: error.path.clone(),
                name: found.clone(),
            }
        }
        ErrorKind::WrongNamespace {
            name,
            found: namespace,
            ..
        } if is_field_itself => EnvelopeError::UnexpectedHeaderField {
            path: error.path.clone(),
            name: display_name(namespace, name),
        },
        _ if HEADER_IDENTIFIERS.contains(&field.as_str()) && is_identifier_error(&error.kind) => {
            EnvelopeError::InvalidIdentifier {
                element: format!("{HEADER_PATH}/{field}"),
                source: Box::new(error),
            }
        }
        _ => EnvelopeError::Xml(error),
    }
}

/// Classifies an error of reading the body element (request or response).
pub(crate) fn body_error(error: xml::Error) -> EnvelopeError {
    let Some(rest) = error.path.strip_prefix(BODY_PATH) else {
        return EnvelopeError::Xml(error);
    };
    let mut segments = rest.trim_start_matches('/').split('/');
    let (Some(element), Some(field)) = (segments.next(), segments.next()) else {
        return EnvelopeError::Xml(error);
    };
    if BODY_IDENTIFIERS.contains(&field) && is_identifier_error(&error.kind) {
        return EnvelopeError::InvalidIdentifier {
            element: format!("{BODY_PATH}/{element}/{field}"),
            source: Box::new(error),
        };
    }
    EnvelopeError::Xml(error)
}

/// Whether the error is about an identifier's content (codes, `objectType`, parts) rather
/// than the XML itself (syntax, entities, end of input).
fn is_identifier_error(kind: &ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidValue { .. }
            | ErrorKind::Invalid(_)
            | ErrorKind::FixedValue { .. }
            | ErrorKind::MissingAttribute(_)
            | ErrorKind::UnexpectedAttribute(_)
            | ErrorKind::DuplicateAttribute(_)
            | ErrorKind::MissingElement { .. }
            | ErrorKind::UnexpectedElement { .. }
            | ErrorKind::DuplicateElement(_)
            | ErrorKind::WrongNamespace { .. }
            | ErrorKind::TooMany { .. }
            | ErrorKind::TooFew { .. }
            | ErrorKind::UnexpectedText(_)
    )
}

/// `local` of `{namespace}local` (or of a bare `local`).
fn local_name(name: &str) -> &str {
    name.rsplit_once('}').map_or(name, |(_, local)| local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(path: &str, kind: ErrorKind) -> xml::Error {
        xml::Error {
            path: path.to_owned(),
            position: 3,
            kind,
        }
    }

    #[test]
    fn header_errors_name_the_field() {
        let missing = header_error(error(
            "/Envelope/Header",
            ErrorKind::MissingElement {
                expected: "{http://x-road.eu/xsd/xroad.xsd}id".to_owned(),
                found: None,
            },
        ));
        assert_eq!(
            missing,
            EnvelopeError::MissingHeaderField {
                path: "/Envelope/Header".to_owned(),
                field: "id".to_owned()
            }
        );
        let repeated = header_error(error(
            "/Envelope/Header/id",
            ErrorKind::DuplicateElement("{http://x-road.eu/xsd/xroad.xsd}id".to_owned()),
        ));
        assert!(
            matches!(repeated, EnvelopeError::DuplicateHeaderField { ref field, .. } if field == "id")
        );
        let unknown = header_error(error(
            "/Envelope/Header/other",
            ErrorKind::UnexpectedElement {
                found: "{urn:x}other".to_owned(),
                expected: "end of element".to_owned(),
            },
        ));
        assert!(
            matches!(unknown, EnvelopeError::UnexpectedHeaderField { ref name, .. } if name == "{urn:x}other")
        );
        // An element named as a field in no namespace is named without one, as the reader
        // names elements.
        let unqualified = header_error(error(
            "/Envelope/Header/id",
            ErrorKind::WrongNamespace {
                name: "id".to_owned(),
                found: String::new(),
                expected: "http://x-road.eu/xsd/xroad.xsd".to_owned(),
            },
        ));
        assert!(
            matches!(unqualified, EnvelopeError::UnexpectedHeaderField { ref name, .. } if name == "id"),
            "{unqualified:?}"
        );
        let code = header_error(error(
            "/Envelope/Header/client/memberCode",
            ErrorKind::InvalidValue {
                value: "a:b".to_owned(),
                reason: "forbidden character".to_owned(),
            },
        ));
        assert!(
            matches!(code, EnvelopeError::InvalidIdentifier { ref element, .. } if element == "/Envelope/Header/client")
        );
        let syntax = header_error(error("/Envelope/Header/client", ErrorKind::UnexpectedEof));
        assert!(matches!(syntax, EnvelopeError::Xml(_)));
        let version = header_error(error(
            "/Envelope/Header/protocolVersion",
            ErrorKind::UnexpectedText("x".to_owned()),
        ));
        assert!(matches!(version, EnvelopeError::Xml(_)));
    }

    #[test]
    fn body_errors_in_identifiers_are_identifier_errors() {
        let server = body_error(error(
            "/Envelope/Body/clientReg/server",
            ErrorKind::Invalid("object type SERVER needs a server code".to_owned()),
        ));
        assert!(
            matches!(server, EnvelopeError::InvalidIdentifier { ref element, .. } if element == "/Envelope/Body/clientReg/server")
        );
        let request_id = body_error(error(
            "/Envelope/Body/clientReg/requestId",
            ErrorKind::InvalidValue {
                value: "x".to_owned(),
                reason: "not an integer".to_owned(),
            },
        ));
        assert!(matches!(request_id, EnvelopeError::Xml(_)));
    }
}

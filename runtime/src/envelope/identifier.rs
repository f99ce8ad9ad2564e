//! Reading identifiers (header `client` and `service`, body `server` and `client`) so that
//! a malformed identifier is told apart from malformed XML.

use xroad_codec::xml::{self, ErrorKind, Reader, StartTag, XmlRead};

use super::error::EnvelopeError;

/// Reads the identifier whose start tag the reader has just returned; `element` is its path.
pub(crate) fn read_identifier<T: XmlRead>(
    reader: &mut Reader<'_>,
    start: &StartTag<'_>,
    element: &str,
) -> Result<T, EnvelopeError> {
    T::read(reader, start).map_err(|source| classify(element, source))
}

/// An error inside an identifier element: a problem of the identifier's content (codes,
/// `objectType`, parts) is [`EnvelopeError::InvalidIdentifier`]; a problem of the XML itself
/// (syntax, entities, end of input) stays [`EnvelopeError::Xml`].
fn classify(element: &str, source: xml::Error) -> EnvelopeError {
    match source.kind {
        ErrorKind::InvalidValue { .. }
        | ErrorKind::Invalid(_)
        | ErrorKind::FixedValue { .. }
        | ErrorKind::MissingAttribute(_)
        | ErrorKind::UnexpectedAttribute(_)
        | ErrorKind::DuplicateAttribute(_)
        | ErrorKind::MissingElement { .. }
        | ErrorKind::UnexpectedElement { .. }
        | ErrorKind::WrongNamespace { .. }
        | ErrorKind::TooMany { .. }
        | ErrorKind::TooFew { .. }
        | ErrorKind::UnexpectedText(_) => EnvelopeError::InvalidIdentifier {
            element: element.to_owned(),
            source: Box::new(source),
        },
        _ => EnvelopeError::Xml(source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xroad_mserv::identifiers::XRoadClientIdentifierType;

    const ID: &str = "http://x-road.eu/xsd/identifiers";

    fn read(xml: &str) -> Result<XRoadClientIdentifierType, EnvelopeError> {
        let mut reader = Reader::new(xml.as_bytes())?;
        let start = reader.read_root()?;
        read_identifier(&mut reader, &start, "/client")
    }

    fn client(object_type: &str, codes: &str) -> String {
        format!(r#"<client xmlns:id="{ID}" id:objectType="{object_type}">{codes}</client>"#)
    }

    const MEMBER: &str = "<id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>X</id:memberCode>";

    #[test]
    fn identifier_content_errors_are_identifier_errors() {
        assert_eq!(read(&client("MEMBER", MEMBER)).unwrap().member_code, "X");
        let cases = [
            client("MEMBER", &MEMBER.replace(">X<", ">a:b<")),
            client("SERVER", MEMBER),
            client("NOPE", MEMBER),
            client(
                "MEMBER",
                &MEMBER.replace("<id:memberClass>GOV</id:memberClass>", ""),
            ),
            client("SUBSYSTEM", MEMBER),
            format!(r#"<client xmlns:id="{ID}">{MEMBER}</client>"#),
        ];
        for xml in cases {
            let error = read(&xml).unwrap_err();
            assert!(
                matches!(error, EnvelopeError::InvalidIdentifier { ref element, .. } if element == "/client"),
                "{xml}: {error:?}"
            );
        }
    }

    #[test]
    fn syntax_errors_stay_xml_errors() {
        let xml = client("MEMBER", MEMBER);
        let truncated = &xml[..xml.len() - 12];
        assert!(matches!(read(truncated), Err(EnvelopeError::Xml(_))));
        let entity = client("MEMBER", &MEMBER.replace(">X<", ">&x;<"));
        assert!(matches!(read(&entity), Err(EnvelopeError::Xml(_))));
    }
}

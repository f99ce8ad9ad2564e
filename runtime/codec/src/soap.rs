//! SOAP 1.1 envelopes around a header and a body element.

use crate::xml::{Error, ErrorKind, Reader, Writer, XmlRead, XmlRoot, XmlWrite};

/// Namespace of SOAP 1.1 envelopes.
pub const ENVELOPE_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The prefix written for [`ENVELOPE_NS`], as the reference implementation does.
pub const ENVELOPE_PREFIX: &str = "SOAP-ENV";

/// A SOAP envelope: `Envelope/Header` holds `header`'s content (its child elements) and
/// `Envelope/Body` holds exactly one element, `body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope<H, B> {
    /// The header's content.
    pub header: H,
    /// The body element.
    pub body: B,
}

impl<H: XmlRead, B: XmlRoot> Envelope<H, B> {
    /// Reads an envelope; the header is required, the body must hold `B`'s element only.
    pub fn from_slice(xml: &[u8]) -> Result<Self, Error> {
        let mut reader = Reader::new(xml)?;
        Self::read_from(&mut reader)
    }

    /// Reads an envelope from a reader positioned before the root element.
    pub fn read_from(reader: &mut Reader<'_>) -> Result<Self, Error> {
        let root = reader.read_root()?;
        reader.expect_name(&root, ENVELOPE_NS, "Envelope")?;
        reader.reject_attributes(&root)?;
        let header = match reader.next_child()? {
            Some(start) => {
                reader.expect_name(&start, ENVELOPE_NS, "Header")?;
                H::read(reader, &start)?
            }
            None => {
                return Err(reader.error(ErrorKind::MissingElement {
                    expected: format!("{{{ENVELOPE_NS}}}Header"),
                    found: None,
                }));
            }
        };
        let body = match reader.next_child()? {
            Some(start) => {
                reader.expect_name(&start, ENVELOPE_NS, "Body")?;
                reader.reject_attributes(&start)?;
                let body = reader.required::<B>(B::NAMESPACE, B::NAME)?;
                reader.end()?;
                body
            }
            None => {
                return Err(reader.error(ErrorKind::MissingElement {
                    expected: format!("{{{ENVELOPE_NS}}}Body"),
                    found: None,
                }));
            }
        };
        reader.end()?;
        reader.finish()?;
        Ok(Self { header, body })
    }
}

impl<H: XmlWrite, B: XmlRoot> Envelope<H, B> {
    /// Writes the envelope with an XML declaration, binding `SOAP-ENV` and the given
    /// `(prefix, namespace)` pairs on the `Envelope` element.
    pub fn to_vec(&self, prefixes: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
        let mut all = Vec::with_capacity(prefixes.len() + 1);
        all.push((ENVELOPE_PREFIX, ENVELOPE_NS));
        all.extend(
            prefixes
                .iter()
                .filter(|(prefix, _)| *prefix != ENVELOPE_PREFIX),
        );
        let mut writer = Writer::with_prefixes(&all);
        writer.xml_declaration();
        writer.start(ENVELOPE_NS, "Envelope")?;
        writer.element(ENVELOPE_NS, "Header", &self.header)?;
        writer.start(ENVELOPE_NS, "Body")?;
        writer.element(B::NAMESPACE, B::NAME, &self.body)?;
        writer.end()?;
        writer.end()?;
        Ok(writer.into_string()?.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{ErrorKind, StartTag, XmlText};

    const XROAD: &str = "http://x-road.eu/xsd/xroad.xsd";
    const CS: &str = "http://x-road.eu/xsd/centralservice.xsd";

    #[derive(Debug, PartialEq)]
    struct Header {
        id: String,
        protocol_version: String,
    }

    impl XmlRead for Header {
        fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
            reader.reject_attributes(start)?;
            let value = Header {
                id: reader.required(XROAD, "id")?,
                protocol_version: reader.required(XROAD, "protocolVersion")?,
            };
            reader.end()?;
            Ok(value)
        }
    }

    impl XmlWrite for Header {
        fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
            writer.element(XROAD, "id", &self.id)?;
            writer.element(XROAD, "protocolVersion", &self.protocol_version)
        }
    }

    #[derive(Debug, PartialEq)]
    struct Body {
        request_id: i64,
    }

    impl XmlRead for Body {
        fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
            reader.reject_attributes(start)?;
            let value = Body {
                request_id: reader.required(CS, "requestId")?,
            };
            reader.end()?;
            Ok(value)
        }
    }

    impl XmlWrite for Body {
        fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
            writer.element(CS, "requestId", &self.request_id)
        }
    }

    impl XmlRoot for Body {
        const NAMESPACE: &'static str = CS;
        const NAME: &'static str = "clientDeletionResponse";
    }

    const SOAP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xroad="http://x-road.eu/xsd/xroad.xsd">
  <SOAP-ENV:Header>
    <xroad:id>4894e35d</xroad:id>
    <xroad:protocolVersion>4.0</xroad:protocolVersion>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <ns2:clientDeletionResponse xmlns:ns2="http://x-road.eu/xsd/centralservice.xsd">
      <ns2:requestId>413</ns2:requestId>
    </ns2:clientDeletionResponse>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"#;

    fn envelope() -> Envelope<Header, Body> {
        Envelope {
            header: Header {
                id: "4894e35d".to_owned(),
                protocol_version: "4.0".to_owned(),
            },
            body: Body { request_id: 413 },
        }
    }

    #[test]
    fn reads_envelope() {
        assert_eq!(
            Envelope::<Header, Body>::from_slice(SOAP.as_bytes()).unwrap(),
            envelope()
        );
    }

    #[test]
    fn writes_envelope() {
        let bytes = envelope().to_vec(&[("xroad", XROAD), ("cs", CS)]).unwrap();
        let xml = String::from_utf8(bytes).unwrap();
        assert_eq!(
            xml,
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xroad="http://x-road.eu/xsd/xroad.xsd" xmlns:cs="http://x-road.eu/xsd/centralservice.xsd">"#,
                "<SOAP-ENV:Header><xroad:id>4894e35d</xroad:id><xroad:protocolVersion>4.0</xroad:protocolVersion></SOAP-ENV:Header>",
                "<SOAP-ENV:Body><cs:clientDeletionResponse><cs:requestId>413</cs:requestId></cs:clientDeletionResponse></SOAP-ENV:Body>",
                "</SOAP-ENV:Envelope>"
            )
        );
        assert_eq!(
            Envelope::<Header, Body>::from_slice(xml.as_bytes()).unwrap(),
            envelope()
        );
    }

    #[test]
    fn envelope_errors() {
        let read = |xml: &str| Envelope::<Header, Body>::from_slice(xml.as_bytes()).unwrap_err();
        let e = read(&SOAP.replace("413", "x"));
        assert_eq!(e.path, "/Envelope/Body/clientDeletionResponse/requestId");
        assert!(matches!(e.kind, ErrorKind::InvalidValue { .. }));
        let e = read(&SOAP.replace(
            "schemas.xmlsoap.org/soap/envelope/",
            "www.w3.org/2003/05/soap-envelope",
        ));
        assert_eq!(e.path, "/Envelope");
        assert!(matches!(e.kind, ErrorKind::WrongNamespace { .. }));
        let e = read(&SOAP.replace(
            "</ns2:clientDeletionResponse>",
            "</ns2:clientDeletionResponse><more/>",
        ));
        assert_eq!(e.path, "/Envelope/Body/more");
        let e = read(&SOAP.replace("clientDeletionResponse", "clientRegResponse"));
        assert!(matches!(e.kind, ErrorKind::MissingElement { .. }), "{e}");
        let header_start = SOAP.find("<SOAP-ENV:Header>").unwrap();
        let header_end = SOAP.find("<SOAP-ENV:Body>").unwrap();
        let e = read(&format!("{}{}", &SOAP[..header_start], &SOAP[header_end..]));
        assert!(matches!(e.kind, ErrorKind::UnexpectedElement { .. }), "{e}");
        let e = read(&format!("{SOAP}<x/>"));
        assert_eq!(e.kind, ErrorKind::TrailingContent);
        assert_eq!(i64::from_text("413").unwrap(), 413);
    }
}

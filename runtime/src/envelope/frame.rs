//! The SOAP 1.1 frame around X-Road content: `Envelope`, `Header` and `Body`.

use xroad_codec::soap::{ENVELOPE_NS, ENVELOPE_PREFIX};
use xroad_codec::xml::{self, ErrorKind, Reader, StartTag, Writer};
use xroad_mserv::{identifiers, xroad};

/// Path of the `Envelope` element.
pub(crate) const ENVELOPE_PATH: &str = "/Envelope";
/// Path of the `Header` element.
pub(crate) const HEADER_PATH: &str = "/Envelope/Header";
/// Path of the `Body` element.
pub(crate) const BODY_PATH: &str = "/Envelope/Body";

/// Prefixes declared on `Envelope` of requests and responses, in Annex A order.
pub(crate) const MESSAGE_PREFIXES: &[(&str, &str)] = &[
    (ENVELOPE_PREFIX, ENVELOPE_NS),
    ("id", identifiers::NAMESPACE),
    ("xroad", xroad::NAMESPACE),
];

/// The element `Envelope` holds first.
#[derive(Debug)]
pub(crate) enum Section<'a> {
    /// `SOAP-ENV:Header`, entered; its start tag (the header type reads its attributes).
    Header(StartTag<'a>),
    /// `SOAP-ENV:Body`, entered.
    Body,
}

/// Reads the prolog and the `Envelope` start tag (no attributes allowed).
pub(crate) fn open_envelope(xml: &[u8]) -> Result<Reader<'_>, xml::Error> {
    let mut reader = Reader::new(xml)?;
    let root = reader.read_root()?;
    reader.expect_name(&root, ENVELOPE_NS, "Envelope")?;
    reader.reject_attributes(&root)?;
    Ok(reader)
}

/// Enters the first child of `Envelope`, which must be `Header` or `Body`.
pub(crate) fn enter_first_section<'a>(reader: &mut Reader<'a>) -> Result<Section<'a>, xml::Error> {
    let Some(start) = reader.next_child()? else {
        return Err(reader.error(ErrorKind::MissingElement {
            expected: format!("{{{ENVELOPE_NS}}}Body"),
            found: None,
        }));
    };
    if start.namespace() == ENVELOPE_NS && start.local_name() == "Header" {
        return Ok(Section::Header(start));
    }
    reader.expect_name(&start, ENVELOPE_NS, "Body")?;
    reader.reject_attributes(&start)?;
    Ok(Section::Body)
}

/// Enters `Body`, which must come next.
pub(crate) fn enter_body(reader: &mut Reader<'_>) -> Result<(), xml::Error> {
    let Some(start) = reader.next_child()? else {
        return Err(reader.error(ErrorKind::MissingElement {
            expected: format!("{{{ENVELOPE_NS}}}Body"),
            found: None,
        }));
    };
    reader.expect_name(&start, ENVELOPE_NS, "Body")?;
    reader.reject_attributes(&start)
}

/// After the body element: the ends of `Body` and `Envelope`, then only whitespace,
/// comments and processing instructions.
pub(crate) fn close_envelope(reader: &mut Reader<'_>) -> Result<(), xml::Error> {
    reader.end()?;
    reader.end()?;
    reader.finish()
}

/// `{namespace}local`, or `local` without a namespace, as the XML reader names elements.
pub(crate) fn display_name(namespace: &str, local: &str) -> String {
    if namespace.is_empty() {
        local.to_owned()
    } else {
        format!("{{{namespace}}}{local}")
    }
}

/// A writer positioned inside an open `Envelope`, after the XML declaration.
pub(crate) fn start_envelope(prefixes: &[(&str, &str)]) -> Result<Writer, xml::Error> {
    let mut writer = Writer::with_prefixes(prefixes);
    writer.xml_declaration();
    writer.start(ENVELOPE_NS, "Envelope")?;
    Ok(writer)
}

/// Closes `Envelope` and returns the document.
pub(crate) fn finish_envelope(mut writer: Writer) -> Result<Vec<u8>, xml::Error> {
    writer.end()?;
    Ok(writer.into_string()?.into_bytes())
}

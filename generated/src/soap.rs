//! SOAP 1.1 envelopes around a header and a body element.

use crate::xml::{Error, Reader, Writer, XmlRead, XmlRoot, XmlWrite};

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
        let _ = reader;
        todo!()
    }
}

impl<H: XmlWrite, B: XmlRoot> Envelope<H, B> {
    /// Writes the envelope with an XML declaration, binding `SOAP-ENV` and the given
    /// `(prefix, namespace)` pairs on the `Envelope` element.
    pub fn to_vec(&self, prefixes: &[(&str, &str)]) -> Result<Vec<u8>, Error> {
        let _ = prefixes;
        let _ = Writer::new;
        todo!()
    }
}

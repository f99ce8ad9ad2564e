//! Namespace-aware XML reading and writing for generated and hand-written types.
//!
//! Types implement [`XmlRead`] and [`XmlWrite`] (usually through the derive macros of the same
//! names) to be read from and written as the *content* of an element: its attributes, child
//! elements or text. Simple values implement [`XmlText`]; every `XmlText` type is also an
//! element whose content is that text. A type that is a document root implements [`XmlRoot`].
//!
//! Reading is strict: names are matched by namespace URI and local name (never by prefix),
//! sequences must come in order, unknown elements and attributes, DTDs and unknown entities are
//! errors, and every error names the path of the element where it happened.

mod any;
mod error;
mod group;
mod nil;
mod reader;
mod text;
mod writer;

pub use any::{AnyAttribute, AnyContent, AnyElement, AnyNode, Wildcard, write_nodes};
pub use error::{Error, ErrorKind, TextError};
pub use group::XmlGroup;
pub use nil::{Nillable, XSI};
pub use reader::{Attribute, Reader, StartTag, is_xml_char};
pub use text::XmlText;
pub use writer::Writer;
pub use xroad_macros::{XmlGroup, XmlRead, XmlText, XmlWrite};

/// A type that can be read from the content of an element.
pub trait XmlRead: Sized {
    /// Reads the element whose start tag `start` the reader has just returned: its attributes
    /// (from `start`), its content, and its end tag.
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error>;
}

/// A type that can be written as the content of an element.
pub trait XmlWrite {
    /// Writes the attributes of the element onto its start tag, which is still open.
    fn write_attributes(&self, writer: &mut Writer) -> Result<(), Error> {
        let _ = writer;
        Ok(())
    }

    /// Writes the content (child elements or text) of the element.
    fn write_content(&self, writer: &mut Writer) -> Result<(), Error>;
}

/// A type that is the content of a known global element, so that it can be a document root
/// or a message part.
pub trait XmlRoot: XmlRead + XmlWrite {
    /// Namespace URI of the element.
    const NAMESPACE: &'static str;
    /// Local name of the element.
    const NAME: &'static str;
}

impl<T: XmlText> XmlRead for T {
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
        reader.reject_attributes(start)?;
        reader.read_text_as()
    }
}

impl<T: XmlText> XmlWrite for T {
    fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
        writer.text(&self.to_text())
    }
}

/// The empty content: no attributes, no children (an operation without SOAP headers).
impl XmlRead for () {
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
        reader.reject_attributes(start)?;
        reader.end()
    }
}

impl XmlWrite for () {
    fn write_content(&self, _writer: &mut Writer) -> Result<(), Error> {
        Ok(())
    }
}

/// Reads a document whose root element is `T`'s element.
pub fn from_str<T: XmlRoot>(xml: &str) -> Result<T, Error> {
    from_slice(xml.as_bytes())
}

/// Reads a document whose root element is `T`'s element, from UTF-8 bytes.
pub fn from_slice<T: XmlRoot>(xml: &[u8]) -> Result<T, Error> {
    let mut reader = Reader::new(xml)?;
    let start = reader.read_root()?;
    reader.expect_name(&start, T::NAMESPACE, T::NAME)?;
    let value = T::read(&mut reader, &start)?;
    reader.finish()?;
    Ok(value)
}

/// Writes `value` as a document (with an XML declaration) whose root is `T`'s element,
/// binding the given `(prefix, namespace)` pairs on the root.
pub fn to_string_with<T: XmlRoot>(value: &T, prefixes: &[(&str, &str)]) -> Result<String, Error> {
    let mut writer = Writer::with_prefixes(prefixes);
    writer.xml_declaration();
    writer.element(T::NAMESPACE, T::NAME, value)?;
    writer.into_string()
}

/// Writes `value` as a document whose root is `T`'s element; namespaces get generated prefixes.
pub fn to_string<T: XmlRoot>(value: &T) -> Result<String, Error> {
    to_string_with(value, &[])
}

//! [`Writer`]: writes namespace-qualified XML into a buffer.

use super::{Error, XmlWrite};

/// Writes XML. Prefixes given to [`Writer::with_prefixes`] are declared on the root element;
/// any other namespace gets a generated prefix (`ns1`, `ns2`, …) declared on the element where
/// it is first needed. Text and attribute values are escaped.
pub struct Writer {
    _todo: (),
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// A writer without preferred prefixes.
    pub fn new() -> Self {
        Self::with_prefixes(&[])
    }

    /// A writer that binds these `(prefix, namespace)` pairs on the root element.
    pub fn with_prefixes(prefixes: &[(&str, &str)]) -> Self {
        let _ = prefixes;
        todo!()
    }

    /// Indents element-only content by `width` spaces per level (off by default).
    pub fn indent(mut self, width: usize) -> Self {
        let _ = width;
        self._todo = ();
        self
    }

    /// Writes `<?xml version="1.0" encoding="UTF-8"?>` and a newline.
    pub fn xml_declaration(&mut self) {
        todo!()
    }

    /// Opens a start tag `{namespace}local` (empty namespace: no namespace).
    pub fn start(&mut self, namespace: &str, local: &str) -> Result<(), Error> {
        let _ = (namespace, local);
        todo!()
    }

    /// Adds an attribute to the start tag that is still open.
    pub fn attribute(&mut self, namespace: &str, local: &str, value: &str) -> Result<(), Error> {
        let _ = (namespace, local, value);
        todo!()
    }

    /// Writes escaped text.
    pub fn text(&mut self, text: &str) -> Result<(), Error> {
        let _ = text;
        todo!()
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) -> Result<(), Error> {
        todo!()
    }

    /// Writes a whole element: start tag, `value`'s attributes and content, end tag.
    pub fn element<T: XmlWrite + ?Sized>(&mut self, namespace: &str, local: &str, value: &T) -> Result<(), Error> {
        self.start(namespace, local)?;
        value.write_attributes(self)?;
        value.write_content(self)?;
        self.end()
    }

    /// The written bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        todo!()
    }

    /// The written text; fails if an element is still open.
    pub fn into_string(self) -> Result<String, Error> {
        todo!()
    }
}

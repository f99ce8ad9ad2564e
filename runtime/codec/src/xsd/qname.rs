//! `xs:QName`: a name whose prefix is resolved with the namespace declarations in scope where
//! it is read, and declared where it is written.

use std::fmt;

use crate::xml::{Error, Reader, StartTag, Writer, XmlRead, XmlWrite};

/// `xs:QName` as element content: a namespace URI and a local name. Its text depends on the
/// namespace declarations around it, so it is read and written as an element, not as
/// [`XmlText`](crate::xml::XmlText) (an attribute of this type is not supported).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct QName {
    /// The namespace URI (empty for none).
    pub namespace: String,
    /// The local name.
    pub local: String,
}

impl QName {
    /// `{namespace}local`.
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            local: local.into(),
        }
    }
}

impl XmlRead for QName {
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
        reader.reject_attributes(start)?;
        let (namespace, local) = reader.read_qname()?;
        Ok(Self { namespace, local })
    }
}

impl XmlWrite for QName {
    fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
        let text = writer.qname(&self.namespace, &self.local)?;
        writer.text(&text)
    }
}

/// Clark notation, `{namespace}local`.
impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.namespace, self.local)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{self, XmlRoot};

    #[derive(Debug, PartialEq, crate::xml::XmlRead, crate::xml::XmlWrite)]
    #[xml(root(name = "fault", namespace = "urn:f"), namespace = "urn:f")]
    struct Fault {
        #[xml(element = "code")]
        code: QName,
    }

    #[test]
    fn prefixes_are_resolved_and_declared() {
        let read: Fault = xml::from_str(
            r#"<f:fault xmlns:f="urn:f" xmlns:s="urn:soap"><f:code> s:Server </f:code></f:fault>"#,
        )
        .unwrap();
        assert_eq!(read.code, QName::new("urn:soap", "Server"));
        let written = xml::to_string(&read).unwrap();
        assert!(
            written.contains(r#"<ns1:code xmlns:ns2="urn:soap">ns2:Server</ns1:code>"#),
            "{written}"
        );
        assert_eq!(xml::from_str::<Fault>(&written).unwrap(), read);
        let unbound =
            xml::from_str::<Fault>(r#"<fault xmlns="urn:f"><code>x:y</code></fault>"#).unwrap_err();
        assert_eq!(unbound.path, "/fault/code");
        assert!(
            unbound.to_string().contains("prefix `x` is not declared"),
            "{unbound}"
        );
        let default =
            xml::from_str::<Fault>(r#"<fault xmlns="urn:f"><code>y</code></fault>"#).unwrap();
        assert_eq!(default.code, QName::new("urn:f", "y"));
        let _ = <Fault as XmlRoot>::NAME;
    }
}

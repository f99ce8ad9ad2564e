//! [`Nillable`]: the value of an element declared `nillable="true"`, which may be `xsi:nil`.

use super::{Error, ErrorKind, Reader, StartTag, Writer, XmlRead, XmlWrite};

/// The XML Schema instance namespace (`xsi:nil`).
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The content of a nillable element: a value, or nil (`xsi:nil="true"`, no content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nillable<T> {
    /// `xsi:nil="true"`: the element is there, its value is not.
    Nil,
    /// The element's value.
    Value(T),
}

impl<T> Nillable<T> {
    /// The value, `None` when nil.
    pub fn value(&self) -> Option<&T> {
        match self {
            Nillable::Nil => None,
            Nillable::Value(value) => Some(value),
        }
    }
}

impl<T> From<T> for Nillable<T> {
    fn from(value: T) -> Self {
        Nillable::Value(value)
    }
}

impl<T: XmlRead> XmlRead for Nillable<T> {
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
        match start.attribute(XSI, "nil").map(|v| v.trim()) {
            Some("true" | "1") => {
                // A nil element has no content; its other attributes are not read.
                reader.end()?;
                Ok(Nillable::Nil)
            }
            Some("false" | "0") => {
                T::read(reader, &start.without_attribute(XSI, "nil")).map(Nillable::Value)
            }
            Some(other) => Err(reader.error(ErrorKind::InvalidValue {
                value: other.to_owned(),
                reason: "xsi:nil is `true` or `false`".to_owned(),
            })),
            None => T::read(reader, start).map(Nillable::Value),
        }
    }
}

impl<T: XmlWrite> XmlWrite for Nillable<T> {
    fn write_attributes(&self, writer: &mut Writer) -> Result<(), Error> {
        match self {
            Nillable::Nil => writer.attribute(XSI, "nil", "true"),
            Nillable::Value(value) => value.write_attributes(writer),
        }
    }

    fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
        match self {
            Nillable::Nil => Ok(()),
            Nillable::Value(value) => value.write_content(writer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{self, XmlRead, XmlWrite};

    #[derive(Debug, PartialEq, XmlRead, XmlWrite)]
    #[xml(root(name = "r", namespace = "urn:n"), namespace = "urn:n")]
    struct R {
        #[xml(element = "name", max_occurs = "unbounded", min_occurs = 0)]
        name: Vec<Nillable<String>>,
    }

    #[test]
    fn nil_and_values_round_trip() {
        let text = r#"<r xmlns="urn:n" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name xsi:nil="true"/><name>a</name><name xsi:nil="false">b</name></r>"#;
        let r: R = xml::from_str(text).unwrap();
        assert_eq!(
            r.name,
            [
                Nillable::Nil,
                Nillable::Value("a".into()),
                Nillable::Value("b".into())
            ]
        );
        let written = xml::to_string(&r).unwrap();
        assert_eq!(xml::from_str::<R>(&written).unwrap(), r);
        let content = r#"<r xmlns="urn:n" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><name xsi:nil="true">x</name></r>"#;
        let error = xml::from_str::<R>(content).unwrap_err();
        assert_eq!(error.path, "/r/name");
    }
}

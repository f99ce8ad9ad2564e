//! [`XmlGroup`]: model groups (`xs:choice`, and `xs:sequence`s that repeat or are optional),
//! whose particles stand in the content of the enclosing element without an element of their
//! own.

use super::{Error, ErrorKind, Reader, Writer};

/// A model group read from, and written into, the content of an enclosing element. Derived
/// with `#[derive(XmlGroup)]`: for a struct, a sequence of particles; for an enum, a choice.
pub trait XmlGroup: Sized {
    /// What can start the group, for errors: its first elements (`` `{ns}local` ``).
    const EXPECTED: &'static str;

    /// Whether a child element `{namespace}local` can start the group.
    fn starts_with(namespace: &str, local: &str) -> bool;

    /// Reads the group's particles from the current element's content.
    fn read_group(reader: &mut Reader<'_>) -> Result<Self, Error>;

    /// Writes the group's particles into the current element.
    fn write_group(&self, writer: &mut Writer) -> Result<(), Error>;
}

impl Reader<'_> {
    /// Whether the next child element can start group `T`.
    pub fn starts_group<T: XmlGroup>(&mut self) -> Result<bool, Error> {
        Ok(self
            .peek_child()?
            .is_some_and(|(namespace, local)| T::starts_with(namespace, local)))
    }

    /// Reads group `T` if the next child element starts it.
    pub fn optional_group<T: XmlGroup>(&mut self) -> Result<Option<T>, Error> {
        if self.starts_group::<T>()? {
            T::read_group(self).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads consecutive occurrences of group `T`, at least `min` and (when `max` is `Some`)
    /// at most `max` of them.
    pub fn repeated_group<T: XmlGroup>(
        &mut self,
        min: u32,
        max: Option<u32>,
    ) -> Result<Vec<T>, Error> {
        let mut values = Vec::new();
        let mut count: u32 = 0;
        while max.is_none_or(|max| count < max) && self.starts_group::<T>()? {
            values.push(T::read_group(self)?);
            count = count.saturating_add(1);
        }
        if count < min {
            let found = self.peek_child()?.map(|(namespace, local)| {
                if namespace.is_empty() {
                    local.to_owned()
                } else {
                    format!("{{{namespace}}}{local}")
                }
            });
            let expected = if count == 0 {
                T::EXPECTED.to_owned()
            } else {
                format!(
                    "{} (occurrence {} of at least {min})",
                    T::EXPECTED,
                    count + 1
                )
            };
            return Err(self.error(ErrorKind::MissingElement { expected, found }));
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use crate::xml::{self, XmlGroup, XmlRead, XmlWrite};

    #[derive(Debug, PartialEq, XmlGroup)]
    #[xml(namespace = "urn:g")]
    enum Contact {
        #[xml(element = "phone")]
        Phone(String),
        #[xml(group)]
        Address(Address),
    }

    #[derive(Debug, PartialEq, XmlGroup)]
    #[xml(namespace = "urn:g")]
    struct Address {
        #[xml(element = "street")]
        street: Option<String>,
        #[xml(element = "city")]
        city: String,
    }

    #[derive(Debug, PartialEq, XmlRead, XmlWrite)]
    #[xml(root(name = "person", namespace = "urn:g"), namespace = "urn:g")]
    struct Person {
        #[xml(element = "name")]
        name: String,
        #[xml(group, min_occurs = 1, max_occurs = 2)]
        contacts: Vec<Contact>,
        #[xml(element = "note")]
        note: Option<String>,
    }

    #[test]
    fn choices_and_sequences_read_in_place() {
        let text = r#"<person xmlns="urn:g"><name>Ann</name><city>Tartu</city><phone>5</phone><note>x</note></person>"#;
        let person: Person = xml::from_str(text).unwrap();
        assert_eq!(
            person.contacts,
            [
                Contact::Address(Address {
                    street: None,
                    city: "Tartu".into()
                }),
                Contact::Phone("5".into())
            ]
        );
        let written = xml::to_string(&person).unwrap();
        assert_eq!(xml::from_str::<Person>(&written).unwrap(), person);
        assert!(Address::starts_with("urn:g", "street") && Address::starts_with("urn:g", "city"));
        assert!(!Contact::starts_with("urn:g", "note"));

        let none =
            xml::from_str::<Person>(r#"<person xmlns="urn:g"><name>A</name><note/></person>"#)
                .unwrap_err();
        assert_eq!(none.path, "/person");
        assert_eq!(
            none.kind.to_string(),
            "missing element `one of `{urn:g}phone`, the elements of `Address``, found `{urn:g}note`"
        );
        let three = r#"<person xmlns="urn:g"><name>A</name><phone>1</phone><phone>2</phone><phone>3</phone></person>"#;
        let error = xml::from_str::<Person>(three).unwrap_err();
        assert!(error.to_string().contains("unexpected element"), "{error}");
    }
}

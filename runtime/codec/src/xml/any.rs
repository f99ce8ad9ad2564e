//! Open content: elements, attributes and content that no schema type describes (`xs:any`,
//! `xs:anyAttribute`, `xs:anyType`, mixed content), kept as opaque trees that are written back
//! equivalent to what was read.
//!
//! Names keep their namespace URIs; the prefixes the reader saw in scope are kept too (and
//! declared again when writing, where they do not clash), so that prefixed names inside text
//! and attribute values, such as `xsi:type="x:T"`, still resolve. Comments and processing
//! instructions are dropped. Equality compares names, attributes and content, not prefixes.

use std::hash::{Hash, Hasher};

use super::{Error, ErrorKind, Reader, StartTag, Writer, XmlRead, XmlWrite};

/// An attribute of open content.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AnyAttribute {
    /// Namespace URI (empty for none).
    pub namespace: String,
    /// Local name.
    pub local: String,
    /// The value.
    pub value: String,
}

impl AnyAttribute {
    /// Writes the attribute onto the open start tag.
    pub fn write(&self, writer: &mut Writer) -> Result<(), Error> {
        writer.attribute(&self.namespace, &self.local, &self.value)
    }
}

/// A child of open content: an element or text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AnyNode {
    /// An element.
    Element(AnyElement),
    /// Text (character data, CDATA sections and references, resolved).
    Text(String),
}

/// The content of an element of a type the schema leaves open (`xs:anyType`, an element
/// declared without a type, mixed content): its attributes, and its child elements and text in
/// document order.
#[derive(Debug, Clone, Default)]
pub struct AnyContent {
    /// The attributes (namespace declarations aside).
    pub attributes: Vec<AnyAttribute>,
    /// Child elements and text, in document order.
    pub children: Vec<AnyNode>,
    /// `(prefix, namespace)` declarations in scope where the content was read.
    pub namespaces: Vec<(String, String)>,
}

/// An element matched by a wildcard (`xs:any`), with its name.
#[derive(Debug, Clone)]
pub struct AnyElement {
    /// Namespace URI of the element (empty for none).
    pub namespace: String,
    /// Local name of the element.
    pub local: String,
    /// Its attributes, children and the declarations in scope.
    pub content: AnyContent,
}

impl PartialEq for AnyContent {
    fn eq(&self, other: &Self) -> bool {
        self.attributes == other.attributes && self.children == other.children
    }
}

impl Eq for AnyContent {}

impl Hash for AnyContent {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.attributes.hash(state);
        self.children.hash(state);
    }
}

impl PartialEq for AnyElement {
    fn eq(&self, other: &Self) -> bool {
        self.namespace == other.namespace
            && self.local == other.local
            && self.content == other.content
    }
}

impl Eq for AnyElement {}

impl Hash for AnyElement {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.namespace.hash(state);
        self.local.hash(state);
        self.content.hash(state);
    }
}

impl AnyContent {
    /// The text of the content when it has no child elements.
    pub fn text(&self) -> Option<String> {
        let mut text = String::new();
        for child in &self.children {
            match child {
                AnyNode::Text(t) => text.push_str(t),
                AnyNode::Element(_) => return None,
            }
        }
        Some(text)
    }
}

impl AnyElement {
    /// Writes the whole element.
    pub fn write(&self, writer: &mut Writer) -> Result<(), Error> {
        writer.element(&self.namespace, &self.local, &self.content)
    }
}

/// Reads the attributes of `start` as open content.
pub(crate) fn any_attributes(start: &StartTag<'_>) -> Result<Vec<AnyAttribute>, Error> {
    start
        .attributes()
        .map(|attribute| {
            attribute.map(|a| AnyAttribute {
                namespace: a.namespace().to_owned(),
                local: a.local_name().to_owned(),
                value: a.value().to_owned(),
            })
        })
        .collect()
}

impl XmlRead for AnyContent {
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
        let attributes = any_attributes(start)?;
        let namespaces = reader.namespaces_in_scope();
        let children = reader.read_any_content()?;
        Ok(Self {
            attributes,
            children,
            namespaces,
        })
    }
}

/// Writes open content: elements and text in order.
pub fn write_nodes(writer: &mut Writer, nodes: &[AnyNode]) -> Result<(), Error> {
    for node in nodes {
        match node {
            AnyNode::Element(element) => element.write(writer)?,
            AnyNode::Text(text) => writer.text(text)?,
        }
    }
    Ok(())
}

impl XmlWrite for AnyContent {
    fn write_attributes(&self, writer: &mut Writer) -> Result<(), Error> {
        for (prefix, namespace) in &self.namespaces {
            writer.declare(prefix, namespace)?;
        }
        for attribute in &self.attributes {
            attribute.write(writer)?;
        }
        Ok(())
    }

    fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
        write_nodes(writer, &self.children)
    }
}

impl XmlRead for AnyElement {
    fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
        Ok(Self {
            namespace: start.namespace().to_owned(),
            local: start.local_name().to_owned(),
            content: AnyContent::read(reader, start)?,
        })
    }
}

impl XmlWrite for AnyElement {
    fn write_attributes(&self, writer: &mut Writer) -> Result<(), Error> {
        self.content.write_attributes(writer)
    }

    fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
        self.content.write_content(writer)
    }
}

/// The namespace constraint of a wildcard (`xs:any`, `xs:anyAttribute`), with
/// `##targetNamespace` and `##local` already resolved (the empty string is no namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcard {
    /// `##any`.
    Any,
    /// `##other`: any namespace but these (the target namespace and no namespace).
    Not(&'static [&'static str]),
    /// A list of namespaces.
    Only(&'static [&'static str]),
}

impl Wildcard {
    /// Whether a name in `namespace` matches.
    pub fn allows(&self, namespace: &str) -> bool {
        match self {
            Wildcard::Any => true,
            Wildcard::Not(excluded) => !excluded.contains(&namespace),
            Wildcard::Only(allowed) => allowed.contains(&namespace),
        }
    }

    /// The constraint in words, for errors.
    pub fn describe(&self) -> String {
        let list = |namespaces: &[&str]| {
            namespaces
                .iter()
                .map(|n| {
                    if n.is_empty() {
                        "no namespace".to_owned()
                    } else {
                        format!("`{n}`")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Wildcard::Any => "any element".to_owned(),
            Wildcard::Not(excluded) => {
                format!("an element in a namespace other than {}", list(excluded))
            }
            Wildcard::Only(allowed) => format!("an element in {}", list(allowed)),
        }
    }
}

impl Reader<'_> {
    /// Reads consecutive child elements that `wildcard` matches, at least `min` and (when `max`
    /// is `Some`) at most `max` of them, each with `T::read` (usually [`AnyElement`]).
    pub fn wildcard<T: XmlRead>(
        &mut self,
        wildcard: &Wildcard,
        min: u32,
        max: Option<u32>,
    ) -> Result<Vec<T>, Error> {
        let mut values = Vec::new();
        let mut count: u32 = 0;
        while max.is_none_or(|max| count < max) {
            match self.peek_child()? {
                Some((namespace, _)) if wildcard.allows(namespace) => {}
                _ => break,
            }
            let Some(start) = self.next_child()? else {
                break;
            };
            values.push(T::read(self, &start)?);
            count = count.saturating_add(1);
        }
        if count < min {
            return Err(self.error(ErrorKind::TooFew {
                name: wildcard.describe(),
                min,
                found: count,
            }));
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{self, XmlRead, XmlRoot, XmlWrite};

    #[derive(Debug, PartialEq, XmlRead, XmlWrite)]
    #[xml(root(name = "doc", namespace = "urn:d"), namespace = "urn:d")]
    struct Doc {
        #[xml(element = "payload")]
        payload: AnyContent,
    }

    #[test]
    fn open_content_round_trips_with_its_namespaces() {
        let text = r#"<d:doc xmlns:d="urn:d" xmlns:x="urn:x"><d:payload a="1" x:b="2" xmlns:t="urn:t">text <x:inner t:c="3">x:name</x:inner><plain/> &amp; more</d:payload></d:doc>"#;
        let doc: Doc = xml::from_str(text).unwrap();
        let payload = &doc.payload;
        assert_eq!(payload.attributes.len(), 2);
        assert_eq!(payload.attributes[1].namespace, "urn:x");
        let AnyNode::Element(inner) = &payload.children[1] else {
            panic!("{payload:?}")
        };
        assert_eq!(
            (inner.namespace.as_str(), inner.local.as_str()),
            ("urn:x", "inner")
        );
        assert_eq!(inner.content.text().as_deref(), Some("x:name"));
        assert_eq!(payload.children[3], AnyNode::Text(" & more".to_owned()));
        let written = xml::to_string(&doc).unwrap();
        // The prefix `x` is declared again, so `x:name` still means `{urn:x}name`.
        assert!(written.contains(r#"xmlns:x="urn:x""#), "{written}");
        assert!(written.contains("x:inner"), "{written}");
        let again: Doc = xml::from_str(&written).unwrap();
        assert_eq!(again, doc);
        let _ = <Doc as XmlRoot>::NAME;
    }

    #[test]
    fn wildcards_match_by_namespace() {
        let other = Wildcard::Not(&["urn:d", ""]);
        assert!(other.allows("urn:x") && !other.allows("urn:d") && !other.allows(""));
        assert!(Wildcard::Only(&[""]).allows(""));
        assert!(Wildcard::Any.allows("urn:d"));
        assert_eq!(
            other.describe(),
            "an element in a namespace other than `urn:d`, no namespace"
        );
    }
}

//! Schema declarations as read from the documents, before references are resolved.

use crate::model::{EnumValue, Facets, Location, QName, Skipped, Wildcard};

use super::qname::Ref;

/// Everything the schemas of one WSDL declare, in document order.
#[derive(Debug, Default)]
pub(crate) struct Declarations {
    /// Target namespaces of the schemas, in document order (with repeats).
    pub namespaces: Vec<String>,
    /// Named types, including anonymous types that were given names.
    pub types: Vec<RawType>,
    /// Global elements.
    pub elements: Vec<RawElement>,
    /// The global elements of the schemas given as inputs, which are all generated.
    pub roots: Vec<QName>,
    /// Global attributes.
    pub attributes: Vec<RawAttribute>,
    /// Named attribute groups.
    pub attribute_groups: Vec<RawAttributeGroup>,
    /// `(member, head)` of each global element with a `substitutionGroup`.
    pub substitutions: Vec<(QName, Ref)>,
    /// Global elements declared `abstract="true"`.
    pub abstract_elements: Vec<QName>,
    /// What is read but not enforced (facets of simple content restrictions), for warnings.
    pub unchecked: Vec<Skipped>,
}

impl Declarations {
    /// Whether an attribute use or element particle refers to a global declaration of
    /// `namespace`.
    pub fn refers_to(&self, namespace: &str) -> bool {
        let attributes = self.types.iter().flat_map(|t| match t {
            RawType::Complex(c) => c.attributes.as_slice(),
            RawType::Simple(_) | RawType::Group(_) => &[],
        });
        let group_refs = self.types.iter().flat_map(|t| match t {
            RawType::Complex(c) => c.attribute_groups.as_slice(),
            RawType::Simple(_) | RawType::Group(_) => &[],
        });
        attributes
            .filter(|a| a.by_ref.is_some())
            .any(|a| a.name.namespace == namespace)
            || group_refs
                .chain(self.attribute_groups.iter().flat_map(|g| &g.groups))
                .any(|r| r.name.namespace == namespace)
    }
}

/// A type declaration.
#[derive(Debug)]
pub(crate) enum RawType {
    /// `xs:complexType`.
    Complex(RawComplex),
    /// `xs:simpleType`.
    Simple(RawSimple),
    /// A model group: a named `xs:group`, or an `xs:choice` or repeated `xs:sequence` that is
    /// given a name of its own.
    Group(RawGroup),
}

/// A model group as declared.
#[derive(Debug)]
pub(crate) struct RawGroup {
    /// Name (assigned for anonymous groups).
    pub name: QName,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the group is declared.
    pub location: Location,
    /// `xs:choice` rather than `xs:sequence`.
    pub choice: bool,
    /// The particles.
    pub particles: Vec<RawElement>,
}

/// A named `xs:attributeGroup`.
#[derive(Debug)]
pub(crate) struct RawAttributeGroup {
    /// Name.
    pub name: QName,
    /// Where it is declared.
    pub location: Location,
    /// Its attribute uses.
    pub attributes: Vec<RawAttribute>,
    /// Attribute groups it refers to.
    pub groups: Vec<Ref>,
    /// Its `xs:anyAttribute`.
    pub any_attribute: Option<Wildcard>,
}

impl RawType {
    /// The type's name.
    pub fn name(&self) -> &QName {
        match self {
            RawType::Complex(t) => &t.name,
            RawType::Simple(t) => &t.name,
            RawType::Group(t) => &t.name,
        }
    }

    /// Where the type is declared.
    pub fn location(&self) -> &Location {
        match self {
            RawType::Complex(t) => &t.location,
            RawType::Simple(t) => &t.location,
            RawType::Group(t) => &t.location,
        }
    }
}

/// A complex type as declared.
#[derive(Debug)]
pub(crate) struct RawComplex {
    /// Name (assigned for anonymous types).
    pub name: QName,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the type is declared.
    pub location: Location,
    /// The declared content.
    pub content: RawContent,
    /// The attribute uses declared on the type itself (or its derivation).
    pub attributes: Vec<RawAttribute>,
    /// `xs:anyAttribute` on the type itself (or its derivation).
    pub any_attribute: Option<Wildcard>,
    /// `xs:attributeGroup` references on the type itself (or its derivation).
    pub attribute_groups: Vec<Ref>,
    /// `mixed="true"` on the type or its complex content.
    pub mixed: bool,
    /// The content is an `xs:all`: its elements in any order.
    pub all: bool,
    /// `abstract="true"`.
    pub is_abstract: bool,
}

/// Declared content of a complex type.
#[derive(Debug)]
pub(crate) enum RawContent {
    /// A plain sequence (empty for no content).
    Sequence(Vec<RawElement>),
    /// `xs:simpleContent/xs:extension`.
    SimpleExtension(Ref),
    /// `xs:simpleContent/xs:restriction`.
    SimpleRestriction(Ref),
    /// `xs:complexContent/xs:restriction` with its own sequence.
    Restriction(Ref, Vec<RawElement>),
    /// `xs:complexContent/xs:extension` with the added sequence.
    Extension(Ref, Vec<RawElement>),
}

/// An element declaration (global or local).
#[derive(Debug)]
pub(crate) struct RawElement {
    /// Name: qualified as the form says, or the referenced element's name.
    pub name: QName,
    /// Its type.
    pub kind: RawElementKind,
    /// `minOccurs` (1 for global elements).
    pub min_occurs: u32,
    /// `maxOccurs`; `None` for unbounded.
    pub max_occurs: Option<u32>,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the declaration stands.
    pub location: Location,
    /// `nillable="true"`: the element may be `xsi:nil`.
    pub nillable: bool,
}

/// How an element declaration gets its type.
#[derive(Debug)]
pub(crate) enum RawElementKind {
    /// `type=` (or an anonymous type named by the parser).
    Typed(Ref),
    /// `ref=` to a global element.
    Ref(Ref),
    /// `xs:any`: any element the wildcard matches.
    Wildcard(Wildcard),
    /// A model group (a [`RawGroup`] of the declarations): its particles stand in place.
    Group(Ref),
}

/// `use` of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// `optional` (the default).
    Optional,
    /// `required`.
    Required,
    /// `prohibited`.
    Prohibited,
}

/// An attribute declaration or use.
#[derive(Debug)]
pub(crate) struct RawAttribute {
    /// Name: qualified as the form says, or the referenced attribute's name.
    pub name: QName,
    /// Whether the name refers to a global attribute.
    pub by_ref: Option<Location>,
    /// Its type; `None` for `ref=` uses and untyped declarations (`xs:anySimpleType`).
    pub ty: Option<Ref>,
    /// `use`.
    pub usage: Use,
    /// `fixed`.
    pub fixed: Option<String>,
    /// `default`.
    pub default: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the declaration stands.
    pub location: Location,
}

/// How a simple type is built from others.
#[derive(Debug)]
pub(crate) enum Variety {
    /// `xs:restriction` of `base`.
    Atomic,
    /// `xs:list` of an item type.
    List(Ref),
    /// `xs:union` of member types.
    Union(Vec<Ref>),
}

/// A simple type as declared (restriction of a base).
#[derive(Debug)]
pub(crate) struct RawSimple {
    /// Name (assigned for anonymous types).
    pub name: QName,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the type is declared.
    pub location: Location,
    /// The restricted base (`xs:anySimpleType` for a list or union).
    pub base: Ref,
    /// A list or union rather than a restriction.
    pub variety: Variety,
    /// Enumeration values; empty when the type has none.
    pub values: Vec<EnumValue>,
    /// Other supported facets.
    pub facets: Facets,
}

//! `xs:schema` elements read into raw [`Declarations`].

use heck::ToUpperCamelCase;
use roxmltree::Node;

use super::doc::xs_doc;
use super::document::{parse_xml, read_named_file};
use super::loader::{Loader, Target};
use super::location::Source;
use super::ns::{self, XS, target_namespace};
use super::qname::{self, Ref};
use super::raw::{
    Declarations, RawAttribute, RawAttributeGroup, RawComplex, RawContent, RawElement,
    RawElementKind, RawGroup, RawSimple, RawType, Use, Variety,
};
use crate::error::{Error, Result};
use crate::model::{EnumValue, Facets, Location, QName, SkipKind, Skipped, Wildcard};

/// Reads one `xs:schema` element; `top` when it is an input of the run (or included into
/// one), whose global elements are all generated.
pub(crate) fn read_schema(
    src: &Source,
    node: Node,
    decls: &mut Declarations,
    loader: &mut Loader,
    top: bool,
) -> Result<()> {
    let target = match (&src.chameleon, node.attribute("targetNamespace")) {
        (Some(including), None) => including.clone(),
        (_, declared) => declared.unwrap_or("").to_owned(),
    };
    let reader = Reader {
        src,
        target: target.clone(),
        element_qualified: form(src, node, "elementFormDefault")?.unwrap_or(false),
        attribute_qualified: form(src, node, "attributeFormDefault")?.unwrap_or(false),
    };
    decls.namespaces.push(target);
    for child in ns::children(node) {
        if !ns::in_ns(child, XS) {
            return Err(src.unexpected(child, "an XML Schema element"));
        }
        match child.tag_name().name() {
            "annotation" => {}
            "import" => import(src, child, decls, loader)?,
            "include" => include(src, child, decls, loader, &reader.target, top)?,
            "redefine" => {
                include(src, child, decls, loader, &reader.target, top)?;
                reader.redefine(child, decls)?;
            }
            "element" => {
                let element = reader.global_element(child, decls)?;
                if top {
                    decls.roots.push(element.name.clone());
                }
                decls.elements.push(element);
            }
            "complexType" => {
                let name = reader.own_name(child)?;
                let slot = decls.types.len();
                let ty = reader.complex(child, name, decls)?;
                decls.types.insert(slot, RawType::Complex(ty));
            }
            "simpleType" => {
                let name = reader.own_name(child)?;
                let slot = decls.types.len();
                let ty = reader.simple(child, name, decls)?;
                decls.types.insert(slot, RawType::Simple(ty));
            }
            "attribute" => {
                let name = reader.own_name(child)?;
                let attribute = reader.attribute_decl(child, name, decls)?;
                decls.attributes.push(attribute);
            }
            "group" => {
                let slot = decls.types.len();
                let group = reader.named_group(child, decls)?;
                decls.types.insert(slot, RawType::Group(group));
            }
            "attributeGroup" => {
                let group = reader.attribute_group(child, decls)?;
                decls.attribute_groups.push(group);
            }
            // Notations name non-XML formats; they make no type.
            "notation" => {}
            other => {
                return Err(src.unsupported(
                    child,
                    &format!("xs:{other}"),
                    "supported at the top level of a schema are xs:element, xs:complexType, \
                     xs:simpleType, xs:attribute, xs:group, xs:attributeGroup, xs:notation, \
                     xs:import and xs:include",
                ));
            }
        }
    }
    Ok(())
}

/// `xs:import`: reads the schema of the imported namespace unless the loader finds it
/// present, read already, or nowhere.
fn import(src: &Source, node: Node, decls: &mut Declarations, loader: &mut Loader) -> Result<()> {
    let path = match loader.import(src, node)? {
        None => return Ok(()),
        Some(Target::XmlSchema) => return load_xml_schema(decls, loader),
        Some(Target::File(path)) => path,
    };
    let namespace = node.attribute("namespace").unwrap_or("");
    read_named_file(src, node, &path, |doc_src, root| {
        loader.record_prefixes(doc_src.doc);
        if !ns::is(root, XS, "schema") {
            return Err(doc_src.unexpected(root, "<xs:schema>"));
        }
        let found = target_namespace(root);
        if found != namespace {
            return Err(Error::Unexpected {
                location: doc_src.attr_at(root, "targetNamespace"),
                expected: format!(
                    "target namespace `{namespace}`, which the import at {} names",
                    src.at(node)
                ),
                found: format!("`{found}`"),
            });
        }
        read_schema(doc_src, root, decls, loader, false)
    })
}

/// `xs:include` (or the inclusion of `xs:redefine`) into a schema of namespace `target`: the
/// included schema has the same target namespace or none (then it takes `target`: a
/// chameleon include).
fn include(
    src: &Source,
    node: Node,
    decls: &mut Declarations,
    loader: &mut Loader,
    target: &str,
    top: bool,
) -> Result<()> {
    let Some(path) = loader.include(src, node, target)? else {
        return Ok(());
    };
    read_named_file(src, node, &path, |doc_src, root| {
        loader.record_prefixes(doc_src.doc);
        if !ns::is(root, XS, "schema") {
            return Err(doc_src.unexpected(root, "<xs:schema>"));
        }
        match root.attribute("targetNamespace") {
            None => {
                let chameleon = doc_src.with_chameleon(target);
                read_schema(&chameleon, root, decls, loader, top)
            }
            Some(found) if found == target => read_schema(doc_src, root, decls, loader, top),
            Some(found) => Err(Error::Unexpected {
                location: doc_src.attr_at(root, "targetNamespace"),
                expected: format!(
                    "target namespace `{target}` or none, as the include at {} needs",
                    src.at(node)
                ),
                found: format!("`{found}`"),
            }),
        }
    })
}

/// Reads the built-in schema of the XML namespace unless it was read already.
pub(crate) fn load_xml_schema(decls: &mut Declarations, loader: &mut Loader) -> Result<()> {
    let Some((path, text)) = loader.xml_schema() else {
        return Ok(());
    };
    let doc = parse_xml(path, text)?;
    let src = Source::new(path, &doc);
    read_schema(&src, doc.root_element(), decls, loader, false)
}

/// Reads `elementFormDefault`-like attributes: `Some(true)` for `qualified`.
fn form(src: &Source, node: Node, attr: &str) -> Result<Option<bool>> {
    match node.attribute(attr) {
        None => Ok(None),
        Some("qualified") => Ok(Some(true)),
        Some("unqualified") => Ok(Some(false)),
        Some(other) => Err(Error::Unexpected {
            location: src.attr_at(node, attr),
            expected: format!("`qualified` or `unqualified` in `{attr}`"),
            found: format!("`{other}`"),
        }),
    }
}

struct Reader<'s, 'a, 'i> {
    src: &'s Source<'a, 'i>,
    target: String,
    element_qualified: bool,
    attribute_qualified: bool,
}

impl Reader<'_, '_, '_> {
    fn own_name(&self, node: Node) -> Result<QName> {
        let name = self.name(node)?;
        Ok(QName::new(self.target.clone(), name))
    }

    /// The `name` of a declaration, which must be an NCName.
    fn name<'n>(&self, node: Node<'n, '_>) -> Result<&'n str> {
        let name = qname::required_str(self.src, node, "name")?;
        if !xroad_codec::xsd::is_ncname(name) {
            return Err(Error::Unexpected {
                location: self.src.attr_at(node, "name"),
                expected: "a name (an NCName) in `name`".to_owned(),
                found: format!("`{name}`"),
            });
        }
        Ok(name)
    }

    fn loc(&self, node: Node) -> Location {
        self.src.at(node)
    }

    fn global_element(&self, node: Node, decls: &mut Declarations) -> Result<RawElement> {
        let name = self.own_name(node)?;
        if let Some(head) = qname::attr(self.src, node, "substitutionGroup")? {
            decls.substitutions.push((name.clone(), head));
        }
        if is_true(node.attribute("abstract")) {
            decls.abstract_elements.push(name.clone());
        }
        let kind = self.element_type(node, &name, name.clone(), decls)?;
        Ok(RawElement {
            name,
            kind,
            min_occurs: 1,
            max_occurs: Some(1),
            doc: xs_doc(node),
            location: self.loc(node),
            nillable: is_true(node.attribute("nillable")),
        })
    }

    /// The type of an element declaration; an anonymous type gets `anonymous_name`.
    fn element_type(
        &self,
        node: Node,
        name: &QName,
        anonymous_name: QName,
        decls: &mut Declarations,
    ) -> Result<RawElementKind> {
        let ty = qname::attr(self.src, node, "type")?;
        let mut anonymous = None;
        for child in ns::children(node) {
            if ns::is(child, XS, "annotation") {
                continue;
            }
            // Identity constraints say which values are unique or refer to each other;
            // they change no type.
            if ns::in_ns(child, XS)
                && matches!(child.tag_name().name(), "key" | "keyref" | "unique")
            {
                continue;
            }
            let slot = decls.types.len();
            let decl = if ns::is(child, XS, "complexType") {
                let mut complex = self.complex(child, anonymous_name.clone(), decls)?;
                // The type of a documented element is what the element documents.
                if complex.doc.is_none() {
                    complex.doc = xs_doc(node);
                }
                RawType::Complex(complex)
            } else if ns::is(child, XS, "simpleType") {
                RawType::Simple(self.simple(child, anonymous_name.clone(), decls)?)
            } else {
                return Err(self
                    .src
                    .unexpected(child, "an anonymous xs:complexType or xs:simpleType"));
            };
            if ty.is_some() || anonymous.is_some() {
                return Err(self
                    .src
                    .unexpected(child, "either `type` or one anonymous type"));
            }
            decls.types.insert(slot, decl);
            anonymous = Some(Ref {
                name: anonymous_name.clone(),
                location: self.loc(child),
            });
        }
        // An element without a type has `xs:anyType`: open content.
        let _ = name;
        Ok(RawElementKind::Typed(ty.or(anonymous).unwrap_or_else(
            || Ref {
                name: QName::new(XS, "anyType"),
                location: self.loc(node),
            },
        )))
    }

    fn occurs(&self, node: Node) -> Result<(u32, Option<u32>)> {
        let number = |attr: &str, v: &str| {
            v.trim().parse::<u32>().map_err(|_| Error::Unexpected {
                location: self.src.attr_at(node, attr),
                expected: format!("a non-negative integer in `{attr}`"),
                found: format!("`{v}`"),
            })
        };
        let min = match node.attribute("minOccurs") {
            Some(v) => number("minOccurs", v)?,
            None => 1,
        };
        let max = match node.attribute("maxOccurs") {
            Some(v) if v.trim() == "unbounded" => None,
            Some(v) => Some(number("maxOccurs", v)?),
            None => Some(1),
        };
        if max.is_some_and(|m| m < min) {
            return Err(Error::Unexpected {
                location: self.src.attr_at(node, "maxOccurs"),
                expected: "`maxOccurs` not below `minOccurs`".to_owned(),
                found: format!("{min}..{}", max.unwrap_or_default()),
            });
        }
        Ok((min, max))
    }

    fn local_element(
        &self,
        node: Node,
        parent: &QName,
        decls: &mut Declarations,
    ) -> Result<RawElement> {
        let (min_occurs, max_occurs) = self.occurs(node)?;
        let doc = xs_doc(node);
        let location = self.loc(node);
        if let Some(r) = qname::attr(self.src, node, "ref")? {
            return Ok(RawElement {
                name: r.name.clone(),
                kind: RawElementKind::Ref(r),
                min_occurs,
                max_occurs,
                doc,
                location,
                nillable: false,
            });
        }
        let local = self.name(node)?;
        let qualified = form(self.src, node, "form")?.unwrap_or(self.element_qualified);
        let name = QName::new(if qualified { self.target.as_str() } else { "" }, local);
        let anonymous = QName::new(
            parent.namespace.clone(),
            format!("{}{}", parent.local, local.to_upper_camel_case()),
        );
        let kind = self.element_type(node, &name, anonymous, decls)?;
        Ok(RawElement {
            name,
            kind,
            min_occurs,
            max_occurs,
            doc,
            location,
            nillable: is_true(node.attribute("nillable")),
        })
    }

    /// Reads the particles of a compositor (`xs:sequence`, `xs:choice`, `xs:all`, or a named
    /// group's), flattening nested sequences that occur exactly once; a nested choice, a
    /// sequence with other occurrence bounds and a group reference become group particles.
    fn particles(
        &self,
        node: Node,
        parent: &QName,
        decls: &mut Declarations,
        out: &mut Vec<RawElement>,
    ) -> Result<()> {
        for child in ns::children(node) {
            if !ns::in_ns(child, XS) {
                return Err(self.src.unexpected(child, "an XML Schema particle"));
            }
            match child.tag_name().name() {
                "annotation" => {}
                "element" => out.push(self.local_element(child, parent, decls)?),
                "any" => {
                    let (min_occurs, max_occurs) = self.occurs(child)?;
                    out.push(RawElement {
                        name: QName::new("", "any"),
                        kind: RawElementKind::Wildcard(self.wildcard(child)),
                        min_occurs,
                        max_occurs,
                        doc: xs_doc(child),
                        location: self.loc(child),
                        nillable: false,
                    });
                }
                "sequence"
                    if self.occurs(child)? == (1, Some(1)) && !ns::is(node, XS, "choice") =>
                {
                    self.particles(child, parent, decls, out)?;
                }
                "sequence" => out.push(self.group_particle(child, parent, decls, false)?),
                "choice" => out.push(self.group_particle(child, parent, decls, true)?),
                "group" => out.push(self.group_ref(child)?),
                other => return Err(self.unsupported_particle(child, other)),
            }
        }
        Ok(())
    }

    /// `xs:group ref=…` as a particle.
    fn group_ref(&self, node: Node) -> Result<RawElement> {
        let r = qname::required(self.src, node, "ref")?;
        let (min_occurs, max_occurs) = self.occurs(node)?;
        Ok(RawElement {
            name: QName::new("", r.name.local.clone()),
            kind: RawElementKind::Group(r),
            min_occurs,
            max_occurs,
            doc: xs_doc(node),
            location: self.loc(node),
            nillable: false,
        })
    }

    /// A name for a group of `parent` that no type has yet.
    fn group_name(&self, parent: &QName, suffix: &str, decls: &Declarations) -> QName {
        let base = format!("{}{suffix}", parent.local);
        let mut candidate = base.clone();
        let mut n = 2;
        while decls
            .types
            .iter()
            .any(|t| t.name().local == candidate && t.name().namespace == parent.namespace)
        {
            candidate = format!("{base}{n}");
            n += 1;
        }
        QName::new(parent.namespace.clone(), candidate)
    }

    /// An anonymous `xs:choice` (or an `xs:sequence` with occurrence bounds) as a group of
    /// its own, named after `parent`, and the particle that stands for it.
    fn group_particle(
        &self,
        node: Node,
        parent: &QName,
        decls: &mut Declarations,
        choice: bool,
    ) -> Result<RawElement> {
        let (min_occurs, max_occurs) = self.occurs(node)?;
        let name = self.group_name(parent, if choice { "Choice" } else { "Sequence" }, decls);
        let location = self.loc(node);
        let slot = decls.types.len();
        let group = self.group_body(node, name.clone(), decls, choice)?;
        decls.types.insert(slot, RawType::Group(group));
        Ok(RawElement {
            name: QName::new("", if choice { "choice" } else { "sequence" }),
            kind: RawElementKind::Group(Ref {
                name,
                location: location.clone(),
            }),
            min_occurs,
            max_occurs,
            doc: None,
            location,
            nillable: false,
        })
    }

    /// The particles of a group named `name`; the alternatives of a choice that have
    /// occurrence bounds other than one become sequence groups of their own, so that every
    /// alternative is one value.
    fn group_body(
        &self,
        node: Node,
        name: QName,
        decls: &mut Declarations,
        choice: bool,
    ) -> Result<RawGroup> {
        let mut particles = Vec::new();
        self.particles(node, &name, decls, &mut particles)?;
        if choice {
            for particle in &mut particles {
                if (particle.min_occurs, particle.max_occurs) == (1, Some(1)) {
                    continue;
                }
                let suffix = naming_suffix(&particle.name.local);
                let wrapper = self.group_name(&name, &suffix, decls);
                let location = particle.location.clone();
                let inner = std::mem::replace(
                    particle,
                    RawElement {
                        name: particle.name.clone(),
                        kind: RawElementKind::Group(Ref {
                            name: wrapper.clone(),
                            location: location.clone(),
                        }),
                        min_occurs: 1,
                        max_occurs: Some(1),
                        doc: particle.doc.clone(),
                        location: location.clone(),
                        nillable: false,
                    },
                );
                decls.types.push(RawType::Group(RawGroup {
                    name: wrapper,
                    doc: inner.doc.clone(),
                    location,
                    choice: false,
                    particles: vec![inner],
                }));
            }
        }
        Ok(RawGroup {
            name,
            doc: xs_doc(node),
            location: self.loc(node),
            choice,
            particles,
        })
    }

    /// `xs:list` (item type by `itemType` or inline) or `xs:union` (members by `memberTypes`
    /// and inline); inline types are named after the type, `…Item` and `…Member<n>`.
    fn list_or_union(&self, node: Node, name: &QName, decls: &mut Declarations) -> Result<Variety> {
        let list = ns::is(node, XS, "list");
        let mut refs = Vec::new();
        let attr = if list { "itemType" } else { "memberTypes" };
        if let Some(value) = node.attribute(attr) {
            for token in value.split_whitespace() {
                let (prefix, local) = token.split_once(':').unwrap_or(("", token));
                let namespace = match prefix {
                    "" => node.lookup_namespace_uri(None).unwrap_or(""),
                    "xml" => ns::XML,
                    p => node.lookup_namespace_uri(Some(p)).ok_or_else(|| {
                        Error::UnresolvedPrefix {
                            location: self.src.attr_at(node, attr),
                            prefix: p.to_owned(),
                            value: value.to_owned(),
                        }
                    })?,
                };
                let namespace = match (&self.src.chameleon, namespace) {
                    (Some(target), "") => target.as_str(),
                    _ => namespace,
                };
                refs.push(Ref {
                    name: QName::new(namespace, local),
                    location: self.src.attr_at(node, attr),
                });
            }
        }
        let inline: Vec<Node> = ns::children(node)
            .filter(|n| ns::is(*n, XS, "simpleType"))
            .collect();
        for child in inline {
            // Members are numbered by their place among all members.
            let suffix = if list {
                "Item".to_owned()
            } else {
                format!("Member{}", refs.len() + 1)
            };
            let inner = QName::new(name.namespace.clone(), format!("{}{suffix}", name.local));
            let slot = decls.types.len();
            let simple = self.simple(child, inner.clone(), decls)?;
            decls.types.insert(slot, RawType::Simple(simple));
            refs.push(Ref {
                name: inner,
                location: self.loc(child),
            });
        }
        if list {
            match <[Ref; 1]>::try_from(refs) {
                Ok([item]) => Ok(Variety::List(item)),
                Err(_) => Err(self
                    .src
                    .unexpected(node, "one item type (`itemType` or an inline type)")),
            }
        } else if refs.is_empty() {
            Err(self.src.unexpected(node, "member types"))
        } else {
            Ok(Variety::Union(refs))
        }
    }

    /// The redefinitions of an `xs:redefine` whose schema has been included: each redefined
    /// component's original is renamed `<name>Base`, and the redefinition, which derives from
    /// (or refers to) itself, now derives from (or refers to) that original.
    fn redefine(&self, node: Node, decls: &mut Declarations) -> Result<()> {
        for child in ns::children(node) {
            let tag = child.tag_name().name();
            if !ns::in_ns(child, XS) || tag == "annotation" {
                continue;
            }
            let name = self.own_name(child)?;
            let renamed = self.group_name(
                &QName::new(name.namespace.clone(), format!("{}Base", name.local)),
                "",
                decls,
            );
            let original = match tag {
                "attributeGroup" => decls
                    .attribute_groups
                    .iter_mut()
                    .find(|g| g.name == name)
                    .map(|g| g.name = renamed.clone())
                    .is_some(),
                _ => decls
                    .types
                    .iter_mut()
                    .find(|t| *t.name() == name)
                    .map(|t| match t {
                        RawType::Complex(c) => c.name = renamed.clone(),
                        RawType::Simple(s) => s.name = renamed.clone(),
                        RawType::Group(g) => g.name = renamed.clone(),
                    })
                    .is_some(),
            };
            if !original {
                return Err(Error::Unexpected {
                    location: self.loc(child),
                    expected: format!("a component `{}` of the redefined schema", name.local),
                    found: "none".to_owned(),
                });
            }
            let rename = |r: &mut Ref| {
                if r.name == name {
                    r.name = renamed.clone();
                }
            };
            match tag {
                "complexType" => {
                    let slot = decls.types.len();
                    let mut ty = self.complex(child, name.clone(), decls)?;
                    match &mut ty.content {
                        RawContent::SimpleExtension(b)
                        | RawContent::SimpleRestriction(b)
                        | RawContent::Restriction(b, _)
                        | RawContent::Extension(b, _) => rename(b),
                        RawContent::Sequence(_) => {}
                    }
                    decls.types.insert(slot, RawType::Complex(ty));
                }
                "simpleType" => {
                    let slot = decls.types.len();
                    let mut ty = self.simple(child, name.clone(), decls)?;
                    rename(&mut ty.base);
                    decls.types.insert(slot, RawType::Simple(ty));
                }
                "group" => {
                    let slot = decls.types.len();
                    let mut group = self.named_group(child, decls)?;
                    for particle in &mut group.particles {
                        if let RawElementKind::Group(r) = &mut particle.kind {
                            rename(r);
                        }
                    }
                    decls.types.insert(slot, RawType::Group(group));
                }
                "attributeGroup" => {
                    let mut group = self.attribute_group(child, decls)?;
                    group.groups.iter_mut().for_each(rename);
                    decls.attribute_groups.push(group);
                }
                _ => return Err(self.src.unexpected(child, "a redefined type or group")),
            }
        }
        Ok(())
    }

    /// A top-level `xs:group name=…`.
    fn named_group(&self, node: Node, decls: &mut Declarations) -> Result<RawGroup> {
        let name = self.own_name(node)?;
        let compositor = ns::children(node)
            .find(|n| !ns::is(*n, XS, "annotation"))
            .ok_or_else(|| {
                self.src
                    .unexpected(node, "xs:sequence, xs:choice or xs:all")
            })?;
        let choice = match compositor.tag_name().name() {
            "choice" if ns::in_ns(compositor, XS) => true,
            "sequence" | "all" if ns::in_ns(compositor, XS) => false,
            _ => {
                return Err(self
                    .src
                    .unexpected(compositor, "xs:sequence, xs:choice or xs:all"));
            }
        };
        let mut group = self.group_body(compositor, name, decls, choice)?;
        group.doc = xs_doc(node).or(group.doc);
        group.location = self.loc(node);
        Ok(group)
    }

    /// A top-level `xs:attributeGroup name=…`.
    fn attribute_group(&self, node: Node, decls: &mut Declarations) -> Result<RawAttributeGroup> {
        let name = self.own_name(node)?;
        let mut group = RawAttributeGroup {
            name: name.clone(),
            location: self.loc(node),
            attributes: Vec::new(),
            groups: Vec::new(),
            any_attribute: None,
        };
        for child in ns::children(node) {
            match child.tag_name().name() {
                _ if !ns::in_ns(child, XS) => {
                    return Err(self.src.unexpected(child, "an XML Schema element"));
                }
                "annotation" => {}
                "attribute" => group
                    .attributes
                    .push(self.attribute_use(child, &name, decls)?),
                "attributeGroup" => group.groups.push(qname::required(self.src, child, "ref")?),
                "anyAttribute" => group.any_attribute = Some(self.wildcard(child)),
                _ => {
                    return Err(self
                        .src
                        .unexpected(child, "xs:attribute or xs:attributeGroup"));
                }
            }
        }
        Ok(group)
    }

    fn unsupported_particle(&self, node: Node, name: &str) -> Error {
        self.src.unsupported(
            node,
            &format!("xs:{name}"),
            "the generator supports element sequences only; use xs:sequence",
        )
    }

    fn complex(&self, node: Node, name: QName, decls: &mut Declarations) -> Result<RawComplex> {
        let mut mixed = is_true(node.attribute("mixed"));
        let mut content = RawContent::Sequence(Vec::new());
        let mut attributes = Vec::new();
        let mut any_attribute = None;
        let mut attribute_groups = Vec::new();
        let mut all = false;
        let mut seen_content = false;
        for child in ns::children(node) {
            if !ns::in_ns(child, XS) {
                return Err(self.src.unexpected(child, "an XML Schema element"));
            }
            let tag = child.tag_name().name();
            if matches!(
                tag,
                "sequence" | "choice" | "all" | "group" | "complexContent" | "simpleContent"
            ) {
                if seen_content {
                    return Err(self.src.unexpected(child, "a single content model"));
                }
                seen_content = true;
            }
            match tag {
                "annotation" => {}
                // Mixed content is read as open content: its particles shape no field.
                "sequence" | "choice" | "all" | "group" if mixed => {}
                "sequence" | "choice" | "all" | "group" => {
                    all = tag == "all";
                    content = RawContent::Sequence(self.content_particles(child, &name, decls)?);
                }
                "attribute" => attributes.push(self.attribute_use(child, &name, decls)?),
                "attributeGroup" => attribute_groups.push(qname::required(self.src, child, "ref")?),
                "anyAttribute" => any_attribute = Some(self.wildcard(child)),
                "complexContent" => {
                    mixed |= is_true(child.attribute("mixed"));
                    content = self.derivation(
                        child,
                        &name,
                        decls,
                        (&mut attributes, &mut attribute_groups, &mut any_attribute),
                        false,
                        mixed,
                    )?;
                }
                "simpleContent" => {
                    content = self.derivation(
                        child,
                        &name,
                        decls,
                        (&mut attributes, &mut attribute_groups, &mut any_attribute),
                        true,
                        false,
                    )?;
                }
                other => return Err(self.unsupported_particle(child, other)),
            }
        }
        Ok(RawComplex {
            doc: xs_doc(node),
            location: self.loc(node),
            name,
            content,
            attributes,
            any_attribute,
            attribute_groups,
            mixed,
            all,
            is_abstract: is_true(node.attribute("abstract")),
        })
    }

    /// The fields of a type's content model: the particles of a sequence that occurs once or
    /// of an `xs:all`, or one group particle for a choice, a sequence with occurrence bounds
    /// or a group reference.
    fn content_particles(
        &self,
        node: Node,
        parent: &QName,
        decls: &mut Declarations,
    ) -> Result<Vec<RawElement>> {
        let mut fields = Vec::new();
        match node.tag_name().name() {
            "sequence" if self.occurs(node)? != (1, Some(1)) => {
                fields.push(self.group_particle(node, parent, decls, false)?);
            }
            "sequence" | "all" => self.particles(node, parent, decls, &mut fields)?,
            "choice" => fields.push(self.group_particle(node, parent, decls, true)?),
            _ => fields.push(self.group_ref(node)?),
        }
        Ok(fields)
    }

    /// The namespace constraint of `xs:any` or `xs:anyAttribute`.
    fn wildcard(&self, node: Node) -> Wildcard {
        let constraint = node.attribute("namespace").unwrap_or("##any").trim();
        match constraint {
            "##any" => Wildcard::Any,
            "##other" => Wildcard::Not(vec![self.target.clone(), String::new()]),
            list => Wildcard::Only(
                list.split_whitespace()
                    .map(|n| match n {
                        "##targetNamespace" => self.target.clone(),
                        "##local" => String::new(),
                        uri => uri.to_owned(),
                    })
                    .collect(),
            ),
        }
    }

    /// Reads `xs:complexContent` or `xs:simpleContent`.
    fn derivation(
        &self,
        node: Node,
        name: &QName,
        decls: &mut Declarations,
        (attributes, attribute_groups, any_attribute): (
            &mut Vec<RawAttribute>,
            &mut Vec<Ref>,
            &mut Option<Wildcard>,
        ),
        simple: bool,
        mixed: bool,
    ) -> Result<RawContent> {
        let mut result = None;
        for child in ns::children(node) {
            if ns::is(child, XS, "annotation") {
                continue;
            }
            let extension = ns::is(child, XS, "extension");
            if !(extension || ns::is(child, XS, "restriction")) || result.is_some() {
                return Err(self
                    .src
                    .unexpected(child, "one xs:restriction or xs:extension"));
            }
            let base = qname::required(self.src, child, "base")?;
            let mut fields = Vec::new();
            let mut seen_sequence = false;
            for part in ns::children(child) {
                if !ns::in_ns(part, XS) {
                    return Err(self.src.unexpected(part, "an XML Schema element"));
                }
                match part.tag_name().name() {
                    "annotation" => {}
                    // The facets of a simple content restriction narrow the text; they are
                    // not checked (the base's text type reads it), which a warning says.
                    "simpleType" | "enumeration" | "pattern" | "length" | "minLength"
                    | "maxLength" | "minInclusive" | "maxInclusive" | "minExclusive"
                    | "maxExclusive" | "totalDigits" | "fractionDigits" | "whiteSpace"
                        if simple && !extension =>
                    {
                        let what = format!(
                            "the facets of the simple content restriction of `{}`",
                            name.local
                        );
                        if !decls.unchecked.iter().any(|u| u.what == what) {
                            decls.unchecked.push(Skipped {
                                location: self.loc(part),
                                what,
                                kind: SkipKind::NotChecked,
                                reason: "the text type of the base reads the value".to_owned(),
                            });
                        }
                    }
                    "sequence" | "choice" | "all" | "group" if mixed => {}
                    "attribute" => attributes.push(self.attribute_use(part, name, decls)?),
                    "anyAttribute" => *any_attribute = Some(self.wildcard(part)),
                    "attributeGroup" => {
                        attribute_groups.push(qname::required(self.src, part, "ref")?);
                    }
                    "sequence" | "choice" | "all" | "group" if !simple && !seen_sequence => {
                        seen_sequence = true;
                        fields = self.content_particles(part, name, decls)?;
                    }
                    "sequence" | "choice" | "all" | "group" => {
                        return Err(self.src.unexpected(part, "attributes"));
                    }
                    other => return Err(self.unsupported_particle(part, other)),
                }
            }
            result = Some(match (simple, extension) {
                (true, true) => RawContent::SimpleExtension(base),
                (true, false) => RawContent::SimpleRestriction(base),
                (false, true) => RawContent::Extension(base, fields),
                (false, false) => RawContent::Restriction(base, fields),
            });
        }
        result.ok_or_else(|| self.src.unexpected(node, "xs:restriction or xs:extension"))
    }

    /// A global attribute declaration.
    fn attribute_decl(
        &self,
        node: Node,
        name: QName,
        decls: &mut Declarations,
    ) -> Result<RawAttribute> {
        let anonymous = name.clone();
        self.attribute_common(node, name, None, anonymous, decls)
    }

    /// An attribute use inside a complex type.
    fn attribute_use(
        &self,
        node: Node,
        parent: &QName,
        decls: &mut Declarations,
    ) -> Result<RawAttribute> {
        if let Some(r) = qname::attr(self.src, node, "ref")? {
            let location = r.location.clone();
            return self.attribute_common(node, r.name, Some(location), parent.clone(), decls);
        }
        let local = self.name(node)?;
        let qualified = form(self.src, node, "form")?.unwrap_or(self.attribute_qualified);
        let name = QName::new(if qualified { self.target.as_str() } else { "" }, local);
        let anonymous = QName::new(
            parent.namespace.clone(),
            format!("{}{}", parent.local, local.to_upper_camel_case()),
        );
        self.attribute_common(node, name, None, anonymous, decls)
    }

    fn attribute_common(
        &self,
        node: Node,
        name: QName,
        by_ref: Option<Location>,
        anonymous: QName,
        decls: &mut Declarations,
    ) -> Result<RawAttribute> {
        let usage = match node.attribute("use") {
            None | Some("optional") => Use::Optional,
            Some("required") => Use::Required,
            Some("prohibited") => Use::Prohibited,
            Some(other) => {
                return Err(Error::Unexpected {
                    location: self.src.attr_at(node, "use"),
                    expected: "`optional`, `required` or `prohibited` in `use`".to_owned(),
                    found: format!("`{other}`"),
                });
            }
        };
        let mut ty = qname::attr(self.src, node, "type")?;
        for child in ns::children(node) {
            if ns::is(child, XS, "annotation") {
                continue;
            }
            if !ns::is(child, XS, "simpleType") || ty.is_some() || by_ref.is_some() {
                return Err(self
                    .src
                    .unexpected(child, "no content besides xs:annotation"));
            }
            let slot = decls.types.len();
            let simple = self.simple(child, anonymous.clone(), decls)?;
            decls.types.insert(slot, RawType::Simple(simple));
            ty = Some(Ref {
                name: anonymous.clone(),
                location: self.loc(child),
            });
        }
        Ok(RawAttribute {
            name,
            by_ref,
            ty,
            usage,
            fixed: node.attribute("fixed").map(str::to_owned),
            default: node.attribute("default").map(str::to_owned),
            doc: xs_doc(node),
            location: self.loc(node),
        })
    }

    fn simple(&self, node: Node, name: QName, decls: &mut Declarations) -> Result<RawSimple> {
        let mut restriction = None;
        for child in ns::children(node) {
            if ns::is(child, XS, "annotation") {
                continue;
            }
            if ns::is(child, XS, "restriction") && restriction.is_none() {
                restriction = Some(child);
            } else if ns::is(child, XS, "list") || ns::is(child, XS, "union") {
                let variety = self.list_or_union(child, &name, decls)?;
                return Ok(RawSimple {
                    doc: xs_doc(node),
                    location: self.loc(node),
                    base: Ref {
                        name: QName::new(XS, "anySimpleType"),
                        location: self.loc(child),
                    },
                    variety,
                    name,
                    values: Vec::new(),
                    facets: Facets::default(),
                });
            } else {
                return Err(self
                    .src
                    .unexpected(child, "xs:restriction, xs:list or xs:union"));
            }
        }
        let Some(restriction) = restriction else {
            return Err(self.src.unexpected(node, "xs:restriction"));
        };
        let Some(base) = qname::attr(self.src, restriction, "base")? else {
            return Err(self.src.unsupported(
                restriction,
                "xs:restriction without `base`",
                "name the base type in `base`",
            ));
        };
        let mut values = Vec::new();
        let mut facets = Facets::default();
        for facet in ns::children(restriction) {
            if !ns::in_ns(facet, XS) {
                return Err(self.src.unexpected(facet, "an XML Schema facet"));
            }
            let kind = facet.tag_name().name();
            if kind == "annotation" {
                continue;
            }
            let value = qname::required_str(self.src, facet, "value")?;
            let length = || {
                value.trim().parse::<u64>().map_err(|_| Error::Unexpected {
                    location: self.src.attr_at(facet, "value"),
                    expected: "a non-negative integer".to_owned(),
                    found: format!("`{value}`"),
                })
            };
            match kind {
                "enumeration" => {
                    values.push(EnumValue {
                        value: value.to_owned(),
                        doc: xs_doc(facet),
                    });
                    continue;
                }
                "length" => facets.length = Some(length()?),
                "minLength" => facets.min_length = Some(length()?),
                "maxLength" => facets.max_length = Some(length()?),
                "pattern" => facets.patterns.push(value.to_owned()),
                "minInclusive" => facets.min_inclusive = Some(value.trim().to_owned()),
                "maxInclusive" => facets.max_inclusive = Some(value.trim().to_owned()),
                "minExclusive" => facets.min_exclusive = Some(value.trim().to_owned()),
                "maxExclusive" => facets.max_exclusive = Some(value.trim().to_owned()),
                // The base type's whitespace processing is what its Rust type does.
                "whiteSpace" => {}
                other => {
                    return Err(self.src.unsupported(
                        facet,
                        &format!("xs:{other} facet"),
                        "supported facets are enumeration, pattern, length, minLength, \
                         maxLength, whiteSpace and the inclusive and exclusive bounds",
                    ));
                }
            }
        }
        // Enumerated values are checked exactly; other facets add nothing to them.
        if !values.is_empty() {
            facets = Facets::default();
        }
        Ok(RawSimple {
            name,
            doc: xs_doc(node),
            location: self.loc(node),
            base,
            variety: Variety::Atomic,
            values,
            facets,
        })
    }
}

/// Whether a boolean attribute value is true.
fn is_true(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("true" | "1"))
}

/// The UpperCamelCase suffix a group named after the particle `local` takes.
fn naming_suffix(local: &str) -> String {
    local.to_upper_camel_case()
}

//! Raw schema declarations resolved into model types and elements.

use std::collections::{HashMap, HashSet};

use super::builtin::builtin;
use super::ns::XS;
use super::qname::Ref;
use super::raw::{
    Declarations, RawAttribute, RawAttributeGroup, RawComplex, RawContent, RawElement,
    RawElementKind, RawGroup, RawType, Use, Variety,
};
use crate::error::{Error, Result};
use crate::model::{
    Attribute, Builtin, ComplexType, Content, Derivation, DerivationKind, Element, ElementField,
    Location, QName, SimpleKind, SimpleType, TypeDef, TypeRef, Wildcard,
};
use crate::options::Options;

/// Global declarations by name.
pub(crate) struct Index<'d> {
    /// Head element → the global elements that can stand in its place.
    substitutes: HashMap<QName, Vec<QName>>,
    abstract_elements: HashSet<QName>,
    types: HashMap<QName, &'d RawType>,
    elements: HashMap<QName, &'d RawElement>,
    attributes: HashMap<QName, &'d RawAttribute>,
    attribute_groups: HashMap<QName, &'d RawAttributeGroup>,
}

fn insert<'d, T>(
    map: &mut HashMap<QName, &'d T>,
    kind: &'static str,
    name: &QName,
    location: &Location,
    item: &'d T,
    location_of: impl Fn(&T) -> &Location,
) -> Result<()> {
    if let Some(first) = map.get(name) {
        return Err(Error::Duplicate {
            location: location.clone(),
            kind,
            name: name.clone(),
            first: location_of(first).clone(),
        });
    }
    map.insert(name.clone(), item);
    Ok(())
}

impl<'d> Index<'d> {
    /// Indexes the declarations; a name declared twice is an [`Error::Duplicate`].
    pub fn new(decls: &'d Declarations) -> Result<Self> {
        let mut substitutes: HashMap<QName, Vec<QName>> = HashMap::new();
        for (member, head) in &decls.substitutions {
            substitutes
                .entry(head.name.clone())
                .or_default()
                .push(member.clone());
        }
        let mut index = Index {
            substitutes,
            abstract_elements: decls.abstract_elements.iter().cloned().collect(),
            types: HashMap::new(),
            elements: HashMap::new(),
            attributes: HashMap::new(),
            attribute_groups: HashMap::new(),
        };
        for g in &decls.attribute_groups {
            insert(
                &mut index.attribute_groups,
                "attribute group",
                &g.name,
                &g.location,
                g,
                |g| &g.location,
            )?;
        }
        for t in &decls.types {
            insert(
                &mut index.types,
                "type",
                t.name(),
                t.location(),
                t,
                RawType::location,
            )?;
        }
        for e in &decls.elements {
            insert(
                &mut index.elements,
                "element",
                &e.name,
                &e.location,
                e,
                |e| &e.location,
            )?;
        }
        for a in &decls.attributes {
            insert(
                &mut index.attributes,
                "attribute",
                &a.name,
                &a.location,
                a,
                |a| &a.location,
            )?;
        }
        Ok(index)
    }

    /// The global element named `name`.
    pub fn element(&self, name: &QName) -> Option<&'d RawElement> {
        self.elements.get(name).copied()
    }
}

/// Resolves types and elements against an [`Index`].
pub(crate) struct Resolver<'d, 'o> {
    /// Choices made for substitution groups, added after the declared types.
    substitutions: std::cell::RefCell<Vec<ComplexType>>,
    index: Index<'d>,
    options: &'o Options,
    done: HashMap<QName, ComplexType>,
    visiting: HashSet<QName>,
}

impl<'d, 'o> Resolver<'d, 'o> {
    /// A resolver over `index`.
    pub fn new(index: Index<'d>, options: &'o Options) -> Self {
        Self {
            substitutions: std::cell::RefCell::new(Vec::new()),
            index,
            options,
            done: HashMap::new(),
            visiting: HashSet::new(),
        }
    }

    /// The index the resolver works on.
    pub fn index(&self) -> &Index<'d> {
        &self.index
    }

    /// Resolves every declared type, in declaration order.
    pub fn types(&mut self, decls: &'d Declarations) -> Result<Vec<TypeDef>> {
        let mut out = Vec::with_capacity(decls.types.len());
        for t in &decls.types {
            out.push(match t {
                RawType::Complex(c) => TypeDef::Complex(self.complex(c)?),
                RawType::Group(g) => TypeDef::Complex(self.group(g)?),
                RawType::Simple(s) => {
                    let base = self.simple_ref(&s.base)?;
                    let kind = if let Variety::List(item) = &s.variety {
                        SimpleKind::List {
                            item: self.simple_ref(item)?,
                        }
                    } else if let Variety::Union(members) = &s.variety {
                        SimpleKind::Union {
                            members: members
                                .iter()
                                .map(|m| self.simple_ref(m))
                                .collect::<Result<_>>()?,
                        }
                    } else if s.values.is_empty() {
                        SimpleKind::Restriction {
                            base,
                            facets: s.facets.clone(),
                        }
                    } else {
                        SimpleKind::Enumeration {
                            base,
                            values: s.values.clone(),
                        }
                    };
                    TypeDef::Simple(SimpleType {
                        name: s.name.clone(),
                        doc: s.doc.clone(),
                        location: s.location.clone(),
                        kind,
                    })
                }
            });
        }
        out.extend(
            self.substitutions
                .borrow_mut()
                .drain(..)
                .map(TypeDef::Complex),
        );
        Ok(out)
    }

    /// The head element `head` and every element that can stand in its place (transitively),
    /// abstract ones left out.
    fn substitution_members(&self, head: &QName) -> Vec<QName> {
        let mut out = Vec::new();
        let mut pending = vec![head.clone()];
        while let Some(name) = pending.pop() {
            if out.contains(&name) {
                continue;
            }
            if let Some(members) = self.index.substitutes.get(&name) {
                pending.extend(members.iter().rev().cloned());
            }
            out.push(name);
        }
        out.retain(|name| !self.index.abstract_elements.contains(name));
        out
    }

    /// The choice of a substitution group headed by `head` (made once), as a group type.
    fn substitution_choice(&self, head: &Ref) -> Result<QName> {
        let name = QName::new(
            head.name.namespace.clone(),
            format!("{}Substitutes", head.name.local),
        );
        if self.substitutions.borrow().iter().any(|t| t.name == name) {
            return Ok(name);
        }
        let mut alternatives = Vec::new();
        for member in self.substitution_members(&head.name) {
            let Some(global) = self.index.element(&member) else {
                continue;
            };
            alternatives.push(ElementField {
                name: member,
                ty: self.global_element_type(global)?,
                min_occurs: 1,
                max_occurs: Some(1),
                doc: global.doc.clone(),
                location: global.location.clone(),
                nillable: global.nillable,
            });
        }
        self.substitutions.borrow_mut().push(ComplexType {
            name: name.clone(),
            doc: Some(format!(
                "The element `{}` or one of the elements of its substitution group.",
                head.name.local
            )),
            location: head.location.clone(),
            base: None,
            content: Content::Choice(alternatives),
            attributes: Vec::new(),
            any_attribute: None,
            group: true,
            all: false,
            is_abstract: false,
            identifier: None,
        });
        Ok(name)
    }

    /// The model of global element `name`, referenced at `r`.
    pub fn element(&self, r: &Ref) -> Result<Element> {
        let Some(global) = self.index.element(&r.name) else {
            return Err(unresolved("element", r));
        };
        Ok(Element {
            name: global.name.clone(),
            ty: self.global_element_type(global)?,
            doc: global.doc.clone(),
            location: global.location.clone(),
        })
    }

    fn global_element_type(&self, global: &RawElement) -> Result<TypeRef> {
        if let Some(path) = self.options.extern_type(&global.name) {
            return Ok(TypeRef::Extern(path.to_owned()));
        }
        match &global.kind {
            RawElementKind::Typed(t) => self.type_ref(t),
            RawElementKind::Ref(r) => Err(Error::Unexpected {
                location: r.location.clone(),
                expected: "`name` and `type` on a global element".to_owned(),
                found: "`ref`".to_owned(),
            }),
            RawElementKind::Wildcard(_) | RawElementKind::Group(_) => Err(Error::Unexpected {
                location: global.location.clone(),
                expected: "a global element".to_owned(),
                found: "a particle".to_owned(),
            }),
        }
    }

    /// A reference to any type.
    fn type_ref(&self, r: &Ref) -> Result<TypeRef> {
        if r.name.namespace == XS && r.name.local == "anyType" {
            return Ok(TypeRef::AnyType);
        }
        if r.name.namespace == XS {
            return builtin(&r.name.local)
                .map(TypeRef::Builtin)
                .map_err(|hint| Error::Unsupported {
                    location: r.location.clone(),
                    construct: format!("xs:{}", r.name.local),
                    hint: hint.to_owned(),
                });
        }
        if self.index.types.contains_key(&r.name) {
            Ok(TypeRef::Named(r.name.clone()))
        } else {
            Err(unresolved("type", r))
        }
    }

    /// A reference that must be to a simple type.
    fn simple_ref(&self, r: &Ref) -> Result<TypeRef> {
        let ty = self.type_ref(r)?;
        if let Some(RawType::Complex(_)) = self.index.types.get(&r.name) {
            return Err(Error::Unexpected {
                location: r.location.clone(),
                expected: "a simple type".to_owned(),
                found: format!("complex type `{}`", r.name),
            });
        }
        Ok(ty)
    }

    fn field(&self, e: &RawElement) -> Result<ElementField> {
        let mut nillable = e.nillable;
        let (ty, doc) = match &e.kind {
            RawElementKind::Typed(t) => (self.type_ref(t)?, e.doc.clone()),
            RawElementKind::Wildcard(w) => (TypeRef::Wildcard(w.clone()), e.doc.clone()),
            RawElementKind::Group(r) => {
                let Some(RawType::Group(group)) = self.index.types.get(&r.name) else {
                    return Err(unresolved("group", r));
                };
                (
                    TypeRef::Group(r.name.clone()),
                    e.doc.clone().or_else(|| group.doc.clone()),
                )
            }
            RawElementKind::Ref(r) => {
                let Some(global) = self.index.element(&r.name) else {
                    return Err(unresolved("element", r));
                };
                if self.index.substitutes.contains_key(&r.name) {
                    // Any element of the substitution group can stand here.
                    (
                        TypeRef::Group(self.substitution_choice(r)?),
                        e.doc.clone().or_else(|| global.doc.clone()),
                    )
                } else {
                    nillable |= global.nillable;
                    (
                        self.global_element_type(global)?,
                        e.doc.clone().or_else(|| global.doc.clone()),
                    )
                }
            }
        };
        Ok(ElementField {
            name: e.name.clone(),
            ty,
            min_occurs: e.min_occurs,
            max_occurs: e.max_occurs,
            doc,
            location: e.location.clone(),
            nillable,
        })
    }

    /// The fields of particles; a reference to a sequence group that occurs once stands for
    /// the group's own particles.
    fn fields(&self, elements: &[RawElement]) -> Result<Vec<ElementField>> {
        let mut out = Vec::with_capacity(elements.len());
        self.fields_into(elements, &mut out, 0)?;
        Ok(out)
    }

    fn fields_into(
        &self,
        elements: &[RawElement],
        out: &mut Vec<ElementField>,
        depth: usize,
    ) -> Result<()> {
        for e in elements {
            if let RawElementKind::Group(r) = &e.kind
                && (e.min_occurs, e.max_occurs) == (1, Some(1))
                && let Some(RawType::Group(group)) = self.index.types.get(&r.name)
                && !group.choice
            {
                if depth > 32 {
                    return Err(Error::Unsupported {
                        location: r.location.clone(),
                        construct: "circular group reference".to_owned(),
                        hint: format!("group `{}` contains itself", r.name),
                    });
                }
                self.fields_into(&group.particles, out, depth + 1)?;
                continue;
            }
            out.push(self.field(e)?);
        }
        Ok(())
    }

    /// A model group as a complex type flagged as a group.
    fn group(&self, g: &RawGroup) -> Result<ComplexType> {
        // Each alternative of a choice is one value, so a sequence there stays a group.
        let fields = if g.choice {
            g.particles
                .iter()
                .map(|p| self.field(p))
                .collect::<Result<_>>()?
        } else {
            self.fields(&g.particles)?
        };
        let content = if g.choice {
            Content::Choice(fields)
        } else if fields.is_empty() {
            Content::Empty
        } else {
            Content::Sequence(fields)
        };
        Ok(ComplexType {
            name: g.name.clone(),
            doc: g.doc.clone(),
            location: g.location.clone(),
            base: None,
            content,
            attributes: Vec::new(),
            any_attribute: None,
            group: true,
            all: false,
            is_abstract: false,
            identifier: None,
        })
    }

    /// The attribute uses of a type: its own, then those of its attribute groups (nested
    /// groups expanded), and the `xs:anyAttribute` of the type or its groups.
    fn raw_attributes(
        &self,
        raw: &'d RawComplex,
    ) -> Result<(Vec<&'d RawAttribute>, Option<Wildcard>)>
    where
        'd: 'd,
    {
        let mut attributes: Vec<&RawAttribute> = raw.attributes.iter().collect();
        let mut wildcard = raw.any_attribute.clone();
        let mut pending: Vec<Ref> = raw.attribute_groups.clone();
        let mut seen: HashSet<QName> = HashSet::new();
        while let Some(r) = pending.pop() {
            if !seen.insert(r.name.clone()) {
                continue;
            }
            let Some(group) = self.index.attribute_groups.get(&r.name).copied() else {
                return Err(unresolved("attribute group", &r));
            };
            attributes.extend(&group.attributes);
            if wildcard.is_none() {
                wildcard.clone_from(&group.any_attribute);
            }
            pending.extend(group.groups.iter().cloned());
        }
        Ok((attributes, wildcard))
    }

    /// An attribute use, with its `use`.
    fn attribute(&self, a: &RawAttribute) -> Result<(Use, Attribute)> {
        let (ty, fixed, default, doc) = match &a.by_ref {
            Some(location) => {
                let Some(global) = self.index.attributes.get(&a.name) else {
                    return Err(Error::Unresolved {
                        location: location.clone(),
                        kind: "attribute",
                        name: a.name.clone(),
                    });
                };
                (
                    self.attribute_type(global.ty.as_ref())?,
                    a.fixed.clone().or_else(|| global.fixed.clone()),
                    a.default.clone().or_else(|| global.default.clone()),
                    a.doc.clone().or_else(|| global.doc.clone()),
                )
            }
            None => (
                self.attribute_type(a.ty.as_ref())?,
                a.fixed.clone(),
                a.default.clone(),
                a.doc.clone(),
            ),
        };
        Ok((
            a.usage,
            Attribute {
                name: a.name.clone(),
                ty,
                required: a.usage == Use::Required,
                fixed,
                default,
                doc,
                location: a.location.clone(),
            },
        ))
    }

    fn attribute_type(&self, ty: Option<&Ref>) -> Result<TypeRef> {
        match ty {
            Some(r) => self.simple_ref(r),
            None => Ok(TypeRef::Builtin(Builtin::String)),
        }
    }

    /// Own attribute uses, without prohibited ones.
    fn own_attributes(&self, raw: &'d RawComplex) -> Result<Vec<Attribute>> {
        let mut out = Vec::new();
        for a in self.raw_attributes(raw)?.0 {
            let (usage, attribute) = self.attribute(a)?;
            if usage != Use::Prohibited {
                out.push(attribute);
            }
        }
        Ok(out)
    }

    /// The attributes of a restriction: the base's, with those the type declares again
    /// replaced and the prohibited ones removed.
    fn restricted_attributes(
        &self,
        mut attributes: Vec<Attribute>,
        raw: &'d RawComplex,
    ) -> Result<Vec<Attribute>> {
        for a in self.raw_attributes(raw)?.0 {
            let (usage, attribute) = self.attribute(a)?;
            let existing = attributes.iter().position(|x| x.name == attribute.name);
            match (usage, existing) {
                (Use::Prohibited, Some(i)) => {
                    attributes.remove(i);
                }
                (Use::Prohibited, None) => {}
                (_, Some(i)) => {
                    if let Some(slot) = attributes.get_mut(i) {
                        *slot = attribute;
                    }
                }
                (_, None) => attributes.push(attribute),
            }
        }
        Ok(attributes)
    }

    /// The resolved base complex type of a derivation.
    fn base(&mut self, r: &Ref) -> Result<ComplexType> {
        if r.name.namespace == XS && r.name.local == "anyType" {
            // Every complex type restricts xs:anyType; as a base it adds nothing.
            return Ok(ComplexType {
                name: r.name.clone(),
                doc: None,
                location: r.location.clone(),
                base: None,
                content: Content::Empty,
                attributes: Vec::new(),
                any_attribute: None,
                group: false,
                all: false,
                is_abstract: false,
                identifier: None,
            });
        }
        if r.name.namespace == XS {
            return Err(Error::Unsupported {
                location: r.location.clone(),
                construct: format!("derivation from xs:{}", r.name.local),
                hint: "derive from a named complex type, or use a plain xs:sequence".to_owned(),
            });
        }
        match self.index.types.get(&r.name).copied() {
            None => Err(unresolved("type", r)),
            Some(RawType::Simple(_)) => Err(Error::Unexpected {
                location: r.location.clone(),
                expected: "a complex base type".to_owned(),
                found: format!("simple type `{}`", r.name),
            }),
            Some(RawType::Group(_)) => Err(Error::Unexpected {
                location: r.location.clone(),
                expected: "a complex base type".to_owned(),
                found: format!("model group `{}`", r.name),
            }),
            Some(RawType::Complex(c)) => {
                if self.visiting.contains(&c.name) {
                    return Err(Error::Unsupported {
                        location: r.location.clone(),
                        construct: "circular type derivation".to_owned(),
                        hint: format!("`{}` derives from itself", r.name),
                    });
                }
                self.complex(c)
            }
        }
    }

    /// Resolves a complex type (memoised), applying its derivation.
    fn complex(&mut self, raw: &RawComplex) -> Result<ComplexType> {
        if let Some(done) = self.done.get(&raw.name) {
            return Ok(done.clone());
        }
        self.visiting.insert(raw.name.clone());
        let result = self.derive(raw);
        self.visiting.remove(&raw.name);
        let ty = result?;
        self.done.insert(raw.name.clone(), ty.clone());
        Ok(ty)
    }

    fn derive(&mut self, raw: &RawComplex) -> Result<ComplexType> {
        let sequence = |fields: Vec<ElementField>| {
            if fields.is_empty() {
                Content::Empty
            } else {
                Content::Sequence(fields)
            }
        };
        let mut inherited_wildcard = None;
        let mut base_mixed = false;
        let (base, content, attributes) = match &raw.content {
            RawContent::Sequence(elements) => (
                None,
                sequence(self.fields(elements)?),
                self.own_attributes(raw)?,
            ),
            RawContent::SimpleExtension(b) => {
                let own = self.own_attributes(raw)?;
                let derivation = Some(derivation(DerivationKind::Extension, b));
                match self.index.types.get(&b.name) {
                    Some(RawType::Complex(_)) => {
                        let base = self.base(b)?;
                        let Content::Simple(text) = base.content else {
                            return Err(Error::Unsupported {
                                location: b.location.clone(),
                                construct: "xs:simpleContent extension of a complex type with \
                                            element content"
                                    .to_owned(),
                                hint: "extend a simple type".to_owned(),
                            });
                        };
                        inherited_wildcard = base.any_attribute.clone();
                        let mut attributes = base.attributes;
                        attributes.extend(own);
                        (derivation, Content::Simple(text), attributes)
                    }
                    _ => (derivation, Content::Simple(self.simple_ref(b)?), own),
                }
            }
            RawContent::SimpleRestriction(b) => {
                let derivation = Some(derivation(DerivationKind::Restriction, b));
                match self.index.types.get(&b.name) {
                    Some(RawType::Complex(_)) => {
                        let base = self.base(b)?;
                        let Content::Simple(text) = base.content else {
                            return Err(Error::Unsupported {
                                location: b.location.clone(),
                                construct: "xs:simpleContent restriction of a complex type \
                                            with element content"
                                    .to_owned(),
                                hint: "restrict a type with simple content".to_owned(),
                            });
                        };
                        inherited_wildcard = base.any_attribute.clone();
                        let attributes = self.restricted_attributes(base.attributes, raw)?;
                        (derivation, Content::Simple(text), attributes)
                    }
                    _ => (
                        derivation,
                        Content::Simple(self.simple_ref(b)?),
                        self.own_attributes(raw)?,
                    ),
                }
            }
            RawContent::Restriction(b, elements) => {
                let base = self.base(b)?;
                let attributes = self.restricted_attributes(base.attributes, raw)?;
                (
                    Some(derivation(DerivationKind::Restriction, b)),
                    sequence(self.fields(elements)?),
                    attributes,
                )
            }
            RawContent::Extension(b, elements) => {
                let base = self.base(b)?;
                inherited_wildcard = base.any_attribute.clone();
                base_mixed = base.content == Content::Mixed;
                let mut fields = match base.content {
                    Content::Empty | Content::Mixed => Vec::new(),
                    Content::Sequence(fields) => fields,
                    Content::Simple(_) | Content::Choice(_) => {
                        return Err(Error::Unsupported {
                            location: b.location.clone(),
                            construct: "xs:complexContent extension of a type with simple \
                                        content"
                                .to_owned(),
                            hint: "use xs:simpleContent/xs:extension".to_owned(),
                        });
                    }
                };
                fields.extend(self.fields(elements)?);
                let mut attributes = base.attributes;
                attributes.extend(self.own_attributes(raw)?);
                (
                    Some(derivation(DerivationKind::Extension, b)),
                    sequence(fields),
                    attributes,
                )
            }
        };
        let content = if raw.mixed || base_mixed {
            Content::Mixed
        } else {
            content
        };
        Ok(ComplexType {
            name: raw.name.clone(),
            doc: raw.doc.clone(),
            location: raw.location.clone(),
            base,
            content,
            attributes,
            any_attribute: self.raw_attributes(raw)?.1.or(inherited_wildcard),
            group: false,
            all: raw.all,
            is_abstract: raw.is_abstract,
            identifier: None,
        })
    }
}

fn derivation(kind: DerivationKind, base: &Ref) -> Derivation {
    Derivation {
        kind,
        base: base.name.clone(),
    }
}

/// An [`Error::Unresolved`] for reference `r`.
pub(crate) fn unresolved(kind: &'static str, r: &Ref) -> Error {
    Error::Unresolved {
        location: r.location.clone(),
        kind,
        name: r.name.clone(),
    }
}

//! Complex types (structs), simple types (enums and newtypes) and root-element newtypes.

use std::collections::BTreeMap;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::context::Ctx;
use super::identifiers::{self, Field};
use super::{doc, naming};
use crate::error::{Error, Result};
use crate::model::{
    Builtin, ComplexType, Content, DerivationKind, Element, EnumValue, Facets, SimpleKind,
    SimpleType, TypeDef, TypeRef, Wildcard,
};

/// Emits a named type.
pub fn emit_type(ctx: &Ctx<'_>, module: usize, def: &TypeDef) -> Result<TokenStream> {
    match def {
        TypeDef::Complex(c) => emit_complex(ctx, module, c),
        TypeDef::Simple(s) => match &s.kind {
            SimpleKind::Enumeration { values, .. } => emit_enum(ctx, s, values),
            SimpleKind::Restriction { base, facets } => emit_newtype(ctx, module, s, base, facets),
            SimpleKind::List { item } => emit_list(ctx, module, s, item),
            SimpleKind::Union { members } => emit_union(ctx, module, s, members),
        },
    }
}

/// The namespace most child elements have (ties: the first one seen).
pub fn common_namespace<'m>(namespaces: impl Iterator<Item = &'m str>) -> Option<&'m str> {
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, ns) in namespaces.enumerate() {
        counts.entry(ns).or_insert((0, i)).0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(ns, _)| ns)
}

/// `namespace = "..."` for a child element in `ns` when the container default is `container`.
pub fn element_namespace_arg(ns: &str, container: Option<&str>) -> Option<TokenStream> {
    match container {
        Some(c) if c == ns => None,
        None if ns.is_empty() => None,
        _ => Some(quote!(namespace = #ns)),
    }
}

/// The derive list of a struct whose fields may contain floats.
pub fn struct_derives(ctx: &Ctx<'_>, float: bool) -> TokenStream {
    let read = ctx.rt_path(quote!(xml::XmlRead));
    let write = ctx.rt_path(quote!(xml::XmlWrite));
    if float {
        quote!(#[derive(Debug, Clone, PartialEq, #read, #write)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, Eq, Hash, #read, #write)])
    }
}

/// The field type for an element with the given occurrence, and its occurrence arguments.
pub fn occurrence(
    inner: TokenStream,
    min: u32,
    max: Option<u32>,
) -> (TokenStream, Vec<TokenStream>, bool, bool) {
    match max {
        Some(1) if min == 0 => (quote!(Option<#inner>), Vec::new(), true, false),
        Some(1) => (inner, Vec::new(), false, false),
        _ => {
            let max = match max {
                Some(m) => {
                    let m = Literal::u32_unsuffixed(m);
                    quote!(max_occurs = #m)
                }
                None => quote!(max_occurs = "unbounded"),
            };
            (
                quote!(Vec<#inner>),
                vec![
                    {
                        let min = Literal::u32_unsuffixed(min);
                        quote!(min_occurs = #min)
                    },
                    max,
                ],
                false,
                true,
            )
        }
    }
}

fn emit_complex(ctx: &Ctx<'_>, module: usize, c: &ComplexType) -> Result<TokenStream> {
    let name = ctx.type_name(&c.name, &c.location)?;
    let mut args = Vec::new();
    let root = ctx
        .model
        .elements
        .iter()
        .find(|e| e.name == c.name && ctx.is_anonymous_complex(e))
        .map(|e| &e.name);
    if let Some(root) = root {
        let (local, ns) = (&root.local, &root.namespace);
        args.push(quote!(root(name = #local, namespace = #ns)));
    }
    let container = match &c.content {
        Content::Sequence(fields) | Content::Choice(fields) => common_namespace(
            fields
                .iter()
                .filter(|f| !matches!(f.ty, TypeRef::Wildcard(_) | TypeRef::Group(_)))
                .map(|f| f.name.namespace.as_str()),
        )
        .filter(|ns| !ns.is_empty()),
        _ => None,
    };
    if let Some(ns) = container {
        args.push(quote!(namespace = #ns));
    }
    if c.all {
        args.push(quote!(any_order));
    }
    if let Content::Choice(alternatives) = &c.content {
        return emit_choice(ctx, module, c, alternatives, container, args);
    }

    if ctx.is_recursive_inline(&c.name) {
        return Err(Error::Unsupported {
            location: c.location.clone(),
            construct: format!("recursive type `{}`", c.name),
            hint: "a type that contains itself through elements that occur at most once \
                   would have infinite size; only recursion through repeated elements is \
                   supported"
                .into(),
        });
    }

    let (mut attribute_idents, content_idents) = field_idents(c);
    let mut content_idents = content_idents.into_iter();
    let mut fields = Vec::new();
    let mut tokens = Vec::new();
    for a in &c.attributes {
        let (local, ns) = (&a.name.local, &a.name.namespace);
        if let Some(fixed) = &a.fixed {
            let ns_arg = (!ns.is_empty()).then(|| quote!(namespace = #ns,));
            args.push(quote!(attribute(name = #local, #ns_arg fixed = #fixed)));
            continue;
        }
        let ident = attribute_idents.remove(0);
        let inner = ctx.rust_type(module, &a.ty, &a.location)?;
        let optional = !a.required || a.default.is_some();
        let ty = if optional {
            quote!(Option<#inner>)
        } else {
            inner
        };
        let ns_arg = (!ns.is_empty()).then(|| quote!(, namespace = #ns));
        let mut d = match (&a.doc, type_doc(ctx, &a.ty)) {
            (None, Some(of_type)) => doc::schema_doc(of_type),
            _ => doc::doc_or(
                a.doc.as_deref(),
                &format!("The `{}` attribute.", a.name.local),
            ),
        };
        if let Some(default) = &a.default {
            let note = doc::doc(&format!("Defaults to `{default}` when absent."));
            d = quote!(#d #[doc = ""] #note);
        }
        tokens.push(quote! {
            #d
            #[xml(attribute = #local #ns_arg)]
            pub #ident: #ty,
        });
        fields.push(Field {
            ident,
            local: local.clone(),
            attribute: true,
            optional,
            repeated: false,
            ty: a.ty.clone(),
        });
    }
    match &c.content {
        Content::Empty | Content::Choice(_) => {}
        Content::Mixed => {
            let ident = content_idents
                .next()
                .unwrap_or_else(|| naming::ident("content"));
            let nodes = ctx.rt_path(quote!(xml::AnyNode));
            let d = doc::doc("The mixed content: text and elements, in document order.");
            tokens.push(quote! {
                #d
                #[xml(any_content)]
                pub #ident: Vec<#nodes>,
            });
        }
        Content::Simple(ty) => {
            let ident = content_idents
                .next()
                .unwrap_or_else(|| naming::ident("value"));
            let inner = ctx.rust_type(module, ty, &c.location)?;
            let d = doc::doc("Text content.");
            tokens.push(quote! {
                #d
                #[xml(text)]
                pub #ident: #inner,
            });
        }
        Content::Sequence(elements) => {
            for f in elements {
                let local = &f.name.local;
                let ident = content_idents
                    .next()
                    .unwrap_or_else(|| naming::ident(&naming::field_name(local)));
                let mut inner = ctx.rust_type(module, &f.ty, &f.location)?;
                if f.nillable {
                    let nillable = ctx.rt_path(quote!(xml::Nillable));
                    inner = quote!(#nillable<#inner>);
                }
                let (ty, mut extra, optional, repeated) =
                    occurrence(inner, f.min_occurs, f.max_occurs);
                if let TypeRef::Group(group) = &f.ty {
                    let d = doc::doc_or(f.doc.as_deref(), &group_fallback_doc(ctx, group));
                    tokens.push(quote! {
                        #d
                        #[xml(group #(, #extra)*)]
                        pub #ident: #ty,
                    });
                    continue;
                }
                if let TypeRef::Wildcard(wildcard) = &f.ty {
                    extra.splice(0..0, wildcard_args(wildcard));
                    let d = doc::doc_or(
                        f.doc.as_deref(),
                        "Elements the schema leaves open (`xs:any`), with their names.",
                    );
                    tokens.push(quote! {
                        #d
                        #[xml(any #(, #extra)*)]
                        pub #ident: #ty,
                    });
                    continue;
                }
                if let Some(ns) = element_namespace_arg(&f.name.namespace, container) {
                    extra.insert(0, ns);
                }
                let d = match (&f.doc, type_doc(ctx, &f.ty)) {
                    (None, Some(of_type)) => doc::schema_doc(of_type),
                    _ => doc::doc_or(
                        f.doc.as_deref(),
                        &format!("The `{}` element.", f.name.local),
                    ),
                };
                tokens.push(quote! {
                    #d
                    #[xml(element = #local #(, #extra)*)]
                    pub #ident: #ty,
                });
                fields.push(Field {
                    ident,
                    local: local.clone(),
                    attribute: false,
                    optional,
                    repeated,
                    ty: f.ty.clone(),
                });
            }
        }
    }

    if let Some(wildcard) = &c.any_attribute {
        let ident = content_idents
            .next()
            .unwrap_or_else(|| naming::ident("any_attributes"));
        let attribute = ctx.rt_path(quote!(xml::AnyAttribute));
        let args = wildcard_args(wildcard);
        let d = doc::doc(
            "Attributes the schema lets in besides the declared ones (`xs:anyAttribute`).",
        );
        tokens.push(quote! {
            #d
            #[xml(any_attribute #(, #args)*)]
            pub #ident: Vec<#attribute>,
        });
    }

    let identifier = match &c.identifier {
        Some(id) => Some(identifiers::plan(ctx, module, c, id, &fields)?),
        None => None,
    };
    if identifier.as_ref().is_some_and(|p| p.needs_validate()) {
        args.push(quote!(validate = Self::validate));
    }
    let impls = match &identifier {
        Some(plan) => plan.impls(ctx, &name)?,
        None => TokenStream::new(),
    };
    let float = ctx.complex_has_float(c);
    let derives = if c.group {
        group_derives(ctx, float)
    } else {
        struct_derives(ctx, float)
    };
    let xml = ctx.xml_attr(args);
    let fallback = match (&c.base, root) {
        _ if c.group => group_summary(c),
        (_, Some(root)) => format!(
            "Content of the `{}` element (namespace `{}`).",
            root.local, root.namespace
        ),
        (base, None) => {
            let users: Vec<String> = ctx
                .model
                .elements
                .iter()
                .filter(|e| e.ty == TypeRef::Named(c.name.clone()))
                .map(|e| format!("`{}`", e.name.local))
                .collect();
            let mut text = match users.as_slice() {
                [] => format!("The schema type `{}`", c.name.local),
                [one] => format!("The content of the {one} element"),
                [rest @ .., last] => {
                    format!("The content of the {} and {last} elements", rest.join(", "))
                }
            };
            if let Some(base) = base {
                let how = match base.kind {
                    DerivationKind::Restriction => "restricting",
                    DerivationKind::Extension => "extending",
                };
                text.push_str(&format!(", {how} `{}`", base.base.local));
            }
            text.push('.');
            text
        }
    };
    let mut d = match (&c.doc, root.and_then(|r| header_doc(ctx, r))) {
        (None, Some(profile)) => doc::doc(profile),
        _ => doc::doc_or(c.doc.as_deref(), &fallback),
    };
    if c.is_abstract {
        let note = doc::doc(
            "Abstract in the schema: instances carry a type derived from it; it is the base \
             of their content.",
        );
        d = quote!(#d #[doc = ""] #note);
    }
    Ok(quote! {
        #d
        #derives
        #xml
        pub struct #name {
            #(#tokens)*
        }
        #impls
    })
}

/// The derive list of a model group whose values may contain floats.
fn group_derives(ctx: &Ctx<'_>, float: bool) -> TokenStream {
    let group = ctx.rt_path(quote!(xml::XmlGroup));
    if float {
        quote!(#[derive(Debug, Clone, PartialEq, #group)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, Eq, Hash, #group)])
    }
}

/// What a model group holds, for a field or type without documentation of its own.
fn group_fallback_doc(ctx: &Ctx<'_>, group: &crate::model::QName) -> String {
    match ctx.type_def(group) {
        Some(TypeDef::Complex(c)) => group_summary(c),
        _ => format!("The elements of group `{}`.", group.local),
    }
}

/// `One of …` for a choice, `The elements … in this order` for a sequence group.
fn group_summary(c: &ComplexType) -> String {
    let name = |f: &crate::model::ElementField| match &f.ty {
        TypeRef::Wildcard(_) => "an element of another schema".to_owned(),
        TypeRef::Group(g) => format!("the elements of `{}`", g.local),
        _ => format!("`{}`", f.name.local),
    };
    match &c.content {
        Content::Choice(alternatives) => {
            let names: Vec<String> = alternatives.iter().map(name).collect();
            format!("One of {}.", names.join(", "))
        }
        Content::Sequence(fields) => {
            let names: Vec<String> = fields.iter().map(name).collect();
            format!("The elements {}, in this order.", names.join(", "))
        }
        _ => format!("Group `{}`.", c.name.local),
    }
}

/// The enum of an `xs:choice`: one variant per alternative.
fn emit_choice(
    ctx: &Ctx<'_>,
    module: usize,
    c: &ComplexType,
    alternatives: &[crate::model::ElementField],
    container: Option<&str>,
    args: Vec<TokenStream>,
) -> Result<TokenStream> {
    let name = ctx.type_name(&c.name, &c.location)?;
    let mut dedup = naming::Dedup::default();
    let mut variants = Vec::new();
    let mut names = Vec::new();
    for f in alternatives {
        let mut inner = ctx.rust_type(module, &f.ty, &f.location)?;
        if f.nillable {
            let nillable = ctx.rt_path(quote!(xml::Nillable));
            inner = quote!(#nillable<#inner>);
        }
        let (variant_name, attr, fallback) = match &f.ty {
            TypeRef::Wildcard(wildcard) => {
                let args = wildcard_args(wildcard);
                (
                    "Any".to_owned(),
                    quote!(#[xml(any #(, #args)*)]),
                    "An element the schema leaves open (`xs:any`), with its name.".to_owned(),
                )
            }
            TypeRef::Group(group) => (
                naming::type_name(&f.name.local),
                quote!(#[xml(group)]),
                group_fallback_doc(ctx, group),
            ),
            _ => {
                let local = &f.name.local;
                let ns =
                    element_namespace_arg(&f.name.namespace, container).map(|ns| quote!(, #ns));
                (
                    naming::type_name(local),
                    quote!(#[xml(element = #local #ns)]),
                    format!("The `{}` element.", f.name.local),
                )
            }
        };
        let variant_name = dedup.take(variant_name, false);
        let ident = naming::ident(&variant_name);
        names.push(variant_name);
        let d = match (&f.doc, type_doc(ctx, &f.ty)) {
            (None, Some(of_type)) => doc::schema_doc(of_type),
            _ => doc::doc_or(f.doc.as_deref(), &fallback),
        };
        variants.push(quote! {
            #d
            #attr
            #ident(#inner),
        });
    }
    let allow = naming::variants_need_allow(&name.to_string(), &names)
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let derives = group_derives(ctx, ctx.complex_has_float(c));
    let xml = ctx.xml_attr(args);
    let d = doc::doc_or(c.doc.as_deref(), &group_summary(c));
    Ok(quote! {
        #d
        #derives
        #xml
        #allow
        pub enum #name {
            #(#variants)*
        }
    })
}

/// The `other_than`/`namespaces` arguments of a wildcard field.
fn wildcard_args(wildcard: &Wildcard) -> Vec<TokenStream> {
    match wildcard {
        Wildcard::Any => Vec::new(),
        Wildcard::Not(excluded) => {
            let target = excluded
                .iter()
                .find(|n| !n.is_empty())
                .cloned()
                .unwrap_or_default();
            vec![quote!(other_than = #target)]
        }
        Wildcard::Only(allowed) => {
            let list = allowed
                .iter()
                .map(|n| if n.is_empty() { "##local" } else { n.as_str() })
                .collect::<Vec<_>>()
                .join(" ");
            vec![quote!(namespaces = #list)]
        }
    }
}

/// The Rust names of a complex type's fields, de-duplicated in declaration order: its
/// attributes that are not fixed, then its text (`value`) or its elements.
pub fn field_idents(c: &ComplexType) -> (Vec<Ident>, Vec<Ident>) {
    let mut dedup = naming::Dedup::default();
    let attributes = c
        .attributes
        .iter()
        .filter(|a| a.fixed.is_none())
        .map(|a| naming::ident(&dedup.take(naming::field_name(&a.name.local), true)))
        .collect();
    let mut content = match &c.content {
        Content::Empty => Vec::new(),
        Content::Simple(_) => vec![naming::ident(&dedup.take("value".into(), true))],
        Content::Mixed => vec![naming::ident(&dedup.take("content".into(), true))],
        Content::Choice(_) => Vec::new(),
        Content::Sequence(elements) => elements
            .iter()
            .map(|f| naming::ident(&dedup.take(naming::field_name(&f.name.local), true)))
            .collect(),
    };
    if c.any_attribute.is_some() {
        content.push(naming::ident(&dedup.take("any_attributes".into(), true)));
    }
    (attributes, content)
}

/// The Rust name of the field of element `local` of complex type `c`.
pub fn element_ident(c: &ComplexType, local: &str) -> Option<Ident> {
    let Content::Sequence(elements) = &c.content else {
        return None;
    };
    let (_, idents) = field_idents(c);
    elements
        .iter()
        .position(|f| f.name.local == local)
        .and_then(|i| idents.into_iter().nth(i))
}

fn emit_enum(ctx: &Ctx<'_>, s: &SimpleType, values: &[EnumValue]) -> Result<TokenStream> {
    let name = ctx.type_name(&s.name, &s.location)?;
    let names = naming::enum_variants(values);
    let allow = naming::variants_need_allow(&name.to_string(), &names)
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let variants = values.iter().zip(&names).map(|(v, n)| {
        let ident = naming::ident(n);
        let value = &v.value;
        let fallback = if value.is_empty() {
            "The empty value.".to_owned()
        } else {
            format!("The value `{value}`.")
        };
        let d = doc::doc_or(v.doc.as_deref(), &fallback);
        quote! {
            #d
            #[xml(value = #value)]
            #ident,
        }
    });
    let text = ctx.rt_path(quote!(xml::XmlText));
    let xml = ctx.xml_attr(Vec::new());
    let d = doc::doc_or(s.doc.as_deref(), &format!("Enumeration `{}`.", s.name));
    Ok(quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, #text)]
        #xml
        #allow
        pub enum #name {
            #(#variants)*
        }
    })
}

fn emit_newtype(
    ctx: &Ctx<'_>,
    module: usize,
    s: &SimpleType,
    base: &TypeRef,
    facets: &Facets,
) -> Result<TokenStream> {
    let name = ctx.type_name(&s.name, &s.location)?;
    let inner = ctx.rust_type(module, base, &s.location)?;
    let copy = ctx.is_copy(base).then(|| quote!(Copy,));
    let ord = if ctx.has_float(base) {
        quote!(PartialOrd,)
    } else {
        quote!(Eq, Hash, PartialOrd, Ord,)
    };
    let text = ctx.rt_path(quote!(xml::XmlText));
    // The pattern of a type that is not a string applies to its text, before parsing.
    let textual = matches!(base, TypeRef::Builtin(b) if b.is_textual());
    let mut value_facets = facets.clone();
    let text_check = if !textual && !facets.patterns.is_empty() {
        value_facets.patterns.clear();
        Some(text_pattern_check(ctx, s, &name, &facets.patterns)?)
    } else {
        None
    };
    let constructor = facet_constructor(ctx, s, base, &value_facets, &inner)?;
    let mut args = Vec::new();
    if constructor.is_some() {
        args.push(quote!(validate = Self::validate));
    }
    if text_check.is_some() {
        args.push(quote!(validate_text = Self::validate_text));
    }
    // A boolean whose patterns refuse `true`/`false` is written as `1`/`0`.
    let digit_boolean = *base == TypeRef::Builtin(Builtin::Boolean)
        && !facets.patterns.is_empty()
        && !matches_any(&facets.patterns, "true")
        && matches_any(&facets.patterns, "1")
        && matches_any(&facets.patterns, "0");
    let to_text = digit_boolean.then(|| {
        args.push(quote!(to_text = Self::digit_text));
        let d = doc::doc("The value as the schema's pattern writes it: `1` or `0`.");
        quote! {
            impl #name {
                #d
                pub fn digit_text(&self) -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(if self.0 { "1" } else { "0" })
                }
            }
        }
    });
    let xml = ctx.xml_attr(args);
    let mut d = doc::doc_or(s.doc.as_deref(), &format!("Simple type `{}`.", s.name));
    if constructor.is_some() {
        let note = doc::doc(&format!(
            "The facets of the schema type are checked when the value is read from XML or \
             parsed, and by [`{name}::new`]; a value built directly is not checked."
        ));
        d = quote!(#d #[doc = ""] #note);
    }
    Ok(quote! {
        #d
        #[derive(Debug, Clone, #copy PartialEq, #ord #text)]
        #xml
        pub struct #name(pub #inner);
        #constructor
        #text_check
        #to_text
    })
}

/// A newtype over `xsd::List` of the item type.
fn emit_list(ctx: &Ctx<'_>, module: usize, s: &SimpleType, item: &TypeRef) -> Result<TokenStream> {
    let name = ctx.type_name(&s.name, &s.location)?;
    let inner = ctx.rust_type(module, item, &s.location)?;
    let list = ctx.rt_path(quote!(xsd::List));
    let ord = if ctx.has_float(item) {
        quote!(PartialOrd,)
    } else {
        quote!(Eq, Hash, PartialOrd, Ord,)
    };
    let text = ctx.rt_path(quote!(xml::XmlText));
    let xml = ctx.xml_attr(Vec::new());
    let d = doc::doc_or(
        s.doc.as_deref(),
        &format!("A whitespace-separated list (`{}`).", s.name),
    );
    Ok(quote! {
        #d
        #[derive(Debug, Clone, PartialEq, #ord #text)]
        #xml
        pub struct #name(pub #list<#inner>);
    })
}

/// An enum with one variant per member type of an `xs:union`, read by trying each in order.
fn emit_union(
    ctx: &Ctx<'_>,
    module: usize,
    s: &SimpleType,
    members: &[TypeRef],
) -> Result<TokenStream> {
    let name = ctx.type_name(&s.name, &s.location)?;
    let mut dedup = naming::Dedup::default();
    let mut variants = Vec::new();
    let mut float = false;
    let mut copy = true;
    for member in members {
        float |= ctx.has_float(member);
        copy &= ctx.is_copy(member);
        let inner = ctx.rust_type(module, member, &s.location)?;
        let (variant, what) = match member {
            TypeRef::Builtin(_) => {
                let text = inner.to_string();
                let last = text.rsplit("::").next().unwrap_or(&text).trim().to_owned();
                (naming::type_name(&last), format!("A `{last}` value."))
            }
            TypeRef::Named(q) => {
                let rust = ctx.type_name(q, &s.location)?.to_string();
                (rust, format!("A value of `{}`.", q))
            }
            _ => ("Value".to_owned(), "A value.".to_owned()),
        };
        let ident = naming::ident(&dedup.take(variant, false));
        let d = match type_doc(ctx, member) {
            Some(of_type) => doc::schema_doc(of_type),
            None => doc::doc(&what),
        };
        variants.push(quote! {
            #d
            #ident(#inner),
        });
    }
    let copy = copy.then(|| quote!(Copy,));
    let ord = if float {
        quote!(PartialOrd,)
    } else {
        quote!(Eq, Hash, PartialOrd, Ord,)
    };
    let text = ctx.rt_path(quote!(xml::XmlText));
    let xml = ctx.xml_attr(Vec::new());
    let d = doc::doc_or(
        s.doc.as_deref(),
        &format!(
            "A value of one of the member types of `{}`, tried in order.",
            s.name
        ),
    );
    Ok(quote! {
        #d
        #[derive(Debug, Clone, #copy PartialEq, #ord #text)]
        #xml
        pub enum #name {
            #(#variants)*
        }
    })
}

/// Whether `text` matches one of `patterns`.
fn matches_any(patterns: &[String], text: &str) -> bool {
    patterns.iter().any(|p| {
        xroad_codec::xsd::translate(p)
            .ok()
            .and_then(|r| regex::Regex::new(&r).ok())
            .is_some_and(|r| r.is_match(text))
    })
}

/// `impl Name { pub fn validate_text(..) }`: the patterns of a type that is not a string,
/// checked on its text (whitespace trimmed) before it is parsed.
fn text_pattern_check(
    ctx: &Ctx<'_>,
    s: &SimpleType,
    name: &Ident,
    patterns: &[String],
) -> Result<TokenStream> {
    for pattern in patterns {
        ctx.check_pattern(pattern, &s.location)?;
    }
    let pattern = ctx.rt_path(quote!(xsd::Pattern));
    let error = ctx.rt_path(quote!(xml::TextError));
    let count = Literal::usize_unsuffixed(patterns.len());
    let message = if patterns.len() == 1 {
        format!("does not match the pattern `{}`", patterns[0])
    } else {
        format!("matches none of the patterns `{}`", patterns.join("`, `"))
    };
    let d = doc::doc("Checks the text of a value against the patterns of the schema type.");
    Ok(quote! {
        impl #name {
            #d
            pub fn validate_text(text: &str) -> Result<(), #error> {
                static PATTERNS: [#pattern; #count] = [#(#pattern::new(#patterns)),*];
                let text = text.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r'));
                if !PATTERNS.iter().any(|pattern| pattern.is_match(text)) {
                    return Err(#error::new(#message));
                }
                Ok(())
            }
        }
    })
}

/// `impl Name { pub fn new(..) }` checking the facets, or `None` when there are none to check.
fn facet_constructor(
    ctx: &Ctx<'_>,
    s: &SimpleType,
    base: &TypeRef,
    facets: &Facets,
    inner: &TokenStream,
) -> Result<Option<TokenStream>> {
    if *facets == Facets::default() {
        return Ok(None);
    }
    let unsupported = |what: &str| Error::Unsupported {
        location: s.location.clone(),
        construct: format!("facet on a restriction of {what}"),
        hint: "supported are length facets on strings, binary and list types, patterns on \
               strings, and bounds on integers and floating-point numbers"
            .into(),
    };
    let TypeRef::Builtin(b) = base else {
        return Err(unsupported("a non-built-in type"));
    };
    let error = ctx.rt_path(quote!(xml::TextError));
    let mut checks = Vec::new();
    if facets.length.is_some() || facets.min_length.is_some() || facets.max_length.is_some() {
        let length = match b {
            b if b.is_textual() => quote!(value.chars().count()),
            Builtin::Base64Binary | Builtin::NmTokens | Builtin::IdRefs | Builtin::Entities => {
                quote!(value.len())
            }
            Builtin::HexBinary => quote!(value.0.len()),
            _ => return Err(unsupported("a type without length")),
        };
        if let Some(exact) = facets.length {
            let lit = Literal::u64_unsuffixed(exact);
            let message = format!("not of the length {exact}");
            checks.push(quote! {
                if #length != #lit {
                    return Err(#error::new(#message));
                }
            });
        }
        if let Some(min) = facets.min_length.filter(|m| *m > 0) {
            let lit = Literal::u64_unsuffixed(min);
            let cond = if min == 1 && *b != Builtin::HexBinary {
                quote!(value.is_empty())
            } else {
                quote!(#length < #lit)
            };
            let message = format!("shorter than the minimum length {min}");
            checks.push(quote! {
                if #cond {
                    return Err(#error::new(#message));
                }
            });
        }
        if let Some(max) = facets.max_length {
            let lit = Literal::u64_unsuffixed(max);
            let cond = if max == 0 && *b != Builtin::HexBinary {
                quote!(!value.is_empty())
            } else {
                quote!(#length > #lit)
            };
            let message = format!("longer than the maximum length {max}");
            checks.push(quote! {
                if #cond {
                    return Err(#error::new(#message));
                }
            });
        }
    }
    if !facets.patterns.is_empty() {
        if !b.is_textual() {
            return Err(unsupported("a non-string type"));
        }
        for pattern in &facets.patterns {
            ctx.check_pattern(pattern, &s.location)?;
        }
        let pattern = ctx.rt_path(quote!(xsd::Pattern));
        let count = Literal::usize_unsuffixed(facets.patterns.len());
        let sources = &facets.patterns;
        let message = if sources.len() == 1 {
            format!("does not match the pattern `{}`", sources[0])
        } else {
            format!("matches none of the patterns `{}`", sources.join("`, `"))
        };
        checks.push(quote! {
            static PATTERNS: [#pattern; #count] = [#(#pattern::new(#sources)),*];
            if !PATTERNS.iter().any(|pattern| pattern.is_match(value.as_str())) {
                return Err(#error::new(#message));
            }
        });
    }
    for (bound, less, inclusive) in [
        (&facets.min_inclusive, true, true),
        (&facets.max_inclusive, false, true),
        (&facets.min_exclusive, true, false),
        (&facets.max_exclusive, false, false),
    ] {
        let Some(bound) = bound else { continue };
        // An inclusive bound at the type's own limit always holds; an exclusive one never
        // does at that limit, so it is always checked.
        let skip_at_limit = if inclusive { less } else { !less };
        let Some(lit) =
            bound_literal(*b, bound.trim(), skip_at_limit).map_err(|hint| Error::Unsupported {
                location: s.location.clone(),
                construct: format!("bound `{bound}`"),
                hint,
            })?
        else {
            continue;
        };
        let (op, what) = match (less, inclusive) {
            (true, true) => (quote!(<), "less than the minimum"),
            (false, true) => (quote!(>), "greater than the maximum"),
            (true, false) => (quote!(<=), "not greater than the exclusive minimum"),
            (false, false) => (quote!(>=), "not less than the exclusive maximum"),
        };
        let message = format!("{{value}} is {what} {bound}");
        checks.push(quote! {
            if *value #op #lit {
                return Err(#error::new(format!(#message)));
            }
        });
    }
    if checks.is_empty() {
        return Ok(None);
    }
    let new_doc = doc::doc("Wraps `value` after checking the facets of the schema type.");
    let validate_doc = doc::doc("Checks the facets of the schema type.");
    let name = ctx.type_name(&s.name, &s.location)?;
    Ok(Some(quote! {
        impl #name {
            #new_doc
            pub fn new(value: #inner) -> Result<Self, #error> {
                let wrapped = Self(value);
                wrapped.validate()?;
                Ok(wrapped)
            }

            #validate_doc
            pub fn validate(&self) -> Result<(), #error> {
                let value = &self.0;
                #(#checks)*
                Ok(())
            }
        }
    }))
}

/// The literal of an inclusive bound in the type of `b`, or `None` when the bound is the
/// type's own limit (the check would always pass).
fn bound_literal(
    b: Builtin,
    text: &str,
    lower: bool,
) -> std::result::Result<Option<TokenStream>, String> {
    let range: Option<(i128, i128)> = match b {
        Builtin::Long => Some((i64::MIN.into(), i64::MAX.into())),
        Builtin::Int => Some((i32::MIN.into(), i32::MAX.into())),
        Builtin::Short => Some((i16::MIN.into(), i16::MAX.into())),
        Builtin::Byte => Some((i8::MIN.into(), i8::MAX.into())),
        Builtin::UnsignedLong => Some((0, u64::MAX.into())),
        Builtin::UnsignedInt => Some((0, u32::MAX.into())),
        Builtin::UnsignedShort => Some((0, u16::MAX.into())),
        Builtin::UnsignedByte => Some((0, u8::MAX.into())),
        Builtin::Double | Builtin::Float => None,
        _ => return Err("inclusive bounds are only supported on numbers".into()),
    };
    match range {
        Some((min, max)) => {
            let v: i128 = text
                .trim_start_matches('+')
                .parse()
                .map_err(|_| format!("`{text}` is not an integer"))?;
            if v < min || v > max {
                return Err(format!("`{text}` is out of the range of the Rust type"));
            }
            if (lower && v == min) || (!lower && v == max) {
                return Ok(None);
            }
            let lit = Literal::u128_unsuffixed(v.unsigned_abs());
            Ok(Some(if v < 0 { quote!(-#lit) } else { quote!(#lit) }))
        }
        None => {
            let v: f64 = text
                .parse()
                .map_err(|_| format!("`{text}` is not a number"))?;
            if !v.is_finite() || (b == Builtin::Float && v.abs() > f64::from(f32::MAX)) {
                return Err(format!("`{text}` is not a finite number of the Rust type"));
            }
            let lit = Literal::f64_unsuffixed(v.abs());
            Ok(Some(if v < 0.0 { quote!(-#lit) } else { quote!(#lit) }))
        }
    }
}

/// Emits the newtype of a root element (nothing for an element with an anonymous complex
/// type: that struct is the root itself).
pub fn emit_element(ctx: &Ctx<'_>, module: usize, e: &Element) -> Result<TokenStream> {
    let Some(name) = ctx.element_name(&e.name) else {
        return Ok(TokenStream::new());
    };
    let inner = ctx.rust_type(module, &e.ty, &e.location)?;
    let derives = struct_derives(ctx, ctx.has_float(&e.ty));
    let (local, ns) = (&e.name.local, &e.name.namespace);
    let xml = ctx.xml_attr(vec![quote!(root(name = #local, namespace = #ns))]);
    let d = match (&e.doc, header_doc(ctx, &e.name)) {
        (None, Some(profile)) => doc::doc(profile),
        _ => doc::doc_or(e.doc.as_deref(), &element_fallback(ctx, e)),
    };
    Ok(quote! {
        #d
        #derives
        #xml
        pub struct #name(pub #inner);
    })
}

/// What a root element is, when the schema does not document it: the request or response
/// body of the operations that use it, else the element.
fn element_fallback(ctx: &Ctx<'_>, e: &Element) -> String {
    let (local, ns) = (&e.name.local, &e.name.namespace);
    let uses: Vec<String> = ctx
        .model
        .services
        .iter()
        .flat_map(|s| &s.operations)
        .filter_map(|op| {
            let what = if op.input == e.name {
                "request"
            } else if op.output == e.name {
                "response"
            } else {
                return None;
            };
            Some(format!("The {what} body of the `{}` operation", op.name))
        })
        .collect();
    match uses.as_slice() {
        [one] => format!("{one} (element `{local}`, namespace `{ns}`)."),
        _ => format!("The `{local}` element (namespace `{ns}`)."),
    }
}

/// The profile's documentation of a header element, for the element's own type.
fn header_doc<'m>(ctx: &Ctx<'m>, element: &crate::model::QName) -> Option<&'m str> {
    ctx.model
        .services
        .iter()
        .filter_map(|s| s.header.as_ref())
        .flat_map(|h| &h.parts)
        .find(|p| p.element == *element)
        .and_then(|p| p.profile_doc.as_deref())
}

/// The documentation of a named type, which a field of that type without documentation of
/// its own takes.
fn type_doc<'m>(ctx: &Ctx<'m>, ty: &TypeRef) -> Option<&'m str> {
    let TypeRef::Named(name) = ty else {
        return None;
    };
    match ctx.type_def(name)? {
        TypeDef::Complex(c) => c.doc.as_deref(),
        TypeDef::Simple(s) => s.doc.as_deref(),
    }
    .filter(|d| !d.trim().is_empty())
}

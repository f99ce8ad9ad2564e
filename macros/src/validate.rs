//! Checks between attributes and the shape of the type, producing the model the expansions use.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, Ident, Path, PathArguments, Type};

use crate::attr::{self, Errors, Sp};

/// `::xroad_codec`, or the path given by `crate = "..."`.
pub fn crate_path(krate: Option<Sp<Path>>) -> Path {
    krate.map_or_else(|| syn::parse_quote!(::xroad_codec), |k| k.value)
}

/// A struct deriving `XmlRead`/`XmlWrite`.
pub struct XmlStruct<'a> {
    pub krate: Path,
    /// `(namespace, name)` of `root(..)`.
    pub root: Option<(String, String)>,
    pub fixed: Vec<Fixed>,
    pub validate: Option<Path>,
    /// `any_order`: the child elements are read in any order, each at most once.
    pub any_order: bool,
    pub body: Body<'a>,
}

/// A fixed attribute without a field.
pub struct Fixed {
    pub namespace: String,
    pub local: String,
    pub value: String,
    pub span: Span,
}

/// The content model.
pub enum Body<'a> {
    Named {
        attributes: Vec<AttributeField<'a>>,
        elements: Vec<ElementField<'a>>,
        text: Option<&'a Ident>,
        /// The field of the attributes a wildcard matches.
        any_attribute: Option<(&'a Ident, WildcardSpec)>,
        /// The field of the whole content as open content.
        content: Option<&'a Ident>,
    },
    /// A tuple struct with one field of this type.
    Newtype(&'a Type),
}

/// A field read from an attribute.
pub struct AttributeField<'a> {
    pub index: usize,
    pub member: &'a Ident,
    pub ty: &'a Type,
    pub namespace: String,
    pub local: String,
    pub optional: bool,
}

/// A field read from child elements.
pub struct ElementField<'a> {
    pub index: usize,
    pub member: &'a Ident,
    pub ty: &'a Type,
    pub namespace: String,
    pub local: String,
    pub occurs: Occurs,
    /// For `any`: the namespaces the wildcard matches (then `namespace` and `local` are
    /// empty).
    pub wildcard: Option<WildcardSpec>,
    /// For `group`: the field is a model group (`XmlGroup`), not an element.
    pub group: bool,
}

/// The namespace constraint of a wildcard field.
#[derive(Clone)]
pub enum WildcardSpec {
    /// Any namespace.
    Any,
    /// Any but these.
    Not(Vec<String>),
    /// Only these.
    Only(Vec<String>),
}

impl WildcardSpec {
    /// From `other_than` and `namespaces`; `##local` in a list is no namespace.
    pub fn new(f: &attr::XmlField, errors: &mut Errors) -> Self {
        match (&f.other_than, &f.namespaces) {
            (Some(other), Some(list)) => {
                errors.at(
                    list.span,
                    "`namespaces` and `other_than` exclude each other",
                );
                Self::Not(vec![other.value.clone(), String::new()])
            }
            (Some(other), None) => Self::Not(vec![other.value.clone(), String::new()]),
            (None, Some(list)) => Self::Only(
                list.value
                    .split_whitespace()
                    .map(|n| {
                        if n == "##local" {
                            String::new()
                        } else {
                            n.to_owned()
                        }
                    })
                    .collect(),
            ),
            (None, None) => Self::Any,
        }
    }
}

/// How often an element occurs.
#[derive(Clone, Copy)]
pub enum Occurs {
    Required,
    Optional,
    Repeated { min: u32, max: Option<u32> },
}

/// `{namespace}local`, or `local` without a namespace: how names appear in error messages.
pub fn qualified(namespace: &str, local: &str) -> String {
    if namespace.is_empty() {
        local.to_owned()
    } else {
        format!("{{{namespace}}}{local}")
    }
}

/// The type argument of `Option<T>` / `Vec<T>` (by last path segment).
fn generic_arg<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let Type::Path(path) = ty else { return None };
    if path.qself.is_some() {
        return None;
    }
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.iter().collect::<Vec<_>>().as_slice() {
        [GenericArgument::Type(inner)] => Some(inner),
        _ => None,
    }
}

/// The element type of `Option<T>` or `Vec<T>`, else the type itself.
pub fn inner_type(ty: &Type) -> &Type {
    generic_arg(ty, "Option")
        .or_else(|| generic_arg(ty, "Vec"))
        .unwrap_or(ty)
}

fn is_option(ty: &Type) -> bool {
    generic_arg(ty, "Option").is_some()
}

fn is_vec(ty: &Type) -> bool {
    generic_arg(ty, "Vec").is_some()
}

fn is_bytes(ty: &Type) -> bool {
    matches!(generic_arg(ty, "Vec"), Some(Type::Path(p)) if p.qself.is_none() && p.path.is_ident("u8"))
}

fn check_name(errors: &mut Errors, span: Span, what: &str, name: &str) {
    if name.is_empty() {
        errors.at(span, format_args!("{what} must not be empty"));
    } else if name.contains(':') || name.chars().any(char::is_whitespace) {
        errors.at(
            span,
            format_args!("{what} `{name}` must be a local name (no prefix, no whitespace)"),
        );
    }
}

/// Checks a struct for `XmlRead`/`XmlWrite`; `derive` names the derive for messages.
pub fn xml_struct<'a>(input: &'a DeriveInput, derive: &str) -> syn::Result<XmlStruct<'a>> {
    let mut errors = Errors::default();
    let c = attr::xml_container(&input.attrs, &mut errors);
    let data = match &input.data {
        Data::Struct(data) => data,
        Data::Enum(data) => {
            errors.at(
                data.enum_token.span,
                format_args!("`{derive}` cannot be derived for an enum; derive `XmlText` for an enumeration of values"),
            );
            return Err(errors.finish().unwrap_err());
        }
        Data::Union(data) => {
            errors.at(
                data.union_token.span,
                format_args!("`{derive}` cannot be derived for a union"),
            );
            return Err(errors.finish().unwrap_err());
        }
    };

    let root = c.root.map(|root| {
        let name = root.value.name.unwrap_or_else(|| {
            errors.at(root.span, "`root` needs `name = \"...\"`");
            String::new()
        });
        check_name(&mut errors, root.span, "root element name", &name);
        let namespace = root
            .value
            .namespace
            .or_else(|| c.namespace.as_ref().map(|ns| ns.value.clone()))
            .unwrap_or_default();
        (namespace, name)
    });
    let mut fixed = Vec::new();
    for a in c.attributes {
        let local = a.value.name.unwrap_or_else(|| {
            errors.at(a.span, "`attribute(..)` needs `name = \"...\"`");
            String::new()
        });
        check_name(&mut errors, a.span, "attribute name", &local);
        let value = a.value.fixed.unwrap_or_else(|| {
            errors.at(
                a.span,
                "`attribute(..)` needs `fixed = \"...\"` (attributes with a value are fields)",
            );
            String::new()
        });
        fixed.push(Fixed {
            namespace: a.value.namespace,
            local,
            value,
            span: a.span,
        });
    }
    // Attributes are matched by name: two with the same name would make one unreachable.
    let mut attribute_names: Vec<(String, String)> = fixed
        .iter()
        .map(|f| (f.namespace.clone(), f.local.clone()))
        .collect();

    let body = match &data.fields {
        Fields::Named(fields) => {
            let mut attributes = Vec::new();
            let mut elements = Vec::new();
            let mut text: Option<(&Ident, Span)> = None;
            let mut any_attribute: Option<(&Ident, WildcardSpec)> = None;
            let mut content: Option<(&Ident, Span)> = None;
            for (index, field) in fields.named.iter().enumerate() {
                let member = field.ident.as_ref().expect("named field");
                let ty = &field.ty;
                let f = attr::xml_field(&field.attrs, &mut errors);
                let kinds = [
                    f.element.as_ref().map(|s| s.span),
                    f.attribute.as_ref().map(|s| s.span),
                    f.text.as_ref().map(|s| s.span),
                    f.wildcard.as_ref().map(|s| s.span),
                    f.any_attribute.as_ref().map(|s| s.span),
                    f.any_content.as_ref().map(|s| s.span),
                    f.group.as_ref().map(|s| s.span),
                ];
                let count = kinds.iter().flatten().count();
                if count == 0 {
                    errors.at(
                        member.span(),
                        format_args!(
                            "field `{member}` needs `#[xml(element = \"...\")]`, `#[xml(attribute = \"...\")]`, `#[xml(text)]`, `#[xml(any)]`, `#[xml(any_attribute)]`, `#[xml(any_content)]` or `#[xml(group)]`"
                        ),
                    );
                    continue;
                }
                if count > 1 {
                    let span = kinds
                        .iter()
                        .flatten()
                        .nth(1)
                        .copied()
                        .unwrap_or_else(|| member.span());
                    errors.at(
                        span,
                        "a field is exactly one of `element`, `attribute`, `text`, `any`, `any_attribute`, `any_content` or `group`",
                    );
                    continue;
                }
                if f.wildcard.is_none() && f.any_attribute.is_none() {
                    for spec in [&f.other_than, &f.namespaces].into_iter().flatten() {
                        errors.at(spec.span, "`other_than` and `namespaces` apply to `any` and `any_attribute` fields");
                    }
                }
                if let Some(w) = &f.wildcard {
                    if let Some(ns) = &f.namespace {
                        errors.at(
                            ns.span,
                            "an `any` field takes `other_than` or `namespaces`, not `namespace`",
                        );
                    }
                    let wildcard = WildcardSpec::new(&f, &mut errors);
                    let occurs = element_occurs(&mut errors, &f, ty);
                    let _ = w;
                    elements.push(ElementField {
                        index,
                        member,
                        ty,
                        namespace: String::new(),
                        local: String::new(),
                        occurs,
                        wildcard: Some(wildcard),
                        group: false,
                    });
                    continue;
                }
                if f.group.is_some() {
                    if let Some(ns) = &f.namespace {
                        errors.at(
                            ns.span,
                            "a `group` field takes no `namespace`: its particles name theirs",
                        );
                    }
                    let occurs = element_occurs(&mut errors, &f, ty);
                    elements.push(ElementField {
                        index,
                        member,
                        ty,
                        namespace: String::new(),
                        local: String::new(),
                        occurs,
                        wildcard: None,
                        group: true,
                    });
                    continue;
                }
                if let Some(a) = &f.any_attribute {
                    if any_attribute.is_some() {
                        errors.at(a.span, "only one field can be `any_attribute`");
                    }
                    any_attribute = Some((member, WildcardSpec::new(&f, &mut errors)));
                    continue;
                }
                if let Some(c) = &f.any_content {
                    if content.is_some() {
                        errors.at(c.span, "only one field can be `any_content`");
                    }
                    content = Some((member, c.span));
                    continue;
                }
                if let Some(element) = &f.element {
                    check_name(&mut errors, element.span, "element name", &element.value);
                    let namespace = f
                        .namespace
                        .as_ref()
                        .map(|ns| ns.value.clone())
                        .or_else(|| c.namespace.as_ref().map(|ns| ns.value.clone()))
                        .unwrap_or_default();
                    let occurs = element_occurs(&mut errors, &f, ty);
                    elements.push(ElementField {
                        index,
                        member,
                        ty,
                        namespace,
                        local: element.value.clone(),
                        occurs,
                        wildcard: None,
                        group: false,
                    });
                    continue;
                }
                for occurs in [
                    f.min_occurs.as_ref().map(|s| s.span),
                    f.max_occurs.as_ref().map(|s| s.span),
                ]
                .into_iter()
                .flatten()
                {
                    errors.at(
                        occurs,
                        "`min_occurs` and `max_occurs` apply to `element` fields only",
                    );
                }
                if let Some(attribute) = &f.attribute {
                    check_name(
                        &mut errors,
                        attribute.span,
                        "attribute name",
                        &attribute.value,
                    );
                    let namespace = f
                        .namespace
                        .as_ref()
                        .map(|ns| ns.value.clone())
                        .unwrap_or_default();
                    let name = (namespace.clone(), attribute.value.clone());
                    if attribute_names.contains(&name) {
                        errors.at(
                            attribute.span,
                            format_args!("duplicate attribute `{}`", qualified(&name.0, &name.1)),
                        );
                    }
                    attribute_names.push(name);
                    attributes.push(AttributeField {
                        index,
                        member,
                        ty,
                        namespace,
                        local: attribute.value.clone(),
                        optional: is_option(ty),
                    });
                } else if let Some(t) = &f.text {
                    if let Some(ns) = &f.namespace {
                        errors.at(ns.span, "`namespace` does not apply to a `text` field");
                    }
                    if is_option(ty) {
                        errors.at(ty.span(), "a `text` field cannot be an `Option`; use a type whose text may be empty, such as `String`");
                    }
                    if text.is_some() {
                        errors.at(t.span, "only one field can be `text`");
                    } else {
                        text = Some((member, t.span));
                    }
                }
            }
            if let Some(any_order) = &c.any_order {
                if let Some((_, span)) = text {
                    errors.at(
                        span,
                        "`any_order` orders child elements; a `text` field (simple content) has none",
                    );
                }
                for field in &elements {
                    if field.wildcard.is_some() || field.group {
                        errors.at(
                            field.ty.span(),
                            "`any_order` matches child elements by name; a wildcard (`any`) or a `group` needs the in-order reading",
                        );
                    }
                    if let Occurs::Repeated { .. } = field.occurs {
                        errors.at(
                            field.ty.span(),
                            "`any_order` reads each child element at most once; a repeated element needs the in-order reading (leave out `any_order`)",
                        );
                    }
                }
                if elements.is_empty() {
                    errors.at(any_order.span, "`any_order` needs element fields");
                }
                for (i, field) in elements.iter().enumerate() {
                    if elements[..i]
                        .iter()
                        .any(|e| e.namespace == field.namespace && e.local == field.local)
                    {
                        errors.at(
                            field.member.span(),
                            format_args!(
                                "duplicate element `{}`: with `any_order` each element names one field",
                                qualified(&field.namespace, &field.local)
                            ),
                        );
                    }
                }
            }
            if let (Some((_, span)), Some(first)) = (text, elements.first()) {
                errors.at(
                    span,
                    format_args!(
                        "a `text` field (simple content) cannot be combined with element fields such as `{}`",
                        first.member
                    ),
                );
            }
            if let Some((_, span)) = content {
                if text.is_some() || !elements.is_empty() {
                    errors.at(
                        span,
                        "an `any_content` field holds the whole content: no `text`, `element` or `any` field goes with it",
                    );
                }
                if let Some(any_order) = &c.any_order {
                    errors.at(
                        any_order.span,
                        "`any_order` does not apply to `any_content`",
                    );
                }
            }
            Body::Named {
                attributes,
                elements,
                text: text.map(|(member, _)| member),
                any_attribute,
                content: content.map(|(member, _)| member),
            }
        }
        Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
            let field = &fields.unnamed[0];
            let f = attr::xml_field(&field.attrs, &mut errors);
            if let Some(span) = f.any {
                errors.at(span, "the field of a newtype takes no `xml` attributes: its content is the inner type's");
            }
            if let Some(ns) = &c.namespace {
                errors.at(
                    ns.span,
                    "`namespace` does not apply to a newtype; the inner type's namespace is used",
                );
            }
            for a in &fixed {
                errors.at(a.span, "`attribute(..)` does not apply to a newtype");
            }
            if let Some(any_order) = &c.any_order {
                errors.at(
                    any_order.span,
                    "`any_order` does not apply to a newtype; put it on the inner type",
                );
            }
            Body::Newtype(&field.ty)
        }
        Fields::Unnamed(fields) => {
            errors.at(
                fields.span(),
                format_args!(
                    "`{derive}` needs named fields or a single-field tuple struct (newtype)"
                ),
            );
            return Err(errors.finish().unwrap_err());
        }
        Fields::Unit => {
            errors.at(
                input.ident.span(),
                format_args!("`{derive}` cannot be derived for a unit struct; use a struct with no fields (`{{}}`) for an empty element"),
            );
            return Err(errors.finish().unwrap_err());
        }
    };
    errors.finish()?;
    Ok(XmlStruct {
        krate: crate_path(c.krate),
        root,
        fixed,
        validate: c.validate.map(|v| v.value),
        any_order: c.any_order.is_some(),
        body,
    })
}

fn element_occurs(errors: &mut Errors, f: &attr::XmlField, ty: &Type) -> Occurs {
    let min = f.min_occurs.as_ref();
    let max = f.max_occurs.as_ref();
    if is_vec(ty) && (min.is_some() || max.is_some()) {
        let min_value = min.map_or(1, |m| m.value);
        let max_value = max.and_then(|m| m.value);
        if let (Some(max_value), Some(max)) = (max_value, max) {
            if max_value == 0 {
                errors.at(max.span, "`max_occurs` must be at least 1");
            } else if max_value < min_value {
                errors.at(
                    max.span,
                    format_args!(
                        "`max_occurs` ({max_value}) is less than `min_occurs` ({min_value})"
                    ),
                );
            }
        }
        return Occurs::Repeated {
            min: min_value,
            max: max_value,
        };
    }
    if let Some(max) = max {
        errors.at(
            max.span,
            "`max_occurs` needs a `Vec<T>` field (a repeated element)",
        );
    }
    if is_option(ty) {
        if let Some(min) = min.filter(|m| m.value != 0) {
            errors.at(
                min.span,
                "an `Option` field is an optional element: `min_occurs` must be 0 (or left out)",
            );
        }
        return Occurs::Optional;
    }
    if let Some(min) = min {
        if min.value == 0 {
            errors.at(
                min.span,
                "`min_occurs = 0` needs an `Option<T>` or `Vec<T>` field",
            );
        } else if min.value > 1 {
            errors.at(
                min.span,
                "`min_occurs` greater than 1 needs a `Vec<T>` field with `max_occurs`",
            );
        }
    }
    if is_vec(ty) && !is_bytes(ty) {
        errors.at(
            ty.span(),
            "a `Vec<T>` element field needs `max_occurs` (and `min_occurs`) to be a repeated element; only `Vec<u8>` (base64) is a single value",
        );
    }
    Occurs::Required
}

/// A fieldless enum deriving `XmlText`.
pub struct TextEnum<'a> {
    pub krate: Path,
    /// Variant and its literal.
    pub variants: Vec<(&'a Ident, String)>,
}

/// A newtype deriving `XmlText`.
pub struct TextNewtype<'a> {
    pub krate: Path,
    pub ty: &'a Type,
    /// `validate = path`: called with the parsed value before `from_text` returns it.
    pub validate: Option<Path>,
    /// `validate_text = path`: called with the text before it is parsed.
    pub validate_text: Option<Path>,
    /// `to_text = path`: the text written instead of the inner type's.
    pub to_text: Option<Path>,
}

/// An enum whose variants each hold one value deriving `XmlText`: a union of types.
pub struct TextUnion<'a> {
    pub krate: Path,
    /// Variant and the type of its value, in the order they are tried.
    pub variants: Vec<(&'a Ident, &'a Type)>,
}

/// What `XmlText` is derived for.
pub enum TextInput<'a> {
    Enum(TextEnum<'a>),
    Newtype(TextNewtype<'a>),
    Union(TextUnion<'a>),
}

/// Checks a type for `XmlText`.
pub fn xml_text(input: &DeriveInput) -> syn::Result<TextInput<'_>> {
    let mut errors = Errors::default();
    let c = attr::xml_container(&input.attrs, &mut errors);
    let not_here = "does not apply to `XmlText`; only `crate` (and `validate` on newtypes) is \
                    allowed on the type";
    if let Some(ns) = &c.namespace {
        errors.at(ns.span, format_args!("`namespace` {not_here}"));
    }
    if let Some(root) = &c.root {
        errors.at(root.span, format_args!("`root` {not_here}"));
    }
    for a in &c.attributes {
        errors.at(a.span, format_args!("`attribute` {not_here}"));
    }
    if let Some(any_order) = &c.any_order {
        errors.at(any_order.span, format_args!("`any_order` {not_here}"));
    }
    if let (Some(v), Data::Enum(_)) = (&c.validate, &input.data) {
        errors.at(v.span, format_args!("`validate` {not_here}"));
    }
    let validate = c.validate.map(|v| v.value);
    let validate_text = c.validate_text.map(|v| v.value);
    let to_text = c.to_text.map(|v| v.value);
    let krate = crate_path(c.krate);
    let result = match &input.data {
        Data::Enum(data)
            if !data.variants.is_empty()
                && data
                    .variants
                    .iter()
                    .all(|v| matches!(&v.fields, Fields::Unnamed(f) if f.unnamed.len() == 1)) =>
        {
            let mut variants = Vec::new();
            for variant in &data.variants {
                let v = attr::xml_variant(&variant.attrs, &mut errors);
                if let Some(value) = v.value {
                    errors.at(value.span, "a variant that holds a value takes no `value`");
                }
                if let Fields::Unnamed(fields) = &variant.fields {
                    variants.push((&variant.ident, &fields.unnamed[0].ty));
                }
            }
            TextInput::Union(TextUnion { krate, variants })
        }
        Data::Enum(data) => {
            let mut variants: Vec<(&Ident, String)> = Vec::new();
            if data.variants.is_empty() {
                errors.at(input.ident.span(), "`XmlText` needs at least one variant");
            }
            for variant in &data.variants {
                let v = attr::xml_variant(&variant.attrs, &mut errors);
                if !matches!(variant.fields, Fields::Unit) {
                    errors.at(
                        variant.fields.span(),
                        "`XmlText` enums are fieldless (values), or each variant holds one value (a union)",
                    );
                }
                match v.value {
                    Some(value) => {
                        if let Some((other, _)) = variants
                            .iter()
                            .find(|(_, existing)| *existing == value.value)
                        {
                            errors.at(
                                value.span,
                                format_args!(
                                    "duplicate value `{}` (also used by `{other}`)",
                                    value.value
                                ),
                            );
                        }
                        variants.push((&variant.ident, value.value));
                    }
                    None => errors.at(
                        v.any.unwrap_or_else(|| variant.ident.span()),
                        format_args!(
                            "variant `{}` needs `#[xml(value = \"...\")]`",
                            variant.ident
                        ),
                    ),
                }
            }
            TextInput::Enum(TextEnum { krate, variants })
        }
        Data::Struct(data) => match &data.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                let field = &fields.unnamed[0];
                let f = attr::xml_field(&field.attrs, &mut errors);
                if let Some(span) = f.any {
                    errors.at(
                        span,
                        "the field of an `XmlText` newtype takes no `xml` attributes",
                    );
                }
                TextInput::Newtype(TextNewtype {
                    krate,
                    ty: &field.ty,
                    validate,
                    validate_text,
                    to_text,
                })
            }
            _ => {
                errors.at(
                    input.ident.span(),
                    "`XmlText` can be derived for fieldless enums, enums of one-value variants (unions) and single-field tuple structs (newtypes) only",
                );
                return Err(errors.finish().unwrap_err());
            }
        },
        Data::Union(data) => {
            errors.at(
                data.union_token.span,
                "`XmlText` cannot be derived for a union",
            );
            return Err(errors.finish().unwrap_err());
        }
    };
    errors.finish()?;
    Ok(result)
}

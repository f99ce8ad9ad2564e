//! Parsing of `#[xml(...)]` attributes into plain structs with spans.
//!
//! Only syntax is checked here (known keys, literal kinds, duplicate keys); the checks that
//! relate attributes to each other and to field types are in `validate`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Lit, LitStr, Path};

/// Collects errors so that all of them are reported, not just the first.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds an error with a message at a span.
    pub fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    /// `Err` with all errors, if any.
    pub fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// A value with the span of the attribute key that gave it.
#[derive(Clone)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

/// Container attributes of `XmlRead`, `XmlWrite` and `XmlText`.
#[derive(Default)]
pub struct XmlContainer {
    pub krate: Option<Sp<Path>>,
    pub namespace: Option<Sp<String>>,
    pub root: Option<Sp<Root>>,
    pub attributes: Vec<Sp<FixedAttribute>>,
    pub validate: Option<Sp<Path>>,
    /// `validate_text = path`: on an `XmlText` newtype, called with the text before parsing.
    pub validate_text: Option<Sp<Path>>,
    /// `to_text = path`: on an `XmlText` newtype, writes the text instead of the inner type.
    pub to_text: Option<Sp<Path>>,
    /// `any_order`: child elements in any order, each at most once.
    pub any_order: Option<Sp<()>>,
}

/// `root(name = "..", namespace = "..")`.
pub struct Root {
    pub name: Option<String>,
    pub namespace: Option<String>,
}

/// `attribute(name = "..", namespace = "..", fixed = "..")`.
pub struct FixedAttribute {
    pub name: Option<String>,
    pub namespace: String,
    pub fixed: Option<String>,
}

/// Field attributes of `XmlRead` and `XmlWrite`.
#[derive(Default)]
pub struct XmlField {
    pub element: Option<Sp<String>>,
    pub attribute: Option<Sp<String>>,
    pub text: Option<Sp<()>>,
    pub namespace: Option<Sp<String>>,
    pub min_occurs: Option<Sp<u32>>,
    /// `None` inside: `"unbounded"`.
    pub max_occurs: Option<Sp<Option<u32>>>,
    /// `any`: child elements a wildcard matches.
    pub wildcard: Option<Sp<()>>,
    /// `group`: a model group (`XmlGroup`) whose particles stand in the content.
    pub group: Option<Sp<()>>,
    /// `any_attribute`: the attributes no other field reads, which a wildcard matches.
    pub any_attribute: Option<Sp<()>>,
    /// `any_content`: the whole content, elements and text, as open content.
    pub any_content: Option<Sp<()>>,
    /// `other_than = "uri"`: the wildcard matches namespaces other than this and none.
    pub other_than: Option<Sp<String>>,
    /// `namespaces = "uri ##local …"`: the wildcard matches only these.
    pub namespaces: Option<Sp<String>>,
    /// Span of the first `#[xml]` attribute, if any.
    pub any: Option<Span>,
}

/// Variant attributes of `XmlText`.
#[derive(Default)]
pub struct XmlVariant {
    pub value: Option<Sp<String>>,
    pub any: Option<Span>,
}

fn key(meta: &ParseNestedMeta<'_>) -> String {
    let path = &meta.path;
    quote::quote!(#path).to_string().replace(' ', "")
}

/// Stores a value, reporting a duplicate key.
fn set<T>(slot: &mut Option<Sp<T>>, value: T, meta: &ParseNestedMeta<'_>, errors: &mut Errors) {
    let span = meta.path.span();
    if slot.is_some() {
        errors.at(span, format_args!("duplicate `{}`", key(meta)));
    } else {
        *slot = Some(Sp { value, span });
    }
}

fn string(meta: &ParseNestedMeta<'_>) -> syn::Result<String> {
    Ok(meta.value()?.parse::<LitStr>()?.value())
}

fn crate_path(meta: &ParseNestedMeta<'_>) -> syn::Result<Path> {
    meta.value()?.parse::<LitStr>()?.parse::<Path>()
}

/// `N` or `"N"`; with `unbounded`, also `"unbounded"` (as `None`).
fn occurs(meta: &ParseNestedMeta<'_>, unbounded: bool) -> syn::Result<Option<u32>> {
    let lit: Lit = meta.value()?.parse()?;
    match &lit {
        Lit::Int(int) => int.base10_parse().map(Some),
        Lit::Str(s) if unbounded && s.value() == "unbounded" => Ok(None),
        Lit::Str(s) => s.value().parse().map(Some).map_err(|_| {
            let expected = if unbounded {
                "a number or \"unbounded\""
            } else {
                "a number"
            };
            syn::Error::new(s.span(), format_args!("expected {expected}"))
        }),
        _ => Err(syn::Error::new(lit.span(), "expected a number")),
    }
}

fn unknown(meta: &ParseNestedMeta<'_>, what: &str, expected: &str) -> syn::Error {
    meta.error(format_args!(
        "unknown {what} `{}`; expected one of: {expected}",
        key(meta)
    ))
}

/// Parses the `#[xml(...)]` attributes of a container.
pub fn xml_container(attrs: &[Attribute], errors: &mut Errors) -> XmlContainer {
    let mut c = XmlContainer::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("xml")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                let path = crate_path(&meta)?;
                set(&mut c.krate, path, &meta, errors);
            } else if meta.path.is_ident("namespace") {
                let ns = string(&meta)?;
                set(&mut c.namespace, ns, &meta, errors);
            } else if meta.path.is_ident("to_text") {
                let input = meta.value()?;
                let path = if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse()?
                } else {
                    input.parse()?
                };
                set(&mut c.to_text, path, &meta, errors);
            } else if meta.path.is_ident("validate_text") {
                let input = meta.value()?;
                let path = if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse()?
                } else {
                    input.parse()?
                };
                set(&mut c.validate_text, path, &meta, errors);
            } else if meta.path.is_ident("validate") {
                let input = meta.value()?;
                let path = if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse()?
                } else {
                    input.parse()?
                };
                set(&mut c.validate, path, &meta, errors);
            } else if meta.path.is_ident("any_order") {
                set(&mut c.any_order, (), &meta, errors);
            } else if meta.path.is_ident("root") {
                let mut root = Root {
                    name: None,
                    namespace: None,
                };
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("name") {
                        root.name = Some(string(&inner)?);
                    } else if inner.path.is_ident("namespace") {
                        root.namespace = Some(string(&inner)?);
                    } else {
                        return Err(unknown(&inner, "`root` key", "`name`, `namespace`"));
                    }
                    Ok(())
                })?;
                set(&mut c.root, root, &meta, errors);
            } else if meta.path.is_ident("attribute") {
                let mut fixed = FixedAttribute {
                    name: None,
                    namespace: String::new(),
                    fixed: None,
                };
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("name") {
                        fixed.name = Some(string(&inner)?);
                    } else if inner.path.is_ident("namespace") {
                        fixed.namespace = string(&inner)?;
                    } else if inner.path.is_ident("fixed") {
                        fixed.fixed = Some(string(&inner)?);
                    } else {
                        return Err(unknown(
                            &inner,
                            "`attribute` key",
                            "`name`, `namespace`, `fixed`",
                        ));
                    }
                    Ok(())
                })?;
                c.attributes.push(Sp {
                    value: fixed,
                    span: meta.path.span(),
                });
            } else {
                return Err(unknown(
                    &meta,
                    "`xml` attribute",
                    "`namespace`, `root(..)`, `attribute(..)`, `validate`, `validate_text`, \
                     `to_text`, `any_order`, `crate`",
                ));
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    c
}

/// Parses the `#[xml(...)]` attributes of a field.
pub fn xml_field(attrs: &[Attribute], errors: &mut Errors) -> XmlField {
    let mut f = XmlField::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("xml")) {
        f.any.get_or_insert(attr.path().span());
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("element") {
                let local = string(&meta)?;
                set(&mut f.element, local, &meta, errors);
            } else if meta.path.is_ident("attribute") {
                let local = string(&meta)?;
                set(&mut f.attribute, local, &meta, errors);
            } else if meta.path.is_ident("text") {
                set(&mut f.text, (), &meta, errors);
            } else if meta.path.is_ident("namespace") {
                let ns = string(&meta)?;
                set(&mut f.namespace, ns, &meta, errors);
            } else if meta.path.is_ident("min_occurs") {
                let n = occurs(&meta, false)?.unwrap_or_default();
                set(&mut f.min_occurs, n, &meta, errors);
            } else if meta.path.is_ident("max_occurs") {
                let n = occurs(&meta, true)?;
                set(&mut f.max_occurs, n, &meta, errors);
            } else if meta.path.is_ident("any") {
                set(&mut f.wildcard, (), &meta, errors);
            } else if meta.path.is_ident("group") {
                set(&mut f.group, (), &meta, errors);
            } else if meta.path.is_ident("any_attribute") {
                set(&mut f.any_attribute, (), &meta, errors);
            } else if meta.path.is_ident("any_content") {
                set(&mut f.any_content, (), &meta, errors);
            } else if meta.path.is_ident("other_than") {
                let uri = string(&meta)?;
                set(&mut f.other_than, uri, &meta, errors);
            } else if meta.path.is_ident("namespaces") {
                let list = string(&meta)?;
                set(&mut f.namespaces, list, &meta, errors);
            } else {
                return Err(unknown(
                    &meta,
                    "`xml` field attribute",
                    "`element`, `attribute`, `text`, `any`, `any_attribute`, `any_content`, \
                     `group`, `namespace`, `min_occurs`, `max_occurs`, `other_than`, \
                     `namespaces`",
                ));
            }
            Ok(())
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    f
}

/// Parses the `#[xml(...)]` attributes of an enum variant.
pub fn xml_variant(attrs: &[Attribute], errors: &mut Errors) -> XmlVariant {
    let mut v = XmlVariant::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("xml")) {
        v.any.get_or_insert(attr.path().span());
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("value") {
                let value = string(&meta)?;
                set(&mut v.value, value, &meta, errors);
                Ok(())
            } else {
                Err(unknown(&meta, "`xml` variant attribute", "`value`"))
            }
        });
        if let Err(e) = result {
            errors.push(e);
        }
    }
    v
}

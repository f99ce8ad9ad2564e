//! The attributes the options add to generated items: [`Options::type_attribute`],
//! [`Options::field_attribute`] and [`Options::serde`]. They are applied to the parsed file,
//! after every item is emitted, so that each emitter stays unaware of them.

use std::collections::BTreeMap;

use proc_macro2::TokenTree;
use quote::quote;
use syn::parse::Parser;

use crate::error::{Error, Result};
use crate::model::QName;
use crate::options::Options;

/// The XML name of each generated type and root-element newtype, by (Rust module, Rust name).
pub type XmlNames = BTreeMap<(String, String), QName>;

/// An option's attribute, parsed.
struct Rule {
    path: String,
    attributes: Vec<syn::Attribute>,
}

fn rules(option: &str, list: &[(String, String)]) -> Result<Vec<Rule>> {
    list.iter()
        .map(|(path, text)| {
            let attributes = syn::Attribute::parse_outer.parse_str(text).map_err(|e| {
                Error::Options(format!(
                    "{option} `{path}`: `{text}` is not a Rust outer attribute such as \
                         `#[derive(Default)]` ({e})"
                ))
            })?;
            Ok(Rule {
                path: path.clone(),
                attributes,
            })
        })
        .collect()
}

/// Where an item stands, for path matching.
struct ItemName<'a> {
    module: &'a str,
    rust: &'a str,
    xml: &'a QName,
}

/// Whether a type path (see [`Options::type_attribute`]) names `item`.
fn type_matches(path: &str, item: &ItemName<'_>) -> bool {
    if path == "." {
        return true;
    }
    if let Some(rest) = path.strip_prefix('{') {
        return match rest.split_once('}') {
            Some((ns, "")) => ns == item.xml.namespace,
            Some((ns, local)) => ns == item.xml.namespace && local == item.xml.local,
            None => false,
        };
    }
    if let Some((module, rust)) = path.rsplit_once("::") {
        return module.trim_start_matches("::") == item.module && rust == item.rust;
    }
    path == item.xml.local || path == item.rust
}

/// Whether a field path (see [`Options::field_attribute`]) names field `field` (XML local
/// name, if it has one, and Rust name) of `item`.
fn field_matches(path: &str, item: &ItemName<'_>, xml: Option<&str>, rust: &str) -> bool {
    if path == "." {
        return true;
    }
    // The `.` that separates type and field stands after the namespace's closing brace.
    let search_from = path.find('}').map_or(0, |i| i + 1);
    let (type_path, field) = match path[search_from..].rfind('.') {
        Some(i) => (Some(&path[..search_from + i]), &path[search_from + i + 1..]),
        None => (None, path),
    };
    let field_ok = xml == Some(field) || rust == field;
    field_ok && type_path.is_none_or(|t| type_matches(t, item))
}

/// `name = "value"` among the tokens of an `#[xml(…)]` attribute, for each key in `keys`.
fn xml_name(attributes: &[syn::Attribute], keys: &[&str]) -> Option<String> {
    for attribute in attributes {
        let syn::Meta::List(list) = &attribute.meta else {
            continue;
        };
        if !list.path.is_ident("xml") {
            continue;
        }
        let tokens: Vec<TokenTree> = list.tokens.clone().into_iter().collect();
        for window in tokens.windows(3) {
            if let [
                TokenTree::Ident(key),
                TokenTree::Punct(eq),
                TokenTree::Literal(value),
            ] = window
                && eq.as_char() == '='
                && keys.iter().any(|k| key == k)
                && let Ok(text) =
                    syn::parse2::<syn::LitStr>(TokenTree::Literal(value.clone()).into())
            {
                return Some(text.value());
            }
        }
    }
    None
}

/// An identifier without its `r#`.
fn plain(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_owned).unwrap_or(text)
}

/// Adds the configured attributes to the items of `file` named in `names`.
pub fn apply(file: &mut syn::File, names: &XmlNames, options: &Options) -> Result<()> {
    let types = rules("type_attribute", &options.type_attributes)?;
    let fields = rules("field_attribute", &options.field_attributes)?;
    let serde = Serde::of(options);
    if types.is_empty() && fields.is_empty() && serde.is_none() {
        return Ok(());
    }
    let derive = match &serde {
        Some(serde) => serde.attribute(quote!(derive(::serde::Serialize, ::serde::Deserialize)))?,
        None => Vec::new(),
    };
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        let module_name = module.ident.to_string();
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
            let (ident, attrs) = match item {
                syn::Item::Struct(s) => (plain(&s.ident), &mut s.attrs),
                syn::Item::Enum(e) => (plain(&e.ident), &mut e.attrs),
                _ => continue,
            };
            let Some(xml) = names.get(&(module_name.clone(), ident.clone())) else {
                continue;
            };
            let name = ItemName {
                module: &module_name,
                rust: &ident,
                xml,
            };
            attrs.extend(derive.iter().cloned());
            for rule in types.iter().filter(|r| type_matches(&r.path, &name)) {
                attrs.extend(rule.attributes.iter().cloned());
            }
            apply_to_members(item, &name, &fields, serde.as_ref())?;
        }
    }
    Ok(())
}

/// How serde is derived: always, or under a cargo feature of the including crate.
enum Serde<'o> {
    Always,
    Feature(&'o str),
}

impl<'o> Serde<'o> {
    fn of(options: &'o Options) -> Option<Self> {
        match (&options.serde_feature, options.serde) {
            (Some(feature), _) => Some(Serde::Feature(feature)),
            (None, true) => Some(Serde::Always),
            (None, false) => None,
        }
    }

    /// `#[meta]`, or `#[cfg_attr(feature = "…", meta)]`.
    fn attribute(&self, meta: proc_macro2::TokenStream) -> Result<Vec<syn::Attribute>> {
        let tokens = match self {
            Serde::Always => quote!(#[#meta]),
            Serde::Feature(feature) => quote!(#[cfg_attr(feature = #feature, #meta)]),
        };
        syn::Attribute::parse_outer
            .parse2(tokens)
            .map_err(|e| Error::Options(format!("serde feature: not an attribute ({e})")))
    }
}

/// The field rules for the fields or variants of one item, and serde's names of enumeration
/// values.
fn apply_to_members(
    item: &mut syn::Item,
    name: &ItemName<'_>,
    rules: &[Rule],
    serde: Option<&Serde<'_>>,
) -> Result<()> {
    let add = |attrs: &mut Vec<syn::Attribute>, xml: Option<&str>, rust: &str| {
        for rule in rules
            .iter()
            .filter(|r| field_matches(&r.path, name, xml, rust))
        {
            attrs.extend(rule.attributes.iter().cloned());
        }
    };
    match item {
        syn::Item::Struct(s) => {
            for field in s.fields.iter_mut() {
                let Some(ident) = &field.ident else {
                    continue;
                };
                let rust = plain(ident);
                let xml = xml_name(&field.attrs, &["element", "attribute"]);
                add(&mut field.attrs, xml.as_deref(), &rust);
            }
        }
        syn::Item::Enum(e) => {
            for variant in &mut e.variants {
                let rust = plain(&variant.ident);
                let value = xml_name(&variant.attrs, &["value"]);
                if let (Some(serde), Some(value)) = (serde, &value) {
                    variant
                        .attrs
                        .extend(serde.attribute(quote!(serde(rename = #value)))?);
                }
                let xml = value.or_else(|| xml_name(&variant.attrs, &["element"]));
                add(&mut variant.attrs, xml.as_deref(), &rust);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item<'a>(xml: &'a QName) -> ItemName<'a> {
        ItemName {
            module: "centralservice",
            rust: "ClientRegRequest",
            xml,
        }
    }

    #[test]
    fn type_paths_match_as_documented() {
        let xml = QName::new("urn:cs", "clientRegRequest");
        let it = item(&xml);
        for path in [
            ".",
            "{urn:cs}",
            "{urn:cs}clientRegRequest",
            "clientRegRequest",
            "ClientRegRequest",
            "centralservice::ClientRegRequest",
        ] {
            assert!(type_matches(path, &it), "{path}");
        }
        for path in [
            "{urn:other}",
            "{urn:cs}other",
            "{urn:cs",
            "other",
            "other::ClientRegRequest",
            "centralservice::Other",
        ] {
            assert!(!type_matches(path, &it), "{path}");
        }
    }

    #[test]
    fn field_paths_match_as_documented() {
        let xml = QName::new("http://x-road.eu/xsd/xroad.xsd", "clientReg");
        let it = item(&xml);
        let matches = |path| field_matches(path, &it, Some("memberCode"), "member_code");
        for path in [
            ".",
            "memberCode",
            "member_code",
            "clientReg.memberCode",
            "ClientRegRequest.member_code",
            "{http://x-road.eu/xsd/xroad.xsd}clientReg.memberCode",
            "{http://x-road.eu/xsd/xroad.xsd}.member_code",
            "centralservice::ClientRegRequest.memberCode",
        ] {
            assert!(matches(path), "{path}");
        }
        for path in [
            "other",
            "clientReg.other",
            "other.memberCode",
            "{http://x-road.eu/xsd/xroad.xsd}",
            "{urn:x}clientReg.memberCode",
        ] {
            assert!(!matches(path), "{path}");
        }
    }

    #[test]
    fn an_attribute_that_does_not_parse_is_an_options_error() {
        let error = rules("type_attribute", &[(".".into(), "derive(Default)".into())])
            .err()
            .expect("not an outer attribute");
        let text = error.to_string();
        assert!(text.contains("type_attribute `.`"), "{text}");
        assert!(text.contains("derive(Default)"), "{text}");
    }
}

//! Rust identifiers for XML names: case conversion, keyword escaping, de-duplication.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::Ident;

use crate::model::EnumValue;

/// Keywords that can be used as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NON_RAW_KEYWORDS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Keeps ASCII alphanumerics and underscores, falls back to `fallback` when nothing is left,
/// and puts an underscore before a leading digit.
fn sanitize(name: &str, fallback: &str) -> String {
    let mut out: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if out.trim_matches('_').is_empty() {
        out = fallback.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The UpperCamelCase Rust name of an XML name (types, variants, operations).
pub fn type_name(xml: &str) -> String {
    let name = sanitize(&xml.to_upper_camel_case(), "Unnamed");
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

/// The snake_case Rust name of an XML name (fields, modules), not yet keyword-escaped.
pub fn field_name(xml: &str) -> String {
    sanitize(&xml.to_snake_case(), "value")
}

/// An identifier for `name`, escaped as `r#name` or `name_` when it is a keyword.
pub fn ident(name: &str) -> Ident {
    if RAW_KEYWORDS.contains(&name) {
        Ident::new_raw(name, proc_macro2::Span::call_site())
    } else if NON_RAW_KEYWORDS.contains(&name) {
        Ident::new(&format!("{name}_"), proc_macro2::Span::call_site())
    } else {
        Ident::new(name, proc_macro2::Span::call_site())
    }
}

/// Names that generated code uses unqualified; a generated item must not shadow them.
pub const PRELUDE: &[&str] = &[
    "Option", "Some", "None", "Result", "Ok", "Err", "String", "Vec", "Box",
];

/// Hands out unique names within one scope (the fields of a struct, the variants of an enum)
/// by appending `2`, `3`, … (after an underscore for snake case) to repeated names.
#[derive(Debug, Default)]
pub struct Dedup {
    used: BTreeSet<String>,
}

impl Dedup {
    /// Returns `name`, or the first free suffixed variant of it, and marks it used.
    pub fn take(&mut self, name: String, snake: bool) -> String {
        let mut candidate = name.clone();
        let mut n = 2;
        while self.used.contains(&candidate) {
            candidate = if snake {
                format!("{name}_{n}")
            } else {
                format!("{name}{n}")
            };
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

/// Splits an UpperCamelCase name into its words (`XRoadObjectType` → `X`, `Road`, …).
fn camel_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&name[start..i]);
            start = i;
        }
    }
    words.push(&name[start..]);
    words
}

/// Whether clippy's `enum_variant_names` lint could fire for these variants of `enum_name`
/// (shared leading or trailing word, or a variant that repeats the enum's name).
pub fn variants_need_allow(enum_name: &str, variants: &[String]) -> bool {
    if variants
        .iter()
        .any(|v| v.starts_with(enum_name) || v.ends_with(enum_name))
    {
        return true;
    }
    if variants.len() < 3 {
        return false;
    }
    let words: Vec<Vec<&str>> = variants.iter().map(|v| camel_words(v)).collect();
    let first = words[0][0];
    let last = words[0][words[0].len() - 1];
    words.iter().all(|w| w[0] == first) || words.iter().all(|w| w[w.len() - 1] == last)
}

/// The Rust variant names of an enumeration, in value order.
pub fn enum_variants(values: &[EnumValue]) -> Vec<String> {
    let mut dedup = Dedup::default();
    values
        .iter()
        .map(|v| dedup.take(type_name(&v.value), false))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_case() {
        assert_eq!(type_name("XRoadIdentifierType"), "XRoadIdentifierType");
        assert_eq!(type_name("GLOBALGROUP"), "Globalgroup");
        assert_eq!(type_name("clientReg"), "ClientReg");
        assert_eq!(field_name("xRoadInstance"), "x_road_instance");
        assert_eq!(field_name("algorithmId"), "algorithm_id");
    }

    #[test]
    fn escapes_keywords() {
        assert_eq!(ident(&field_name("type")).to_string(), "r#type");
        assert_eq!(ident(&field_name("match")).to_string(), "r#match");
        assert_eq!(ident(&field_name("self")).to_string(), "self_");
        assert_eq!(ident(&field_name("crate")).to_string(), "crate_");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("self"), "Self_");
    }

    #[test]
    fn handles_digits_and_symbols() {
        assert_eq!(field_name("1st-value"), "_1st_value");
        assert_eq!(type_name("2fa"), "_2fa");
        assert_eq!(type_name("---"), "Unnamed");
        assert_eq!(field_name("."), "value");
    }

    #[test]
    fn dedups() {
        let mut d = Dedup::default();
        assert_eq!(d.take("value".into(), true), "value");
        assert_eq!(d.take("value".into(), true), "value_2");
        assert_eq!(d.take("Ab".into(), false), "Ab");
        assert_eq!(d.take("Ab".into(), false), "Ab2");
    }

    #[test]
    fn detects_shared_variant_words() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(variants_need_allow("Op", &v(&["AuthA", "AuthB", "AuthC"])));
        assert!(!variants_need_allow(
            "XRoadObjectType",
            &v(&["Member", "Subsystem", "Server"])
        ));
        assert!(variants_need_allow("Kind", &v(&["KindA"])));
    }
}

//! Namespaces of the model with their Rust module names and preferred prefixes.

use heck::ToSnakeCase;

use crate::model::Namespace;
use crate::options::Options;

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen", "union",
];

/// The module name derived from a namespace URI: its last path (or URN) segment without a
/// `.xsd`/`.wsdl` extension, in snake case; `xml` for the XML namespace.
pub(crate) fn module_name(uri: &str) -> String {
    if uri == super::ns::XML {
        return "xml".to_owned();
    }
    let segment = if uri.starts_with("urn:") || !uri.contains('/') {
        uri.rsplit(':').find(|s| !s.is_empty()).unwrap_or("")
    } else {
        uri.rsplit('/').find(|s| !s.is_empty()).unwrap_or("")
    };
    let segment = segment
        .strip_suffix(".xsd")
        .or_else(|| segment.strip_suffix(".wsdl"))
        .unwrap_or(segment);
    let mut name: String = segment
        .to_snake_case()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        name = "ns".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&name.as_str()) {
        name = format!("ns_{name}");
    }
    name
}

/// The model namespaces for `uris` (in order, repeats dropped), with the prefix `prefix`
/// finds for each.
pub(crate) fn namespaces(
    uris: &[String],
    prefix: impl Fn(&str) -> Option<String>,
    options: &Options,
) -> Vec<Namespace> {
    let mut out: Vec<Namespace> = Vec::new();
    let mut unique: Vec<&String> = Vec::new();
    for uri in uris {
        if !unique.contains(&uri) {
            unique.push(uri);
        }
    }
    // Configured modules first, so derived names avoid them.
    let configured: Vec<&str> = unique.iter().filter_map(|u| options.module_of(u)).collect();
    for uri in unique {
        let module = match options.module_of(uri) {
            Some(m) => m.to_owned(),
            None => {
                let base = module_name(uri);
                let taken = |m: &str| {
                    configured.contains(&m) || out.iter().any(|n: &Namespace| n.module == m)
                };
                let mut candidate = base.clone();
                let mut n = 2;
                while taken(&candidate) {
                    candidate = format!("{base}_{n}");
                    n += 1;
                }
                candidate
            }
        };
        out.push(Namespace {
            uri: uri.clone(),
            module,
            prefix: prefix(uri),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::module_name;

    #[test]
    fn derives_module_names() {
        assert_eq!(
            module_name("http://x-road.eu/xsd/identifiers"),
            "identifiers"
        );
        assert_eq!(module_name("http://x-road.eu/xsd/xroad.xsd"), "xroad");
        assert_eq!(
            module_name("http://x-road.eu/centralservice/"),
            "centralservice"
        );
        assert_eq!(module_name("urn:example:MyService"), "my_service");
        assert_eq!(module_name("http://example.com/2024"), "ns_2024");
        assert_eq!(module_name("http://example.com/type"), "ns_type");
        assert_eq!(module_name(""), "ns");
        assert_eq!(module_name("http://www.w3.org/XML/1998/namespace"), "xml");
    }
}

//! Generator options, shared by the [`crate::Builder`] (for `build.rs`) and the command line.
//!
//! [`Options::default`] is the X-Road management services profile: it knows the facts of
//! PR-MSERV that a WSDL cannot express — the `authCertReg` operation that the specification
//! keeps out of the port type, the MIME parts each request carries, the validated identifier
//! codes and the textual form of identifiers. [`Options::bare`] knows none of them and
//! generates exactly what the WSDL says.

use std::collections::BTreeMap;

use crate::model::QName;

/// Namespace of the X-Road identifier schema.
pub const IDENTIFIERS_NS: &str = "http://x-road.eu/xsd/identifiers";
/// Namespace of the X-Road message schema (headers and management service bodies).
pub const XROAD_NS: &str = "http://x-road.eu/xsd/xroad.xsd";

/// The MIME part kinds an operation can declare; they are the variants of
/// `xroad_codec::operation::MimePart`.
pub const MIME_PARTS: &[&str] = &[
    "SoapMessage",
    "Signature",
    "AuthKeySignature",
    "AuthCertificate",
    "SigningCertificate",
    "OcspResponse",
];

/// Code elements of the identifier schema, in the order the X-Road textual form uses.
pub const IDENTIFIER_CODES: &[&str] = &[
    "xRoadInstance",
    "memberClass",
    "memberCode",
    "subsystemCode",
    "groupCode",
    "serviceCode",
    "serviceVersion",
    "serverCode",
];

/// An operation that the WSDL port type does not declare but whose elements the schema has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraOperation {
    /// Operation name (service code).
    pub name: String,
    /// Request body element.
    pub input: QName,
    /// Response body element.
    pub output: QName,
    /// Documentation for the generated operation.
    pub doc: Option<String>,
}

/// What to generate and how. See the module documentation for the default profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub(crate) extra_operations: Vec<ExtraOperation>,
    pub(crate) mime_parts: BTreeMap<String, Vec<String>>,
    pub(crate) extern_elements: BTreeMap<QName, String>,
    pub(crate) identifier_base: Option<QName>,
    pub(crate) modules: BTreeMap<String, String>,
    pub(crate) runtime_crate: String,
}

impl Default for Options {
    /// The X-Road management services profile (PR-MSERV 1.15).
    fn default() -> Self {
        let mut options = Self::bare();
        options.extra_operation(ExtraOperation {
            name: "authCertReg".into(),
            input: QName::new(XROAD_NS, "authCertReg"),
            output: QName::new(XROAD_NS, "authCertRegResponse"),
            doc: Some(
                "Registers an authentication certificate of a security server. Not an X-Road \
                 message: it is sent to the central server directly over HTTPS, because a \
                 security server cannot send X-Road messages before its authentication \
                 certificate is registered (PR-MSERV 2.3)."
                    .into(),
            ),
        });
        let owner_signed = [
            "SoapMessage",
            "Signature",
            "SigningCertificate",
            "OcspResponse",
        ];
        options.mime_parts("clientReg", &owner_signed);
        options.mime_parts("ownerChange", &owner_signed);
        options.mime_parts(
            "authCertReg",
            &[
                "SoapMessage",
                "AuthKeySignature",
                "Signature",
                "AuthCertificate",
                "SigningCertificate",
                "OcspResponse",
            ],
        );
        for code in IDENTIFIER_CODES {
            options.extern_element(
                QName::new(IDENTIFIERS_NS, *code),
                "::xroad_codec::identifier::Code",
            );
        }
        options.identifier_base(Some(QName::new(IDENTIFIERS_NS, "XRoadIdentifierType")));
        options
    }
}

impl Options {
    /// Options without any X-Road knowledge: only what the WSDL declares is generated.
    pub fn bare() -> Self {
        Self {
            extra_operations: Vec::new(),
            mime_parts: BTreeMap::new(),
            extern_elements: BTreeMap::new(),
            identifier_base: None,
            modules: BTreeMap::new(),
            runtime_crate: "::xroad_codec".into(),
        }
    }

    /// Adds an operation that is not in the port type. It uses the same SOAP headers as the
    /// binding's operations (the first binding, when there are several).
    pub fn extra_operation(&mut self, operation: ExtraOperation) -> &mut Self {
        self.extra_operations.retain(|o| o.name != operation.name);
        self.extra_operations.push(operation);
        self
    }

    /// Declares the MIME parts an operation's request carries (variant names of `MimePart`,
    /// `SoapMessage` first). Operations without a declaration carry the SOAP message only.
    pub fn mime_parts(&mut self, operation: &str, parts: &[&str]) -> &mut Self {
        self.mime_parts.insert(
            operation.to_owned(),
            parts.iter().map(|p| (*p).to_owned()).collect(),
        );
        self
    }

    /// Uses an existing Rust type (given as a path) for every field that refers to `element`.
    pub fn extern_element(&mut self, element: QName, rust_type: &str) -> &mut Self {
        self.extern_elements.insert(element, rust_type.to_owned());
        self
    }

    /// Complex types derived from this type get X-Road identifier semantics (validation of the
    /// object type against the codes present, `Display` and `FromStr` in the textual form).
    pub fn identifier_base(&mut self, base: Option<QName>) -> &mut Self {
        self.identifier_base = base;
        self
    }

    /// Puts the items of namespace `uri` into the Rust module `module` instead of the name
    /// derived from the URI's last path segment.
    pub fn module(&mut self, uri: &str, module: &str) -> &mut Self {
        self.modules.insert(uri.to_owned(), module.to_owned());
        self
    }

    /// The path under which generated code finds the support crate (default `::xroad_codec`).
    pub fn runtime_crate(&mut self, path: &str) -> &mut Self {
        self.runtime_crate = path.to_owned();
        self
    }

    /// Extra operations, in the order they were added.
    pub fn extra_operations(&self) -> &[ExtraOperation] {
        &self.extra_operations
    }

    /// MIME parts declared for `operation`, if any.
    pub fn parts_of(&self, operation: &str) -> Option<&[String]> {
        self.mime_parts.get(operation).map(Vec::as_slice)
    }

    /// The Rust type configured for fields referring to `element`, if any.
    pub fn extern_type(&self, element: &QName) -> Option<&str> {
        self.extern_elements.get(element).map(String::as_str)
    }

    /// The identifier base type, if identifier semantics are on.
    pub fn identifier_base_type(&self) -> Option<&QName> {
        self.identifier_base.as_ref()
    }

    /// The configured module for namespace `uri`, if any.
    pub fn module_of(&self, uri: &str) -> Option<&str> {
        self.modules.get(uri).map(String::as_str)
    }

    /// The support crate path.
    pub fn runtime_path(&self) -> &str {
        &self.runtime_crate
    }
}

/// The codes each X-Road object type has, in textual-form order; `(code, required)`.
///
/// `FromStr` tries the shapes of a type in the order [`identifier_shapes`] lists them; for
/// `SERVICE` a five-part identifier is read as member, subsystem and service code.
pub fn object_type_codes(object_type: &str) -> Option<&'static [(&'static str, bool)]> {
    Some(match object_type {
        "MEMBER" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
        ],
        "SUBSYSTEM" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("subsystemCode", true),
        ],
        "SERVER" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("serverCode", true),
        ],
        "SERVICE" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("subsystemCode", false),
            ("serviceCode", true),
            ("serviceVersion", false),
        ],
        "GLOBALGROUP" => &[("xRoadInstance", true), ("groupCode", true)],
        "LOCALGROUP" => &[("groupCode", true)],
        _ => return None,
    })
}

/// Every concrete combination of codes an object type allows, in the order `FromStr` tries
/// them (fewest optional codes first, optional codes switched on from the left).
pub fn identifier_shapes(object_type: &str) -> Vec<Vec<&'static str>> {
    let Some(codes) = object_type_codes(object_type) else {
        return Vec::new();
    };
    let optional: Vec<usize> = (0..codes.len()).filter(|i| !codes[*i].1).collect();
    // Subsets of the optional codes, by size, and within a size with the leftmost first.
    let mut subsets: Vec<Vec<usize>> = vec![Vec::new()];
    for size in 1..=optional.len() {
        let mut picks: Vec<Vec<usize>> = Vec::new();
        combinations(&optional, size, 0, &mut Vec::new(), &mut picks);
        subsets.extend(picks);
    }
    subsets
        .into_iter()
        .map(|on| {
            codes
                .iter()
                .enumerate()
                .filter(|(i, (_, required))| *required || on.contains(i))
                .map(|(_, (code, _))| *code)
                .collect()
        })
        .collect()
}

fn combinations(
    items: &[usize],
    size: usize,
    start: usize,
    current: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    if current.len() == size {
        out.push(current.clone());
        return;
    }
    for i in start..items.len() {
        current.push(items[i]);
        combinations(items, size, i + 1, current, out);
        current.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_shapes_put_subsystem_before_version() {
        let shapes = identifier_shapes("SERVICE");
        assert_eq!(shapes.len(), 4);
        assert_eq!(
            shapes[0],
            ["xRoadInstance", "memberClass", "memberCode", "serviceCode"]
        );
        assert_eq!(
            shapes[1],
            [
                "xRoadInstance",
                "memberClass",
                "memberCode",
                "subsystemCode",
                "serviceCode"
            ]
        );
        assert_eq!(shapes[3].len(), 6);
    }

    #[test]
    fn unknown_object_type_has_no_shapes() {
        assert!(identifier_shapes("PERSON").is_empty());
        assert_eq!(identifier_shapes("LOCALGROUP"), vec![vec!["groupCode"]]);
    }
}

//! Tests of the emitter on hand-built models.

use std::path::PathBuf;

use super::{emit, emit_tokens};
use crate::error::Error;
use crate::model::*;
use crate::options::{IDENTIFIER_CODES, IDENTIFIERS_NS, Options, XROAD_NS, identifier_shapes};

const TNS: &str = "http://x-road.eu/centralservice/";
const CODE: &str = "::xroad_codec::identifier::Code";

fn loc() -> Location {
    Location {
        file: std::sync::Arc::from(std::path::Path::new("test.wsdl")),
        line: 1,
        column: 1,
    }
}

fn q(ns: &str, local: &str) -> QName {
    QName::new(ns, local)
}

fn field(ns: &str, local: &str, ty: TypeRef, min: u32, max: Option<u32>) -> ElementField {
    ElementField {
        name: q(ns, local),
        ty,
        min_occurs: min,
        max_occurs: max,
        doc: None,
        location: loc(),
    }
}

fn attribute(ns: &str, local: &str, ty: TypeRef, required: bool) -> Attribute {
    Attribute {
        name: q(ns, local),
        ty,
        required,
        fixed: None,
        default: None,
        doc: None,
        location: loc(),
    }
}

fn complex(ns: &str, local: &str, content: Content, attributes: Vec<Attribute>) -> ComplexType {
    ComplexType {
        name: q(ns, local),
        doc: None,
        location: loc(),
        base: None,
        content,
        attributes,
        identifier: None,
    }
}

fn element(ns: &str, local: &str, ty: TypeRef) -> Element {
    Element {
        name: q(ns, local),
        ty,
        doc: None,
        location: loc(),
    }
}

fn named(ns: &str, local: &str) -> TypeRef {
    TypeRef::Named(q(ns, local))
}

fn string() -> TypeRef {
    TypeRef::Builtin(Builtin::String)
}

fn namespace(uri: &str, module: &str, prefix: Option<&str>) -> Namespace {
    Namespace {
        uri: uri.into(),
        module: module.into(),
        prefix: prefix.map(Into::into),
    }
}

/// An identifier type with the given codes (`(local, required)`) and object types.
fn identifier_type(
    local: &str,
    codes: &[(&str, bool)],
    fixed: Option<&str>,
    object_types: &[&str],
) -> TypeDef {
    let fields = codes
        .iter()
        .map(|(c, required)| {
            let mut f = field(
                IDENTIFIERS_NS,
                c,
                TypeRef::Extern(CODE.into()),
                u32::from(*required),
                Some(1),
            );
            if *c == "xRoadInstance" {
                f.doc = Some("Identifies the X-Road instance.".into());
            }
            f
        })
        .collect();
    let mut object_type = attribute(
        IDENTIFIERS_NS,
        "objectType",
        named(IDENTIFIERS_NS, "XRoadObjectType"),
        true,
    );
    object_type.fixed = fixed.map(Into::into);
    let mut t = complex(
        IDENTIFIERS_NS,
        local,
        Content::Sequence(fields),
        vec![object_type],
    );
    t.identifier = Some(Identifier {
        object_type_attribute: q(IDENTIFIERS_NS, "objectType"),
        fixed: fixed.map(Into::into),
        shapes: object_types
            .iter()
            .flat_map(|ot| {
                identifier_shapes(ot)
                    .into_iter()
                    .map(move |codes| IdentifierShape {
                        object_type: (*ot).into(),
                        codes: codes.into_iter().map(Into::into).collect(),
                    })
            })
            .collect(),
    });
    TypeDef::Complex(t)
}

/// A model like the management services WSDL.
fn mserv_model() -> Model {
    let object_types = [
        "MEMBER",
        "SUBSYSTEM",
        "SERVER",
        "GLOBALGROUP",
        "LOCALGROUP",
        "SERVICE",
    ];
    let all_codes: Vec<(&str, bool)> = IDENTIFIER_CODES.iter().map(|c| (*c, false)).collect();
    let object_type_enum = TypeDef::Simple(SimpleType {
        name: q(IDENTIFIERS_NS, "XRoadObjectType"),
        doc: Some("Enumeration for X-Road identifier types.".into()),
        location: loc(),
        kind: SimpleKind::Enumeration {
            base: string(),
            values: object_types
                .iter()
                .map(|v| EnumValue {
                    value: (*v).into(),
                    doc: None,
                })
                .collect(),
        },
    });
    let client_codes = [
        ("xRoadInstance", true),
        ("memberClass", true),
        ("memberCode", true),
        ("subsystemCode", false),
    ];
    let service_codes = [
        ("xRoadInstance", true),
        ("memberClass", true),
        ("memberCode", true),
        ("subsystemCode", false),
        ("serviceCode", true),
        ("serviceVersion", false),
    ];
    let server_codes = [
        ("xRoadInstance", true),
        ("memberClass", true),
        ("memberCode", true),
        ("serverCode", true),
    ];
    let xr = |local: &str| named(XROAD_NS, local);
    let id = |local: &str| named(IDENTIFIERS_NS, local);
    let mut client_request = complex(
        XROAD_NS,
        "ClientRequestType",
        Content::Sequence(vec![
            field(
                XROAD_NS,
                "server",
                id("XRoadSecurityServerIdentifierType"),
                1,
                Some(1),
            ),
            field(
                XROAD_NS,
                "client",
                id("XRoadClientIdentifierType"),
                1,
                Some(1),
            ),
            field(XROAD_NS, "requestId", xr("RequestIdType"), 0, Some(1)),
        ]),
        vec![],
    );
    client_request.doc = Some("A client registration request.".into());
    let auth_cert_reg = complex(
        XROAD_NS,
        "AuthCertRegRequestType",
        Content::Sequence(vec![
            field(
                XROAD_NS,
                "server",
                id("XRoadSecurityServerIdentifierType"),
                1,
                Some(1),
            ),
            field(XROAD_NS, "address", string(), 0, Some(1)),
            field(
                XROAD_NS,
                "authCert",
                TypeRef::Builtin(Builtin::Base64Binary),
                1,
                Some(1),
            ),
            field(XROAD_NS, "requestId", xr("RequestIdType"), 0, Some(1)),
        ]),
        vec![],
    );
    let request_id = TypeDef::Simple(SimpleType {
        name: q(XROAD_NS, "RequestIdType"),
        doc: Some("For responses only, unique identifier of the request.".into()),
        location: loc(),
        kind: SimpleKind::Restriction {
            base: TypeRef::Builtin(Builtin::Long),
            facets: Facets::default(),
        },
    });
    let request_hash = complex(
        XROAD_NS,
        "requestHash",
        Content::Simple(string()),
        vec![attribute("", "algorithmId", string(), true)],
    );
    let types = vec![
        identifier_type("XRoadIdentifierType", &all_codes, None, &object_types),
        object_type_enum,
        identifier_type(
            "XRoadClientIdentifierType",
            &client_codes,
            None,
            &["MEMBER", "SUBSYSTEM"],
        ),
        identifier_type(
            "XRoadServiceIdentifierType",
            &service_codes,
            Some("SERVICE"),
            &object_types,
        ),
        identifier_type(
            "XRoadSecurityServerIdentifierType",
            &server_codes,
            Some("SERVER"),
            &object_types,
        ),
        TypeDef::Complex(auth_cert_reg),
        TypeDef::Complex(client_request),
        request_id,
        TypeDef::Complex(request_hash),
    ];
    let elements = vec![
        element(XROAD_NS, "clientReg", xr("ClientRequestType")),
        element(XROAD_NS, "clientRegResponse", xr("ClientRequestType")),
        element(XROAD_NS, "authCertReg", xr("AuthCertRegRequestType")),
        element(
            XROAD_NS,
            "authCertRegResponse",
            xr("AuthCertRegRequestType"),
        ),
        element(XROAD_NS, "client", id("XRoadClientIdentifierType")),
        element(XROAD_NS, "service", id("XRoadServiceIdentifierType")),
        element(XROAD_NS, "id", string()),
        element(XROAD_NS, "protocolVersion", string()),
        element(XROAD_NS, "requestHash", xr("requestHash")),
    ];
    let part = |name: &str, always: bool| HeaderPart {
        name: name.into(),
        element: q(XROAD_NS, name),
        always,
        in_input: always,
        in_output: true,
    };
    let operation = |name: &str, parts: &[&str], source: OperationSource| Operation {
        name: name.into(),
        doc: None,
        input: q(XROAD_NS, name),
        output: q(XROAD_NS, &format!("{name}Response")),
        input_headers: vec![],
        output_headers: vec![],
        parts: parts.iter().map(|p| (*p).to_owned()).collect(),
        source,
    };
    Model {
        source: PathBuf::from("wsdl/centralservice.wsdl"),
        namespaces: vec![
            namespace(IDENTIFIERS_NS, "identifiers", Some("id")),
            namespace(XROAD_NS, "xroad", Some("xroad")),
            namespace(TNS, "centralservice", None),
        ],
        types,
        elements,
        services: vec![Service {
            name: "centralservice".into(),
            namespace: TNS.into(),
            doc: None,
            address: Some("http://INSERT_MANAGEMENT_SERVICE_ADDRESS_HERE".into()),
            header: Some(Header {
                message: "requestheader".into(),
                parts: vec![
                    part("client", true),
                    part("service", true),
                    part("id", true),
                    part("protocolVersion", true),
                    part("requestHash", false),
                ],
            }),
            operations: vec![
                operation(
                    "clientReg",
                    &[
                        "SoapMessage",
                        "Signature",
                        "SigningCertificate",
                        "OcspResponse",
                    ],
                    OperationSource::Wsdl(loc()),
                ),
                operation("authCertReg", &["SoapMessage"], OperationSource::Options),
            ],
            location: loc(),
        }],
    }
}

/// The output without whitespace and trailing commas, for substring checks independent of
/// formatting.
fn squash(text: &str) -> String {
    let s: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    s.replace(",)", ")").replace(",]", "]").replace(",}", "}")
}

fn assert_has(output: &str, snippet: &str) {
    assert!(
        squash(output).contains(squash(snippet).trim_end_matches(',')),
        "missing `{snippet}` in:\n{output}"
    );
}

/// Writes `output` to `$XROAD_EMIT_DUMP_DIR/<name>.rs` when that variable is set, for
/// compiling it outside the tests.
fn dump(name: &str, output: &str) {
    if let Some(dir) = std::env::var_os("XROAD_EMIT_DUMP_DIR") {
        std::fs::write(PathBuf::from(dir).join(format!("{name}.rs")), output).unwrap();
    }
}

fn parse(output: &str) -> syn::File {
    syn::parse_file(output).expect("generated code parses")
}

/// Finds `struct name` in module `module`.
fn find_struct(file: &syn::File, module: &str, name: &str) -> syn::ItemStruct {
    for item in &file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == module
        {
            for item in &m.content.as_ref().expect("inline module").1 {
                if let syn::Item::Struct(s) = item
                    && s.ident == name
                {
                    return s.clone();
                }
            }
        }
    }
    panic!("no struct {module}::{name}");
}

/// The method names of inherent impls of `name` in `module`.
fn methods(file: &syn::File, module: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for item in &file.items {
        if let syn::Item::Mod(m) = item
            && m.ident == module
        {
            for item in &m.content.as_ref().expect("inline module").1 {
                if let syn::Item::Impl(i) = item
                    && i.trait_.is_none()
                    && {
                        let t = &i.self_ty;
                        quote::quote!(#t).to_string() == name
                    }
                {
                    for it in &i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            out.push(f.sig.ident.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

fn field_names(s: &syn::ItemStruct) -> Vec<String> {
    s.fields
        .iter()
        .filter_map(|f| f.ident.as_ref().map(ToString::to_string))
        .collect()
}

fn attrs_text(s: &syn::ItemStruct) -> String {
    s.attrs
        .iter()
        .map(|a| squash(&quote::quote!(#a).to_string()))
        .collect()
}

#[test]
fn output_parses_and_is_deterministic() {
    let model = mserv_model();
    let options = Options::default();
    let first = emit(&model, &options).unwrap();
    let second = emit(&model, &options).unwrap();
    assert_eq!(first, second);
    dump("mserv_model", &first);
    assert!(first.starts_with("// @generated by xroad-codegen "));
    assert!(first.contains("from centralservice.wsdl. Do not edit by hand:"));
    parse(&first);
}

#[test]
fn emits_contract_attribute_forms() {
    let out = emit(&mserv_model(), &Options::default()).unwrap();
    for snippet in [
        r#"pub const NAMESPACES: &[(&str, &str)] = &[("id", "http://x-road.eu/xsd/identifiers"), ("xroad", "http://x-road.eu/xsd/xroad.xsd")];"#,
        r#"pub mod identifiers { /// Namespace URI of this module's items.
            pub const NAMESPACE: &str = "http://x-road.eu/xsd/identifiers";"#,
        r#"#[derive(Debug, Clone, PartialEq, Eq, Hash, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite)]
           #[xml(namespace = "http://x-road.eu/xsd/identifiers", validate = Self::validate)]
           pub struct XRoadClientIdentifierType {"#,
        r#"#[xml(attribute = "objectType", namespace = "http://x-road.eu/xsd/identifiers")]
           pub object_type: XRoadObjectType,"#,
        r#"/// Identifies the X-Road instance.
           #[xml(element = "xRoadInstance")] pub x_road_instance: ::xroad_codec::identifier::Code,"#,
        r#"#[xml(element = "subsystemCode")] pub subsystem_code: Option<::xroad_codec::identifier::Code>,"#,
        r#"#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::xroad_codec::xml::XmlText)]
           pub enum XRoadObjectType {"#,
        r#"#[xml(value = "GLOBALGROUP")] Globalgroup,"#,
        r#"#[xml(namespace = "http://x-road.eu/xsd/identifiers", attribute(name = "objectType", namespace = "http://x-road.eu/xsd/identifiers", fixed = "SERVER"))]
           pub struct XRoadSecurityServerIdentifierType {"#,
        "pub const OBJECT_TYPE: XRoadObjectType = XRoadObjectType::Server;",
        "pub const OBJECT_TYPES: &'static [XRoadObjectType] = &[XRoadObjectType::Member, XRoadObjectType::Subsystem];",
        "let (object_type, codes) = ::xroad_codec::identifier::split(text)?;",
        r#"("MEMBER", [c0, c1, c2]) => { Ok(Self { object_type: XRoadObjectType::Member, x_road_instance: c0.clone(), member_class: c1.clone(), member_code: c2.clone(), subsystem_code: None, }) }"#,
        r#"(other, _) => { Err(::xroad_codec::identifier::IdentifierError::ObjectType { found: other.to_owned(), expected: "MEMBER, SUBSYSTEM".to_owned(), }) }"#,
        r#"#[xml(element = "server")] pub server: super::identifiers::XRoadSecurityServerIdentifierType,"#,
        r#"#[xml(element = "requestId")] pub request_id: Option<RequestIdType>,"#,
        r#"#[xml(element = "authCert")] pub auth_cert: Vec<u8>,"#,
        r#"#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::xroad_codec::xml::XmlText)]
           pub struct RequestIdType(pub i64);"#,
        r#"#[xml(root(name = "clientReg", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
           pub struct ClientReg(pub ClientRequestType);"#,
        "pub struct Client(pub super::identifiers::XRoadClientIdentifierType);",
        "pub struct Id(pub String);",
        r#"#[xml(root(name = "requestHash", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
           pub struct RequestHash { /// Attribute `algorithmId`.
           #[xml(attribute = "algorithmId")] pub algorithm_id: String,
           /// Text content.
           #[xml(text)] pub value: String, }"#,
        r#"pub const ADDRESS: &str = "http://INSERT_MANAGEMENT_SERVICE_ADDRESS_HERE";"#,
        r#"#[xml(namespace = "http://x-road.eu/xsd/xroad.xsd")] pub struct Header {"#,
        "pub service: super::identifiers::XRoadServiceIdentifierType,",
        "/// Responses only.
         #[xml(element = \"requestHash\")] pub request_hash: Option<super::xroad::RequestHash>,",
        r#"#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, ::xroad_codec::operation::Operation)]
           #[operation(name = "clientReg", header = Header, request = super::xroad::ClientReg,
           response = super::xroad::ClientRegResponse, parts(SoapMessage, Signature, SigningCertificate, OcspResponse))]
           pub struct ClientReg;"#,
        "pub const ALL: [OperationName; 2] = [OperationName::ClientReg, OperationName::AuthCertReg];",
        "Self::AuthCertReg => { <AuthCertReg as ::xroad_codec::operation::Operation>::PARTS }",
        r#""authCertReg" => Ok(Self::AuthCertReg),"#,
        "other => { Err(::xroad_codec::operation::UnknownOperation(other.to_owned())) }",
    ] {
        assert_has(&out, snippet);
    }
    assert!(!out.contains("crate ="));
    assert!(!out.contains("RequestHashElement"));
}

#[test]
fn fixed_object_type_is_a_container_attribute() {
    let file = parse(&emit(&mserv_model(), &Options::default()).unwrap());
    let server = find_struct(&file, "identifiers", "XRoadSecurityServerIdentifierType");
    assert_eq!(
        field_names(&server),
        [
            "x_road_instance",
            "member_class",
            "member_code",
            "server_code"
        ]
    );
    assert!(attrs_text(&server).contains("fixed=\"SERVER\""));
    assert!(!attrs_text(&server).contains("validate"));
    assert!(methods(&file, "identifiers", "XRoadSecurityServerIdentifierType").is_empty());

    // Every combination of SERVICE's optional codes is a shape: no validation needed.
    let service = find_struct(&file, "identifiers", "XRoadServiceIdentifierType");
    assert!(!field_names(&service).contains(&"object_type".to_owned()));
    assert!(!attrs_text(&service).contains("validate"));

    let client = find_struct(&file, "identifiers", "XRoadClientIdentifierType");
    assert_eq!(field_names(&client)[0], "object_type");
    assert!(attrs_text(&client).contains("validate=Self::validate"));
    assert_eq!(
        methods(&file, "identifiers", "XRoadClientIdentifierType"),
        ["validate"]
    );
    let base = find_struct(&file, "identifiers", "XRoadIdentifierType");
    assert_eq!(field_names(&base).len(), 9);
}

#[test]
fn fixed_type_with_invalid_combinations_validates() {
    let mut model = mserv_model();
    // SERVICE codes but only the shape without subsystem and version.
    let mut shapes_type = identifier_type(
        "XRoadServiceIdentifierType",
        &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("subsystemCode", false),
            ("serviceCode", true),
            ("serviceVersion", false),
        ],
        Some("SERVICE"),
        &["SERVICE"],
    );
    if let TypeDef::Complex(c) = &mut shapes_type {
        c.identifier.as_mut().unwrap().shapes.truncate(1);
    }
    model.types[3] = shapes_type;
    let out = emit(&model, &Options::default()).unwrap();
    assert_has(
        &out,
        r#"match (self.subsystem_code.is_some(), self.service_version.is_some(),) {
           (false, false,) => Ok(()),
           _ => { Err(::xroad_codec::identifier::IdentifierError::Shape { object_type: "SERVICE".to_owned(),
           expected: "4 codes".to_owned(),
           found: usize::from(self.subsystem_code.is_some()) + usize::from(self.service_version.is_some()) + 4, }) }"#,
    );
}

#[test]
fn other_runtime_path_adds_crate_argument() {
    let mut options = Options::default();
    options.runtime_crate("crate::rt");
    let out = emit(&mserv_model(), &options).unwrap();
    parse(&out);
    dump("runtime_path", &out);
    assert_has(
        &out,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, crate::rt::xml::XmlText)] #[xml(crate = \"crate::rt\")]",
    );
    assert_has(&out, "parts(SoapMessage), crate = \"crate::rt\")]");
    assert_has(
        &out,
        "#[xml(root(name = \"clientReg\", namespace = \"http://x-road.eu/xsd/xroad.xsd\"), crate = \"crate::rt\")]",
    );
    let mut bad = Options::default();
    bad.runtime_crate("not a path");
    assert!(matches!(emit(&mserv_model(), &bad), Err(Error::Options(_))));
}

/// A model with one namespace and the given types and elements.
fn small_model(types: Vec<TypeDef>, elements: Vec<Element>) -> Model {
    Model {
        source: PathBuf::from("small.wsdl"),
        namespaces: vec![
            namespace("urn:a", "a", Some("a")),
            namespace("urn:b", "b", None),
        ],
        types,
        elements,
        services: vec![],
    }
}

#[test]
fn escapes_field_names() {
    let fields = [
        "type",
        "self",
        "match",
        "1st",
        "XRoadInstance",
        "crate",
        "value",
        "x-y",
        "x_y",
    ]
    .iter()
    .map(|l| field("urn:a", l, string(), 1, Some(1)))
    .collect();
    let t = complex("urn:a", "Thing", Content::Sequence(fields), vec![]);
    let out = emit(
        &small_model(vec![TypeDef::Complex(t)], vec![]),
        &Options::bare(),
    )
    .unwrap();
    dump("fields", &out);
    let file = parse(&out);
    let s = find_struct(&file, "a", "Thing");
    assert_eq!(
        field_names(&s),
        [
            "r#type",
            "self_",
            "r#match",
            "_1st",
            "x_road_instance",
            "crate_",
            "value",
            "x_y",
            "x_y_2"
        ]
    );
    assert_has(&out, r#"#[xml(element = "self")] pub self_: String,"#);
}

#[test]
fn occurrences_and_namespaces() {
    let fields = vec![
        field("urn:a", "many", string(), 0, None),
        field("urn:a", "few", string(), 1, Some(5)),
        field("urn:b", "other", string(), 1, Some(1)),
        field("", "plain", string(), 1, Some(1)),
    ];
    let mut attr = attribute("", "kind", string(), false);
    attr.default = Some("big".into());
    let t = complex("urn:a", "List", Content::Sequence(fields), vec![attr]);
    let out = emit(
        &small_model(vec![TypeDef::Complex(t)], vec![]),
        &Options::bare(),
    )
    .unwrap();
    dump("occurrences", &out);
    parse(&out);
    for snippet in [
        r#"#[xml(namespace = "urn:a")] pub struct List {"#,
        "/// Defaults to `big` when absent.",
        r#"#[xml(attribute = "kind")] pub kind: Option<String>,"#,
        r#"#[xml(element = "many", min_occurs = 0, max_occurs = "unbounded")] pub many: Vec<String>,"#,
        r#"#[xml(element = "few", min_occurs = 1, max_occurs = 5)] pub few: Vec<String>,"#,
        r#"#[xml(element = "other", namespace = "urn:b")] pub other: String,"#,
        r#"#[xml(element = "plain", namespace = "")] pub plain: String,"#,
        "pub mod b {",
    ] {
        assert_has(&out, snippet);
    }
}

#[test]
fn floats_drop_eq_and_facets_get_a_constructor() {
    let t = complex(
        "urn:a",
        "Point",
        Content::Sequence(vec![field(
            "urn:a",
            "x",
            TypeRef::Builtin(Builtin::Double),
            1,
            Some(1),
        )]),
        vec![],
    );
    let simple = |local: &str, base: Builtin, facets: Facets| {
        TypeDef::Simple(SimpleType {
            name: q("urn:a", local),
            doc: None,
            location: loc(),
            kind: SimpleKind::Restriction {
                base: TypeRef::Builtin(base),
                facets,
            },
        })
    };
    let types = vec![
        TypeDef::Complex(t),
        simple(
            "Name",
            Builtin::String,
            Facets {
                min_length: Some(1),
                max_length: Some(10),
                ..Facets::default()
            },
        ),
        simple(
            "Percent",
            Builtin::Int,
            Facets {
                min_inclusive: Some("-5".into()),
                max_inclusive: Some("100".into()),
                ..Facets::default()
            },
        ),
        simple(
            "Count",
            Builtin::UnsignedInt,
            Facets {
                min_inclusive: Some("0".into()),
                ..Facets::default()
            },
        ),
        simple("Ratio", Builtin::Float, Facets::default()),
    ];
    let out = emit(&small_model(types, vec![]), &Options::bare()).unwrap();
    dump("facets", &out);
    parse(&out);
    for snippet in [
        "#[derive(Debug, Clone, PartialEq, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite)] #[xml(namespace = \"urn:a\")] pub struct Point",
        "pub fn new(value: String) -> Result<Self, ::xroad_codec::xml::TextError> {",
        "if value.is_empty() {",
        "if value.chars().count() > 10 {",
        "if *value < -5 {",
        "if *value > 100 {",
        "#[xml(validate = Self::validate)] pub struct Percent(pub i32);",
        "pub fn validate(&self) -> Result<(), ::xroad_codec::xml::TextError> {",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::xroad_codec::xml::XmlText)] pub struct Count(pub u32);",
        "#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, ::xroad_codec::xml::XmlText)] pub struct Ratio(pub f32);",
        "is read from XML or",
        "parsed, and by [`Name::new`]; a value built directly is not checked.",
    ] {
        assert_has(&out, snippet);
    }
    // minInclusive 0 on an unsigned type is no check at all.
    assert!(!out.contains("impl Count"));

    let bad = simple(
        "Bad",
        Builtin::Boolean,
        Facets {
            max_inclusive: Some("1".into()),
            ..Facets::default()
        },
    );
    assert!(matches!(
        emit(&small_model(vec![bad], vec![]), &Options::bare()),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn element_newtype_named_like_a_type_gets_a_suffix() {
    let t = complex("urn:a", "thing", Content::Empty, vec![]);
    let e = element("urn:a", "Thing", string());
    let out = emit(
        &small_model(vec![TypeDef::Complex(t.clone())], vec![e.clone()]),
        &Options::bare(),
    )
    .unwrap();
    assert_has(&out, "pub struct ThingElement(pub String);");
    assert_has(&out, "pub struct Thing {}");

    let clash = complex("urn:a", "ThingElement", Content::Empty, vec![]);
    let err = emit(
        &small_model(
            vec![TypeDef::Complex(t.clone()), TypeDef::Complex(clash)],
            vec![e],
        ),
        &Options::bare(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::NameClash { rust, .. } if rust == "ThingElement"),
        "{err}"
    );

    let twin = complex("urn:a", "Thing_", Content::Empty, vec![]);
    let err = emit(
        &small_model(vec![TypeDef::Complex(t), TypeDef::Complex(twin)], vec![]),
        &Options::bare(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NameClash { .. }));

    let prelude = complex("urn:a", "string", Content::Empty, vec![]);
    assert!(matches!(
        emit(
            &small_model(vec![TypeDef::Complex(prelude)], vec![]),
            &Options::bare()
        ),
        Err(Error::NameClash { .. })
    ));
}

#[test]
fn reports_bad_references() {
    let t = complex(
        "urn:a",
        "T",
        Content::Sequence(vec![field(
            "urn:a",
            "x",
            named("urn:a", "Missing"),
            1,
            Some(1),
        )]),
        vec![],
    );
    assert!(matches!(
        emit(
            &small_model(vec![TypeDef::Complex(t)], vec![]),
            &Options::bare()
        ),
        Err(Error::Unresolved { kind: "type", .. })
    ));
    let t = complex(
        "urn:a",
        "T",
        Content::Sequence(vec![field(
            "urn:a",
            "x",
            TypeRef::Extern("not a type!".into()),
            1,
            Some(1),
        )]),
        vec![],
    );
    assert!(matches!(
        emit(
            &small_model(vec![TypeDef::Complex(t)], vec![]),
            &Options::bare()
        ),
        Err(Error::Options(_))
    ));
    let t = complex("urn:nowhere", "T", Content::Empty, vec![]);
    assert!(matches!(
        emit_tokens(
            &small_model(vec![TypeDef::Complex(t)], vec![]),
            &Options::bare()
        ),
        Err(Error::Unresolved {
            kind: "namespace",
            ..
        })
    ));
}

#[test]
fn enum_values_become_variants() {
    let values = ["a-b", "a_b", "1.0", "type", "Self"]
        .iter()
        .map(|v| EnumValue {
            value: (*v).into(),
            doc: None,
        })
        .collect();
    let e = TypeDef::Simple(SimpleType {
        name: q("urn:a", "Kind"),
        doc: None,
        location: loc(),
        kind: SimpleKind::Enumeration {
            base: string(),
            values,
        },
    });
    let out = emit(&small_model(vec![e], vec![]), &Options::bare()).unwrap();
    dump("enum", &out);
    parse(&out);
    for snippet in [
        r#"#[xml(value = "a-b")] AB,"#,
        r#"#[xml(value = "a_b")] AB2,"#,
        r#"#[xml(value = "1.0")] _10,"#,
        r#"#[xml(value = "type")] Type,"#,
        r#"#[xml(value = "Self")] Self_,"#,
    ] {
        assert_has(&out, snippet);
    }
}

#[test]
fn real_wsdl_when_the_parser_is_ready() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wsdl/centralservice.wsdl");
    let options = Options::default();
    let Ok(model) = std::panic::catch_unwind(|| crate::parse::parse_file(&path, &options)) else {
        eprintln!("parser not ready (panicked); skipping");
        return;
    };
    let model = match model {
        Ok(model) => model,
        Err(e) => {
            eprintln!("parser not ready ({e}); skipping");
            return;
        }
    };
    let out = emit(&model, &options).unwrap();
    assert_eq!(out, emit(&model, &options).unwrap());
    parse(&out);
    dump("centralservice", &out);
    assert_has(&out, "pub struct XRoadSecurityServerIdentifierType {");
    for snippet in [
        "pub struct ClientReg;",
        r#"#[xml(root(name = "requestHash", namespace = "http://x-road.eu/xsd/xroad.xsd"))] pub struct RequestHash {"#,
        "pub struct Client(pub super::identifiers::XRoadClientIdentifierType);",
        "pub request_hash: Option<super::xroad::RequestHash>,",
        "parts(SoapMessage, AuthKeySignature, Signature, AuthCertificate, SigningCertificate, OcspResponse)",
        "pub const ALL: [OperationName; 5]",
    ] {
        assert_has(&out, snippet);
    }
}

#[test]
fn rejects_types_of_infinite_size() {
    let node = |max| {
        complex(
            "urn:a",
            "Node",
            Content::Sequence(vec![field("urn:a", "next", named("urn:a", "Node"), 0, max)]),
            vec![],
        )
    };
    let out = emit(
        &small_model(vec![TypeDef::Complex(node(None))], vec![]),
        &Options::bare(),
    )
    .unwrap();
    assert_has(&out, "pub next: Vec<Node>,");
    assert!(matches!(
        emit(
            &small_model(vec![TypeDef::Complex(node(Some(1)))], vec![]),
            &Options::bare()
        ),
        Err(Error::Unsupported { .. })
    ));
}

//! Tests of the emitter on hand-built models.

use std::path::PathBuf;

use super::{emit, emit_tokens};
use crate::error::Error;
use crate::model::*;
use crate::options::{
    Endpoint, IDENTIFIER_CODES, IDENTIFIERS_NS, Options, Signer, XROAD_NS, identifier_shapes,
};

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
        nillable: false,
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
        any_attribute: None,
        group: false,
        all: false,
        is_abstract: false,
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
    let part = |name: &str, ty: TypeRef, always: bool| HeaderPart {
        name: name.into(),
        element: q(XROAD_NS, name),
        ty,
        doc: None,
        profile_doc: None,
        always,
        in_input: always,
        in_output: true,
        protocol_version: name == "protocolVersion",
        prefix: None,
    };
    let role = |local: &str, ty: TypeRef, optional: bool| Role {
        local: local.into(),
        ty,
        optional,
    };
    let body = |element: &str, ty: &str, client: bool, auth_cert: bool| Body {
        element: q(XROAD_NS, element),
        ty: q(XROAD_NS, ty),
        server: role("server", id("XRoadSecurityServerIdentifierType"), false),
        client: client.then(|| role("client", id("XRoadClientIdentifierType"), false)),
        auth_cert: auth_cert
            .then(|| role("authCert", TypeRef::Builtin(Builtin::Base64Binary), false)),
        address: auth_cert.then(|| role("address", string(), true)),
        request_id: Some(role("requestId", xr("RequestIdType"), true)),
        client_type: id("XRoadClientIdentifierType"),
    };
    let operation = |name: &str, ty: &str, signers: &[Signer], source: OperationSource| {
        let registration = signers.contains(&Signer::AuthenticationKey);
        let response = format!("{name}Response");
        Operation {
            name: name.into(),
            doc: None,
            input: q(XROAD_NS, name),
            output: q(XROAD_NS, &response),
            input_headers: vec![],
            output_headers: vec![],
            description: Some(Description {
                endpoint: if registration {
                    Endpoint::Registration
                } else {
                    Endpoint::Manage
                },
                parts: crate::parse::layout(signers),
                request_hash: !registration,
                doc: None,
                request: body(name, ty, !registration, registration),
                response: body(&response, ty, !registration, registration),
                echo: if registration {
                    vec!["server".into(), "address".into(), "authCert".into()]
                } else {
                    vec!["server".into(), "client".into()]
                },
            }),
            source,
        }
    };
    Model {
        source: PathBuf::from("wsdl/centralservice.wsdl"),
        inputs: vec![PathBuf::from("wsdl/centralservice.wsdl")],
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
                    part("client", id("XRoadClientIdentifierType"), true),
                    part("service", id("XRoadServiceIdentifierType"), true),
                    part("id", string(), true),
                    part("protocolVersion", string(), true),
                    part("requestHash", xr("requestHash"), false),
                ],
            }),
            operations: vec![
                operation(
                    "clientReg",
                    "ClientRequestType",
                    &[Signer::ClientOwner],
                    OperationSource::Wsdl(loc()),
                ),
                operation(
                    "authCertReg",
                    "AuthCertRegRequestType",
                    &[Signer::AuthenticationKey, Signer::ServerOwner],
                    OperationSource::Options,
                ),
            ],
            location: loc(),
        }],
        skipped: vec![],
    }
}

/// The X-Road profile generating the identifier types and header itself (as for
/// `xroad-mserv`), types only.
fn compiled() -> Options {
    let mut options = Options::default();
    options
        .compile_xroad_types()
        .emit_client(false)
        .emit_server(false);
    options
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

/// The doc comment of `s`, its lines joined with spaces.
fn doc_text(s: &syn::ItemStruct) -> String {
    let lines: Vec<String> = s
        .attrs
        .iter()
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }) => Some(text.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join(" ")
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
    let options = compiled();
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
    let out = emit(&mserv_model(), &compiled()).unwrap();
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
        r#"/// The request body of the `clientReg` operation (element `clientReg`, namespace
           /// `http://x-road.eu/xsd/xroad.xsd`).
           #[derive(Debug, Clone, PartialEq, Eq, Hash, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite)]
           #[xml(root(name = "clientReg", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
           pub struct ClientReg(pub ClientRequestType);"#,
        // A field without documentation of its own takes its type's.
        r#"/// For responses only, unique identifier of the request.
           #[xml(element = "requestId")] pub request_id: Option<RequestIdType>,"#,
        "pub struct Client(pub super::identifiers::XRoadClientIdentifierType);",
        "pub struct Id(pub String);",
        r#"#[xml(root(name = "requestHash", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
           pub struct RequestHash { /// The `algorithmId` attribute.
           #[xml(attribute = "algorithmId")] pub algorithm_id: String,
           /// Text content.
           #[xml(text)] pub value: String, }"#,
        r#"pub const ADDRESS: &str = "http://INSERT_MANAGEMENT_SERVICE_ADDRESS_HERE";"#,
        r#"#[xml(namespace = "http://x-road.eu/xsd/xroad.xsd", any_order)] pub struct Header {"#,
        "pub service: super::identifiers::XRoadServiceIdentifierType,",
        "/// Responses only.
         #[xml(element = \"requestHash\")] pub request_hash: Option<super::xroad::RequestHash>,",
        "pub fn request(client: super::identifiers::XRoadClientIdentifierType,
         service: super::identifiers::XRoadServiceIdentifierType, id: impl Into<String>) -> Self {
         Self { client, service, id: id.into(),
         protocol_version: ::xroad_codec::header::PROTOCOL_VERSION.to_owned(), request_hash: None }",
        "use ::xroad_codec::operation::{BodyFields, EchoMismatch, Endpoint, ManagementBody,
         MimePart, Operation, OperationDescription, Signer, UnknownOperation};",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)] pub struct ClientReg;",
        r#"impl Operation for ClientReg { const NAME: &'static str = "clientReg";
           const DESCRIPTION: &'static OperationDescription = &OperationDescription {
           name: "clientReg", endpoint: Endpoint::Manage,
           parts: &[MimePart::Soap, MimePart::Signature { signer: Signer::ClientOwner, certificate: 2, ocsp: Some(3) },
           MimePart::Certificate, MimePart::OcspResponse],
           fields: BodyFields { client: true, auth_cert: false, address: false },
           request_hash: true, echo: &["server", "client"] };
           type Header = Header; type Request = super::xroad::ClientReg; type Response = super::xroad::ClientRegResponse;"#,
        "fn respond(request: &Self::Request, request_id: i64) -> Self::Response {
         super::xroad::ClientRegResponse(super::xroad::ClientRequestType {
         server: request.0.server.clone(), client: request.0.client.clone(),
         request_id: Some(super::xroad::RequestIdType(request_id)) }) }",
        r#"fn check_echo(request: &Self::Request, response: &Self::Response) -> Result<(), EchoMismatch> {
           if response.0.server != request.0.server { return Err(EchoMismatch { element: "server" }); }
           if response.0.client != request.0.client { return Err(EchoMismatch { element: "client" }); }
           Ok(()) }"#,
        "impl ManagementBody for super::xroad::ClientRegResponse {
         type Server = super::identifiers::XRoadSecurityServerIdentifierType;
         type Client = super::identifiers::XRoadClientIdentifierType;
         fn server(&self) -> &Self::Server { &self.0.server }
         fn client(&self) -> Option<&Self::Client> { Some(&self.0.client) }
         fn request_id(&self) -> Option<i64> { self.0.request_id.map(|id| id.0) } }",
        r#"endpoint: Endpoint::Registration, parts: &[MimePart::Soap,
           MimePart::Signature { signer: Signer::AuthenticationKey, certificate: 3, ocsp: None },
           MimePart::Signature { signer: Signer::ServerOwner, certificate: 4, ocsp: Some(5) },
           MimePart::Certificate, MimePart::Certificate, MimePart::OcspResponse],
           fields: BodyFields { client: false, auth_cert: true, address: true },
           request_hash: false, echo: &["server", "address", "authCert"] };"#,
        "fn auth_cert(&self) -> Option<&[u8]> { Some(self.0.auth_cert.as_slice()) }
         fn address(&self) -> Option<&str> { self.0.address.as_deref() }",
        "pub const ALL: [OperationName; 2] = [OperationName::ClientReg, OperationName::AuthCertReg];",
        "Self::AuthCertReg => <AuthCertReg as Operation>::DESCRIPTION,",
        r#""authCertReg" => Ok(Self::AuthCertReg),"#,
        "other => Err(UnknownOperation(other.to_owned())),",
    ] {
        assert_has(&out, snippet);
    }
    // Without a doc in the profile or the WSDL, the description says what the operation is.
    let file = parse(&out);
    assert_eq!(
        doc_text(&find_struct(&file, "centralservice", "ClientReg")),
        "The `clientReg` operation: an X-Road message to the management services, signed by \
         the client's owner."
    );
    assert_eq!(
        doc_text(&find_struct(&file, "centralservice", "AuthCertReg")),
        "The `authCertReg` operation: a request posted to the central server directly, signed \
         by the authentication key and the security server's owner."
    );
    // `type Client` of a body without `client` is the profile's client type.
    let reg_body = &out[out
        .find("impl ManagementBody for super::xroad::AuthCertReg ")
        .unwrap()..];
    assert_has(
        reg_body,
        "type Client = super::identifiers::XRoadClientIdentifierType;",
    );
    assert!(!out.contains("crate ="));
    assert!(!out.contains("RequestHashElement"));
}

#[test]
fn fixed_object_type_is_a_container_attribute() {
    let file = parse(&emit(&mserv_model(), &compiled()).unwrap());
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
    let out = emit(&model, &compiled()).unwrap();
    // One row per allowed shape, and one helper call instead of a match on every code.
    assert_has(
        &out,
        r#"pub const SHAPES: &'static [::xroad_codec::identifier::Shape] = &[
           ::xroad_codec::identifier::Shape::new("SERVICE", &["xRoadInstance", "memberClass", "memberCode", "serviceCode"]),
        ];"#,
    );
    assert_has(
        &out,
        r#"::xroad_codec::identifier::check_shape("SERVICE", &[
           ("xRoadInstance", true), ("memberClass", true), ("memberCode", true),
           ("subsystemCode", self.subsystem_code.is_some()), ("serviceCode", true),
           ("serviceVersion", self.service_version.is_some()),
        ], Self::SHAPES)"#,
    );
    assert!(
        !out.contains("match (self.subsystem_code.is_some()"),
        "{out}"
    );
}

#[test]
fn other_runtime_path_adds_crate_argument() {
    let mut options = compiled();
    options.runtime_crate("crate::rt");
    let out = emit(&mserv_model(), &options).unwrap();
    parse(&out);
    dump("runtime_path", &out);
    assert_has(
        &out,
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, crate::rt::xml::XmlText)] #[xml(crate = \"crate::rt\")]",
    );
    assert_has(&out, "use crate::rt::operation::{BodyFields,");
    assert_has(
        &out,
        "#[xml(namespace = \"http://x-road.eu/xsd/xroad.xsd\", any_order, crate = \"crate::rt\")]",
    );
    assert_has(
        &out,
        "#[xml(root(name = \"clientReg\", namespace = \"http://x-road.eu/xsd/xroad.xsd\"), crate = \"crate::rt\")]",
    );
    let mut bad = compiled();
    bad.runtime_crate("not a path");
    assert!(matches!(emit(&mserv_model(), &bad), Err(Error::Options(_))));
}

/// A model with one namespace and the given types and elements.
fn small_model(types: Vec<TypeDef>, elements: Vec<Element>) -> Model {
    Model {
        source: PathBuf::from("small.wsdl"),
        inputs: vec![PathBuf::from("small.wsdl")],
        namespaces: vec![
            namespace("urn:a", "a", Some("a")),
            namespace("urn:b", "b", None),
        ],
        types,
        elements,
        services: vec![],
        skipped: vec![],
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
fn real_wsdl_with_the_default_profile_reuses_xroad_mserv() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wsdl/centralservice.wsdl");
    let options = Options::default();
    let model = crate::parse::parse_file(&path, &options).unwrap_or_else(|e| panic!("{e}"));
    let out = emit(&model, &options).unwrap();
    assert_eq!(out, emit(&model, &options).unwrap());
    parse(&out);
    dump("centralservice", &out);
    // The identifier types and the header are those of `xroad-mserv`, not generated.
    assert!(!out.contains("pub mod identifiers"), "{out}");
    assert!(!out.contains("pub struct Header"), "{out}");
    for snippet in [
        r#"("id", "http://x-road.eu/xsd/identifiers"), ("xroad", "http://x-road.eu/xsd/xroad.xsd")"#,
        "pub server: ::xroad_mserv::identifiers::XRoadSecurityServerIdentifierType,",
        "pub struct ClientReg;",
        "type Header = ::xroad_mserv::centralservice::Header;",
        "type Client = ::xroad_mserv::identifiers::XRoadClientIdentifierType;",
        r#"#[xml(root(name = "requestHash", namespace = "http://x-road.eu/xsd/xroad.xsd"))] pub struct RequestHash {"#,
        "pub const ALL: [OperationName; 11]",
        "pub mod centralservice_client { use ::xroad_runtime::client::{ManagementClient, ManagementError};
         use super::{centralservice, xroad};",
        "pub async fn maintenance_mode_enable(&self, request: xroad::MaintenanceModeEnable)
         -> Result<xroad::MaintenanceModeEnableResponse, ManagementError> {
         self.inner.call::<centralservice::MaintenanceModeEnable>(request).await }",
        "pub mod centralservice_server {",
        r#""addressChange" => Some(centralservice::AddressChange::DESCRIPTION),"#,
    ] {
        assert_has(&out, snippet);
    }
}

#[test]
fn types_from_another_crate_emit_client_and_server_only() {
    let mut options = Options::default();
    options
        .types_from("::xroad_mserv")
        .service_runtime("crate::rt");
    let out = emit(&mserv_model(), &options).unwrap();
    parse(&out);
    dump("service", &out);
    assert!(!out.contains("NAMESPACES"), "{out}");
    assert!(!out.contains("impl Operation"), "{out}");
    for snippet in [
        "pub mod centralservice_client { use ::xroad_mserv::{centralservice, xroad};
         use crate::rt::client::{ManagementClient, ManagementError};",
        "#[derive(Debug, Clone)] pub struct CentralserviceClient { inner: ManagementClient, }",
        "pub fn new(inner: ManagementClient) -> Self { Self { inner } }",
        "pub fn into_inner(self) -> ManagementClient { self.inner }",
        "pub async fn client_reg(&self, request: xroad::ClientReg)
         -> Result<xroad::ClientRegResponse, ManagementError> {
         self.inner.call::<centralservice::ClientReg>(request).await }",
        "use ::std::future::Future; use ::std::sync::Arc;
         use ::xroad_codec::operation::{Operation, OperationDescription};
         use ::xroad_mserv::centralservice;
         use crate::rt::fault::Fault;
         use crate::rt::service::{Answer, Answered, Call, Dispatch, Incoming};",
        "pub trait Centralservice: Send + Sync + 'static {",
        "fn auth_cert_reg(&self, request: Incoming<centralservice::AuthCertReg>)
         -> impl Future<Output = Result<Answer, Fault>> + Send;",
        "#[derive(Debug)] pub struct CentralserviceServer<S> { inner: Arc<S>, }",
        "impl<S: Centralservice> Dispatch for CentralserviceServer<S> {",
        r#""clientReg" => Some(centralservice::ClientReg::DESCRIPTION),"#,
        "pub const OPERATIONS: &'static [&'static OperationDescription] = &[
         centralservice::ClientReg::DESCRIPTION,",
        "fn operations(&self) -> &'static [&'static OperationDescription] { Self::OPERATIONS }",
        "async fn dispatch<'a>(&'a self, call: Call<'a>) -> Result<Answered, Fault> {
         match call.service_code() {",
        r#""clientReg" => call.serve(|request| self.inner.client_reg(request)).await,"#,
        "_ => Err(call.unknown()),",
    ] {
        assert_has(&out, snippet);
    }
    let mut both = options.clone();
    both.emit_types(true);
    assert!(matches!(
        emit(&mserv_model(), &both),
        Err(Error::Options(_))
    ));
}

#[test]
fn an_imported_name_taken_by_a_generated_item_keeps_its_full_path() {
    let mut model = mserv_model();
    // A type `Signer` in the service's own namespace.
    model.types.push(TypeDef::Complex(complex(
        TNS,
        "Signer",
        Content::Empty,
        vec![],
    )));
    let out = emit(&model, &compiled()).unwrap();
    parse(&out);
    assert_has(
        &out,
        "signer: ::xroad_codec::operation::Signer::ClientOwner",
    );
    assert!(!out.contains("OperationDescription, Signer,"), "{out}");
}

#[test]
fn method_names_that_clash_are_errors() {
    let mut model = mserv_model();
    model.services[0].operations[1].name = "client_reg".into();
    let err = emit(&model, &Options::default()).unwrap_err();
    assert!(
        matches!(&err, Error::NameClash { rust, .. } if rust == "client_reg"),
        "{err}"
    );
    let mut model = mserv_model();
    model.services[0].operations[1].name = "new".into();
    let err = emit(&model, &Options::default()).unwrap_err();
    assert!(
        err.to_string().contains("the generated method `new`"),
        "{err}"
    );
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

#[test]
fn types_without_documentation_are_described_by_the_elements_they_are_the_content_of() {
    let wsdl = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/centralservice.wsdl");
    let code = crate::generate_file(&wsdl, &compiled())
        .expect("generates")
        .code;
    for doc in [
        "/// The content of the `clientReg` and `clientRegResponse` elements.",
        "/// The content of the `client` element, restricting `XRoadIdentifierType`.",
        "/// The `algorithmId` attribute.",
    ] {
        assert!(code.contains(doc), "missing {doc}");
    }
    // Names in documentation are local names, never `{namespace}local`.
    let clark: Vec<&str> = code
        .lines()
        .filter(|l| l.trim_start().starts_with("///") && l.contains("`{"))
        .collect();
    assert!(clark.is_empty(), "{clark:#?}");
}

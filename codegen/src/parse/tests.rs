//! Tests of the parser on the Annex B WSDL and on small snippets.

use std::path::{Path, PathBuf};

use super::{parse_file, parse_str};
use crate::error::Error;
use crate::model::{
    Builtin, ComplexType, Content, DerivationKind, MimePart, Model, OperationSource, QName,
    SimpleKind, TypeDef, TypeRef,
};
use crate::options::{Endpoint, ExtraOperation, IDENTIFIERS_NS, Options, Signer, XROAD_NS};

fn wsdl_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/centralservice.wsdl")
}

fn central(options: &Options) -> Model {
    match parse_file(&wsdl_path(), options) {
        Ok(model) => model,
        Err(e) => panic!("{e}"),
    }
}

fn complex<'m>(model: &'m Model, ns: &str, local: &str) -> &'m ComplexType {
    let name = QName::new(ns, local);
    model
        .types
        .iter()
        .find_map(|t| match t {
            TypeDef::Complex(c) if c.name == name => Some(c),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no complex type {name}"))
}

fn shapes(c: &ComplexType) -> Vec<(String, Vec<String>)> {
    c.identifier
        .as_ref()
        .map(|i| {
            i.shapes
                .iter()
                .map(|s| (s.object_type.clone(), s.codes.clone()))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn central_service_with_default_options() {
    let model = central(&Options::default());
    let modules: Vec<_> = model.namespaces.iter().map(|n| n.module.as_str()).collect();
    assert_eq!(modules, ["identifiers", "xroad", "centralservice"]);
    let prefixes: Vec<_> = model
        .namespaces
        .iter()
        .map(|n| n.prefix.as_deref())
        .collect();
    assert_eq!(prefixes, [Some("id"), Some("xroad"), Some("tns")]);

    assert_eq!(model.services.len(), 1);
    let service = &model.services[0];
    assert_eq!(service.name, "centralservice");
    assert_eq!(service.namespace, "http://x-road.eu/centralservice/");
    assert_eq!(
        service.address.as_deref(),
        Some("http://INSERT_MANAGEMENT_SERVICE_ADDRESS_HERE")
    );
    let names: Vec<_> = service.operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "clientReg",
            "clientDeletion",
            "clientDisable",
            "clientEnable",
            "clientRename",
            "authCertDeletion",
            "ownerChange",
            "addressChange",
            "maintenanceModeEnable",
            "maintenanceModeDisable",
            "authCertReg"
        ]
    );
    assert!(service.operations.iter().all(|o| o.description.is_some()));
    let reg = &service.operations[10];
    assert_eq!(reg.source, OperationSource::Options);
    assert_eq!(reg.input, QName::new(XROAD_NS, "authCertReg"));
    let description = reg.description.as_ref().unwrap();
    assert_eq!(description.endpoint, Endpoint::Registration);
    assert!(!description.request_hash);
    assert_eq!(description.parts.len(), 6);
    assert_eq!(
        description.parts[1],
        MimePart::Signature {
            signer: Signer::AuthenticationKey,
            certificate: 3,
            ocsp: None
        }
    );
    assert_eq!(description.echo, ["server", "address", "authCert"]);
    let body = &description.request;
    assert!(body.client.is_none());
    assert_eq!(body.address.as_ref().map(|r| r.optional), Some(true));
    assert_eq!(body.auth_cert.as_ref().map(|r| r.optional), Some(false));
    assert_eq!(
        body.client_type,
        TypeRef::Named(QName::new(IDENTIFIERS_NS, "XRoadClientIdentifierType"))
    );
    assert_eq!(reg.output_headers.len(), 5);
    let client_reg = service.operations[0].description.as_ref().unwrap();
    assert_eq!(client_reg.parts.len(), 4);
    assert_eq!(client_reg.echo, ["server", "client", "subsystemName"]);
    assert!(client_reg.request_hash);
    let deletion = service.operations[1].description.as_ref().unwrap();
    assert_eq!(deletion.parts, [MimePart::Soap]);
    let maintenance = service.operations[8].description.as_ref().unwrap();
    assert_eq!(maintenance.echo, ["server", "message"]);
    assert!(matches!(
        service.operations[0].source,
        OperationSource::Wsdl(_)
    ));

    // The WSDL's header parts and the profile's, in the order the reference writes them.
    let header = service.header.as_ref().expect("header");
    assert_eq!(header.message, "requestheader");
    let parts: Vec<_> = header.parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        parts,
        [
            "client",
            "service",
            "securityServer",
            "id",
            "userId",
            "representedParty",
            "issue",
            "protocolVersion",
            "requestHash"
        ]
    );
    let hash = &header.parts[8];
    assert!(!hash.always && !hash.in_input && hash.in_output);
    assert!(header.parts[0].always);
    assert_eq!(hash.element, QName::new(XROAD_NS, "requestHash"));
    assert!(header.parts[7].protocol_version);
    let party = &header.parts[5];
    assert!(!party.always && party.in_input && party.in_output);
    assert_eq!(
        party.ty,
        TypeRef::Extern("::xroad_codec::header::RepresentedParty".into())
    );
    assert_eq!(party.prefix.as_deref(), Some("repr"));
    assert_eq!(
        header.parts[2].ty,
        TypeRef::Named(QName::new(
            IDENTIFIERS_NS,
            "XRoadSecurityServerIdentifierType"
        ))
    );
    assert!(header.parts[0].profile_doc.is_some());

    // Identifier semantics.
    let base = complex(&model, IDENTIFIERS_NS, "XRoadIdentifierType");
    let id = base.identifier.as_ref().expect("base identifier");
    assert_eq!(
        id.object_type_attribute,
        QName::new(IDENTIFIERS_NS, "objectType")
    );
    assert_eq!(id.fixed, None);
    let mut objects: Vec<_> = shapes(base).into_iter().map(|s| s.0).collect();
    assert_eq!(objects.len(), 7);
    objects.dedup();
    assert_eq!(objects, ["MEMBER", "SUBSYSTEM", "SERVER", "SERVICE"]);
    let attr = &base.attributes[0];
    assert!(attr.required);
    assert_eq!(
        attr.ty,
        TypeRef::Named(QName::new(IDENTIFIERS_NS, "XRoadObjectType"))
    );
    let Content::Sequence(fields) = &base.content else {
        panic!("sequence")
    };
    assert_eq!(fields.len(), 7);
    assert_eq!(fields[0].min_occurs, 0);
    assert_eq!(
        fields[0].ty,
        TypeRef::Extern("::xroad_codec::identifier::Code".into())
    );
    assert_eq!(
        fields[0].doc.as_deref(),
        Some("Identifies the X-Road instance. This field is applicable to all identifier types.")
    );

    let client = complex(&model, IDENTIFIERS_NS, "XRoadClientIdentifierType");
    assert_eq!(
        shapes(client),
        vec![
            (
                "MEMBER".to_owned(),
                strings(&["xRoadInstance", "memberClass", "memberCode"])
            ),
            (
                "SUBSYSTEM".to_owned(),
                strings(&[
                    "xRoadInstance",
                    "memberClass",
                    "memberCode",
                    "subsystemCode"
                ])
            ),
        ]
    );
    let derivation = client.base.as_ref().expect("derived");
    assert_eq!(derivation.kind, DerivationKind::Restriction);
    assert_eq!(client.attributes.len(), 1);
    assert!(client.attributes[0].required);

    // 1.20 no longer fixes the object type of a server identifier; the codes leave SERVER.
    let server = complex(&model, IDENTIFIERS_NS, "XRoadSecurityServerIdentifierType");
    let sid = server.identifier.as_ref().expect("server identifier");
    assert_eq!(sid.fixed, None);
    assert_eq!(
        shapes(server),
        vec![(
            "SERVER".to_owned(),
            strings(&["xRoadInstance", "memberClass", "memberCode", "serverCode"])
        )]
    );
    let svc = complex(&model, IDENTIFIERS_NS, "XRoadServiceIdentifierType");
    let svc_shapes = shapes(svc);
    assert_eq!(svc_shapes.len(), 4);
    assert!(svc_shapes.iter().all(|s| s.0 == "SERVICE"));

    // requestHash: anonymous type with simple content.
    let hash_ty = complex(&model, XROAD_NS, "requestHash");
    assert_eq!(
        hash_ty.content,
        Content::Simple(TypeRef::Builtin(Builtin::String))
    );
    assert_eq!(hash_ty.attributes.len(), 1);
    assert_eq!(hash_ty.attributes[0].name, QName::new("", "algorithmId"));
    assert!(hash_ty.attributes[0].required);
    let hash_el = model
        .elements
        .iter()
        .find(|e| e.name.local == "requestHash")
        .expect("requestHash element");
    assert_eq!(
        hash_el.ty,
        TypeRef::Named(QName::new(XROAD_NS, "requestHash"))
    );

    // RequestIdType, authCert, elementFormDefault.
    let request_id = model
        .types
        .iter()
        .find(|t| t.name().local == "RequestIdType")
        .expect("RequestIdType");
    let TypeDef::Simple(request_id) = request_id else {
        panic!("simple")
    };
    assert_eq!(
        request_id.kind,
        SimpleKind::Restriction {
            base: TypeRef::Builtin(Builtin::Long),
            facets: Default::default()
        }
    );
    assert_eq!(
        request_id.doc.as_deref(),
        Some(
            "For responses only, unique identifier of the request that is stored in the \
             Central Server database."
        )
    );
    let reg_ty = complex(&model, XROAD_NS, "AuthCertRegRequestType");
    let Content::Sequence(fields) = &reg_ty.content else {
        panic!("sequence")
    };
    assert_eq!(fields[0].name, QName::new(XROAD_NS, "server"));
    assert_eq!(
        fields[0].ty,
        TypeRef::Named(QName::new(
            IDENTIFIERS_NS,
            "XRoadSecurityServerIdentifierType"
        ))
    );
    assert_eq!(fields[1].ty, TypeRef::Builtin(Builtin::String));
    assert_eq!(fields[2].name.local, "authCert");
    assert_eq!(fields[2].ty, TypeRef::Builtin(Builtin::Base64Binary));
    assert_eq!(
        fields[3].ty,
        TypeRef::Named(QName::new(XROAD_NS, "RequestIdType"))
    );

    // Elements: only message parts, in schema order.
    let elements: Vec<_> = model
        .elements
        .iter()
        .map(|e| e.name.local.as_str())
        .collect();
    assert_eq!(elements.len(), 27);
    assert_eq!(
        elements[..4],
        [
            "clientReg",
            "clientRegResponse",
            "clientDeletion",
            "clientDeletionResponse"
        ]
    );
    assert_eq!(
        elements[22..],
        ["client", "service", "id", "protocolVersion", "requestHash"]
    );
    let base_doc = base.doc.as_deref().expect("doc");
    assert!(base_doc.starts_with("Globally unique identifier in the X-Road system. Identifier"));
    assert!(!base_doc.contains('\n'));
}

#[test]
fn central_service_with_bare_options() {
    let model = central(&Options::bare());
    let service = &model.services[0];
    assert_eq!(service.operations.len(), 10);
    assert!(service.operations.iter().all(|o| o.description.is_none()));
    let base = complex(&model, IDENTIFIERS_NS, "XRoadIdentifierType");
    assert!(base.identifier.is_none());
    let Content::Sequence(fields) = &base.content else {
        panic!("sequence")
    };
    assert_eq!(fields[0].ty, TypeRef::Builtin(Builtin::String));
    assert_eq!(fields[0].name, QName::new(IDENTIFIERS_NS, "xRoadInstance"));
    let header = service.header.as_ref().expect("header");
    assert_eq!(header.parts.len(), 5, "no profile fields");
    let hash = &header.parts[4];
    assert!(hash.in_output && !hash.in_input);
    assert!(hash.profile_doc.is_none() && !header.parts[3].protocol_version);
}

#[test]
fn the_1_15_wsdl_is_described_by_the_1_20_profile() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/wsdl/centralservice-1.15.wsdl");
    let model = parse_file(&path, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let service = &model.services[0];
    assert_eq!(service.operations.len(), 5);
    assert!(service.operations.iter().all(|o| o.description.is_some()));
    assert!(crate::warnings(&model, &Options::default()).is_empty());
    // 1.15 fixes the server identifier's object type.
    let server = complex(&model, IDENTIFIERS_NS, "XRoadSecurityServerIdentifierType");
    assert_eq!(server.attributes[0].fixed.as_deref(), Some("SERVER"));
}

// ---- snippets ----

const HEAD: &str = r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" xmlns:tns="urn:svc" targetNamespace="urn:svc">"#;

/// A WSDL with one operation `op` (elements `t:req`, `t:resp`) around `schema` content.
fn wsdl_with(schema: &str) -> String {
    format!(
        r#"{HEAD}
<wsdl:types><xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
{schema}
</xs:schema></wsdl:types>
<wsdl:message name="req"><wsdl:part name="p" element="t:req"/></wsdl:message>
<wsdl:message name="resp"><wsdl:part name="p" element="t:resp"/></wsdl:message>
<wsdl:portType name="pt"><wsdl:operation name="op"><wsdl:input message="tns:req"/><wsdl:output message="tns:resp"/></wsdl:operation></wsdl:portType>
<wsdl:binding name="b" type="tns:pt"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
<wsdl:operation name="op"><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding>
<wsdl:service name="svc"><wsdl:port name="p" binding="tns:b"><soap:address location="http://x"/></wsdl:port></wsdl:service>
</wsdl:definitions>"#
    )
}

const BASIC: &str = r#"<xs:element name="req" type="t:T"/><xs:element name="resp" type="xs:string"/>
<xs:complexType name="T"><xs:sequence><xs:element name="a" type="xs:int" maxOccurs="unbounded"/>
<xs:element name="b"><xs:complexType><xs:sequence><xs:element name="c" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
</xs:sequence></xs:complexType>"#;

fn parse(text: &str, options: &Options) -> crate::Result<Model> {
    parse_str(Path::new("snippet.wsdl"), text, options)
}

fn err(text: &str) -> Error {
    match parse(text, &Options::bare()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn snippet_parses() {
    let model = parse(&wsdl_with(BASIC), &Options::bare()).expect("parses");
    let t = complex(&model, "urn:t", "T");
    let Content::Sequence(fields) = &t.content else {
        panic!("sequence")
    };
    assert_eq!(fields[0].max_occurs, None);
    assert_eq!(fields[0].ty, TypeRef::Builtin(Builtin::Int));
    assert_eq!(fields[1].ty, TypeRef::Named(QName::new("urn:t", "TB")));
    complex(&model, "urn:t", "TB");
    let modules: Vec<_> = model.namespaces.iter().map(|n| n.module.as_str()).collect();
    assert_eq!(modules, ["t", "svc"]);
}

/// Names and types of a model's types and elements, without locations.
fn outline(model: &Model) -> Vec<(QName, Vec<(QName, TypeRef)>)> {
    let mut out: Vec<_> = model
        .types
        .iter()
        .map(|t| match t {
            TypeDef::Complex(c) => {
                let fields = match &c.content {
                    Content::Sequence(fields) => fields
                        .iter()
                        .map(|f| (f.name.clone(), f.ty.clone()))
                        .collect(),
                    Content::Simple(ty) => vec![(QName::new("", "$text"), ty.clone())],
                    Content::Empty | Content::Mixed | Content::Choice(_) => Vec::new(),
                };
                (c.name.clone(), fields)
            }
            TypeDef::Simple(s) => (s.name.clone(), Vec::new()),
        })
        .collect();
    out.extend(
        model
            .elements
            .iter()
            .map(|e| (e.name.clone(), vec![(e.name.clone(), e.ty.clone())])),
    );
    out
}

#[test]
fn prefixes_do_not_matter() {
    let a = parse(&wsdl_with(BASIC), &Options::bare()).expect("parses");
    // XML Schema as the default namespace on the schema, other prefixes elsewhere.
    let text = wsdl_with(BASIC)
        .replace("xmlns:wsdl=", "xmlns:w=")
        .replace("wsdl:", "w:")
        .replace(
            r#"<xs:schema targetNamespace"#,
            r#"<schema xmlns="http://www.w3.org/2001/XMLSchema" targetNamespace"#,
        )
        .replace("</xs:schema>", "</schema>")
        .replace("<xs:", "<")
        .replace("</xs:", "</")
        .replace("\"xs:", "\"xsd:")
        .replace("xmlns:xs=", "xmlns:xsd=");
    assert!(text.contains("<w:definitions") && text.contains("type=\"xsd:int\""));
    let b = parse(&text, &Options::bare()).expect("parses");
    assert_eq!(outline(&a), outline(&b));
    assert_eq!(a.services.len(), b.services.len());
    assert_eq!(
        a.services[0].operations[0].input,
        b.services[0].operations[0].input
    );
}

#[test]
fn malformed_xml_has_line_and_column() {
    let e = err("<a>\n  <b></c>\n</a>");
    let Error::Xml { location, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!((location.line, location.column), (2, 6));
    assert_eq!(&*location.file, Path::new("snippet.wsdl"));
}

#[test]
fn unresolved_type() {
    let e = err(&wsdl_with(
        &BASIC.replace("type=\"t:T\"", "type=\"t:Missing\""),
    ));
    let Error::Unresolved {
        kind,
        name,
        location,
    } = e
    else {
        panic!("{e:?}")
    };
    assert_eq!(kind, "type");
    assert_eq!(name, QName::new("urn:t", "Missing"));
    assert_eq!(location.line, 3);
}

#[test]
fn undeclared_prefix() {
    let e = err(&wsdl_with(&BASIC.replace("type=\"t:T\"", "type=\"q:T\"")));
    let Error::UnresolvedPrefix { prefix, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(prefix, "q");
}

#[test]
fn a_choice_is_a_group_type() {
    let schema = r#"<xs:element name="req"><xs:complexType><xs:choice maxOccurs="2">
<xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:int"/></xs:choice></xs:complexType></xs:element>
<xs:element name="resp" type="xs:string"/>"#;
    let model = parse(&wsdl_with(schema), &Options::bare()).expect("parses");
    let req = complex(&model, "urn:t", "req");
    let Content::Sequence(fields) = &req.content else {
        panic!("{req:?}")
    };
    let choice = QName::new("urn:t", "reqChoice");
    assert_eq!(fields[0].ty, TypeRef::Group(choice.clone()));
    assert_eq!(fields[0].max_occurs, Some(2));
    let group = complex(&model, "urn:t", "reqChoice");
    assert!(group.group);
    let Content::Choice(alternatives) = &group.content else {
        panic!("{group:?}")
    };
    let names: Vec<&str> = alternatives.iter().map(|a| a.name.local.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn missing_port_type() {
    let e = err(&wsdl_with(BASIC).replace("type=\"tns:pt\"", "type=\"tns:nope\""));
    let Error::Unresolved { kind, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(kind, "port type");
}

#[test]
fn duplicate_type() {
    let schema = format!(
        "{BASIC}<xs:simpleType name=\"T\"><xs:restriction base=\"xs:string\"/></xs:simpleType>"
    );
    let e = err(&wsdl_with(&schema));
    let Error::Duplicate { kind, name, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(kind, "type");
    assert_eq!(name, QName::new("urn:t", "T"));
}

#[test]
fn extra_operation_with_unknown_element() {
    let mut options = Options::bare();
    options.extra_operation(ExtraOperation {
        name: "more".into(),
        input: QName::new("urn:t", "req"),
        output: QName::new("urn:t", "nothere"),
        doc: None,
    });
    let e = parse(&wsdl_with(BASIC), &options).expect_err("fails");
    let Error::Options(message) = e else {
        panic!("{e:?}")
    };
    assert!(message.contains("nothere"), "{message}");
}

/// Request and response of type `t:B` (server, client, optional request id), response of
/// type `response` when given.
fn management(response: Option<&str>, extra: &str) -> String {
    wsdl_with(&format!(
        r#"<xs:element name="req" type="t:B"/><xs:element name="resp" type="{}"/>
<xs:complexType name="B"><xs:sequence><xs:element name="server" type="xs:string"/>
<xs:element name="client" type="xs:string"/><xs:element name="requestId" type="xs:integer" minOccurs="0"/>
</xs:sequence></xs:complexType>{extra}"#,
        response.unwrap_or("t:B")
    ))
}

fn describe(profile: &str) -> Options {
    let mut options = Options::bare();
    options.operation("op", profile.parse().unwrap());
    options
}

fn profile_error(text: &str, profile: &str) -> String {
    match parse(text, &describe(profile)) {
        Err(e @ Error::Profile { .. }) => e.to_string(),
        other => panic!("expected a profile error, got {other:?}"),
    }
}

#[test]
fn described_operation_of_a_snippet() {
    let model = parse(&management(None, ""), &describe("manage:client-owner")).unwrap();
    let op = &model.services[0].operations[0];
    let description = op.description.as_ref().expect("described");
    assert_eq!(description.parts.len(), 4);
    assert_eq!(description.echo, ["server", "client"]);
    assert_eq!(
        description.request.client_type,
        TypeRef::Builtin(Builtin::String)
    );
    assert!(description.response.request_id.as_ref().unwrap().optional);
}

#[test]
fn profiles_the_body_cannot_carry_are_errors() {
    let text = management(None, "");
    let e = profile_error(&text, "manage:auth-key");
    assert!(e.contains("needs the element `authCert`"), "{e}");
    assert!(e.starts_with("snippet.wsdl:"), "{e}");
    let e = profile_error(&text, "manage:server-owner,server-owner");
    assert!(e.contains("twice"), "{e}");

    let e = profile_error(&management(Some("xs:string"), ""), "manage");
    assert!(
        e.contains("its response element `{urn:t}resp` needs a complex type"),
        "{e}"
    );
    let e = profile_error(&wsdl_with(BASIC), "manage");
    assert!(
        e.contains("its request body `{urn:t}T` has no `server` element"),
        "{e}"
    );
    let text_id = management(None, "").replace(
        "name=\"requestId\" type=\"xs:integer\"",
        "name=\"requestId\" type=\"xs:string\"",
    );
    let e = profile_error(&text_id, "manage");
    assert!(e.contains("`requestId` of its request body"), "{e}");
    assert!(e.contains("must be an integer"), "{e}");
}

#[test]
fn responses_that_do_not_echo_the_request_are_errors() {
    let other = r#"<xs:complexType name="C"><xs:sequence><xs:element name="server" type="xs:string"/>
<xs:element name="requestId" type="xs:integer" minOccurs="0"/></xs:sequence></xs:complexType>"#;
    let e = profile_error(&management(Some("t:C"), other), "manage");
    assert!(e.contains("no element like the request's `client`"), "{e}");
    let required = r#"<xs:complexType name="C"><xs:sequence><xs:element name="server" type="xs:string"/>
<xs:element name="client" type="xs:string"/><xs:element name="requestId" type="xs:integer"/></xs:sequence></xs:complexType>"#;
    let e = profile_error(&management(Some("t:C"), required), "manage");
    assert!(
        e.contains("`requestId` of its response body is required"),
        "{e}"
    );
}

#[test]
fn a_body_without_client_needs_the_profile_client_type() {
    let text = management(None, "").replace(r#"<xs:element name="client" type="xs:string"/>"#, "");
    let e = profile_error(&text, "manage");
    assert!(e.contains("XRoadClientIdentifierType"), "{e}");
    let mut options = describe("manage:server-owner");
    options.body_roles(crate::options::BodyRoles {
        client_type: QName::new("urn:t", "B"),
        ..Default::default()
    });
    let model = parse(&text, &options).unwrap();
    let description = model.services[0].operations[0]
        .description
        .as_ref()
        .unwrap();
    assert_eq!(
        description.request.client_type,
        TypeRef::Named(QName::new("urn:t", "B"))
    );
}

#[test]
fn header_field_of_an_unknown_type_is_an_error() {
    let mut options = Options::default();
    options.header_field(crate::options::HeaderField::optional(
        QName::new(XROAD_NS, "userId"),
        crate::options::HeaderType::Schema(QName::new(XROAD_NS, "NoSuchType")),
        "A user.",
    ));
    let e = parse_file(&wsdl_path(), &options).expect_err("fails");
    assert!(
        matches!(&e, Error::Options(m) if m.contains("NoSuchType")),
        "{e}"
    );
}

#[test]
fn unsupported_builtin_and_rpc() {
    let e = err(&wsdl_with(
        &BASIC.replace("type=\"xs:int\"", "type=\"xs:gYear\""),
    ));
    let Error::Unsupported { construct, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(construct, "xs:gYear");
    let e = err(&wsdl_with(BASIC).replacen("use=\"literal\"", "use=\"encoded\"", 1));
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
}

#[test]
fn derivations_enumerations_and_facets() {
    let schema = r#"<xs:element name="req" type="t:Ext"/><xs:element name="resp" type="t:Len"/>
<xs:attribute name="g" type="xs:string"/>
<xs:complexType name="Base"><xs:sequence><xs:element name="a" type="xs:string"/></xs:sequence>
<xs:attribute name="x" type="xs:string"/><xs:attribute ref="t:g"/></xs:complexType>
<xs:complexType name="Ext"><xs:complexContent><xs:extension base="t:Base"><xs:sequence>
<xs:element name="b" type="t:Colour" minOccurs="0"/></xs:sequence>
<xs:attribute name="y" form="qualified"><xs:simpleType><xs:restriction base="xs:int"><xs:minInclusive value="1"/></xs:restriction></xs:simpleType></xs:attribute>
</xs:extension></xs:complexContent></xs:complexType>
<xs:complexType name="Res"><xs:complexContent><xs:restriction base="t:Base"><xs:sequence/>
<xs:attribute name="x" type="xs:string" use="prohibited"/><xs:attribute ref="t:g" fixed="v"/></xs:restriction></xs:complexContent></xs:complexType>
<xs:simpleType name="Colour"><xs:annotation><xs:documentation>Colours.</xs:documentation></xs:annotation>
<xs:restriction base="xs:token"><xs:enumeration value="red"/><xs:enumeration value="green"/></xs:restriction></xs:simpleType>
<xs:simpleType name="Len"><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="5"/></xs:restriction></xs:simpleType>"#;
    let model = parse(&wsdl_with(schema), &Options::bare()).expect("parses");
    let ext = complex(&model, "urn:t", "Ext");
    let Content::Sequence(fields) = &ext.content else {
        panic!("sequence")
    };
    let names: Vec<_> = fields.iter().map(|f| f.name.local.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let attrs: Vec<_> = ext.attributes.iter().map(|a| a.name.clone()).collect();
    assert_eq!(
        attrs,
        [
            QName::new("", "x"),
            QName::new("urn:t", "g"),
            QName::new("urn:t", "y")
        ]
    );
    assert_eq!(
        ext.attributes[2].ty,
        TypeRef::Named(QName::new("urn:t", "ExtY"))
    );
    let res = complex(&model, "urn:t", "Res");
    assert_eq!(res.content, Content::Empty);
    assert_eq!(res.attributes.len(), 1);
    assert_eq!(res.attributes[0].fixed.as_deref(), Some("v"));
    let colour = model
        .types
        .iter()
        .find(|t| t.name().local == "Colour")
        .expect("Colour");
    let TypeDef::Simple(colour) = colour else {
        panic!("simple")
    };
    let SimpleKind::Enumeration { values, base } = &colour.kind else {
        panic!("enum")
    };
    assert_eq!(*base, TypeRef::Builtin(Builtin::Token));
    assert_eq!(values.len(), 2);
    let len = model
        .types
        .iter()
        .find(|t| t.name().local == "Len")
        .expect("Len");
    let TypeDef::Simple(len) = len else {
        panic!("simple")
    };
    let SimpleKind::Restriction { facets, .. } = &len.kind else {
        panic!("restriction")
    };
    assert_eq!((facets.min_length, facets.max_length), (Some(1), Some(5)));
}

#[test]
fn unresolved_message_and_part() {
    let e = err(&wsdl_with(BASIC).replace("message=\"tns:req\"", "message=\"tns:nomsg\""));
    assert!(
        matches!(
            e,
            Error::Unresolved {
                kind: "message",
                ..
            }
        ),
        "{e:?}"
    );
    let e = err(&wsdl_with(BASIC).replace("element=\"t:req\"", "element=\"t:noel\""));
    assert!(
        matches!(
            e,
            Error::Unresolved {
                kind: "element",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn missing_file_is_read_error() {
    let e = parse_file(Path::new("/nonexistent/x.wsdl"), &Options::bare()).expect_err("fails");
    assert!(matches!(e, Error::Read { .. }));
}

#[test]
fn schema_location_is_loaded_relative_to_the_wsdl() {
    let dir = tempfile::tempdir().expect("tempdir");
    let xsd = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:ext" elementFormDefault="qualified"><xs:complexType name="E"><xs:sequence><xs:element name="v" type="xs:long"/></xs:sequence></xs:complexType></xs:schema>"#;
    std::fs::write(dir.path().join("ext.xsd"), xsd).expect("write");
    let schema = BASIC.replace("type=\"xs:string\"/>", "type=\"e:E\" xmlns:e=\"urn:ext\"/>");
    let schema = format!(r#"<xs:import namespace="urn:ext" schemaLocation="ext.xsd"/>{schema}"#);
    let path = dir.path().join("s.wsdl");
    std::fs::write(&path, wsdl_with(&schema)).expect("write");
    let model = parse_file(&path, &Options::bare()).expect("parses");
    complex(&model, "urn:ext", "E");
    let remote = wsdl_with(&format!(
        r#"<xs:import namespace="urn:ext" schemaLocation="http://example.com/ext.xsd"/>{BASIC}"#
    ));
    let e = err(&remote);
    assert!(matches!(e, Error::Remote { .. }), "{e:?}");
    assert!(e.to_string().contains("--catalog FILE"), "{e}");
}

// ---- WSDL: rpc/literal, one-way operations, several parts, other bindings ----

/// The skipped items of `model` as `(what, reason)`.
fn skipped(model: &Model) -> Vec<(String, String)> {
    model
        .skipped
        .iter()
        .map(|s| (s.what.clone(), s.reason.clone()))
        .collect()
}

#[test]
fn rpc_literal_bodies_are_wrapper_elements_of_the_parts() {
    let text = wsdl_with(BASIC)
        .replace("style=\"document\"", "style=\"rpc\"")
        .replace(
            "<soap:body use=\"literal\"/>",
            "<soap:body use=\"literal\" namespace=\"urn:rpc\"/>",
        )
        .replace(
            r#"<wsdl:part name="p" element="t:req"/>"#,
            r#"<wsdl:part name="count" type="xs:int"/><wsdl:part name="t" type="t:T"/>"#,
        );
    let model = parse(&text, &Options::bare()).expect("parses");
    let op = &model.services[0].operations[0];
    assert_eq!(op.input, QName::new("urn:rpc", "op"));
    assert_eq!(op.output, QName::new("urn:rpc", "opResponse"));
    assert!(model.skipped.is_empty(), "{:?}", model.skipped);
    let request = complex(&model, "urn:rpc", "op");
    let Content::Sequence(fields) = &request.content else {
        panic!("{:?}", request.content)
    };
    let parts: Vec<(QName, TypeRef)> = fields
        .iter()
        .map(|f| (f.name.clone(), f.ty.clone()))
        .collect();
    assert_eq!(
        parts,
        [
            (QName::new("", "count"), TypeRef::Builtin(Builtin::Int)),
            (
                QName::new("", "t"),
                TypeRef::Named(QName::new("urn:t", "T"))
            ),
        ]
    );
    // An element part is the element itself.
    let response = complex(&model, "urn:rpc", "opResponse");
    let Content::Sequence(fields) = &response.content else {
        panic!("{:?}", response.content)
    };
    assert_eq!(fields[0].name, QName::new("urn:t", "resp"));
    let code = crate::generate_model(&model, &Options::bare())
        .expect("generates")
        .code;
    assert!(code.contains("pub struct OpResponse"), "{code}");
}

#[test]
fn a_document_body_of_several_parts_or_a_type_part_is_left_out_with_the_reason() {
    let two = wsdl_with(BASIC).replace(
        r#"<wsdl:part name="p" element="t:req"/>"#,
        r#"<wsdl:part name="p" element="t:req"/><wsdl:part name="q" element="t:resp"/>"#,
    );
    let model = parse(&two, &Options::bare()).expect("parses");
    assert!(model.services[0].operations.is_empty());
    let [(what, reason)] = skipped(&model).try_into().expect("one skipped");
    assert_eq!(what, "operation `op`");
    assert!(reason.contains("message `req` has 2 parts"), "{reason}");
    assert!(
        complex(&model, "urn:t", "T").name.local == "T",
        "its types are generated"
    );

    let typed = wsdl_with(BASIC).replace(
        r#"<wsdl:part name="p" element="t:req"/>"#,
        r#"<wsdl:part name="p" type="t:T"/>"#,
    );
    let model = parse(&typed, &Options::bare()).expect("parses");
    let [(_, reason)] = skipped(&model).try_into().expect("one skipped");
    assert!(reason.contains("has a `type`"), "{reason}");
    let warnings = crate::warnings(&model, &Options::bare());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].to_string().starts_with("snippet.wsdl:"),
        "{}",
        warnings[0]
    );
}

#[test]
fn one_way_operations_and_outputs_without_a_message_are_left_out() {
    let one_way = wsdl_with(BASIC).replace(r#"<wsdl:output message="tns:resp"/>"#, "");
    let model = parse(&one_way, &Options::bare()).expect("parses");
    assert!(model.services[0].operations.is_empty());
    let [(what, reason)] = skipped(&model).try_into().expect("one skipped");
    assert_eq!(what, "operation `op`");
    assert!(reason.contains("one-way operation"), "{reason}");

    let no_message =
        wsdl_with(BASIC).replace(r#"<wsdl:output message="tns:resp"/>"#, "<wsdl:output/>");
    let model = parse(&no_message, &Options::bare()).expect("parses");
    let [(_, reason)] = skipped(&model).try_into().expect("one skipped");
    assert!(
        reason.contains("its output names no message (at snippet.wsdl:"),
        "{reason}"
    );
}

#[test]
fn bindings_other_than_soap_are_left_out() {
    let http = wsdl_with(BASIC).replace(
        "</wsdl:binding>",
        r#"</wsdl:binding><wsdl:binding name="h" type="tns:pt"><wsdl:operation name="op"/></wsdl:binding>"#,
    ).replace(
        r#"<wsdl:service name="svc">"#,
        r#"<wsdl:service name="svc"><wsdl:port name="hp" binding="tns:h"/>"#,
    );
    let model = parse(&http, &Options::bare()).expect("parses");
    assert_eq!(model.services.len(), 1);
    // The HTTP port comes first; the SOAP one still takes the service's name.
    assert_eq!(model.services[0].name, "svc");
    assert_eq!(model.services[0].operations.len(), 1);
    let [(what, reason)] = skipped(&model).try_into().expect("one skipped");
    assert_eq!(what, "binding `h`");
    assert!(reason.contains("not a SOAP binding"), "{reason}");
}

#[test]
fn a_part_needs_an_element_or_a_type() {
    let e = err(&wsdl_with(BASIC).replace(r#"element="t:req""#, ""));
    let Error::Unexpected { expected, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(expected, "an `element` or a `type` attribute");
}

#[test]
fn facets_of_a_simple_content_restriction_are_reported_as_not_checked() {
    let schema = r#"<xs:element name="req" type="t:Small"/><xs:element name="resp" type="xs:string"/>
<xs:complexType name="Price"><xs:simpleContent><xs:extension base="xs:decimal">
<xs:attribute name="currency" type="xs:token"/></xs:extension></xs:simpleContent></xs:complexType>
<xs:complexType name="Small"><xs:simpleContent><xs:restriction base="t:Price">
<xs:maxInclusive value="10"/><xs:attribute name="currency" use="prohibited"/>
</xs:restriction></xs:simpleContent></xs:complexType>"#;
    let model = parse(&wsdl_with(schema), &Options::bare()).expect("parses");
    let [(what, reason)] = skipped(&model).try_into().expect("one note");
    assert_eq!(
        what,
        "the facets of the simple content restriction of `Small`"
    );
    assert_eq!(reason, "the text type of the base reads the value");
    let warnings = crate::warnings(&model, &Options::bare());
    assert!(
        warnings[0]
            .to_string()
            .contains("`Small` are not checked: the text type"),
        "{}",
        warnings[0]
    );
    // Without facets there is nothing to report.
    let plain = schema.replace(r#"<xs:maxInclusive value="10"/>"#, "");
    let model = parse(&wsdl_with(&plain), &Options::bare()).expect("parses");
    assert!(model.skipped.is_empty(), "{:?}", model.skipped);
}

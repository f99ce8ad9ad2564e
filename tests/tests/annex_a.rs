//! Every Annex A message — PR-MSERV 1.15 A.1–A.5 and 1.20 A.1, A.6–A.11 — parses into typed
//! values with the generated header and bodies, serializes back, parses again to equal
//! values, and what we write validates with `xmllint` against the 1.20 WSDL's schemas. Each
//! response is what the operation's generated `respond` makes of its request, and passes
//! `check_echo`; the bodies' `ManagementBody` accessors read the protocol's fields.

use std::fmt::Debug;

use xroad_codec::identifier::Code;
use xroad_codec::operation::{
    BodyFields, Endpoint, ManagementBody, MimePart, Operation, OperationDescription, Signer,
};
use xroad_codec::soap::Envelope;
use xroad_codec::xml::{self, XmlRoot};
use xroad_mserv::centralservice::{self, Header, OperationName};
use xroad_mserv::{NAMESPACES, xroad};
use xroad_tests::{annex_a, extract_schemas, openssl_x509_subject, wsdl_path, xmllint_validate};

type Request<O> = Envelope<Header, <O as Operation>::Request>;
type Response<O> = Envelope<Header, <O as Operation>::Response>;

/// Parses, writes and re-parses one envelope; returns the parsed value and what we wrote.
fn round_trip<B: XmlRoot + PartialEq + Debug>(fixture: &str) -> (Envelope<Header, B>, String) {
    let text = annex_a(fixture);
    let parsed = Envelope::<Header, B>::from_slice(text.as_bytes())
        .unwrap_or_else(|e| panic!("{fixture}: {e}"));
    let written = parsed.to_vec(NAMESPACES).expect("envelope serializes");
    let written = String::from_utf8(written).expect("UTF-8 output");
    let again = Envelope::<Header, B>::from_slice(written.as_bytes())
        .unwrap_or_else(|e| panic!("{fixture} re-read: {e}\n{written}"));
    assert_eq!(parsed, again, "{fixture}: round trip changed the value");
    (parsed, written)
}

/// Validates the body element and every header element we write against the schemas.
fn validate<B: XmlRoot>(envelope: &Envelope<Header, B>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let schemas = extract_schemas(&wsdl_path(), dir.path());
    let (_, xroad_xsd) = schemas
        .iter()
        .find(|(ns, _)| ns == xroad::NAMESPACE)
        .expect("the WSDL embeds the xroad.xsd schema");
    let header = &envelope.header;
    let mut documents = vec![
        xml::to_string_with(&envelope.body, NAMESPACES).expect("body serializes"),
        xml::to_string_with(&xroad::Client(header.client.clone()), NAMESPACES).unwrap(),
        xml::to_string_with(&xroad::Service(header.service.clone()), NAMESPACES).unwrap(),
        xml::to_string_with(&xroad::Id(header.id.clone()), NAMESPACES).unwrap(),
        xml::to_string_with(
            &xroad::ProtocolVersion(header.protocol_version.clone()),
            NAMESPACES,
        )
        .unwrap(),
    ];
    if let Some(hash) = &header.request_hash {
        documents.push(xml::to_string_with(hash, NAMESPACES).unwrap());
    }
    for document in documents {
        if let Err(diagnostics) = xmllint_validate(xroad_xsd, &document) {
            panic!("xmllint rejects what we wrote:\n{document}\n{diagnostics}");
        }
    }
}

/// Round-trips and validates the request and response of `stem`, and checks what every
/// operation has in common: the service code in the header, the echoed id, a response that
/// `respond` makes of the request with its request id, the request id through
/// `ManagementBody`, and a description that the codec finds consistent.
fn check_operation<O: Operation>(stem: &str) -> (Request<O>, Response<O>)
where
    O::Request: PartialEq + Debug,
    O::Response: PartialEq + Debug,
{
    check_messages::<O>(
        &format!("{stem}-request.xml"),
        &format!("{stem}-response.xml"),
    )
}

/// [`check_operation`] of a request and response with other file names.
fn check_messages<O: Operation>(request: &str, response: &str) -> (Request<O>, Response<O>)
where
    O::Request: PartialEq + Debug,
    O::Response: PartialEq + Debug,
{
    let stem = request;
    let (request, _) = round_trip::<O::Request>(request);
    let (response, _) = round_trip::<O::Response>(response);
    validate(&request);
    validate(&response);
    assert_eq!(
        request.header.service.service_code.as_str(),
        O::NAME,
        "{stem}: the service code names the operation"
    );
    assert_eq!(request.header.protocol_version, "4.0");
    assert_eq!(
        request.header.id, response.header.id,
        "the response echoes the id"
    );
    assert!(request.header.request_hash.is_none());
    assert_eq!(request.body.request_id(), None, "{stem}");
    let request_id = response
        .body
        .request_id()
        .unwrap_or_else(|| panic!("{stem}: the response has a request id"));
    assert_eq!(
        O::respond(&request.body, request_id),
        response.body,
        "{stem}"
    );
    assert_eq!(
        O::check_echo(&request.body, &response.body),
        Ok(()),
        "{stem}"
    );
    assert_eq!(O::DESCRIPTION.name, O::NAME);
    assert_eq!(O::DESCRIPTION.check(), Ok(()), "{stem}");
    (request, response)
}

fn code(text: &str) -> Code {
    Code::new(text).unwrap()
}

const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

/// The parts of a request signed by one member, whose OCSP response follows the certificate.
const fn member_signed(signer: Signer) -> [MimePart; 4] {
    [
        MimePart::Soap,
        MimePart::Signature {
            signer,
            certificate: 2,
            ocsp: Some(3),
        },
        MimePart::Certificate,
        MimePart::OcspResponse,
    ]
}

/// The description of `clientReg` as PR-MSERV 2.1 gives it.
const CLIENT_REG: OperationDescription = OperationDescription {
    name: "clientReg",
    endpoint: Endpoint::Manage,
    parts: &member_signed(Signer::ClientOwner),
    fields: BodyFields {
        client: true,
        auth_cert: false,
        address: false,
    },
    request_hash: true,
    echo: &["server", "client", "subsystemName"],
};

#[test]
fn a1_client_reg() {
    let (request, response) = check_operation::<centralservice::ClientReg>("a1-client-reg");
    assert_eq!(request.header.client.to_string(), "MEMBER:EE/GOV/TS1OWNER");
    let body = &request.body.0;
    assert_eq!(body.server.to_string(), "SERVER:EE/GOV/TS1OWNER/TS1");
    assert_eq!(body.client.to_string(), "SUBSYSTEM:EE/COM/client/subsystem");
    assert_eq!(body.client.subsystem_code, Some(code("subsystem")));
    assert_eq!(body.subsystem_name, None, "1.15 has no subsystemName");
    assert_eq!(request.body.client(), Some(&body.client));
    let answer = &response.body.0;
    assert_eq!(answer.request_id, Some(xroad::RequestIdType(394)));
    let hash = response
        .header
        .request_hash
        .as_ref()
        .expect("response has requestHash");
    assert_eq!(hash.algorithm_id, SHA512);
    assert!(hash.value.contains("LGxmFNQhkhehCsbrrBgX4w64N0Z"));
    assert_eq!(
        <centralservice::ClientReg as Operation>::DESCRIPTION,
        &CLIENT_REG
    );
}

#[test]
fn a1_client_reg_1_20_with_a_subsystem_name() {
    let (request, response) = check_messages::<centralservice::ClientReg>(
        "a1-client-reg-request-1.20.xml",
        "a1-client-reg-response-1.20.xml",
    );
    assert_eq!(
        request.body.0.subsystem_name.as_deref(),
        Some("subsystem name")
    );
    assert_eq!(
        response.body.0.subsystem_name.as_deref(),
        Some("subsystem name")
    );
    assert_eq!(response.body.request_id(), Some(394));
    assert!(response.header.request_hash.is_some());
}

#[test]
fn a2_client_deletion() {
    let (request, response) =
        check_operation::<centralservice::ClientDeletion>("a2-client-deletion");
    assert_eq!(
        request.body.0.client.to_string(),
        "SUBSYSTEM:EE/COM/client/subsystem"
    );
    assert_eq!(response.body.0.request_id, Some(xroad::RequestIdType(395)));
    assert_eq!(
        <centralservice::ClientDeletion as Operation>::DESCRIPTION.parts,
        [MimePart::Soap]
    );
}

#[test]
fn a3_auth_cert_reg() {
    let (request, response) = check_operation::<centralservice::AuthCertReg>("a3-auth-cert-reg");
    let body = &request.body.0;
    assert_eq!(body.address.as_deref(), Some("192.168.74.202"));
    assert_eq!(request.body.address(), Some("192.168.74.202"));
    assert_eq!(body.auth_cert.len(), 955);
    assert_eq!(request.body.auth_cert(), Some(&body.auth_cert[..]));
    assert_eq!(request.body.client(), None);
    assert_eq!(response.body.0.request_id, Some(xroad::RequestIdType(392)));
    assert!(
        response.header.request_hash.is_none(),
        "Annex A.3 has no requestHash in the authCertReg response"
    );
    let description = <centralservice::AuthCertReg as Operation>::DESCRIPTION;
    assert_eq!(description.endpoint, Endpoint::Registration);
    assert!(!description.request_hash);
    assert_eq!(
        description.parts,
        [
            MimePart::Soap,
            MimePart::Signature {
                signer: Signer::AuthenticationKey,
                certificate: 3,
                ocsp: None
            },
            MimePart::Signature {
                signer: Signer::ServerOwner,
                certificate: 4,
                ocsp: Some(5)
            },
            MimePart::Certificate,
            MimePart::Certificate,
            MimePart::OcspResponse,
        ]
    );
    assert_eq!(
        description.fields,
        BodyFields {
            client: false,
            auth_cert: true,
            address: true
        }
    );
}

#[test]
fn a4_auth_cert_deletion_cert_is_der_openssl_accepts() {
    let (request, response) =
        check_operation::<centralservice::AuthCertDeletion>("a4-auth-cert-deletion");
    let subject = openssl_x509_subject(&request.body.0.auth_cert)
        .unwrap_or_else(|e| panic!("openssl rejects the A.4 authCert: {e}"));
    assert!(subject.contains("CN = TS1OWNER"), "{subject}");
    assert!(
        subject.contains("O = GOV") && subject.contains("C = EE"),
        "{subject}"
    );
    assert_eq!(request.body.0.auth_cert, response.body.0.auth_cert);
}

#[test]
fn a5_owner_change() {
    let (request, response) = check_operation::<centralservice::OwnerChange>("a5-owner-change");
    assert_eq!(request.body.0.client.to_string(), "MEMBER:EE/COM/MACK");
    assert_eq!(request.body.0.client.subsystem_code, None);
    assert_eq!(response.body.0.request_id, Some(xroad::RequestIdType(691)));
    assert_eq!(
        <centralservice::OwnerChange as Operation>::DESCRIPTION.parts,
        member_signed(Signer::NewOwner)
    );
}

#[test]
fn a6_address_change() {
    let (request, response) = check_operation::<centralservice::AddressChange>("a6-address-change");
    assert_eq!(request.body.address(), Some("security-server.address"));
    assert_eq!(request.body.client(), None);
    assert_eq!(response.header.request_hash, None);
    let description = <centralservice::AddressChange as Operation>::DESCRIPTION;
    assert_eq!(description.parts, member_signed(Signer::ServerOwner));
    assert!(description.fields.address && !description.fields.client);
}

#[test]
fn a7_client_disable_and_a8_client_enable() {
    let (request, _) = check_operation::<centralservice::ClientDisable>("a7-client-disable");
    assert_eq!(
        request.body.0.client.to_string(),
        "SUBSYSTEM:EE/CLASS/MEMBER/SUBSYSTEM"
    );
    let (request, response) = check_operation::<centralservice::ClientEnable>("a8-client-enable");
    assert_eq!(request.body.client(), response.body.client());
    for description in [
        <centralservice::ClientDisable as Operation>::DESCRIPTION,
        <centralservice::ClientEnable as Operation>::DESCRIPTION,
    ] {
        assert_eq!(description.parts, member_signed(Signer::ClientOwner));
    }
}

#[test]
fn a7_as_published_does_not_echo_its_client() {
    // The published A.7 response names the member, not the subsystem (see the fixtures'
    // README, fix 3): the generated echo check finds it.
    let (request, _) = round_trip::<xroad::ClientDisable>("a7-client-disable-request.xml");
    let (mut response, _) =
        round_trip::<xroad::ClientDisableResponse>("a7-client-disable-response.xml");
    response.body.0.client.subsystem_code = None;
    response.body.0.client.object_type = xroad_mserv::identifiers::XRoadObjectType::Member;
    let mismatch =
        <centralservice::ClientDisable as Operation>::check_echo(&request.body, &response.body)
            .unwrap_err();
    assert_eq!(mismatch.element, "client");
}

#[test]
fn a9_client_rename() {
    let (request, _) = check_operation::<centralservice::ClientRename>("a9-client-rename");
    assert_eq!(request.body.0.subsystem_name, "SUBSYSTEM Name");
    assert_eq!(
        <centralservice::ClientRename as Operation>::DESCRIPTION.echo,
        ["server", "client", "subsystemName"]
    );
}

#[test]
fn a10_maintenance_mode_enable_and_a11_disable() {
    let (request, _) =
        check_operation::<centralservice::MaintenanceModeEnable>("a10-maintenance-mode-enable");
    assert_eq!(
        request.body.0.message.as_deref(),
        Some("Will end at 2016-01-01T00:00:00.000+02:00")
    );
    let (_, response) =
        check_operation::<centralservice::MaintenanceModeDisable>("a11-maintenance-mode-disable");
    assert_eq!(response.body.request_id(), Some(1133));
    for description in [
        <centralservice::MaintenanceModeEnable as Operation>::DESCRIPTION,
        <centralservice::MaintenanceModeDisable as Operation>::DESCRIPTION,
    ] {
        assert_eq!(description.parts, member_signed(Signer::ServerOwner));
        assert!(description.request_hash);
    }
}

#[test]
fn damaged_a3_auth_certs_are_refused_with_the_path() {
    let good = annex_a("a3-auth-cert-reg-request.xml");
    let good_cert = {
        let start = good.find("<xroad:authCert>").unwrap() + "<xroad:authCert>".len();
        let end = good.find("</xroad:authCert>").unwrap();
        good[start..end].to_owned()
    };
    for damaged in [
        "a3-auth-cert-reg-request.damaged-auth-cert.b64",
        "a3-auth-cert-reg-response.damaged-auth-cert.b64",
    ] {
        let text = annex_a(damaged);
        let message = good.replace(&good_cert, &text);
        let error = Request::<centralservice::AuthCertReg>::from_slice(message.as_bytes())
            .expect_err("a damaged certificate must not decode");
        assert_eq!(
            error.path, "/Envelope/Body/authCertReg/authCert",
            "{damaged}: {error}"
        );
        assert!(
            matches!(error.kind, xml::ErrorKind::InvalidValue { .. }),
            "{damaged}: {error}"
        );
        assert!(error.to_string().contains("base64"), "{damaged}: {error}");
    }
}

#[test]
fn operation_names_dispatch() {
    for name in OperationName::ALL {
        assert_eq!(name.as_str().parse::<OperationName>().unwrap(), name);
        let description = name.description();
        assert_eq!(description.name, name.as_str());
        assert_eq!(description.check(), Ok(()), "{name}");
        // Every signer's field is in the body: the codec's own consistency rule.
        assert!(description.fields.client || !description.is_signed_by(Signer::ClientOwner));
    }
    assert_eq!(OperationName::ALL.len(), 11);
    assert_eq!(OperationName::AuthCertReg.description().parts.len(), 6);
    let signed = OperationName::ALL
        .iter()
        .filter(|n| n.description().is_multipart())
        .count();
    assert_eq!(
        signed, 9,
        "all but clientDeletion and authCertDeletion are signed"
    );
    assert!("getRandom".parse::<OperationName>().is_err());
}

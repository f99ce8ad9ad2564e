//! Every Annex A message (A.1–A.5) parses into typed values, serializes back, parses again to
//! equal values, and what we write validates with `xmllint` against the WSDL's schemas.

use std::fmt::Debug;

use xroad_codec::identifier::Code;
use xroad_codec::operation::{MimePart, Operation};
use xroad_codec::soap::Envelope;
use xroad_codec::xml::{self, XmlRoot};
use xroad_mserv::centralservice::{self, Header};
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

fn check_operation<O: Operation>(stem: &str) -> (Request<O>, Response<O>)
where
    O::Request: PartialEq + Debug,
    O::Response: PartialEq + Debug,
{
    let (request, _) = round_trip::<O::Request>(&format!("{stem}-request.xml"));
    let (response, _) = round_trip::<O::Response>(&format!("{stem}-response.xml"));
    validate(&request);
    validate(&response);
    assert_eq!(request.header.client.to_string(), "MEMBER:EE/GOV/TS1OWNER");
    assert_eq!(
        request.header.service.to_string(),
        format!("SERVICE:EE/GOV/TS1OWNER/{}", O::NAME)
    );
    assert_eq!(request.header.protocol_version, "4.0");
    assert_eq!(
        request.header.id, response.header.id,
        "the response echoes the id"
    );
    assert!(request.header.request_hash.is_none());
    (request, response)
}

fn code(text: &str) -> Code {
    Code::new(text).unwrap()
}

const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

#[test]
fn a1_client_reg() {
    let (request, response) = check_operation::<centralservice::ClientReg>("a1-client-reg");
    let body = &request.body.0;
    assert_eq!(body.server.to_string(), "SERVER:EE/GOV/TS1OWNER/TS1");
    assert_eq!(body.client.to_string(), "SUBSYSTEM:EE/COM/client/subsystem");
    assert_eq!(body.client.subsystem_code, Some(code("subsystem")));
    assert_eq!(body.request_id, None);
    let answer = &response.body.0;
    assert_eq!(answer.request_id, Some(xroad::RequestIdType(394)));
    assert_eq!(
        (&answer.server, &answer.client),
        (&body.server, &body.client)
    );
    let hash = response
        .header
        .request_hash
        .as_ref()
        .expect("response has requestHash");
    assert_eq!(hash.algorithm_id, SHA512);
    assert!(hash.value.contains("LGxmFNQhkhehCsbrrBgX4w64N0Z"));
    assert_eq!(
        <centralservice::ClientReg as Operation>::PARTS,
        [
            MimePart::SoapMessage,
            MimePart::Signature,
            MimePart::SigningCertificate,
            MimePart::OcspResponse
        ]
    );
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
        <centralservice::ClientDeletion as Operation>::PARTS,
        [MimePart::SoapMessage]
    );
}

#[test]
fn a3_auth_cert_reg() {
    let (request, response) = check_operation::<centralservice::AuthCertReg>("a3-auth-cert-reg");
    let body = &request.body.0;
    assert_eq!(body.address.as_deref(), Some("192.168.74.202"));
    assert_eq!(body.auth_cert.len(), 955);
    assert_eq!(response.body.0.request_id, Some(xroad::RequestIdType(392)));
    assert!(
        response.header.request_hash.is_none(),
        "Annex A.3 has no requestHash in the authCertReg response"
    );
    assert_eq!(<centralservice::AuthCertReg as Operation>::PARTS.len(), 6);
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
    use centralservice::OperationName;
    for name in OperationName::ALL {
        assert_eq!(name.as_str().parse::<OperationName>().unwrap(), name);
    }
    assert_eq!(OperationName::ALL.len(), 11);
    assert_eq!(OperationName::AuthCertReg.parts().len(), 6);
    assert!("getRandom".parse::<OperationName>().is_err());
}

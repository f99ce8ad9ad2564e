//! Every refusal rule of request parsing, with the fault code a receiver answers with.

use xroad_codec::xml::ErrorKind;
use xroad_mserv::centralservice::{ClientDeletion, ClientReg};
use xroad_runtime::envelope::{EnvelopeError, OpenRequest, parse_request};
use xroad_runtime::fault::{ErrorChain, FaultCode};

const A1: &str = include_str!("../../tests/fixtures/annex-a/a1-client-reg-request.xml");

const HEADER_CLIENT: &str = r#"    <xroad:client id:objectType="MEMBER">
      <id:xRoadInstance>EE</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass>
      <id:memberCode>TS1OWNER</id:memberCode>
    </xroad:client>
"#;
const HEADER_SERVICE: &str = r#"    <xroad:service id:objectType="SERVICE">
      <id:xRoadInstance>EE</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass>
      <id:memberCode>TS1OWNER</id:memberCode>
      <id:serviceCode>clientReg</id:serviceCode>
    </xroad:service>
"#;
const HEADER_ID: &str = "    <xroad:id>8770348d-c5f1-4f23-989e-7dd91fb59eff</xroad:id>\n";
const HEADER_VERSION: &str = "    <xroad:protocolVersion>4.0</xroad:protocolVersion>\n";

/// A.1 with `from` (which must occur) replaced by `to`, once.
fn a1_with(from: &str, to: &str) -> String {
    assert!(A1.contains(from), "A.1 lacks {from:?}");
    A1.replacen(from, to, 1)
}

/// The refusal of `xml`, checked to map to `code`.
fn refused(xml: impl AsRef<[u8]>, code: FaultCode) -> EnvelopeError {
    let error = parse_request::<ClientReg>(xml.as_ref()).expect_err("request must be refused");
    assert_eq!(error.fault_code(), code, "{error}");
    let fault = error.clone().into_fault();
    assert_eq!(fault.code, code);
    // The reason on the wire is the error with each of its causes.
    assert_eq!(fault.reason, ErrorChain(&error).to_string());
    error
}

fn assert_fixtures_present() {
    for part in [HEADER_CLIENT, HEADER_SERVICE, HEADER_ID, HEADER_VERSION] {
        assert!(A1.contains(part), "{part}");
    }
}

#[test]
fn annex_a1_is_accepted() {
    assert_fixtures_present();
    let request = parse_request::<ClientReg>(A1.as_bytes()).unwrap();
    assert_eq!(request.header.id, "8770348d-c5f1-4f23-989e-7dd91fb59eff");
}

#[test]
fn missing_header_fields() {
    for (part, field) in [
        (HEADER_CLIENT, "client"),
        (HEADER_SERVICE, "service"),
        (HEADER_ID, "id"),
        (HEADER_VERSION, "protocolVersion"),
    ] {
        let error = refused(a1_with(part, ""), FaultCode::MissingHeaderField);
        assert_eq!(
            error,
            EnvelopeError::MissingHeaderField {
                path: "/Envelope/Header".to_owned(),
                field: field.to_owned()
            }
        );
    }
    let empty_header = a1_with(
        &format!("{HEADER_CLIENT}{HEADER_SERVICE}{HEADER_ID}{HEADER_VERSION}"),
        "",
    );
    let error = refused(empty_header, FaultCode::MissingHeaderField);
    assert!(
        matches!(
            error,
            EnvelopeError::MissingHeaderField { ref field, .. } if field == "client"
        ),
        "{error}"
    );
    let start = A1.find("<SOAP-ENV:Header>").unwrap();
    let end = A1.find("<SOAP-ENV:Body>").unwrap();
    let no_header = format!("{}{}", &A1[..start], &A1[end..]);
    let error = refused(no_header, FaultCode::MissingHeaderField);
    assert_eq!(
        error,
        EnvelopeError::MissingHeader {
            path: "/Envelope".to_owned()
        }
    );
}

#[test]
fn duplicate_header_fields() {
    // needs the any-order Header: read in schema order, a repeated field would be reported
    // as the next field missing, not as a duplicate.
    for (part, field) in [
        (HEADER_CLIENT, "client"),
        (HEADER_SERVICE, "service"),
        (HEADER_ID, "id"),
        (HEADER_VERSION, "protocolVersion"),
    ] {
        let error = refused(a1_with(part, &part.repeat(2)), FaultCode::InvalidRequest);
        assert_eq!(
            error,
            EnvelopeError::DuplicateHeaderField {
                path: format!("/Envelope/Header/{field}"),
                field: field.to_owned()
            }
        );
    }
}

#[test]
fn header_fields_in_any_order_are_accepted() {
    // needs the any-order Header.
    let expected = parse_request::<ClientReg>(A1.as_bytes()).unwrap();
    let in_order = format!("{HEADER_CLIENT}{HEADER_SERVICE}{HEADER_ID}{HEADER_VERSION}");
    for reordered in [
        format!("{HEADER_VERSION}{HEADER_ID}{HEADER_SERVICE}{HEADER_CLIENT}"),
        format!("{HEADER_ID}{HEADER_CLIENT}{HEADER_VERSION}{HEADER_SERVICE}"),
        format!("{HEADER_SERVICE}{HEADER_CLIENT}{HEADER_ID}{HEADER_VERSION}"),
    ] {
        let request =
            parse_request::<ClientReg>(a1_with(&in_order, &reordered).as_bytes()).unwrap();
        assert_eq!(request, expected);
    }
}

#[test]
fn optional_user_id_and_issue_are_accepted() {
    // In schema order: after `id`, before `protocolVersion`.
    let extra = "<xroad:userId>EE12345678901</xroad:userId><xroad:issue>12345</xroad:issue>\n";
    let request =
        parse_request::<ClientReg>(a1_with(HEADER_ID, &format!("{HEADER_ID}{extra}")).as_bytes())
            .unwrap();
    assert_eq!(request.header.user_id.as_deref(), Some("EE12345678901"));
    assert_eq!(request.header.issue.as_deref(), Some("12345"));
}

#[test]
fn optional_user_id_and_issue_are_tolerated_once_anywhere() {
    // needs the any-order Header: `userId` and `issue` before `id`, and a repeated optional
    // field reported as a duplicate.
    let extra = "<xroad:userId>EE12345678901</xroad:userId><xroad:issue>12345</xroad:issue>\n";
    let request =
        parse_request::<ClientReg>(a1_with(HEADER_ID, &format!("{extra}{HEADER_ID}")).as_bytes())
            .unwrap();
    assert_eq!(request.header.user_id.as_deref(), Some("EE12345678901"));
    assert_eq!(request.header.issue.as_deref(), Some("12345"));
    for (twice, field) in [
        (
            "<xroad:userId>a</xroad:userId><xroad:userId>b</xroad:userId>",
            "userId",
        ),
        (
            "<xroad:issue>a</xroad:issue><xroad:issue>b</xroad:issue>",
            "issue",
        ),
    ] {
        let error = refused(
            a1_with(HEADER_ID, &format!("{twice}{HEADER_ID}")),
            FaultCode::InvalidRequest,
        );
        assert!(
            matches!(error, EnvelopeError::DuplicateHeaderField { field: ref f, .. } if f == field),
            "{error}"
        );
    }
}

/// Header elements that are none of the X-Road header fields of the management services.
const UNKNOWN_HEADER_ELEMENTS: [(&str, &str); 3] = [
    (
        r#"<other:thing xmlns:other="urn:other">x</other:thing>"#,
        "{urn:other}thing",
    ),
    // An X-Road header field the management services do not use.
    (
        "<xroad:centralService/>",
        "{http://x-road.eu/xsd/xroad.xsd}centralService",
    ),
    ("<id>x</id>", "id"),
];

#[test]
fn unknown_header_elements() {
    // After the last field.
    for (element, name) in UNKNOWN_HEADER_ELEMENTS {
        let error = refused(
            a1_with(HEADER_VERSION, &format!("{HEADER_VERSION}{element}")),
            FaultCode::InvalidRequest,
        );
        assert!(
            matches!(error, EnvelopeError::UnexpectedHeaderField { name: ref n, .. } if n == name),
            "{error}"
        );
    }
}

#[test]
fn unknown_header_elements_between_fields() {
    // needs the any-order Header: read in schema order, an unknown element before
    // `protocolVersion` would be reported as `protocolVersion` missing.
    for (element, name) in UNKNOWN_HEADER_ELEMENTS {
        let error = refused(
            a1_with(HEADER_ID, &format!("{HEADER_ID}{element}")),
            FaultCode::InvalidRequest,
        );
        assert!(
            matches!(error, EnvelopeError::UnexpectedHeaderField { name: ref n, .. } if n == name),
            "{error}"
        );
    }
}

#[test]
fn security_server_and_represented_party_are_accepted() {
    // Header fields of the X-Road message protocol that the management services' header
    // carries too: `securityServer` (after `service`) and `representedParty` (after
    // `userId`).
    let security_server = r#"    <xroad:securityServer id:objectType="SERVER">
      <id:xRoadInstance>EE</id:xRoadInstance>
      <id:memberClass>GOV</id:memberClass>
      <id:memberCode>TS1OWNER</id:memberCode>
      <id:serverCode>TS1</id:serverCode>
    </xroad:securityServer>
"#;
    let represented_party = r#"<repr:representedParty xmlns:repr="http://x-road.eu/xsd/representation.xsd"><repr:partyClass>COM</repr:partyClass><repr:partyCode>UNKNOWN</repr:partyCode></repr:representedParty>"#;
    let xml = a1_with(
        HEADER_SERVICE,
        &format!("{HEADER_SERVICE}{security_server}"),
    );
    let xml = xml.replacen(
        HEADER_ID,
        &format!("{HEADER_ID}<xroad:userId>EE1</xroad:userId>{represented_party}"),
        1,
    );
    let request = parse_request::<ClientReg>(xml.as_bytes()).unwrap();
    assert_eq!(
        request
            .header
            .security_server
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("SERVER:EE/GOV/TS1OWNER/TS1")
    );
    let party = request.header.represented_party.as_ref().unwrap();
    assert_eq!(
        (party.party_class.as_deref(), party.party_code.as_str()),
        (Some("COM"), "UNKNOWN")
    );
    // A malformed security server identifier is an identifier error.
    let error = refused(
        xml.replacen(">TS1</id:serverCode>", ">T:S1</id:serverCode>", 1),
        FaultCode::InvalidClientIdentifier,
    );
    assert!(
        matches!(&error, EnvelopeError::InvalidIdentifier { element, .. } if element == "/Envelope/Header/securityServer"),
        "{error}"
    );
}

const REQUEST_HASH: &str = r#"<xroad:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">AAAA</xroad:requestHash>"#;

#[test]
fn request_hash_in_a_request() {
    // Where responses carry it: after `protocolVersion`.
    let error = refused(
        a1_with(HEADER_VERSION, &format!("{HEADER_VERSION}{REQUEST_HASH}")),
        FaultCode::InvalidRequest,
    );
    assert_eq!(
        error,
        EnvelopeError::RequestHashInRequest {
            path: "/Envelope/Header/requestHash".to_owned()
        }
    );
}

#[test]
fn request_hash_in_a_request_between_fields() {
    // needs the any-order Header: read in schema order, `requestHash` before
    // `protocolVersion` would be reported as `protocolVersion` missing.
    let error = refused(
        a1_with(HEADER_ID, &format!("{HEADER_ID}{REQUEST_HASH}")),
        FaultCode::InvalidRequest,
    );
    assert_eq!(
        error,
        EnvelopeError::RequestHashInRequest {
            path: "/Envelope/Header/requestHash".to_owned()
        }
    );
}

#[test]
fn protocol_versions_other_than_4_x() {
    for version in ["3.1", "4", "4.x", "4.0.1", "", " 4.0"] {
        let xml = a1_with(">4.0<", &format!(">{version}<"));
        let error = refused(xml, FaultCode::InvalidRequest);
        assert_eq!(
            error,
            EnvelopeError::UnsupportedProtocolVersion {
                path: "/Envelope/Header/protocolVersion".to_owned(),
                found: version.to_owned()
            }
        );
    }
    let request = parse_request::<ClientReg>(a1_with(">4.0<", ">4.12<").as_bytes()).unwrap();
    assert_eq!(request.header.protocol_version, "4.12");
}

#[test]
fn unknown_service_code() {
    let xml = a1_with(
        ">clientReg</id:serviceCode>",
        ">clientRegistration</id:serviceCode>",
    );
    let error = refused(xml.clone(), FaultCode::InvalidRequest);
    assert_eq!(
        error,
        EnvelopeError::ServiceMismatch {
            path: "/Envelope/Header/service/serviceCode".to_owned(),
            code: "clientRegistration".to_owned(),
            expected: "clientReg",
        }
    );
    // What a server answers when no operation of its service has the code.
    let open = OpenRequest::parse(xml.as_bytes()).unwrap();
    assert_eq!(open.service_code(), "clientRegistration");
    let error = open.unknown_service();
    assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
    assert_eq!(
        error,
        EnvelopeError::UnknownService {
            path: "/Envelope/Header/service/serviceCode".to_owned(),
            code: "clientRegistration".to_owned()
        }
    );
}

#[test]
fn body_must_match_the_service_code() {
    // A clientDeletion (by its service code) whose body is a clientReg.
    let xml = a1_with(
        ">clientReg</id:serviceCode>",
        ">clientDeletion</id:serviceCode>",
    );
    let error = parse_request::<ClientDeletion>(xml.as_bytes()).unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
    assert_eq!(
        error,
        EnvelopeError::BodyMismatch {
            path: "/Envelope/Body/clientReg".to_owned(),
            expected: "{http://x-road.eu/xsd/xroad.xsd}clientDeletion".to_owned(),
            found: "{http://x-road.eu/xsd/xroad.xsd}clientReg".to_owned()
        }
    );
    // The right name in another namespace.
    let xml = A1
        .replace(
            "<xroad:clientReg>",
            r#"<cs:clientReg xmlns:cs="http://x-road.eu/xsd/centralservice.xsd">"#,
        )
        .replace("</xroad:clientReg>", "</cs:clientReg>");
    let error = refused(xml, FaultCode::InvalidRequest);
    assert!(
        matches!(error, EnvelopeError::BodyMismatch { .. }),
        "{error}"
    );
    // A second body element.
    let xml = a1_with("</SOAP-ENV:Body>", "<xroad:clientReg/></SOAP-ENV:Body>");
    let error = refused(xml, FaultCode::InvalidRequest);
    assert_eq!(error.path(), "/Envelope/Body/clientReg");
    // No body element.
    let start = A1.find("<xroad:clientReg>").unwrap();
    let end = A1.find("</xroad:clientReg>").unwrap() + "</xroad:clientReg>".len();
    let xml = format!("{}{}", &A1[..start], &A1[end..]);
    let error = refused(xml, FaultCode::InvalidRequest);
    assert!(
        matches!(&error, EnvelopeError::Xml(e) if matches!(e.kind, ErrorKind::MissingElement { .. })),
        "{error}"
    );
}

#[test]
fn request_id_in_a_request_body() {
    let xml = a1_with(
        "</xroad:clientReg>",
        "<xroad:requestId>1</xroad:requestId></xroad:clientReg>",
    );
    let error = refused(xml, FaultCode::InvalidRequest);
    assert_eq!(
        error,
        EnvelopeError::RequestIdInRequest {
            path: "/Envelope/Body/clientReg/requestId".to_owned()
        }
    );
}

#[test]
fn unknown_body_fields() {
    let xml = a1_with("</xroad:clientReg>", "<xroad:extra/></xroad:clientReg>");
    let error = refused(xml, FaultCode::InvalidRequest);
    assert_eq!(error.path(), "/Envelope/Body/clientReg/extra");
}

#[test]
fn bad_identifier_characters() {
    let cases = [
        (
            ">TS1OWNER</id:memberCode>\n    </xroad:client>",
            ">TS1:OWNER</id:memberCode>\n    </xroad:client>",
            "/Envelope/Header/client",
            "/Envelope/Header/client/memberCode",
        ),
        (
            ">clientReg</id:serviceCode>",
            ">client/Reg</id:serviceCode>",
            "/Envelope/Header/service",
            "/Envelope/Header/service/serviceCode",
        ),
        (
            ">TS1</id:serverCode>",
            ">TS%1</id:serverCode>",
            "/Envelope/Body/clientReg/server",
            "/Envelope/Body/clientReg/server/serverCode",
        ),
        (
            ">subsystem<",
            ">sub;system<",
            "/Envelope/Body/clientReg/client",
            "/Envelope/Body/clientReg/client/subsystemCode",
        ),
        (
            ">COM<",
            "><",
            "/Envelope/Body/clientReg/client",
            "/Envelope/Body/clientReg/client/memberClass",
        ),
        (
            ">COM<",
            ">C\u{200B}OM<",
            "/Envelope/Body/clientReg/client",
            "/Envelope/Body/clientReg/client/memberClass",
        ),
    ];
    for (from, to, element, path) in cases {
        let error = refused(a1_with(from, to), FaultCode::InvalidClientIdentifier);
        assert!(
            matches!(&error, EnvelopeError::InvalidIdentifier { element: e, .. } if e == element),
            "{error}"
        );
        assert_eq!(error.path(), path, "{error}");
    }
}

#[test]
fn wrong_or_missing_object_types() {
    let cases = [
        (
            r#"<xroad:client id:objectType="MEMBER">"#,
            r#"<xroad:client id:objectType="SERVER">"#,
            "/Envelope/Header/client",
        ),
        (
            r#"<xroad:client id:objectType="MEMBER">"#,
            r#"<xroad:client id:objectType="SUBSYSTEM">"#,
            "/Envelope/Header/client",
        ),
        (
            r#"<xroad:client id:objectType="MEMBER">"#,
            r#"<xroad:client id:objectType="member">"#,
            "/Envelope/Header/client",
        ),
        (
            r#"<xroad:client id:objectType="MEMBER">"#,
            "<xroad:client>",
            "/Envelope/Header/client",
        ),
        (
            r#"<xroad:client id:objectType="MEMBER">"#,
            r#"<xroad:client objectType="MEMBER">"#,
            "/Envelope/Header/client",
        ),
        (
            r#"<xroad:service id:objectType="SERVICE">"#,
            r#"<xroad:service id:objectType="MEMBER">"#,
            "/Envelope/Header/service",
        ),
        (
            r#"<xroad:service id:objectType="SERVICE">"#,
            "<xroad:service>",
            "/Envelope/Header/service",
        ),
        (
            r#"<xroad:server id:objectType="SERVER">"#,
            r#"<xroad:server id:objectType="MEMBER">"#,
            "/Envelope/Body/clientReg/server",
        ),
        (
            r#"<xroad:client id:objectType="SUBSYSTEM">"#,
            r#"<xroad:client id:objectType="MEMBER">"#,
            "/Envelope/Body/clientReg/client",
        ),
    ];
    for (from, to, element) in cases {
        let error = refused(a1_with(from, to), FaultCode::InvalidClientIdentifier);
        assert!(
            matches!(&error, EnvelopeError::InvalidIdentifier { element: e, .. } if e == element),
            "{from} -> {to}: {error}"
        );
    }
}

#[test]
fn missing_identifier_parts() {
    let cases = [
        (
            "<id:memberClass>GOV</id:memberClass>\n      <id:memberCode>TS1OWNER</id:memberCode>\n    </xroad:client>",
            "<id:memberCode>TS1OWNER</id:memberCode>\n    </xroad:client>",
            "/Envelope/Header/client",
        ),
        (
            "<id:serviceCode>clientReg</id:serviceCode>",
            "",
            "/Envelope/Header/service",
        ),
        (
            "<id:serverCode>TS1</id:serverCode>",
            "",
            "/Envelope/Body/clientReg/server",
        ),
        (
            "<id:subsystemCode>subsystem</id:subsystemCode>",
            "",
            "/Envelope/Body/clientReg/client",
        ),
    ];
    for (from, to, element) in cases {
        let error = refused(a1_with(from, to), FaultCode::InvalidClientIdentifier);
        assert!(
            matches!(&error, EnvelopeError::InvalidIdentifier { element: e, .. } if e == element),
            "{error}"
        );
    }
}

#[test]
fn dtd_is_refused() {
    let xml = a1_with(
        "<SOAP-ENV:Envelope",
        "<!DOCTYPE SOAP-ENV:Envelope>\n<SOAP-ENV:Envelope",
    );
    let error = refused(xml, FaultCode::InvalidRequest);
    assert!(
        matches!(&error, EnvelopeError::Xml(e) if e.kind == ErrorKind::Dtd),
        "{error}"
    );
}

#[test]
fn entity_declarations_are_refused_never_expanded() {
    let dtd = r#"<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY owner "TS1OWNER"><!ENTITY a "&owner;&owner;&owner;&owner;&owner;&owner;&owner;&owner;">]>"#;
    let xml = a1_with("<SOAP-ENV:Envelope", &format!("{dtd}\n<SOAP-ENV:Envelope")).replacen(
        ">TS1OWNER<",
        ">&a;<",
        1,
    );
    let error = refused(xml, FaultCode::InvalidRequest);
    assert!(
        matches!(&error, EnvelopeError::Xml(e) if e.kind == ErrorKind::Dtd),
        "{error}"
    );
    // A reference to an undeclared entity is an error, not text.
    let xml = a1_with(">TS1OWNER<", ">&owner;<");
    let error = refused(xml, FaultCode::InvalidRequest);
    assert!(
        matches!(&error, EnvelopeError::Xml(e) if e.kind == ErrorKind::UnknownEntity("owner".to_owned())),
        "{error}"
    );
}

#[test]
fn non_utf8_bytes() {
    let mut bytes = A1.as_bytes().to_vec();
    let at = A1.find("TS1OWNER").unwrap();
    bytes[at] = 0xD5; // Latin-1 `Õ`, not UTF-8
    let error = refused(&bytes, FaultCode::InvalidRequest);
    assert!(
        matches!(&error, EnvelopeError::Xml(e) if matches!(e.kind, ErrorKind::Syntax(_)) && e.position == at as u64),
        "{error}"
    );
    let latin1 = a1_with(r#"encoding="UTF-8""#, r#"encoding="ISO-8859-1""#);
    refused(latin1, FaultCode::InvalidRequest);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(A1.encode_utf16().flat_map(u16::to_le_bytes));
    refused(&utf16, FaultCode::InvalidRequest);
}

#[test]
fn truncated_xml() {
    let bytes = A1.as_bytes();
    let end = A1.trim_end().len();
    for cut in [
        0,
        1,
        38,
        100,
        A1.find("<SOAP-ENV:Body>").unwrap() + 3,
        end / 2,
        end - 1,
    ] {
        let error = refused(&bytes[..cut], FaultCode::InvalidRequest);
        assert!(
            matches!(&error, EnvelopeError::Xml(e) if matches!(e.kind, ErrorKind::Syntax(_) | ErrorKind::UnexpectedEof)),
            "cut at {cut}: {error}"
        );
    }
}

#[test]
fn trailing_content_and_wrong_envelope() {
    refused(format!("{A1}<x/>"), FaultCode::InvalidRequest);
    let soap12 = A1.replace(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    );
    let error = refused(soap12, FaultCode::InvalidRequest);
    assert_eq!(error.path(), "/Envelope");
    let attribute = a1_with(
        "<SOAP-ENV:Header>",
        r#"<SOAP-ENV:Header SOAP-ENV:actor="x">"#,
    );
    let error = refused(attribute, FaultCode::InvalidRequest);
    assert_eq!(error.path(), "/Envelope/Header/@actor");
}

#[test]
fn missing_body_fields_are_missing_elements() {
    let start = A1.find("<xroad:server").unwrap();
    let end = A1.find("</xroad:server>").unwrap() + "</xroad:server>".len();
    let xml = format!("{}{}", &A1[..start], &A1[end..]);
    let error = refused(xml, FaultCode::InvalidRequest);
    let EnvelopeError::Xml(error) = error else {
        panic!("{error:?}");
    };
    assert_eq!(error.path, "/Envelope/Body/clientReg");
    assert_eq!(
        error.kind,
        ErrorKind::MissingElement {
            expected: "{http://x-road.eu/xsd/xroad.xsd}server".to_owned(),
            found: Some("{http://x-road.eu/xsd/xroad.xsd}client".to_owned())
        }
    );
}

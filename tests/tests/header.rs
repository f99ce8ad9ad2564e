//! The generated `Header` reads the wire as the reference implementation writes it: header
//! elements in any order, each at most once, `requestHash` with its `algorithmId`, and the
//! X-Road header elements that the WSDL does not declare (`securityServer`, `userId`,
//! `representedParty`, `issue`); it writes them in the reference's order.

use xroad_codec::header::{PROTOCOL_VERSION, REPRESENTATION_NS, RepresentedParty};
use xroad_codec::operation::Operation;
use xroad_codec::soap::Envelope;
use xroad_codec::xml::{Error, ErrorKind};
use xroad_mserv::centralservice::{ClientReg, Header};
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadSecurityServerIdentifierType, XRoadServiceIdentifierType,
};
use xroad_mserv::{NAMESPACES, xroad};
use xroad_tests::annex_a;

type Request = Envelope<Header, <ClientReg as Operation>::Request>;
type Response = Envelope<Header, <ClientReg as Operation>::Response>;

/// The header elements of `text` (from `<xroad:client` to the end of the last one) and the
/// text before and after them.
fn split_header(text: &str) -> (&str, Vec<String>, &str) {
    let start = text.find("<xroad:client ").expect("header client");
    let end = text.find("</SOAP-ENV:Header>").expect("header end");
    let mut blocks = Vec::new();
    let mut rest = text[start..end].trim();
    while !rest.is_empty() {
        let name_end = rest.find([' ', '>']).expect("element name");
        let name = &rest[1..name_end];
        let close = format!("</{name}>");
        let stop = rest.find(&close).expect("closing tag") + close.len();
        blocks.push(rest[..stop].to_owned());
        rest = rest[stop..].trim_start();
    }
    (&text[..start], blocks, &text[end..])
}

fn join(head: &str, blocks: &[String], tail: &str) -> String {
    format!("{head}{}\n  {tail}", blocks.join("\n    "))
}

fn parse_response(text: &str) -> Result<Response, Error> {
    Response::from_slice(text.as_bytes())
}

#[test]
fn header_elements_in_any_order() {
    let text = annex_a("a1-client-reg-response.xml");
    let original = parse_response(&text).unwrap();
    let (head, mut blocks, tail) = split_header(&text);
    assert_eq!(blocks.len(), 5);
    // requestHash first, then the rest backwards.
    blocks.reverse();
    let reversed = join(head, &blocks, tail);
    assert!(
        reversed.find("<xroad:requestHash").unwrap() < reversed.find("<xroad:client ").unwrap()
    );
    assert_eq!(parse_response(&reversed).unwrap(), original);
}

#[test]
fn a_repeated_header_element_is_refused() {
    let text = annex_a("a1-client-reg-response.xml");
    let (head, mut blocks, tail) = split_header(&text);
    let id = blocks[2].clone();
    assert!(id.starts_with("<xroad:id>"));
    blocks.push(id);
    let error = parse_response(&join(head, &blocks, tail)).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::DuplicateElement("{http://x-road.eu/xsd/xroad.xsd}id".into())
    );
    assert_eq!(error.path, "/Envelope/Header/id");
}

#[test]
fn a_missing_required_element_is_named_at_the_header_end() {
    let text = annex_a("a1-client-reg-response.xml");
    let (head, mut blocks, tail) = split_header(&text);
    blocks.retain(|b| !b.starts_with("<xroad:protocolVersion"));
    let error = parse_response(&join(head, &blocks, tail)).unwrap_err();
    assert_eq!(
        error.kind,
        ErrorKind::MissingElement {
            expected: "{http://x-road.eu/xsd/xroad.xsd}protocolVersion".into(),
            found: None,
        }
    );
    assert_eq!(error.path, "/Envelope/Header");
}

#[test]
fn an_element_no_field_reads_is_refused() {
    let text = annex_a("a1-client-reg-response.xml");
    let (head, mut blocks, tail) = split_header(&text);
    blocks.push("<xroad:note>hi</xroad:note>".into());
    let error = parse_response(&join(head, &blocks, tail)).unwrap_err();
    assert_eq!(error.path, "/Envelope/Header/note");
    assert!(
        matches!(&error.kind, ErrorKind::UnexpectedElement { found, .. } if found.ends_with("}note")),
        "{error}"
    );
}

/// A request with every optional X-Road header element, in the order of PR-MESS E.1 (user id
/// and issue between id and protocol version) and the represented party last.
const FULL_REQUEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:id="http://x-road.eu/xsd/identifiers" xmlns:xroad="http://x-road.eu/xsd/xroad.xsd" xmlns:repr="http://x-road.eu/xsd/representation.xsd">
  <SOAP-ENV:Header>
    <xroad:client id:objectType="MEMBER"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>TS1OWNER</id:memberCode></xroad:client>
    <xroad:service id:objectType="SERVICE"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>TS1OWNER</id:memberCode><id:serviceCode>clientReg</id:serviceCode></xroad:service>
    <xroad:id>4894e35d-bf0f-44a6-867a-8e51f1daa7e0</xroad:id>
    <xroad:userId>EE12345678901</xroad:userId>
    <xroad:issue>12345</xroad:issue>
    <xroad:protocolVersion>4.0</xroad:protocolVersion>
    <xroad:securityServer id:objectType="SERVER"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>MEMBER1</id:memberCode><id:serverCode>SS1</id:serverCode></xroad:securityServer>
    <repr:representedParty><repr:partyClass>COM</repr:partyClass><repr:partyCode>UNKNOWN_MEMBER</repr:partyCode></repr:representedParty>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <xroad:clientReg>
      <xroad:server id:objectType="SERVER"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>TS1OWNER</id:memberCode><id:serverCode>TS1</id:serverCode></xroad:server>
      <xroad:client id:objectType="SUBSYSTEM"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>COM</id:memberClass><id:memberCode>client</id:memberCode><id:subsystemCode>subsystem</id:subsystemCode></xroad:client>
    </xroad:clientReg>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"#;

#[test]
fn optional_x_road_header_elements_are_read_and_written_in_the_reference_order() {
    let request = Request::from_slice(FULL_REQUEST.as_bytes()).unwrap();
    let header = &request.header;
    assert_eq!(header.user_id.as_deref(), Some("EE12345678901"));
    assert_eq!(header.issue.as_deref(), Some("12345"));
    assert_eq!(
        header.security_server.as_ref().map(ToString::to_string),
        Some("SERVER:EE/GOV/MEMBER1/SS1".to_owned())
    );
    assert_eq!(
        header.represented_party,
        Some(RepresentedParty {
            party_class: Some("COM".into()),
            party_code: "UNKNOWN_MEMBER".into(),
        })
    );
    assert!(NAMESPACES.contains(&("repr", REPRESENTATION_NS)));
    let written = String::from_utf8(request.to_vec(NAMESPACES).unwrap()).unwrap();
    let order: Vec<usize> = [
        "<xroad:client ",
        "<xroad:service ",
        "<xroad:securityServer ",
        "<xroad:id>",
        "<xroad:userId>",
        "<repr:representedParty>",
        "<xroad:issue>",
        "<xroad:protocolVersion>",
    ]
    .iter()
    .map(|tag| {
        written
            .find(tag)
            .unwrap_or_else(|| panic!("{tag} in {written}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{written}");
    assert_eq!(Request::from_slice(written.as_bytes()).unwrap(), request);
}

#[test]
fn request_constructor() {
    let client: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
    let service: XRoadServiceIdentifierType = "SERVICE:EE/GOV/TS1OWNER/clientReg".parse().unwrap();
    let header = Header::request(client.clone(), service.clone(), "id-1");
    assert_eq!(header.client, client);
    assert_eq!(header.service, service);
    assert_eq!(header.id, "id-1");
    assert_eq!(header.protocol_version, PROTOCOL_VERSION);
    assert_eq!(
        (
            &header.security_server,
            &header.user_id,
            &header.represented_party,
            &header.issue,
            &header.request_hash,
        ),
        (&None, &None, &None, &None, &None)
    );
    // A response header of the reference: the request's with requestHash after the version.
    let mut response = header.clone();
    response.request_hash = Some(xroad::RequestHash {
        algorithm_id: "http://www.w3.org/2001/04/xmlenc#sha512".into(),
        value: "aGFzaA==".into(),
    });
    let server: XRoadSecurityServerIdentifierType = "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap();
    let body = xroad::ClientRegResponse(xroad::ClientRegRequestType {
        server,
        client,
        subsystem_name: None,
        request_id: Some(xroad::RequestIdType(1)),
    });
    let envelope = Envelope {
        header: response,
        body,
    };
    let written = String::from_utf8(envelope.to_vec(NAMESPACES).unwrap()).unwrap();
    assert!(
        written.find("<xroad:protocolVersion>").unwrap()
            < written.find("<xroad:requestHash algorithmId=").unwrap(),
        "{written}"
    );
    assert_eq!(Response::from_slice(written.as_bytes()).unwrap(), envelope);
}

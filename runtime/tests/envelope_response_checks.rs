//! Client-side checks of responses: every echoed field, the request hash and the request id.

use xroad_mserv::centralservice::{AuthCertReg, ClientReg};
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::ManagementOperation;
use xroad_runtime::envelope::BuildError;
use xroad_runtime::envelope::{
    EnvelopeError, Request, Response, ResponseError, build_fault, parse_request, parse_response,
    request_hash,
};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::operation::ManagementBody;

const A1: &str = include_str!("../../tests/fixtures/annex-a/a1-client-reg-request.xml");
const A3: &str = include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-request.xml");

/// `text` with the `n`-th (0-based) occurrence of `from` replaced by `to`.
fn replace_nth(text: &str, from: &str, to: &str, n: usize) -> String {
    let (at, _) = text
        .match_indices(from)
        .nth(n)
        .unwrap_or_else(|| panic!("{from:?} occurs fewer than {} times", n + 1));
    format!("{}{to}{}", &text[..at], &text[at + from.len()..])
}

/// A request built by us, its bytes, and the response a central server answering security
/// servers directly builds for it (with `requestHash` where the operation's responses carry
/// it).
fn exchange<O: ManagementOperation>(annex: &str, request_id: i64) -> (Request<O>, Vec<u8>, String)
where
    O::Request: PartialEq + std::fmt::Debug,
{
    let annex = parse_request::<O>(annex.as_bytes()).unwrap();
    let provider: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
    let encoded = Request::<O>::new(annex.header.client.clone(), &provider, annex.body)
        .unwrap()
        .encode()
        .unwrap();
    let received = parse_request::<O>(&encoded.soap).unwrap();
    assert_eq!(received, encoded.request);
    let response = Response::answer(
        &received,
        &encoded.soap,
        request_id,
        O::DESCRIPTION.request_hash,
    )
    .unwrap()
    .to_soap()
    .unwrap();
    (
        encoded.request,
        encoded.soap.to_vec(),
        String::from_utf8(response).unwrap(),
    )
}

/// The request id of the response body `parse_response` returns.
fn check<O: ManagementOperation>(
    request: &Request<O>,
    sent: &[u8],
    response: &str,
) -> Result<i64, ResponseError> {
    parse_response(request, sent, response.as_bytes())
        .map(|body| body.request_id().expect("parse_response checks requestId"))
}

#[test]
fn our_responses_are_accepted() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    assert_eq!(check(&request, &sent, &response), Ok(394));
    let (request, sent, response) = exchange::<AuthCertReg>(A3, 392);
    assert_eq!(check(&request, &sent, &response), Ok(392));
}

#[test]
fn fresh_ids_are_uuid_v4() {
    let (first, _, _) = exchange::<ClientReg>(A1, 1);
    let (second, _, _) = exchange::<ClientReg>(A1, 1);
    assert_ne!(first.header.id, second.header.id);
    let id = uuid::Uuid::parse_str(&first.header.id).unwrap();
    assert_eq!(id.get_version_num(), 4);
    assert_eq!(id.hyphenated().to_string(), first.header.id);
}

#[test]
fn altered_header_fields_are_refused_by_name() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let id = &request.header.id;
    let cases = [
        (
            replace_nth(&response, ">TS1OWNER<", ">OTHER<", 0),
            "/Envelope/Header/client",
            "MEMBER:EE/GOV/OTHER",
        ),
        (
            replace_nth(&response, ">TS1OWNER<", ">OTHER<", 1),
            "/Envelope/Header/service",
            "SERVICE:EE/GOV/OTHER/clientReg",
        ),
        (
            replace_nth(&response, &format!(">{id}<"), ">other-id<", 0),
            "/Envelope/Header/id",
            "other-id",
        ),
        (
            replace_nth(&response, ">4.0<", ">4.1<", 0),
            "/Envelope/Header/protocolVersion",
            "4.1",
        ),
        (
            replace_nth(
                &response,
                "<xroad:protocolVersion>",
                "<xroad:userId>EE1</xroad:userId><xroad:protocolVersion>",
                0,
            ),
            "/Envelope/Header/userId",
            "EE1",
        ),
        (
            replace_nth(
                &response,
                "<xroad:protocolVersion>",
                "<xroad:issue>7</xroad:issue><xroad:protocolVersion>",
                0,
            ),
            "/Envelope/Header/issue",
            "7",
        ),
        (
            replace_nth(
                &response,
                "<xroad:id>",
                r#"<xroad:securityServer id:objectType="SERVER"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>TS1OWNER</id:memberCode><id:serverCode>TS1</id:serverCode></xroad:securityServer><xroad:id>"#,
                0,
            ),
            "/Envelope/Header/securityServer",
            "SERVER:EE/GOV/TS1OWNER/TS1",
        ),
        (
            replace_nth(
                &response,
                "<xroad:protocolVersion>",
                r#"<repr:representedParty xmlns:repr="http://x-road.eu/xsd/representation.xsd"><repr:partyClass>COM</repr:partyClass><repr:partyCode>P1</repr:partyCode></repr:representedParty><xroad:protocolVersion>"#,
                0,
            ),
            "/Envelope/Header/representedParty",
            "COM/P1",
        ),
    ];
    for (altered, path, received) in cases {
        match check(&request, &sent, &altered) {
            Err(ResponseError::HeaderMismatch {
                path: p,
                received: r,
                ..
            }) => {
                assert_eq!((p.as_str(), r.as_str()), (path, received));
            }
            other => panic!("{path}: {other:?}"),
        }
    }
}

#[test]
fn altered_body_fields_are_refused_by_name() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let cases = [
        (
            replace_nth(&response, ">TS1<", ">TS2<", 0),
            "/Envelope/Body/clientRegResponse/server",
        ),
        (
            replace_nth(&response, ">subsystem<", ">other<", 0),
            "/Envelope/Body/clientRegResponse/client",
        ),
    ];
    for (altered, path) in cases {
        assert_eq!(
            check(&request, &sent, &altered),
            Err(ResponseError::BodyMismatch {
                path: path.to_owned()
            })
        );
    }
    let (request, sent, response) = exchange::<AuthCertReg>(A3, 392);
    let cases = [
        (
            replace_nth(&response, ">192.168.74.202<", ">192.168.74.203<", 0),
            "/Envelope/Body/authCertRegResponse/address",
        ),
        (
            replace_nth(
                &response,
                "<xroad:address>192.168.74.202</xroad:address>",
                "",
                0,
            ),
            "/Envelope/Body/authCertRegResponse/address",
        ),
        (
            replace_nth(&response, "<xroad:authCert>MIID", "<xroad:authCert>MIIE", 0),
            "/Envelope/Body/authCertRegResponse/authCert",
        ),
    ];
    for (altered, path) in cases {
        assert_eq!(
            check(&request, &sent, &altered),
            Err(ResponseError::BodyMismatch {
                path: path.to_owned()
            })
        );
    }
}

#[test]
fn a_body_of_another_operation_is_refused() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let altered = response.replace("clientRegResponse", "clientDeletionResponse");
    match check(&request, &sent, &altered) {
        Err(ResponseError::Malformed(EnvelopeError::BodyMismatch {
            expected, found, ..
        })) => {
            assert!(expected.ends_with("}clientRegResponse"), "{expected}");
            assert!(found.ends_with("}clientDeletionResponse"), "{found}");
        }
        other => panic!("{other:?}"),
    }
    // The request element itself is no response.
    let altered = response.replace("clientRegResponse", "clientReg");
    assert!(matches!(
        check(&request, &sent, &altered),
        Err(ResponseError::Malformed(EnvelopeError::BodyMismatch { .. }))
    ));
}

#[test]
fn request_hash_checks() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let ours = request_hash(&sent).value;
    assert!(response.contains(&ours));

    // The hash of other bytes: one byte more than was sent.
    let mut other = sent.clone();
    other.push(b'\n');
    let wrong = request_hash(&other).value;
    let altered = response.replace(&ours, &wrong);
    assert_eq!(
        check(&request, &sent, &altered),
        Err(ResponseError::RequestHashMismatch {
            path: "/Envelope/Header/requestHash"
        })
    );
    // The same response checked against other bytes than those hashed.
    assert_eq!(
        check(&request, &other, &response),
        Err(ResponseError::RequestHashMismatch {
            path: "/Envelope/Header/requestHash"
        })
    );

    let altered = response.replace("xmlenc#sha512", "xmlenc#sha256");
    assert!(matches!(
        check(&request, &sent, &altered),
        Err(ResponseError::RequestHashAlgorithm { found, .. }) if found == "http://www.w3.org/2001/04/xmlenc#sha256"
    ));

    let altered = response.replace(&ours, "not base64!");
    assert!(matches!(
        check(&request, &sent, &altered),
        Err(ResponseError::RequestHashEncoding { .. })
    ));

    let start = response.find("<xroad:requestHash").unwrap();
    let end = response.find("</xroad:requestHash>").unwrap() + "</xroad:requestHash>".len();
    let without = format!("{}{}", &response[..start], &response[end..]);
    assert_eq!(
        check(&request, &sent, &without),
        Err(ResponseError::MissingRequestHash {
            path: "/Envelope/Header"
        })
    );
}

#[test]
fn a_repeated_request_hash_is_refused() {
    // needs the any-order Header: read in schema order, a second `requestHash` would be
    // reported as an unexpected element, not as a duplicate.
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let start = response.find("<xroad:requestHash").unwrap();
    let end = response.find("</xroad:requestHash>").unwrap() + "</xroad:requestHash>".len();
    let twice = replace_nth(
        &response,
        &response[start..end],
        &response[start..end].repeat(2),
        0,
    );
    let result = check(&request, &sent, &twice);
    assert!(
        matches!(&result, Err(ResponseError::Malformed(_))),
        "{result:?}"
    );
    assert!(
        matches!(
            &result,
            Err(ResponseError::Malformed(
                EnvelopeError::DuplicateHeaderField { field, .. }
            )) if field == "requestHash"
        ),
        "{result:?}"
    );
}

#[test]
fn auth_cert_reg_responses_need_no_hash_but_one_present_is_checked() {
    let (request, sent, response) = exchange::<AuthCertReg>(A3, 392);
    assert!(!response.contains("requestHash"));
    assert_eq!(check(&request, &sent, &response), Ok(392));
    let with_hash = |hash: &str| {
        replace_nth(
            &response,
            "</xroad:protocolVersion>",
            &format!(
                r#"</xroad:protocolVersion><xroad:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">{hash}</xroad:requestHash>"#
            ),
            0,
        )
    };
    // The hash of the bytes sent is accepted (a security server in between may add it).
    assert_eq!(
        check(&request, &sent, &with_hash(&request_hash(&sent).value)),
        Ok(392)
    );
    // Any other is refused.
    let mut other = sent.clone();
    other.push(b'\n');
    assert_eq!(
        check(&request, &sent, &with_hash(&request_hash(&other).value)),
        Err(ResponseError::RequestHashMismatch {
            path: "/Envelope/Header/requestHash"
        })
    );
}

#[test]
fn request_id_checks() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let without = response.replace("<xroad:requestId>394</xroad:requestId>", "");
    assert_eq!(
        check(&request, &sent, &without),
        Err(ResponseError::MissingRequestId {
            path: "/Envelope/Body/clientRegResponse".to_owned()
        })
    );
    for found in [0, -5] {
        let altered = response.replace(">394<", &format!(">{found}<"));
        assert_eq!(
            check(&request, &sent, &altered),
            Err(ResponseError::NonPositiveRequestId {
                path: "/Envelope/Body/clientRegResponse/requestId".to_owned(),
                found
            })
        );
    }
    let altered = response.replace(">394<", ">x<");
    assert!(matches!(
        check(&request, &sent, &altered),
        Err(ResponseError::Malformed(_))
    ));
    for id in [0, -1] {
        assert_eq!(
            Response::answer(&request, &sent, id, true).map(|_| ()),
            Err(BuildError::NonPositiveRequestId(id))
        );
    }
}

#[test]
fn a_fault_reply_is_the_servers_refusal() {
    let (request, sent, _) = exchange::<ClientReg>(A1, 394);
    let fault = Fault::new(
        FaultCode::InvalidSignatureValue,
        "signature does not verify",
    );
    let reply = String::from_utf8(build_fault(&fault).unwrap()).unwrap();
    match check(&request, &sent, &reply) {
        Err(ResponseError::Fault(received)) => assert_eq!(received.fault, fault),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_response_without_header_is_refused() {
    let (request, sent, response) = exchange::<ClientReg>(A1, 394);
    let start = response.find("<SOAP-ENV:Header>").unwrap();
    let end = response.find("<SOAP-ENV:Body>").unwrap();
    let without = format!("{}{}", &response[..start], &response[end..]);
    assert!(matches!(
        check(&request, &sent, &without),
        Err(ResponseError::Malformed(
            EnvelopeError::MissingHeader { .. }
        ))
    ));
}

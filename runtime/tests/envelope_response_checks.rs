//! Client-side checks of responses: every echoed field, the request hash and the request id.

use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::envelope::BuildError;
use xroad_runtime::envelope::{
    EnvelopeError, Request, ResponseError, build_fault, build_request, build_response,
    parse_request, parse_response, request_hash,
};
use xroad_runtime::fault::{Fault, FaultCode};

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

/// A request built by us, its bytes, and the response the central server builds for it.
fn exchange(annex: &str, request_id: i64) -> (Request, Vec<u8>, String) {
    let annex = parse_request(annex.as_bytes()).unwrap();
    let provider: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
    let encoded = build_request(annex.header.client.clone(), &provider, annex.body).unwrap();
    let received = parse_request(&encoded.soap).unwrap();
    assert_eq!(received, encoded.request);
    let response = build_response(&received, &encoded.soap, request_id).unwrap();
    (
        encoded.request,
        encoded.soap,
        String::from_utf8(response).unwrap(),
    )
}

fn check(request: &Request, sent: &[u8], response: &str) -> Result<i64, ResponseError> {
    parse_response(request, sent, response.as_bytes())
}

#[test]
fn our_responses_are_accepted() {
    let (request, sent, response) = exchange(A1, 394);
    assert_eq!(check(&request, &sent, &response), Ok(394));
    let (request, sent, response) = exchange(A3, 392);
    assert_eq!(check(&request, &sent, &response), Ok(392));
}

#[test]
fn fresh_ids_are_uuid_v4() {
    let (first, _, _) = exchange(A1, 1);
    let (second, _, _) = exchange(A1, 1);
    assert_ne!(first.header.id, second.header.id);
    let id = uuid::Uuid::parse_str(&first.header.id).unwrap();
    assert_eq!(id.get_version_num(), 4);
    assert_eq!(id.hyphenated().to_string(), first.header.id);
}

#[test]
fn altered_header_fields_are_refused_by_name() {
    let (request, sent, response) = exchange(A1, 394);
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
    ];
    for (altered, path, received) in cases {
        match check(&request, &sent, &altered) {
            Err(ResponseError::HeaderMismatch {
                path: p,
                received: r,
                ..
            }) => {
                assert_eq!((p, r.as_str()), (path, received));
            }
            other => panic!("{path}: {other:?}"),
        }
    }
}

#[test]
fn altered_body_fields_are_refused_by_name() {
    let (request, sent, response) = exchange(A1, 394);
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
    let (request, sent, response) = exchange(A3, 392);
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
    let (request, sent, response) = exchange(A1, 394);
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
    let (request, sent, response) = exchange(A1, 394);
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

    let twice = replace_nth(
        &response,
        &response[start..end],
        &response[start..end].repeat(2),
        0,
    );
    assert!(matches!(
        check(&request, &sent, &twice),
        Err(ResponseError::Malformed(
            EnvelopeError::DuplicateHeaderField {
                field: "requestHash",
                ..
            }
        ))
    ));
}

#[test]
fn auth_cert_reg_responses_carry_no_hash() {
    let (request, sent, response) = exchange(A3, 392);
    assert!(!response.contains("requestHash"));
    let hash = format!(
        r#"<xroad:requestHash algorithmId="http://www.w3.org/2001/04/xmlenc#sha512">{}</xroad:requestHash>"#,
        request_hash(&sent).value
    );
    let altered = replace_nth(
        &response,
        "<xroad:protocolVersion>",
        &format!("{hash}<xroad:protocolVersion>"),
        0,
    );
    assert_eq!(
        check(&request, &sent, &altered),
        Err(ResponseError::UnexpectedRequestHash {
            path: "/Envelope/Header/requestHash"
        })
    );
}

#[test]
fn request_id_checks() {
    let (request, sent, response) = exchange(A1, 394);
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
            build_response(&request, &sent, id),
            Err(BuildError::NonPositiveRequestId(id))
        );
    }
}

#[test]
fn a_fault_reply_is_the_servers_refusal() {
    let (request, sent, _) = exchange(A1, 394);
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
    let (request, sent, response) = exchange(A1, 394);
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

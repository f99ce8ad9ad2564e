//! The Annex A example messages: requests parse, responses are what `build_response` gives
//! for them, and `parse_response` accepts our responses.

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use openssl::x509::X509;
use xroad_mserv::centralservice::OperationName;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_mserv::xroad;
use xroad_runtime::envelope::{
    EnvelopeError, Reply, Request, RequestBody, Response, ResponseError, SHA512_ALGORITHM_ID,
    build_response, parse_reply, parse_request, parse_response,
};
use xroad_runtime::fault::FaultCode;

/// One Annex A example: the operation, the request and response SOAP parts.
struct Example {
    operation: OperationName,
    request: &'static str,
    response: &'static str,
}

const EXAMPLES: [Example; 5] = [
    Example {
        operation: OperationName::ClientReg,
        request: include_str!("../../tests/fixtures/annex-a/a1-client-reg-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a1-client-reg-response.xml"),
    },
    Example {
        operation: OperationName::ClientDeletion,
        request: include_str!("../../tests/fixtures/annex-a/a2-client-deletion-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a2-client-deletion-response.xml"),
    },
    Example {
        operation: OperationName::AuthCertReg,
        request: include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-response.xml"),
    },
    Example {
        operation: OperationName::AuthCertDeletion,
        request: include_str!("../../tests/fixtures/annex-a/a4-auth-cert-deletion-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a4-auth-cert-deletion-response.xml"),
    },
    Example {
        operation: OperationName::OwnerChange,
        request: include_str!("../../tests/fixtures/annex-a/a5-owner-change-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a5-owner-change-response.xml"),
    },
];

const DAMAGED_A3_AUTH_CERT: &str =
    include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-request.damaged-auth-cert.b64");

fn parsed_response(xml: &[u8]) -> Response {
    match parse_reply(xml).unwrap() {
        Reply::Response(response) => *response,
        Reply::Fault(fault) => panic!("unexpected fault {fault}"),
    }
}

/// SHA-512 of `data` computed by the `openssl` command, independently of the code under test.
fn openssl_sha512(data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha512", "-binary"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the openssl command runs");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout.len(), 64);
    output.stdout
}

/// The document with the whitespace between elements removed (the declaration keeps its
/// line end), which is how we write it.
fn compact(xml: &str) -> String {
    let mut lines = xml.lines().map(str::trim);
    let declaration = lines.next().unwrap_or_default();
    format!("{declaration}\n{}", lines.collect::<String>())
}

#[test]
fn all_requests_parse() {
    for example in &EXAMPLES {
        let request = parse_request(example.request.as_bytes()).unwrap();
        assert_eq!(request.operation(), example.operation);
        assert_eq!(
            request.header.service.service_code,
            example.operation.as_str()
        );
        assert_eq!(request.header.client.object_type, XRoadObjectType::Member);
        assert_eq!(request.header.client.to_string(), "MEMBER:EE/GOV/TS1OWNER");
        assert_eq!(request.header.protocol_version, "4.0");
        assert_eq!(request.header.request_hash, None);
        assert_eq!(
            (request.user_id.as_ref(), request.issue.as_ref()),
            (None, None)
        );
    }
}

#[test]
fn auth_certificates_are_real_der() {
    for example in &EXAMPLES[2..4] {
        let request = parse_request(example.request.as_bytes()).unwrap();
        let der = match &request.body {
            RequestBody::AuthCertReg(body) => {
                assert_eq!(body.0.address.as_deref(), Some("192.168.74.202"));
                body.0.auth_cert.clone()
            }
            RequestBody::AuthCertDeletion(body) => body.0.auth_cert.clone(),
            other => panic!("unexpected body {other:?}"),
        };
        let certificate = X509::from_der(&der).expect("authCert is a DER certificate");
        let subject = certificate
            .subject_name()
            .entries_by_nid(openssl::nid::Nid::COMMONNAME)
            .next()
            .unwrap()
            .data()
            .to_string()
            .unwrap();
        assert_eq!(subject, "TS1OWNER");
    }
}

#[test]
fn damaged_annex_auth_certificate_is_refused() {
    let request = EXAMPLES[2].request;
    let start = request.find("<xroad:authCert>").unwrap() + "<xroad:authCert>".len();
    let end = request.find("</xroad:authCert>").unwrap();
    let damaged = format!(
        "{}{}{}",
        &request[..start],
        DAMAGED_A3_AUTH_CERT,
        &request[end..]
    );
    let error = parse_request(damaged.as_bytes()).unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
    assert_eq!(error.path(), "/Envelope/Body/authCertReg/authCert");
    assert!(error.to_string().contains("invalid base64"), "{error}");
}

#[test]
fn requests_we_build_equal_the_annex_requests() {
    let provider: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
    for example in &EXAMPLES {
        let annex = parse_request(example.request.as_bytes()).unwrap();
        let ours = Request::with_id(
            annex.header.client.clone(),
            &provider,
            annex.body.clone(),
            annex.header.id.clone(),
        )
        .unwrap();
        assert_eq!(ours, annex);
        let soap = ours.to_soap().unwrap();
        assert_eq!(parse_request(&soap).unwrap(), annex);
        // Same prefixes and element order as Annex A; only the base64 line breaks differ.
        if !example.request.contains("<xroad:authCert>") {
            assert_eq!(String::from_utf8(soap).unwrap(), compact(example.request));
        }
    }
}

#[test]
fn a_request_built_from_scratch_is_annex_a5() {
    let owner: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
    let server: XRoadSecurityServerIdentifierType = "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap();
    let new_owner: XRoadClientIdentifierType = "MEMBER:EE/COM/MACK".parse().unwrap();
    let body = xroad::OwnerChange(xroad::ClientRequestType {
        server,
        client: new_owner,
        request_id: None,
    });
    let request = Request::with_id(
        owner.clone(),
        &owner,
        body,
        "40c1a424-729d-4d52-bd77-ac6f70d1dac0",
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(request.to_soap().unwrap()).unwrap(),
        compact(EXAMPLES[4].request)
    );
}

#[test]
fn annex_responses_are_what_build_response_gives() {
    for example in &EXAMPLES {
        let request = parse_request(example.request.as_bytes()).unwrap();
        let annex = parsed_response(example.response.as_bytes());
        let request_id = annex
            .body
            .request_id()
            .expect("Annex A responses carry requestId");
        let soap = build_response(&request, example.request.as_bytes(), request_id).unwrap();
        let ours = parsed_response(&soap);
        assert_eq!(
            ours,
            Response::answer(&request, example.request.as_bytes(), request_id).unwrap()
        );

        // The Annex A hashes were computed over bytes we do not have: compare everything
        // but the hash value, and check our hash against the bytes we hashed.
        let strip = |response: &Response| {
            let mut response = response.clone();
            if let Some(hash) = &mut response.header.request_hash {
                hash.value.clear();
            }
            response
        };
        assert_eq!(strip(&ours), strip(&annex), "{:?}", example.operation);
        match &ours.header.request_hash {
            None => assert_eq!(example.operation, OperationName::AuthCertReg),
            Some(hash) => {
                assert_eq!(hash.algorithm_id, SHA512_ALGORITHM_ID);
                let digest = base64::engine::general_purpose::STANDARD
                    .decode(&hash.value)
                    .unwrap();
                assert_eq!(digest, openssl_sha512(example.request.as_bytes()));
            }
        }
        assert_eq!(
            parse_response(&request, example.request.as_bytes(), &soap),
            Ok(request_id)
        );
    }
}

#[test]
fn annex_response_hashes_do_not_match_the_fixture_bytes() {
    // The published requestHash values are line-wrapped base64 of a SHA-512 hash (they
    // decode to 64 bytes) but of other bytes than the fixtures.
    for example in EXAMPLES
        .iter()
        .filter(|e| e.operation != OperationName::AuthCertReg)
    {
        let request = parse_request(example.request.as_bytes()).unwrap();
        let annex = parsed_response(example.response.as_bytes());
        let value = annex.header.request_hash.unwrap().value;
        assert!(value.contains('\n'));
        let compact: String = value.split_whitespace().collect();
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap()
                .len(),
            64
        );
        assert_eq!(
            parse_response(
                &request,
                example.request.as_bytes(),
                example.response.as_bytes()
            ),
            Err(ResponseError::RequestHashMismatch {
                path: "/Envelope/Header/requestHash"
            })
        );
    }
}

#[test]
fn annex_a3_response_is_accepted_as_is() {
    let example = &EXAMPLES[2];
    let request = parse_request(example.request.as_bytes()).unwrap();
    assert_eq!(
        parse_response(
            &request,
            example.request.as_bytes(),
            example.response.as_bytes()
        ),
        Ok(392)
    );
}

#[test]
fn a_line_wrapped_hash_of_the_right_bytes_is_accepted() {
    let example = &EXAMPLES[0];
    let request = parse_request(example.request.as_bytes()).unwrap();
    let digest = openssl_sha512(example.request.as_bytes());
    let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
    let wrapped = format!("\n{}\n{}\n", &encoded[..68], &encoded[68..]);
    let published = "\nLGxmFNQhkhehCsbrrBgX4w64N0Z+knazghehKDYwJzSmVwf8tyVCYHyD8Vp5eSNNMtm0\nXDBzMOkqQ3uSDfNrLw==\n";
    assert!(example.response.contains(published));
    let response = example.response.replace(published, &wrapped);
    assert_eq!(
        parse_response(&request, example.request.as_bytes(), response.as_bytes()),
        Ok(394)
    );
}

#[test]
fn annex_responses_are_not_requests() {
    for example in &EXAMPLES {
        let error = parse_request(example.response.as_bytes()).unwrap_err();
        let expected_hash_refusal = example.operation != OperationName::AuthCertReg;
        assert_eq!(
            matches!(error, EnvelopeError::RequestHashInRequest { .. }),
            expected_hash_refusal,
            "{error}"
        );
        assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
    }
}

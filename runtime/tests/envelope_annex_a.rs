//! The Annex A example messages: requests parse, responses are what `Response::answer` gives
//! for them, and `parse_response` accepts our responses.

use std::fmt::Debug;
use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use openssl::x509::X509;
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_mserv::xroad;
use xroad_runtime::ManagementOperation;
use xroad_runtime::envelope::{
    EnvelopeError, Reply, Request, Response, ResponseError, SHA512_ALGORITHM_ID, parse_reply,
    parse_request, parse_response,
};
use xroad_runtime::fault::FaultCode;
use xroad_runtime::operation::ManagementBody;

/// One Annex A example: the operation, the request and response SOAP parts.
struct Example {
    operation: &'static str,
    request: &'static str,
    response: &'static str,
}

/// An operation whose bodies can be compared and printed, as the generated ones can.
trait Op: ManagementOperation<Request: PartialEq + Debug, Response: PartialEq + Debug> {}

impl<O> Op for O where
    O: ManagementOperation<Request: PartialEq + Debug, Response: PartialEq + Debug>
{
}

/// A check run on every example as its operation.
trait Check {
    fn check<O: Op>(&mut self, example: &Example);
}

/// Runs `check` on the five examples, each as its operation.
fn for_each_example(mut check: impl Check) {
    check.check::<ClientReg>(&EXAMPLES[0]);
    check.check::<ClientDeletion>(&EXAMPLES[1]);
    check.check::<AuthCertReg>(&EXAMPLES[2]);
    check.check::<AuthCertDeletion>(&EXAMPLES[3]);
    check.check::<OwnerChange>(&EXAMPLES[4]);
}

const EXAMPLES: [Example; 5] = [
    Example {
        operation: "clientReg",
        request: include_str!("../../tests/fixtures/annex-a/a1-client-reg-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a1-client-reg-response.xml"),
    },
    Example {
        operation: "clientDeletion",
        request: include_str!("../../tests/fixtures/annex-a/a2-client-deletion-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a2-client-deletion-response.xml"),
    },
    Example {
        operation: "authCertReg",
        request: include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-response.xml"),
    },
    Example {
        operation: "authCertDeletion",
        request: include_str!("../../tests/fixtures/annex-a/a4-auth-cert-deletion-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a4-auth-cert-deletion-response.xml"),
    },
    Example {
        operation: "ownerChange",
        request: include_str!("../../tests/fixtures/annex-a/a5-owner-change-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a5-owner-change-response.xml"),
    },
];

const DAMAGED_A3_AUTH_CERT: &str =
    include_str!("../../tests/fixtures/annex-a/a3-auth-cert-reg-request.damaged-auth-cert.b64");

fn parsed_response<O: ManagementOperation>(xml: &[u8]) -> Response<O> {
    match parse_reply::<O>(xml).unwrap() {
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
    struct AllParse;
    impl Check for AllParse {
        fn check<O: Op>(&mut self, example: &Example) {
            let request = parse_request::<O>(example.request.as_bytes()).unwrap();
            assert_eq!(O::NAME, example.operation);
            assert_eq!(request.header.service.service_code, example.operation);
            assert_eq!(request.header.client.object_type, XRoadObjectType::Member);
            assert_eq!(request.header.client.to_string(), "MEMBER:EE/GOV/TS1OWNER");
            assert_eq!(request.header.protocol_version, "4.0");
            assert_eq!(request.header.request_hash, None);
            assert_eq!(
                (
                    request.header.user_id.as_ref(),
                    request.header.issue.as_ref()
                ),
                (None, None)
            );
            assert_eq!(
                (
                    request.header.security_server.as_ref(),
                    request.header.represented_party.as_ref()
                ),
                (None, None)
            );
        }
    }
    for_each_example(AllParse);
}

#[test]
fn auth_certificates_are_real_der() {
    let registration = parse_request::<AuthCertReg>(EXAMPLES[2].request.as_bytes()).unwrap();
    assert_eq!(registration.body.address(), Some("192.168.74.202"));
    let deletion = parse_request::<AuthCertDeletion>(EXAMPLES[3].request.as_bytes()).unwrap();
    for der in [registration.body.0.auth_cert, deletion.body.0.auth_cert] {
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
    let error = parse_request::<AuthCertReg>(damaged.as_bytes()).unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
    assert_eq!(error.path(), "/Envelope/Body/authCertReg/authCert");
    assert!(error.to_string().contains("invalid base64"), "{error}");
}

#[test]
fn requests_we_build_equal_the_annex_requests() {
    struct BuildEqual;
    impl Check for BuildEqual {
        fn check<O: Op>(&mut self, example: &Example) {
            let provider: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
            let annex = parse_request::<O>(example.request.as_bytes()).unwrap();
            let ours = Request::<O>::with_id(
                annex.header.client.clone(),
                &provider,
                annex.body.clone(),
                annex.header.id.clone(),
            )
            .unwrap();
            assert_eq!(ours, annex);
            let soap = ours.to_soap().unwrap();
            assert_eq!(parse_request::<O>(&soap).unwrap(), annex);
            // Same prefixes and element order as Annex A; only the base64 line breaks differ.
            if !example.request.contains("<xroad:authCert>") {
                assert_eq!(String::from_utf8(soap).unwrap(), compact(example.request));
            }
        }
    }
    for_each_example(BuildEqual);
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
    let request = Request::<OwnerChange>::with_id(
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
fn annex_responses_are_what_the_answer_gives() {
    struct Answers;
    impl Check for Answers {
        fn check<O: Op>(&mut self, example: &Example) {
            let request = parse_request::<O>(example.request.as_bytes()).unwrap();
            let annex = parsed_response::<O>(example.response.as_bytes());
            let request_id = annex
                .request_id()
                .expect("Annex A responses carry requestId");
            // A central server answering security servers directly adds `requestHash` where
            // the operation's responses carry it.
            let hashed = O::DESCRIPTION.request_hash;
            let answer =
                Response::answer(&request, example.request.as_bytes(), request_id, hashed).unwrap();
            let soap = answer.to_soap().unwrap();
            let ours = parsed_response::<O>(&soap);
            assert_eq!(ours, answer);

            // The Annex A hashes were computed over bytes we do not have: compare everything
            // but the hash value, and check our hash against the bytes we hashed.
            let strip = |response: &Response<O>| {
                let mut response = response.clone();
                if let Some(hash) = &mut response.header.request_hash {
                    hash.value.clear();
                }
                response
            };
            assert_eq!(strip(&ours), strip(&annex), "{}", example.operation);
            match &ours.header.request_hash {
                None => assert_eq!(example.operation, "authCertReg"),
                Some(hash) => {
                    assert_eq!(hash.algorithm_id, SHA512_ALGORITHM_ID);
                    let digest = base64::engine::general_purpose::STANDARD
                        .decode(&hash.value)
                        .unwrap();
                    assert_eq!(digest, openssl_sha512(example.request.as_bytes()));
                }
            }
            assert_eq!(
                parse_response(&request, example.request.as_bytes(), &soap)
                    .map(|body| body.request_id()),
                Ok(Some(request_id))
            );
        }
    }
    for_each_example(Answers);
}

#[test]
fn annex_response_hashes_do_not_match_the_fixture_bytes() {
    // The published requestHash values are line-wrapped base64 of a SHA-512 hash (they
    // decode to 64 bytes) but of other bytes than the fixtures.
    struct Mismatch;
    impl Check for Mismatch {
        fn check<O: Op>(&mut self, example: &Example) {
            if example.operation == "authCertReg" {
                return;
            }
            let request = parse_request::<O>(example.request.as_bytes()).unwrap();
            let annex = parsed_response::<O>(example.response.as_bytes());
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
    for_each_example(Mismatch);
}

#[test]
fn annex_a3_response_is_accepted_as_is() {
    let example = &EXAMPLES[2];
    let request = parse_request::<AuthCertReg>(example.request.as_bytes()).unwrap();
    assert_eq!(
        parse_response(
            &request,
            example.request.as_bytes(),
            example.response.as_bytes()
        )
        .map(|body| body.request_id()),
        Ok(Some(392))
    );
}

#[test]
fn a_line_wrapped_hash_of_the_right_bytes_is_accepted() {
    let example = &EXAMPLES[0];
    let request = parse_request::<ClientReg>(example.request.as_bytes()).unwrap();
    let digest = openssl_sha512(example.request.as_bytes());
    let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
    let wrapped = format!("\n{}\n{}\n", &encoded[..68], &encoded[68..]);
    let published = "\nLGxmFNQhkhehCsbrrBgX4w64N0Z+knazghehKDYwJzSmVwf8tyVCYHyD8Vp5eSNNMtm0\nXDBzMOkqQ3uSDfNrLw==\n";
    assert!(example.response.contains(published));
    let response = example.response.replace(published, &wrapped);
    assert_eq!(
        parse_response(&request, example.request.as_bytes(), response.as_bytes())
            .map(|body| body.request_id()),
        Ok(Some(394))
    );
}

#[test]
fn annex_responses_are_not_requests() {
    struct NotRequests;
    impl Check for NotRequests {
        fn check<O: Op>(&mut self, example: &Example) {
            let error = parse_request::<O>(example.response.as_bytes()).unwrap_err();
            let expected_hash_refusal = example.operation != "authCertReg";
            assert_eq!(
                matches!(error, EnvelopeError::RequestHashInRequest { .. }),
                expected_hash_refusal,
                "{error}"
            );
            assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
        }
    }
    for_each_example(NotRequests);
}

/// The PR-MSERV 1.20 Annex A examples of the operations and fields 1.20 adds: A.1 with a
/// subsystem name, and A.6–A.11.
const EXAMPLES_1_20: [Example; 7] = [
    Example {
        operation: "clientReg",
        request: include_str!("../../tests/fixtures/annex-a/a1-client-reg-request-1.20.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a1-client-reg-response-1.20.xml"),
    },
    Example {
        operation: "addressChange",
        request: include_str!("../../tests/fixtures/annex-a/a6-address-change-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a6-address-change-response.xml"),
    },
    Example {
        operation: "clientDisable",
        request: include_str!("../../tests/fixtures/annex-a/a7-client-disable-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a7-client-disable-response.xml"),
    },
    Example {
        operation: "clientEnable",
        request: include_str!("../../tests/fixtures/annex-a/a8-client-enable-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a8-client-enable-response.xml"),
    },
    Example {
        operation: "clientRename",
        request: include_str!("../../tests/fixtures/annex-a/a9-client-rename-request.xml"),
        response: include_str!("../../tests/fixtures/annex-a/a9-client-rename-response.xml"),
    },
    Example {
        operation: "maintenanceModeEnable",
        request: include_str!(
            "../../tests/fixtures/annex-a/a10-maintenance-mode-enable-request.xml"
        ),
        response: include_str!(
            "../../tests/fixtures/annex-a/a10-maintenance-mode-enable-response.xml"
        ),
    },
    Example {
        operation: "maintenanceModeDisable",
        request: include_str!(
            "../../tests/fixtures/annex-a/a11-maintenance-mode-disable-request.xml"
        ),
        response: include_str!(
            "../../tests/fixtures/annex-a/a11-maintenance-mode-disable-response.xml"
        ),
    },
];

#[test]
fn annex_1_20_requests_parse_and_responses_are_what_the_answer_gives() {
    use xroad_mserv::centralservice::{
        AddressChange, ClientDisable, ClientEnable, ClientRename, MaintenanceModeDisable,
        MaintenanceModeEnable,
    };
    struct Answers;
    impl Check for Answers {
        fn check<O: Op>(&mut self, example: &Example) {
            let request = parse_request::<O>(example.request.as_bytes()).unwrap();
            assert_eq!(request.header.service.service_code, example.operation);
            assert_eq!(request.header.client.object_type, XRoadObjectType::Member);
            assert_eq!(request.header.protocol_version, "4.0");
            // Our request to the same provider with the same body and id is the same.
            let service = &request.header.service;
            let provider = XRoadClientIdentifierType {
                object_type: match service.subsystem_code {
                    Some(_) => XRoadObjectType::Subsystem,
                    None => XRoadObjectType::Member,
                },
                x_road_instance: service.x_road_instance.clone(),
                member_class: service.member_class.clone(),
                member_code: service.member_code.clone(),
                subsystem_code: service.subsystem_code.clone(),
            };
            let ours = Request::<O>::with_id(
                request.header.client.clone(),
                &provider,
                request.body.clone(),
                request.header.id.clone(),
            )
            .unwrap();
            assert_eq!(ours, request);
            assert_eq!(
                parse_request::<O>(&ours.to_soap().unwrap()).unwrap(),
                request
            );
            // The annex response is the answer, `requestHash` aside (A.6–A.11 show none; our
            // hash is of the bytes we have).
            let annex = parsed_response::<O>(example.response.as_bytes());
            let request_id = annex.request_id().expect("a requestId");
            let hashed = annex.header.request_hash.is_some();
            let answer =
                Response::answer(&request, example.request.as_bytes(), request_id, hashed).unwrap();
            let strip = |response: &Response<O>| {
                let mut response = response.clone();
                if let Some(hash) = &mut response.header.request_hash {
                    hash.value.clear();
                }
                response
            };
            assert_eq!(strip(&answer), strip(&annex), "{}", example.operation);
            // Our response with the hash of the bytes sent passes the client's checks.
            let soap = Response::answer(&request, example.request.as_bytes(), request_id, true)
                .unwrap()
                .to_soap()
                .unwrap();
            assert_eq!(
                parse_response(&request, example.request.as_bytes(), &soap)
                    .map(|body| body.request_id()),
                Ok(Some(request_id))
            );
            // A response is no request.
            let error = parse_request::<O>(example.response.as_bytes()).unwrap_err();
            assert_eq!(error.fault_code(), FaultCode::InvalidRequest, "{error}");
        }
    }
    let mut check = Answers;
    check.check::<ClientReg>(&EXAMPLES_1_20[0]);
    check.check::<AddressChange>(&EXAMPLES_1_20[1]);
    check.check::<ClientDisable>(&EXAMPLES_1_20[2]);
    check.check::<ClientEnable>(&EXAMPLES_1_20[3]);
    check.check::<ClientRename>(&EXAMPLES_1_20[4]);
    check.check::<MaintenanceModeEnable>(&EXAMPLES_1_20[5]);
    check.check::<MaintenanceModeDisable>(&EXAMPLES_1_20[6]);
    // The 1.20 clientReg carries the subsystem name, echoed by the response.
    let request = parse_request::<ClientReg>(EXAMPLES_1_20[0].request.as_bytes()).unwrap();
    assert_eq!(
        request.body.0.subsystem_name.as_deref(),
        Some("subsystem name")
    );
}

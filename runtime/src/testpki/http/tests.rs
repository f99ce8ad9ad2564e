use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, SystemTime};

use openssl::ocsp::OcspCertStatus;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::ocsp::{OcspClient, OcspClientConfig, OcspError, OcspPolicy, OcspVerifier};
use crate::testpki::CertRequest;
use crate::testpki::tests::shared;

fn ocsp_request(entries: &[(&X509, MessageDigest, &Issued)]) -> Vec<u8> {
    let mut request = OcspRequest::new().unwrap();
    for (cert, digest, issuer) in entries {
        let id = OcspCertId::from_cert(*digest, cert, issuer.cert()).unwrap();
        request.add_id(id).unwrap();
    }
    request.to_der().unwrap()
}

fn response_status(der: &[u8]) -> OcspResponseStatus {
    OcspResponse::from_der(der).unwrap().status()
}

/// The status the response `der` gives `cert`, looked up with a `CertID` of `digest`.
fn cert_status(der: &[u8], cert: &X509, digest: MessageDigest) -> OcspCertStatus {
    let response = OcspResponse::from_der(der).unwrap();
    assert_eq!(response.status(), OcspResponseStatus::SUCCESSFUL);
    let basic = response.basic().unwrap();
    let id = OcspCertId::from_cert(digest, cert, shared().ca().cert()).unwrap();
    basic
        .find_status(&id)
        .expect("a status for the certificate")
        .status
}

fn serial(cert: &X509) -> openssl::bn::BigNum {
    cert.serial_number().to_bn().unwrap()
}

#[test]
fn answers_each_serial_with_its_status() {
    let pki = shared();
    let state = State::new(pki.ca().clone());
    let good = pki
        .issue(&CertRequest::signing("EE", "GOV", "GOOD"))
        .unwrap();
    let revoked = pki
        .issue(&CertRequest::signing("EE", "GOV", "REV"))
        .unwrap();
    let unknown = pki
        .issue(&CertRequest::signing("EE", "GOV", "UNK"))
        .unwrap();
    state.table().statuses.insert(
        SerialKey::of(&serial(revoked.cert())),
        CertStatus::Revoked {
            time: SystemTime::now() - Duration::from_secs(60),
            reason: None,
        },
    );
    state
        .table()
        .statuses
        .insert(SerialKey::of(&serial(unknown.cert())), CertStatus::Unknown);
    let sha1 = MessageDigest::sha1();
    for (cert, expected) in [
        (&good, OcspCertStatus::GOOD),
        (&revoked, OcspCertStatus::REVOKED),
        (&unknown, OcspCertStatus::UNKNOWN),
    ] {
        let der = state
            .answer(&ocsp_request(&[(cert.cert(), sha1, pki.ca())]))
            .unwrap();
        assert_eq!(cert_status(&der, cert.cert(), sha1), expected);
    }
    assert_eq!(state.answered.load(Ordering::Relaxed), 3);
    assert_eq!(
        state
            .table()
            .responses
            .get(&SerialKey::of(&serial(good.cert()))),
        Some(&1)
    );
}

#[test]
fn responses_verify_and_use_the_request_hash_algorithm() {
    let pki = shared();
    let state = State::new(pki.ca().clone());
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "SHA"))
        .unwrap();
    let sha256 = MessageDigest::sha256();
    let der = state
        .answer(&ocsp_request(&[(member.cert(), sha256, pki.ca())]))
        .unwrap();
    assert_eq!(
        cert_status(&der, member.cert(), sha256),
        OcspCertStatus::GOOD
    );
    let summary = OcspVerifier::new(OcspPolicy::default())
        .verify(&der, member.cert(), pki.ca().cert(), SystemTime::now())
        .unwrap();
    assert!(summary.next_update.is_some());
}

#[test]
fn malformed_requests_get_malformed_request() {
    let pki = shared();
    let state = State::new(pki.ca().clone());
    let a = pki.issue(&CertRequest::signing("EE", "GOV", "A")).unwrap();
    let b = pki.issue(&CertRequest::signing("EE", "GOV", "B")).unwrap();
    let sha1 = MessageDigest::sha1();
    let mut trailing = ocsp_request(&[(a.cert(), sha1, pki.ca())]);
    trailing.push(0);
    let cases: [(&str, Vec<u8>); 5] = [
        ("empty", Vec::new()),
        ("not DER", b"GET / HTTP/1.1".to_vec()),
        ("trailing byte", trailing),
        ("no CertID", ocsp_request(&[])),
        (
            "two CertIDs",
            ocsp_request(&[(a.cert(), sha1, pki.ca()), (b.cert(), sha1, pki.ca())]),
        ),
    ];
    for (name, body) in cases {
        let der = state.answer(&body).unwrap();
        assert_eq!(
            response_status(&der),
            OcspResponseStatus::MALFORMED_REQUEST,
            "{name}"
        );
    }
    assert_eq!(state.answered.load(Ordering::Relaxed), 5);
    assert!(state.table().responses.is_empty());
}

#[test]
fn other_issuers_get_unauthorized() {
    let pki = shared();
    let state = State::new(pki.ca().clone());
    let foreign = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "F"), pki.other_ca())
        .unwrap();
    let body = ocsp_request(&[(foreign.cert(), MessageDigest::sha1(), pki.other_ca())]);
    let der = state.answer(&body).unwrap();
    assert_eq!(response_status(&der), OcspResponseStatus::UNAUTHORIZED);
}

/// A raw HTTP/1.1 exchange with the responder; returns the status line and headers.
async fn raw_exchange(address: SocketAddr, request: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response
}

#[tokio::test]
async fn serves_over_http_and_counts_what_it_answers() {
    let listener = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    let port = listener.local_addr().port();
    assert_ne!(port, 0);
    assert_eq!(listener.url(), format!("http://127.0.0.1:{port}/"));
    let pki = shared();
    let server = listener.serve(pki).unwrap();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "HTTP"))
        .unwrap();
    let member_serial = serial(member.cert());

    // The shared PKI names another URL in its certificates; ask this server directly.
    let body = ocsp_request(&[(member.cert(), MessageDigest::sha1(), pki.ca())]);
    let answer = hyper_post(server.local_addr(), &body).await;
    assert_eq!(
        cert_status(&answer, member.cert(), MessageDigest::sha1()),
        OcspCertStatus::GOOD
    );
    assert_eq!(server.responses_for(&member_serial), 1);
    assert_eq!(server.requests_answered(), 1);

    server.set_status(
        &member_serial,
        CertStatus::Revoked {
            time: SystemTime::now() - Duration::from_secs(5),
            reason: None,
        },
    );
    assert!(matches!(
        server.status(&member_serial),
        CertStatus::Revoked { .. }
    ));
    let answer = hyper_post(server.local_addr(), &body).await;
    let refused = OcspVerifier::new(OcspPolicy::default())
        .verify(&answer, member.cert(), pki.ca().cert(), SystemTime::now())
        .unwrap_err();
    assert!(matches!(refused, OcspError::Revoked { .. }), "{refused}");
    assert_eq!(server.responses_for(&member_serial), 2);

    let get = raw_exchange(
        server.local_addr(),
        "GET / HTTP/1.1\r\nHost: ocsp\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(get.starts_with("HTTP/1.1 405"), "{get}");
    assert!(get.to_ascii_lowercase().contains("allow: post"), "{get}");
    let text = raw_exchange(
        server.local_addr(),
        "POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n",
    )
    .await;
    assert!(text.starts_with("HTTP/1.1 415"), "{text}");
    let large = format!(
        "POST / HTTP/1.1\r\nHost: ocsp\r\nContent-Type: application/ocsp-request\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n{body}",
        len = MAX_REQUEST_BYTES + 1,
        body = "0".repeat(MAX_REQUEST_BYTES + 1),
    );
    let large = raw_exchange(server.local_addr(), &large).await;
    assert!(large.starts_with("HTTP/1.1 413"), "{large}");
    assert_eq!(server.requests_answered(), 2);

    let address = server.local_addr();
    server.shutdown().await;
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn answers_the_ocsp_client_from_the_certificate_url() {
    let listener = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    // A PKI of its own, whose signing certificates name this responder.
    let pki = TestPki::builder().ocsp_url(listener.url()).build().unwrap();
    let server = listener.serve(&pki).unwrap();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "AIA"))
        .unwrap();
    let client = OcspClient::new(OcspClientConfig::default());
    let der = client
        .response_for(member.cert(), pki.ca().cert())
        .await
        .unwrap();
    OcspVerifier::new(OcspPolicy::default())
        .verify(&der, member.cert(), pki.ca().cert(), SystemTime::now())
        .unwrap();
    let again = client
        .response_for(member.cert(), pki.ca().cert())
        .await
        .unwrap();
    assert_eq!(der, again);
    assert_eq!(server.responses_for(&serial(member.cert())), 1);
}

#[test]
fn serving_needs_a_runtime() {
    let listener = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    assert!(matches!(
        listener.serve(shared()),
        Err(OcspServerError::NoRuntime)
    ));
}

/// POSTs `body` as an OCSP request and returns the response body.
async fn hyper_post(address: SocketAddr, body: &[u8]) -> Vec<u8> {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let request = Request::post("/")
        .header(hyper::header::HOST, "ocsp")
        .header(CONTENT_TYPE, OCSP_REQUEST_MEDIA_TYPE)
        .body(Full::new(Bytes::copy_from_slice(body)))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers().get(CONTENT_TYPE).unwrap(),
        OCSP_RESPONSE_MEDIA_TYPE
    );
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

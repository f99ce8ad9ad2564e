//! The certificate checks of a signed management request, end to end through the public
//! API: DER parts parsed once, chain through an intermediate CA, key usage, member
//! identity and the OCSP response of a delegated responder, shared between threads.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::cert::{
    CertUse, CertificateError, MemberIdentityDecoder, SubjectNameDecoder, TrustStore, parse_der,
};
use xroad_runtime::fault::FaultCode;
use xroad_runtime::ocsp::{
    NotAuthorisedReason, OcspError, OcspPolicy, OcspVerifier, ResponderAuthority, parse_response,
};
use xroad_runtime::testpki::{CertRequest, CertStatus, OcspResponder, TestPki};

/// What a receiver holds between requests.
struct Receiver {
    trust: TrustStore,
    intermediates: Vec<openssl::x509::X509>,
    ocsp: OcspVerifier,
    decoder: Box<dyn MemberIdentityDecoder>,
}

/// Why a request is refused, as a fault code.
fn check(
    receiver: &Receiver,
    cert_der: &[u8],
    ocsp_der: &[u8],
    client: &XRoadClientIdentifierType,
    at: SystemTime,
) -> Result<(), FaultCode> {
    let cert = parse_der(cert_der).map_err(|e| e.fault_code())?;
    let chain = receiver
        .trust
        .verify(&cert, &receiver.intermediates, at)
        .map_err(|e| e.fault_code())?;
    CertUse::Signing.check(&cert).map_err(|e| e.fault_code())?;
    receiver
        .decoder
        .check_member(&cert, client)
        .map_err(|e| e.fault_code())?;
    let response = parse_response(ocsp_der).map_err(|e| e.fault_code())?;
    receiver
        .ocsp
        .verify_parsed(&response, &cert, chain.issuer(), at)
        .map_err(|e| e.fault_code())?;
    Ok(())
}

#[test]
fn a_member_certificate_under_an_intermediate_ca_passes_every_check() {
    let pki = TestPki::builder()
        .ocsp_url("http://127.0.0.1:1/")
        .build()
        .unwrap();
    let intermediate = pki
        .issue(&CertRequest::intermediate_ca("Member CA").distinct_key())
        .unwrap();
    let responder = pki
        .issue_by(
            &CertRequest::ocsp_responder("Member CA OCSP"),
            &intermediate,
        )
        .unwrap();
    let member = pki
        .issue_by(
            &CertRequest::signing("EE", "GOV", "TS1OWNER"),
            &intermediate,
        )
        .unwrap();
    let auth = pki
        .issue_by(
            &CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1"),
            &intermediate,
        )
        .unwrap();

    let receiver = Arc::new(Receiver {
        trust: TrustStore::new([pki.ca().cert().clone()]).unwrap(),
        intermediates: vec![intermediate.cert().clone()],
        ocsp: OcspVerifier::new(OcspPolicy::default()),
        decoder: Box::new(SubjectNameDecoder),
    });
    let client: XRoadClientIdentifierType = "SUBSYSTEM:EE/GOV/TS1OWNER/MANAGEMENT".parse().unwrap();
    let good = OcspResponder::new(&intermediate)
        .signed_by(&responder)
        .respond(member.cert())
        .unwrap();
    let cert_der = member.cert_der().unwrap();

    // The checks share the receiver between threads.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let receiver = Arc::clone(&receiver);
            let (cert_der, good, client) = (cert_der.clone(), good.clone(), client.clone());
            thread::spawn(move || {
                for _ in 0..10 {
                    check(&receiver, &cert_der, &good, &client, SystemTime::now()).unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }

    let summary = receiver
        .ocsp
        .verify(&good, member.cert(), intermediate.cert(), SystemTime::now())
        .unwrap();
    assert_eq!(summary.responder, ResponderAuthority::Delegated);

    // Each refusal maps to its fault code.
    let now = SystemTime::now();
    let other: XRoadClientIdentifierType = "MEMBER:EE/GOV/SOMEONE".parse().unwrap();
    assert_eq!(
        check(&receiver, &cert_der, &good, &other, now),
        Err(FaultCode::InvalidRequest)
    );
    let auth_response = OcspResponder::new(&intermediate)
        .respond(auth.cert())
        .unwrap();
    assert_eq!(
        check(
            &receiver,
            &auth.cert_der().unwrap(),
            &auth_response,
            &client,
            now
        ),
        Err(FaultCode::CertValidation)
    );
    let revoked = OcspResponder::new(&intermediate)
        .status(CertStatus::Revoked {
            time: now - Duration::from_secs(60),
            reason: None,
        })
        .respond(member.cert())
        .unwrap();
    assert_eq!(
        check(&receiver, &cert_der, &revoked, &client, now),
        Err(FaultCode::CertValidation)
    );
    assert_eq!(
        check(&receiver, &cert_der, &good[1..], &client, now),
        Err(FaultCode::IncorrectValidationInfo)
    );
    assert_eq!(
        check(&receiver, &cert_der[1..], &good, &client, now),
        Err(FaultCode::IncorrectCertificate)
    );
}

#[test]
fn without_the_intermediate_the_chain_and_the_ocsp_issuer_are_missing() {
    let pki = TestPki::new().unwrap();
    let intermediate = pki
        .issue(&CertRequest::intermediate_ca("Member CA"))
        .unwrap();
    let member = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "M"), &intermediate)
        .unwrap();
    let trust = TrustStore::new([pki.ca().cert().clone()]).unwrap();
    assert!(matches!(
        trust.verify(member.cert(), &[], SystemTime::now()),
        Err(CertificateError::UntrustedIssuer { .. })
    ));

    // Checked against the root instead of the direct issuer, the intermediate's own
    // response comes from a certificate the root issued without OCSPSigning.
    let response = OcspResponder::new(&intermediate)
        .respond(member.cert())
        .unwrap();
    let verifier = OcspVerifier::new(OcspPolicy::default());
    assert!(matches!(
        verifier.verify(&response, member.cert(), pki.ca().cert(), SystemTime::now()),
        Err(OcspError::ResponderNotAuthorised {
            reason: NotAuthorisedReason::MissingOcspSigning,
            ..
        })
    ));
}

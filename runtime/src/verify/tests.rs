//! One passing and one refused request per check of the pipeline.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use openssl::hash::MessageDigest;
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::xroad::{self, AuthCertDeletionRequestType, ClientRequestType};

use super::*;
use crate::cert::MemberId;
use crate::cert::TrustStore;
use crate::compose::{SignatureInput, compose};
use crate::envelope::Request;
use crate::fault::{Fault, FaultCode};
use crate::message::{Attachment, HttpMessage, Parts};
use crate::ocsp::{OcspPolicy, OcspVerifier};
use crate::operation::{ManagementOperation, Operation};
use crate::signature::SignatureAlgorithm;
use crate::test_support::*;
use crate::testpki::{CertRequest, CertStatus, Issued, OcspResponder};

/// What a verified request of any of the five operations tells.
#[derive(Debug)]
struct Verified {
    /// The operation the service code picked.
    operation: &'static str,
    /// The member whose signature was verified.
    signer: Option<MemberId>,
    /// The security server the request is about.
    server: String,
}

impl Verified {
    fn of<O: ManagementOperation>(verified: VerifiedRequest<O>) -> Self {
        Self {
            operation: O::NAME,
            server: verified.server().to_string(),
            signer: verified.signer,
        }
    }
}

/// Opens `message` with `verifier` and verifies it as the operation its service code names,
/// at `at`, as a server dispatching over the five operations does.
fn verify_at(
    verifier: &Verifier,
    message: &HttpMessage,
    at: SystemTime,
) -> Result<Verified, Fault> {
    let body = Bytes::from(message.body.clone());
    let opened = verifier.open(Some(&message.content_type), &body)?;
    match opened.service_code() {
        ClientReg::NAME => verifier.verify::<ClientReg>(opened, at).map(Verified::of),
        ClientDeletion::NAME => verifier
            .verify::<ClientDeletion>(opened, at)
            .map(Verified::of),
        AuthCertReg::NAME => verifier.verify::<AuthCertReg>(opened, at).map(Verified::of),
        AuthCertDeletion::NAME => verifier
            .verify::<AuthCertDeletion>(opened, at)
            .map(Verified::of),
        OwnerChange::NAME => verifier.verify::<OwnerChange>(opened, at).map(Verified::of),
        _ => Err(opened.unknown_service()),
    }
}

fn verify(message: &HttpMessage) -> Result<Verified, Fault> {
    verify_at(&verifier(), message, SystemTime::now())
}

#[track_caller]
fn refused(message: &HttpMessage, code: FaultCode, needle: &str) {
    match verify(message) {
        Ok(_) => panic!("accepted, expected {code}"),
        Err(fault) => {
            assert_eq!(fault.code, code, "{fault}");
            assert!(fault.reason.contains(needle), "{fault} lacks {needle:?}");
        }
    }
}

/// The body with the first `from` replaced by `to`.
fn replaced(message: &HttpMessage, from: &str, to: &str) -> HttpMessage {
    let body = message.body.clone();
    let at = body
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .unwrap_or_else(|| panic!("{from:?} not in the message"));
    let mut out = body[..at].to_vec();
    out.extend_from_slice(to.as_bytes());
    out.extend_from_slice(&body[at + from.len()..]);
    HttpMessage {
        content_type: message.content_type.clone(),
        body: out,
    }
}

#[test]
fn all_five_services_pass() {
    let m = members();
    let verified = verify(&client_reg())
        .map(|v| (v.operation, v.signer))
        .unwrap();
    assert_eq!(verified.0, "clientReg");
    assert_eq!(verified.1.unwrap().to_string(), "EE/COM/client");

    let new_owner = ClientRequestType {
        client: id(NEW_OWNER),
        ..client_body()
    };
    let der = m.client.cert_der().unwrap();
    let ocsp = good_ocsp(&m.client);
    let client_signer = signer(&m.client);
    let member = SignatureInput {
        signer: &client_signer,
        algorithm: SignatureAlgorithm::Sha384WithRsa,
        certificate: &der,
        ocsp_response: Some(&ocsp),
    };
    let owner_change = compose(
        request::<OwnerChange>(xroad::OwnerChange(new_owner)),
        &[member],
    )
    .unwrap()
    .message;
    assert_eq!(verify(&owner_change).unwrap().operation, "ownerChange");

    let auth = auth_cert_reg_with(
        auth_cert_reg_body("ss1.example.org"),
        SignatureAlgorithm::Sha256WithRsa,
    );
    let verified = verify(&auth).unwrap();
    assert_eq!(verified.operation, "authCertReg");
    assert_eq!(
        verified.signer.as_ref().unwrap().to_string(),
        "EE/GOV/TS1OWNER"
    );
    assert_eq!(verified.server, SERVER);

    let deletion = compose(
        request::<ClientDeletion>(xroad::ClientDeletion(client_body())),
        &[],
    )
    .unwrap()
    .message;
    let verified = verify(&deletion).unwrap();
    assert_eq!(verified.operation, "clientDeletion");
    assert!(verified.signer.is_none());

    let auth_deletion = xroad::AuthCertDeletion(AuthCertDeletionRequestType {
        server: id(SERVER),
        auth_cert: m.auth.cert_der().unwrap(),
        request_id: None,
    });
    let deletion = compose(request::<AuthCertDeletion>(auth_deletion), &[])
        .unwrap()
        .message;
    assert_eq!(verify(&deletion).unwrap().operation, "authCertDeletion");
}

#[test]
fn every_algorithm_is_accepted_for_the_member_signature() {
    let m = members();
    let ocsp = good_ocsp(&m.client);
    for algorithm in SignatureAlgorithm::ALL {
        let message = client_reg_with(&m.client, &ocsp, algorithm);
        assert!(verify(&message).is_ok(), "{algorithm}");
    }
}

#[test]
fn content_type_and_mime_structure() {
    let message = client_reg();
    let plain = HttpMessage {
        content_type: "application/soap+xml".to_owned(),
        body: message.body.clone(),
    };
    refused(
        &plain,
        FaultCode::InvalidContentType,
        "application/soap+xml",
    );
    let truncated = HttpMessage {
        content_type: message.content_type.clone(),
        body: message.body[..message.body.len() - 40].to_vec(),
    };
    refused(
        &truncated,
        FaultCode::MimeParsingFailed,
        "malformed multipart body",
    );
}

#[test]
fn missing_extra_and_reordered_parts() {
    let message = client_reg();
    let boundary = message.content_type.rsplit("boundary=").next().unwrap();
    let boundary = crate::multipart::Boundary::new(boundary).unwrap();
    let parts = crate::multipart::parse(
        &message.content_type,
        &message.body,
        &crate::multipart::Limits::default(),
    )
    .unwrap();
    let rebuild = |parts: &[crate::multipart::Part<'_>]| HttpMessage {
        content_type: message.content_type.clone(),
        body: crate::multipart::write(&boundary, parts).unwrap(),
    };
    refused(
        &rebuild(&parts[..3]),
        FaultCode::MimeParsingFailed,
        "found 3",
    );
    let extra = [parts.clone(), vec![parts[3].clone()]].concat();
    refused(&rebuild(&extra), FaultCode::MimeParsingFailed, "found 5");
    let reordered = [
        parts[0].clone(),
        parts[1].clone(),
        parts[3].clone(),
        parts[2].clone(),
    ];
    // The OCSP response in the certificate's place is no certificate.
    refused(
        &rebuild(&reordered),
        FaultCode::IncorrectCertificate,
        "signing certificate",
    );
}

#[test]
fn soap_header_and_body() {
    let message = client_reg();
    refused(
        &replaced(
            &message,
            "<xroad:protocolVersion>4.0<",
            "<xroad:protocolVersion>3.1<",
        ),
        FaultCode::InvalidRequest,
        "protocolVersion",
    );
    refused(
        &replaced(
            &message,
            "<xroad:protocolVersion>4.0</xroad:protocolVersion>",
            "",
        ),
        FaultCode::MissingHeaderField,
        "protocolVersion",
    );
    refused(
        &replaced(
            &message,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!DOCTYPE x [<!ENTITY a \"b\">]>",
        ),
        FaultCode::InvalidRequest,
        "DTD",
    );
    refused(
        &replaced(&message, "subsystem</", "subsyst\u{00e9}m</").tap_bytes(|body| {
            let at = body.iter().position(|&b| b == 0xc3).unwrap();
            body[at] = 0xff;
        }),
        FaultCode::InvalidRequest,
        "",
    );
}

#[test]
fn identifiers_and_addressing() {
    let message = client_reg();
    refused(
        &replaced(&message, ">subsystem<", ">sub/system<"),
        FaultCode::InvalidClientIdentifier,
        "forbidden character '/'",
    );
    let wrong_provider = Request::<ClientDeletion>::new(
        id(OWNER),
        &id("MEMBER:EE/GOV/OTHER"),
        xroad::ClientDeletion(client_body()),
    )
    .unwrap();
    let message = compose(wrong_provider, &[]).unwrap().message;
    refused(
        &message,
        FaultCode::InvalidRequest,
        "invalid management service address",
    );
    let not_owner = Request::<ClientDeletion>::new(
        id("MEMBER:EE/GOV/INTRUDER"),
        &id(PROVIDER),
        xroad::ClientDeletion(client_body()),
    )
    .unwrap();
    let message = compose(not_owner, &[]).unwrap().message;
    refused(
        &message,
        FaultCode::InvalidRequest,
        "does not match the owner of security server SERVER:EE/GOV/TS1OWNER/TS1",
    );
    let other_instance = ClientRequestType {
        client: id("SUBSYSTEM:FI/COM/client/subsystem"),
        ..client_body()
    };
    let message = compose(
        request::<ClientDeletion>(xroad::ClientDeletion(other_instance)),
        &[],
    )
    .unwrap()
    .message;
    refused(
        &message,
        FaultCode::InvalidClientIdentifier,
        "X-Road instance EE",
    );
}

/// Each part of the management service provider is compared: a request for a provider that
/// differs in only one part (here with the same subsystem code) is refused.
#[test]
fn a_provider_differing_in_one_part_is_refused() {
    for provider in [
        "SUBSYSTEM:EE/GOV/OTHER/management",
        "SUBSYSTEM:EE/COM/CENTRAL/management",
        "SUBSYSTEM:FI/GOV/CENTRAL/management",
        "SUBSYSTEM:EE/GOV/CENTRAL/other",
        "MEMBER:EE/GOV/CENTRAL",
    ] {
        let request = Request::<ClientDeletion>::new(
            id(OWNER),
            &id(provider),
            xroad::ClientDeletion(client_body()),
        )
        .unwrap();
        let message = compose(request, &[]).unwrap().message;
        match verify(&message) {
            Ok(_) => panic!("a request for {provider} was accepted"),
            Err(fault) => {
                assert_eq!(fault.code, FaultCode::InvalidRequest, "{provider}: {fault}");
                assert!(
                    fault.reason.contains("invalid management service address"),
                    "{provider}: {fault}"
                );
            }
        }
    }
}

#[test]
fn member_signature() {
    let m = members();
    refused(
        &replaced(&client_reg(), ">subsystem<", ">subsysten<"),
        FaultCode::InvalidSignatureValue,
        "does not verify",
    );
    // Signed with another key than the certificate's.
    let der = m.client.cert_der().unwrap();
    let ocsp = good_ocsp(&m.client);
    let wrong = signer(&m.auth);
    let member = SignatureInput {
        signer: &wrong,
        algorithm: SignatureAlgorithm::Sha256WithRsa,
        certificate: &der,
        ocsp_response: Some(&ocsp),
    };
    let message = compose(request::<ClientReg>(registration(client_body())), &[member])
        .unwrap()
        .message;
    refused(
        &message,
        FaultCode::InvalidSignatureValue,
        "does not verify",
    );
    // Another member's certificate (the owner signs the client's registration).
    let message = client_reg_with(
        &m.owner,
        &good_ocsp(&m.owner),
        SignatureAlgorithm::Sha256WithRsa,
    );
    refused(
        &message,
        FaultCode::InvalidRequest,
        "belongs to member EE/GOV/TS1OWNER, but the client's member is EE/COM/client",
    );
}

#[test]
fn signature_algorithm_id() {
    let message = client_reg();
    refused(
        &replaced(
            &message,
            "signature-algorithm-id: SHA512withRSA",
            "signature-algorithm-id: SHA1withRSA",
        ),
        FaultCode::InvalidSignatureValue,
        "SHA1withRSA",
    );
    refused(
        &replaced(&message, "signature-algorithm-id: SHA512withRSA\r\n", ""),
        FaultCode::InvalidSignatureValue,
        "no signature-algorithm-id",
    );
    // The header name is case-insensitive; the id is not.
    assert!(
        verify(&replaced(
            &message,
            "signature-algorithm-id",
            "Signature-Algorithm-ID"
        ))
        .is_ok()
    );
    refused(
        &replaced(&message, "SHA512withRSA", "sha512withrsa"),
        FaultCode::InvalidSignatureValue,
        "unknown signature algorithm",
    );
}

#[test]
fn signing_certificate() {
    let m = members();
    let foreign = m
        .pki
        .issue_by(
            &CertRequest::signing("EE", "COM", "client"),
            m.pki.other_ca(),
        )
        .unwrap();
    let ocsp = OcspResponder::new(m.pki.other_ca())
        .respond(foreign.cert())
        .unwrap();
    refused(
        &client_reg_with(&foreign, &ocsp, SignatureAlgorithm::Sha256WithRsa),
        FaultCode::CertValidation,
        "not a trusted CA",
    );
    let expired = m
        .pki
        .issue(&CertRequest::signing("EE", "COM", "client").expired())
        .unwrap();
    refused(
        &client_reg_with(
            &expired,
            &good_ocsp(&expired),
            SignatureAlgorithm::Sha256WithRsa,
        ),
        FaultCode::CertValidation,
        "expired",
    );
    let no_usage = m
        .pki
        .issue(&CertRequest::signing("EE", "COM", "client").without_key_usage())
        .unwrap();
    refused(
        &client_reg_with(
            &no_usage,
            &good_ocsp(&no_usage),
            SignatureAlgorithm::Sha256WithRsa,
        ),
        FaultCode::CertValidation,
        "nonRepudiation",
    );
    let message = client_reg();
    let der = m.client.cert_der().unwrap();
    let broken = {
        let mut body = message.body.clone();
        let at = body
            .windows(der.len())
            .position(|w| w == der.as_slice())
            .unwrap();
        body[at + 1] ^= 0xff;
        HttpMessage {
            content_type: message.content_type.clone(),
            body,
        }
    };
    refused(
        &broken,
        FaultCode::IncorrectCertificate,
        "signing certificate",
    );
}

#[test]
fn rsa_keys_smaller_than_the_configured_minimum_are_refused() {
    // The test PKI's keys have 2048 bits: accepted by default, refused at a 4096-bit minimum.
    assert!(verify(&client_reg()).is_ok());
    let auth_cert_reg = auth_cert_reg_with(
        auth_cert_reg_body("ss1.example.org"),
        SignatureAlgorithm::Sha256WithRsa,
    );
    assert!(verify(&auth_cert_reg).is_ok());
    let strict = {
        let m = members();
        let mut config = VerifierConfig::new(id("EE"), id(PROVIDER));
        config.min_rsa_bits = 4096;
        let trust = crate::cert::TrustStore::new([m.pki.ca().cert().clone()]).unwrap();
        Verifier::new(
            config,
            trust,
            crate::ocsp::OcspVerifier::new(crate::ocsp::OcspPolicy::default()),
        )
    };
    let refusal =
        |message: &HttpMessage| verify_at(&strict, message, SystemTime::now()).unwrap_err();
    let fault = refusal(&client_reg());
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault.reason.contains("signing certificate")
            && fault.reason.contains("2048 bits, fewer than the 4096"),
        "{fault}"
    );
    // The authentication certificate is checked first in an authCertReg.
    let fault = refusal(&auth_cert_reg);
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault.reason.contains("authentication certificate") && fault.reason.contains("2048 bits"),
        "{fault}"
    );
}

/// Whether `reason` is free of OpenSSL error stacks (`error:0680009B:asn1 encoding
/// routines:ASN1_get_object:too long:crypto/asn1/asn1_lib.c:95`).
fn in_words(reason: &str) -> bool {
    !reason.contains("error:") && !reason.contains(".c:") && !reason.contains("crypto/")
}

/// `message` with the byte after the first byte of `part` (its DER length) flipped, so the
/// part claims more bytes than it has.
fn with_broken_length(message: &HttpMessage, part: &[u8]) -> HttpMessage {
    let mut body = message.body.clone();
    let at = body
        .windows(part.len())
        .position(|w| w == part)
        .expect("the part is in the message");
    body[at + 1] ^= 0xff;
    HttpMessage {
        content_type: message.content_type.clone(),
        body,
    }
}

/// Faults say in words what is wrong with which part; OpenSSL's error stacks, with their
/// library source locations, stay in the server's log.
#[test]
fn faults_name_the_part_in_words_without_openssl_error_stacks() {
    let m = members();
    let ocsp = good_ocsp(&m.client);
    let message = client_reg_with(&m.client, &ocsp, SignatureAlgorithm::Sha512WithRsa);
    let cases = [
        (
            with_broken_length(&message, &m.client.cert_der().unwrap()),
            FaultCode::IncorrectCertificate,
            "signing certificate: certificate is not a valid DER-encoded X.509 certificate",
        ),
        (
            with_broken_length(&message, &ocsp),
            FaultCode::IncorrectValidationInfo,
            "OCSP response: OCSP response is not valid DER",
        ),
    ];
    for (message, code, reason) in cases {
        let Err(fault) = verify(&message) else {
            panic!("accepted, expected {code}");
        };
        assert_eq!(fault, Fault::new(code, reason));
    }
    let tampered = OcspResponder::new(m.pki.ca())
        .tampered_signature()
        .respond(m.client.cert())
        .unwrap();
    let Err(fault) = verify(&client_reg_with(
        &m.client,
        &tampered,
        SignatureAlgorithm::Sha512WithRsa,
    )) else {
        panic!("a tampered OCSP response was accepted");
    };
    assert_eq!(
        fault.reason,
        "OCSP response: OCSP response signature does not verify with the key of \
         `C=EE, O=X-Road Test, CN=X-Road Test Root CA`"
    );
    assert!(in_words(&fault.reason), "{fault}");
}

#[test]
fn ocsp_response() {
    let m = members();
    let now = SystemTime::now();
    let ca = m.pki.ca();
    let cases: Vec<(Vec<u8>, FaultCode, &str)> = vec![
        (
            OcspResponder::new(ca)
                .status(CertStatus::Revoked {
                    time: now - Duration::from_secs(600),
                    reason: None,
                })
                .respond(m.client.cert())
                .unwrap(),
            FaultCode::CertValidation,
            "revoked",
        ),
        (
            OcspResponder::new(ca)
                .status(CertStatus::Unknown)
                .respond(m.client.cert())
                .unwrap(),
            FaultCode::CertValidation,
            "does not know",
        ),
        (
            OcspResponder::new(ca)
                .this_update_offset(-7_200)
                .respond(m.client.cert())
                .unwrap(),
            FaultCode::IncorrectValidationInfo,
            "thisUpdate",
        ),
        (
            OcspResponder::new(ca)
                .tampered_signature()
                .respond(m.client.cert())
                .unwrap(),
            FaultCode::IncorrectValidationInfo,
            "signature does not verify",
        ),
        (
            // Signed by a member certificate of the CA, which is no OCSP responder.
            OcspResponder::new(ca)
                .signed_by(&m.owner)
                .respond(m.client.cert())
                .unwrap(),
            FaultCode::IncorrectValidationInfo,
            "is not authorised",
        ),
        (
            // A good response about another certificate.
            good_ocsp(&m.owner),
            FaultCode::IncorrectValidationInfo,
            "no status",
        ),
    ];
    for (ocsp, code, needle) in cases {
        let message = client_reg_with(&m.client, &ocsp, SignatureAlgorithm::Sha256WithRsa);
        refused(&message, code, needle);
    }
    // A SHA-256 CertID is as good as the reference's SHA-1.
    let sha256 = OcspResponder::new(ca)
        .cert_id_digest(MessageDigest::sha256())
        .respond(m.client.cert())
        .unwrap();
    assert!(
        verify(&client_reg_with(
            &m.client,
            &sha256,
            SignatureAlgorithm::Sha256WithRsa
        ))
        .is_ok()
    );
}

#[test]
fn verified_signers_are_cached_while_they_hold() {
    let m = members();
    let verifier = verifier();
    let message = client_reg();
    let now = SystemTime::now();
    verify_at(&verifier, &message, now).unwrap();
    verify_at(&verifier, &message, now).unwrap();
    assert_eq!(verifier.cache.len(), 1);
    // Two hours later the same OCSP response is stale: the cached entry no longer holds.
    let fault = verify_at(&verifier, &message, now + Duration::from_secs(7_200)).unwrap_err();
    assert_eq!(fault.code, FaultCode::IncorrectValidationInfo, "{fault}");
    // A tampered request with a cached signer is still refused.
    let tampered = replaced(&message, ">subsystem<", ">subsysten<");
    let fault = verify_at(&verifier, &tampered, now).unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidSignatureValue);
    // Another member's certificate is refused even when cached.
    let owner = client_reg_with(
        &m.owner,
        &good_ocsp(&m.owner),
        SignatureAlgorithm::Sha256WithRsa,
    );
    for _ in 0..2 {
        let fault = verify_at(&verifier, &owner, now).unwrap_err();
        assert_eq!(fault.code, FaultCode::InvalidRequest);
    }
}

/// A cached signer holds no longer than its certificate: once the certificate has expired
/// the request is refused, though the OCSP response is still fresh.
#[test]
fn a_cached_signer_expires_with_its_certificate() {
    let m = members();
    let short = m
        .pki
        .issue(&CertRequest::signing("EE", "COM", "client").validity(-3_600, 600))
        .unwrap();
    let message = client_reg_with(
        &short,
        &good_ocsp(&short),
        SignatureAlgorithm::Sha256WithRsa,
    );
    let verifier = verifier();
    let now = SystemTime::now();
    verify_at(&verifier, &message, now).unwrap();
    assert_eq!(verifier.cache.len(), 1);
    let fault = verify_at(&verifier, &message, now + Duration::from_secs(900)).unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(fault.reason.contains("signing certificate"), "{fault}");
}

/// A cached signer does not hold before its certificate's notBefore, though the OCSP
/// response (with the clock skew) already does.
#[test]
fn a_cached_signer_holds_only_from_its_certificate_not_before() {
    let m = members();
    let later = m
        .pki
        .issue(&CertRequest::signing("EE", "COM", "client").validity(120, 86_400))
        .unwrap();
    let ocsp = OcspResponder::new(m.pki.ca())
        .this_update_offset(120)
        .respond(later.cert())
        .unwrap();
    let message = client_reg_with(&later, &ocsp, SignatureAlgorithm::Sha256WithRsa);
    let verifier = verifier();
    let now = SystemTime::now();
    verify_at(&verifier, &message, now + Duration::from_secs(180)).unwrap();
    assert_eq!(verifier.cache.len(), 1);
    // Within the OCSP clock skew of thisUpdate, but before the certificate's notBefore.
    let fault = verify_at(&verifier, &message, now).unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
}

/// The verifier keeps to the OCSP policy it is given, for a cached signer too: a shorter
/// maximum age ends the cached entry sooner, and no clock skew lets no request verify before
/// the response's thisUpdate.
#[test]
fn a_non_default_ocsp_policy_bounds_cached_signers() {
    let m = members();
    let trust = TrustStore::new([m.pki.ca().cert().clone()]).unwrap();
    let strict = Verifier::new(
        VerifierConfig::new(id("EE"), id(PROVIDER)),
        trust,
        OcspVerifier::new(OcspPolicy {
            max_age: Duration::from_secs(600),
            clock_skew: Duration::ZERO,
        }),
    );
    let message = client_reg();
    let now = SystemTime::now();
    verify_at(&strict, &message, now).unwrap();
    assert_eq!(strict.cache.len(), 1);
    // The default policy (3,600 s) would still accept the response 900 s later.
    let fault = verify_at(&strict, &message, now + Duration::from_secs(900)).unwrap_err();
    assert_eq!(fault.code, FaultCode::IncorrectValidationInfo, "{fault}");
    assert!(fault.reason.contains("600"), "{fault}");
    // The default skew (300 s) would accept a request 100 s before thisUpdate.
    let fault = verify_at(&strict, &message, now - Duration::from_secs(100)).unwrap_err();
    assert_eq!(fault.code, FaultCode::IncorrectValidationInfo, "{fault}");
    // The default verifier accepts both.
    let lenient = verifier();
    verify_at(&lenient, &message, now + Duration::from_secs(900)).unwrap();
    verify_at(&lenient, &message, now - Duration::from_secs(100)).unwrap();
}

#[test]
fn auth_cert_reg_checks() {
    let m = members();
    refused(
        &auth_cert_reg_with(
            auth_cert_reg_body("ss1 example"),
            SignatureAlgorithm::Sha256WithRsa,
        ),
        FaultCode::InvalidRequest,
        "invalid server address",
    );
    assert!(
        verify(&auth_cert_reg_with(
            auth_cert_reg_body("10.1.2.3"),
            SignatureAlgorithm::Sha512WithRsa
        ))
        .is_ok()
    );

    // The proof of possession must be PKCS#1 v1.5 and by the authentication key.
    let body = auth_cert_reg_body("ss1.example.org");
    let soap = Bytes::from(
        request::<AuthCertReg>(xroad::AuthCertReg(body.clone()))
            .to_soap()
            .unwrap(),
    );
    let owner_der = m.owner.cert_der().unwrap();
    let ocsp = good_ocsp(&m.owner);
    let sign = |issued: &Issued, algorithm: SignatureAlgorithm| {
        use crate::signature::Signer;
        signer(issued).sign(algorithm, &soap).unwrap()
    };
    let owner_signature = sign(&m.owner, SignatureAlgorithm::Sha256WithRsa);
    let build = |proof_key: &Issued, proof_algorithm: SignatureAlgorithm, attached: &[u8]| {
        let proof = sign(proof_key, proof_algorithm);
        let part = |algorithm_id: Option<&str>, body: &[u8]| Attachment {
            signature_algorithm_id: algorithm_id.map(str::to_owned),
            body: Bytes::copy_from_slice(body),
        };
        Parts {
            soap: soap.clone(),
            attachments: vec![
                part(Some(proof_algorithm.name()), &proof),
                part(Some("SHA256withRSA"), &owner_signature),
                part(None, attached),
                part(None, &owner_der),
                part(None, &ocsp),
            ],
        }
        .encode(AuthCertReg::DESCRIPTION)
        .unwrap()
    };
    let auth_der = m.auth.cert_der().unwrap();
    assert!(
        verify(&build(
            &m.auth,
            SignatureAlgorithm::Sha384WithRsa,
            &auth_der
        ))
        .is_ok()
    );
    refused(
        &build(&m.auth, SignatureAlgorithm::Sha256WithRsaAndMgf1, &auth_der),
        FaultCode::InvalidSignatureValue,
        "not allowed for the authentication key signature",
    );
    refused(
        &build(&m.owner, SignatureAlgorithm::Sha256WithRsa, &auth_der),
        FaultCode::InvalidSignatureValue,
        "authentication key signature",
    );
    // Another valid authentication certificate attached than the body names.
    let other_auth = m
        .pki
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS2"))
        .unwrap();
    refused(
        &build(
            &other_auth,
            SignatureAlgorithm::Sha256WithRsa,
            &other_auth.cert_der().unwrap(),
        ),
        FaultCode::CertValidation,
        "differs from the authCert",
    );
    // An authentication certificate that is no authentication certificate.
    refused(
        &build(&m.owner, SignatureAlgorithm::Sha256WithRsa, &owner_der),
        FaultCode::CertValidation,
        "authentication certificate is not valid",
    );
    // Of an untrusted CA.
    let foreign = m
        .pki
        .issue_by(
            &CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1"),
            m.pki.other_ca(),
        )
        .unwrap();
    refused(
        &build(
            &foreign,
            SignatureAlgorithm::Sha256WithRsa,
            &foreign.cert_der().unwrap(),
        ),
        FaultCode::CertValidation,
        "not a trusted CA",
    );
}

#[test]
fn auth_cert_reg_owner_must_sign() {
    let m = members();
    // The owner part signed by the client's member: not the server's owner.
    let body = auth_cert_reg_body("ss1.example.org");
    let der = m.client.cert_der().unwrap();
    let ocsp = good_ocsp(&m.client);
    let client_signer = signer(&m.client);
    let auth_signer = signer(&m.auth);
    let auth_der = m.auth.cert_der().unwrap();
    let message = compose(
        request::<AuthCertReg>(xroad::AuthCertReg(body)),
        &[
            SignatureInput {
                signer: &auth_signer,
                algorithm: SignatureAlgorithm::Sha256WithRsa,
                certificate: &auth_der,
                ocsp_response: None,
            },
            SignatureInput {
                signer: &client_signer,
                algorithm: SignatureAlgorithm::Sha256WithRsa,
                certificate: &der,
                ocsp_response: Some(&ocsp),
            },
        ],
    )
    .unwrap()
    .message;
    refused(
        &message,
        FaultCode::InvalidRequest,
        "but the security server's owner is EE/GOV/TS1OWNER",
    );
}

/// Lets a test edit the body bytes of a message in place.
trait TapBytes {
    fn tap_bytes(self, edit: impl FnOnce(&mut Vec<u8>)) -> Self;
}

impl TapBytes for HttpMessage {
    fn tap_bytes(mut self, edit: impl FnOnce(&mut Vec<u8>)) -> Self {
        edit(&mut self.body);
        self
    }
}

#[test]
fn stored_parts_verify_again_as_received() {
    let verifier = verifier();
    let message = client_reg();
    let body = Bytes::from(message.body.clone());
    let now = SystemTime::now();
    let verified = verifier
        .verify_as::<ClientReg>(Some(&message.content_type), &body, now)
        .unwrap();
    // The parts share the body's buffer.
    let range = body.as_ptr() as usize..body.as_ptr() as usize + body.len();
    for index in 0..verified.parts.len() {
        let part = verified.parts.body(index).unwrap();
        assert!(range.contains(&(part.as_ptr() as usize)), "part {index}");
    }
    // Read back from a message log: the same request, the same signer.
    let again = verifier
        .verify_parts::<ClientReg>(&verified.parts, now)
        .unwrap();
    assert_eq!(again.request, verified.request);
    assert_eq!(again.signer, verified.signer);
    assert_eq!(again.parts, verified.parts);
    // As another operation, with the same parts or as a plain SOAP request: its service
    // code names another one.
    let fault = verifier
        .verify_parts::<OwnerChange>(&verified.parts, now)
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
    assert!(fault.reason.contains("service code `clientReg`"), "{fault}");
    let fault = verifier
        .verify_parts::<ClientDeletion>(&Parts::soap(verified.parts.soap.clone()), now)
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
    assert!(fault.reason.contains("service code `clientReg`"), "{fault}");
    // A part missing.
    let mut missing = verified.parts.clone();
    missing.attachments.pop();
    let fault = verifier
        .verify_parts::<ClientReg>(&missing, now)
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::MimeParsingFailed, "{fault}");
    // Another signature.
    let mut tampered = verified.parts.clone();
    tampered.attachments[0].body = Bytes::from(vec![0; tampered.attachments[0].body.len()]);
    let fault = verifier
        .verify_parts::<ClientReg>(&tampered, now)
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidSignatureValue, "{fault}");
    // Stale by the time given.
    let fault = verifier
        .verify_parts::<ClientReg>(&verified.parts, now + Duration::from_secs(7_200))
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::IncorrectValidationInfo, "{fault}");
}

#[test]
fn reading_checks_addressing_before_any_signature() {
    let verifier = verifier();
    // Signed by another member: refused only once the signatures are authenticated.
    let m = members();
    let message = client_reg_with(
        &m.owner,
        &good_ocsp(&m.owner),
        SignatureAlgorithm::Sha256WithRsa,
    );
    let body = Bytes::from(message.body.clone());
    let opened = verifier.open(Some(&message.content_type), &body).unwrap();
    assert_eq!(opened.service_code(), "clientReg");
    assert_eq!(opened.header().client.to_string(), OWNER);
    let parsed = verifier.read::<ClientReg>(opened).unwrap();
    assert_eq!(parsed.server().to_string(), SERVER);
    assert_eq!(parsed.parts.len(), 4);
    let fault = verifier
        .authenticate(parsed, SystemTime::now())
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
    assert!(
        fault.reason.contains("belongs to member EE/GOV/TS1OWNER"),
        "{fault}"
    );
    // Read as another operation than the service code names.
    let opened = verifier.open(Some(&message.content_type), &body).unwrap();
    let fault = verifier
        .read::<OwnerChange>(opened)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
    assert!(fault.reason.contains("`clientReg`"), "{fault}");
}

/// A request of `O` (one member's signature) signed by `cert`'s key with `cert` attached.
fn signed_by<O: ManagementOperation>(body: O::Request, cert: &Issued) -> HttpMessage {
    let der = cert.cert_der().unwrap();
    let ocsp = good_ocsp(cert);
    let signer = signer(cert);
    compose(
        request::<O>(body),
        &[SignatureInput {
            signer: &signer,
            algorithm: SignatureAlgorithm::Sha256WithRsa,
            certificate: &der,
            ocsp_response: Some(&ocsp),
        }],
    )
    .unwrap()
    .message
}

#[test]
fn operations_signed_by_the_client_owner_or_the_server_owner_pass() {
    use xroad_mserv::centralservice::{
        AddressChange, ClientDisable, ClientEnable, ClientRename, MaintenanceModeDisable,
        MaintenanceModeEnable,
    };
    let m = members();
    let verifier = verifier();
    let now = SystemTime::now();
    let check = |message: HttpMessage| (Bytes::from(message.body), message.content_type);
    // Signed by the member that owns the client.
    let (body, ct) = check(signed_by::<ClientDisable>(
        xroad::ClientDisable(client_body()),
        &m.client,
    ));
    let verified = verifier
        .verify_as::<ClientDisable>(Some(&ct), &body, now)
        .unwrap();
    assert_eq!(verified.signer.unwrap().to_string(), "EE/COM/client");
    let (body, ct) = check(signed_by::<ClientEnable>(
        xroad::ClientEnable(client_body()),
        &m.client,
    ));
    assert!(
        verifier
            .verify_as::<ClientEnable>(Some(&ct), &body, now)
            .is_ok()
    );
    let rename = xroad::ClientRename(xroad::ClientRenameRequestType {
        server: id(SERVER),
        client: id(CLIENT),
        subsystem_name: "New name".to_owned(),
        request_id: None,
    });
    let (body, ct) = check(signed_by::<ClientRename>(rename.clone(), &m.client));
    let verified = verifier
        .verify_as::<ClientRename>(Some(&ct), &body, now)
        .unwrap();
    assert_eq!(verified.request.body, rename);
    // By the owner of the security server, not by the client's.
    let (body, ct) = check(signed_by::<ClientRename>(rename, &m.owner));
    let fault = verifier
        .verify_as::<ClientRename>(Some(&ct), &body, now)
        .unwrap_err();
    assert!(
        fault
            .reason
            .contains("but the client's member is EE/COM/client"),
        "{fault}"
    );

    // Signed by the security server's owner.
    let address = |address: &str| {
        xroad::AddressChange(xroad::AddressChangeRequestType {
            server: id(SERVER),
            address: address.to_owned(),
            request_id: None,
        })
    };
    let (body, ct) = check(signed_by::<AddressChange>(
        address("ss1.example.org"),
        &m.owner,
    ));
    let verified = verifier
        .verify_as::<AddressChange>(Some(&ct), &body, now)
        .unwrap();
    assert_eq!(verified.signer.unwrap().to_string(), "EE/GOV/TS1OWNER");
    let (body, ct) = check(signed_by::<AddressChange>(address("ss1 example"), &m.owner));
    let fault = verifier
        .verify_as::<AddressChange>(Some(&ct), &body, now)
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
    assert!(fault.reason.contains("invalid server address"), "{fault}");
    let enable = xroad::MaintenanceModeEnable(xroad::MaintenanceModeEnableRequestType {
        server: id(SERVER),
        message: Some("upgrade".to_owned()),
        request_id: None,
    });
    let (body, ct) = check(signed_by::<MaintenanceModeEnable>(enable.clone(), &m.owner));
    assert!(
        verifier
            .verify_as::<MaintenanceModeEnable>(Some(&ct), &body, now)
            .is_ok()
    );
    let (body, ct) = check(signed_by::<MaintenanceModeEnable>(enable, &m.client));
    let fault = verifier
        .verify_as::<MaintenanceModeEnable>(Some(&ct), &body, now)
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::InvalidRequest, "{fault}");
    assert!(
        fault
            .reason
            .contains("but the security server's owner is EE/GOV/TS1OWNER"),
        "{fault}"
    );
    let disable = xroad::MaintenanceModeDisable(xroad::MaintenanceModeDisableRequestType {
        server: id(SERVER),
        request_id: None,
    });
    let (body, ct) = check(signed_by::<MaintenanceModeDisable>(disable, &m.owner));
    assert!(
        verifier
            .verify_as::<MaintenanceModeDisable>(Some(&ct), &body, now)
            .is_ok()
    );
}

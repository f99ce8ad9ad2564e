use std::time::{Duration, SystemTime};

use openssl::hash::MessageDigest;
use openssl::ocsp::OcspResponseStatus;

use super::*;
use crate::cert::Timestamp;
use crate::fault::FaultCode;
use crate::testpki::tests::shared;
use crate::testpki::{CertRequest, CertStatus, Issued, OcspResponder};

fn member(code: &str) -> Issued {
    shared()
        .issue(&CertRequest::signing("EE", "GOV", code))
        .unwrap()
}

fn responder(name: &str) -> Issued {
    shared().issue(&CertRequest::ocsp_responder(name)).unwrap()
}

fn verifier() -> OcspVerifier {
    OcspVerifier::new(OcspPolicy::default())
}

/// Verifies `response` for `cert` (issued by the root CA) now.
fn verify(response: &[u8], cert: &Issued) -> Result<OcspSummary, OcspError> {
    verifier().verify(
        response,
        cert.cert(),
        shared().ca().cert(),
        SystemTime::now(),
    )
}

fn ca_responder() -> OcspResponder<'static> {
    OcspResponder::new(shared().ca())
}

#[test]
fn a_good_response_signed_by_the_ca_is_accepted() {
    let cert = member("GOOD");
    let before = Timestamp::from(SystemTime::now());
    let response = ca_responder().respond(cert.cert()).unwrap();
    let summary = verify(&response, &cert).unwrap();
    let after = Timestamp::from(SystemTime::now());
    assert_eq!(summary.responder, ResponderAuthority::Issuer);
    assert!(before <= summary.this_update && summary.this_update <= after);
    // libcrypto stamps producedAt with time(), which on Linux reads the clock of the last
    // tick and can lag SystemTime::now() across a second boundary: allow it one second.
    assert!(
        before.saturating_sub(Duration::from_secs(1)) <= summary.produced_at
            && summary.produced_at <= after,
        "produced at {} outside {before}..={after}",
        summary.produced_at
    );
    assert_eq!(
        summary.next_update,
        Some(
            summary
                .this_update
                .saturating_add(Duration::from_secs(86_400))
        )
    );
    assert_eq!(
        summary.valid_until(verifier().policy()),
        summary
            .this_update
            .saturating_add(OcspPolicy::DEFAULT_MAX_AGE)
    );
}

#[test]
fn valid_until_is_the_earlier_of_max_age_and_next_update() {
    let cert = member("UNTIL");
    let response = ca_responder()
        .next_update_offset(Some(600))
        .respond(cert.cert())
        .unwrap();
    let summary = verify(&response, &cert).unwrap();
    assert_eq!(
        summary.valid_until(&OcspPolicy::default()),
        summary.this_update.saturating_add(Duration::from_secs(600))
    );

    let response = ca_responder()
        .next_update_offset(None)
        .respond(cert.cert())
        .unwrap();
    let summary = verify(&response, &cert).unwrap();
    assert_eq!(summary.next_update, None);
    assert_eq!(
        summary.valid_until(&OcspPolicy::default()),
        summary
            .this_update
            .saturating_add(OcspPolicy::DEFAULT_MAX_AGE)
    );
}

#[test]
fn a_revoked_certificate_is_refused_with_time_and_reason() {
    let cert = member("REVOKED");
    let revoked_at = SystemTime::now() - Duration::from_secs(3 * 86_400);
    let response = ca_responder()
        .status(CertStatus::Revoked {
            time: revoked_at,
            reason: Some(RevocationReason::KeyCompromise),
        })
        .respond(cert.cert())
        .unwrap();
    let error = verify(&response, &cert).unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::CertValidation);
    let serial = cert
        .cert()
        .serial_number()
        .to_bn()
        .unwrap()
        .to_hex_str()
        .unwrap()
        .to_string();
    match &error {
        OcspError::Revoked {
            serial: reported,
            revoked_at: at,
            reason,
        } => {
            assert_eq!(*reported, serial);
            assert_eq!(*at, Timestamp::from(revoked_at));
            assert_eq!(*reason, Some(RevocationReason::KeyCompromise));
        }
        other => panic!("unexpected {other}"),
    }
    assert!(error.to_string().contains("keyCompromise"), "{error}");

    let without_reason = ca_responder()
        .status(CertStatus::Revoked {
            time: revoked_at,
            reason: None,
        })
        .respond(cert.cert())
        .unwrap();
    assert!(matches!(
        verify(&without_reason, &cert),
        Err(OcspError::Revoked { reason: None, .. })
    ));
}

#[test]
fn an_unknown_certificate_is_refused() {
    let cert = member("UNKNOWN");
    let response = ca_responder()
        .status(CertStatus::Unknown)
        .respond(cert.cert())
        .unwrap();
    let error = verify(&response, &cert).unwrap_err();
    assert!(matches!(error, OcspError::Unknown { .. }), "{error}");
    assert_eq!(error.fault_code(), FaultCode::CertValidation);
}

#[test]
fn a_stale_response_is_refused_with_its_age() {
    let cert = member("STALE");
    let fresh_enough = ca_responder()
        .this_update_offset(-3_000)
        .respond(cert.cert())
        .unwrap();
    verify(&fresh_enough, &cert).unwrap();

    let stale = ca_responder()
        .this_update_offset(-7_200)
        .respond(cert.cert())
        .unwrap();
    let error = verify(&stale, &cert).unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::IncorrectValidationInfo);
    match error {
        OcspError::Stale {
            age_seconds,
            max_age_seconds,
            ..
        } => {
            assert!((7_200..7_260).contains(&age_seconds), "{age_seconds}");
            assert_eq!(max_age_seconds, 3_600);
        }
        other => panic!("unexpected {other}"),
    }

    // A stricter policy refuses the response the default accepts.
    let strict = OcspVerifier::new(OcspPolicy {
        max_age: Duration::from_secs(600),
        ..OcspPolicy::default()
    });
    assert!(matches!(
        strict.verify(
            &fresh_enough,
            cert.cert(),
            shared().ca().cert(),
            SystemTime::now()
        ),
        Err(OcspError::Stale { .. })
    ));
}

#[test]
fn a_response_from_the_future_is_refused_beyond_the_skew() {
    let cert = member("FUTURE");
    let slightly = ca_responder()
        .this_update_offset(120)
        .respond(cert.cert())
        .unwrap();
    verify(&slightly, &cert).unwrap();

    let future = ca_responder()
        .this_update_offset(3_600)
        .respond(cert.cert())
        .unwrap();
    assert!(matches!(
        verify(&future, &cert),
        Err(OcspError::NotYetValid {
            skew_seconds: 300,
            ..
        })
    ));
}

#[test]
fn an_expired_response_is_refused() {
    let cert = member("EXPIRED");
    let response = ca_responder()
        .this_update_offset(-600)
        .next_update_offset(Some(-60))
        .respond(cert.cert())
        .unwrap();
    let error = verify(&response, &cert).unwrap_err();
    assert!(matches!(error, OcspError::Expired { .. }), "{error}");
    assert_eq!(error.fault_code(), FaultCode::IncorrectValidationInfo);

    // At a verification time before nextUpdate it was acceptable.
    let earlier = SystemTime::now() - Duration::from_secs(300);
    verifier()
        .verify(&response, cert.cert(), shared().ca().cert(), earlier)
        .unwrap();
}

/// A response is acceptable up to its maximum age and up to its nextUpdate, both included,
/// as [`OcspSummary::valid_until`] says.
#[test]
fn the_age_and_next_update_limits_are_inclusive() {
    let cert = member("LIMITS");
    let at = |response: &[u8], time: Timestamp| {
        verifier().verify(
            response,
            cert.cert(),
            shared().ca().cert(),
            time.to_system_time(),
        )
    };
    let one = Duration::from_secs(1);

    let open_ended = ca_responder()
        .next_update_offset(None)
        .respond(cert.cert())
        .unwrap();
    let this_update = verify(&open_ended, &cert).unwrap().this_update;
    let oldest = this_update.saturating_add(OcspPolicy::DEFAULT_MAX_AGE);
    at(&open_ended, oldest).unwrap();
    let error = at(&open_ended, oldest.saturating_add(one)).unwrap_err();
    assert!(matches!(error, OcspError::Stale { .. }), "{error}");

    let bounded = ca_responder()
        .next_update_offset(Some(600))
        .respond(cert.cert())
        .unwrap();
    let next_update = verify(&bounded, &cert).unwrap().next_update.unwrap();
    at(&bounded, next_update).unwrap();
    let error = at(&bounded, next_update.saturating_add(one)).unwrap_err();
    assert!(matches!(error, OcspError::Expired { .. }), "{error}");
}

#[test]
fn a_tampered_signature_is_refused() {
    let cert = member("TAMPERED");
    let response = ca_responder()
        .tampered_signature()
        .respond(cert.cert())
        .unwrap();
    let error = verify(&response, &cert).unwrap_err();
    match &error {
        OcspError::BadSignature { responder, .. } => {
            assert_eq!(responder, "C=EE, O=X-Road Test, CN=X-Road Test Root CA");
        }
        other => panic!("unexpected {other}"),
    }
    assert_eq!(error.fault_code(), FaultCode::IncorrectValidationInfo);
}

#[test]
fn a_delegated_responder_is_accepted() {
    let cert = member("DELEGATED");
    let delegate = responder("Delegated Responder");
    let response = ca_responder()
        .signed_by(&delegate)
        .respond(cert.cert())
        .unwrap();
    assert_eq!(
        verify(&response, &cert).unwrap().responder,
        ResponderAuthority::Delegated
    );

    let by_key = ca_responder()
        .signed_by(&delegate)
        .responder_id_by_key()
        .respond(cert.cert())
        .unwrap();
    assert_eq!(
        verify(&by_key, &cert).unwrap().responder,
        ResponderAuthority::Delegated
    );
}

#[test]
fn a_responder_without_ocsp_signing_is_not_authorised() {
    let cert = member("NO-EKU");
    let signer = member("SIGNER");
    let response = ca_responder()
        .signed_by(&signer)
        .respond(cert.cert())
        .unwrap();
    let error = verify(&response, &cert).unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::IncorrectValidationInfo);
    match error {
        OcspError::ResponderNotAuthorised { responder, reason } => {
            assert_eq!(responder, "C=EE, O=GOV, CN=SIGNER");
            assert_eq!(reason, NotAuthorisedReason::MissingOcspSigning);
        }
        other => panic!("unexpected {other}"),
    }
}

/// Extended key usages other than `OCSPSigning` (an authentication or TLS certificate of
/// the same CA) do not make a certificate an OCSP responder.
#[test]
fn a_responder_with_other_extended_key_usages_is_not_authorised() {
    let cert = member("OTHER-EKU");
    let auth = shared()
        .issue(&CertRequest::authentication(
            "EE",
            "GOV",
            "OTHER-EKU",
            "SS1",
        ))
        .unwrap();
    let tls = shared()
        .issue(&CertRequest::tls_server(&["ocsp.example"], &[]))
        .unwrap();
    for signer in [&auth, &tls] {
        let usages = crate::cert::Usages::of(signer.cert()).unwrap();
        assert!(
            usages
                .has_extended_key_usage(openssl_sys::XKU_SSL_CLIENT | openssl_sys::XKU_SSL_SERVER),
            "the test needs a certificate with an extended key usage"
        );
        let response = ca_responder()
            .signed_by(signer)
            .respond(cert.cert())
            .unwrap();
        match verify(&response, &cert).unwrap_err() {
            OcspError::ResponderNotAuthorised { reason, .. } => {
                assert_eq!(reason, NotAuthorisedReason::MissingOcspSigning);
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn a_responder_of_another_ca_is_not_authorised() {
    let pki = shared();
    let cert = member("OTHER-RESPONDER");
    let foreign = pki
        .issue_by(
            &CertRequest::ocsp_responder("Foreign Responder"),
            pki.other_ca(),
        )
        .unwrap();
    for signer in [&foreign, pki.other_ca()] {
        let response = ca_responder()
            .signed_by(signer)
            .respond(cert.cert())
            .unwrap();
        match verify(&response, &cert).unwrap_err() {
            OcspError::ResponderNotAuthorised {
                reason: NotAuthorisedReason::NotIssuedByCa { ca },
                ..
            } => assert_eq!(ca, "C=EE, O=X-Road Test, CN=X-Road Test Root CA"),
            other => panic!("unexpected {other}"),
        }
    }
}

/// Found by the `verify_request` fuzz target: a responder certificate that names the CA as
/// issuer but is not signed with its key made `X509_verify` fail in the authorisation check,
/// and its errors stayed on the thread's OpenSSL error queue, to turn up in the reason of the
/// next OpenSSL failure on that thread (another request's fault).
#[test]
fn a_forged_responder_leaves_no_openssl_errors_behind() {
    let pki = shared();
    let cert = member("FORGED-RESPONDER");
    let forger = Issued::new(pki.ca().cert().clone(), pki.other_ca().key().clone());
    let forged = pki
        .issue_by(&CertRequest::ocsp_responder("Forged Responder"), &forger)
        .unwrap();
    let response = ca_responder()
        .signed_by(&forged)
        .respond(cert.cert())
        .unwrap();
    // Start from an empty queue.
    drop(openssl::error::ErrorStack::get());
    match verify(&response, &cert).unwrap_err() {
        OcspError::ResponderNotAuthorised {
            reason: NotAuthorisedReason::NotIssuedByCa { .. },
            ..
        } => {}
        other => panic!("unexpected {other}"),
    }
    let left = openssl::error::ErrorStack::get();
    assert!(left.errors().is_empty(), "errors left on the queue: {left}");
}

#[test]
fn an_expired_delegated_responder_is_not_authorised() {
    let cert = member("OLD-RESPONDER");
    let old = shared()
        .issue(&CertRequest::ocsp_responder("Old Responder").expired())
        .unwrap();
    let response = ca_responder().signed_by(&old).respond(cert.cert()).unwrap();
    assert!(matches!(
        verify(&response, &cert),
        Err(OcspError::ResponderNotAuthorised {
            reason: NotAuthorisedReason::NotValidAt { .. },
            ..
        })
    ));
}

#[test]
fn a_not_yet_valid_delegated_responder_is_not_authorised() {
    let cert = member("EARLY-RESPONDER");
    let early = shared()
        .issue(&CertRequest::ocsp_responder("Early Responder").not_yet_valid())
        .unwrap();
    let response = ca_responder()
        .signed_by(&early)
        .respond(cert.cert())
        .unwrap();
    match verify(&response, &cert).unwrap_err() {
        OcspError::ResponderNotAuthorised {
            reason: NotAuthorisedReason::NotValidAt { not_before, at, .. },
            ..
        } => assert!(at < not_before, "{at} is not before {not_before}"),
        other => panic!("unexpected {other}"),
    }
}

/// A delegated responder is authorised from its notBefore to its notAfter, both included.
#[test]
fn a_delegated_responder_is_authorised_through_its_whole_validity() {
    let cert = member("BOUNDED-RESPONDER");
    let bounded = shared()
        .issue(&CertRequest::ocsp_responder("Bounded Responder").validity(-60, 60))
        .unwrap();
    let response = ca_responder()
        .signed_by(&bounded)
        .respond(cert.cert())
        .unwrap();
    let not_before = Timestamp::from_asn1(bounded.cert().not_before()).unwrap();
    let not_after = Timestamp::from_asn1(bounded.cert().not_after()).unwrap();
    let at = |time: Timestamp| {
        verifier().verify(
            &response,
            cert.cert(),
            shared().ca().cert(),
            time.to_system_time(),
        )
    };
    for inside in [not_before, not_after] {
        assert_eq!(at(inside).unwrap().responder, ResponderAuthority::Delegated);
    }
    let one = Duration::from_secs(1);
    for outside in [
        not_before.saturating_sub(one),
        not_after.saturating_add(one),
    ] {
        assert!(
            matches!(
                at(outside),
                Err(OcspError::ResponderNotAuthorised {
                    reason: NotAuthorisedReason::NotValidAt { .. },
                    ..
                })
            ),
            "authorised at {outside}"
        );
    }
}

#[test]
fn a_configured_responder_is_accepted_for_its_ca_only() {
    let pki = shared();
    let cert = member("CONFIGURED");
    // Issued by the other CA, so only the configuration can authorise it.
    let configured = pki
        .issue_by(
            &CertRequest::ocsp_responder("Configured Responder"),
            pki.other_ca(),
        )
        .unwrap();
    let response = ca_responder()
        .signed_by(&configured)
        .respond(cert.cert())
        .unwrap();

    let trusting = verifier().with_responder(pki.ca().cert().clone(), configured.cert().clone());
    let summary = trusting
        .verify(&response, cert.cert(), pki.ca().cert(), SystemTime::now())
        .unwrap();
    assert_eq!(summary.responder, ResponderAuthority::Configured);

    let for_other_ca =
        verifier().with_responder(pki.other_ca().cert().clone(), configured.cert().clone());
    assert!(matches!(
        for_other_ca.verify(&response, cert.cert(), pki.ca().cert(), SystemTime::now()),
        Err(OcspError::ResponderNotAuthorised { .. })
    ));

    // A configured responder is found even when the response leaves its certificate out.
    let bare = ca_responder()
        .signed_by(&configured)
        .without_signer_cert()
        .respond(cert.cert())
        .unwrap();
    let summary = trusting
        .verify(&bare, cert.cert(), pki.ca().cert(), SystemTime::now())
        .unwrap();
    assert_eq!(summary.responder, ResponderAuthority::Configured);
}

#[test]
fn a_responder_that_cannot_be_found_is_reported() {
    let cert = member("HIDDEN");
    let delegate = responder("Hidden Responder");
    let response = ca_responder()
        .signed_by(&delegate)
        .without_signer_cert()
        .respond(cert.cert())
        .unwrap();
    match verify(&response, &cert).unwrap_err() {
        OcspError::ResponderNotFound { responder } => {
            assert_eq!(responder, "name `O=X-Road Test, CN=Hidden Responder`");
        }
        other => panic!("unexpected {other}"),
    }

    let by_key = ca_responder()
        .signed_by(&delegate)
        .without_signer_cert()
        .responder_id_by_key()
        .respond(cert.cert())
        .unwrap();
    match verify(&by_key, &cert).unwrap_err() {
        OcspError::ResponderNotFound { responder } => {
            assert!(responder.starts_with("key hash "), "{responder}");
            assert_eq!(responder.len(), "key hash ".len() + 40);
        }
        other => panic!("unexpected {other}"),
    }

    // The CA is always a candidate, so its responses need not carry its certificate.
    let from_ca = ca_responder()
        .without_signer_cert()
        .respond(cert.cert())
        .unwrap();
    assert_eq!(
        verify(&from_ca, &cert).unwrap().responder,
        ResponderAuthority::Issuer
    );
}

#[test]
fn a_non_successful_response_is_refused_with_its_status() {
    let cert = member("TRY-LATER");
    let response = ca_responder()
        .response_status(OcspResponseStatus::TRY_LATER)
        .respond(cert.cert())
        .unwrap();
    let error = verify(&response, &cert).unwrap_err();
    assert!(
        matches!(error, OcspError::NotSuccessful { status } if status == OcspResponseStatus::TRY_LATER)
    );
    assert!(error.to_string().contains("tryLater"), "{error}");
}

#[test]
fn a_response_about_another_certificate_is_refused() {
    let cert = member("ASKED");
    let other = member("ANSWERED");
    let response = ca_responder().respond(other.cert()).unwrap();
    match verify(&response, &cert).unwrap_err() {
        OcspError::NoStatusForCertificate { serial, responses } => {
            assert_eq!(responses, 1);
            let expected = cert
                .cert()
                .serial_number()
                .to_bn()
                .unwrap()
                .to_hex_str()
                .unwrap();
            assert_eq!(serial, expected.to_string());
        }
        other => panic!("unexpected {other}"),
    }

    // Same serial number space, different issuer: the issuer hashes differ.
    let pki = shared();
    let foreign = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "ASKED"), pki.other_ca())
        .unwrap();
    let response = OcspResponder::new(pki.other_ca())
        .respond(foreign.cert())
        .unwrap();
    assert!(matches!(
        verifier().verify(
            &response,
            cert.cert(),
            pki.other_ca().cert(),
            SystemTime::now()
        ),
        Err(OcspError::NoStatusForCertificate { .. })
    ));
}

#[test]
fn cert_ids_with_any_supported_hash_are_matched() {
    let cert = member("SHA");
    for digest in [
        MessageDigest::sha1(),
        MessageDigest::sha256(),
        MessageDigest::sha512(),
    ] {
        let response = ca_responder()
            .cert_id_digest(digest)
            .respond(cert.cert())
            .unwrap();
        verify(&response, &cert).unwrap();
    }
}

#[test]
fn malformed_bytes_are_refused() {
    let cert = member("MALFORMED");
    let response = ca_responder().respond(cert.cert()).unwrap();
    let error = verify(&response[..response.len() - 1], &cert).unwrap_err();
    assert!(matches!(error, OcspError::Malformed { .. }), "{error}");
    assert_eq!(error.fault_code(), FaultCode::IncorrectValidationInfo);

    let mut trailing = response.clone();
    trailing.extend_from_slice(b"\0\0");
    assert!(matches!(
        verify(&trailing, &cert),
        Err(OcspError::TrailingBytes { length, response_length: Some(n) })
            if length == response.len() + 2 && n == response.len()
    ));
    assert!(matches!(
        verify(b"", &cert),
        Err(OcspError::Malformed { .. })
    ));
}

#[test]
fn parsed_responses_verify_without_reparsing() {
    let cert = member("PARSED");
    let response = parse_response(&ca_responder().respond(cert.cert()).unwrap()).unwrap();
    let summary = verifier()
        .verify_parsed(
            &response,
            cert.cert(),
            shared().ca().cert(),
            SystemTime::now(),
        )
        .unwrap();
    assert_eq!(summary.responder, ResponderAuthority::Issuer);
}

//! The TLS client certificate checks, against the HTTP OCSP responder of a test PKI.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use openssl::bn::BigNum;
use openssl::x509::X509Ref;

use super::*;
use crate::ocsp::{OcspClientConfig, OcspPolicy, RevocationReason};
use crate::test_support::{members, verifier};
use crate::testpki::{CertRequest, CertStatus, OcspHttpListener, TestPki};
use crate::verify::VerifierConfig;

fn serial(cert: &X509Ref) -> BigNum {
    cert.serial_number().to_bn().unwrap()
}

fn auth_request() -> CertRequest {
    CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1")
}

fn client_certs() -> ClientCertVerifier {
    ClientCertVerifier::new(OcspClient::new(OcspClientConfig::default()))
}

#[tokio::test]
async fn a_good_certificate_is_remembered_while_its_status_is_fresh() {
    let m = members();
    let auth = m.pki.issue(&auth_request()).unwrap();
    let verifier = verifier();
    let checks = client_certs();
    let now = SystemTime::now();
    checks.check(&verifier, auth.cert(), now).await.unwrap();
    assert_eq!(m.ocsp.responses_for(&serial(auth.cert())), 1);
    assert_eq!(checks.remembered_count(), 1);
    // Later requests cost a lookup: no fetch, and a revocation is seen only with the next
    // status.
    m.ocsp.set_status(
        &serial(auth.cert()),
        CertStatus::Revoked {
            time: now,
            reason: None,
        },
    );
    for minutes in [1, 10, 50] {
        let at = now + Duration::from_secs(60 * minutes);
        checks.check(&verifier, auth.cert(), at).await.unwrap();
    }
    assert_eq!(m.ocsp.responses_for(&serial(auth.cert())), 1);
}

/// The checks keep to the verifier's OCSP policy: with a maximum age of 600 s a good status
/// is not remembered for the default 3,600 s.
#[tokio::test]
async fn a_status_is_remembered_only_as_long_as_the_verifiers_policy_allows() {
    let m = members();
    let auth = m.pki.issue(&auth_request()).unwrap();
    let strict = Verifier::new(
        VerifierConfig::new("EE".parse().unwrap(), members_provider()),
        TrustStore::new([m.pki.ca().cert().clone()]).unwrap(),
        OcspVerifier::new(OcspPolicy {
            max_age: Duration::from_secs(600),
            clock_skew: OcspPolicy::DEFAULT_CLOCK_SKEW,
        }),
    );
    let checks = client_certs();
    let now = SystemTime::now();
    checks.check(&strict, auth.cert(), now).await.unwrap();
    assert_eq!(m.ocsp.responses_for(&serial(auth.cert())), 1);
    // 900 s later the status is too old for this policy (the default one would still
    // accept it): the certificate is refused, not passed on the remembered verdict.
    let fault = checks
        .check(&strict, auth.cert(), now + Duration::from_secs(900))
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
}

#[tokio::test]
async fn an_unknown_or_revoked_certificate_is_refused_and_not_remembered() {
    let m = members();
    let verifier = verifier();
    let checks = client_certs();
    let unknown = m.pki.issue(&auth_request()).unwrap();
    m.ocsp
        .set_status(&serial(unknown.cert()), CertStatus::Unknown);
    let fault = checks
        .check(&verifier, unknown.cert(), SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault.reason.starts_with(
            "the OCSP status of the TLS client certificate `C=EE, O=GOV, CN=TS1OWNER, OU=TS1` \
             is not good: OCSP responder does not know certificate serial"
        ),
        "{fault}"
    );
    let revoked = m.pki.issue(&auth_request()).unwrap();
    let revoked_at = SystemTime::now() - Duration::from_secs(60);
    m.ocsp.set_status(
        &serial(revoked.cert()),
        CertStatus::Revoked {
            time: revoked_at,
            reason: Some(RevocationReason::Superseded),
        },
    );
    let fault = checks
        .check(&verifier, revoked.cert(), SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault.reason.contains("was revoked at") && fault.reason.contains("reason superseded"),
        "{fault}"
    );
    assert_eq!(checks.remembered_count(), 0);
}

#[tokio::test]
async fn chain_validity_and_key_usage_are_checked_before_any_fetch() {
    let m = members();
    let verifier = verifier();
    let checks = client_certs();
    let now = SystemTime::now();
    let cases = [
        (
            m.pki.issue(&auth_request().expired()).unwrap(),
            "expired at",
        ),
        (
            m.pki.issue(&auth_request().not_yet_valid()).unwrap(),
            "is not valid before",
        ),
        (
            m.pki.issue_by(&auth_request(), m.pki.other_ca()).unwrap(),
            "which is not a trusted CA",
        ),
        (
            m.pki
                .issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))
                .unwrap(),
            "cannot be used as a authentication certificate",
        ),
    ];
    for (cert, words) in &cases {
        let fault = checks.check(&verifier, cert.cert(), now).await.unwrap_err();
        assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
        assert!(
            fault
                .reason
                .starts_with("the TLS client certificate is not valid: ")
                && fault.reason.contains(words),
            "{words}: {fault}"
        );
        assert_eq!(m.ocsp.responses_for(&serial(cert.cert())), 0);
    }
    // The certificate stays refused once its chain is no longer valid, remembered or not.
    let auth = m.pki.issue(&auth_request().validity(-60, 3_600)).unwrap();
    checks.check(&verifier, auth.cert(), now).await.unwrap();
    let fault = checks
        .check(&verifier, auth.cert(), now + Duration::from_secs(3_700))
        .await
        .unwrap_err();
    assert!(fault.reason.contains("expired at"), "{fault}");
}

#[tokio::test]
async fn a_certificate_without_a_responder_has_no_status() {
    let pki = TestPki::new().unwrap();
    let auth = pki.issue(&auth_request()).unwrap();
    let config = VerifierConfig::new("EE".parse().unwrap(), members_provider());
    let verifier = Verifier::new(
        config,
        TrustStore::new([pki.ca().cert().clone()]).unwrap(),
        OcspVerifier::new(OcspPolicy::default()),
    );
    let fault = client_certs()
        .check(&verifier, auth.cert(), SystemTime::now())
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert_eq!(
        fault.reason,
        "no fresh OCSP status of the TLS client certificate `C=EE, O=GOV, CN=TS1OWNER, OU=TS1` \
         can be had from its OCSP responder"
    );
}

fn members_provider() -> xroad_mserv::identifiers::XRoadClientIdentifierType {
    crate::test_support::PROVIDER.parse().unwrap()
}

/// A clock that tests move.
#[derive(Clone)]
struct TestClock(Arc<Mutex<SystemTime>>);

impl TestClock {
    fn set(&self, at: SystemTime) {
        *self.0.lock().unwrap() = at;
    }

    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// While the responder is down, the status at hand is used until it goes stale; then the
/// certificate is refused until the responder answers again.
#[tokio::test]
async fn while_the_responder_is_down_the_status_at_hand_serves_until_it_is_stale() {
    let listener = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    let pki = TestPki::builder().ocsp_url(listener.url()).build().unwrap();
    let responder = listener.serve(&pki).unwrap();
    let auth = pki.issue(&auth_request()).unwrap();
    let verifier = Verifier::new(
        VerifierConfig::new("EE".parse().unwrap(), members_provider()),
        TrustStore::new([pki.ca().cert().clone()]).unwrap(),
        OcspVerifier::new(OcspPolicy::default()),
    );
    let start = SystemTime::now();
    let clock = TestClock(Arc::new(Mutex::new(start)));
    let ocsp = OcspClient::with_clock(OcspClientConfig::default(), {
        let clock = clock.clone();
        move || clock.now()
    });
    let checks = ClientCertVerifier::new(ocsp);
    let minutes = |n: u64| start + Duration::from_secs(60 * n);

    checks.check(&verifier, auth.cert(), start).await.unwrap();
    assert_eq!(responder.requests_answered(), 1);
    responder.shutdown().await;

    // The status (fresh for 60 minutes, refreshed in the last 6) is used while fresh, even
    // though every refresh fails.
    for at in [minutes(30), minutes(55), minutes(59)] {
        clock.set(at);
        checks.check(&verifier, auth.cert(), at).await.unwrap();
    }
    // Stale: refused, and the fault says why.
    clock.set(minutes(61));
    let fault = checks
        .check(&verifier, auth.cert(), minutes(61))
        .await
        .unwrap_err();
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault
            .reason
            .starts_with("no fresh OCSP status of the TLS client certificate"),
        "{fault}"
    );
}

/// A newer status that is not good, fetched in the background, ends the verdict.
#[tokio::test]
async fn a_refresh_that_finds_the_certificate_revoked_ends_its_verdict() {
    let m = members();
    let auth = m.pki.issue(&auth_request()).unwrap();
    let verifier = verifier();
    let start = SystemTime::now();
    let clock = TestClock(Arc::new(Mutex::new(start)));
    let checks = ClientCertVerifier::new(OcspClient::with_clock(OcspClientConfig::default(), {
        let clock = clock.clone();
        move || clock.now()
    }));
    checks.check(&verifier, auth.cert(), start).await.unwrap();
    m.ocsp.set_status(
        &serial(auth.cert()),
        CertStatus::Revoked {
            time: start,
            reason: Some(RevocationReason::KeyCompromise),
        },
    );
    // Within the refresh margin the request is served on the status at hand, and a newer
    // one is fetched in the background.
    let at = start + Duration::from_secs(55 * 60);
    clock.set(at);
    checks.check(&verifier, auth.cert(), at).await.unwrap();
    for _ in 0..1_000 {
        if checks.remembered_count() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        checks.remembered_count(),
        0,
        "the refresh ended the verdict"
    );
    assert_eq!(m.ocsp.responses_for(&serial(auth.cert())), 2);
    let fault = checks.check(&verifier, auth.cert(), at).await.unwrap_err();
    assert!(fault.reason.contains("reason keyCompromise"), "{fault}");
}

/// Whether `checks` holds a verdict for `cert`, and whether a refresh of it is under way.
fn verdict_of(checks: &ClientCertVerifier, cert: &X509Ref) -> Option<bool> {
    lock(&checks.inner.good)
        .get(cert.to_der().unwrap().as_slice())
        .map(|verdict| verdict.refreshing)
}

/// At most `capacity` certificates are remembered: when full, what no longer holds is
/// forgotten first, and everything if that frees no room.
#[tokio::test]
async fn the_remembered_certificates_are_bounded_by_the_capacity() {
    let m = members();
    let verifier = verifier();
    let checks = ClientCertVerifier::with_capacity(OcspClient::new(OcspClientConfig::default()), 2);
    let now = SystemTime::now();
    let later = now + Duration::from_secs(700);
    // `short` expires 600 s after issue; the others stay valid.
    let short = m.pki.issue(&auth_request().validity(-60, 600)).unwrap();
    let [b, c, d] = [(); 3].map(|()| m.pki.issue(&auth_request()).unwrap());
    let all: [&X509Ref; 4] = [short.cert(), b.cert(), c.cert(), d.cert()];
    let held = || all.map(|cert| verdict_of(&checks, cert).is_some());

    checks.check(&verifier, short.cert(), now).await.unwrap();
    checks.check(&verifier, b.cert(), now).await.unwrap();
    assert_eq!(held(), [true, true, false, false]);
    // Full: the expired one makes room.
    checks.check(&verifier, c.cert(), later).await.unwrap();
    assert_eq!(held(), [false, true, true, false]);
    // Full of verdicts that hold: all are forgotten.
    checks.check(&verifier, d.cert(), later).await.unwrap();
    assert_eq!(held(), [false, false, false, true]);
    assert_eq!(checks.remembered_count(), 1);
}

/// A request on a remembered certificate starts a background refresh only within the OCSP
/// client's refresh margin (the last 6 of the 60 minutes by default), and only one at a time.
#[tokio::test(flavor = "current_thread")]
async fn a_refresh_starts_only_within_the_refresh_margin() {
    let m = members();
    let auth = m.pki.issue(&auth_request()).unwrap();
    let verifier = verifier();
    let checks = client_certs();
    let start = SystemTime::now();
    checks.check(&verifier, auth.cert(), start).await.unwrap();
    assert_eq!(verdict_of(&checks, auth.cert()), Some(false));
    // The spawned refresh cannot run before this test yields, so the flag shows whether
    // one was started.
    for minutes in [1, 30, 53] {
        let at = start + Duration::from_secs(60 * minutes);
        checks.check(&verifier, auth.cert(), at).await.unwrap();
        assert_eq!(
            verdict_of(&checks, auth.cert()),
            Some(false),
            "{minutes} min"
        );
    }
    let at = start + Duration::from_secs(55 * 60);
    checks.check(&verifier, auth.cert(), at).await.unwrap();
    assert_eq!(verdict_of(&checks, auth.cert()), Some(true));
}

/// A status that is not good is the certificate's fault (`cert_validation`), whatever the
/// verifier's own code for it; a failure of libcrypto while checking it is the server's
/// (`internal_error`).
#[test]
fn a_status_fault_blames_the_certificate_unless_libcrypto_failed() {
    let pki = TestPki::new().unwrap();
    let auth = pki.issue(&auth_request()).unwrap();
    let trailing = OcspError::TrailingBytes {
        length: 1,
        response_length: None,
    };
    assert_eq!(trailing.fault_code(), FaultCode::IncorrectValidationInfo);
    assert_eq!(
        status_fault(auth.cert(), &trailing).code,
        FaultCode::CertValidation
    );
    let failed = OcspError::Openssl {
        operation: "computing the certificate's CertID",
        source: openssl::error::ErrorStack::get(),
    };
    let fault = status_fault(auth.cert(), &failed);
    assert_eq!(fault.code, FaultCode::InternalError, "{fault}");
    assert!(
        fault
            .reason
            .ends_with("is not good: computing the certificate's CertID failed"),
        "{fault}"
    );
}

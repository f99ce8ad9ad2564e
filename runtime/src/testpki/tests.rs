use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponseStatus, OcspRevokedStatus};
use openssl::stack::Stack;
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;

use super::*;
use crate::cert::{Timestamp, Usages};
use crate::ocsp::RevocationReason;

/// OCSP URL put into the signing certificates of the shared PKI.
pub(crate) const OCSP_URL: &str = "http://ocsp.test.invalid:8888/";

/// One PKI for every unit test of the crate (three RSA keys, generated once).
pub(crate) fn shared() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::builder().ocsp_url(OCSP_URL).build().unwrap())
}

fn unix(time: &openssl::asn1::Asn1TimeRef) -> i64 {
    Timestamp::from_asn1(time).unwrap().unix_seconds()
}

fn basic_of(der: &[u8]) -> openssl::ocsp::OcspBasicResponse {
    let response = openssl::ocsp::OcspResponse::from_der(der).unwrap();
    assert_eq!(response.status(), OcspResponseStatus::SUCCESSFUL);
    response.basic().unwrap()
}

#[test]
fn cas_are_self_signed_and_unrelated() {
    let pki = shared();
    for ca in [pki.ca(), pki.other_ca()] {
        let cert = ca.cert();
        assert_eq!(cert.issued(cert), openssl::x509::X509VerifyResult::OK);
        assert!(cert.verify(ca.key()).unwrap());
        let usages = Usages::of(cert).unwrap();
        assert!(usages.has_key_usage(openssl_sys::X509v3_KU_KEY_CERT_SIGN));
        assert!(unix(cert.not_before()) < unix_now() - 29 * DAY);
    }
    assert_ne!(
        pki.ca().cert().issued(pki.other_ca().cert()),
        openssl::x509::X509VerifyResult::OK
    );
    assert!(!pki.ca().key().public_eq(pki.other_ca().key()));
    assert!(!pki.ca().key().public_eq(pki.shared_key()));
}

#[test]
fn serial_numbers_are_unique() {
    let pki = shared();
    let serials: HashSet<String> = (0..5)
        .map(|_| {
            pki.issue(&CertRequest::signing("EE", "GOV", "SERIAL"))
                .unwrap()
        })
        .chain([pki.ca().clone(), pki.other_ca().clone()])
        .map(|issued| {
            issued
                .cert()
                .serial_number()
                .to_bn()
                .unwrap()
                .to_dec_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(serials.len(), 7);
}

#[test]
fn signing_certificates_carry_non_repudiation_and_the_ocsp_url() {
    let pki = shared();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))
        .unwrap();
    assert_eq!(
        crate::cert::distinguished_name(member.cert().subject_name()),
        "C=EE, O=GOV, CN=TS1OWNER"
    );
    let usages = Usages::of(member.cert()).unwrap();
    assert!(usages.has_key_usage(openssl_sys::X509v3_KU_NON_REPUDIATION));
    assert!(!usages.has_key_usage(!openssl_sys::X509v3_KU_NON_REPUDIATION));
    let urls: Vec<String> = member
        .cert()
        .ocsp_responders()
        .unwrap()
        .iter()
        .map(|url| url.to_string())
        .collect();
    assert_eq!(urls, [OCSP_URL]);
    assert!(member.cert().verify(pki.ca().key()).unwrap());
    assert!(member.key().public_eq(pki.shared_key()));
}

#[test]
fn authentication_certificates_carry_client_auth_and_digital_signature() {
    let pki = shared();
    let auth = pki
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1"))
        .unwrap();
    assert_eq!(
        crate::cert::distinguished_name(auth.cert().subject_name()),
        "C=EE, O=GOV, CN=TS1OWNER, OU=TS1"
    );
    let usages = Usages::of(auth.cert()).unwrap();
    assert!(usages.has_extended_key_usage(openssl_sys::XKU_SSL_CLIENT));
    assert!(usages.has_key_usage(openssl_sys::X509v3_KU_DIGITAL_SIGNATURE));
    assert!(!usages.has_key_usage(openssl_sys::X509v3_KU_NON_REPUDIATION));
    let urls: Vec<String> = auth
        .cert()
        .ocsp_responders()
        .unwrap()
        .iter()
        .map(|url| url.to_string())
        .collect();
    assert_eq!(urls, [OCSP_URL]);
}

#[test]
fn tls_server_certificates_name_their_hosts() {
    let pki = shared();
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let tls = pki
        .issue(&CertRequest::tls_server(&["cs.test", "localhost"], &[ip]))
        .unwrap();
    let names = tls.cert().subject_alt_names().unwrap();
    let dns: Vec<&str> = names.iter().filter_map(|name| name.dnsname()).collect();
    let ips: Vec<&[u8]> = names.iter().filter_map(|name| name.ipaddress()).collect();
    assert_eq!(dns, ["cs.test", "localhost"]);
    assert_eq!(ips, [&[127u8, 0, 0, 1][..]]);
    let usages = Usages::of(tls.cert()).unwrap();
    assert!(usages.has_extended_key_usage(openssl_sys::XKU_SSL_SERVER));

    let nameless = pki.issue(&CertRequest::tls_server(&[], &[]));
    assert!(matches!(nameless, Err(TestPkiError::InvalidRequest(_))));
}

#[test]
fn responder_and_intermediate_certificates_have_their_usages() {
    let pki = shared();
    let responder = pki.issue(&CertRequest::ocsp_responder("OCSP")).unwrap();
    let usages = Usages::of(responder.cert()).unwrap();
    assert!(usages.has_extended_key_usage(openssl_sys::XKU_OCSP_SIGN));

    let intermediate = pki
        .issue(&CertRequest::intermediate_ca("Intermediate").distinct_key())
        .unwrap();
    let usages = Usages::of(intermediate.cert()).unwrap();
    assert!(usages.has_key_usage(openssl_sys::X509v3_KU_KEY_CERT_SIGN));
    let leaf = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "LEAF"), &intermediate)
        .unwrap();
    assert!(leaf.cert().verify(intermediate.key()).unwrap());
    assert!(!intermediate.key().public_eq(pki.shared_key()));
}

#[test]
fn variations_change_validity_usage_and_issuer() {
    let pki = shared();
    let now = unix_now();
    let expired = pki
        .issue(&CertRequest::signing("EE", "GOV", "OLD").expired())
        .unwrap();
    assert!(unix(expired.cert().not_after()) < now);
    let future = pki
        .issue(&CertRequest::signing("EE", "GOV", "NEW").not_yet_valid())
        .unwrap();
    assert!(unix(future.cert().not_before()) > now);

    let bare = pki
        .issue(&CertRequest::authentication("EE", "GOV", "BARE", "S").without_key_usage())
        .unwrap();
    let usages = Usages::of(bare.cert()).unwrap();
    assert!(!usages.has_key_usage(u32::MAX));
    assert!(!usages.has_extended_key_usage(u32::MAX));

    let foreign = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "X"), pki.other_ca())
        .unwrap();
    assert!(foreign.cert().verify(pki.other_ca().key()).unwrap());
    assert!(!foreign.cert().verify(pki.ca().key()).unwrap());
}

#[test]
fn exports_round_trip() {
    let pki = shared();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "PEM"))
        .unwrap();
    assert_eq!(
        X509::from_pem(&member.cert_pem().unwrap()).unwrap(),
        *member.cert()
    );
    assert_eq!(
        X509::from_der(&member.cert_der().unwrap()).unwrap(),
        *member.cert()
    );
    let from_pem = PKey::private_key_from_pem(&member.key_pem().unwrap()).unwrap();
    let from_der = PKey::private_key_from_pkcs8(&member.key_der().unwrap()).unwrap();
    assert!(from_pem.public_eq(member.key()));
    assert!(from_der.public_eq(member.key()));
}

#[test]
fn der_lengths_use_the_long_form_above_127_bytes() {
    assert_eq!(der(0x04, &[1, 2]), [0x04, 2, 1, 2]);
    let long = der(0x04, &[0; 300]);
    assert_eq!(&long[..4], [0x04, 0x82, 0x01, 0x2C]);
    assert_eq!(long.len(), 304);
}

#[test]
fn responses_carry_the_requested_status() {
    let pki = shared();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "OCSP"))
        .unwrap();
    let id = OcspCertId::from_cert(MessageDigest::sha1(), member.cert(), pki.ca().cert()).unwrap();
    let revoked_at = SystemTime::now() - Duration::from_secs(7_200);
    let cases = [
        (
            CertStatus::Good,
            OcspCertStatus::GOOD,
            OcspRevokedStatus::NO_STATUS,
        ),
        (
            CertStatus::Unknown,
            OcspCertStatus::UNKNOWN,
            OcspRevokedStatus::NO_STATUS,
        ),
        (
            CertStatus::Revoked {
                time: revoked_at,
                reason: Some(RevocationReason::KeyCompromise),
            },
            OcspCertStatus::REVOKED,
            OcspRevokedStatus::KEY_COMPROMISE,
        ),
    ];
    for (status, expected, reason) in cases {
        let der = OcspResponder::new(pki.ca())
            .status(status)
            .respond(member.cert())
            .unwrap();
        let basic = basic_of(&der);
        let found = basic.find_status(&id).unwrap();
        assert_eq!(found.status, expected);
        assert_eq!(found.reason, reason);
        if let CertStatus::Revoked { time, .. } = status {
            let revoked = found.revocation_time.unwrap();
            let revoked = Timestamp::from_generalized(revoked).unwrap();
            assert_eq!(revoked, Timestamp::from(time));
        }
    }
}

#[test]
fn responses_are_signed_by_the_chosen_signer_and_verify() {
    let pki = shared();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "SIG"))
        .unwrap();
    let responder = pki
        .issue(&CertRequest::ocsp_responder("Responder"))
        .unwrap();
    let mut store = X509StoreBuilder::new().unwrap();
    store.add_cert(pki.ca().cert().clone()).unwrap();
    let store = store.build();
    let no_extra = Stack::new().unwrap();

    for signer in [pki.ca(), &responder] {
        let der = OcspResponder::new(pki.ca())
            .signed_by(signer)
            .respond(member.cert())
            .unwrap();
        basic_of(&der)
            .verify(&no_extra, &store, OcspFlag::empty())
            .unwrap();
    }

    let tampered = OcspResponder::new(pki.ca())
        .tampered_signature()
        .respond(member.cert())
        .unwrap();
    assert!(
        basic_of(&tampered)
            .verify(&no_extra, &store, OcspFlag::empty())
            .is_err()
    );

    // Without the signer certificate, libcrypto can only find the signer if it is given.
    let bare = OcspResponder::new(pki.ca())
        .signed_by(&responder)
        .without_signer_cert()
        .respond(member.cert())
        .unwrap();
    assert!(
        basic_of(&bare)
            .verify(&no_extra, &store, OcspFlag::empty())
            .is_err()
    );
    let mut given = Stack::new().unwrap();
    given.push(responder.cert().clone()).unwrap();
    basic_of(&bare)
        .verify(&given, &store, OcspFlag::empty())
        .unwrap();
}

#[test]
fn update_times_and_cert_id_hash_follow_the_options() {
    let pki = shared();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "TIMES"))
        .unwrap();
    let at = SystemTime::now() - Duration::from_secs(50_000);
    let der = OcspResponder::new(pki.ca())
        .at(at)
        .this_update_offset(-100)
        .next_update_offset(Some(200))
        .cert_id_digest(MessageDigest::sha256())
        .respond(member.cert())
        .unwrap();
    let basic = basic_of(&der);
    let sha1 =
        OcspCertId::from_cert(MessageDigest::sha1(), member.cert(), pki.ca().cert()).unwrap();
    assert!(basic.find_status(&sha1).is_none());
    let sha256 =
        OcspCertId::from_cert(MessageDigest::sha256(), member.cert(), pki.ca().cert()).unwrap();
    let found = basic.find_status(&sha256).unwrap();
    let at = Timestamp::from(at).unix_seconds();
    let this_update = Timestamp::from_generalized(found.this_update).unwrap();
    assert_eq!(this_update.unix_seconds(), at - 100);
    let next_update = Timestamp::from_generalized(found.next_update().unwrap()).unwrap();
    assert_eq!(next_update.unix_seconds(), at + 200);

    let open_ended = OcspResponder::new(pki.ca())
        .next_update_offset(None)
        .respond(member.cert())
        .unwrap();
    let basic = basic_of(&open_ended);
    assert!(basic.find_status(&sha1).unwrap().next_update().is_none());
}

#[test]
fn non_successful_responses_have_no_body() {
    let pki = shared();
    let member = pki
        .issue(&CertRequest::signing("EE", "GOV", "LATER"))
        .unwrap();
    let der = OcspResponder::new(pki.ca())
        .response_status(OcspResponseStatus::TRY_LATER)
        .respond(member.cert())
        .unwrap();
    let response = openssl::ocsp::OcspResponse::from_der(&der).unwrap();
    assert_eq!(response.status(), OcspResponseStatus::TRY_LATER);
    assert!(response.basic().is_err());
}

use std::time::{Duration, SystemTime};

use base64::Engine;
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::x509::extension::{ExtendedKeyUsage, KeyUsage};
use openssl::x509::{X509, X509Builder, X509Extension, X509Name};
use xroad_mserv::identifiers::XRoadClientIdentifierType;

use super::*;
use crate::fault::FaultCode;
use crate::testpki::tests::shared;
use crate::testpki::{CertRequest, Issued};

const DAY: Duration = Duration::from_secs(86_400);

/// The authentication certificate of the Annex A.4 example request (C=EE, O=GOV,
/// CN=TS1OWNER, issued by the EJBCA sample CA, valid 2015-10-05 to 2017-10-04).
fn annex_a4_certificate() -> X509 {
    let message = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/annex-a/a4-auth-cert-deletion-request.xml"
    ));
    let start = message.find("<xroad:authCert>").unwrap() + "<xroad:authCert>".len();
    let end = message.find("</xroad:authCert>").unwrap();
    let base64: String = message[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64)
        .unwrap();
    parse_der(&der).unwrap()
}

fn trust() -> TrustStore {
    TrustStore::new([shared().ca().cert().clone()]).unwrap()
}

fn client(text: &str) -> XRoadClientIdentifierType {
    text.parse().unwrap()
}

/// A certificate for `C=EE, O=GOV, CN=CUSTOM` issued by the root CA with `extensions`.
fn with_extensions(extensions: Vec<X509Extension>) -> X509 {
    let pki = shared();
    let mut name = X509Name::builder().unwrap();
    name.append_entry_by_nid(Nid::COUNTRYNAME, "EE").unwrap();
    name.append_entry_by_nid(Nid::ORGANIZATIONNAME, "GOV")
        .unwrap();
    name.append_entry_by_nid(Nid::COMMONNAME, "CUSTOM").unwrap();
    let mut builder = X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    builder.set_subject_name(&name.build()).unwrap();
    builder
        .set_issuer_name(pki.ca().cert().subject_name())
        .unwrap();
    builder.set_pubkey(pki.shared_key()).unwrap();
    builder
        .set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    builder
        .set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    for extension in extensions {
        builder.append_extension(extension).unwrap();
    }
    builder
        .sign(pki.ca().key(), MessageDigest::sha256())
        .unwrap();
    builder.build()
}

fn issue(request: CertRequest) -> Issued {
    shared().issue(&request).unwrap()
}

#[test]
fn parse_der_accepts_one_certificate_only() {
    let member = issue(CertRequest::signing("EE", "GOV", "PARSE"));
    let der = member.cert_der().unwrap();
    assert_eq!(parse_der(&der).unwrap(), *member.cert());

    let mut trailing = der.clone();
    trailing.push(0);
    assert!(matches!(
        parse_der(&trailing),
        Err(CertificateError::TrailingBytes { length, certificate_length: Some(n) })
            if length == der.len() + 1 && n == der.len()
    ));

    let error = parse_der(&der[..der.len() - 1]).unwrap_err();
    assert!(
        matches!(error, CertificateError::Malformed { .. }),
        "{error}"
    );
    assert_eq!(error.fault_code(), FaultCode::IncorrectCertificate);
    assert!(matches!(
        parse_der(b"not a certificate"),
        Err(CertificateError::Malformed { .. })
    ));
}

/// Found by the `verify_request` fuzz target: a signing certificate whose public key does not
/// decode made the chain verification fail inside OpenSSL, which the verifier answered with
/// `internal_error` instead of refusing the certificate.
#[test]
fn a_certificate_whose_public_key_does_not_decode_is_malformed() {
    let mut der = issue(CertRequest::signing("EE", "GOV", "BAD-KEY"))
        .cert()
        .to_der()
        .unwrap();
    // subjectPublicKey: BIT STRING (270 bytes), no unused bits, RSAPublicKey SEQUENCE.
    let key = [0x03, 0x82, 0x01, 0x0F, 0x00, 0x30, 0x82, 0x01, 0x0A];
    let at = der
        .windows(key.len())
        .position(|w| w == key)
        .expect("an RSA-2048 subjectPublicKey");
    // The RSAPublicKey SEQUENCE becomes a SET: the certificate still parses as DER.
    der[at + 5] = 0x31;
    match parse_der(&der) {
        Err(error @ CertificateError::Malformed { .. }) => {
            assert_eq!(error.fault_code(), FaultCode::IncorrectCertificate);
        }
        other => panic!("expected a malformed certificate, got {other:?}"),
    }
}

#[test]
fn der_element_length_reads_short_and_long_forms() {
    assert_eq!(der_element_length(&[0x30, 0x03, 1, 2, 3]), Some(5));
    assert_eq!(der_element_length(&[0x30, 0x81, 0x80]), Some(131));
    assert_eq!(der_element_length(&[0x30, 0x82, 0x01, 0x00]), Some(260));
    assert_eq!(der_element_length(&[0x30, 0x80]), None);
    assert_eq!(der_element_length(&[0x30]), None);
    assert_eq!(der_element_length(&[0x30, 0x82, 0x01]), None);
    // As many length octets as a `usize` holds are read; one more is refused.
    let eight = [0x30, 0x88, 0, 0, 0, 0, 0, 0, 0, 0x03, 1, 2, 3];
    assert_eq!(der_element_length(&eight), Some(13));
    let nine = [0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 1, 2, 3];
    assert_eq!(der_element_length(&nine), None);
}

#[test]
fn a_certificate_of_a_trusted_ca_verifies_and_names_its_issuer() {
    let pki = shared();
    let member = issue(CertRequest::signing("EE", "GOV", "CHAIN"));
    let chain = trust()
        .verify(member.cert(), &[], SystemTime::now())
        .unwrap();
    assert!(chain.certificate() == member.cert());
    assert!(chain.issuer() == pki.ca().cert());
    assert!(chain.anchor() == pki.ca().cert());
    assert_eq!(chain.certificates().len(), 2);
}

#[test]
fn intermediates_complete_the_chain() {
    let pki = shared();
    let intermediate = issue(CertRequest::intermediate_ca("Test Intermediate CA"));
    let member = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "DEEP"), &intermediate)
        .unwrap();
    let chain = trust()
        .verify(
            member.cert(),
            &[intermediate.cert().clone()],
            SystemTime::now(),
        )
        .unwrap();
    assert!(chain.issuer() == intermediate.cert());
    assert!(chain.anchor() == pki.ca().cert());
    assert_eq!(chain.certificates().len(), 3);

    let error = trust()
        .verify(member.cert(), &[], SystemTime::now())
        .unwrap_err();
    match error {
        CertificateError::UntrustedIssuer { subject, issuer } => {
            assert_eq!(subject, "C=EE, O=GOV, CN=DEEP");
            assert_eq!(issuer, "O=X-Road Test, CN=Test Intermediate CA");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn a_trusted_intermediate_ends_the_chain() {
    let pki = shared();
    let intermediate = issue(CertRequest::intermediate_ca("Trusted Intermediate"));
    let member = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "PARTIAL"), &intermediate)
        .unwrap();
    let store = TrustStore::new([intermediate.cert().clone()]).unwrap();
    let chain = store.verify(member.cert(), &[], SystemTime::now()).unwrap();
    assert!(chain.anchor() == intermediate.cert());
}

#[test]
fn a_certificate_of_another_ca_is_refused_naming_the_issuer() {
    let pki = shared();
    let foreign = pki
        .issue_by(
            &CertRequest::signing("EE", "GOV", "FOREIGN"),
            pki.other_ca(),
        )
        .unwrap();
    let error = trust()
        .verify(foreign.cert(), &[], SystemTime::now())
        .unwrap_err();
    assert_eq!(error.fault_code(), FaultCode::CertValidation);
    match &error {
        CertificateError::UntrustedIssuer { issuer, .. } => {
            assert_eq!(issuer, "C=EE, O=X-Road Test, CN=Unrelated Test CA");
        }
        other => panic!("unexpected {other}"),
    }
    assert!(error.to_string().contains("Unrelated Test CA"), "{error}");

    // A self-signed certificate that is not trusted.
    let error = trust()
        .verify(pki.other_ca().cert(), &[], SystemTime::now())
        .unwrap_err();
    assert!(
        matches!(error, CertificateError::UntrustedIssuer { .. }),
        "{error}"
    );
}

#[test]
fn an_expired_certificate_is_refused_with_its_dates() {
    let member = issue(CertRequest::signing("EE", "GOV", "EXPIRED").expired());
    let now = SystemTime::now();
    let error = trust().verify(member.cert(), &[], now).unwrap_err();
    match &error {
        CertificateError::Expired {
            subject,
            not_after,
            at,
        } => {
            assert_eq!(subject, "C=EE, O=GOV, CN=EXPIRED");
            assert_eq!(
                *not_after,
                Timestamp::from_asn1(member.cert().not_after()).unwrap()
            );
            assert_eq!(*at, Timestamp::from(now));
        }
        other => panic!("unexpected {other}"),
    }
    assert!(
        error
            .to_string()
            .contains(&Timestamp::from(now).to_string())
    );
    // It was valid a day and a half ago.
    trust()
        .verify(member.cert(), &[], now - DAY - DAY / 2)
        .unwrap();
}

#[test]
fn a_certificate_not_yet_valid_is_refused_with_its_dates() {
    let member = issue(CertRequest::signing("EE", "GOV", "FUTURE").not_yet_valid());
    let now = SystemTime::now();
    let error = trust().verify(member.cert(), &[], now).unwrap_err();
    match &error {
        CertificateError::NotYetValid { not_before, at, .. } => {
            assert_eq!(
                *not_before,
                Timestamp::from_asn1(member.cert().not_before()).unwrap()
            );
            assert_eq!(*at, Timestamp::from(now));
        }
        other => panic!("unexpected {other}"),
    }
    trust()
        .verify(member.cert(), &[], now + DAY + DAY / 2)
        .unwrap();
}

#[test]
fn other_chain_failures_carry_openssl_reason() {
    // An intermediate without CA basic constraints cannot issue certificates.
    let pki = shared();
    let not_a_ca = issue(CertRequest::signing("EE", "GOV", "NOT-A-CA"));
    let member = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "BELOW"), &not_a_ca)
        .unwrap();
    let error = trust()
        .verify(member.cert(), &[not_a_ca.cert().clone()], SystemTime::now())
        .unwrap_err();
    match &error {
        CertificateError::Chain {
            depth,
            code,
            reason,
            ..
        } => {
            assert_eq!(*depth, 1);
            assert_eq!(*code, openssl_sys::X509_V_ERR_INVALID_CA);
            assert_eq!(*reason, "invalid CA certificate");
        }
        other => panic!("unexpected {other}"),
    }
    assert_eq!(error.fault_code(), FaultCode::CertValidation);
}

/// Found by the `verify_request` fuzz target: a certificate naming the trusted CA as issuer
/// but not signed with its key made `X509_verify_cert` fail, and the signature errors stayed
/// on the thread's OpenSSL error queue, to turn up in the reason of the next OpenSSL failure
/// on that thread (another request's fault).
#[test]
fn a_forged_certificate_leaves_no_openssl_errors_behind() {
    let pki = shared();
    let forger = Issued::new(pki.ca().cert().clone(), pki.other_ca().key().clone());
    let forged = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "FORGED"), &forger)
        .unwrap();
    // Start from an empty queue.
    drop(openssl::error::ErrorStack::get());
    let error = trust()
        .verify(forged.cert(), &[], SystemTime::now())
        .unwrap_err();
    assert!(
        matches!(&error, CertificateError::Chain { code, .. }
            if *code == openssl_sys::X509_V_ERR_CERT_SIGNATURE_FAILURE),
        "{error}"
    );
    let left = openssl::error::ErrorStack::get();
    assert!(left.errors().is_empty(), "errors left on the queue: {left}");
}

#[test]
fn trust_store_reads_pem_bundles() {
    let pki = shared();
    let bundle = [
        pki.ca().cert_pem().unwrap(),
        pki.other_ca().cert_pem().unwrap(),
    ]
    .concat();
    let store = TrustStore::from_pem(&bundle).unwrap();
    assert_eq!(store.anchors().len(), 2);
    let foreign = pki
        .issue_by(&CertRequest::signing("EE", "GOV", "BUNDLE"), pki.other_ca())
        .unwrap();
    store
        .verify(foreign.cert(), &[], SystemTime::now())
        .unwrap();
    assert!(matches!(
        TrustStore::from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Err(CertificateError::Malformed { .. })
    ));
}

#[test]
fn signing_needs_non_repudiation() {
    let signing = issue(CertRequest::signing("EE", "GOV", "SIGNER"));
    CertUse::Signing.check(signing.cert()).unwrap();

    let auth = issue(CertRequest::authentication("EE", "GOV", "SIGNER", "SS1"));
    let error = CertUse::Signing.check(auth.cert()).unwrap_err();
    assert_eq!(
        error,
        KeyUsageError::Missing {
            usage: CertUse::Signing,
            subject: "C=EE, O=GOV, CN=SIGNER, OU=SS1".to_owned(),
            required: "key usage nonRepudiation",
        }
    );
    assert_eq!(error.fault_code(), FaultCode::CertValidation);

    let bare = issue(CertRequest::signing("EE", "GOV", "BARE").without_key_usage());
    assert!(matches!(
        CertUse::Signing.check(bare.cert()),
        Err(KeyUsageError::Missing { .. })
    ));
}

#[test]
fn authentication_needs_client_auth_or_a_key_usage() {
    let auth = issue(CertRequest::authentication("EE", "GOV", "AUTH", "SS1"));
    CertUse::Authentication.check(auth.cert()).unwrap();

    // Key usage alone (keyEncipherment, no clientAuth) is enough.
    let tls = issue(CertRequest::tls_server(&["ss1.test"], &[]));
    CertUse::Authentication.check(tls.cert()).unwrap();

    // Extended key usage clientAuth alone (key usage nonRepudiation only) is enough.
    let client_auth_only = with_extensions(vec![
        KeyUsage::new().non_repudiation().build().unwrap(),
        ExtendedKeyUsage::new().client_auth().build().unwrap(),
    ]);
    CertUse::Authentication.check(&client_auth_only).unwrap();

    // A data encipherment key usage is enough.
    let data = with_extensions(vec![KeyUsage::new().data_encipherment().build().unwrap()]);
    CertUse::Authentication.check(&data).unwrap();

    let signing = issue(CertRequest::signing("EE", "GOV", "AUTH"));
    let error = CertUse::Authentication.check(signing.cert()).unwrap_err();
    assert!(
        matches!(
            &error,
            KeyUsageError::Missing {
                usage: CertUse::Authentication,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("clientAuth"), "{error}");

    let bare = issue(CertRequest::authentication("EE", "GOV", "AUTH", "SS2").without_key_usage());
    assert!(CertUse::Authentication.check(bare.cert()).is_err());
}

#[test]
fn duplicate_extensions_are_refused() {
    let twice = with_extensions(vec![
        KeyUsage::new().non_repudiation().build().unwrap(),
        KeyUsage::new().non_repudiation().build().unwrap(),
    ]);
    assert_eq!(
        CertUse::Signing.check(&twice),
        Err(KeyUsageError::InvalidExtensions {
            subject: "C=EE, O=GOV, CN=CUSTOM".to_owned()
        })
    );
}

#[test]
fn the_annex_a4_certificate_is_an_authentication_certificate_of_ts1owner() {
    let cert = annex_a4_certificate();
    CertUse::Authentication.check(&cert).unwrap();
    assert!(CertUse::Signing.check(&cert).is_err());

    let member = SubjectNameDecoder.member_id(&cert).unwrap();
    assert_eq!(member.to_string(), "EE/GOV/TS1OWNER");
    assert!(member.matches(&client("MEMBER:EE/GOV/TS1OWNER")));
    SubjectNameDecoder
        .check_member(&cert, &client("SUBSYSTEM:EE/GOV/TS1OWNER/sub"))
        .unwrap();

    match trust().verify(&cert, &[], SystemTime::now()).unwrap_err() {
        CertificateError::UntrustedIssuer { issuer, .. } => {
            assert_eq!(issuer, "CN=AdminCA1, O=EJBCA Sample, C=SE");
        }
        other => panic!("unexpected {other}"),
    }
    // Trusting the certificate itself, it verifies within its validity only.
    let itself = TrustStore::new([cert.clone()]).unwrap();
    let valid = Timestamp::from_unix_seconds(1_450_000_000).to_system_time();
    itself.verify(&cert, &[], valid).unwrap();
    match itself.verify(&cert, &[], SystemTime::now()).unwrap_err() {
        CertificateError::Expired { not_after, .. } => {
            assert_eq!(not_after.to_string(), "2017-10-04T11:27:43Z");
        }
        other => panic!("unexpected {other}"),
    }
}

#[test]
fn identity_mismatch_names_both_members() {
    let cert = annex_a4_certificate();
    for other in [
        "MEMBER:EE/GOV/OTHER",
        "MEMBER:EE/COM/TS1OWNER",
        "MEMBER:FI/GOV/TS1OWNER",
        "SUBSYSTEM:EE/GOV/OTHER/TS1OWNER",
    ] {
        let error = SubjectNameDecoder
            .check_member(&cert, &client(other))
            .unwrap_err();
        assert_eq!(error.fault_code(), FaultCode::InvalidRequest);
        match &error {
            IdentityError::Mismatch {
                certificate,
                expected,
            } => {
                assert_eq!(certificate.to_string(), "EE/GOV/TS1OWNER");
                assert!(other.contains(expected.as_str()), "{other} {expected}");
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn identity_needs_each_attribute_once_with_a_valid_code() {
    let subject_of =
        |entries: &[(Nid, &str)]| issue(CertRequest::signing("EE", "GOV", "X").subject(entries));
    let missing = subject_of(&[(Nid::COUNTRYNAME, "EE"), (Nid::ORGANIZATIONNAME, "GOV")]);
    assert_eq!(
        SubjectNameDecoder.member_id(missing.cert()),
        Err(IdentityError::MissingAttribute {
            attribute: "CN",
            subject: "C=EE, O=GOV".to_owned()
        })
    );

    let duplicate = subject_of(&[
        (Nid::COUNTRYNAME, "EE"),
        (Nid::ORGANIZATIONNAME, "GOV"),
        (Nid::ORGANIZATIONNAME, "COM"),
        (Nid::COMMONNAME, "X"),
    ]);
    assert!(matches!(
        SubjectNameDecoder.member_id(duplicate.cert()),
        Err(IdentityError::DuplicateAttribute {
            attribute: "O",
            count: 2,
            ..
        })
    ));

    let invalid = subject_of(&[
        (Nid::COUNTRYNAME, "EE"),
        (Nid::ORGANIZATIONNAME, "GOV"),
        (Nid::COMMONNAME, "A/B"),
    ]);
    let error = SubjectNameDecoder.member_id(invalid.cert()).unwrap_err();
    assert!(
        matches!(&error, IdentityError::InvalidCode { attribute: "CN", part: "member code", value, .. } if value == "A/B"),
        "{error}"
    );
    assert_eq!(error.fault_code(), FaultCode::IncorrectCertificate);

    let unicode = subject_of(&[
        (Nid::COUNTRYNAME, "EE"),
        (Nid::ORGANIZATIONNAME, "GOV"),
        (Nid::COMMONNAME, "Põllumees"),
    ]);
    let member = SubjectNameDecoder.member_id(unicode.cert()).unwrap();
    assert_eq!(member.member_code.as_str(), "Põllumees");
}

#[test]
fn decoders_can_be_shared_as_trait_objects() {
    fn assert_send_sync<T: Send + Sync + ?Sized>() {}
    assert_send_sync::<dyn MemberIdentityDecoder>();
    assert_send_sync::<TrustStore>();
    let decoder: Box<dyn MemberIdentityDecoder> = Box::new(SubjectNameDecoder);
    let member = decoder.member_id(&annex_a4_certificate()).unwrap();
    assert_eq!(
        member,
        MemberId::new(
            "EE".parse().unwrap(),
            "GOV".parse().unwrap(),
            "TS1OWNER".parse().unwrap()
        )
    );
}

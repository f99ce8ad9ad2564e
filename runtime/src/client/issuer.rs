//! Finding the issuer of a signing certificate among the configured CA certificates, for
//! the `CertID` of its OCSP request.

use openssl::error::ErrorStack;
use openssl::x509::{X509, X509Ref, X509VerifyResult};

/// The CA certificate in `cas` that issued `cert`: the issuer name matches its subject, the
/// authority key identifier (if any) its subject key identifier, it may sign certificates,
/// and `cert`'s signature verifies with its key. `None` when no certificate qualifies.
pub(super) fn issuer_of<'a>(cert: &X509Ref, cas: &'a [X509]) -> Option<&'a X509> {
    let issuer = cas.iter().find(|ca| {
        ca.issued(cert) == X509VerifyResult::OK
            && ca
                .public_key()
                .and_then(|key| cert.verify(&key))
                .unwrap_or(false)
    });
    // A signature that does not verify leaves its errors on the thread's queue, where they
    // would join the error of the next, unrelated OpenSSL failure.
    drop(ErrorStack::get());
    issuer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpki::CertRequest;
    use crate::testpki::tests::shared;

    #[test]
    fn picks_the_ca_that_signed_the_certificate() {
        let pki = shared();
        let intermediate = pki
            .issue(&CertRequest::intermediate_ca("Client Test Intermediate"))
            .unwrap();
        let direct = pki
            .issue(&CertRequest::signing("EE", "GOV", "DIRECT"))
            .unwrap();
        let below = pki
            .issue_by(&CertRequest::signing("EE", "GOV", "BELOW"), &intermediate)
            .unwrap();
        let cas = [
            pki.other_ca().cert().clone(),
            intermediate.cert().clone(),
            pki.ca().cert().clone(),
        ];
        assert_eq!(issuer_of(direct.cert(), &cas), Some(pki.ca().cert()));
        assert_eq!(issuer_of(below.cert(), &cas), Some(intermediate.cert()));
        assert_eq!(issuer_of(direct.cert(), &cas[..2]), None);
    }

    #[test]
    fn a_name_match_alone_is_not_enough() {
        let pki = shared();
        // Issued by a CA that has the root's name but another key.
        let impostor_ca = pki
            .issue_by(
                &CertRequest::intermediate_ca("X-Road Test Root CA")
                    .subject(&[
                        (openssl::nid::Nid::COUNTRYNAME, "EE"),
                        (openssl::nid::Nid::ORGANIZATIONNAME, "X-Road Test"),
                        (openssl::nid::Nid::COMMONNAME, "X-Road Test Root CA"),
                    ])
                    .distinct_key(),
                pki.other_ca(),
            )
            .unwrap();
        let forged = pki
            .issue_by(&CertRequest::signing("EE", "GOV", "FORGED"), &impostor_ca)
            .unwrap();
        assert_eq!(issuer_of(forged.cert(), &[pki.ca().cert().clone()]), None);
    }

    #[test]
    fn a_signature_that_does_not_verify_leaves_no_openssl_errors_behind() {
        let pki = shared();
        let mut der = pki
            .issue(&CertRequest::signing("EE", "GOV", "TAMPERED"))
            .unwrap()
            .cert()
            .to_der()
            .unwrap();
        // The last byte of the signature: names and key identifiers still match the CA.
        *der.last_mut().unwrap() ^= 0x01;
        let tampered = X509::from_der(&der).unwrap();
        drop(ErrorStack::get());
        assert_eq!(issuer_of(&tampered, &[pki.ca().cert().clone()]), None);
        assert!(ErrorStack::get().errors().is_empty());
    }
}

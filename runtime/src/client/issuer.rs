//! Finding the issuer of a signing certificate among the configured CA certificates, for
//! the `CertID` of its OCSP request.

use openssl::x509::{X509, X509Ref, X509VerifyResult};

/// The CA certificate in `cas` that issued `cert`: the issuer name matches its subject, the
/// authority key identifier (if any) its subject key identifier, it may sign certificates,
/// and `cert`'s signature verifies with its key. `None` when no certificate qualifies.
pub(super) fn issuer_of<'a>(cert: &X509Ref, cas: &'a [X509]) -> Option<&'a X509> {
    cas.iter().find(|ca| {
        ca.issued(cert) == X509VerifyResult::OK
            && ca
                .public_key()
                .and_then(|key| cert.verify(&key))
                .unwrap_or(false)
    })
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
}

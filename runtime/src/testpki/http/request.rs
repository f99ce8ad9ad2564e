//! Reading the `CertID`s of a DER `OCSPRequest`, through the libcrypto wrappers of
//! [`crate::libcrypto`].

use openssl::bn::BigNum;
use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::ocsp::{OcspCertIdRef, OcspRequestRef};

use crate::libcrypto;

/// The `CertID`s of the `requestList` of `request`, in order.
pub(super) fn cert_ids(request: &OcspRequestRef) -> Vec<&OcspCertIdRef> {
    libcrypto::request_cert_ids(request)
}

/// What the responder needs of a `CertID`: its hash algorithm and the serial number.
#[derive(Debug)]
pub(super) struct CertIdInfo {
    /// The algorithm of `issuerNameHash` and `issuerKeyHash`.
    pub(super) hash_algorithm: Nid,
    /// `serialNumber`.
    pub(super) serial: BigNum,
}

/// The hash algorithm and serial number of `id`.
pub(super) fn cert_id_info(id: &OcspCertIdRef) -> Result<CertIdInfo, ErrorStack> {
    let parts = libcrypto::cert_id_parts(id).ok_or_else(ErrorStack::get)?;
    Ok(CertIdInfo {
        hash_algorithm: parts.hash_algorithm.nid(),
        serial: parts.serial.to_bn()?,
    })
}

/// Whether two `CertID`s are equal: hash algorithm, both issuer hashes and serial number.
pub(super) fn same_cert_id(a: &OcspCertIdRef, b: &OcspCertIdRef) -> bool {
    libcrypto::cert_ids_equal(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::hash::MessageDigest;
    use openssl::ocsp::{OcspCertId, OcspRequest};

    use crate::testpki::CertRequest;
    use crate::testpki::tests::shared;

    #[test]
    fn reads_the_cert_ids_of_a_request() {
        let pki = shared();
        let first = pki.issue(&CertRequest::signing("EE", "GOV", "A")).unwrap();
        let second = pki.issue(&CertRequest::signing("EE", "GOV", "B")).unwrap();
        let mut request = OcspRequest::new().unwrap();
        for (cert, digest) in [
            (&first, MessageDigest::sha1()),
            (&second, MessageDigest::sha256()),
        ] {
            let id = OcspCertId::from_cert(digest, cert.cert(), pki.ca().cert()).unwrap();
            request.add_id(id).unwrap();
        }
        let ids = cert_ids(&request);
        assert_eq!(ids.len(), 2);
        let infos: Vec<CertIdInfo> = ids.iter().map(|id| cert_id_info(id).unwrap()).collect();
        assert_eq!(infos[0].hash_algorithm, Nid::SHA1);
        assert_eq!(infos[1].hash_algorithm, Nid::SHA256);
        assert_eq!(
            infos[0].serial,
            *first.cert().serial_number().to_bn().unwrap()
        );
        assert_eq!(
            infos[1].serial,
            *second.cert().serial_number().to_bn().unwrap()
        );
        let again =
            OcspCertId::from_cert(MessageDigest::sha1(), first.cert(), pki.ca().cert()).unwrap();
        assert!(same_cert_id(ids[0], &again));
        assert!(!same_cert_id(ids[1], &again));
    }
}

//! Reading the `CertID`s of a DER `OCSPRequest` through the libcrypto functions openssl-sys
//! does not declare.
//!
//! Every pointer libcrypto returns here points into the request it was given and is tied to
//! the lifetime of the borrow of that request.

use std::ffi::c_int;
use std::ptr;

use foreign_types::ForeignTypeRef;
use openssl::asn1::{Asn1IntegerRef, Asn1ObjectRef};
use openssl::bn::BigNum;
use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::ocsp::{OcspCertIdRef, OcspRequestRef};
use openssl_sys::{
    ASN1_INTEGER, ASN1_OBJECT, ASN1_OCTET_STRING, OCSP_CERTID, OCSP_ONEREQ, OCSP_REQUEST,
};

unsafe extern "C" {
    fn OCSP_request_onereq_count(req: *mut OCSP_REQUEST) -> c_int;
    fn OCSP_request_onereq_get0(req: *mut OCSP_REQUEST, i: c_int) -> *mut OCSP_ONEREQ;
    fn OCSP_onereq_get0_id(one: *mut OCSP_ONEREQ) -> *mut OCSP_CERTID;
    fn OCSP_id_get0_info(
        name_hash: *mut *mut ASN1_OCTET_STRING,
        md: *mut *mut ASN1_OBJECT,
        key_hash: *mut *mut ASN1_OCTET_STRING,
        serial: *mut *mut ASN1_INTEGER,
        cid: *mut OCSP_CERTID,
    ) -> c_int;
    fn OCSP_id_cmp(a: *const OCSP_CERTID, b: *const OCSP_CERTID) -> c_int;
}

/// The `CertID`s of the `requestList` of `request`, in order.
pub(super) fn cert_ids(request: &OcspRequestRef) -> Vec<&OcspCertIdRef> {
    // SAFETY: `request` is a live request; counting only reads it.
    let count = unsafe { OCSP_request_onereq_count(request.as_ptr()) }.max(0);
    (0..count)
        .filter_map(|index| {
            // SAFETY: `index` is within `0..count`. The `Request` and its `CertID` are
            // fields of `request`, which outlives the returned references; they are only
            // handed to functions that read them.
            unsafe {
                let one = OCSP_request_onereq_get0(request.as_ptr(), index);
                if one.is_null() {
                    return None;
                }
                let id = OCSP_onereq_get0_id(one);
                (!id.is_null()).then(|| OcspCertIdRef::from_ptr(id))
            }
        })
        .collect()
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
    let mut algorithm: *mut ASN1_OBJECT = ptr::null_mut();
    let mut serial: *mut ASN1_INTEGER = ptr::null_mut();
    // SAFETY: `id` is live; libcrypto stores pointers to two of its fields in the
    // out-parameters (the others are null, which it skips) and always returns 1.
    unsafe {
        OCSP_id_get0_info(
            ptr::null_mut(),
            &mut algorithm,
            ptr::null_mut(),
            &mut serial,
            id.as_ptr(),
        );
    }
    if algorithm.is_null() || serial.is_null() {
        return Err(ErrorStack::get());
    }
    // SAFETY: both pointers are fields of `id`, live for this function; they are read and
    // their values copied out before it returns.
    let (hash_algorithm, serial) = unsafe {
        (
            Asn1ObjectRef::from_ptr(algorithm).nid(),
            Asn1IntegerRef::from_ptr(serial).to_bn()?,
        )
    };
    Ok(CertIdInfo {
        hash_algorithm,
        serial,
    })
}

/// Whether two `CertID`s are equal: hash algorithm, both issuer hashes and serial number.
pub(super) fn same_cert_id(a: &OcspCertIdRef, b: &OcspCertIdRef) -> bool {
    // SAFETY: both are live `CertID`s, only read.
    unsafe { OCSP_id_cmp(a.as_ptr(), b.as_ptr()) == 0 }
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

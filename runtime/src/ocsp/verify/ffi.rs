//! Safe wrappers over the libcrypto OCSP functions openssl-sys does not declare.
//!
//! Every function here only reads the response it is given; pointers libcrypto returns
//! point into that response (or into the certificate stack given) and are tied to its
//! lifetime.

use std::ffi::c_int;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use foreign_types::ForeignTypeRef;
use openssl::asn1::{Asn1GeneralizedTimeRef, Asn1OctetStringRef};
use openssl::nid::Nid;
use openssl::ocsp::{OcspBasicResponseRef, OcspCertIdRef};
use openssl::stack::StackRef;
use openssl::x509::{X509, X509NameRef, X509Ref};
use openssl_sys::{
    ASN1_GENERALIZEDTIME, ASN1_INTEGER, ASN1_OBJECT, ASN1_OCTET_STRING, OCSP_BASICRESP,
    OCSP_CERTID, X509_NAME, stack_st_X509,
};

/// libcrypto's `OCSP_SINGLERESP`, opaque.
#[repr(C)]
pub(super) struct OcspSingleResp {
    _opaque: [u8; 0],
}

unsafe extern "C" {
    fn OCSP_resp_count(bs: *mut OCSP_BASICRESP) -> c_int;
    fn OCSP_resp_get0(bs: *mut OCSP_BASICRESP, idx: c_int) -> *mut OcspSingleResp;
    fn OCSP_SINGLERESP_get0_id(single: *const OcspSingleResp) -> *const OCSP_CERTID;
    fn OCSP_single_get0_status(
        single: *mut OcspSingleResp,
        reason: *mut c_int,
        revtime: *mut *mut ASN1_GENERALIZEDTIME,
        thisupd: *mut *mut ASN1_GENERALIZEDTIME,
        nextupd: *mut *mut ASN1_GENERALIZEDTIME,
    ) -> c_int;
    fn OCSP_id_get0_info(
        name_hash: *mut *mut ASN1_OCTET_STRING,
        md: *mut *mut ASN1_OBJECT,
        key_hash: *mut *mut ASN1_OCTET_STRING,
        serial: *mut *mut ASN1_INTEGER,
        cid: *mut OCSP_CERTID,
    ) -> c_int;
    fn OCSP_id_cmp(a: *const OCSP_CERTID, b: *const OCSP_CERTID) -> c_int;
    fn OCSP_resp_get0_signer(
        bs: *mut OCSP_BASICRESP,
        signer: *mut *mut openssl_sys::X509,
        extra_certs: *mut stack_st_X509,
    ) -> c_int;
    fn OCSP_resp_get0_produced_at(bs: *const OCSP_BASICRESP) -> *const ASN1_GENERALIZEDTIME;
    fn OCSP_resp_get0_id(
        bs: *const OCSP_BASICRESP,
        pid: *mut *const ASN1_OCTET_STRING,
        pname: *mut *const X509_NAME,
    ) -> c_int;
}

/// One `SingleResponse` of a basic response.
#[derive(Clone, Copy)]
pub(super) struct SingleResponse<'a> {
    single: NonNull<OcspSingleResp>,
    _response: PhantomData<&'a OcspBasicResponseRef>,
}

/// The status fields of a `SingleResponse`.
pub(super) struct SingleStatus<'a> {
    /// `V_OCSP_CERTSTATUS_*`.
    pub(super) status: c_int,
    /// `OCSP_REVOKED_STATUS_*`, meaningful for a revoked status.
    pub(super) reason: c_int,
    pub(super) revocation_time: Option<&'a Asn1GeneralizedTimeRef>,
    pub(super) this_update: Option<&'a Asn1GeneralizedTimeRef>,
    pub(super) next_update: Option<&'a Asn1GeneralizedTimeRef>,
}

/// The `SingleResponse`s of `response`, in order.
pub(super) fn single_responses(
    response: &OcspBasicResponseRef,
) -> impl Iterator<Item = SingleResponse<'_>> {
    // SAFETY: `response` is a live basic response; counting only reads it.
    let count = unsafe { OCSP_resp_count(response.as_ptr()) }.max(0);
    (0..count).filter_map(move |index| {
        // SAFETY: `index` is within `0..count`; the returned pointer is owned by
        // `response` and lives as long as the borrow, which `SingleResponse` carries.
        let single = unsafe { OCSP_resp_get0(response.as_ptr(), index) };
        NonNull::new(single).map(|single| SingleResponse {
            single,
            _response: PhantomData,
        })
    })
}

impl<'a> SingleResponse<'a> {
    /// The `CertID` the status is about.
    pub(super) fn cert_id(&self) -> Option<&'a OcspCertIdRef> {
        // SAFETY: `single` is owned by the response borrowed for `'a`; the returned `CertID`
        // is a field of it. libcrypto declares it `const`; the reference handed out is
        // shared and only passed to functions that read it.
        unsafe {
            let id = OCSP_SINGLERESP_get0_id(self.single.as_ptr());
            if id.is_null() {
                None
            } else {
                Some(OcspCertIdRef::from_ptr(id.cast_mut()))
            }
        }
    }

    /// Status, revocation details and update times.
    pub(super) fn status(&self) -> SingleStatus<'a> {
        let mut reason = openssl_sys::OCSP_REVOKED_STATUS_NOSTATUS;
        let mut revocation_time = ptr::null_mut();
        let mut this_update = ptr::null_mut();
        let mut next_update = ptr::null_mut();
        // SAFETY: `single` is live for `'a`; libcrypto stores pointers to fields of it in
        // the out-parameters, each a valid place to write.
        let status = unsafe {
            OCSP_single_get0_status(
                self.single.as_ptr(),
                &mut reason,
                &mut revocation_time,
                &mut this_update,
                &mut next_update,
            )
        };
        // SAFETY: each pointer is null or a field of `single`, live for `'a`.
        let time = |time: *mut ASN1_GENERALIZEDTIME| unsafe {
            (!time.is_null()).then(|| Asn1GeneralizedTimeRef::from_ptr(time))
        };
        SingleStatus {
            status,
            reason,
            revocation_time: time(revocation_time),
            this_update: time(this_update),
            next_update: time(next_update),
        }
    }
}

/// The hash algorithm of a `CertID`, if libcrypto knows its OID.
pub(super) fn cert_id_hash(id: &OcspCertIdRef) -> Option<Nid> {
    let mut algorithm: *mut ASN1_OBJECT = ptr::null_mut();
    // SAFETY: `id` is live; libcrypto writes a pointer to its hash algorithm OID (a field of
    // `id`) into `algorithm` and ignores the null out-parameters. The OID is only read.
    let nid = unsafe {
        if OCSP_id_get0_info(
            ptr::null_mut(),
            &mut algorithm,
            ptr::null_mut(),
            ptr::null_mut(),
            id.as_ptr(),
        ) != 1
            || algorithm.is_null()
        {
            return None;
        }
        openssl_sys::OBJ_obj2nid(algorithm)
    };
    (nid != openssl_sys::NID_undef).then(|| Nid::from_raw(nid))
}

/// Whether two `CertID`s are equal: hash algorithm, issuer name hash, issuer key hash and
/// serial number.
pub(super) fn cert_ids_equal(a: &OcspCertIdRef, b: &OcspCertIdRef) -> bool {
    // SAFETY: both are live; `OCSP_id_cmp` only reads them.
    unsafe { OCSP_id_cmp(a.as_ptr(), b.as_ptr()) == 0 }
}

/// The certificate named by the responder ID of `response`, looked up among the
/// certificates in the response, then among `extra`.
pub(super) fn find_signer<'a>(
    response: &'a OcspBasicResponseRef,
    extra: &'a StackRef<X509>,
) -> Option<&'a X509Ref> {
    let mut signer = ptr::null_mut();
    // SAFETY: `response` and `extra` are live and only read; the signer pointer libcrypto
    // returns is an element of the response's certificates or of `extra` (not a new
    // reference), so it lives as long as the shorter of the two borrows, `'a`.
    unsafe {
        let found = OCSP_resp_get0_signer(response.as_ptr(), &mut signer, extra.as_ptr());
        (found == 1 && !signer.is_null()).then(|| X509Ref::from_ptr(signer))
    }
}

/// The `producedAt` time of `response`.
pub(super) fn produced_at(response: &OcspBasicResponseRef) -> Option<&Asn1GeneralizedTimeRef> {
    // SAFETY: the returned pointer is a field of `response`, live for the borrow.
    unsafe {
        let time = OCSP_resp_get0_produced_at(response.as_ptr());
        (!time.is_null()).then(|| Asn1GeneralizedTimeRef::from_ptr(time.cast_mut()))
    }
}

/// The responder ID of `response`.
pub(super) enum ResponderId<'a> {
    /// By the responder's subject name.
    ByName(&'a X509NameRef),
    /// By the SHA-1 hash of the responder's public key.
    ByKey(&'a Asn1OctetStringRef),
}

/// The responder ID of `response`, if it has a well-formed one.
pub(super) fn responder_id(response: &OcspBasicResponseRef) -> Option<ResponderId<'_>> {
    let mut key: *const ASN1_OCTET_STRING = ptr::null();
    let mut name: *const X509_NAME = ptr::null();
    // SAFETY: libcrypto stores a pointer to a field of `response` in one of the
    // out-parameters; the references built from it are tied to the borrow of `response`
    // and only read.
    unsafe {
        if OCSP_resp_get0_id(response.as_ptr(), &mut key, &mut name) != 1 {
            return None;
        }
        if !name.is_null() {
            Some(ResponderId::ByName(X509NameRef::from_ptr(name.cast_mut())))
        } else if !key.is_null() {
            Some(ResponderId::ByKey(Asn1OctetStringRef::from_ptr(
                key.cast_mut(),
            )))
        } else {
            None
        }
    }
}

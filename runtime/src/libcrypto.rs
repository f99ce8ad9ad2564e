//! The libcrypto functions that neither the `openssl` crate nor `openssl-sys` offers, each
//! declared once here and wrapped once in a safe function; no other module declares a
//! foreign function.
//!
//! Everything else comes from the `openssl` crate: building OCSP requests
//! ([`OcspRequest`](openssl::ocsp::OcspRequest)), CertIDs, response status, the basic
//! response's signature check ([`OcspBasicResponseRef::verify`]) and the status of one CertID
//! ([`OcspBasicResponseRef::find_status`]), chain verification
//! ([`X509StoreContextRef`]). What is left is what the crate has no call for: walking the
//! `SingleResponse`s of a response (the verifier matches the hash algorithm each one uses,
//! which `find_status` cannot), the parts of a CertID, the responder ID, the signer lookup,
//! `producedAt`, nonces, the verification parameters of a store context, and, for the test
//! PKI, reading OCSP requests and building and signing basic responses.
//!
//! The symbols are exported by the libcrypto that `openssl-sys` links; the signatures are
//! those of `openssl/ocsp.h` and `openssl/x509_vfy.h` (OpenSSL 1.1 and 3).
//!
//! Invariant of every wrapper: a `…Ref` argument is a live object for the duration of the
//! call; a pointer libcrypto returns with `get0` points into the object it was taken from
//! (no new reference is taken), so the reference built from it borrows that object and is
//! only read unless the object is borrowed exclusively.

use std::ffi::c_int;
#[cfg(feature = "test-pki")]
use std::ffi::{c_ulong, c_void};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use foreign_types::ForeignTypeRef;
use openssl::asn1::{Asn1GeneralizedTimeRef, Asn1IntegerRef, Asn1ObjectRef, Asn1OctetStringRef};
use openssl::error::ErrorStack;
use openssl::ocsp::{OcspBasicResponseRef, OcspCertIdRef, OcspRequestRef};
use openssl::stack::StackRef;
use openssl::x509::verify::X509VerifyParamRef;
use openssl::x509::{X509, X509NameRef, X509Ref, X509StoreContextRef};
#[cfg(feature = "test-pki")]
use openssl::{asn1::Asn1TimeRef, hash::MessageDigest, pkey::PKeyRef, pkey::Private};
use openssl_sys::{
    ASN1_GENERALIZEDTIME, ASN1_INTEGER, ASN1_OBJECT, ASN1_OCTET_STRING, OCSP_BASICRESP,
    OCSP_CERTID, OCSP_REQUEST, X509_NAME, X509_STORE_CTX, X509_VERIFY_PARAM, stack_st_X509,
};
#[cfg(feature = "test-pki")]
use openssl_sys::{ASN1_TIME, EVP_MD, EVP_PKEY, OCSP_ONEREQ};

/// libcrypto's `OCSP_SINGLERESP`, opaque (`openssl-sys` does not name it).
#[repr(C)]
struct OcspSingleResp {
    _opaque: [u8; 0],
}

unsafe extern "C" {
    fn X509_STORE_CTX_get0_param(ctx: *const X509_STORE_CTX) -> *mut X509_VERIFY_PARAM;

    fn OCSP_request_add1_nonce(req: *mut OCSP_REQUEST, val: *mut u8, len: c_int) -> c_int;
    fn OCSP_check_nonce(req: *mut OCSP_REQUEST, bs: *mut OCSP_BASICRESP) -> c_int;

    fn OCSP_id_get0_info(
        name_hash: *mut *mut ASN1_OCTET_STRING,
        md: *mut *mut ASN1_OBJECT,
        key_hash: *mut *mut ASN1_OCTET_STRING,
        serial: *mut *mut ASN1_INTEGER,
        cid: *mut OCSP_CERTID,
    ) -> c_int;
    fn OCSP_id_cmp(a: *const OCSP_CERTID, b: *const OCSP_CERTID) -> c_int;

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

    #[cfg(feature = "test-pki")]
    fn OCSP_request_onereq_count(req: *mut OCSP_REQUEST) -> c_int;
    #[cfg(feature = "test-pki")]
    fn OCSP_request_onereq_get0(req: *mut OCSP_REQUEST, i: c_int) -> *mut OCSP_ONEREQ;
    #[cfg(feature = "test-pki")]
    fn OCSP_onereq_get0_id(one: *mut OCSP_ONEREQ) -> *mut OCSP_CERTID;
    #[cfg(feature = "test-pki")]
    fn OCSP_basic_add1_status(
        rsp: *mut OCSP_BASICRESP,
        cid: *mut OCSP_CERTID,
        status: c_int,
        reason: c_int,
        revtime: *mut ASN1_TIME,
        thisupd: *mut ASN1_TIME,
        nextupd: *mut ASN1_TIME,
    ) -> *mut c_void;
    #[cfg(feature = "test-pki")]
    fn OCSP_basic_sign(
        brsp: *mut OCSP_BASICRESP,
        signer: *mut openssl_sys::X509,
        key: *mut EVP_PKEY,
        dgst: *const EVP_MD,
        certs: *mut stack_st_X509,
        flags: c_ulong,
    ) -> c_int;
    #[cfg(feature = "test-pki")]
    fn OCSP_resp_get0_signature(bs: *const OCSP_BASICRESP) -> *const ASN1_OCTET_STRING;
}

// ---------------------------------------------------------------------------------------
// Store contexts
// ---------------------------------------------------------------------------------------

/// The verification parameters of `ctx` (to set the time and flags of one verification on
/// a shared store).
pub(crate) fn store_context_param(
    ctx: &mut X509StoreContextRef,
) -> Option<&mut X509VerifyParamRef> {
    // SAFETY: `ctx` is live. Its parameters are owned by it (allocated by
    // `X509_STORE_CTX_init`; null before) and live as long as it; the exclusive borrow of
    // `ctx` makes the returned reference unique.
    unsafe {
        let param = X509_STORE_CTX_get0_param(ctx.as_ptr());
        (!param.is_null()).then(|| X509VerifyParamRef::from_ptr_mut(param))
    }
}

// ---------------------------------------------------------------------------------------
// Nonces
// ---------------------------------------------------------------------------------------

/// Adds a nonce extension of `len` random bytes to `request`.
pub(crate) fn add_random_nonce(request: &mut OcspRequestRef, len: c_int) -> Result<(), ErrorStack> {
    // SAFETY: `request` is exclusively borrowed; a null value makes libcrypto generate
    // `len` random bytes itself, copied into a new extension owned by `request`.
    let added = unsafe { OCSP_request_add1_nonce(request.as_ptr(), ptr::null_mut(), len) };
    if added == 1 {
        Ok(())
    } else {
        Err(ErrorStack::get())
    }
}

/// How the nonces of a request and of its response compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonceCheck {
    /// Both carry the same nonce.
    Equal,
    /// The request carries one, the response none.
    MissingInResponse,
    /// Both carry one, and they differ.
    Different,
    /// Neither carries one.
    InNeither,
    /// Only the response carries one.
    OnlyInResponse,
}

/// Compares the nonces of `request` and `response`.
pub(crate) fn check_nonce(request: &OcspRequestRef, response: &OcspBasicResponseRef) -> NonceCheck {
    // SAFETY: both are live; `OCSP_check_nonce` only reads their extensions (it takes
    // non-const pointers for historical reasons).
    match unsafe { OCSP_check_nonce(request.as_ptr(), response.as_ptr()) } {
        1 => NonceCheck::Equal,
        -1 => NonceCheck::MissingInResponse,
        2 => NonceCheck::InNeither,
        3 => NonceCheck::OnlyInResponse,
        _ => NonceCheck::Different,
    }
}

// ---------------------------------------------------------------------------------------
// CertIDs
// ---------------------------------------------------------------------------------------

/// The parts of a `CertID` the verifier and the test responder read.
pub(crate) struct CertIdParts<'a> {
    /// The algorithm of `issuerNameHash` and `issuerKeyHash`.
    pub(crate) hash_algorithm: &'a Asn1ObjectRef,
    /// `serialNumber` (read by the test PKI's responder).
    #[cfg_attr(not(feature = "test-pki"), allow(dead_code))]
    pub(crate) serial: &'a Asn1IntegerRef,
}

/// The hash algorithm and serial number of `id`.
pub(crate) fn cert_id_parts(id: &OcspCertIdRef) -> Option<CertIdParts<'_>> {
    let mut algorithm: *mut ASN1_OBJECT = ptr::null_mut();
    let mut serial: *mut ASN1_INTEGER = ptr::null_mut();
    // SAFETY: `id` is live; libcrypto stores pointers to two of its fields in the
    // out-parameters (the null ones it skips). Both are fields of `id`, so the references
    // borrow `id`, and they are only read.
    unsafe {
        if OCSP_id_get0_info(
            ptr::null_mut(),
            &mut algorithm,
            ptr::null_mut(),
            &mut serial,
            id.as_ptr(),
        ) != 1
            || algorithm.is_null()
            || serial.is_null()
        {
            return None;
        }
        Some(CertIdParts {
            hash_algorithm: Asn1ObjectRef::from_ptr(algorithm),
            serial: Asn1IntegerRef::from_ptr(serial),
        })
    }
}

/// Whether two `CertID`s are equal: hash algorithm, issuer name hash, issuer key hash and
/// serial number.
pub(crate) fn cert_ids_equal(a: &OcspCertIdRef, b: &OcspCertIdRef) -> bool {
    // SAFETY: both are live; `OCSP_id_cmp` only reads them.
    unsafe { OCSP_id_cmp(a.as_ptr(), b.as_ptr()) == 0 }
}

// ---------------------------------------------------------------------------------------
// Basic responses
// ---------------------------------------------------------------------------------------

/// One `SingleResponse` of a basic response.
#[derive(Clone, Copy)]
pub(crate) struct SingleResponse<'a> {
    single: NonNull<OcspSingleResp>,
    _response: PhantomData<&'a OcspBasicResponseRef>,
}

/// The status fields of a `SingleResponse`.
pub(crate) struct SingleStatus<'a> {
    /// `V_OCSP_CERTSTATUS_*`.
    pub(crate) status: c_int,
    /// `OCSP_REVOKED_STATUS_*`, meaningful for a revoked status.
    pub(crate) reason: c_int,
    /// `revocationTime`, for a revoked status.
    pub(crate) revocation_time: Option<&'a Asn1GeneralizedTimeRef>,
    /// `thisUpdate`.
    pub(crate) this_update: Option<&'a Asn1GeneralizedTimeRef>,
    /// `nextUpdate`, if present.
    pub(crate) next_update: Option<&'a Asn1GeneralizedTimeRef>,
}

/// The `SingleResponse`s of `response`, in order.
pub(crate) fn single_responses(
    response: &OcspBasicResponseRef,
) -> impl Iterator<Item = SingleResponse<'_>> {
    // SAFETY: `response` is live; counting only reads it.
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
    pub(crate) fn cert_id(&self) -> Option<&'a OcspCertIdRef> {
        // SAFETY: `single` is owned by the response borrowed for `'a`; the returned `CertID`
        // is a field of it. libcrypto declares it `const`; the reference handed out is
        // shared and only passed to functions that read it.
        unsafe {
            let id = OCSP_SINGLERESP_get0_id(self.single.as_ptr());
            (!id.is_null()).then(|| OcspCertIdRef::from_ptr(id.cast_mut()))
        }
    }

    /// Status, revocation details and update times.
    pub(crate) fn status(&self) -> SingleStatus<'a> {
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

/// The certificate named by the responder ID of `response`, looked up among the
/// certificates in the response, then among `extra`.
pub(crate) fn find_signer<'a>(
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
pub(crate) fn produced_at(response: &OcspBasicResponseRef) -> Option<&Asn1GeneralizedTimeRef> {
    // SAFETY: the returned pointer is null or a field of `response`, live for the borrow,
    // and only read.
    unsafe {
        let time = OCSP_resp_get0_produced_at(response.as_ptr());
        (!time.is_null()).then(|| Asn1GeneralizedTimeRef::from_ptr(time.cast_mut()))
    }
}

/// The responder ID of a basic response.
pub(crate) enum ResponderId<'a> {
    /// By the responder's subject name.
    ByName(&'a X509NameRef),
    /// By the SHA-1 hash of the responder's public key.
    ByKey(&'a Asn1OctetStringRef),
}

/// The responder ID of `response`, if it has a well-formed one.
pub(crate) fn responder_id(response: &OcspBasicResponseRef) -> Option<ResponderId<'_>> {
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

// ---------------------------------------------------------------------------------------
// The test PKI: reading requests, building responses
// ---------------------------------------------------------------------------------------

/// The `CertID`s of the `requestList` of `request`, in order.
#[cfg(feature = "test-pki")]
pub(crate) fn request_cert_ids(request: &OcspRequestRef) -> Vec<&OcspCertIdRef> {
    // SAFETY: `request` is live; counting only reads it.
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

/// The status of one certificate, to add to a basic response.
#[cfg(feature = "test-pki")]
pub(crate) struct NewSingleResponse<'a> {
    /// The `CertID`.
    pub(crate) id: &'a OcspCertIdRef,
    /// `V_OCSP_CERTSTATUS_*`.
    pub(crate) status: c_int,
    /// `OCSP_REVOKED_STATUS_*` (`NOSTATUS` for none).
    pub(crate) reason: c_int,
    /// `revocationTime`, for a revoked status.
    pub(crate) revocation_time: Option<&'a Asn1TimeRef>,
    /// `thisUpdate`.
    pub(crate) this_update: &'a Asn1TimeRef,
    /// `nextUpdate`, if any.
    pub(crate) next_update: Option<&'a Asn1TimeRef>,
}

/// Adds a `SingleResponse` to `response`.
#[cfg(feature = "test-pki")]
pub(crate) fn add_single_response(
    response: &mut OcspBasicResponseRef,
    single: &NewSingleResponse<'_>,
) -> Result<(), ErrorStack> {
    let time = |time: Option<&Asn1TimeRef>| time.map_or(ptr::null_mut(), |time| time.as_ptr());
    // SAFETY: `response` is exclusively borrowed; libcrypto copies the CertID and the times
    // into a new SingleResponse owned by `response` and only reads its other arguments, all
    // live for the call. The returned pointer is owned by `response` and not kept.
    let added = unsafe {
        OCSP_basic_add1_status(
            response.as_ptr(),
            single.id.as_ptr(),
            single.status,
            single.reason,
            time(single.revocation_time),
            single.this_update.as_ptr(),
            time(single.next_update),
        )
    };
    if added.is_null() {
        Err(ErrorStack::get())
    } else {
        Ok(())
    }
}

/// `OCSP_NOCERTS`: leave the signer certificate out of the response.
#[cfg(feature = "test-pki")]
pub(crate) const OCSP_NOCERTS: c_ulong = 0x1;
/// `OCSP_RESPID_KEY`: name the responder by key hash instead of by subject.
#[cfg(feature = "test-pki")]
pub(crate) const OCSP_RESPID_KEY: c_ulong = 0x400;

/// Signs `response` with `key`, naming `signer` as the responder; `flags` are `OCSP_NOCERTS`
/// and `OCSP_RESPID_KEY`.
#[cfg(feature = "test-pki")]
pub(crate) fn sign_basic_response(
    response: &mut OcspBasicResponseRef,
    signer: &X509Ref,
    key: &PKeyRef<Private>,
    digest: MessageDigest,
    flags: c_ulong,
) -> Result<(), ErrorStack> {
    // SAFETY: `response` is exclusively borrowed; the signer certificate and key are live
    // and only read (libcrypto takes its own reference to the certificate when it adds it
    // to the response); a null `certs` means no extra certificates.
    let signed = unsafe {
        OCSP_basic_sign(
            response.as_ptr(),
            signer.as_ptr(),
            key.as_ptr(),
            digest.as_ptr(),
            ptr::null_mut(),
            flags,
        )
    };
    if signed == 1 {
        Ok(())
    } else {
        Err(ErrorStack::get())
    }
}

/// Replaces the signature bytes of `response` by what `change` makes of them.
#[cfg(feature = "test-pki")]
pub(crate) fn change_signature(
    response: &mut OcspBasicResponseRef,
    change: impl FnOnce(&mut Vec<u8>),
) -> Result<(), ErrorStack> {
    // SAFETY: `response` is exclusively borrowed and owns its signature, so changing it
    // through the pointer libcrypto declares `const` cannot be observed elsewhere. The bytes
    // are copied out before `ASN1_STRING_set` replaces the string's buffer, and the length
    // passed is that of the new bytes.
    unsafe {
        let signature = OCSP_resp_get0_signature(response.as_ptr())
            .cast_mut()
            .cast::<openssl_sys::ASN1_STRING>();
        if signature.is_null() {
            return Err(ErrorStack::get());
        }
        let data = openssl_sys::ASN1_STRING_get0_data(signature);
        let size = usize::try_from(openssl_sys::ASN1_STRING_length(signature)).unwrap_or(0);
        let mut bytes = if data.is_null() {
            Vec::new()
        } else {
            std::slice::from_raw_parts(data, size).to_vec()
        };
        change(&mut bytes);
        let length = c_int::try_from(bytes.len()).map_err(|_| ErrorStack::get())?;
        if openssl_sys::ASN1_STRING_set(signature, bytes.as_ptr().cast(), length) != 1 {
            return Err(ErrorStack::get());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// `extern` followed by the C ABI string, built so that this file does not match itself.
    const FOREIGN_BLOCK: &str = concat!("extern ", "\"C\"");

    fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | ".git" | "node_modules") {
                    rust_files(&path, found);
                }
            } else if name.ends_with(".rs") {
                found.push(path);
            }
        }
    }

    /// Every foreign function of the workspace is declared in this module and nowhere else.
    #[test]
    fn foreign_functions_are_declared_in_this_module_only() {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let mut files = Vec::new();
        rust_files(workspace, &mut files);
        assert!(files.len() > 100, "the walk found the sources: {files:?}");
        let declaring: Vec<PathBuf> = files
            .into_iter()
            .filter(|path| {
                std::fs::read_to_string(path).is_ok_and(|text| text.contains(FOREIGN_BLOCK))
            })
            .map(|path| path.strip_prefix(workspace).unwrap().to_owned())
            .collect();
        assert_eq!(declaring, [PathBuf::from("runtime/src/libcrypto.rs")]);
    }
}

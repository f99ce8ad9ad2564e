//! OCSP responses made by libcrypto's responder functions (`OCSP_basic_add1_status`,
//! `OCSP_basic_sign`, `OCSP_response_create`), with options for negative tests.

use std::time::SystemTime;

use foreign_types::ForeignType;
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspBasicResponse, OcspCertId, OcspResponse, OcspResponseStatus};
use openssl::x509::X509Ref;

use super::error::{TestPkiError, openssl};
use super::{Issued, asn1_time};
use crate::cert::Timestamp;
use crate::libcrypto::{self, NewSingleResponse};
use crate::ocsp::RevocationReason;

/// The status a response gives the certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    /// `good`.
    Good,
    /// `revoked` at `time`, with an optional reason.
    Revoked {
        /// The revocation time.
        time: SystemTime,
        /// The reason, if any.
        reason: Option<RevocationReason>,
    },
    /// `unknown`.
    Unknown,
}

/// An OCSP responder for certificates of one CA. By default the CA signs, the status is
/// `good`, `thisUpdate` is now, `nextUpdate` one day later, `CertID`s use SHA-1 (as the
/// X-Road reference implementation) and the signer certificate is included.
#[derive(Clone)]
pub struct OcspResponder<'a> {
    issuer: &'a Issued,
    signer: &'a Issued,
    status: CertStatus,
    response_status: OcspResponseStatus,
    this_update: i64,
    next_update: Option<i64>,
    cert_id_digest: MessageDigest,
    include_signer_cert: bool,
    responder_id_by_key: bool,
    tamper_signature: bool,
    at: Option<SystemTime>,
}

impl<'a> OcspResponder<'a> {
    /// A responder for certificates issued by `issuer`, signing with the issuer's key.
    pub fn new(issuer: &'a Issued) -> Self {
        Self {
            issuer,
            signer: issuer,
            status: CertStatus::Good,
            response_status: OcspResponseStatus::SUCCESSFUL,
            this_update: 0,
            next_update: Some(86_400),
            cert_id_digest: MessageDigest::sha1(),
            include_signer_cert: true,
            responder_id_by_key: false,
            tamper_signature: false,
            at: None,
        }
    }

    /// Signs with `signer` (a delegated responder, or any certificate for negative tests).
    pub fn signed_by(mut self, signer: &'a Issued) -> Self {
        self.signer = signer;
        self
    }

    /// Gives the certificate `status`.
    pub fn status(mut self, status: CertStatus) -> Self {
        self.status = status;
        self
    }

    /// Answers with a non-successful `status` (e.g. `tryLater`) and no body.
    pub fn response_status(mut self, status: OcspResponseStatus) -> Self {
        self.response_status = status;
        self
    }

    /// `thisUpdate` `seconds` after the response time (negative: before).
    pub fn this_update_offset(mut self, seconds: i64) -> Self {
        self.this_update = seconds;
        self
    }

    /// `nextUpdate` `seconds` after the response time, or no `nextUpdate`.
    pub fn next_update_offset(mut self, seconds: Option<i64>) -> Self {
        self.next_update = seconds;
        self
    }

    /// Computes `CertID`s with `digest` (SHA-1 by default).
    pub fn cert_id_digest(mut self, digest: MessageDigest) -> Self {
        self.cert_id_digest = digest;
        self
    }

    /// Leaves the signer certificate out of the response.
    pub fn without_signer_cert(mut self) -> Self {
        self.include_signer_cert = false;
        self
    }

    /// Names the responder by key hash instead of by subject name.
    pub fn responder_id_by_key(mut self) -> Self {
        self.responder_id_by_key = true;
        self
    }

    /// Flips a bit of the signature after signing.
    pub fn tampered_signature(mut self) -> Self {
        self.tamper_signature = true;
        self
    }

    /// Takes `at` instead of the current time as the response time.
    pub fn at(mut self, at: SystemTime) -> Self {
        self.at = Some(at);
        self
    }

    /// A DER `OCSPResponse` about `cert`.
    pub fn respond(&self, cert: &X509Ref) -> Result<Vec<u8>, TestPkiError> {
        if self.response_status != OcspResponseStatus::SUCCESSFUL {
            return OcspResponse::create(self.response_status, None)
                .and_then(|response| response.to_der())
                .map_err(openssl("creating a non-successful OCSP response"));
        }
        let now = Timestamp::from(self.at.unwrap_or_else(SystemTime::now)).unix_seconds();
        let id = OcspCertId::from_cert(self.cert_id_digest, cert, self.issuer.cert())
            .map_err(openssl("computing a CertID"))?;
        let mut basic = new_basic_response()?;
        self.add_status(&mut basic, &id, now)?;
        self.sign(&mut basic)?;
        if self.tamper_signature {
            flip_signature_bit(&mut basic)?;
        }
        OcspResponse::create(OcspResponseStatus::SUCCESSFUL, Some(&basic))
            .and_then(|response| response.to_der())
            .map_err(openssl("creating the OCSP response"))
    }

    fn add_status(
        &self,
        basic: &mut OcspBasicResponse,
        id: &OcspCertId,
        now: i64,
    ) -> Result<(), TestPkiError> {
        let no_reason = openssl_sys::OCSP_REVOKED_STATUS_NOSTATUS;
        let (status, reason, revocation_time) = match self.status {
            CertStatus::Good => (openssl_sys::V_OCSP_CERTSTATUS_GOOD, no_reason, None),
            CertStatus::Unknown => (openssl_sys::V_OCSP_CERTSTATUS_UNKNOWN, no_reason, None),
            CertStatus::Revoked { time, reason } => (
                openssl_sys::V_OCSP_CERTSTATUS_REVOKED,
                reason.map_or(no_reason, RevocationReason::as_raw),
                Some(asn1_time(Timestamp::from(time).unix_seconds())?),
            ),
        };
        let this_update = asn1_time(now.saturating_add(self.this_update))?;
        let next_update = self
            .next_update
            .map(|offset| asn1_time(now.saturating_add(offset)))
            .transpose()?;
        libcrypto::add_single_response(
            basic,
            &NewSingleResponse {
                id,
                status,
                reason,
                revocation_time: revocation_time.as_deref(),
                this_update: &this_update,
                next_update: next_update.as_deref(),
            },
        )
        .map_err(openssl("adding a SingleResponse"))
    }

    fn sign(&self, basic: &mut OcspBasicResponse) -> Result<(), TestPkiError> {
        let mut flags = 0;
        if !self.include_signer_cert {
            flags |= libcrypto::OCSP_NOCERTS;
        }
        if self.responder_id_by_key {
            flags |= libcrypto::OCSP_RESPID_KEY;
        }
        libcrypto::sign_basic_response(
            basic,
            self.signer.cert(),
            self.signer.key(),
            MessageDigest::sha256(),
            flags,
        )
        .map_err(openssl("signing the OCSP response"))
    }
}

impl std::fmt::Debug for OcspResponder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspResponder")
            .field("issuer", self.issuer)
            .field("signer", self.signer)
            .field("status", &self.status)
            .field("response_status", &self.response_status)
            .field("this_update", &self.this_update)
            .field("next_update", &self.next_update)
            .field("cert_id_digest", &self.cert_id_digest.type_().short_name())
            .field("include_signer_cert", &self.include_signer_cert)
            .field("responder_id_by_key", &self.responder_id_by_key)
            .field("tamper_signature", &self.tamper_signature)
            .field("at", &self.at)
            .finish()
    }
}

/// An empty `BasicOCSPResponse`.
fn new_basic_response() -> Result<OcspBasicResponse, TestPkiError> {
    // SAFETY: a freshly allocated response or null; ownership passes to the wrapper,
    // which frees it.
    unsafe {
        let basic = openssl_sys::OCSP_BASICRESP_new();
        if basic.is_null() {
            Err(openssl("allocating a basic OCSP response")(
                openssl::error::ErrorStack::get(),
            ))
        } else {
            Ok(OcspBasicResponse::from_ptr(basic))
        }
    }
}

/// Flips the lowest bit of the last signature byte of `basic`.
fn flip_signature_bit(basic: &mut OcspBasicResponse) -> Result<(), TestPkiError> {
    let mut empty = false;
    libcrypto::change_signature(basic, |bytes| match bytes.last_mut() {
        Some(last) => *last ^= 0x01,
        None => empty = true,
    })
    .map_err(openssl("replacing the signature"))?;
    if empty {
        return Err(TestPkiError::InvalidRequest("the signature is empty"));
    }
    Ok(())
}

//! Validation of an OCSP response for a certificate and its issuer at a verification time,
//! following RFC 6960 §3.2 and the X-Road reference implementation:
//!
//! 1. the response status is `successful` and the response is a `BasicOCSPResponse`;
//! 2. the responder certificate is found (in the response, the issuer, or the configured
//!    responders of the issuer) and the response signature verifies with its key;
//! 3. the responder is authorised: the issuing CA itself, a certificate configured for the
//!    CA, or a certificate the CA issued with extended key usage `OCSPSigning` that is valid
//!    at the verification time;
//! 4. a `SingleResponse` has the `CertID` of the certificate (with whatever hash algorithm
//!    the responder used) and status `good`;
//! 5. `thisUpdate` is at most [`OcspPolicy::max_age`] old and not after the verification
//!    time plus [`OcspPolicy::clock_skew`]; `nextUpdate`, if present, is not past.
//!
//! The issuer must already be known to be trusted (see [`crate::cert::TrustStore`]).

mod error;
mod reason;

use std::time::{Duration, SystemTime};

use openssl::asn1::Asn1GeneralizedTimeRef;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::ocsp::{
    OcspBasicResponseRef, OcspCertId, OcspCertIdRef, OcspFlag, OcspResponse, OcspResponseRef,
    OcspResponseStatus,
};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{X509, X509Ref, X509VerifyResult};

pub use error::{NotAuthorisedReason, OcspError};
pub use reason::{RevocationReason, response_status_name};

use crate::cert::{Timestamp, Usages, der_element_length, subject_of};
use crate::libcrypto;

/// Limits on the age of OCSP responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcspPolicy {
    /// Greatest allowed age of `thisUpdate` at the verification time.
    pub max_age: Duration,
    /// How far `thisUpdate` may lie after the verification time (clocks differ).
    pub clock_skew: Duration,
}

impl OcspPolicy {
    /// The default greatest age of a response: 3,600 s.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3_600);
    /// The default allowed clock skew: 300 s (as `openssl ocsp -validity_period`).
    pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(300);
}

impl Default for OcspPolicy {
    fn default() -> Self {
        Self {
            max_age: Self::DEFAULT_MAX_AGE,
            clock_skew: Self::DEFAULT_CLOCK_SKEW,
        }
    }
}

/// Who signed an accepted response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponderAuthority {
    /// The CA that issued the certificate.
    Issuer,
    /// A certificate configured as an OCSP responder of that CA.
    Configured,
    /// A certificate the CA issued with extended key usage `OCSPSigning`.
    Delegated,
}

/// What an accepted response says about its freshness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcspSummary {
    /// When the responder signed the response.
    pub produced_at: Timestamp,
    /// When the status was known to be correct.
    pub this_update: Timestamp,
    /// When newer status will be available, if the responder said.
    pub next_update: Option<Timestamp>,
    /// Who signed the response.
    pub responder: ResponderAuthority,
}

impl OcspSummary {
    /// The last time at which the response is still acceptable under `policy`: the earlier
    /// of `thisUpdate + max_age` and `nextUpdate`.
    pub fn valid_until(&self, policy: &OcspPolicy) -> Timestamp {
        let by_age = self.this_update.saturating_add(policy.max_age);
        match self.next_update {
            Some(next_update) => by_age.min(next_update),
            None => by_age,
        }
    }
}

/// A responder certificate configured for a CA.
#[derive(Clone)]
struct ConfiguredResponder {
    ca: X509,
    responder: X509,
}

/// Validates OCSP responses; built once with the policy and the configured responders, and
/// shared.
#[derive(Clone, Default)]
pub struct OcspVerifier {
    policy: OcspPolicy,
    responders: Vec<ConfiguredResponder>,
}

impl OcspVerifier {
    /// A verifier with `policy` and no configured responders.
    pub fn new(policy: OcspPolicy) -> Self {
        Self {
            policy,
            responders: Vec::new(),
        }
    }

    /// Trusts `responder` to answer for certificates issued by `ca` (the OCSP responder
    /// certificates of the global configuration).
    pub fn with_responder(mut self, ca: X509, responder: X509) -> Self {
        self.responders.push(ConfiguredResponder { ca, responder });
        self
    }

    /// The policy.
    pub fn policy(&self) -> &OcspPolicy {
        &self.policy
    }

    /// Validates the DER `OCSPResponse` in `response` for `cert`, issued by `issuer`, at
    /// time `at`.
    pub fn verify(
        &self,
        response: &[u8],
        cert: &X509Ref,
        issuer: &X509Ref,
        at: SystemTime,
    ) -> Result<OcspSummary, OcspError> {
        let response = parse_response(response)?;
        self.verify_parsed(&response, cert, issuer, at)
    }

    /// Validates a parsed `OCSPResponse` for `cert`, issued by `issuer`, at time `at`.
    pub fn verify_parsed(
        &self,
        response: &OcspResponseRef,
        cert: &X509Ref,
        issuer: &X509Ref,
        at: SystemTime,
    ) -> Result<OcspSummary, OcspError> {
        let at = Timestamp::from(at);
        let status = response.status();
        if status != OcspResponseStatus::SUCCESSFUL {
            return Err(OcspError::NotSuccessful { status });
        }
        let basic = response
            .basic()
            .map_err(|source| OcspError::NotBasic { source })?;
        let produced_at = read_time(libcrypto::produced_at(&basic), "producedAt")?;

        let responder = self.check_signature(&basic, issuer)?;
        let authority = self.authorise(responder, issuer, at)?;

        let status = find_status(&basic, cert, issuer)?;
        let serial = || serial_hex(cert);
        match status.status {
            openssl_sys::V_OCSP_CERTSTATUS_GOOD => {}
            openssl_sys::V_OCSP_CERTSTATUS_REVOKED => {
                let revoked_at = read_time(status.revocation_time, "revocationTime")?;
                return Err(OcspError::Revoked {
                    serial: serial()?,
                    revoked_at,
                    reason: RevocationReason::from_raw(status.reason),
                });
            }
            _ => return Err(OcspError::Unknown { serial: serial()? }),
        }

        let this_update = read_time(status.this_update, "thisUpdate")?;
        let next_update = status
            .next_update
            .map(|time| read_time(Some(time), "nextUpdate"))
            .transpose()?;
        self.check_times(this_update, next_update, at)?;
        Ok(OcspSummary {
            produced_at,
            this_update,
            next_update,
            responder: authority,
        })
    }

    /// Finds the responder certificate and verifies the response signature with its key.
    fn check_signature(
        &self,
        basic: &OcspBasicResponseRef,
        issuer: &X509Ref,
    ) -> Result<X509, OcspError> {
        let openssl = |operation| move |source| OcspError::Openssl { operation, source };
        let mut candidates = Stack::new().map_err(openssl("creating the responder stack"))?;
        candidates
            .push(issuer.to_owned())
            .map_err(openssl("adding the issuer to the responder stack"))?;
        for configured in self.configured_for(issuer) {
            candidates
                .push(configured.responder.clone())
                .map_err(openssl("adding a configured responder"))?;
        }
        let signer = libcrypto::find_signer(basic, &candidates)
            .map(X509Ref::to_owned)
            .ok_or_else(|| OcspError::ResponderNotFound {
                responder: responder_text(basic),
            })?;

        // Signature only: the signer is given, its chain and authority are checked here,
        // not by libcrypto's store-based rules.
        let mut signers = Stack::new().map_err(openssl("creating the signer stack"))?;
        signers
            .push(signer.clone())
            .map_err(openssl("adding the signer to the signer stack"))?;
        let store = X509StoreBuilder::new()
            .map_err(openssl("creating an empty X509 store"))?
            .build();
        basic
            .verify(&signers, &store, OcspFlag::NO_INTERN | OcspFlag::NO_VERIFY)
            .map_err(|source| OcspError::BadSignature {
                responder: subject_of(&signer),
                source,
            })?;
        Ok(signer)
    }

    /// Decides whether `responder` may answer for certificates of `issuer` at `at`.
    fn authorise(
        &self,
        responder: X509,
        issuer: &X509Ref,
        at: Timestamp,
    ) -> Result<ResponderAuthority, OcspError> {
        if *responder == *issuer {
            return Ok(ResponderAuthority::Issuer);
        }
        if self
            .configured_for(issuer)
            .any(|configured| configured.responder == responder)
        {
            return Ok(ResponderAuthority::Configured);
        }
        let refuse = |reason| OcspError::ResponderNotAuthorised {
            responder: subject_of(&responder),
            reason,
        };
        let issued_by_ca = issuer.issued(&responder) == X509VerifyResult::OK
            && issuer
                .public_key()
                .and_then(|key| responder.verify(&key))
                .unwrap_or(false);
        if !issued_by_ca {
            // A failed `X509_verify` leaves its errors on the thread's queue, where they would
            // join the error of the next, unrelated OpenSSL failure.
            drop(ErrorStack::get());
            return Err(refuse(NotAuthorisedReason::NotIssuedByCa {
                ca: subject_of(issuer),
            }));
        }
        let usages =
            Usages::of(&responder).ok_or_else(|| refuse(NotAuthorisedReason::InvalidExtensions))?;
        if !usages.has_extended_key_usage(openssl_sys::XKU_OCSP_SIGN) {
            return Err(refuse(NotAuthorisedReason::MissingOcspSigning));
        }
        let read = |time| {
            Timestamp::from_asn1(time).map_err(|source| OcspError::Openssl {
                operation: "reading the responder certificate validity",
                source,
            })
        };
        let not_before = read(responder.not_before())?;
        let not_after = read(responder.not_after())?;
        if at < not_before || at > not_after {
            return Err(refuse(NotAuthorisedReason::NotValidAt {
                not_before,
                not_after,
                at,
            }));
        }
        Ok(ResponderAuthority::Delegated)
    }

    /// Checks `thisUpdate` and `nextUpdate` against the verification time.
    fn check_times(
        &self,
        this_update: Timestamp,
        next_update: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<(), OcspError> {
        if this_update > at.saturating_add(self.policy.clock_skew) {
            return Err(OcspError::NotYetValid {
                this_update,
                at,
                skew_seconds: self.policy.clock_skew.as_secs(),
            });
        }
        let age_seconds = at.seconds_since(this_update);
        if age_seconds > self.policy.max_age.as_secs() {
            return Err(OcspError::Stale {
                this_update,
                at,
                age_seconds,
                max_age_seconds: self.policy.max_age.as_secs(),
            });
        }
        if let Some(next_update) = next_update
            && next_update < at
        {
            return Err(OcspError::Expired { next_update, at });
        }
        Ok(())
    }

    /// The responders configured for `issuer`.
    fn configured_for<'a>(
        &'a self,
        issuer: &'a X509Ref,
    ) -> impl Iterator<Item = &'a ConfiguredResponder> + 'a {
        self.responders
            .iter()
            .filter(move |configured| *configured.ca == *issuer)
    }
}

impl std::fmt::Debug for OcspVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspVerifier")
            .field("policy", &self.policy)
            .field(
                "responders",
                &self
                    .responders
                    .iter()
                    .map(|c| (subject_of(&c.ca), subject_of(&c.responder)))
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// Parses a DER `OCSPResponse`; bytes after the response are refused.
pub fn parse_response(der: &[u8]) -> Result<OcspResponse, OcspError> {
    let response = OcspResponse::from_der(der).map_err(|source| OcspError::Malformed { source })?;
    match der_element_length(der) {
        Some(length) if length == der.len() => Ok(response),
        response_length => Err(OcspError::TrailingBytes {
            length: der.len(),
            response_length,
        }),
    }
}

/// Reads a time field of the response.
fn read_time(
    time: Option<&Asn1GeneralizedTimeRef>,
    field: &'static str,
) -> Result<Timestamp, OcspError> {
    time.and_then(|time| Timestamp::from_generalized(time).ok())
        .ok_or(OcspError::MalformedField { field })
}

/// The status of `cert` in `basic`, matching `CertID`s with the hash algorithm each
/// `SingleResponse` uses.
fn find_status<'a>(
    basic: &'a OcspBasicResponseRef,
    cert: &X509Ref,
    issuer: &X509Ref,
) -> Result<libcrypto::SingleStatus<'a>, OcspError> {
    let mut ours: Vec<(Nid, OcspCertId)> = Vec::new();
    let mut responses = 0;
    for single in libcrypto::single_responses(basic) {
        responses += 1;
        let Some(theirs) = single.cert_id() else {
            continue;
        };
        let Some(hash) =
            libcrypto::cert_id_parts(theirs).and_then(|parts| hash_nid(parts.hash_algorithm))
        else {
            continue;
        };
        if cert_id_matches(&mut ours, hash, theirs, cert, issuer)? {
            return Ok(single.status());
        }
    }
    Err(OcspError::NoStatusForCertificate {
        serial: serial_hex(cert)?,
        responses,
    })
}

/// Whether `theirs` is the `CertID` of `cert` computed with `hash`; our `CertID`s are
/// computed once per hash algorithm and kept in `ours`.
fn cert_id_matches(
    ours: &mut Vec<(Nid, OcspCertId)>,
    hash: Nid,
    theirs: &OcspCertIdRef,
    cert: &X509Ref,
    issuer: &X509Ref,
) -> Result<bool, OcspError> {
    if let Some((_, id)) = ours.iter().find(|(nid, _)| *nid == hash) {
        return Ok(libcrypto::cert_ids_equal(id, theirs));
    }
    // A hash libcrypto cannot compute cannot be the one of our certificate.
    let Some(digest) = MessageDigest::from_nid(hash) else {
        return Ok(false);
    };
    let id = OcspCertId::from_cert(digest, cert, issuer).map_err(|source| OcspError::Openssl {
        operation: "computing the certificate's CertID",
        source,
    })?;
    let equal = libcrypto::cert_ids_equal(&id, theirs);
    ours.push((hash, id));
    Ok(equal)
}

/// The hash algorithm `oid` names, if libcrypto knows it.
fn hash_nid(oid: &openssl::asn1::Asn1ObjectRef) -> Option<Nid> {
    let nid = oid.nid();
    (nid != Nid::UNDEF).then_some(nid)
}

/// The serial number of `cert` in hexadecimal.
fn serial_hex(cert: &X509Ref) -> Result<String, OcspError> {
    cert.serial_number()
        .to_bn()
        .and_then(|serial| serial.to_hex_str().map(|hex| hex.to_string()))
        .map_err(|source| OcspError::Openssl {
            operation: "formatting the certificate serial number",
            source,
        })
}

/// The responder ID of `basic`, for errors.
fn responder_text(basic: &OcspBasicResponseRef) -> String {
    match libcrypto::responder_id(basic) {
        Some(libcrypto::ResponderId::ByName(name)) => {
            format!("name `{}`", crate::cert::distinguished_name(name))
        }
        Some(libcrypto::ResponderId::ByKey(hash)) => {
            let hex: String = hash.as_slice().iter().map(|b| format!("{b:02X}")).collect();
            format!("key hash {hex}")
        }
        None => "with an unreadable responder ID".to_owned(),
    }
}

#[cfg(test)]
mod tests;

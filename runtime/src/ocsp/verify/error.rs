//! Why an OCSP response is refused.

use std::fmt;

use openssl::error::ErrorStack;
use openssl::ocsp::OcspResponseStatus;
use thiserror::Error;

use super::reason::{RevocationReason, response_status_name};
use crate::cert::Timestamp;
use crate::fault::FaultCode;

/// Why an OCSP response does not prove that a certificate is good at the verification time.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OcspError {
    /// The bytes are not a DER-encoded `OCSPResponse`.
    #[error("OCSP response is not valid DER")]
    Malformed {
        /// What libcrypto reported.
        source: ErrorStack,
    },
    /// The bytes hold an `OCSPResponse` followed by other bytes.
    #[error(
        "OCSP response bytes ({length}) do not end where the response ends ({response_length:?})"
    )]
    TrailingBytes {
        /// Length of the input.
        length: usize,
        /// Length of the response at its start, if it can be told.
        response_length: Option<usize>,
    },
    /// The responder did not answer with status `successful`.
    #[error("OCSP response status is {}, not successful", response_status_name(*.status))]
    NotSuccessful {
        /// The status.
        status: OcspResponseStatus,
    },
    /// The response is not a `BasicOCSPResponse`.
    #[error("OCSP response is not a basic OCSP response")]
    NotBasic {
        /// What libcrypto reported.
        source: ErrorStack,
    },
    /// A field of the basic response is missing or unreadable.
    #[error("OCSP response field {field} is missing or malformed")]
    MalformedField {
        /// The field (`producedAt`, `thisUpdate`, ...).
        field: &'static str,
    },
    /// No `SingleResponse` is about this certificate.
    #[error(
        "OCSP response has no status for certificate serial {serial} ({responses} single response(s) about other certificates)"
    )]
    NoStatusForCertificate {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
        /// How many single responses the response has.
        responses: usize,
    },
    /// The responder's certificate is neither in the response nor configured.
    #[error("OCSP responder {responder} is not found in the response or the configuration")]
    ResponderNotFound {
        /// The responder ID (`name <DN>` or `key hash <hex>`).
        responder: String,
    },
    /// The responder is not allowed to answer for this certificate's CA.
    #[error("OCSP responder `{responder}` is not authorised: {reason}")]
    ResponderNotAuthorised {
        /// Subject of the responder certificate.
        responder: String,
        /// Why.
        reason: NotAuthorisedReason,
    },
    /// The response signature does not verify with the responder's key.
    #[error("OCSP response signature does not verify with the key of `{responder}`")]
    BadSignature {
        /// Subject of the responder certificate.
        responder: String,
        /// What libcrypto reported.
        source: ErrorStack,
    },
    /// The certificate is revoked.
    #[error("certificate serial {serial} was revoked at {revoked_at} ({})", reason_text(.reason))]
    Revoked {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
        /// When it was revoked.
        revoked_at: Timestamp,
        /// Why, if the responder said.
        reason: Option<RevocationReason>,
    },
    /// The responder does not know the certificate.
    #[error("OCSP responder does not know certificate serial {serial}")]
    Unknown {
        /// Serial number of the certificate, in hexadecimal.
        serial: String,
    },
    /// `thisUpdate` is older than the allowed age.
    #[error(
        "OCSP response is stale: thisUpdate {this_update} is {age_seconds} s before the verification time {at}, at most {max_age_seconds} s allowed"
    )]
    Stale {
        /// `thisUpdate` of the response.
        this_update: Timestamp,
        /// The verification time.
        at: Timestamp,
        /// Age of the response at the verification time.
        age_seconds: u64,
        /// The allowed age.
        max_age_seconds: u64,
    },
    /// `thisUpdate` is later than the verification time plus the allowed clock skew.
    #[error(
        "OCSP response thisUpdate {this_update} is after the verification time {at} (clock skew allowed: {skew_seconds} s)"
    )]
    NotYetValid {
        /// `thisUpdate` of the response.
        this_update: Timestamp,
        /// The verification time.
        at: Timestamp,
        /// The clock skew allowed.
        skew_seconds: u64,
    },
    /// `nextUpdate` is before the verification time.
    #[error("OCSP response expired: nextUpdate {next_update} is before the verification time {at}")]
    Expired {
        /// `nextUpdate` of the response.
        next_update: Timestamp,
        /// The verification time.
        at: Timestamp,
    },
    /// libcrypto failed for a reason unrelated to the response.
    #[error("{operation} failed")]
    Openssl {
        /// What was being done.
        operation: &'static str,
        /// What libcrypto reported.
        source: ErrorStack,
    },
}

impl OcspError {
    /// The X-Road fault code a request is refused with for this error: revoked and unknown
    /// certificates fail certificate validation, an unusable response is incorrect
    /// validation information.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            OcspError::Revoked { .. } | OcspError::Unknown { .. } => FaultCode::CertValidation,
            OcspError::Openssl { .. } => FaultCode::InternalError,
            _ => FaultCode::IncorrectValidationInfo,
        }
    }
}

/// A revocation reason in words.
fn reason_text(reason: &Option<RevocationReason>) -> String {
    match reason {
        Some(reason) => format!("reason {reason}"),
        None => "no reason given".to_owned(),
    }
}

/// Why a responder may not answer for a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAuthorisedReason {
    /// It is not the CA, not configured, and not issued by the CA.
    NotIssuedByCa {
        /// Subject of the CA that issued the certificate.
        ca: String,
    },
    /// It is issued by the CA but lacks extended key usage `OCSPSigning`.
    MissingOcspSigning,
    /// Its extensions cannot be decoded.
    InvalidExtensions,
    /// It is issued by the CA but not valid at the verification time.
    NotValidAt {
        /// Start of its validity.
        not_before: Timestamp,
        /// End of its validity.
        not_after: Timestamp,
        /// The verification time.
        at: Timestamp,
    },
}

impl fmt::Display for NotAuthorisedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotIssuedByCa { ca } => write!(
                f,
                "it is neither the CA `{ca}`, nor issued by it, nor a configured responder"
            ),
            Self::MissingOcspSigning => {
                f.write_str("it is issued by the CA but lacks extended key usage OCSPSigning")
            }
            Self::InvalidExtensions => f.write_str("its extensions are malformed"),
            Self::NotValidAt {
                not_before,
                not_after,
                at,
            } => write!(
                f,
                "it is valid from {not_before} to {not_after}, not at {at}"
            ),
        }
    }
}

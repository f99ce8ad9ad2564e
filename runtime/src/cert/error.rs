//! Why a certificate is refused.

use openssl::error::ErrorStack;
use thiserror::Error;

use super::time::Timestamp;
use crate::fault::FaultCode;

/// Why a certificate could not be read or does not chain to a trusted CA at the
/// verification time.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CertificateError {
    /// The bytes are not a DER-encoded X.509 certificate.
    #[error("certificate is not a valid DER-encoded X.509 certificate")]
    Malformed {
        /// What libcrypto reported.
        source: ErrorStack,
    },
    /// The bytes hold a certificate followed by other bytes.
    #[error(
        "certificate bytes ({length}) do not end where the certificate at their start ends ({certificate_length:?})"
    )]
    TrailingBytes {
        /// Length of the input.
        length: usize,
        /// Length of the certificate at its start, if it can be told.
        certificate_length: Option<usize>,
    },
    /// No trusted CA issued the certificate (directly or through the intermediates given).
    #[error("certificate `{subject}` is issued by `{issuer}`, which is not a trusted CA")]
    UntrustedIssuer {
        /// Subject of the certificate whose issuer was not found.
        subject: String,
        /// The issuer name that is not trusted.
        issuer: String,
    },
    /// A certificate of the chain expired before the verification time.
    #[error("certificate `{subject}` expired at {not_after} (verification time {at})")]
    Expired {
        /// Subject of the expired certificate.
        subject: String,
        /// End of its validity.
        not_after: Timestamp,
        /// The verification time.
        at: Timestamp,
    },
    /// A certificate of the chain is not valid yet at the verification time.
    #[error("certificate `{subject}` is not valid before {not_before} (verification time {at})")]
    NotYetValid {
        /// Subject of the certificate.
        subject: String,
        /// Start of its validity.
        not_before: Timestamp,
        /// The verification time.
        at: Timestamp,
    },
    /// Chain verification failed for another reason.
    #[error(
        "certificate chain of `{subject}` does not verify at depth {depth}: {reason} (X509_V_ERR {code})"
    )]
    Chain {
        /// Subject of the certificate at which verification failed.
        subject: String,
        /// Its position in the chain (0 = the certificate itself).
        depth: u32,
        /// libcrypto's verify error code.
        code: i32,
        /// libcrypto's verify error string.
        reason: &'static str,
    },
    /// The verification time cannot be given to libcrypto.
    #[error("verification time {at} is out of range")]
    TimeOutOfRange {
        /// The verification time.
        at: Timestamp,
    },
    /// libcrypto failed while setting up or running the verification.
    #[error("{operation} failed")]
    Openssl {
        /// What was being done.
        operation: &'static str,
        /// What libcrypto reported.
        source: ErrorStack,
    },
}

impl CertificateError {
    /// The X-Road fault code a request is refused with for this error.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            // As the reference: bytes that are no certificate are `incorrect_certificate`;
            // a certificate that does not verify (issuer, validity, chain) is
            // `cert_validation`.
            CertificateError::Malformed { .. } | CertificateError::TrailingBytes { .. } => {
                FaultCode::IncorrectCertificate
            }
            CertificateError::UntrustedIssuer { .. }
            | CertificateError::Expired { .. }
            | CertificateError::NotYetValid { .. }
            | CertificateError::Chain { .. } => FaultCode::CertValidation,
            CertificateError::TimeOutOfRange { .. } | CertificateError::Openssl { .. } => {
                FaultCode::InternalError
            }
        }
    }
}

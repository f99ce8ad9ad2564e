//! Why a certificate is refused.

use openssl::error::ErrorStack;
use thiserror::Error;
use xroad_codec::identifier::CodeError;

use super::identity::MemberId;
use super::time::Timestamp;
use super::usage::CertUse;
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

/// Why a certificate may not be used for a purpose.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum KeyUsageError {
    /// The certificate lacks the key usage (or extended key usage) the purpose needs.
    #[error("certificate `{subject}` cannot be used as a {usage} certificate: it needs {required}")]
    Missing {
        /// The purpose.
        usage: CertUse,
        /// Subject of the certificate.
        subject: String,
        /// What the purpose needs, in words.
        required: &'static str,
    },
    /// The certificate's extensions cannot be decoded (or are repeated).
    #[error("certificate `{subject}` has malformed or duplicate extensions")]
    InvalidExtensions {
        /// Subject of the certificate.
        subject: String,
    },
}

impl KeyUsageError {
    /// The X-Road fault code a request is refused with for this error.
    pub fn fault_code(&self) -> FaultCode {
        // The reference refuses a signing certificate without nonRepudiation, and an
        // authentication certificate without its usages, as not valid.
        FaultCode::CertValidation
    }
}

/// Why the member a certificate belongs to cannot be read, or is not the expected one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The subject lacks an attribute the member identity is read from.
    #[error("certificate subject `{subject}` has no {attribute} attribute")]
    MissingAttribute {
        /// Short name of the attribute (`C`, `O`, `CN`).
        attribute: &'static str,
        /// The subject.
        subject: String,
    },
    /// The subject repeats an attribute the member identity is read from.
    #[error("certificate subject `{subject}` has {count} {attribute} attributes, expected one")]
    DuplicateAttribute {
        /// Short name of the attribute.
        attribute: &'static str,
        /// How many there are.
        count: usize,
        /// The subject.
        subject: String,
    },
    /// An attribute value is not a valid string.
    #[error("{attribute} attribute of certificate subject `{subject}` is not a valid string")]
    Encoding {
        /// Short name of the attribute.
        attribute: &'static str,
        /// The subject.
        subject: String,
    },
    /// An attribute value is not a valid X-Road identifier code.
    #[error(
        "{attribute} attribute {value:?} of certificate subject is not a valid {part}: {source}"
    )]
    InvalidCode {
        /// Short name of the attribute.
        attribute: &'static str,
        /// Which code it holds (`X-Road instance`, `member class`, `member code`).
        part: &'static str,
        /// The attribute value.
        value: String,
        /// What is wrong with it.
        source: CodeError,
    },
    /// The certificate belongs to another member than the request names.
    #[error("certificate belongs to member {certificate}, but the request names {expected}")]
    Mismatch {
        /// The member the certificate belongs to.
        certificate: MemberId,
        /// The member part of the identifier in the request.
        expected: String,
    },
}

impl IdentityError {
    /// The X-Road fault code a request is refused with for this error.
    pub fn fault_code(&self) -> FaultCode {
        match self {
            // The reference: "Subject identifier in certificate does not match".
            IdentityError::Mismatch { .. } => FaultCode::InvalidRequest,
            _ => FaultCode::IncorrectCertificate,
        }
    }
}

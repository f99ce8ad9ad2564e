//! What a certificate may be used for: key usage and extended key usage.

use std::fmt;

use foreign_types::ForeignTypeRef;
use openssl::x509::X509Ref;

use super::name::subject_of;
use crate::fault::FaultCode;

/// The purposes the management services check certificates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertUse {
    /// Signing certificate of a member: needs key usage `nonRepudiation`.
    Signing,
    /// Authentication certificate of a security server: needs extended key usage
    /// `clientAuth`, or key usage `digitalSignature`, `keyEncipherment` or
    /// `dataEncipherment`.
    Authentication,
}

impl CertUse {
    /// What the purpose needs, in words.
    pub const fn requirement(self) -> &'static str {
        match self {
            CertUse::Signing => "key usage nonRepudiation",
            CertUse::Authentication => {
                "extended key usage clientAuth, or key usage digitalSignature, keyEncipherment or dataEncipherment"
            }
        }
    }

    /// Checks that `cert` may be used for this purpose, as the X-Road reference
    /// implementation decides it.
    pub fn check(self, cert: &X509Ref) -> Result<(), KeyUsageError> {
        let usages = Usages::of(cert).ok_or_else(|| KeyUsageError::InvalidExtensions {
            subject: subject_of(cert),
        })?;
        let allowed = match self {
            CertUse::Signing => usages.has_key_usage(openssl_sys::X509v3_KU_NON_REPUDIATION),
            CertUse::Authentication => {
                usages.has_extended_key_usage(openssl_sys::XKU_SSL_CLIENT)
                    || usages.has_key_usage(
                        openssl_sys::X509v3_KU_DIGITAL_SIGNATURE
                            | openssl_sys::X509v3_KU_KEY_ENCIPHERMENT
                            | openssl_sys::X509v3_KU_DATA_ENCIPHERMENT,
                    )
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(KeyUsageError::Missing {
                usage: self,
                subject: subject_of(cert),
                required: self.requirement(),
            })
        }
    }
}

impl fmt::Display for CertUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CertUse::Signing => "signing",
            CertUse::Authentication => "authentication",
        })
    }
}

/// The key usage and extended key usage extensions of a certificate, as libcrypto decodes
/// them. `None` for an extension the certificate does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usages {
    /// `X509v3_KU_*` bits.
    key_usage: Option<u32>,
    /// `XKU_*` bits.
    extended_key_usage: Option<u32>,
}

impl Usages {
    /// Decodes the extensions of `cert`; `None` if they are malformed or repeated.
    pub(crate) fn of(cert: &X509Ref) -> Option<Self> {
        let cert = cert.as_ptr();
        // SAFETY: `cert` points to a live certificate for the duration of the borrow. These
        // functions only read it and fill libcrypto's extension cache inside the
        // certificate, which libcrypto guards with the certificate's own lock, so calling
        // them through a shared reference is sound.
        let (flags, key_usage, extended_key_usage) = unsafe {
            (
                openssl_sys::X509_get_extension_flags(cert),
                openssl_sys::X509_get_key_usage(cert),
                openssl_sys::X509_get_extended_key_usage(cert),
            )
        };
        if flags & openssl_sys::EXFLAG_INVALID != 0 {
            return None;
        }
        Some(Self {
            key_usage: (flags & openssl_sys::EXFLAG_KUSAGE != 0).then_some(key_usage),
            extended_key_usage: (flags & openssl_sys::EXFLAG_XKUSAGE != 0)
                .then_some(extended_key_usage),
        })
    }

    /// Whether the key usage extension is present and has any of `bits`.
    pub(crate) fn has_key_usage(self, bits: u32) -> bool {
        self.key_usage.is_some_and(|usage| usage & bits != 0)
    }

    /// Whether the extended key usage extension is present and has any of `bits`.
    pub(crate) fn has_extended_key_usage(self, bits: u32) -> bool {
        self.extended_key_usage
            .is_some_and(|usage| usage & bits != 0)
    }
}

/// Why a certificate may not be used for a purpose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

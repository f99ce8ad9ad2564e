//! Certificates: chains to trusted CAs, validity, key usage and member identity.
//!
//! - [`TrustStore`] verifies that a certificate chains to one of the approved CAs and that
//!   the chain is valid at a given time; the [`VerifiedChain`] names the direct issuer,
//!   which OCSP validation needs.
//! - [`CertUse::check`] checks the key usage a signing or authentication certificate
//!   needs.
//! - [`MemberIdentityDecoder`] reads the member a certificate belongs to
//!   ([`SubjectNameDecoder`]: `C`/`O`/`CN`) and compares it with a client identifier.
//!
//! Every check takes a parsed [`X509`]; parse DER once with
//! [`parse_der`] and reuse the certificate.

mod error;
mod identity;
mod name;
mod time;
mod trust;
mod usage;

pub use error::CertificateError;
pub use identity::IdentityError;
pub use identity::{MemberId, MemberIdentityDecoder, SubjectNameDecoder};
pub use name::distinguished_name;
pub use time::Timestamp;
pub use trust::{TrustStore, VerifiedChain};
pub use usage::CertUse;
pub use usage::KeyUsageError;

pub(crate) use name::subject_of;
pub(crate) use usage::Usages;

use openssl::x509::X509;

/// Parses a DER-encoded certificate; bytes after the certificate, and a public key that does
/// not decode, are refused.
pub fn parse_der(der: &[u8]) -> Result<X509, CertificateError> {
    let cert = X509::from_der(der).map_err(|source| CertificateError::Malformed { source })?;
    // `d2i_X509` accepts a subjectPublicKey it cannot decode; chain verification would then
    // fail inside OpenSSL, as if the verifier itself had failed.
    cert.public_key()
        .map_err(|source| CertificateError::Malformed { source })?;
    // `d2i_X509` stops after the first certificate and ignores what follows.
    match der_element_length(der) {
        Some(length) if length == der.len() => Ok(cert),
        certificate_length => Err(CertificateError::TrailingBytes {
            length: der.len(),
            certificate_length,
        }),
    }
}

/// Length of the DER element at the start of `der`, header included.
pub(crate) fn der_element_length(der: &[u8]) -> Option<usize> {
    let (&first, rest) = der.get(1..)?.split_first()?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let count = usize::from(first & 0x7F);
    if count == 0 || count > std::mem::size_of::<usize>() {
        return None;
    }
    let content = rest
        .get(..count)?
        .iter()
        .fold(0usize, |length, &byte| (length << 8) | usize::from(byte));
    content.checked_add(2 + count)
}

#[cfg(test)]
mod tests;

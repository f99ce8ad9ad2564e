//! Error types of keys, signing and verification.

use openssl::error::ErrorStack;
use thiserror::Error;

use super::SignatureAlgorithm;

/// Why a key or certificate cannot be used for X-Road signatures.
#[derive(Debug, Clone, Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key is not an RSA key (`rsaEncryption`); X-Road signatures are RSA only.
    #[error("the {context} is a {found} key, X-Road signatures need an RSA key")]
    NotRsa {
        /// Where the key came from: `private key`, `public key` or `certificate key`.
        context: &'static str,
        /// The key type found.
        found: String,
    },
    /// The PEM private key is encrypted and no passphrase was given.
    #[error("the PEM private key is encrypted and no passphrase was given")]
    PassphraseRequired,
    /// The passphrase does not fit OpenSSL's passphrase buffer.
    #[error("the passphrase is {len} bytes long, at most {max} are supported")]
    PassphraseTooLong {
        /// Length of the given passphrase.
        len: usize,
        /// Size of the buffer OpenSSL offered.
        max: usize,
    },
    /// The PEM data is not a readable private key (also: wrong passphrase).
    #[error("cannot read the PEM private key")]
    PrivateKeyPem {
        /// OpenSSL's errors.
        source: ErrorStack,
    },
    /// The PEM data is not a readable public key.
    #[error("cannot read the PEM public key")]
    PublicKeyPem {
        /// OpenSSL's errors.
        source: ErrorStack,
    },
    /// The public half of a private key cannot be exported.
    #[error("cannot export the public key of the private key")]
    PublicKeyExport {
        /// OpenSSL's errors.
        source: ErrorStack,
    },
    /// The certificate's public key cannot be read.
    #[error("cannot read the public key of the certificate")]
    CertificateKey {
        /// OpenSSL's errors.
        source: ErrorStack,
    },
    /// The certificate given with a private key certifies another key.
    #[error("the certificate does not certify the public key of the private key")]
    CertificateMismatch,
}

/// Why signing failed or a signature was not accepted.
///
/// [`SignatureError::DoesNotVerify`] and [`SignatureError::SignatureLength`] are verdicts on
/// the signature; every other variant is a problem with the key, OpenSSL or the signer.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The signature is well-formed but does not verify over the data with this key and
    /// algorithm (also: it was made with another key, algorithm or PSS salt length).
    #[error("the {algorithm} signature does not verify")]
    DoesNotVerify {
        /// The algorithm checked.
        algorithm: SignatureAlgorithm,
    },
    /// The signature is not as long as the RSA modulus, so it cannot be an RSA signature by
    /// this key.
    #[error(
        "the {algorithm} signature is {actual} bytes long, the key's modulus needs exactly {expected}"
    )]
    SignatureLength {
        /// The algorithm checked.
        algorithm: SignatureAlgorithm,
        /// The modulus length in bytes.
        expected: usize,
        /// The length of the given signature.
        actual: usize,
    },
    /// The key cannot be used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// OpenSSL failed to produce a signature.
    #[error("signing with {algorithm} failed")]
    Sign {
        /// The algorithm asked for.
        algorithm: SignatureAlgorithm,
        /// OpenSSL's errors.
        source: ErrorStack,
    },
    /// OpenSSL failed while checking a signature (a failure, not a negative verdict).
    #[error("checking a {algorithm} signature failed")]
    Verify {
        /// The algorithm checked.
        algorithm: SignatureAlgorithm,
        /// OpenSSL's errors.
        source: ErrorStack,
    },
    /// A [`Signer`](super::Signer) backed by something other than OpenSSL (an HSM, a remote
    /// signing service) failed.
    #[error("the {algorithm} signer failed")]
    Backend {
        /// The algorithm asked for.
        algorithm: SignatureAlgorithm,
        /// The backend's own error.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

impl SignatureError {
    /// Is this a verdict that the signature is not valid (as opposed to a failure to check)?
    pub fn is_invalid_signature(&self) -> bool {
        matches!(
            self,
            SignatureError::DoesNotVerify { .. } | SignatureError::SignatureLength { .. }
        )
    }
}

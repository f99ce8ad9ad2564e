//! Signature algorithms, signing through the [`Signer`] trait, and verification.
//!
//! X-Road member signatures are RSA signatures over the exact bytes of the SOAP part, in one
//! of the six [`SignatureAlgorithm`]s named by the `signature-algorithm-id` MIME header. The
//! proof of possession of an authentication key may only use the three RSASSA-PKCS1-v1_5
//! ones ([`SignatureAlgorithm::is_allowed_for_auth_key_proof`]).
//!
//! - Signing: [`Signer`] is implemented by [`SoftwareSigner`] (a PEM or OpenSSL key) and can
//!   be implemented for a hardware security module.
//! - Verification: [`verify`] with any public key, or a [`VerifyingKey`] built once from a
//!   certificate. Both tell a signature that does not verify
//!   ([`SignatureError::is_invalid_signature`]) from a key or OpenSSL failure.

mod algorithm;
mod error;
mod key;
mod signer;
#[cfg(test)]
mod test_keys;
mod verify;

pub use algorithm::{SignatureAlgorithm, UnknownSignatureAlgorithm};
pub use error::{KeyError, SignatureError};
pub use signer::{Signer, SoftwareSigner};
pub use verify::{VerifyingKey, verify};

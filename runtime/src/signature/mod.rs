//! Signature algorithms, signing through the `Signer` trait, and verification.

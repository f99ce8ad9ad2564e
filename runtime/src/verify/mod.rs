//! Server-side verification of management requests, in the order of the X-Road reference
//! implementation (see [`Verifier`]).

mod address;
mod cache;
mod client_cert;
mod verifier;

pub use address::{AddressError, check_address};
pub use client_cert::ClientCertVerifier;
pub use verifier::{OpenedRequest, ParsedRequest, VerifiedRequest, Verifier, VerifierConfig};

#[cfg(test)]
mod tests;

//! OCSP: validating a DER `OCSPResponse` for a certificate and its issuer, and fetching
//! responses from the responder named in a certificate.

mod client;
mod verify;

pub use client::*;
pub use verify::*;

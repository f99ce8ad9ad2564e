//! Runtime for the X-Road management services protocol (PR-MSERV) on top of the bindings
//! `xroad-codegen` generates. Composing, signing, framing, sending, parsing, verifying and
//! answering are generic over the generated operations ([`operation::ManagementOperation`])
//! and their descriptions: the runtime holds no list of operations.
//!
//! - [`envelope`]: requests, responses and faults as SOAP envelopes, parsed strictly.
//! - [`message`]: request messages as HTTP bodies: plain SOAP or `multipart/related`.
//! - [`multipart`]: the `multipart/related` framing of requests that carry signatures,
//!   certificates and OCSP responses next to the SOAP message.
//! - [`signature`]: the six signature algorithms and the [`signature::Signer`] trait.
//! - [`cert`]: certificate chains to trusted CAs, key usage and member identity.
//! - [`compose`]: signing and framing requests on the security server's side.
//! - [`client`]: the security server's management client, one method per service.
//! - [`verify`]: the server-side verification pipeline, one [`fault::Fault`] per refusal.
//! - [`service`]: the server side: a trait per service and the handler that verifies,
//!   routes and answers.
//! - [`ocsp`]: OCSP response validation and fetching from the responder in a certificate.
//! - [`operation`]: the operations the runtime handles, and their descriptions.
//! - [`fault`]: the X-Road fault codes a refused request is answered with.
//! - `testpki` (feature `test-pki`): a throw-away PKI for tests and demos.
//!
//! OpenSSL is the system's, found by `pkg-config`, unless the feature `vendored` builds it
//! from source and links it statically (as the `openssl` crate's feature of that name). The
//! crates whose types appear in this API are re-exported: [`bytes`], [`hyper`], [`ipnet`],
//! [`openssl`].

pub mod cert;
pub mod client;
pub mod compose;
pub mod envelope;
#[cfg(test)]
mod error_chains;
pub mod fault;
mod libcrypto;
pub mod message;
pub mod multipart;
pub mod ocsp;
pub mod operation;
pub mod service;
pub mod signature;
#[cfg(feature = "test-pki")]
pub mod testpki;
pub mod transport;
pub mod verify;

#[cfg(test)]
mod test_support;

pub use operation::ManagementOperation;

// The crates whose types this crate's public API takes or returns, so that users name the
// same versions.
/// `Bytes`, the bodies of requests and responses.
pub use bytes;
/// `StatusCode` of [`transport::HandlerResponse`], the HTTP types of the transport.
pub use hyper;
/// `IpNet`, the networks of [`transport::ListenerConfig::allowed_sources`].
pub use ipnet;
/// Certificates, keys and OCSP responses (`X509`, `PKey`, `OcspResponse`).
pub use openssl;

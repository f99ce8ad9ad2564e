//! Runtime for the X-Road management services protocol (PR-MSERV 1.15) on top of the
//! `xroad-mserv` bindings.
//!
//! - [`multipart`]: the `multipart/related` framing of requests that carry signatures,
//!   certificates and OCSP responses next to the SOAP message.

pub mod multipart;

//! Typed bindings for the X-Road management services protocol (PR-MSERV 1.15), generated from
//! `wsdl/centralservice.wsdl` by `xroad-codegen`, and the XML codec they are built on.
//!
//! - [`identifiers`], [`xroad`], [`centralservice`]: the generated bindings, one module per
//!   namespace of the WSDL.
//! - [`xml`]: strict namespace-aware reading and writing, and the derive macros.
//! - [`identifier`]: validated identifier codes and the textual identifier form.
//! - [`operation`]: the `Operation` trait and the MIME parts of requests.
//! - [`soap`]: SOAP 1.1 envelopes.

extern crate self as xroad_mserv;

pub mod identifier;
pub mod operation;
pub mod soap;
pub mod xml;

#[rustfmt::skip]
mod bindings;
pub use bindings::*;

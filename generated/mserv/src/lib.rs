//! Typed bindings for the X-Road management services protocol (PR-MSERV 1.20), generated from
//! `wsdl/centralservice.wsdl` by `xroad-codegen` with the X-Road profile: one module per
//! namespace of the WSDL ([`identifiers`], [`xroad`], [`centralservice`]). [`centralservice`]
//! holds the X-Road [`Header`](centralservice::Header) and, for each of the eleven services,
//! a unit struct implementing `xroad_codec::operation::Operation` with its description. They
//! are built on `xroad-codec`; the client and server of the services are in
//! `xroad-mserv-service`.
//!
//! Feature `serde` derives `serde::Serialize` and `serde::Deserialize` for every type (XML
//! Schema values as their XML text, enumeration values as their XML value); bindings generated
//! with `xroad_codegen::Builder::serde` on top of these types need it.

#[rustfmt::skip]
mod bindings;
pub use bindings::*;

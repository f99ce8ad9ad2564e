//! Typed bindings for the X-Road management services protocol (PR-MSERV), generated from
//! `wsdl/centralservice.wsdl` by `xroad-codegen`: one module per namespace of the WSDL
//! ([`identifiers`], [`xroad`], [`centralservice`]). They are built on `xroad-codec`.

#[rustfmt::skip]
mod bindings;
pub use bindings::*;

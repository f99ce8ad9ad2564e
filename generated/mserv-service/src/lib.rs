//! The client and server of the X-Road management services (PR-MSERV 1.20), generated from
//! `wsdl/centralservice.wsdl` by `xroad-codegen` with `--emit client,server --types-from
//! ::xroad_mserv`, in the manner of `tonic-build`:
//! [`centralservice_client::CentralserviceClient`] sends each operation through the runtime's
//! `ManagementClient`; a central server implements [`centralservice_server::Centralservice`]
//! and serves it through [`centralservice_server::CentralserviceServer`], which the runtime's
//! HTTPS server dispatches to. The types, operations and header are those of `xroad-mserv`.

#[rustfmt::skip]
mod service;
pub use service::*;

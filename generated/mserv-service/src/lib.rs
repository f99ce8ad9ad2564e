//! The client and server of the X-Road management services (PR-MSERV), generated from
//! `wsdl/centralservice.wsdl` by `xroad-codegen` in the manner of tonic-build: a client with
//! one method per operation ([`centralservice_client::CentralserviceClient`]) and a server
//! trait with one method per operation plus the dispatch the runtime's HTTPS server calls
//! ([`centralservice_server::Centralservice`],
//! [`centralservice_server::CentralserviceServer`]). The types are those of `xroad-mserv`.

#[rustfmt::skip]
mod service;
pub use service::*;

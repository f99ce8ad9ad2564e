//! The server side of the management services: a [`ManagementService`] implements the five
//! services on typed, verified requests; [`ServiceHandler`] is the
//! [`transport::Handler`](crate::transport::Handler) around it that owns everything else —
//! endpoint routing, the [`Verifier`](crate::verify::Verifier) pipeline, transport trust
//! on the manage endpoint, response building and SOAP faults.
//!
//! ```text
//! HTTPS ─▶ transport::Server ─▶ ServiceHandler ─▶ Verifier ─▶ ManagementService::client_reg(..)
//!                                      ◀── response / SOAP fault ◀── Answer / Fault
//! ```

mod handler;
mod incoming;

pub use handler::{ManageTrust, ServiceHandler};
pub use incoming::{Incoming, OwnedParts, OwnedSignature};

use std::future::Future;

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
use xroad_mserv::xroad::{
    AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRegRequestType, ClientRequestType,
};

use crate::fault::Fault;

/// What a service answers an accepted request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A new request id; the handler builds the response.
    RequestId(i64),
    /// A response already built and stored (see [`Incoming::response`]), sent as is: for a
    /// repeated request, the first response.
    Stored {
        /// The request id the response carries.
        request_id: i64,
        /// The response SOAP message.
        response: Bytes,
    },
}

impl Answer {
    /// The request id.
    pub fn request_id(&self) -> i64 {
        match self {
            Answer::RequestId(id) | Answer::Stored { request_id: id, .. } => *id,
        }
    }
}

/// The five management services on the central server's side. Each method receives a
/// request that passed the whole verification pipeline and answers with a request id or a
/// fault (a business rule, a storage failure).
///
/// Implementations are shared between connections: `Send + Sync + 'static`.
pub trait ManagementService: Send + Sync + 'static {
    /// Registers a client of a security server.
    fn client_reg(
        &self,
        request: Incoming<ClientRegRequestType>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    /// Deletes a client of a security server.
    fn client_deletion(
        &self,
        request: Incoming<ClientRequestType>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    /// Registers an authentication certificate of a security server.
    fn auth_cert_reg(
        &self,
        request: Incoming<AuthCertRegRequestType>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    /// Deletes an authentication certificate of a security server.
    fn auth_cert_deletion(
        &self,
        request: Incoming<AuthCertDeletionRequestType>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    /// Changes the owner of a security server.
    fn owner_change(
        &self,
        request: Incoming<ClientRequestType>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    /// Whether `certificate` is a registered, approved authentication certificate of
    /// `server`: the transport trust of the manage endpoint (see [`ManageTrust`]).
    fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> impl Future<Output = Result<bool, Fault>> + Send;
}

#[cfg(test)]
mod tests;

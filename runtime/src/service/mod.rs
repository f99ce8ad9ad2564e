//! The server side of the management services. A generated server (the `…Server` of a
//! service, in the manner of tonic-build) implements [`Dispatch`]: it names the operations it
//! serves and hands each verified request to the user's implementation of the generated
//! service trait, one method per operation. [`ServiceHandler`] is the
//! [`transport::Handler`](crate::transport::Handler) around it that owns everything else —
//! endpoint routing, the [`Verifier`](crate::verify::Verifier) pipeline, transport trust on
//! the manage endpoint, response building and SOAP faults.
//!
//! ```text
//! HTTPS ─▶ transport::Server ─▶ ServiceHandler ─▶ Verifier::open (framing, header)
//!            Dispatch::dispatch ─▶ Call::serve::<O> (body, trust, signatures) ─▶ service method
//!                                       ◀── response / SOAP fault ◀── Answer / Fault
//! ```

mod call;
mod handler;
mod incoming;

pub use call::Call;
pub use handler::ServiceHandler;
pub use incoming::Incoming;

use std::future::Future;

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;

use crate::fault::Fault;
use crate::operation::OperationDescription;

/// What a service answers an accepted request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A new request id; the runtime builds the response.
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

/// An answered request: its request id and the response SOAP message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// The request id.
    pub request_id: i64,
    /// The response SOAP message.
    pub response: Bytes,
}

/// The operations of a service as the HTTPS handler reaches them. Implemented by generated
/// servers; see the module documentation.
pub trait Dispatch: Send + Sync + 'static {
    /// The descriptions of every operation the service has, in the order of its port type:
    /// what the metrics list at zero before the first request.
    fn operations(&self) -> &'static [&'static OperationDescription];

    /// The description of the operation `service_code` names, if the service has it.
    fn operation(&self, service_code: &str) -> Option<&'static OperationDescription>;

    /// Serves `call` with the operation its service code names, through
    /// [`Call::serve`]; [`Call::unknown`] for a code it does not know.
    fn dispatch<'a>(
        &'a self,
        call: Call<'a>,
    ) -> impl Future<Output = Result<Answered, Fault>> + Send + 'a;
}

/// Transport trust of the manage endpoint (the operations the description serves there;
/// UC MESS_05–07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ManageTrust {
    /// The TLS client certificate must be a registered, approved authentication
    /// certificate of the security server the request names (the default). The central
    /// server answers security servers directly, and its responses carry `requestHash`.
    #[default]
    RegisteredAuthCert,
    /// No transport check: for deployments behind a management service provider's
    /// security server, which authenticates the sending security server itself and adds
    /// `requestHash` to the responses it relays.
    Off,
}

/// The registered authentication certificates: the transport trust of the manage endpoint
/// (see [`ManageTrust`]).
pub trait AuthCertRegistry: Send + Sync + 'static {
    /// Whether `certificate` is a registered, approved authentication certificate of
    /// `server`.
    fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> impl Future<Output = Result<bool, Fault>> + Send;
}

#[cfg(test)]
mod tests;

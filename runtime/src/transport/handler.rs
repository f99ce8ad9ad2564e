//! The interface between the transport and the protocol layer: a request in, a response and
//! its monitoring outcome out.

use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;
use hyper::StatusCode;
use openssl::x509::X509;

use super::config::Endpoint;
use crate::fault::FaultCode;

/// Processes management requests that passed the transport checks (path, method, rate,
/// size). Implemented by the protocol layer: parse, verify, answer or fault.
pub trait Handler: Send + Sync + 'static {
    /// Answers one request. The transport does not time the handler out; a shutdown waits
    /// for it up to the grace period.
    fn handle(&self, request: IncomingRequest) -> impl Future<Output = HandlerResponse> + Send;

    /// The services the handler answers, each with the endpoint that serves it (the names it
    /// sets as [`Outcome::service`]): the metrics list their series at zero from the start.
    /// None by default.
    fn services(&self) -> Vec<(Endpoint, &'static str)> {
        Vec::new()
    }
}

/// A request as received on an endpoint, body read in full.
#[derive(Debug, Clone)]
pub struct IncomingRequest {
    /// The endpoint the request arrived on.
    pub endpoint: Endpoint,
    /// The TCP peer address.
    pub peer: SocketAddr,
    /// The certificate the client authenticated with in the TLS handshake; `None` when the
    /// listener does not require client authentication. The transport proves only
    /// possession of its key: the handler checks it against CAs, validity and registration.
    pub client_certificate: Option<X509>,
    /// The `Content-Type` header value (non-UTF-8 bytes replaced), `None` when absent.
    pub content_type: Option<String>,
    /// The request body.
    pub body: Bytes,
}

/// The answer of a [`Handler`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerResponse {
    /// The HTTP status: 200 for a response, 500 for a SOAP fault.
    pub status: StatusCode,
    /// The `Content-Type` header value, none when `None`.
    pub content_type: Option<String>,
    /// The response body.
    pub body: Bytes,
    /// What happened, for the request log and the metrics.
    pub outcome: Outcome,
}

impl HandlerResponse {
    /// A 200 response.
    pub fn ok(content_type: impl Into<String>, body: impl Into<Bytes>, outcome: Outcome) -> Self {
        HandlerResponse {
            status: StatusCode::OK,
            content_type: Some(content_type.into()),
            body: body.into(),
            outcome,
        }
    }

    /// A 500 response carrying a SOAP fault.
    pub fn fault(
        content_type: impl Into<String>,
        body: impl Into<Bytes>,
        outcome: Outcome,
    ) -> Self {
        HandlerResponse {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            content_type: Some(content_type.into()),
            body: body.into(),
            outcome,
        }
    }
}

/// [`Outcome::service`] of a request whose service code names no operation served.
pub const UNKNOWN_SERVICE: &str = "unknown";

/// What the handler learnt about a request, as far as it got: logged with the request and
/// used as metric labels. Every field is optional because a request can fail before the
/// field is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The operation, e.g. `clientReg`: the name of an operation the handler serves, or
    /// [`UNKNOWN_SERVICE`] for a service code that names none (so that metric labels stay a
    /// bounded set whatever clients send).
    pub service: Option<&'static str>,
    /// The message id from the SOAP header.
    pub message_id: Option<String>,
    /// The sender (client identifier) from the SOAP header, in a printable form.
    pub sender: Option<String>,
    /// The fault the request was refused with; `None` when it succeeded.
    pub fault_code: Option<FaultCode>,
}

//! A verified request handed to a service, owning (without copying) the bytes it came in.

use std::fmt;
use std::net::SocketAddr;
use std::time::SystemTime;

use openssl::x509::X509;
use xroad_mserv::centralservice::Header;

use crate::cert::MemberId;
use crate::envelope::{BuildError, Request, Response};
use crate::message::Parts;
use crate::operation::ManagementOperation;

/// A request of operation `O` that passed verification.
pub struct Incoming<O: ManagementOperation> {
    /// The request: header and body.
    pub request: Request<O>,
    /// The MIME parts as received, sharing the HTTP body's buffer: what a message log stores
    /// to verify the request again later.
    pub parts: Parts,
    /// The member whose signing certificate signed the request, if the operation carries a
    /// member's signature.
    pub signer: Option<MemberId>,
    /// The TCP peer.
    pub peer: SocketAddr,
    /// The TLS client certificate, if the client presented one.
    pub client_certificate: Option<X509>,
    /// When the request was received.
    pub received_at: SystemTime,
    /// Whether responses carry `requestHash`.
    pub(super) request_hash: bool,
}

impl<O: ManagementOperation> fmt::Debug for Incoming<O>
where
    O::Request: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Incoming")
            .field("request", &self.request)
            .field("signer", &self.signer)
            .field("peer", &self.peer)
            .field("received_at", &self.received_at)
            .finish_non_exhaustive()
    }
}

impl<O: ManagementOperation> Incoming<O> {
    /// The SOAP header (sender = `client`, message id = `id`).
    pub fn header(&self) -> &Header {
        &self.request.header
    }

    /// The request body.
    pub fn body(&self) -> &O::Request {
        &self.request.body
    }

    /// The response SOAP message for `request_id`: what the runtime sends for
    /// [`Answer::RequestId`](super::Answer::RequestId), for services that store the response
    /// with the request.
    pub fn response(&self, request_id: i64) -> Result<Vec<u8>, BuildError> {
        Response::answer(
            &self.request,
            &self.parts.soap,
            request_id,
            self.request_hash,
        )?
        .to_soap()
    }
}

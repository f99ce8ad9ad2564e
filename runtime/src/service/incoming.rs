//! A verified request handed to a [`ManagementService`](super::ManagementService), owning
//! (without copying) the bytes it came in.

use std::net::SocketAddr;
use std::time::SystemTime;

use bytes::Bytes;
use openssl::x509::X509;
use xroad_mserv::centralservice::{Header, OperationName};

use crate::cert::MemberId;
use crate::envelope::{BuildError, Request, build_response};
use crate::message::{RequestParts, SignaturePart};

/// A signature part: its algorithm id and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedSignature {
    /// The `signature-algorithm-id`, e.g. `SHA512withRSA`.
    pub algorithm_id: String,
    /// The signature bytes.
    pub value: Bytes,
}

/// The MIME parts of a request, sharing the HTTP body's buffer: what a message log stores
/// to re-verify the request later.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnedParts {
    /// The SOAP message, byte for byte.
    pub soap: Bytes,
    /// Proof of possession of the authentication key (authCertReg).
    pub auth_key_signature: Option<OwnedSignature>,
    /// The member's signature.
    pub signature: Option<OwnedSignature>,
    /// The authentication certificate, DER (authCertReg).
    pub auth_certificate: Option<Bytes>,
    /// The signing certificate, DER.
    pub signing_certificate: Option<Bytes>,
    /// The OCSP response for the signing certificate, DER.
    pub ocsp_response: Option<Bytes>,
}

impl OwnedParts {
    /// The parts of `parts`, which borrow from `body`, as slices of `body`'s buffer.
    pub(crate) fn from_parts(body: &Bytes, parts: &RequestParts<'_>) -> Self {
        let slice = |bytes: &[u8]| body.slice_ref(bytes);
        let signature = |part: &Option<SignaturePart<'_>>| {
            part.map(|s| OwnedSignature {
                algorithm_id: s.algorithm_id.to_owned(),
                value: slice(s.value),
            })
        };
        Self {
            soap: slice(parts.soap),
            auth_key_signature: signature(&parts.auth_key_signature),
            signature: signature(&parts.signature),
            auth_certificate: parts.auth_certificate.map(slice),
            signing_certificate: parts.signing_certificate.map(slice),
            ocsp_response: parts.ocsp_response.map(slice),
        }
    }

    /// The parts as [`RequestParts`] borrowing from `self` (to verify them again).
    pub fn as_parts(&self) -> RequestParts<'_> {
        fn signature(s: &Option<OwnedSignature>) -> Option<SignaturePart<'_>> {
            s.as_ref().map(|s| SignaturePart {
                algorithm_id: &s.algorithm_id,
                value: &s.value,
            })
        }
        RequestParts {
            soap: &self.soap,
            auth_key_signature: signature(&self.auth_key_signature),
            signature: signature(&self.signature),
            auth_certificate: self.auth_certificate.as_deref(),
            signing_certificate: self.signing_certificate.as_deref(),
            ocsp_response: self.ocsp_response.as_deref(),
        }
    }
}

/// A request that passed verification, with its typed body `B`.
#[derive(Debug, Clone)]
pub struct Incoming<B> {
    /// The request body.
    pub body: B,
    /// The SOAP header (sender = `client`, message id = `id`).
    pub header: Header,
    /// The MIME parts as received.
    pub parts: OwnedParts,
    /// The member whose signature was verified, if the service carries one.
    pub signer: Option<MemberId>,
    /// The TCP peer.
    pub peer: SocketAddr,
    /// The TLS client certificate, if the client presented one.
    pub client_certificate: Option<X509>,
    /// When the request was verified.
    pub received_at: SystemTime,
    pub(super) request: Request,
}

impl<B> Incoming<B> {
    /// The operation.
    pub fn operation(&self) -> OperationName {
        self.request.operation()
    }

    /// The whole parsed request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The response SOAP message for `request_id`: what the handler sends for
    /// [`Answer::RequestId`](super::Answer::RequestId), for services that store the
    /// response with the request.
    pub fn response(&self, request_id: i64) -> Result<Vec<u8>, BuildError> {
        build_response(&self.request, &self.parts.soap, request_id)
    }
}

//! The HTTP message of a management request: its `Content-Type` and body.
//!
//! A request whose operation carries signatures, certificates and OCSP responses is
//! `multipart/related` with its [`Parts`] in the order of the operation's
//! [`OperationDescription`](crate::operation::OperationDescription); one that carries only the
//! SOAP message is a plain `text/xml; charset=UTF-8` message. [`Parts::encode`] writes either
//! form; [`Framing::parse`] and [`Framing::into_parts`] read them back in two steps, because
//! the parts a request must carry are known only once its SOAP part names the service.

mod decode;
mod encode;
mod error;
mod parts;

pub use decode::Framing;
pub use error::MessageError;
pub use parts::{Attachment, Parts};

/// Prefix of the boundaries written by [`Parts::encode`], as the reference writes them.
pub const BOUNDARY_PREFIX: &str = "xroad";

/// An HTTP message: the `Content-Type` header value and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpMessage {
    /// The `Content-Type` header value.
    pub content_type: String,
    /// The body bytes.
    pub body: Vec<u8>,
}

#[cfg(test)]
mod tests;

//! The HTTP message of a management request: its `Content-Type` and body.
//!
//! Requests that carry signatures, certificates and OCSP responses (clientReg, ownerChange,
//! authCertReg) are `multipart/related` with the parts in the order of the operation's
//! [`Operation::PARTS`](xroad_codec::operation::Operation::PARTS); the deletions are a plain
//! `text/xml; charset=UTF-8` SOAP message. [`RequestParts::encode`] writes either form;
//! [`Framing::parse`] and [`Framing::into_parts`] read them back in two steps, because the
//! parts a request must carry are known only once its SOAP part names the service.

mod decode;
mod encode;
mod error;
mod parts;

use xroad_codec::operation::MimePart;

pub use decode::Framing;
pub use error::MessageError;
pub use parts::{Attachment, Parts};

/// Prefix of the boundaries written by [`RequestParts::encode`], as the reference writes them.
pub const BOUNDARY_PREFIX: &str = "xroad";

/// An HTTP message: the `Content-Type` header value and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpMessage {
    /// The `Content-Type` header value.
    pub content_type: String,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// A signature part: the algorithm id from its `signature-algorithm-id` header and the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignaturePart<'a> {
    /// The algorithm id, e.g. `SHA512withRSA`, exactly as written in the header.
    pub algorithm_id: &'a str,
    /// The raw signature bytes.
    pub value: &'a [u8],
}

/// The parts of a request, borrowed from the message body (or from the caller when
/// encoding). A part is `Some` exactly when the operation carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestParts<'a> {
    /// The SOAP message, byte for byte; signatures are over these bytes.
    pub soap: &'a [u8],
    /// Proof of possession of the authentication key (authCertReg).
    pub auth_key_signature: Option<SignaturePart<'a>>,
    /// The member's signature (clientReg, ownerChange, authCertReg).
    pub signature: Option<SignaturePart<'a>>,
    /// The authentication certificate being registered, DER (authCertReg).
    pub auth_certificate: Option<&'a [u8]>,
    /// The signing certificate that verifies [`RequestParts::signature`], DER.
    pub signing_certificate: Option<&'a [u8]>,
    /// The OCSP response for the signing certificate, DER `OCSPResponse`.
    pub ocsp_response: Option<&'a [u8]>,
}

impl<'a> RequestParts<'a> {
    /// Parts holding only the SOAP message.
    pub fn soap(soap: &'a [u8]) -> Self {
        Self {
            soap,
            ..Self::default()
        }
    }

    /// Is `part` present?
    pub fn has(&self, part: MimePart) -> bool {
        match part {
            MimePart::SoapMessage => true,
            MimePart::Signature => self.signature.is_some(),
            MimePart::AuthKeySignature => self.auth_key_signature.is_some(),
            MimePart::AuthCertificate => self.auth_certificate.is_some(),
            MimePart::SigningCertificate => self.signing_certificate.is_some(),
            MimePart::OcspResponse => self.ocsp_response.is_some(),
        }
    }

    /// Every part that is present, in the order requests carry them.
    pub fn present(&self) -> impl Iterator<Item = MimePart> + '_ {
        ALL_PARTS.into_iter().filter(|part| self.has(*part))
    }
}

/// Every MIME part, in the order the authCertReg request (the one with all of them)
/// carries them.
const ALL_PARTS: [MimePart; 6] = [
    MimePart::SoapMessage,
    MimePart::AuthKeySignature,
    MimePart::Signature,
    MimePart::AuthCertificate,
    MimePart::SigningCertificate,
    MimePart::OcspResponse,
];

#[cfg(test)]
mod tests;

//! Typed operations: what each management service sends and receives.

use crate::xml::{XmlRead, XmlRoot, XmlWrite};

pub use xroad_macros::Operation;

/// A MIME part of a request, in the order the operation's request carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MimePart {
    /// The SOAP message (`text/xml; charset=UTF-8`).
    SoapMessage,
    /// Signature of the SOAP message by the member the request is about (the subsystem's
    /// owner, the new owner, or the security server's owner), with a `signature-algorithm-id`.
    Signature,
    /// Proof of possession of the authentication key: the SOAP message signed with it.
    AuthKeySignature,
    /// The authentication certificate being registered (DER).
    AuthCertificate,
    /// The signing certificate that verifies [`MimePart::Signature`] (DER).
    SigningCertificate,
    /// OCSP response for the signing certificate (DER `OCSPResponse`).
    OcspResponse,
}

impl MimePart {
    /// What the part holds, for messages: `signing certificate`, `OCSP response`, ...
    pub const fn description(self) -> &'static str {
        match self {
            MimePart::SoapMessage => "SOAP message",
            MimePart::Signature => "signature",
            MimePart::AuthKeySignature => "authentication key signature",
            MimePart::AuthCertificate => "authentication certificate",
            MimePart::SigningCertificate => "signing certificate",
            MimePart::OcspResponse => "OCSP response",
        }
    }

    /// Does the part carry a signature (and so a `signature-algorithm-id` header)?
    pub const fn is_signature(self) -> bool {
        matches!(self, MimePart::Signature | MimePart::AuthKeySignature)
    }
}

impl std::fmt::Display for MimePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.description())
    }
}

/// A service operation: its name (the X-Road service code), body types and MIME parts.
pub trait Operation {
    /// The operation name, which is also the service code.
    const NAME: &'static str;
    /// The SOAP header type.
    type Header: XmlRead + XmlWrite;
    /// The request body element.
    type Request: XmlRoot;
    /// The response body element.
    type Response: XmlRoot;
    /// The MIME parts of the request; `[SoapMessage]` for a plain SOAP request.
    const PARTS: &'static [MimePart];
}

/// A service code that names no operation of the service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown operation `{0}`")]
pub struct UnknownOperation(pub String);

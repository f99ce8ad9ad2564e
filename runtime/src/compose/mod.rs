//! Composing requests on the security server's side: the SOAP message, its signatures and
//! the certificates and OCSP response that go with them, framed as the service needs.
//!
//! ```text
//! Request ──to_soap──▶ SOAP bytes ──Signer──▶ signatures ──▶ RequestParts::encode ──▶ HttpMessage
//! ```

mod error;

pub use error::ComposeError;

use xroad_codec::operation::MimePart;

use crate::envelope::{EncodedRequest, Request, RequestBody};
use crate::message::{HttpMessage, RequestParts, SignaturePart};
use crate::signature::{SignatureAlgorithm, Signer};

/// The signature of the member a request is about (the client's owner for clientReg, the
/// new owner for ownerChange, the security server's owner for authCertReg), with the
/// signing certificate and an OCSP response for it.
#[derive(Clone, Copy)]
pub struct MemberSignature<'a> {
    /// Signs with the member's signing key.
    pub signer: &'a dyn Signer,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// The signing certificate, DER.
    pub certificate: &'a [u8],
    /// A fresh OCSP response for the signing certificate, DER `OCSPResponse`.
    pub ocsp_response: &'a [u8],
}

/// Proof of possession of the authentication key (authCertReg): the SOAP message signed with
/// the key of the certificate being registered.
#[derive(Clone, Copy)]
pub struct AuthKeyProof<'a> {
    /// Signs with the authentication key.
    pub signer: &'a dyn Signer,
    /// The algorithm: one of the PKCS#1 v1.5 algorithms PR-MSERV allows for this signature.
    pub algorithm: SignatureAlgorithm,
}

/// A request ready to send: the request and its SOAP bytes (to check the response against)
/// and the HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposedRequest {
    /// The request and the exact SOAP bytes sent.
    pub request: EncodedRequest,
    /// The `Content-Type` and body to POST.
    pub message: HttpMessage,
}

/// Writes `request`'s SOAP message, signs it as its service needs, and frames it.
///
/// `member` is required for clientReg, ownerChange and authCertReg, and `auth_key` for
/// authCertReg (whose `authCert` is the certificate attached); giving either to a service
/// that does not carry it is an error.
pub fn compose(
    request: Request,
    member: Option<MemberSignature<'_>>,
    auth_key: Option<AuthKeyProof<'_>>,
) -> Result<ComposedRequest, ComposeError> {
    let operation = request.operation();
    let parts = operation.parts();
    let wants_member = parts.contains(&MimePart::Signature);
    let wants_auth_key = parts.contains(&MimePart::AuthKeySignature);
    match (wants_member, member.is_some()) {
        (true, false) => {
            return Err(ComposeError::MissingSignature {
                operation: operation.as_str(),
                part: MimePart::Signature,
            });
        }
        (false, true) => {
            return Err(ComposeError::UnexpectedSignature {
                operation: operation.as_str(),
                part: MimePart::Signature,
            });
        }
        _ => {}
    }
    match (wants_auth_key, auth_key.is_some()) {
        (true, false) => {
            return Err(ComposeError::MissingSignature {
                operation: operation.as_str(),
                part: MimePart::AuthKeySignature,
            });
        }
        (false, true) => {
            return Err(ComposeError::UnexpectedSignature {
                operation: operation.as_str(),
                part: MimePart::AuthKeySignature,
            });
        }
        _ => {}
    }
    if let Some(proof) = auth_key
        && !proof.algorithm.is_allowed_for_auth_key_proof()
    {
        return Err(ComposeError::AuthKeyAlgorithm {
            algorithm: proof.algorithm,
        });
    }

    let soap = request.to_soap()?;
    let auth_certificate = match &request.body {
        RequestBody::AuthCertReg(body) => Some(body.0.auth_cert.as_slice()),
        _ => None,
    };
    let sign = |signer: &dyn Signer, algorithm: SignatureAlgorithm, part: MimePart| {
        signer
            .sign(algorithm, &soap)
            .map_err(|source| ComposeError::Sign { part, source })
    };
    let member_signature = member
        .map(|m| sign(m.signer, m.algorithm, MimePart::Signature))
        .transpose()?;
    let auth_key_signature = auth_key
        .map(|a| sign(a.signer, a.algorithm, MimePart::AuthKeySignature))
        .transpose()?;
    let parts = RequestParts {
        soap: &soap,
        auth_key_signature: auth_key
            .zip(auth_key_signature.as_deref())
            .map(|(a, value)| SignaturePart {
                algorithm_id: a.algorithm.name(),
                value,
            }),
        signature: member
            .zip(member_signature.as_deref())
            .map(|(m, value)| SignaturePart {
                algorithm_id: m.algorithm.name(),
                value,
            }),
        auth_certificate,
        signing_certificate: member.map(|m| m.certificate),
        ocsp_response: member.map(|m| m.ocsp_response),
    };
    let message = parts.encode(operation)?;
    Ok(ComposedRequest {
        request: EncodedRequest { request, soap },
        message,
    })
}

#[cfg(test)]
mod tests;

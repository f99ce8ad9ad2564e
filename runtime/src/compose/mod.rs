//! Composing requests on the security server's side: the SOAP message, its signatures and
//! the certificates and OCSP responses that go with them, framed as the operation's
//! description lays them out.
//!
//! ```text
//! Request<O> ──to_soap──▶ SOAP bytes ──Signer──▶ signatures ──▶ Parts::encode ──▶ HttpMessage
//! ```

mod error;

pub use error::ComposeError;

use std::fmt;

use bytes::Bytes;

use crate::envelope::{EncodedRequest, Request};
use crate::message::{Attachment, HttpMessage, Parts};
use crate::operation::{ManagementBody, ManagementOperation, Signer as SignedBy};
use crate::signature::{SignatureAlgorithm, Signer};

/// One signature of a request, in the order of the operation's signature parts: the key
/// that makes it, the algorithm, and the certificate (and, for a member's signature, the OCSP
/// response) that go with it.
#[derive(Clone, Copy)]
pub struct SignatureInput<'a> {
    /// Signs the SOAP message.
    pub signer: &'a dyn Signer,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// The certificate of the signing key, DER.
    pub certificate: &'a [u8],
    /// A fresh OCSP response for the certificate, DER `OCSPResponse`; `None` for the proof of
    /// possession of an authentication key.
    pub ocsp_response: Option<&'a [u8]>,
}

impl fmt::Debug for SignatureInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureInput")
            .field("algorithm", &self.algorithm)
            .field("certificate", &self.certificate.len())
            .field("ocsp_response", &self.ocsp_response.map(<[u8]>::len))
            .finish_non_exhaustive()
    }
}

/// A request ready to send: the request and its SOAP bytes (to check the response against)
/// and the HTTP message.
pub struct ComposedRequest<O: ManagementOperation> {
    /// The request and the exact SOAP bytes sent.
    pub request: EncodedRequest<O>,
    /// The `Content-Type` and body to POST.
    pub message: HttpMessage,
}

impl<O: ManagementOperation> Clone for ComposedRequest<O> {
    fn clone(&self) -> Self {
        Self {
            request: self.request.clone(),
            message: self.message.clone(),
        }
    }
}

impl<O: ManagementOperation> fmt::Debug for ComposedRequest<O>
where
    O::Request: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComposedRequest")
            .field("request", &self.request)
            .field("message", &self.message)
            .finish()
    }
}

/// Writes `request`'s SOAP message, makes `signatures` (one per signature part of the
/// operation, in order), and frames everything as the operation's description lays it out.
pub fn compose<O: ManagementOperation>(
    request: Request<O>,
    signatures: &[SignatureInput<'_>],
) -> Result<ComposedRequest<O>, ComposeError> {
    let description = O::DESCRIPTION;
    let operation = description.name;
    let expected = description.signatures().count();
    if signatures.len() != expected {
        return Err(ComposeError::SignatureCount {
            operation,
            expected,
            found: signatures.len(),
        });
    }
    for ((index, signed_by, _, ocsp), input) in description.signatures().zip(signatures) {
        if ocsp.is_some() != input.ocsp_response.is_some() {
            return Err(ComposeError::OcspResponse {
                operation,
                part: description.part_description(index),
                expected: ocsp.is_some(),
            });
        }
        if signed_by == SignedBy::AuthenticationKey {
            if !input.algorithm.is_allowed_for_auth_key_proof() {
                return Err(ComposeError::AuthKeyAlgorithm {
                    algorithm: input.algorithm,
                });
            }
            if request.body.auth_cert() != Some(input.certificate) {
                return Err(ComposeError::AuthCertMismatch { operation });
            }
        }
    }

    let soap = Bytes::from(request.to_soap()?);
    let mut attachments: Vec<Option<Attachment>> = vec![None; description.parts.len() - 1];
    let mut place = |index: usize, attachment: Attachment| {
        if let Some(slot) = attachments.get_mut(index - 1) {
            *slot = Some(attachment);
        }
    };
    for ((index, _, certificate, ocsp), input) in description.signatures().zip(signatures) {
        let value = input
            .signer
            .sign(input.algorithm, &soap)
            .map_err(|source| ComposeError::Sign {
                part: description.part_description(index),
                source,
            })?;
        place(
            index,
            Attachment {
                signature_algorithm_id: Some(input.algorithm.name().to_owned()),
                body: Bytes::from(value),
            },
        );
        place(
            certificate,
            Attachment {
                signature_algorithm_id: None,
                body: Bytes::copy_from_slice(input.certificate),
            },
        );
        if let (Some(ocsp), Some(response)) = (ocsp, input.ocsp_response) {
            place(
                ocsp,
                Attachment {
                    signature_algorithm_id: None,
                    body: Bytes::copy_from_slice(response),
                },
            );
        }
    }
    // A checked description leaves no part empty; an unchecked one is refused when framed.
    let parts = Parts {
        soap: soap.clone(),
        attachments: attachments.into_iter().flatten().collect(),
    };
    let message = parts.encode(description)?;
    Ok(ComposedRequest {
        request: EncodedRequest { request, soap },
        message,
    })
}

#[cfg(test)]
mod tests;

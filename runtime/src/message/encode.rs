//! Writing request messages in the reference layout.

use xroad_codec::operation::MimePart;
use xroad_mserv::centralservice::OperationName;

use super::{BOUNDARY_PREFIX, HttpMessage, MessageError, RequestParts, SignaturePart};
use crate::multipart::{
    Boundary, MultipartWriter, OCTET_STREAM, Part, SOAP_CONTENT_TYPE, content_type_header,
};

impl<'a> RequestParts<'a> {
    /// Writes the request of `operation` with a fresh boundary (`xroad` and 30 random
    /// letters). The parts present must be exactly the operation's parts.
    pub fn encode(&self, operation: OperationName) -> Result<HttpMessage, MessageError> {
        let boundary = Boundary::random(BOUNDARY_PREFIX)?;
        self.encode_with_boundary(operation, &boundary)
    }

    /// Writes the request of `operation` framed by `boundary` (used only when the operation
    /// has attachments): `text/xml; charset=UTF-8` for a plain SOAP request, otherwise
    /// `multipart/related` with the parts in the operation's order.
    pub fn encode_with_boundary(
        &self,
        operation: OperationName,
        boundary: &Boundary,
    ) -> Result<HttpMessage, MessageError> {
        let expected = operation.parts();
        if let Some(part) = expected.iter().find(|part| !self.has(**part)) {
            return Err(MessageError::MissingPart {
                operation: operation.as_str(),
                part: *part,
            });
        }
        if let Some(part) = self.present().find(|part| !expected.contains(part)) {
            return Err(MessageError::UnexpectedPart {
                operation: operation.as_str(),
                part,
            });
        }
        if expected == [MimePart::SoapMessage] {
            return Ok(HttpMessage {
                content_type: SOAP_CONTENT_TYPE.to_owned(),
                body: self.soap.to_vec(),
            });
        }
        let capacity = self.soap.len()
            + [
                self.auth_certificate,
                self.signing_certificate,
                self.ocsp_response,
            ]
            .iter()
            .flatten()
            .map(|bytes| bytes.len())
            .sum::<usize>()
            + [self.signature, self.auth_key_signature]
                .iter()
                .flatten()
                .map(|signature| signature.value.len())
                .sum::<usize>()
            + expected.len() * (boundary.as_str().len() + 96);
        let mut writer = MultipartWriter::with_capacity(boundary, capacity);
        for part in expected {
            writer.part(&self.part(*part))?;
        }
        Ok(HttpMessage {
            content_type: content_type_header(boundary),
            body: writer.finish()?,
        })
    }

    /// The MIME part for `part`; absent parts are empty (callers check presence first).
    fn part(&self, part: MimePart) -> Part<'a> {
        fn binary(bytes: Option<&[u8]>) -> Part<'_> {
            Part::octet_stream(bytes.unwrap_or_default())
        }
        fn signature(signature: Option<SignaturePart<'_>>) -> Part<'_> {
            match signature {
                Some(s) => Part::signature(s.algorithm_id, s.value),
                None => Part::octet_stream(&[]),
            }
        }
        match part {
            MimePart::SoapMessage => Part::soap(self.soap),
            MimePart::Signature => signature(self.signature),
            MimePart::AuthKeySignature => signature(self.auth_key_signature),
            MimePart::AuthCertificate => binary(self.auth_certificate),
            MimePart::SigningCertificate => binary(self.signing_certificate),
            MimePart::OcspResponse => binary(self.ocsp_response),
        }
    }
}

/// The media type of `part` in a request.
pub(super) fn media_type(part: MimePart) -> &'static str {
    match part {
        MimePart::SoapMessage => "text/xml",
        _ => OCTET_STREAM,
    }
}

//! Writing request messages in the reference layout.

use super::{BOUNDARY_PREFIX, HttpMessage, MessageError, Parts};
use crate::multipart::{Boundary, MultipartWriter, Part, SOAP_CONTENT_TYPE, content_type_header};
use crate::operation::{MimePart, OperationDescription};

impl Parts {
    /// Writes the request of the operation `description` describes with a fresh boundary
    /// (`xroad` and 30 random letters). The parts must be exactly the operation's parts.
    pub fn encode(&self, description: &OperationDescription) -> Result<HttpMessage, MessageError> {
        let boundary = Boundary::random(BOUNDARY_PREFIX)?;
        self.encode_with_boundary(description, &boundary)
    }

    /// Writes the request framed by `boundary` (used only when the operation has more parts
    /// than the SOAP message): `text/xml; charset=UTF-8` for a plain SOAP request, otherwise
    /// `multipart/related` with the parts in the operation's order.
    pub fn encode_with_boundary(
        &self,
        description: &OperationDescription,
        boundary: &Boundary,
    ) -> Result<HttpMessage, MessageError> {
        self.check_against(description)?;
        if !description.is_multipart() {
            return Ok(HttpMessage {
                content_type: SOAP_CONTENT_TYPE.to_owned(),
                body: self.soap.to_vec(),
            });
        }
        let capacity = self.byte_len() + description.parts.len() * (boundary.as_str().len() + 96);
        let mut writer = MultipartWriter::with_capacity(boundary, capacity);
        writer.part(&Part::soap(&self.soap))?;
        for attachment in &self.attachments {
            let part = match &attachment.signature_algorithm_id {
                Some(algorithm_id) => Part::signature(algorithm_id, &attachment.body),
                None => Part::octet_stream(&attachment.body),
            };
            writer.part(&part)?;
        }
        Ok(HttpMessage {
            content_type: content_type_header(boundary),
            body: writer.finish()?,
        })
    }

    /// Checks that the parts are the ones `description` lists: their number, and a
    /// `signature-algorithm-id` exactly on signature parts.
    pub fn check_against(&self, description: &OperationDescription) -> Result<(), MessageError> {
        let operation = description.name;
        if self.len() != description.parts.len() {
            return Err(MessageError::WrongPartCount {
                operation,
                expected: description.parts.len(),
                found: self.len(),
            });
        }
        for (offset, (attachment, kind)) in self
            .attachments
            .iter()
            .zip(&description.parts[1..])
            .enumerate()
        {
            let index = offset + 1;
            match (kind, &attachment.signature_algorithm_id) {
                (MimePart::Signature { .. }, None) => {
                    return Err(MessageError::MissingSignatureAlgorithm {
                        index,
                        part: description.part_description(index),
                    });
                }
                (MimePart::Signature { .. }, Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    return Err(MessageError::UnexpectedSignatureAlgorithm {
                        index,
                        part: description.part_description(index),
                    });
                }
            }
        }
        Ok(())
    }
}

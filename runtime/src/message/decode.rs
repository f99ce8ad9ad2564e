//! Reading request messages: framing first, then the parts of the named service.

use bytes::Bytes;

use super::{Attachment, MessageError, Parts};
use crate::multipart::{ContentType, Limits, Part, parse_body};
use crate::operation::{MimePart, OperationDescription};

const TEXT_XML: &str = "text/xml";
const MULTIPART_RELATED: &str = "multipart/related";

/// A request body split by its framing: the SOAP part, and the other MIME parts when the
/// request is `multipart/related`. Everything borrows from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing<'a> {
    body: &'a Bytes,
    soap: &'a [u8],
    /// All parts, the SOAP part first; `None` for a plain `text/xml` request.
    parts: Option<Vec<Part<'a>>>,
}

impl<'a> Framing<'a> {
    /// Checks the `Content-Type` and splits `body`: `text/xml` is the SOAP message itself;
    /// `multipart/related` is parsed within `limits` and its first part must be the SOAP
    /// message (`text/xml`). A `charset`, where given, must be UTF-8.
    pub fn parse(
        content_type: Option<&str>,
        body: &'a Bytes,
        limits: &Limits,
    ) -> Result<Self, MessageError> {
        let value = content_type.ok_or(MessageError::MissingContentType)?;
        let ct =
            ContentType::parse(value).map_err(|source| MessageError::MalformedContentType {
                value: value.to_owned(),
                source,
            })?;
        if let Some(charset) = ct.charset()
            && !charset.eq_ignore_ascii_case("UTF-8")
        {
            return Err(MessageError::UnsupportedCharset {
                charset: charset.to_owned(),
            });
        }
        if ct.is("text", "xml") {
            return Ok(Self {
                body,
                soap: body,
                parts: None,
            });
        }
        if !ct.is_multipart_related() {
            return Err(MessageError::UnsupportedMediaType {
                media_type: ct.media_type().to_owned(),
            });
        }
        let boundary = ct.boundary().ok_or(MessageError::MissingBoundary)?;
        let parts = parse_body(boundary, body, limits).map_err(MessageError::Multipart)?;
        let first = parts.first().ok_or(MessageError::NoParts)?;
        check_content_type(first, 0, MimePart::Soap, || "SOAP message".to_owned())?;
        Ok(Self {
            body,
            soap: first.body,
            parts: Some(parts),
        })
    }

    /// The SOAP message bytes.
    pub fn soap(&self) -> &'a [u8] {
        self.soap
    }

    /// Is the request `multipart/related`?
    pub fn is_multipart(&self) -> bool {
        self.parts.is_some()
    }

    /// Assigns the parts to what the operation `description` describes carries: their
    /// number, order, content types and the `signature-algorithm-id` of signature parts. The
    /// parts share the body's buffer.
    pub fn into_parts(self, description: &OperationDescription) -> Result<Parts, MessageError> {
        let operation = description.name;
        let soap = self.body.slice_ref(self.soap);
        let Some(parts) = self.parts else {
            if description.is_multipart() {
                return Err(MessageError::WrongFraming {
                    operation,
                    expected: MULTIPART_RELATED,
                    found: TEXT_XML,
                });
            }
            return Ok(Parts::soap(soap));
        };
        if !description.is_multipart() {
            return Err(MessageError::WrongFraming {
                operation,
                expected: TEXT_XML,
                found: MULTIPART_RELATED,
            });
        }
        if parts.len() != description.parts.len() {
            return Err(MessageError::PartCount {
                operation,
                expected: description.parts.len(),
                names: (0..description.parts.len())
                    .map(|index| description.part_description(index))
                    .collect::<Vec<_>>()
                    .join(", "),
                found: parts.len(),
            });
        }
        let mut attachments = Vec::with_capacity(parts.len() - 1);
        for (index, (part, kind)) in parts.iter().zip(description.parts).enumerate().skip(1) {
            let what = || description.part_description(index);
            check_content_type(part, index, *kind, what)?;
            let signature_algorithm_id = match kind {
                MimePart::Signature { .. } => Some(
                    part.signature_algorithm_id()
                        .ok_or_else(|| MessageError::MissingSignatureAlgorithm {
                            index,
                            part: what(),
                        })?
                        .to_owned(),
                ),
                _ => None,
            };
            attachments.push(Attachment {
                signature_algorithm_id,
                body: self.body.slice_ref(part.body),
            });
        }
        Ok(Parts { soap, attachments })
    }
}

/// Checks that part `index` has the media type of `kind`, and UTF-8 if it names a charset.
fn check_content_type(
    part: &Part<'_>,
    index: usize,
    kind: MimePart,
    what: impl Fn() -> String,
) -> Result<(), MessageError> {
    let expected = kind.media_type();
    let wrong = |found: String| MessageError::PartContentType {
        index,
        part: what(),
        expected,
        found,
    };
    let value = part
        .content_type()
        .ok_or_else(|| wrong("no Content-Type".to_owned()))?;
    let ct = ContentType::parse(value).map_err(|_| wrong(format!("`{value}`")))?;
    let (ty, subtype) = expected.split_once('/').unwrap_or((expected, ""));
    let charset_ok = ct
        .charset()
        .is_none_or(|charset| charset.eq_ignore_ascii_case("UTF-8"));
    if !ct.is(ty, subtype) || !charset_ok {
        return Err(wrong(format!("`{value}`")));
    }
    Ok(())
}

//! Reading request messages: framing first, then the parts of the named service.

use xroad_codec::operation::MimePart;
use xroad_mserv::centralservice::OperationName;

use super::encode::media_type;
use super::{MessageError, RequestParts, SignaturePart};
use crate::multipart::{ContentType, Limits, Part, parse_body};

const TEXT_XML: &str = "text/xml";
const MULTIPART_RELATED: &str = "multipart/related";

/// A request body split by its framing: the SOAP part, and the other MIME parts when the
/// request is `multipart/related`. Everything borrows from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing<'a> {
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
        body: &'a [u8],
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
        let first = parts.first().ok_or(MessageError::PartCount {
            operation: "any",
            expected: 1,
            names: MimePart::SoapMessage.to_string(),
            found: 0,
        })?;
        check_content_type(first, 1, MimePart::SoapMessage)?;
        Ok(Self {
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

    /// Assigns the parts to what `operation` carries: their number, order, content types
    /// and the `signature-algorithm-id` of signature parts.
    pub fn into_parts(self, operation: OperationName) -> Result<RequestParts<'a>, MessageError> {
        let expected = operation.parts();
        let wants_multipart = expected != [MimePart::SoapMessage];
        let Some(parts) = self.parts else {
            if wants_multipart {
                return Err(MessageError::WrongFraming {
                    operation: operation.as_str(),
                    expected: MULTIPART_RELATED,
                    found: TEXT_XML,
                });
            }
            return Ok(RequestParts::soap(self.soap));
        };
        if !wants_multipart {
            return Err(MessageError::WrongFraming {
                operation: operation.as_str(),
                expected: TEXT_XML,
                found: MULTIPART_RELATED,
            });
        }
        if parts.len() != expected.len() {
            return Err(MessageError::PartCount {
                operation: operation.as_str(),
                expected: expected.len(),
                names: expected
                    .iter()
                    .map(|part| part.description())
                    .collect::<Vec<_>>()
                    .join(", "),
                found: parts.len(),
            });
        }
        let mut out = RequestParts::soap(self.soap);
        for (index, (part, kind)) in parts.iter().zip(expected).enumerate().skip(1) {
            let index = index + 1;
            check_content_type(part, index, *kind)?;
            let signature = || -> Result<SignaturePart<'a>, MessageError> {
                let algorithm_id = part
                    .signature_algorithm_id()
                    .ok_or(MessageError::MissingSignatureAlgorithm { index, part: *kind })?;
                Ok(SignaturePart {
                    algorithm_id,
                    value: part.body,
                })
            };
            match kind {
                MimePart::SoapMessage => {}
                MimePart::Signature => out.signature = Some(signature()?),
                MimePart::AuthKeySignature => out.auth_key_signature = Some(signature()?),
                MimePart::AuthCertificate => out.auth_certificate = Some(part.body),
                MimePart::SigningCertificate => out.signing_certificate = Some(part.body),
                MimePart::OcspResponse => out.ocsp_response = Some(part.body),
            }
        }
        Ok(out)
    }
}

/// Checks that part `index` (one-based) has the media type of `kind`, and UTF-8 if it
/// names a charset.
fn check_content_type(part: &Part<'_>, index: usize, kind: MimePart) -> Result<(), MessageError> {
    let expected = media_type(kind);
    let wrong = |found: String| MessageError::PartContentType {
        index,
        part: kind,
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

//! `multipart/related` framing of X-Road messages that carry signatures, certificates
//! and OCSP responses next to the SOAP message.
//!
//! The layout matches the X-Road reference implementation:
//!
//! - request `Content-Type`:
//!   `multipart/related; type="application/octet-stream"; charset=UTF-8; boundary=<B>`
//!   (see [`content_type_header`]);
//! - body: every part is `--B\r\n`, header lines `name: value\r\n`, `\r\n` and the raw
//!   bytes; a `\r\n` precedes every later delimiter and the body closes with
//!   `\r\n--B--\r\n` (see [`write()`]).
//!
//! [`parse`] is a strict zero-copy parser: part headers and bodies borrow from the input.
//! Decisions beyond RFC 2046:
//!
//! - the preamble must be empty or a single CRLF (the reference writes none);
//! - the epilogue after the closing delimiter may only contain spaces, tabs, CR and LF;
//! - a `\r\n--B` that is followed by neither `--` nor optional spaces/tabs and CRLF is
//!   part of the data, not a delimiter;
//! - a part must contain the blank line that ends its (possibly empty) header block.

mod error;
mod parser;
mod writer;

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

pub use error::{BoundaryError, ContentTypeError, MultipartError, WriteError};
pub use parser::{parse, parse_body};
pub use writer::{MultipartWriter, content_type_header, write};

/// Lowercase name of the part header carrying the media type.
pub const CONTENT_TYPE: &str = "content-type";
/// Lowercase name of the part header naming the signature algorithm.
pub const SIGNATURE_ALGORITHM_ID: &str = "signature-algorithm-id";
/// Media type of the SOAP part.
pub const SOAP_CONTENT_TYPE: &str = "text/xml; charset=UTF-8";
/// Media type of binary parts (signature, certificates, OCSP responses).
pub const OCTET_STREAM: &str = "application/octet-stream";
/// Number of random letters appended to a boundary prefix by [`Boundary::generate`].
pub const BOUNDARY_RANDOM_LETTERS: usize = 30;

/// Is `b` an RFC 7230 `tchar`?
pub(crate) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Is `s` a non-empty RFC 7230 token?
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// Checks that `boundary` is a valid RFC 2046 boundary: 1–70 characters from `bchars`,
/// not ending in a space.
pub fn validate_boundary(boundary: &str) -> Result<(), BoundaryError> {
    if boundary.is_empty() {
        return Err(BoundaryError::Empty);
    }
    for (index, ch) in boundary.char_indices() {
        let ok = ch.is_ascii_alphanumeric() || "'()+_,-./:=? ".contains(ch);
        if !ok {
            return Err(BoundaryError::InvalidCharacter { ch, index });
        }
    }
    if boundary.len() > 70 {
        return Err(BoundaryError::TooLong {
            len: boundary.len(),
        });
    }
    if boundary.ends_with(' ') {
        return Err(BoundaryError::TrailingSpace);
    }
    Ok(())
}

/// A validated RFC 2046 boundary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Boundary(String);

impl Boundary {
    /// Validates `boundary` (see [`validate_boundary`]).
    pub fn new(boundary: impl Into<String>) -> Result<Self, BoundaryError> {
        let boundary = boundary.into();
        validate_boundary(&boundary)?;
        Ok(Self(boundary))
    }

    /// `prefix` followed by [`BOUNDARY_RANDOM_LETTERS`] ASCII letters, each chosen from a
    /// byte of `random` (deterministic when `random` is).
    pub fn generate(prefix: &str, random: &mut impl FnMut() -> u8) -> Result<Self, BoundaryError> {
        const LETTERS: &[u8; 52] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut s = String::with_capacity(prefix.len() + BOUNDARY_RANDOM_LETTERS);
        s.push_str(prefix);
        for _ in 0..BOUNDARY_RANDOM_LETTERS {
            let letter = LETTERS
                .get(usize::from(random()) % LETTERS.len())
                .copied()
                .unwrap_or(b'x');
            s.push(char::from(letter));
        }
        Self::new(s)
    }

    /// Like [`Boundary::generate`] with randomness from [`RandomState`] hashing a process-wide
    /// counter and the current time (not cryptographic; boundaries only need to be unlikely
    /// to occur in the data, which the writer checks anyway).
    pub fn random(prefix: &str) -> Result<Self, BoundaryError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let state = RandomState::new();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let mut source = move || {
            let mut h = state.build_hasher();
            h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
            h.write_u128(nanos);
            // Truncation intended: take one byte of the hash.
            (h.finish() >> 29) as u8
        };
        Self::generate(prefix, &mut source)
    }

    /// The boundary string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Boundary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Boundary {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One `name=value` parameter of a [`ContentType`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter<'a> {
    /// Parameter name as written (compare case-insensitively).
    pub name: &'a str,
    /// Parameter value, unquoted and unescaped (borrowed unless it had escapes).
    pub value: Cow<'a, str>,
}

/// A parsed HTTP `Content-Type` header value (RFC 7231 §3.1.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType<'a> {
    media_type: &'a str,
    subtype_at: usize,
    params: Vec<Parameter<'a>>,
}

impl<'a> ContentType<'a> {
    /// Parses `type/subtype *( OWS ";" OWS name=(token / quoted-string) )`. Empty parameters
    /// (`;;`, trailing `;`) are tolerated; duplicate parameter names are rejected.
    pub fn parse(value: &'a str) -> Result<Self, ContentTypeError> {
        if !value.is_ascii() {
            return Err(ContentTypeError::NonAscii);
        }
        let b = value.as_bytes();
        let mut i = skip_ows(b, 0);
        let start = i;
        i = skip_token(b, i);
        if i == start {
            return Err(ContentTypeError::MissingMediaType);
        }
        if b.get(i) != Some(&b'/') {
            return Err(ContentTypeError::MissingSubtype);
        }
        let slash = i;
        i = skip_token(b, i + 1);
        if i == slash + 1 {
            return Err(ContentTypeError::MissingSubtype);
        }
        let media_type = value.get(start..i).unwrap_or_default();
        let subtype_at = slash + 1 - start;
        let mut params: Vec<Parameter<'a>> = Vec::new();
        loop {
            i = skip_ows(b, i);
            let Some(&c) = b.get(i) else { break };
            if c != b';' {
                return Err(unexpected(b, i));
            }
            i = skip_ows(b, i + 1);
            match b.get(i) {
                None => break,
                Some(b';') => continue,
                Some(_) => {}
            }
            let name_start = i;
            i = skip_token(b, i);
            if i == name_start {
                return Err(unexpected(b, i));
            }
            let name = value.get(name_start..i).unwrap_or_default();
            if b.get(i) != Some(&b'=') {
                return Err(ContentTypeError::MissingParameterValue { name: name.into() });
            }
            i += 1;
            let param_value = if b.get(i) == Some(&b'"') {
                let (v, next) = parse_quoted(value, i)?;
                i = next;
                v
            } else {
                let value_start = i;
                i = skip_token(b, i);
                if i == value_start {
                    return Err(ContentTypeError::MissingParameterValue { name: name.into() });
                }
                Cow::Borrowed(value.get(value_start..i).unwrap_or_default())
            };
            if params.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
                return Err(ContentTypeError::DuplicateParameter { name: name.into() });
            }
            params.push(Parameter {
                name,
                value: param_value,
            });
        }
        Ok(Self {
            media_type,
            subtype_at,
            params,
        })
    }

    /// The media type `type/subtype` as written.
    pub fn media_type(&self) -> &'a str {
        self.media_type
    }

    /// Does the media type equal `type/subtype` (case-insensitively)?
    pub fn is(&self, ty: &str, subtype: &str) -> bool {
        let (t, s) = self.media_type.split_at(self.subtype_at);
        t.strip_suffix('/')
            .is_some_and(|t| t.eq_ignore_ascii_case(ty))
            && s.eq_ignore_ascii_case(subtype)
    }

    /// Is this `multipart/related`?
    pub fn is_multipart_related(&self) -> bool {
        self.is("multipart", "related")
    }

    /// All parameters in order.
    pub fn params(&self) -> &[Parameter<'a>] {
        &self.params
    }

    /// The value of parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_ref())
    }

    /// The `boundary` parameter.
    pub fn boundary(&self) -> Option<&str> {
        self.param("boundary")
    }

    /// The `type` parameter (root part media type of `multipart/related`).
    pub fn type_param(&self) -> Option<&str> {
        self.param("type")
    }

    /// The `charset` parameter.
    pub fn charset(&self) -> Option<&str> {
        self.param("charset")
    }
}

fn skip_ows(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

fn skip_token(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|&c| is_tchar(c)) {
        i += 1;
    }
    i
}

fn unexpected(b: &[u8], i: usize) -> ContentTypeError {
    ContentTypeError::UnexpectedCharacter {
        ch: b.get(i).map_or('\0', |&c| char::from(c)),
        position: i,
    }
}

/// Parses the quoted-string whose opening quote is at `open`; returns the value and the
/// index after the closing quote.
fn parse_quoted(s: &str, open: usize) -> Result<(Cow<'_, str>, usize), ContentTypeError> {
    let b = s.as_bytes();
    let start = open + 1;
    let mut i = start;
    let mut owned: Option<String> = None;
    loop {
        match b.get(i) {
            None => return Err(ContentTypeError::UnterminatedQuotedString { position: open }),
            Some(b'"') => {
                let value = match owned {
                    Some(o) => Cow::Owned(o),
                    None => Cow::Borrowed(s.get(start..i).unwrap_or_default()),
                };
                return Ok((value, i + 1));
            }
            Some(b'\\') => {
                let escaped = match b.get(i + 1) {
                    Some(&c) if c == b'\t' || (b' '..=b'~').contains(&c) => c,
                    Some(_) => return Err(unexpected(b, i + 1)),
                    None => {
                        return Err(ContentTypeError::UnterminatedQuotedString { position: open });
                    }
                };
                let o = owned.get_or_insert_with(|| s.get(start..i).unwrap_or_default().into());
                o.push(char::from(escaped));
                i += 2;
            }
            Some(&c) if c == b'\t' || (b' '..=b'~').contains(&c) => {
                if let Some(o) = owned.as_mut() {
                    o.push(char::from(c));
                }
                i += 1;
            }
            Some(_) => return Err(unexpected(b, i)),
        }
    }
}

/// One part header, borrowed from the message (or from the caller when writing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// Header name as written (compare case-insensitively).
    pub name: &'a str,
    /// Header value without surrounding whitespace.
    pub value: &'a str,
}

/// One body part of a `multipart/related` message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// Headers in order of appearance.
    pub headers: Vec<Header<'a>>,
    /// Raw body bytes.
    pub body: &'a [u8],
}

impl<'a> Part<'a> {
    /// A part with the given `(name, value)` headers and body.
    pub fn new(headers: &[(&'a str, &'a str)], body: &'a [u8]) -> Self {
        Self {
            headers: headers
                .iter()
                .map(|&(name, value)| Header { name, value })
                .collect(),
            body,
        }
    }

    /// The SOAP part: `content-type: text/xml; charset=UTF-8`.
    pub fn soap(xml: &'a [u8]) -> Self {
        Self::new(&[(CONTENT_TYPE, SOAP_CONTENT_TYPE)], xml)
    }

    /// A signature part: `content-type: application/octet-stream` and
    /// `signature-algorithm-id: <algorithm_id>` (e.g. `SHA512withRSA`).
    pub fn signature(algorithm_id: &'a str, signature: &'a [u8]) -> Self {
        Self::new(
            &[
                (CONTENT_TYPE, OCTET_STREAM),
                (SIGNATURE_ALGORITHM_ID, algorithm_id),
            ],
            signature,
        )
    }

    /// A binary part (certificate, OCSP response): `content-type: application/octet-stream`.
    pub fn octet_stream(body: &'a [u8]) -> Self {
        Self::new(&[(CONTENT_TYPE, OCTET_STREAM)], body)
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    /// The `Content-Type` header value.
    pub fn content_type(&self) -> Option<&'a str> {
        self.header(CONTENT_TYPE)
    }

    /// The `signature-algorithm-id` header value.
    pub fn signature_algorithm_id(&self) -> Option<&'a str> {
        self.header(SIGNATURE_ALGORITHM_ID)
    }
}

/// Resource limits for [`parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of parts (default 16).
    pub max_parts: usize,
    /// Maximum size of one part body in bytes (default 64 MiB).
    pub max_part_size: usize,
    /// Maximum size of one header block in bytes, including the blank line (default 8 KiB).
    pub max_header_block: usize,
    /// Maximum number of header lines per part (default 32).
    pub max_header_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_parts: 16,
            max_part_size: 64 << 20,
            max_header_block: 8 << 10,
            max_header_lines: 32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_reference_value() {
        let ct = ContentType::parse(
            "multipart/related; type=\"application/octet-stream\"; charset=UTF-8; boundary=xroadAbC",
        )
        .unwrap();
        assert!(ct.is_multipart_related());
        assert_eq!(ct.type_param(), Some("application/octet-stream"));
        assert_eq!(ct.charset(), Some("UTF-8"));
        assert_eq!(ct.boundary(), Some("xroadAbC"));
        assert_eq!(ct.params().len(), 3);
    }

    #[test]
    fn content_type_case_and_whitespace() {
        let ct = ContentType::parse(" Multipart/RELATED ;\tBOUNDARY=abc ;; ").unwrap();
        assert!(ct.is_multipart_related());
        assert_eq!(ct.media_type(), "Multipart/RELATED");
        assert_eq!(ct.boundary(), Some("abc"));
        assert!(!ct.is("multipart", "mixed"));
        assert!(!ct.is("multi", "related"));
    }

    #[test]
    fn content_type_quoted_with_escapes() {
        let ct = ContentType::parse(r#"multipart/related; boundary="a \"b\" \\c""#).unwrap();
        assert_eq!(ct.boundary(), Some(r#"a "b" \c"#));
        let ct =
            ContentType::parse(r#"multipart/related; boundary="gc0p4Jq0M2Yt08j34c0p=?""#).unwrap();
        assert!(matches!(ct.params()[0].value, Cow::Borrowed(_)));
        assert_eq!(ct.boundary(), Some("gc0p4Jq0M2Yt08j34c0p=?"));
    }

    #[test]
    fn content_type_errors() {
        use ContentTypeError::*;
        let err = |s| ContentType::parse(s).unwrap_err();
        assert_eq!(err("multipart/related; boundary=ä"), NonAscii);
        assert_eq!(err(""), MissingMediaType);
        assert_eq!(err("  ;a=b"), MissingMediaType);
        assert_eq!(err("multipart"), MissingSubtype);
        assert_eq!(err("multipart/"), MissingSubtype);
        assert_eq!(
            err("multipart/related boundary=x"),
            UnexpectedCharacter {
                ch: 'b',
                position: 18
            }
        );
        assert_eq!(
            err("multipart/related; =x"),
            UnexpectedCharacter {
                ch: '=',
                position: 19
            }
        );
        assert_eq!(
            err("multipart/related; boundary"),
            MissingParameterValue {
                name: "boundary".into()
            }
        );
        assert_eq!(
            err("multipart/related; boundary="),
            MissingParameterValue {
                name: "boundary".into()
            }
        );
        assert_eq!(
            err("multipart/related; boundary=\"abc"),
            UnterminatedQuotedString { position: 28 }
        );
        assert_eq!(
            err("multipart/related; boundary=\"abc\\"),
            UnterminatedQuotedString { position: 28 }
        );
        assert_eq!(
            err("multipart/related; boundary=\"a\u{1}\""),
            UnexpectedCharacter {
                ch: '\u{1}',
                position: 30
            }
        );
        assert_eq!(
            err("multipart/related; boundary=a; Boundary=b"),
            DuplicateParameter {
                name: "Boundary".into()
            }
        );
    }

    #[test]
    fn quoted_pairs_escape_tab_space_and_visible_characters_only() {
        let ct = ContentType::parse("multipart/related; boundary=\"a\\\tb\\ c\\~\td\"").unwrap();
        assert_eq!(ct.boundary(), Some("a\tb c~\td"));
        // RFC 9110 quoted-pair: a backslash may escape HTAB, SP and VCHAR, never a control
        // character; the error names the escaped byte, not the backslash before it.
        for (value, ch, position) in [
            ("multipart/related; boundary=\"a\\\u{1}\"", '\u{1}', 31),
            ("multipart/related; boundary=\"\\\u{7f}\"", '\u{7f}', 30),
            ("multipart/related; boundary=\"ab\\\r\n\"", '\r', 32),
            ("multipart/related; boundary=\"\\\u{0}x\"", '\u{0}', 30),
        ] {
            assert_eq!(
                ContentType::parse(value).unwrap_err(),
                ContentTypeError::UnexpectedCharacter { ch, position },
                "{value:?}"
            );
        }
    }

    #[test]
    fn boundary_validation() {
        assert_eq!(validate_boundary("jetty113950090iemuz6a3"), Ok(()));
        assert_eq!(validate_boundary("a b'()+_,-./:=?"), Ok(()));
        assert_eq!(validate_boundary(&"a".repeat(70)), Ok(()));
        assert_eq!(validate_boundary(""), Err(BoundaryError::Empty));
        assert_eq!(
            validate_boundary(&"a".repeat(71)),
            Err(BoundaryError::TooLong { len: 71 })
        );
        assert_eq!(
            validate_boundary("ab\"c"),
            Err(BoundaryError::InvalidCharacter { ch: '"', index: 2 })
        );
        assert_eq!(validate_boundary("abc "), Err(BoundaryError::TrailingSpace));
    }

    #[test]
    fn boundary_generation() {
        let mut n = 0u8;
        let mut src = || {
            n = n.wrapping_add(1);
            n
        };
        let b = Boundary::generate("xroad", &mut src).unwrap();
        assert_eq!(b.as_str(), "xroadBCDEFGHIJKLMNOPQRSTUVWXYZabcde");
        let r1 = Boundary::random("xroad").unwrap();
        let r2 = Boundary::random("xroad").unwrap();
        assert_eq!(r1.as_str().len(), 35);
        assert!(r1.as_str()[5..].bytes().all(|c| c.is_ascii_alphabetic()));
        assert_ne!(r1, r2);
        assert!(Boundary::generate(&"p".repeat(41), &mut src).is_err());
        assert!(Boundary::generate("bad\"", &mut src).is_err());
    }

    #[test]
    fn a_boundary_is_its_string_through_as_ref() {
        let boundary = Boundary::new("jetty113950090iemuz6a3").unwrap();
        let text: &str = boundary.as_ref();
        assert_eq!(text, "jetty113950090iemuz6a3");
    }

    #[test]
    fn part_lookup() {
        let p = Part::new(&[("Content-Type", "text/xml"), ("X", "1")], b"");
        assert_eq!(p.content_type(), Some("text/xml"));
        assert_eq!(p.header("x"), Some("1"));
        assert_eq!(p.header("y"), None);
        let s = Part::signature("SHA512withRSA", b"sig");
        assert_eq!(s.signature_algorithm_id(), Some("SHA512withRSA"));
        assert_eq!(s.content_type(), Some(OCTET_STREAM));
    }
}

//! Strict zero-copy parsing of `multipart/related` bodies.

use memchr::memmem;

use super::{ContentType, Header, Limits, MultipartError, Part, is_token, validate_boundary};

/// Parses a `multipart/related` body given the HTTP `Content-Type` header value.
///
/// Headers and bodies of the returned parts borrow from `body`; nothing is copied.
pub fn parse<'a>(
    content_type: &str,
    body: &'a [u8],
    limits: &Limits,
) -> Result<Vec<Part<'a>>, MultipartError> {
    let ct = ContentType::parse(content_type)?;
    if !ct.is_multipart_related() {
        return Err(MultipartError::NotMultipartRelated {
            media_type: ct.media_type().into(),
        });
    }
    let boundary = ct.boundary().ok_or(MultipartError::MissingBoundary)?;
    parse_body(boundary, body, limits)
}

/// Parses a multipart body framed by `boundary` (validated per RFC 2046 first).
pub fn parse_body<'a>(
    boundary: &str,
    body: &'a [u8],
    limits: &Limits,
) -> Result<Vec<Part<'a>>, MultipartError> {
    validate_boundary(boundary)?;
    let mut delimiter = Vec::with_capacity(boundary.len() + 4);
    delimiter.extend_from_slice(b"\r\n--");
    delimiter.extend_from_slice(boundary.as_bytes());
    let finder = memmem::Finder::new(&delimiter);
    let without_crlf = delimiter.get(2..).unwrap_or_default();

    let first = if body.starts_with(&delimiter) {
        Some(delimiter.len())
    } else if body.starts_with(without_crlf) {
        Some(without_crlf.len())
    } else {
        None
    };
    let mut pos = match first.and_then(|at| delimiter_suffix(body, at)) {
        Some(Next::Part(at)) => at,
        Some(Next::Close(_)) => return Err(MultipartError::NoParts),
        None => {
            return Err(match find_delimiter(body, &finder, 0, body.len()) {
                Some((len, _)) => MultipartError::UnexpectedPreamble { len },
                None => MultipartError::MissingFirstDelimiter,
            });
        }
    };

    // A part can't be longer than its header block plus body; bound each search by that
    // (plus the delimiter line) so oversized parts fail without scanning the whole input.
    let window = limits
        .max_header_block
        .saturating_add(limits.max_part_size)
        .saturating_add(delimiter.len());
    let mut parts = Vec::new();
    loop {
        let index = parts.len();
        if index >= limits.max_parts {
            return Err(MultipartError::TooManyParts {
                limit: limits.max_parts,
            });
        }
        let search_end = pos.saturating_add(window).min(body.len());
        let (end, next) = match find_delimiter(body, &finder, pos, search_end) {
            Some(found) => found,
            None if search_end < body.len() => {
                return Err(MultipartError::PartTooLarge {
                    part: index,
                    limit: limits.max_part_size,
                });
            }
            None => return Err(MultipartError::UnclosedBody { part: index }),
        };
        let content = body.get(pos..end).unwrap_or_default();
        parts.push(parse_part(index, content, limits)?);
        match next {
            Next::Part(at) => pos = at,
            Next::Close(at) => {
                let epilogue = body.get(at..).unwrap_or_default();
                return match epilogue
                    .iter()
                    .position(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
                {
                    Some(offset) => Err(MultipartError::TrailingData {
                        offset: at + offset,
                    }),
                    None => Ok(parts),
                };
            }
        }
    }
}

/// What follows a delimiter: a part starting at, or the epilogue starting at, an index.
#[derive(Debug, Clone, Copy)]
enum Next {
    Part(usize),
    Close(usize),
}

/// Classifies the bytes after `--B` at `at`: `--` (close), or transport padding and CRLF
/// (next part). Anything else means this was not a delimiter.
fn delimiter_suffix(body: &[u8], at: usize) -> Option<Next> {
    let rest = body.get(at..)?;
    if rest.starts_with(b"--") {
        return Some(Next::Close(at + 2));
    }
    let padding = rest
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    rest.get(padding..)?
        .starts_with(b"\r\n")
        .then_some(Next::Part(at + padding + 2))
}

/// Finds the first real delimiter `\r\n--B` starting in `body[from..end]`; returns its
/// start and what follows it.
fn find_delimiter(
    body: &[u8],
    finder: &memmem::Finder<'_>,
    mut from: usize,
    end: usize,
) -> Option<(usize, Next)> {
    let needle = finder.needle().len();
    let haystack_end = end.saturating_add(needle).min(body.len());
    loop {
        let at = from + finder.find(body.get(from..haystack_end)?)?;
        if let Some(next) = delimiter_suffix(body, at + needle) {
            return Some((at, next));
        }
        from = at + 1;
    }
}

/// The searcher for the blank line that ends a header block, built once: building a
/// searcher costs more than running it over a short header block.
fn blank_line_finder() -> &'static memmem::Finder<'static> {
    static FINDER: std::sync::OnceLock<memmem::Finder<'static>> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| memmem::Finder::new(b"\r\n\r\n"))
}

/// Splits one part (the bytes between delimiter lines) into headers and body.
fn parse_part<'a>(
    index: usize,
    content: &'a [u8],
    limits: &Limits,
) -> Result<Part<'a>, MultipartError> {
    let (header_block, body) = if let Some(body) = content.strip_prefix(b"\r\n") {
        (&[][..], body)
    } else {
        let window = content
            .get(..limits.max_header_block.min(content.len()))
            .unwrap_or_default();
        match blank_line_finder().find(window) {
            Some(i) => (
                content.get(..i).unwrap_or_default(),
                content.get(i + 4..).unwrap_or_default(),
            ),
            None if content.len() > limits.max_header_block => {
                return Err(MultipartError::HeaderBlockTooLarge {
                    part: index,
                    limit: limits.max_header_block,
                });
            }
            None => return Err(MultipartError::MissingBlankLine { part: index }),
        }
    };
    if body.len() > limits.max_part_size {
        return Err(MultipartError::PartTooLarge {
            part: index,
            limit: limits.max_part_size,
        });
    }
    Ok(Part {
        headers: parse_headers(index, header_block, limits)?,
        body,
    })
}

/// Parses `name: value` lines separated by CRLF (no trailing CRLF in `block`).
fn parse_headers<'a>(
    part: usize,
    block: &'a [u8],
    limits: &Limits,
) -> Result<Vec<Header<'a>>, MultipartError> {
    if block.is_empty() {
        return Ok(Vec::new());
    }
    let text = std::str::from_utf8(block)
        .ok()
        .filter(|t| t.is_ascii())
        .ok_or(MultipartError::NonAsciiHeader { part })?;
    let mut headers = Vec::new();
    for (n, line) in text.split("\r\n").enumerate() {
        let line_no = n + 1;
        if headers.len() >= limits.max_header_lines {
            return Err(MultipartError::TooManyHeaders {
                part,
                limit: limits.max_header_lines,
            });
        }
        if line.starts_with([' ', '\t']) {
            return Err(MultipartError::ObsoleteLineFolding {
                part,
                line: line_no,
            });
        }
        if line.bytes().any(|c| c != b'\t' && c.is_ascii_control()) {
            return Err(MultipartError::InvalidHeaderValue {
                part,
                line: line_no,
            });
        }
        let (name, value) = line
            .split_once(':')
            .ok_or(MultipartError::HeaderWithoutColon {
                part,
                line: line_no,
            })?;
        if !is_token(name) {
            return Err(MultipartError::InvalidHeaderName {
                part,
                line: line_no,
            });
        }
        headers.push(Header {
            name,
            value: value.trim_matches([' ', '\t']),
        });
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::super::{Boundary, OCTET_STREAM, write};
    use super::*;

    const ANNEX_A_CT: &str = "multipart/related; type=\"application/octet-stream\"; \
                              charset=UTF-8; boundary=jetty113950090iemuz6a3";

    fn annex_a() -> Vec<u8> {
        b"--jetty113950090iemuz6a3\r\n\
          Content-Type: text/xml; charset=UTF-8\r\n\
          \r\n\
          <SOAP-ENV:Envelope/>\r\n\
          --jetty113950090iemuz6a3\r\n\
          Content-Type: application/octet-stream\r\n\
          signature-algorithm-id: SHA512withRSA\r\n\
          \r\n\
          \x00\x01SIGNATURE\xff\r\n\
          --jetty113950090iemuz6a3\r\n\
          Content-Type: application/octet-stream\r\n\
          \r\n\
          0\x82CERT\r\n--jetty113950090iemuz6a3x\r\n\
          --jetty113950090iemuz6a3\r\n\
          Content-Type: application/octet-stream\r\n\
          \r\n\
          OCSP\r\n\
          --jetty113950090iemuz6a3--\r\n"
            .to_vec()
    }

    fn inside(input: &[u8], slice: &[u8]) -> bool {
        let range = input.as_ptr_range();
        range.contains(&slice.as_ptr()) || (slice.is_empty() && slice.as_ptr() == range.end)
    }

    fn err(ct: &str, body: &[u8]) -> MultipartError {
        parse(ct, body, &Limits::default()).unwrap_err()
    }

    fn ct(boundary: &str) -> String {
        format!("multipart/related; boundary={boundary}")
    }

    #[test]
    fn annex_a_zero_copy() {
        let input = annex_a();
        let parts = parse(ANNEX_A_CT, &input, &Limits::default()).unwrap();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0].content_type(), Some("text/xml; charset=UTF-8"));
        assert_eq!(parts[0].body, b"<SOAP-ENV:Envelope/>");
        assert_eq!(parts[1].header("CONTENT-TYPE"), Some(OCTET_STREAM));
        assert_eq!(parts[1].signature_algorithm_id(), Some("SHA512withRSA"));
        assert_eq!(parts[1].body, b"\x00\x01SIGNATURE\xff");
        // A boundary string not followed by `--` or CRLF is data.
        assert_eq!(parts[2].body, b"0\x82CERT\r\n--jetty113950090iemuz6a3x");
        assert_eq!(parts[3].body, b"OCSP");
        for p in &parts {
            assert!(inside(&input, p.body));
            for h in &p.headers {
                assert!(inside(&input, h.name.as_bytes()));
                assert!(inside(&input, h.value.as_bytes()));
            }
        }
    }

    #[test]
    fn quoted_boundary_padding_and_leniencies() {
        let body =
            b"\r\n--a b:c? \t\r\nX: 1\r\n\r\none\r\n--a b:c?\r\n\r\ntwo\r\n--a b:c?-- \r\n\t\r\n";
        let parts = parse(
            "multipart/related; boundary=\"a b:c?\"",
            body,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].header("x"), Some("1"));
        assert_eq!(parts[0].body, b"one");
        assert!(parts[1].headers.is_empty());
        assert_eq!(parts[1].body, b"two");
        // No epilogue at all, empty body.
        let parts = parse(&ct("b"), b"--b\r\n\r\n\r\n--b--", &Limits::default()).unwrap();
        assert_eq!(parts[0].body, b"");
    }

    #[test]
    fn content_type_errors() {
        let body = annex_a();
        assert!(matches!(
            err("multipart", &body),
            MultipartError::ContentType(_)
        ));
        assert_eq!(
            err("multipart/mixed; boundary=jetty113950090iemuz6a3", &body),
            MultipartError::NotMultipartRelated {
                media_type: "multipart/mixed".into()
            }
        );
        assert_eq!(
            err("multipart/related; type=\"text/xml\"", &body),
            MultipartError::MissingBoundary
        );
        assert!(matches!(
            err("multipart/related; boundary=\"ab \"", &body),
            MultipartError::InvalidBoundary(_)
        ));
    }

    #[test]
    fn framing_errors() {
        use MultipartError::*;
        let c = ct("b");
        assert_eq!(err(&c, b""), MissingFirstDelimiter);
        assert_eq!(err(&c, b"--bx\r\n\r\nx"), MissingFirstDelimiter);
        assert_eq!(
            err(&c, b"--bx\r\n\r\nx\r\n--b--"),
            UnexpectedPreamble { len: 9 }
        );
        assert_eq!(
            err(&c, b"hello\r\n--b\r\n\r\nx\r\n--b--"),
            UnexpectedPreamble { len: 5 }
        );
        assert_eq!(
            err(&c, b"\r\n\r\n--b\r\n\r\nx\r\n--b--"),
            UnexpectedPreamble { len: 2 }
        );
        assert_eq!(err(&c, b"--b--\r\n"), NoParts);
        assert_eq!(err(&c, b"--b\r\n\r\nx"), UnclosedBody { part: 0 });
        assert_eq!(
            err(&c, b"--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b  "),
            UnclosedBody { part: 1 }
        );
        assert_eq!(
            err(&c, b"--b\r\n\r\nx\r\n--b--\r\njunk"),
            TrailingData { offset: 17 }
        );
        assert_eq!(
            err(&c, b"--b\r\nA: 1\r\nB\r\n\r\nx\r\n--b--"),
            HeaderWithoutColon { part: 0, line: 2 }
        );
        assert_eq!(
            err(&c, b"--b\r\nA: 1\r\n\r\nx\r\n--b\r\nA: 1\r\n\r\n--b--"),
            MissingBlankLine { part: 1 }
        );
        assert_eq!(err(&c, b"--b\r\n\r\n--b--"), MissingBlankLine { part: 0 });
        assert_eq!(
            err(&c, b"--b\r\nA: 1\r\n folded\r\n\r\nx\r\n--b--"),
            ObsoleteLineFolding { part: 0, line: 2 }
        );
        assert_eq!(
            err(&c, "--b\r\nA: \u{e4}\r\n\r\nx\r\n--b--".as_bytes()),
            NonAsciiHeader { part: 0 }
        );
        assert_eq!(
            err(&c, b"--b\r\nA: \xff\r\n\r\nx\r\n--b--"),
            NonAsciiHeader { part: 0 }
        );
        assert_eq!(
            err(&c, b"--b\r\nA: 1\nB: 2\r\n\r\nx\r\n--b--"),
            InvalidHeaderValue { part: 0, line: 1 }
        );
        assert_eq!(
            err(&c, b"--b\r\nA B: 1\r\n\r\nx\r\n--b--"),
            InvalidHeaderName { part: 0, line: 1 }
        );
        assert_eq!(
            err(&c, b"--b\r\n: 1\r\n\r\nx\r\n--b--"),
            InvalidHeaderName { part: 0, line: 1 }
        );
    }

    #[test]
    fn limit_errors() {
        use MultipartError::*;
        let c = ct("b");
        let limits = Limits {
            max_parts: 2,
            max_part_size: 4,
            max_header_block: 18,
            max_header_lines: 2,
        };
        let run = |body: &[u8]| parse(&c, body, &limits).map(|p| p.len());
        assert_eq!(run(b"--b\r\n\r\n1234\r\n--b--"), Ok(1));
        assert_eq!(
            run(b"--b\r\n\r\n1\r\n--b\r\n\r\n2\r\n--b\r\n\r\n3\r\n--b--"),
            Err(TooManyParts { limit: 2 })
        );
        assert_eq!(
            run(b"--b\r\n\r\n12345\r\n--b--"),
            Err(PartTooLarge { part: 0, limit: 4 })
        );
        // Oversized and unclosed: fails on size without scanning to the end.
        let mut big = b"--b\r\n\r\n".to_vec();
        big.extend(std::iter::repeat_n(b'z', 100));
        assert_eq!(run(&big), Err(PartTooLarge { part: 0, limit: 4 }));
        assert_eq!(
            run(b"--b\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n1\r\n--b--"),
            Err(HeaderBlockTooLarge { part: 0, limit: 18 })
        );
        assert_eq!(
            run(b"--b\r\nA:1\r\nB:2\r\nC:3\r\n\r\n1\r\n--b--"),
            Err(TooManyHeaders { part: 0, limit: 2 })
        );
        assert_eq!(run(b"--b\r\nA:1\r\nB:2\r\n\r\n1\r\n--b--"), Ok(1));
    }

    #[test]
    fn header_block_limit_is_inclusive() {
        use MultipartError::*;
        let c = ct("b");
        let limits = Limits {
            max_header_block: 8,
            ..Limits::default()
        };
        let run = |body: &[u8]| {
            parse(&c, body, &limits).map(|parts| {
                parts
                    .iter()
                    .map(|p| (p.header("A").map(str::to_owned), p.body.to_vec()))
                    .collect::<Vec<_>>()
            })
        };
        // `A:12` CRLF CRLF is exactly 8 bytes, blank line included: accepted.
        assert_eq!(
            run(b"--b\r\nA:12\r\n\r\nx\r\n--b--"),
            Ok(vec![(Some("12".to_owned()), b"x".to_vec())])
        );
        // One byte more is refused.
        assert_eq!(
            run(b"--b\r\nA:123\r\n\r\nx\r\n--b--"),
            Err(HeaderBlockTooLarge { part: 0, limit: 8 })
        );
        // A part of exactly 8 bytes has been read to its end: it lacks the blank line, and
        // is not too large. Only a part with bytes beyond the limit is too large.
        assert_eq!(
            run(b"--b\r\nA:123456\r\n--b--"),
            Err(MissingBlankLine { part: 0 })
        );
        assert_eq!(
            run(b"--b\r\nA:1234567\r\n--b--"),
            Err(HeaderBlockTooLarge { part: 0, limit: 8 })
        );
    }

    /// Tiny deterministic xorshift64* generator for the randomized tests.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn byte(&mut self) -> u8 {
            // Bias towards framing bytes so delimiters-in-data cases are common.
            const SPECIAL: &[u8] = b"\r\n-xroad: \t";
            if self.below(3) == 0 {
                SPECIAL[self.below(SPECIAL.len())]
            } else {
                (self.next() >> 32) as u8
            }
        }
    }

    #[test]
    fn round_trip_random_parts() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut checked = 0;
        for case in 0..500 {
            let boundary = Boundary::generate("xroad", &mut || rng.byte()).unwrap();
            let bodies: Vec<Vec<u8>> = (0..1 + rng.below(6))
                .map(|_| (0..rng.below(300)).map(|_| rng.byte()).collect())
                .collect();
            let values: Vec<String> = (0..bodies.len())
                .map(|i| format!("v{case} {i}\t;x"))
                .collect();
            let parts: Vec<Part<'_>> = bodies
                .iter()
                .zip(&values)
                .enumerate()
                .map(|(i, (b, v))| match i % 3 {
                    0 => Part::new(&[("content-type", v.as_str()), ("X-N", "1")], b),
                    1 => Part::new(&[], b),
                    _ => Part::signature(v, b),
                })
                .collect();
            let Ok(bytes) = write(&boundary, &parts) else {
                continue;
            };
            let ct = super::super::content_type_header(&boundary);
            let parsed = parse(&ct, &bytes, &Limits::default()).unwrap();
            assert_eq!(parsed, parts, "case {case}");
            checked += 1;
        }
        assert!(checked > 450);
    }

    #[test]
    fn never_panics_on_mutations() {
        let mut rng = Rng(42);
        let seed = annex_a();
        let limits = Limits {
            max_parts: 3,
            max_part_size: 40,
            max_header_block: 64,
            max_header_lines: 3,
        };
        for _ in 0..5000 {
            let mut input = seed.clone();
            for _ in 0..1 + rng.below(8) {
                match rng.below(4) {
                    0 if !input.is_empty() => {
                        let i = rng.below(input.len());
                        input[i] = rng.byte();
                    }
                    1 if !input.is_empty() => {
                        let i = rng.below(input.len());
                        input.remove(i);
                    }
                    2 => {
                        let i = rng.below(input.len() + 1);
                        input.insert(i, rng.byte());
                    }
                    _ => input.truncate(rng.below(input.len() + 1)),
                }
            }
            let _ = parse(ANNEX_A_CT, &input, &limits);
            let _ = parse(ANNEX_A_CT, &input, &Limits::default());
        }
        for _ in 0..2000 {
            let input: Vec<u8> = (0..rng.below(200)).map(|_| rng.byte()).collect();
            let _ = parse(&ct("x"), &input, &Limits::default());
            let text = String::from_utf8_lossy(&input);
            let _ = parse(&text, &seed, &Limits::default());
        }
    }
}

//! Property tests of the `multipart/related` framing.
//!
//! What is asserted, precisely:
//!
//! 1. **Round trip.** Any 1–8 parts (0–6 headers each: token names, values of printable ASCII
//!    and tab without surrounding whitespace; bodies of arbitrary bytes mixed with CRLF, CR,
//!    LF, `--` and the boundary text) whose bodies contain no `\r\n--B` and do not start with
//!    `--B` are written without error, `write` and `MultipartWriter` produce the same bytes,
//!    and both `parse` (through the `Content-Type`) and `parse_body` return exactly the parts
//!    written.
//! 2. **Writer refusal.** For unconstrained bodies the writer fails with
//!    `BoundaryInBody { part }` for the first part whose body contains `\r\n--B` or starts
//!    with `--B`, and succeeds (and round-trips) otherwise.
//! 3. **No panics.** Arbitrary bytes with arbitrary `Content-Type` values, and framing-heavy
//!    noise with a fixed boundary, give `Ok` or a `MultipartError`; every `Ok` respects the
//!    limits, borrows every slice from the input, and has token header names and trimmed
//!    values without control characters other than tab.
//! 4. **Truncation.** Cutting a written message of length `n` after `k` bytes parses if and
//!    only if `k >= n - 2` (only the closing `\r\n` epilogue was cut), and then to the
//!    original parts.
//! 5. **Delimiter damage.** XOR-ing any single byte of a delimiter line (`--B\r\n` of the
//!    first part, `\r\n--B\r\n` between parts, `\r\n--B--` at the end) with a non-zero mask
//!    gives: an error for the first delimiter, `UnclosedBody` of the last part for the
//!    closing one, and for a delimiter between parts `j-1` and `j` a successful parse with
//!    one part fewer, in which part `j-1` keeps its headers and its body runs up to the next
//!    delimiter (the damaged delimiter line and all of part `j` become its data); all other
//!    parts are unchanged.

use std::fmt::Debug;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use xroad_runtime::multipart::{
    Boundary, Header, Limits, MultipartError, MultipartWriter, Part, WriteError,
    content_type_header, parse, parse_body, write,
};

/// RFC 7230 `tchar`s: the alphabet of header names.
const TCHARS: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// RFC 2046 `bchars` without the space (a boundary may not end in a space; spaces are added
/// in the middle separately).
const BCHARS: &[u8] = b"'()+_,-./:=?0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A part as generated: owned headers and body.
#[derive(Debug, Clone)]
struct OwnedPart {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl OwnedPart {
    fn borrow(&self) -> Part<'_> {
        Part {
            headers: self
                .headers
                .iter()
                .map(|(name, value)| Header { name, value })
                .collect(),
            body: &self.body,
        }
    }
}

/// One piece of a generated body.
#[derive(Debug, Clone)]
enum Chunk {
    Bytes(Vec<u8>),
    Crlf,
    Cr,
    Lf,
    Dashes,
    BoundaryText,
}

fn chunk() -> impl Strategy<Value = Chunk> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..40).prop_map(Chunk::Bytes),
        2 => Just(Chunk::Crlf),
        1 => Just(Chunk::Cr),
        1 => Just(Chunk::Lf),
        2 => Just(Chunk::Dashes),
        2 => Just(Chunk::BoundaryText),
    ]
}

fn materialize(chunks: &[Chunk], boundary: &str) -> Vec<u8> {
    let mut body = Vec::new();
    for c in chunks {
        match c {
            Chunk::Bytes(b) => body.extend_from_slice(b),
            Chunk::Crlf => body.extend_from_slice(b"\r\n"),
            Chunk::Cr => body.push(b'\r'),
            Chunk::Lf => body.push(b'\n'),
            Chunk::Dashes => body.extend_from_slice(b"--"),
            Chunk::BoundaryText => body.extend_from_slice(boundary.as_bytes()),
        }
    }
    body
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// `\r\n--B`.
fn delimiter(boundary: &str) -> Vec<u8> {
    [b"\r\n--", boundary.as_bytes()].concat()
}

/// Would `body` end its part early when framed by `boundary`?
fn breaks_framing(body: &[u8], boundary: &str) -> bool {
    let delimiter = delimiter(boundary);
    body.starts_with(&delimiter[2..]) || find(body, &delimiter, 0).is_some()
}

/// Makes `body` safe to frame while keeping the boundary text in it: an `x` goes after the
/// CRLF of every `\r\n--B` and before a leading `--B`. An `x` can't complete a new
/// delimiter, because the only CR of `\r\n--B` is its first byte.
fn defuse(mut body: Vec<u8>, boundary: &str) -> Vec<u8> {
    let delimiter = delimiter(boundary);
    let mut from = 0;
    while let Some(at) = find(&body, &delimiter, from) {
        body.insert(at + 2, b'x');
        from = at + 2;
    }
    if body.starts_with(&delimiter[2..]) {
        body.insert(0, b'x');
    }
    body
}

fn boundary() -> impl Strategy<Value = String> {
    prop_oneof![
        // The X-Road shape: a prefix and random letters.
        any::<u32>().prop_filter_map("valid boundary", |mut state| {
            let mut next = move || {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (state >> 16) as u8
            };
            Boundary::generate("xroad", &mut next)
                .ok()
                .map(|b| b.as_str().to_owned())
        }),
        // Any RFC 2046 boundary, including spaces inside and non-token characters.
        (
            prop::collection::vec(prop::sample::select(BCHARS), 1..69),
            prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        )
            .prop_map(|(mut chars, spaces)| {
                for index in spaces {
                    let at = index.index(chars.len());
                    if at > 0 {
                        chars.insert(at, b' ');
                    }
                }
                String::from_utf8(chars).unwrap_or_default()
            }),
        // Very short boundaries make accidental boundary text in bodies likely.
        prop::sample::select(vec!["b", "-", "--", "a-b", "x"]).prop_map(str::to_owned),
    ]
}

/// The HTTP `Content-Type` for `boundary`: the reference form for token boundaries, a quoted
/// parameter otherwise.
fn content_type(boundary: &str) -> String {
    match Boundary::new(boundary) {
        Ok(b) if boundary.bytes().all(|c| TCHARS.contains(&c)) => content_type_header(&b),
        _ => {
            format!("multipart/related; type=\"application/octet-stream\"; boundary=\"{boundary}\"")
        }
    }
}

fn header() -> impl Strategy<Value = (String, String)> {
    let name = prop::collection::vec(prop::sample::select(TCHARS), 1..16)
        .prop_map(|n| String::from_utf8(n).unwrap_or_default());
    let value_chars: Vec<u8> = (b' '..=b'~').chain([b'\t']).collect();
    let value = prop::collection::vec(prop::sample::select(value_chars), 0..40).prop_map(|v| {
        // The parser drops surrounding whitespace (RFC 7230 OWS), so a value that has some
        // cannot round-trip by design.
        String::from_utf8(v)
            .unwrap_or_default()
            .trim_matches([' ', '\t'])
            .to_owned()
    });
    (name, value)
}

/// Parts with raw (unconstrained) bodies.
fn raw_parts(boundary: String) -> impl Strategy<Value = (String, Vec<OwnedPart>)> {
    let part = (
        prop::collection::vec(header(), 0..6),
        prop::collection::vec(chunk(), 0..12),
    );
    prop::collection::vec(part, 1..8).prop_map(move |parts| {
        let parts = parts
            .into_iter()
            .map(|(headers, chunks)| OwnedPart {
                headers,
                body: materialize(&chunks, &boundary),
            })
            .collect();
        (boundary.clone(), parts)
    })
}

/// Parts whose bodies can be framed by the boundary.
fn message() -> impl Strategy<Value = (String, Vec<OwnedPart>)> {
    boundary()
        .prop_flat_map(raw_parts)
        .prop_map(|(boundary, parts)| {
            let parts = parts
                .into_iter()
                .map(|p| OwnedPart {
                    body: defuse(p.body, &boundary),
                    headers: p.headers,
                })
                .collect();
            (boundary, parts)
        })
}

fn borrow_all(parts: &[OwnedPart]) -> Vec<Part<'_>> {
    parts.iter().map(OwnedPart::borrow).collect()
}

/// Writes `parts`, failing the case on a writer error.
fn written(boundary: &str, parts: &[Part<'_>]) -> Result<Vec<u8>, TestCaseError> {
    let b = Boundary::new(boundary).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    write(&b, parts).map_err(|e| TestCaseError::fail(format!("write failed: {e}")))
}

fn ok<T, E: Debug>(result: Result<T, E>, what: &str) -> Result<T, TestCaseError> {
    result.map_err(|e| TestCaseError::fail(format!("{what}: {e:?}")))
}

/// Checks the invariants every successful parse must satisfy.
fn check_parsed(input: &[u8], parts: &[Part<'_>], limits: &Limits) -> Result<(), TestCaseError> {
    let (start, end) = (
        input.as_ptr() as usize,
        input.as_ptr() as usize + input.len(),
    );
    let inside = |s: &[u8]| start <= s.as_ptr() as usize && s.as_ptr() as usize + s.len() <= end;
    prop_assert!(!parts.is_empty() && parts.len() <= limits.max_parts);
    for part in parts {
        prop_assert!(part.body.len() <= limits.max_part_size);
        prop_assert!(inside(part.body), "body not borrowed from the input");
        prop_assert!(part.headers.len() <= limits.max_header_lines);
        for h in &part.headers {
            prop_assert!(inside(h.name.as_bytes()) && inside(h.value.as_bytes()));
            prop_assert!(!h.name.is_empty() && h.name.bytes().all(|c| TCHARS.contains(&c)));
            prop_assert!(
                h.value
                    .bytes()
                    .all(|c| c == b'\t' || (b' '..=b'~').contains(&c))
            );
            prop_assert_eq!(h.value, h.value.trim_matches([' ', '\t']));
        }
    }
    Ok(())
}

fn small_limits() -> Limits {
    Limits {
        max_parts: 3,
        max_part_size: 48,
        max_header_block: 64,
        max_header_lines: 3,
    }
}

/// Bodies for the boundary `b` made of whole and broken delimiter lines, header lines, blank
/// lines and noise, so that a good share of them parse and the rest fail deep in the parser.
fn framing_noise() -> impl Strategy<Value = Vec<u8>> {
    let start = prop::sample::select(vec![
        &b""[..],
        b"--b\r\n",
        b"\r\n--b\r\n",
        b"--b \t\r\n",
        b"--b\r\n\r\n",
        b"--b\r\nA: 1\r\n\r\n",
        b"\r\n--b\r\nContent-Type: text/xml\r\n\r\n",
    ]);
    let piece = prop::sample::select(vec![
        &b"\r\n--b\r\n"[..],
        b"\r\n--b\r\n\r\n",
        b"\r\n--b\r\nB:2\r\n\r\n",
        b"\r\n--b--",
        b"\r\n--b",
        b"\r\n--bx",
        b"A: 1\r\n",
        b"X-Y:\t2 \r\n",
        b" folded\r\n",
        b"no colon\r\n",
        b"\r\n",
        b"\r\n\r\n",
        b"data",
        b"--b",
        b"b",
        b"\r",
        b"\n",
        b" ",
        b"\t",
        b":",
        b"\xff",
        b"\0",
    ]);
    let end = prop::sample::select(vec![
        &b""[..],
        b"\r\n--b--",
        b"\r\n--b--\r\n",
        b"\r\n--b-- \t\r\n",
        b"\r\n--b--\r\njunk",
    ]);
    (start, prop::collection::vec(piece, 0..16), end)
        .prop_map(|(start, pieces, end)| [start, &pieces.concat(), end].concat())
}

/// Start of every delimiter line: 0 for the first, the `\r\n` of every later one.
fn delimiter_starts(bytes: &[u8], boundary: &str) -> Vec<usize> {
    let delimiter = delimiter(boundary);
    let mut starts = vec![0];
    let mut from = 0;
    while let Some(at) = find(bytes, &delimiter, from) {
        starts.push(at);
        from = at + 1;
    }
    starts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn written_parts_parse_back((boundary, owned) in message()) {
        let parts = borrow_all(&owned);
        let bytes = written(&boundary, &parts)?;
        let b = ok(Boundary::new(boundary.as_str()), "boundary")?;
        let mut writer = MultipartWriter::new(&b);
        for part in &parts {
            ok(writer.part(part), "MultipartWriter::part")?;
        }
        prop_assert_eq!(&ok(writer.finish(), "MultipartWriter::finish")?, &bytes);

        let via_content_type = ok(
            parse(&content_type(&boundary), &bytes, &Limits::default()),
            "parse",
        )?;
        prop_assert_eq!(&via_content_type, &parts);
        let via_boundary = ok(parse_body(&boundary, &bytes, &Limits::default()), "parse_body")?;
        prop_assert_eq!(&via_boundary, &parts);
    }

    #[test]
    fn writer_refuses_exactly_the_bodies_that_break_framing(
        (boundary, owned) in boundary().prop_flat_map(raw_parts)
    ) {
        let parts = borrow_all(&owned);
        let b = ok(Boundary::new(boundary.as_str()), "boundary")?;
        let expected = owned.iter().position(|p| breaks_framing(&p.body, &boundary));
        match (write(&b, &parts), expected) {
            (Err(e), Some(part)) => prop_assert_eq!(e, WriteError::BoundaryInBody { part }),
            (Ok(bytes), None) => {
                let parsed = ok(parse_body(&boundary, &bytes, &Limits::default()), "parse_body")?;
                prop_assert_eq!(parsed, parts);
            }
            (result, expected) => {
                return Err(TestCaseError::fail(format!(
                    "write gave {:?}, expected refusal of part {expected:?}",
                    result.map(|b| b.len())
                )));
            }
        }
    }

    #[test]
    fn arbitrary_input_gives_a_value_or_an_error(
        content_type in prop_oneof![
            any::<String>(),
            "[ -~]{0,60}",
            "[ -~]{0,70}".prop_map(|b| format!("multipart/related; boundary={b}")),
            "[ -~]{0,70}".prop_map(|b| format!("Multipart/Related ;BOUNDARY=\"{b}\" ;;")),
            Just("multipart/related; boundary=b".to_owned()),
        ],
        body in prop_oneof![prop::collection::vec(any::<u8>(), 0..400), framing_noise()],
    ) {
        for limits in [Limits::default(), small_limits()] {
            if let Ok(parts) = parse(&content_type, &body, &limits) {
                check_parsed(&body, &parts, &limits)?;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn framing_noise_gives_a_value_or_an_error(body in framing_noise()) {
        for limits in [Limits::default(), small_limits()] {
            match parse("multipart/related; boundary=b", &body, &limits) {
                Ok(parts) => check_parsed(&body, &parts, &limits)?,
                Err(MultipartError::ContentType(e)) => {
                    return Err(TestCaseError::fail(format!("valid content type refused: {e}")));
                }
                Err(_) => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn truncation_fails_unless_only_the_epilogue_is_cut((boundary, owned) in message()) {
        let parts = borrow_all(&owned);
        let bytes = written(&boundary, &parts)?;
        let n = bytes.len();
        for k in 0..=n {
            let cut = &bytes[..k];
            match parse_body(&boundary, cut, &Limits::default()) {
                Ok(parsed) => {
                    prop_assert!(k >= n - 2, "cut after {} of {} bytes parsed", k, n);
                    prop_assert_eq!(&parsed, &parts);
                }
                Err(e) => prop_assert!(k < n - 2, "cut after {k} of {n} bytes: {e}"),
            }
        }
    }

    #[test]
    fn damaged_delimiters_are_detected(
        (boundary, owned) in message(),
        mask in 1u8..=255,
    ) {
        let parts = borrow_all(&owned);
        let bytes = written(&boundary, &parts)?;
        let starts = delimiter_starts(&bytes, &boundary);
        let original = ok(parse_body(&boundary, &bytes, &Limits::default()), "parse_body")?;
        prop_assert_eq!(starts.len(), parts.len() + 1);
        let b = boundary.len();
        for (j, &start) in starts.iter().enumerate() {
            // `--B\r\n`, `\r\n--B\r\n` or `\r\n--B--`.
            let len = if j == 0 { b + 4 } else { b + 6 };
            for at in start..start + len {
                let mut damaged = bytes.clone();
                damaged[at] ^= mask;
                let result = parse_body(&boundary, &damaged, &Limits::default());
                if j == 0 {
                    prop_assert!(result.is_err(), "first delimiter damaged at {}: {:?}", at, result);
                } else if j == parts.len() {
                    prop_assert_eq!(
                        result,
                        Err(MultipartError::UnclosedBody { part: parts.len() - 1 })
                    );
                } else {
                    let parsed = ok(result, "damaged inner delimiter")?;
                    prop_assert_eq!(parsed.len(), parts.len() - 1);
                    prop_assert_eq!(&parsed[..j - 1], &parts[..j - 1]);
                    prop_assert_eq!(&parsed[j..], &parts[j + 1..]);
                    let merged = &parsed[j - 1];
                    prop_assert_eq!(&merged.headers, &parts[j - 1].headers);
                    // Part j-1's body started where its original body did and now ends at
                    // the delimiter after part j.
                    let body_start =
                        original[j - 1].body.as_ptr() as usize - bytes.as_ptr() as usize;
                    prop_assert_eq!(merged.body, &damaged[body_start..starts[j + 1]]);
                }
            }
        }
    }
}

/// The multipart seeds of the `multipart_parse` fuzz target: the first line is the
/// `Content-Type`, the rest is the body.
fn multipart_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let boundary = Boundary::new("xroadjDkDfRgvSpYLbqJhPaLXWmDHVeRnCf").unwrap_or_else(|e| {
        panic!("fixed boundary: {e}");
    });
    let ct = content_type_header(&boundary);
    let seed = |parts: &[Part<'_>]| -> Vec<u8> {
        let body = write(&boundary, parts).unwrap_or_else(|e| panic!("seed: {e}"));
        [ct.as_bytes(), b"\n", &body].concat()
    };
    let soap = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<SOAP-ENV:Envelope/>";
    vec![
        ("soap-only", seed(&[Part::soap(soap)])),
        (
            "client-reg",
            seed(&[
                Part::soap(soap),
                Part::signature("SHA512withRSA", b"\x30\x82\x01\x00SIG\r\n--xroad"),
                Part::octet_stream(b"\x30\x82\x03\x00CERT"),
                Part::octet_stream(b"\x30\x82\x01\x10OCSP"),
            ]),
        ),
        (
            "auth-cert-reg",
            seed(&[
                Part::soap(soap),
                Part::signature("SHA256withRSA", b"AUTHSIG"),
                Part::signature("SHA512withECDSA", b"OWNERSIG"),
                Part::octet_stream(b"\x30\x82AUTHCERT"),
                Part::octet_stream(b"\x30\x82SIGNCERT"),
                Part::octet_stream(b"\x30\x82OCSP"),
            ]),
        ),
        (
            "quoted-padding-epilogue",
            b"multipart/related; boundary=\"a b:c?\"\n\r\n--a b:c? \t\r\nX: 1\r\n\r\none\r\n\
              --a b:c?\r\n\r\ntwo\r\n--a b:c?-- \r\n\t\r\n"
                .to_vec(),
        ),
    ]
}

/// The committed seeds under `fuzz/seeds/multipart_parse` are the ones built here; with
/// `XROAD_WRITE_FUZZ_SEEDS=1` this test (re)writes them instead. Every seed parses.
#[test]
fn fuzz_seeds_are_current_and_valid() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/multipart_parse");
    let write_them = std::env::var_os("XROAD_WRITE_FUZZ_SEEDS").is_some_and(|v| v == "1");
    if write_them {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (name, bytes) in multipart_seeds() {
        let newline = bytes.iter().position(|&c| c == b'\n').unwrap();
        let ct = std::str::from_utf8(&bytes[..newline]).unwrap();
        let parts = parse(ct, &bytes[newline + 1..], &Limits::default())
            .unwrap_or_else(|e| panic!("seed {name}: {e}"));
        assert!(!parts.is_empty());
        let path = dir.join(name);
        if write_them {
            std::fs::write(&path, &bytes).unwrap();
        } else {
            let committed = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{}: {e}; run with XROAD_WRITE_FUZZ_SEEDS=1", path.display())
            });
            assert_eq!(
                committed, bytes,
                "{name} is stale; run with XROAD_WRITE_FUZZ_SEEDS=1"
            );
        }
    }
}

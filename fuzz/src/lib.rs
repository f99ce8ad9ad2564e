//! The checks the fuzz targets run on each input.
//!
//! Every parser must return a value or a typed error for any input. On top of that, each
//! check asserts properties of the values it gets back; a violated property panics, which
//! libFuzzer reports as a crash (the input is saved under `fuzz/artifacts/<target>/`).

mod verify_request;

pub use verify_request::{
    CA_PEM, FixtureError, INSTANCE, PROVIDER, VERIFY_AT, VerifyFixture, check_seed, check_seed_dir,
    join_input, kebab, parse_verify_at, split_input, verify_request,
};

use std::fmt::{Debug, Display};
use std::str::FromStr;

use xroad_mserv::centralservice::Header;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadIdentifierType, XRoadSecurityServerIdentifierType,
    XRoadServiceIdentifierType,
};
use xroad_codec::soap::Envelope;
use xroad_codec::xml::{self, ErrorKind, XmlRoot};
use xroad_mserv::{NAMESPACES, xroad};
use xroad_runtime::multipart::{
    self, Boundary, ContentType, Limits, MultipartWriter, Part, WriteError,
};

/// Limits small enough that the fuzzer reaches every limit error.
const SMALL_LIMITS: Limits = Limits {
    max_parts: 3,
    max_part_size: 64,
    max_header_block: 96,
    max_header_lines: 3,
};

/// Limits for re-reading what the writer produced from parsed parts: the writer normalizes
/// header lines to `name: value`, which may be longer than the lines that were parsed.
const REREAD_LIMITS: Limits = Limits {
    max_parts: usize::MAX,
    max_part_size: usize::MAX,
    max_header_block: usize::MAX,
    max_header_lines: usize::MAX,
};

/// Target `multipart_parse`. The input up to the first `\n` is the HTTP `Content-Type`
/// (invalid UTF-8 replaced by U+FFFD) and the rest is the body; an input without `\n` is all
/// content type, with an empty body.
///
/// Parsed with the default and with small limits. Every successful parse respects the
/// limits, borrows all slices from the body, has token header names and trimmed header values
/// without control characters other than tab; writing the parts again with the same boundary
/// either reads back to the same parts or is refused only because a body holds the boundary.
pub fn multipart(data: &[u8]) {
    let mut halves = data.splitn(2, |&b| b == b'\n');
    let content_type = String::from_utf8_lossy(halves.next().unwrap_or_default());
    let body = halves.next().unwrap_or_default();
    for limits in [Limits::default(), SMALL_LIMITS] {
        if let Ok(parts) = multipart::parse(&content_type, body, &limits) {
            check_parts(body, &parts, &limits);
            check_rewrite(&content_type, &parts);
        }
    }
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

fn check_parts(body: &[u8], parts: &[Part<'_>], limits: &Limits) {
    let (start, end) = (body.as_ptr() as usize, body.as_ptr() as usize + body.len());
    let inside = |s: &[u8]| start <= s.as_ptr() as usize && s.as_ptr() as usize + s.len() <= end;
    assert!(
        !parts.is_empty() && parts.len() <= limits.max_parts,
        "{} parts",
        parts.len()
    );
    for (i, part) in parts.iter().enumerate() {
        assert!(
            part.body.len() <= limits.max_part_size,
            "part {i} too large"
        );
        assert!(
            inside(part.body),
            "part {i} body is not borrowed from the input"
        );
        assert!(
            part.headers.len() <= limits.max_header_lines,
            "part {i} has too many headers"
        );
        for h in &part.headers {
            assert!(inside(h.name.as_bytes()) && inside(h.value.as_bytes()));
            assert!(
                !h.name.is_empty() && h.name.bytes().all(is_tchar),
                "part {i}: header name {:?} is not a token",
                h.name
            );
            assert!(
                h.value
                    .bytes()
                    .all(|c| c == b'\t' || (b' '..=b'~').contains(&c)),
                "part {i}: header value {:?} has control or non-ASCII characters",
                h.value
            );
            assert_eq!(h.value, h.value.trim_matches([' ', '\t']), "part {i}");
        }
    }
}

fn check_rewrite(content_type: &str, parts: &[Part<'_>]) {
    let boundary = ContentType::parse(content_type)
        .ok()
        .and_then(|ct| ct.boundary().map(str::to_owned));
    let Some(boundary) = boundary else {
        panic!("parsed with a content type that has no boundary: {content_type:?}");
    };
    let valid = Boundary::new(boundary.as_str());
    let Ok(valid) = valid else {
        panic!("parsed with an invalid boundary {boundary:?}: {valid:?}");
    };
    let written = multipart::write(&valid, parts);
    let mut incremental = MultipartWriter::new(&valid);
    let incremental = parts
        .iter()
        .try_for_each(|p| incremental.part(p).map(drop))
        .and_then(|()| incremental.finish());
    assert_eq!(written, incremental, "write and MultipartWriter differ");
    match written {
        Ok(bytes) => {
            let again = multipart::parse_body(&boundary, &bytes, &REREAD_LIMITS);
            assert_eq!(again.as_deref(), Ok(parts), "re-reading the written parts");
        }
        Err(WriteError::BoundaryInBody { part }) => {
            // The parser keeps `\r\n--B` that is not followed by `--` or CRLF as data; the
            // writer refuses such bodies outright.
            let delimiter = [b"\r\n--", boundary.as_bytes()].concat();
            let body = parts.get(part).map(|p| p.body).unwrap_or_default();
            assert!(
                body.starts_with(&delimiter[2..])
                    || body.windows(delimiter.len()).any(|w| w == delimiter),
                "writer refused part {part} whose body holds no delimiter"
            );
        }
        Err(e) => panic!("writer refuses parsed parts: {e}"),
    }
}

/// Target `envelope_parse`. The input is read as an envelope with every request and response
/// body of the `centralservice` operations. Every envelope that is read writes (with the WSDL
/// prefixes and with generated ones) and reads back equal, and its header client and body
/// security server identifiers survive their text form.
pub fn envelope(data: &[u8]) {
    check_envelope::<xroad::ClientReg>(data, |b| &b.0.server);
    check_envelope::<xroad::ClientRegResponse>(data, |b| &b.0.server);
    check_envelope::<xroad::ClientDeletion>(data, |b| &b.0.server);
    check_envelope::<xroad::ClientDeletionResponse>(data, |b| &b.0.server);
    check_envelope::<xroad::OwnerChange>(data, |b| &b.0.server);
    check_envelope::<xroad::OwnerChangeResponse>(data, |b| &b.0.server);
    check_envelope::<xroad::AuthCertReg>(data, |b| &b.0.server);
    check_envelope::<xroad::AuthCertRegResponse>(data, |b| &b.0.server);
    check_envelope::<xroad::AuthCertDeletion>(data, |b| &b.0.server);
    check_envelope::<xroad::AuthCertDeletionResponse>(data, |b| &b.0.server);
}

fn check_envelope<B: XmlRoot + PartialEq + Debug>(
    data: &[u8],
    server: impl Fn(&B) -> &XRoadSecurityServerIdentifierType,
) {
    let Ok(envelope) = Envelope::<Header, B>::from_slice(data) else {
        return;
    };
    for prefixes in [NAMESPACES, &[]] {
        let written = envelope
            .to_vec(prefixes)
            .unwrap_or_else(|e| panic!("read {envelope:?} but cannot write it: {e}"));
        let again = Envelope::<Header, B>::from_slice(&written).unwrap_or_else(|e| {
            panic!(
                "cannot read what was written: {e}\n{}",
                String::from_utf8_lossy(&written)
            )
        });
        assert_eq!(again, envelope, "envelope changed by writing and reading");
    }
    // Service identifiers are left out: a versioned service without a subsystem has the
    // same text form as an unversioned one with a subsystem.
    text_round_trip(&envelope.header.client);
    text_round_trip(server(&envelope.body));
}

/// Prints `value` and parses it back; the two must be equal.
fn text_round_trip<T>(value: &T)
where
    T: FromStr + Display + PartialEq + Debug,
    T::Err: Display,
{
    let text = value.to_string();
    match text.parse::<T>() {
        Ok(again) => assert_eq!(&again, value, "text form {text:?}"),
        Err(e) => panic!("cannot parse the text form {text:?} of {value:?}: {e}"),
    }
}

/// Target `identifier_parse`. The input, if UTF-8, is parsed as the textual form of every
/// identifier type. A parsed identifier prints as the input; whatever a restricted type
/// accepts, the general `XRoadIdentifierType` accepts and validates too; client and service
/// identifiers written as XML read back equal, or fail to write only for a character XML 1.0
/// cannot carry.
pub fn identifier(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let general = parse_text::<XRoadIdentifierType>(text);
    if let Some(general) = &general {
        assert!(general.validate().is_ok(), "{general:?} does not validate");
    }
    let restricted = [
        parse_text::<XRoadClientIdentifierType>(text).map(|client| {
            xml_round_trip(&xroad::Client(client));
        }),
        parse_text::<XRoadServiceIdentifierType>(text).map(|service| {
            xml_round_trip(&xroad::Service(service));
        }),
        parse_text::<XRoadSecurityServerIdentifierType>(text).map(drop),
    ];
    let accepted = restricted.iter().filter(|r| r.is_some()).count();
    assert!(
        accepted <= 1,
        "{text:?}: {accepted} restricted types accept it"
    );
    assert!(
        accepted == 0 || general.is_some(),
        "{text:?}: a restricted type accepts it, the general type does not"
    );
}

/// Parses `text` as `T`; a value must print as `text` again.
fn parse_text<T>(text: &str) -> Option<T>
where
    T: FromStr + Display + Debug,
{
    let value = text.parse::<T>().ok()?;
    assert_eq!(value.to_string(), text, "{value:?} prints differently");
    Some(value)
}

fn xml_round_trip<T: XmlRoot + PartialEq + Debug>(value: &T) {
    match xml::to_string(value) {
        Ok(written) => match xml::from_str::<T>(&written) {
            Ok(again) => assert_eq!(&again, value, "XML form {written:?}"),
            Err(e) => panic!("cannot read the XML written for {value:?}: {e}\n{written}"),
        },
        Err(e) => assert!(
            matches!(e.kind, ErrorKind::UnwritableChar(_)),
            "cannot write {value:?}: {e}"
        ),
    }
}

//! Property tests of identifiers and SOAP envelopes of the `centralservice` bindings.
//!
//! What is asserted, precisely:
//!
//! 1. **Codes.** `Code::new` accepts a string if and only if it has 1–255 characters and none
//!    of them is `: ; % / \`, a control character, U+FEFF or U+200B.
//! 2. **Text form.** Client, service and security server identifiers built from valid codes
//!    print as `TYPE:code/…`, parse back to equal values, and the same text parses as the
//!    general `XRoadIdentifierType`, which then passes its own `validate` and prints the same
//!    text. The exception is a service with a version but no subsystem: its five codes read
//!    back as member, subsystem (the service code) and service (the version).
//! 3. **Envelopes.** `Envelope<centralservice::Header, B>` for every request and response
//!    body `B`, with arbitrary valid identifiers, ids, protocol versions, request hashes,
//!    addresses, certificates and request ids (text of XML 1.0 characters, codes of the allowed
//!    alphabet that XML can carry), is written by `to_vec` (with the WSDL prefixes and with
//!    generated ones) and read back by `from_slice` to an equal value.
//! 4. **No panics.** Arbitrary bytes, and Annex A messages damaged by bit flips, deletions,
//!    insertions of XML fragments, duplications and truncation, read as every body type give
//!    a value or an error; every value that is read is written and read again unchanged.
//!
//! `Code::new` refuses U+FFFE and U+FFFF, which XML 1.0 cannot carry, so every valid code
//! can be written (`codes_xml_cannot_carry_are_refused`).

use std::fmt::Debug;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use xroad_codec::identifier::{Code, CodeError, MAX_CODE_LEN};
use xroad_codec::soap::Envelope;
use xroad_codec::xml::XmlRoot;
use xroad_mserv::NAMESPACES;
use xroad_mserv::centralservice::Header;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadIdentifierType, XRoadObjectType,
    XRoadSecurityServerIdentifierType, XRoadServiceIdentifierType,
};
use xroad_mserv::xroad::{
    self, AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRequestType, RequestHash,
    RequestIdType,
};

/// Is `ch` forbidden in a code (the rule of `xroad_codec::identifier`)?
fn forbidden_in_code(ch: char) -> bool {
    matches!(
        ch,
        ':' | ';' | '%' | '/' | '\\' | '\u{FEFF}' | '\u{200B}' | '\u{FFFE}' | '\u{FFFF}'
    ) || ch.is_control()
}

/// Can XML 1.0 carry `ch` (the `Char` production)?
fn xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// A character of text: mostly ASCII and markup-significant characters, some of any plane.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::char::range(' ', '~'),
        2 => prop::sample::select(vec!['<', '>', '&', '"', '\'', '\t', '\n', '\r', ']', 'ä', '日']),
        2 => any::<char>().prop_filter("XML character", |&c| xml_char(c)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(text_char(), 0..24).prop_map(String::from_iter)
}

/// A character allowed in a code that XML can carry.
fn code_char() -> impl Strategy<Value = char> {
    text_char().prop_filter("allowed in a code", |&c| !forbidden_in_code(c))
}

fn code() -> impl Strategy<Value = Code> {
    prop_oneof![
        40 => prop::collection::vec(code_char(), 1..12),
        1 => prop::collection::vec(code_char(), MAX_CODE_LEN..=MAX_CODE_LEN),
    ]
    .prop_map(|chars| {
        let text = String::from_iter(chars);
        Code::new(text.clone()).unwrap_or_else(|e| panic!("{text:?} is a valid code: {e}"))
    })
}

fn client() -> impl Strategy<Value = XRoadClientIdentifierType> {
    (code(), code(), code(), prop::option::of(code())).prop_map(
        |(x_road_instance, member_class, member_code, subsystem_code)| XRoadClientIdentifierType {
            object_type: if subsystem_code.is_some() {
                XRoadObjectType::Subsystem
            } else {
                XRoadObjectType::Member
            },
            x_road_instance,
            member_class,
            member_code,
            subsystem_code,
        },
    )
}

fn service() -> impl Strategy<Value = XRoadServiceIdentifierType> {
    (
        (code(), code(), code()),
        prop::option::of(code()),
        code(),
        prop::option::of(code()),
    )
        .prop_map(
            |((x_road_instance, member_class, member_code), subsystem_code, service_code, v)| {
                XRoadServiceIdentifierType {
                    object_type: XRoadObjectType::Service,
                    x_road_instance,
                    member_class,
                    member_code,
                    subsystem_code,
                    service_code,
                    service_version: v,
                }
            },
        )
}

fn server() -> impl Strategy<Value = XRoadSecurityServerIdentifierType> {
    (code(), code(), code(), code()).prop_map(
        |(x_road_instance, member_class, member_code, server_code)| {
            XRoadSecurityServerIdentifierType {
                object_type: XRoadObjectType::Server,
                x_road_instance,
                member_class,
                member_code,
                server_code,
            }
        },
    )
}

fn header() -> impl Strategy<Value = Header> {
    (
        client(),
        service(),
        text(),
        text(),
        prop::option::of((text(), text())),
    )
        .prop_map(|(client, service, id, protocol_version, hash)| Header {
            client,
            service,
            id,
            protocol_version,
            request_hash: hash.map(|(algorithm_id, value)| RequestHash {
                algorithm_id,
                value,
            }),
        })
}

fn request_id() -> impl Strategy<Value = Option<RequestIdType>> {
    prop::option::of(any::<i64>().prop_map(RequestIdType))
}

fn client_request() -> impl Strategy<Value = ClientRequestType> {
    (server(), client(), request_id()).prop_map(|(server, client, request_id)| ClientRequestType {
        server,
        client,
        request_id,
    })
}

/// `body` as the body of a clientReg, without a subsystem name.
fn reg(body: ClientRequestType) -> xroad::ClientRegRequestType {
    xroad::ClientRegRequestType {
        server: body.server,
        client: body.client,
        subsystem_name: None,
        request_id: body.request_id,
    }
}

fn auth_cert() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

fn auth_cert_reg() -> impl Strategy<Value = AuthCertRegRequestType> {
    (
        server(),
        prop::option::of(text()),
        auth_cert(),
        request_id(),
    )
        .prop_map(
            |(server, address, auth_cert, request_id)| AuthCertRegRequestType {
                server,
                address,
                auth_cert,
                request_id,
            },
        )
}

fn auth_cert_deletion() -> impl Strategy<Value = AuthCertDeletionRequestType> {
    (server(), auth_cert(), request_id()).prop_map(|(server, auth_cert, request_id)| {
        AuthCertDeletionRequestType {
            server,
            auth_cert,
            request_id,
        }
    })
}

fn fail(what: &str, e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(format!("{what}: {e}"))
}

/// Writes `envelope` with the WSDL prefixes and with generated ones; both read back equal.
fn round_trips<B: XmlRoot + PartialEq + Debug>(
    envelope: &Envelope<Header, B>,
) -> Result<(), TestCaseError> {
    for prefixes in [NAMESPACES, &[]] {
        let bytes = envelope.to_vec(prefixes).map_err(|e| fail("to_vec", e))?;
        let back = Envelope::<Header, B>::from_slice(&bytes).map_err(|e| {
            fail(
                &format!("from_slice of {}", String::from_utf8_lossy(&bytes)),
                e,
            )
        })?;
        prop_assert_eq!(&back, envelope);
    }
    Ok(())
}

/// Reads `input` as an envelope with body `B`; a value that is read must survive writing
/// and reading again. Returns whether `input` was accepted.
fn accepted_as<B: XmlRoot + PartialEq + Debug>(input: &[u8]) -> Result<bool, TestCaseError> {
    match Envelope::<Header, B>::from_slice(input) {
        Ok(envelope) => round_trips(&envelope).map(|()| true),
        Err(_) => Ok(false),
    }
}

/// Reads `input` as every request and response body; returns how many accepted it.
fn accepted_by_any_body(input: &[u8]) -> Result<usize, TestCaseError> {
    let accepted = [
        accepted_as::<xroad::ClientReg>(input)?,
        accepted_as::<xroad::ClientRegResponse>(input)?,
        accepted_as::<xroad::ClientDeletion>(input)?,
        accepted_as::<xroad::ClientDeletionResponse>(input)?,
        accepted_as::<xroad::AuthCertReg>(input)?,
        accepted_as::<xroad::AuthCertRegResponse>(input)?,
        accepted_as::<xroad::AuthCertDeletion>(input)?,
        accepted_as::<xroad::AuthCertDeletionResponse>(input)?,
        accepted_as::<xroad::OwnerChange>(input)?,
        accepted_as::<xroad::OwnerChangeResponse>(input)?,
    ];
    Ok(accepted.into_iter().filter(|&a| a).count())
}

/// The Annex A messages.
const ANNEX_A: &[(&str, &[u8])] = &[
    (
        "a1-client-reg-request",
        include_bytes!("../../tests/fixtures/annex-a/a1-client-reg-request.xml"),
    ),
    (
        "a1-client-reg-response",
        include_bytes!("../../tests/fixtures/annex-a/a1-client-reg-response.xml"),
    ),
    (
        "a2-client-deletion-request",
        include_bytes!("../../tests/fixtures/annex-a/a2-client-deletion-request.xml"),
    ),
    (
        "a2-client-deletion-response",
        include_bytes!("../../tests/fixtures/annex-a/a2-client-deletion-response.xml"),
    ),
    (
        "a3-auth-cert-reg-request",
        include_bytes!("../../tests/fixtures/annex-a/a3-auth-cert-reg-request.xml"),
    ),
    (
        "a3-auth-cert-reg-response",
        include_bytes!("../../tests/fixtures/annex-a/a3-auth-cert-reg-response.xml"),
    ),
    (
        "a4-auth-cert-deletion-request",
        include_bytes!("../../tests/fixtures/annex-a/a4-auth-cert-deletion-request.xml"),
    ),
    (
        "a4-auth-cert-deletion-response",
        include_bytes!("../../tests/fixtures/annex-a/a4-auth-cert-deletion-response.xml"),
    ),
    (
        "a5-owner-change-request",
        include_bytes!("../../tests/fixtures/annex-a/a5-owner-change-request.xml"),
    ),
    (
        "a5-owner-change-response",
        include_bytes!("../../tests/fixtures/annex-a/a5-owner-change-response.xml"),
    ),
];

/// XML fragments inserted by the mutations.
const FRAGMENTS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#xFFFE;",
    b"&#x110000;",
    b"&bogus;",
    b"\"",
    b":",
    b"/",
    b" id:objectType=\"MEMBER\"",
    b" xmlns=\"\"",
    b" xmlns:id=\"urn:other\"",
    b"<!DOCTYPE a>",
    b"<![CDATA[x]]>",
    b"<!-- c -->",
    b"<?pi x?>",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\0",
    b"</a>",
    b"<a>",
    b"<id:subsystemCode>s</id:subsystemCode>",
    b"<xroad:requestId>-9223372036854775808</xroad:requestId>",
];

/// One damage to a message.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(prop::sample::Index, u8),
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, &'static [u8]),
    Duplicate(prop::sample::Index, usize, prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<prop::sample::Index>;
    prop_oneof![
        3 => (at(), 0u8..8).prop_map(|(i, bit)| Mutation::FlipBit(i, bit)),
        2 => (at(), 1usize..64).prop_map(|(i, len)| Mutation::Delete(i, len)),
        3 => (at(), prop::sample::select(FRAGMENTS)).prop_map(|(i, f)| Mutation::Insert(i, f)),
        2 => (at(), 1usize..128, at()).prop_map(|(i, len, to)| Mutation::Duplicate(i, len, to)),
        1 => at().prop_map(Mutation::Truncate),
    ]
}

fn apply(input: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = input.to_vec();
    for m in mutations {
        // Positions index the gaps 0..=len, so that the end can be hit too.
        let gap = |i: &prop::sample::Index, len: usize| i.index(len + 1);
        match m {
            Mutation::FlipBit(i, bit) => {
                if !out.is_empty() {
                    let at = i.index(out.len());
                    out[at] ^= 1 << bit;
                }
            }
            Mutation::Delete(i, len) => {
                let at = gap(i, out.len());
                out.drain(at..(at + len).min(out.len()));
            }
            Mutation::Insert(i, fragment) => {
                let at = gap(i, out.len());
                out.splice(at..at, fragment.iter().copied());
            }
            Mutation::Duplicate(i, len, to) => {
                let at = gap(i, out.len());
                let copy = out[at..(at + len).min(out.len())].to_vec();
                let to = gap(to, out.len());
                out.splice(to..to, copy);
            }
            Mutation::Truncate(i) => {
                let at = gap(i, out.len());
                out.truncate(at);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn code_accepts_exactly_the_allowed_alphabet(
        text in prop_oneof![
            any::<String>(),
            prop::collection::vec(code_char(), 250..260).prop_map(String::from_iter),
            prop::collection::vec(
                prop_oneof![code_char(), any::<char>()], 0..8
            ).prop_map(String::from_iter),
        ]
    ) {
        let chars = text.chars().count();
        let expected = if let Some((position, ch)) =
            text.chars().enumerate().find(|&(_, c)| forbidden_in_code(c))
        {
            Err(CodeError::ForbiddenChar { ch, position })
        } else if chars == 0 {
            Err(CodeError::Empty)
        } else if chars > MAX_CODE_LEN {
            Err(CodeError::TooLong(chars))
        } else {
            Ok(())
        };
        prop_assert_eq!(Code::new(text.clone()).map(|c| c.into_string()), expected.map(|()| text));
    }

    #[test]
    fn identifiers_round_trip_through_the_text_form(
        client in client(),
        service in service(),
        server in server(),
    ) {
        let text = client.to_string();
        prop_assert_eq!(&text.parse::<XRoadClientIdentifierType>().map_err(|e| fail(&text, e))?, &client);
        let general = text.parse::<XRoadIdentifierType>().map_err(|e| fail(&text, e))?;
        prop_assert_eq!(general.validate(), Ok(()));
        prop_assert_eq!(general.to_string(), text);

        let text = service.to_string();
        let parsed = text.parse::<XRoadServiceIdentifierType>().map_err(|e| fail(&text, e))?;
        if service.subsystem_code.is_none() && service.service_version.is_some() {
            // Five codes always mean member, subsystem and service: a versioned service
            // without a subsystem reads back with its service code as the subsystem.
            let shifted = XRoadServiceIdentifierType {
                subsystem_code: Some(service.service_code.clone()),
                service_code: service.service_version.clone().unwrap_or(service.service_code.clone()),
                service_version: None,
                ..service.clone()
            };
            prop_assert_eq!(&parsed, &shifted);
        } else {
            prop_assert_eq!(&parsed, &service);
        }
        let general = text.parse::<XRoadIdentifierType>().map_err(|e| fail(&text, e))?;
        prop_assert_eq!(general.validate(), Ok(()));
        prop_assert_eq!(general.to_string(), text);

        let text = server.to_string();
        prop_assert_eq!(
            &text.parse::<XRoadSecurityServerIdentifierType>().map_err(|e| fail(&text, e))?,
            &server
        );
        let general = text.parse::<XRoadIdentifierType>().map_err(|e| fail(&text, e))?;
        prop_assert_eq!(general.validate(), Ok(()));
        prop_assert_eq!(general.to_string(), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn client_request_envelopes_round_trip(
        header in header(),
        body in client_request(),
        which in 0..6,
    ) {
        match which {
            0 => round_trips(&Envelope { header, body: xroad::ClientReg(reg(body)) })?,
            1 => round_trips(&Envelope { header, body: xroad::ClientDeletion(body) })?,
            2 => round_trips(&Envelope { header, body: xroad::OwnerChange(body) })?,
            3 => round_trips(&Envelope { header, body: xroad::ClientRegResponse(reg(body)) })?,
            4 => round_trips(&Envelope { header, body: xroad::ClientDeletionResponse(body) })?,
            _ => round_trips(&Envelope { header, body: xroad::OwnerChangeResponse(body) })?,
        }
    }

    #[test]
    fn auth_cert_envelopes_round_trip(
        header in header(),
        reg in auth_cert_reg(),
        deletion in auth_cert_deletion(),
        response in any::<bool>(),
    ) {
        if response {
            round_trips(&Envelope { header: header.clone(), body: xroad::AuthCertRegResponse(reg) })?;
            round_trips(&Envelope { header, body: xroad::AuthCertDeletionResponse(deletion) })?;
        } else {
            round_trips(&Envelope { header: header.clone(), body: xroad::AuthCertReg(reg) })?;
            round_trips(&Envelope { header, body: xroad::AuthCertDeletion(deletion) })?;
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_bytes_give_a_value_or_an_error(
        input in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            // Past the XML declaration, so that the envelope reader is reached.
            prop::collection::vec(any::<u8>(), 0..300).prop_map(|tail| {
                [&b"<?xml version=\"1.0\"?><SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">"[..], &tail].concat()
            }),
        ],
    ) {
        accepted_by_any_body(&input)?;
    }

    #[test]
    fn damaged_annex_a_messages_give_a_value_or_an_error(
        fixture in prop::sample::select(ANNEX_A),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let input = apply(fixture.1, &mutations);
        accepted_by_any_body(&input)?;
    }
}

/// Each Annex A message is accepted as exactly one body type (its own), which is what makes
/// the damaged variants above meaningful.
#[test]
fn annex_a_messages_are_accepted_by_one_body_type() {
    for (name, bytes) in ANNEX_A {
        assert_eq!(accepted_by_any_body(bytes).unwrap(), 1, "{name}");
    }
}

/// `Code::new` accepts U+FFFE and U+FFFF, which are not XML 1.0 characters: such a code can be
/// built and printed, but writing it fails with a typed error naming the element, never
/// with a panic or with output that no XML reader accepts.
#[test]
fn codes_xml_cannot_carry_are_refused() {
    for ch in ['\u{FFFE}', '\u{FFFF}'] {
        let error = Code::new(format!("a{ch}")).unwrap_err();
        assert!(error.to_string().contains("forbidden character"), "{error}");
    }
}

/// The identifier seeds of the `identifier_parse` fuzz target: one per object type and shape.
fn identifier_seeds() -> Vec<(&'static str, String)> {
    let c = |s: &str| Code::new(s).unwrap_or_else(|e| panic!("{s}: {e}"));
    let member = XRoadClientIdentifierType {
        object_type: XRoadObjectType::Member,
        x_road_instance: c("EE"),
        member_class: c("GOV"),
        member_code: c("TS1OWNER"),
        subsystem_code: None,
    };
    let subsystem = XRoadClientIdentifierType {
        object_type: XRoadObjectType::Subsystem,
        member_class: c("COM"),
        member_code: c("Ülo Õun 日本"),
        subsystem_code: Some(c("subsystem")),
        ..member.clone()
    };
    let server = XRoadSecurityServerIdentifierType {
        object_type: XRoadObjectType::Server,
        x_road_instance: c("EE"),
        member_class: c("GOV"),
        member_code: c("TS1OWNER"),
        server_code: c("TS1"),
    };
    let service = XRoadServiceIdentifierType {
        object_type: XRoadObjectType::Service,
        x_road_instance: c("EE"),
        member_class: c("GOV"),
        member_code: c("TS1OWNER"),
        subsystem_code: None,
        service_code: c("clientReg"),
        service_version: None,
    };
    let versioned = XRoadServiceIdentifierType {
        subsystem_code: Some(c("sub")),
        service_version: Some(c("v1")),
        ..service.clone()
    };
    vec![
        ("member", member.to_string()),
        ("subsystem", subsystem.to_string()),
        ("server", server.to_string()),
        ("service", service.to_string()),
        ("service-versioned", versioned.to_string()),
    ]
}

/// The committed seeds under `fuzz/seeds/identifier_parse` are the ones built here; with
/// `XROAD_WRITE_FUZZ_SEEDS=1` this test (re)writes them instead. Every seed parses as the
/// general identifier type.
#[test]
fn fuzz_seeds_are_current_and_valid() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/identifier_parse");
    let write_them = std::env::var_os("XROAD_WRITE_FUZZ_SEEDS").is_some_and(|v| v == "1");
    if write_them {
        std::fs::create_dir_all(&dir).unwrap();
    }
    for (name, text) in identifier_seeds() {
        let parsed: XRoadIdentifierType = text.parse().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.validate(), Ok(()));
        let path = dir.join(name);
        if write_them {
            std::fs::write(&path, &text).unwrap();
        } else {
            let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
                panic!("{}: {e}; run with XROAD_WRITE_FUZZ_SEEDS=1", path.display())
            });
            assert_eq!(
                committed, text,
                "{name} is stale; run with XROAD_WRITE_FUZZ_SEEDS=1"
            );
        }
    }
}

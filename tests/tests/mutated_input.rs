//! Damaged input never panics: thousands of deterministic mutations of an Annex A message
//! and of the WSDL each end in a value or a typed error.

use std::path::Path;

use xroad_codec::operation::Operation;
use xroad_codec::soap::Envelope;
use xroad_mserv::centralservice::{AuthCertReg, ClientReg, Header};
use xroad_tests::{annex_a, wsdl_path};

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"&bogus;",
    b"\"",
    b"'",
    b":",
    b"/",
    b"xmlns:id=\"\"",
    b"<!DOCTYPE a>",
    b"<![CDATA[x]]>",
    b"<!--",
    b"\xff",
    b"\xc3",
    b"\0",
    b"</a>",
    b"<a>",
];

fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(5) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            3 => {
                let end = (at + rng.below(128)).min(out.len());
                let copy = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, copy);
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn mutated_envelopes_give_errors_not_panics() {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    for fixture in ["a1-client-reg-request.xml", "a3-auth-cert-reg-request.xml"] {
        let original = annex_a(fixture);
        let mut rejected = 0;
        for _ in 0..4_000 {
            let input = mutate(original.as_bytes(), &mut rng);
            let ok = if fixture.starts_with("a1") {
                Envelope::<Header, <ClientReg as Operation>::Request>::from_slice(&input).is_ok()
            } else {
                Envelope::<Header, <AuthCertReg as Operation>::Request>::from_slice(&input).is_ok()
            };
            rejected += usize::from(!ok);
        }
        // Most mutations break the message; the test is meaningful only if they were seen.
        assert!(
            rejected > 2_000,
            "{fixture}: only {rejected} of 4000 mutations rejected"
        );
    }
}

#[test]
fn mutated_wsdls_give_errors_not_panics() {
    let original = std::fs::read(wsdl_path()).expect("WSDL");
    let options = xroad_codegen::Options::default();
    let mut rng = Rng(0x5EED_1234_ABCD_0002);
    let mut rejected = 0;
    for _ in 0..400 {
        let input = mutate(&original, &mut rng);
        let Ok(text) = String::from_utf8(input) else {
            rejected += 1;
            continue;
        };
        if xroad_codegen::generate_str(Path::new("mutated.wsdl"), &text, &options).is_err() {
            rejected += 1;
        }
    }
    assert!(
        rejected > 200,
        "only {rejected} of 400 mutated WSDLs rejected"
    );
}

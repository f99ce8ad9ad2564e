//! Target `verify_request`: the whole server-side verification of a management request, as
//! the central server's transport handler runs it ([`Verifier::open`], then
//! [`Verifier::verify`] as the operation the service code names: framing, SOAP envelope,
//! addressing, signatures, certificates, OCSP responses), against a fixed PKI and a fixed
//! clock so that committed seeds stay valid.
//!
//! The PKI is the one in `fuzz/pki/` (written by the `gen_verify_seeds` binary): the root CA
//! is the only trust anchor and signs the OCSP responses itself; `verify-at` holds the Unix
//! time every input is verified at, the time the seeds' OCSP responses were made for.

use std::fmt;
use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use openssl::error::ErrorStack;
use xroad_codec::identifier::{Code, IdentifierError};
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadObjectType};
use xroad_runtime::ManagementOperation;
use xroad_runtime::cert::{CertificateError, MemberId, TrustStore};
use xroad_runtime::envelope::{Response, build_fault, parse_fault, parse_request, parse_response};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
use xroad_runtime::operation::{ManagementBody, Operation, Signer};
use xroad_runtime::verify::{VerifiedRequest, Verifier, VerifierConfig};

/// The root CA certificate of the fixed PKI, PEM.
pub const CA_PEM: &str = include_str!("../pki/ca.pem");
/// The verification time of the fixed PKI: Unix seconds, as text.
pub const VERIFY_AT: &str = include_str!("../pki/verify-at");
/// The X-Road instance the verifier serves.
pub const INSTANCE: &str = "EE";
/// The management service provider the verifier expects in the header `service`: the member
/// the Annex A example requests are addressed to, so that those reach the signature checks.
pub const PROVIDER: &str = "MEMBER:EE/GOV/TS1OWNER";
/// The request id the checks answer accepted requests with.
const RESPONSE_REQUEST_ID: i64 = 1;

/// Why a [`VerifyFixture`] cannot be built.
#[derive(Debug)]
pub enum FixtureError {
    /// The CA certificate PEM does not parse.
    Ca(CertificateError),
    /// `verify-at` is not a number of seconds.
    Time(String),
    /// The instance or the provider identifier is invalid.
    Identifier(String),
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixtureError::Ca(e) => write!(f, "CA certificate: {e}"),
            FixtureError::Time(text) => write!(
                f,
                "verification time {text:?} is not a number of seconds since the Unix epoch"
            ),
            FixtureError::Identifier(e) => write!(f, "identifier: {e}"),
        }
    }
}

impl std::error::Error for FixtureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FixtureError::Ca(e) => Some(e),
            FixtureError::Time(_) | FixtureError::Identifier(_) => None,
        }
    }
}

/// A request of one of the five operations that passed verification.
pub enum Verified {
    /// A clientReg.
    ClientReg(VerifiedRequest<ClientReg>),
    /// A clientDeletion.
    ClientDeletion(VerifiedRequest<ClientDeletion>),
    /// An authCertReg.
    AuthCertReg(VerifiedRequest<AuthCertReg>),
    /// An authCertDeletion.
    AuthCertDeletion(VerifiedRequest<AuthCertDeletion>),
    /// An ownerChange.
    OwnerChange(VerifiedRequest<OwnerChange>),
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verified::ClientReg(v) => v.fmt(f),
            Verified::ClientDeletion(v) => v.fmt(f),
            Verified::AuthCertReg(v) => v.fmt(f),
            Verified::AuthCertDeletion(v) => v.fmt(f),
            Verified::OwnerChange(v) => v.fmt(f),
        }
    }
}

impl Verified {
    /// The operation (its name, the service code).
    pub fn operation(&self) -> &'static str {
        match self {
            Verified::ClientReg(_) => ClientReg::NAME,
            Verified::ClientDeletion(_) => ClientDeletion::NAME,
            Verified::AuthCertReg(_) => AuthCertReg::NAME,
            Verified::AuthCertDeletion(_) => AuthCertDeletion::NAME,
            Verified::OwnerChange(_) => OwnerChange::NAME,
        }
    }

    /// The message id and the verified signer.
    fn id_and_signer(&self) -> (String, Option<MemberId>) {
        fn of<O: ManagementOperation>(v: &VerifiedRequest<O>) -> (String, Option<MemberId>) {
            (v.request.header.id.clone(), v.signer.clone())
        }
        match self {
            Verified::ClientReg(v) => of(v),
            Verified::ClientDeletion(v) => of(v),
            Verified::AuthCertReg(v) => of(v),
            Verified::AuthCertDeletion(v) => of(v),
            Verified::OwnerChange(v) => of(v),
        }
    }

    /// Checks an accepted request received in `body` (see [`verify_request`]).
    fn check(&self, body: &Bytes) {
        match self {
            Verified::ClientReg(v) => check_verified(body, v),
            Verified::ClientDeletion(v) => check_verified(body, v),
            Verified::AuthCertReg(v) => check_verified(body, v),
            Verified::AuthCertDeletion(v) => check_verified(body, v),
            Verified::OwnerChange(v) => check_verified(body, v),
        }
    }
}

/// Verifies a request as the transport handler of a central server serving the five
/// operations does: opens it, then verifies it as the operation its service code names.
fn verify_with(
    verifier: &Verifier,
    content_type: Option<&str>,
    body: &Bytes,
    at: SystemTime,
) -> Result<Verified, Fault> {
    let opened = verifier.open(content_type, body)?;
    match opened.service_code() {
        ClientReg::NAME => verifier.verify(opened, at).map(Verified::ClientReg),
        ClientDeletion::NAME => verifier.verify(opened, at).map(Verified::ClientDeletion),
        AuthCertReg::NAME => verifier.verify(opened, at).map(Verified::AuthCertReg),
        AuthCertDeletion::NAME => verifier.verify(opened, at).map(Verified::AuthCertDeletion),
        OwnerChange::NAME => verifier.verify(opened, at).map(Verified::OwnerChange),
        _ => Err(opened.unknown_service()),
    }
}

/// Two verifiers trusting one CA, one without and one with the signer cache, and the time
/// inputs are verified at.
pub struct VerifyFixture {
    uncached: Verifier,
    cached: Verifier,
    at: SystemTime,
}

impl fmt::Debug for VerifyFixture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyFixture")
            .field("verifier", &self.uncached)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// Parses `verify-at`: Unix seconds, surrounding whitespace allowed.
pub fn parse_verify_at(text: &str) -> Result<SystemTime, FixtureError> {
    text.trim()
        .parse::<u64>()
        .map(|seconds| UNIX_EPOCH + Duration::from_secs(seconds))
        .map_err(|_| FixtureError::Time(text.to_owned()))
}

impl VerifyFixture {
    /// Verifiers trusting the CAs of `ca_pem`, for [`INSTANCE`] and [`PROVIDER`], with the
    /// default limits and OCSP policy, verifying at `at`.
    pub fn new(ca_pem: &[u8], at: SystemTime) -> Result<Self, FixtureError> {
        let instance = Code::new(INSTANCE).map_err(|e| FixtureError::Identifier(e.to_string()))?;
        let provider: XRoadClientIdentifierType = PROVIDER
            .parse()
            .map_err(|e: IdentifierError| FixtureError::Identifier(e.to_string()))?;
        let verifier = |cache_capacity| -> Result<Verifier, FixtureError> {
            let config = VerifierConfig {
                cache_capacity,
                ..VerifierConfig::new(instance.clone(), provider.clone())
            };
            let trust = TrustStore::from_pem(ca_pem).map_err(FixtureError::Ca)?;
            Ok(Verifier::new(
                config,
                trust,
                OcspVerifier::new(OcspPolicy::default()),
            ))
        };
        Ok(Self {
            uncached: verifier(0)?,
            cached: verifier(VerifierConfig::DEFAULT_CACHE_CAPACITY)?,
            at,
        })
    }

    /// The fixture of the committed PKI (`fuzz/pki/`), built once.
    pub fn committed() -> &'static Self {
        static FIXTURE: LazyLock<VerifyFixture> = LazyLock::new(|| {
            let at = parse_verify_at(VERIFY_AT).expect("fuzz/pki/verify-at");
            VerifyFixture::new(CA_PEM.as_bytes(), at).expect("fuzz/pki/ca.pem")
        });
        &FIXTURE
    }

    /// The time inputs are verified at.
    pub fn at(&self) -> SystemTime {
        self.at
    }

    /// Verifies an input (see [`split_input`]) as the transport handler does, without the
    /// signer cache.
    pub fn verify(&self, data: &[u8]) -> Result<Verified, Fault> {
        let (content_type, body) = split_input(data);
        let body = Bytes::copy_from_slice(body);
        verify_with(&self.uncached, content_type.as_deref(), &body, self.at)
    }

    /// Verifies an input and checks the outcome (see [`verify_request`]).
    pub fn check(&self, data: &[u8]) {
        let (content_type, body) = split_input(data);
        let content_type = content_type.as_deref();
        let body = Bytes::copy_from_slice(body);
        drop(ErrorStack::get());
        let outcome = verify_with(&self.uncached, content_type, &body, self.at);
        assert_no_openssl_errors("without the signer cache");
        let summary = summarize(&outcome);
        // Twice through the cached verifier: the second run finds what the first cached.
        for round in ["first", "second"] {
            let cached = summarize(&verify_with(&self.cached, content_type, &body, self.at));
            assert_no_openssl_errors(round);
            assert_eq!(
                cached, summary,
                "{round} run with the signer cache differs from the run without"
            );
        }
        match outcome {
            Ok(verified) => verified.check(&body),
            Err(fault) => check_fault(&fault),
        }
    }
}

/// A verification must not leave errors on the thread's OpenSSL queue: they would join the
/// reason of the next OpenSSL failure on the thread, another request's fault.
fn assert_no_openssl_errors(run: &str) {
    let left = ErrorStack::get();
    assert!(
        left.errors().is_empty(),
        "the {run} verification left OpenSSL errors behind: {left}"
    );
}

/// Splits an input into the `Content-Type` header and the body. Up to the first `\n` is the
/// header value (invalid UTF-8 replaced by U+FFFD, as the transport reads it) and the rest
/// is the body; an input without `\n` is a body sent without a `Content-Type`.
pub fn split_input(data: &[u8]) -> (Option<std::borrow::Cow<'_, str>>, &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(end) => (
            Some(String::from_utf8_lossy(&data[..end])),
            &data[end + 1..],
        ),
        None => (None, data),
    }
}

/// An input for [`split_input`]: `content_type`, `\n`, `body`.
pub fn join_input(content_type: &str, body: &[u8]) -> Vec<u8> {
    [content_type.as_bytes(), b"\n", body].concat()
}

/// What must not depend on the signer cache: the operation, message id and signer of an
/// accepted request, or the whole fault of a refused one.
type Summary = Result<(&'static str, String, Option<MemberId>), Fault>;

fn summarize(outcome: &Result<Verified, Fault>) -> Summary {
    match outcome {
        Ok(v) => {
            let (id, signer) = v.id_and_signer();
            Ok((v.operation(), id, signer))
        }
        Err(fault) => Err(fault.clone()),
    }
}

/// Target `verify_request`. The input is a `Content-Type` line and a body (see
/// [`split_input`]), opened by [`Verifier::open`] and verified by [`Verifier::verify`] as the
/// operation its service code names, against the committed PKI at its
/// fixed time, without and (twice) with the signer cache; the three outcomes must agree, and
/// none may leave errors on the thread's OpenSSL queue.
///
/// An accepted request is consistent: the header service code names the operation, the MIME
/// parts are exactly the operation's and lie in the body, the SOAP part parses to the same
/// request, the header client is a member of the instance that owns the security server,
/// the verified signer is present exactly for the operations a member signs and is the member
/// the operation's description names, a proof of possession comes with the `authCert` of its
/// body, and the response the server would send (with and without `requestHash`, where it is
/// optional) builds and is accepted by the client's check. A refused request has a
/// fault other than `internal_error` whose SOAP message builds and parses back to the same code
/// and reason (characters XML cannot carry escaped).
pub fn verify_request(data: &[u8]) {
    VerifyFixture::committed().check(data);
}

fn check_verified<O>(body: &Bytes, v: &VerifiedRequest<O>)
where
    O: ManagementOperation<Request: PartialEq + fmt::Debug>,
{
    let operation = O::NAME;
    let description = O::DESCRIPTION;
    let header = &v.request.header;
    assert_eq!(
        header.service.service_code.as_str(),
        operation,
        "accepted a {operation} body under service {}",
        header.service
    );
    let p = &v.parts;
    assert_eq!(
        p.len(),
        description.parts.len(),
        "parts of an accepted {operation}"
    );
    if let Err(e) = p.check_against(description) {
        panic!("parts of an accepted {operation}: {e}");
    }

    let (start, end) = (body.as_ptr() as usize, body.as_ptr() as usize + body.len());
    let inside = |s: &[u8]| start <= s.as_ptr() as usize && s.as_ptr() as usize + s.len() <= end;
    for i in 0..p.len() {
        let part = p.body(i).expect("a part of the count");
        // An empty part need not point into the buffer (and is never accepted anyway).
        assert!(
            part.is_empty() || inside(part),
            "part {i} of the parts does not share the body's buffer"
        );
    }

    match parse_request::<O>(&p.soap) {
        Ok(again) => assert_eq!(again, v.request, "the SOAP part parses differently"),
        Err(e) => panic!("the SOAP part of an accepted request does not parse again: {e}"),
    }

    let client = &header.client;
    assert_eq!(
        client.object_type,
        XRoadObjectType::Member,
        "sender {client}"
    );
    assert_eq!(client.x_road_instance.as_str(), INSTANCE, "sender {client}");
    let server = v.server();
    assert!(
        server.x_road_instance == client.x_road_instance
            && server.member_class == client.member_class
            && server.member_code == client.member_code,
        "sender {client} is not the owner of {server}"
    );

    // The member whose signing certificate signs first.
    let member_signer = description
        .signatures()
        .map(|(_, signer, _, _)| signer)
        .find(|signer| *signer != Signer::AuthenticationKey);
    assert_eq!(
        v.signer.is_some(),
        member_signer.is_some(),
        "signer of an accepted {operation}"
    );
    let expected_signer = member_signer.map(|signer| match signer {
        Signer::ClientOwner | Signer::NewOwner => v
            .request
            .body
            .client()
            .expect("a member-signed operation with a client"),
        Signer::ServerOwner | Signer::AuthenticationKey => client,
    });
    if let (Some(signer), Some(expected)) = (&v.signer, expected_signer) {
        assert!(
            signer.matches(expected),
            "{operation} signed by {signer}, not by {expected}"
        );
    }
    for (_, signer, certificate, _) in description.signatures() {
        if signer == Signer::AuthenticationKey {
            assert_eq!(
                p.body(certificate).map(|c| &c[..]),
                v.request.body.auth_cert(),
                "attached authentication certificate"
            );
        }
    }

    // As the central server answering security servers directly builds it, and without
    // `requestHash` where the operation's responses need not carry it.
    let mut hashed = vec![description.request_hash];
    if !description.request_hash {
        hashed.push(true);
    }
    for request_hash in hashed {
        let response = Response::answer(&v.request, &p.soap, RESPONSE_REQUEST_ID, request_hash)
            .and_then(|response| response.to_soap())
            .unwrap_or_else(|e| panic!("cannot build the response to an accepted request: {e}"));
        match parse_response(&v.request, &p.soap, &response) {
            Ok(body) => assert_eq!(
                body.request_id(),
                Some(RESPONSE_REQUEST_ID),
                "request id of the response"
            ),
            Err(e) => panic!(
                "the response to an accepted request is refused: {e}\n{}",
                String::from_utf8_lossy(&response)
            ),
        }
    }
}

fn check_fault(fault: &Fault) {
    // `internal_error` is for the receiver's own failures; nothing a request holds is one.
    assert_ne!(
        fault.code,
        FaultCode::InternalError,
        "a request is refused as the verifier's own failure: {fault}"
    );
    let soap = build_fault(fault).unwrap_or_else(|e| panic!("cannot write fault {fault:?}: {e}"));
    match parse_fault(&soap) {
        Ok(again) => {
            assert_eq!(
                again.code(),
                fault.code,
                "fault code after writing and reading"
            );
            assert_eq!(
                again.fault.reason,
                writable_text(&fault.reason),
                "fault reason after writing and reading"
            );
        }
        Err(e) => panic!(
            "cannot read the fault written for {fault:?}: {e}\n{}",
            String::from_utf8_lossy(&soap)
        ),
    }
}

/// `text` with every character XML 1.0 cannot carry (control characters other than tab and
/// line breaks, U+FFFE, U+FFFF) replaced by its `\u{…}` escape: the reason a fault carries
/// in its SOAP message.
fn writable_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    out
}

/// The five operations, each of which needs an accepted seed.
const OPERATIONS: [&str; 5] = [
    ClientReg::NAME,
    ClientDeletion::NAME,
    AuthCertReg::NAME,
    AuthCertDeletion::NAME,
    OwnerChange::NAME,
];

/// Checks a seed against what its file name promises: `ok-<operation>` or `ok-<operation>-*` (the
/// operation in kebab case, e.g. `ok-client-reg-sha512`) or `ok-annex-a-*` is accepted, and
/// `bad-<fault code>-*` is refused with that code. Runs the target's checks on it too, which
/// panic if a property fails. Returns the operation of an accepted seed.
pub fn check_seed(
    fixture: &VerifyFixture,
    name: &str,
    data: &[u8],
) -> Result<Option<&'static str>, String> {
    let outcome = fixture.verify(data);
    let result = if let Some(rest) = name.strip_prefix("ok-") {
        match outcome {
            Ok(verified) => {
                let operation = verified.operation();
                let service = kebab(operation);
                let named = rest
                    .strip_prefix(&service)
                    .is_some_and(|tail| tail.is_empty() || tail.starts_with('-'));
                if named || rest.starts_with("annex-a-") {
                    Ok(Some(operation))
                } else {
                    Err(format!("{name} verifies as {operation}"))
                }
            }
            Err(fault) => Err(format!("{name} is refused: {fault}")),
        }
    } else if let Some(rest) = name.strip_prefix("bad-") {
        let code = rest
            .split('-')
            .next()
            .and_then(|code| code.parse::<FaultCode>().ok())
            .ok_or_else(|| format!("{name}: no fault code after `bad-`"))?;
        match outcome {
            Ok(v) => Err(format!("{name} is accepted as {}", v.operation())),
            Err(fault) if fault.code == code => Ok(None),
            Err(fault) => Err(format!("{name} is refused with {fault}")),
        }
    } else {
        Err(format!("seed {name} is neither ok-* nor bad-<code>-*"))
    };
    fixture.check(data);
    result
}

/// Checks every seed of `dir` with [`check_seed`], and that every operation has an accepted
/// seed. Returns the number of seeds.
pub fn check_seed_dir(fixture: &VerifyFixture, dir: &Path) -> Result<usize, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("{}: not a UTF-8 file name", path.display()))?
            .to_owned();
        names.push((name, path));
    }
    names.sort();
    let mut failures = Vec::new();
    let mut accepted = Vec::new();
    for (name, path) in &names {
        let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        match check_seed(fixture, name, &data) {
            Ok(operation) => accepted.extend(operation),
            Err(failure) => failures.push(failure),
        }
    }
    for operation in OPERATIONS {
        if !accepted.contains(&operation) {
            failures.push(format!("no accepted {operation} seed"));
        }
    }
    if failures.is_empty() {
        Ok(names.len())
    } else {
        Err(failures.join("\n"))
    }
}

/// `clientReg` -> `client-reg`.
pub fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! The committed seeds keep what their names promise, through the function the target
    //! uses, against the committed PKI.

    use super::*;

    #[test]
    fn committed_seeds_verify_as_named() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/verify_request");
        match check_seed_dir(VerifyFixture::committed(), &dir) {
            Ok(count) => assert!(count >= OPERATIONS.len(), "only {count} seeds"),
            Err(failures) => panic!("{failures}"),
        }
    }

    #[test]
    fn a_tampered_seed_fails_its_name() {
        let fixture = VerifyFixture::committed();
        let name = "ok-client-deletion-x";
        assert!(check_seed(fixture, name, b"text/xml\n<x/>").is_err());
        assert!(check_seed(fixture, "bad-internal_error-x", b"text/xml\n<x/>").is_err());
        assert!(check_seed(fixture, "bad-nonsense-x", b"text/xml\n<x/>").is_err());
    }

    #[test]
    fn input_without_newline_has_no_content_type() {
        assert_eq!(split_input(b"<x/>"), (None, &b"<x/>"[..]));
        let (content_type, body) = split_input(b"text/xml\n<x/>\n");
        assert_eq!(content_type.as_deref(), Some("text/xml"));
        assert_eq!(body, b"<x/>\n");
    }

    #[test]
    fn kebab_case_of_operations() {
        assert_eq!(kebab("clientReg"), "client-reg");
        assert_eq!(kebab("authCertDeletion"), "auth-cert-deletion");
    }
}

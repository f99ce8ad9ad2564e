//! Writes the fixed PKI of the `verify_request` fuzz target to `fuzz/pki/` and its seeds to
//! `fuzz/seeds/verify_request/`, then checks every seed against the new PKI with the
//! target's own verification (`ok-*` accepted, `bad-<code>-*` refused with that code).
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --bin gen_verify_seeds
//! ```
//!
//! Every run makes a new PKI (fresh keys, a new verification time) and replaces every seed,
//! so the PKI and the seeds always go together; rebuild the fuzz targets afterwards, they
//! embed `pki/ca.pem` and `pki/verify-at`.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xroad_fuzz::{PROVIDER, VerifyFixture, check_seed_dir, join_input};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad::{
    AuthCertDeletion, AuthCertDeletionRequestType, AuthCertReg, AuthCertRegRequestType,
    ClientDeletion, ClientReg, ClientRegRequestType, ClientRequestType, OwnerChange,
};
use xroad_runtime::compose::{AuthKeyProof, MemberSignature, compose};
use xroad_runtime::envelope::{Request, RequestBody, parse_request};
use xroad_runtime::message::{HttpMessage, RequestParts, SignaturePart};
use xroad_runtime::multipart::{self, Boundary, ContentType, Limits, Part};
use xroad_runtime::signature::{SignatureAlgorithm, Signer, SoftwareSigner};
use xroad_runtime::testpki::{CertRequest, CertStatus, Issued, OcspResponder, TestPki};

type BoxError = Box<dyn Error>;

/// The security server's owner, who sends every request.
const OWNER: &str = "MEMBER:EE/GOV/TS1OWNER";
/// The security server the requests are about.
const SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS1";
/// The subsystem registered and deleted.
const CLIENT: &str = "SUBSYSTEM:EE/COM/client/subsystem";
/// The new owner of ownerChange.
const NEW_OWNER: &str = "MEMBER:EE/COM/client";
/// A management service provider the verifier does not serve.
const OTHER_PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
/// The Annex A requests, relative to the fuzz crate.
const ANNEX_A: &str = "../tests/fixtures/annex-a";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_verify_seeds: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The certificates of the seeds, issued by one PKI.
struct Members {
    pki: TestPki,
    /// Signing certificate of the security server's owner, EE/GOV/TS1OWNER.
    owner: Issued,
    /// Signing certificate of EE/COM/client (clientReg, ownerChange), its own key.
    client: Issued,
    /// Signing certificate of EE/COM/MACK, the new owner of the Annex A ownerChange.
    mack: Issued,
    /// Authentication certificate of the security server, its own key.
    auth: Issued,
    /// EE/COM/client's certificate from a CA the verifier does not trust.
    untrusted: Issued,
    /// When the seeds are verified; the OCSP responses are made for this time.
    at: SystemTime,
}

impl Members {
    fn new() -> Result<Self, BoxError> {
        let pki = TestPki::new()?;
        let owner = pki.issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))?;
        let client = pki.issue(&CertRequest::signing("EE", "COM", "client").distinct_key())?;
        let mack = pki.issue(&CertRequest::signing("EE", "COM", "MACK"))?;
        let auth =
            pki.issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())?;
        let untrusted =
            pki.issue_by(&CertRequest::signing("EE", "COM", "client"), pki.other_ca())?;
        let seconds = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        Ok(Self {
            pki,
            owner,
            client,
            mack,
            auth,
            untrusted,
            at: UNIX_EPOCH + Duration::from_secs(seconds),
        })
    }

    fn at_seconds(&self) -> Result<u64, BoxError> {
        Ok(self.at.duration_since(UNIX_EPOCH)?.as_secs())
    }

    /// A good OCSP response for `cert`, made at the verification time.
    fn ocsp(&self, cert: &Issued) -> Result<Vec<u8>, BoxError> {
        Ok(OcspResponder::new(self.pki.ca())
            .at(self.at)
            .respond(cert.cert())?)
    }

    /// Writes the CA and member certificates and keys, and the verification time.
    fn write(&self, dir: &Path) -> Result<(), BoxError> {
        std::fs::create_dir_all(dir)?;
        for (name, issued) in [
            ("ca", self.pki.ca()),
            ("owner", &self.owner),
            ("client", &self.client),
            ("mack", &self.mack),
            ("auth", &self.auth),
        ] {
            std::fs::write(dir.join(format!("{name}.pem")), issued.cert_pem()?)?;
            std::fs::write(dir.join(format!("{name}.key.pem")), issued.key_pem()?)?;
        }
        std::fs::write(dir.join("verify-at"), format!("{}\n", self.at_seconds()?))?;
        Ok(())
    }
}

fn id<T>(text: &str) -> Result<T, BoxError>
where
    T: std::str::FromStr,
    T::Err: Error + 'static,
{
    Ok(text.parse::<T>()?)
}

fn client_body(client: &str) -> Result<ClientRequestType, BoxError> {
    Ok(ClientRequestType {
        server: id::<XRoadSecurityServerIdentifierType>(SERVER)?,
        client: id::<XRoadClientIdentifierType>(client)?,
        request_id: None,
    })
}

fn client_reg_body(client: &str) -> Result<ClientRegRequestType, BoxError> {
    Ok(ClientRegRequestType {
        server: id::<XRoadSecurityServerIdentifierType>(SERVER)?,
        client: id::<XRoadClientIdentifierType>(client)?,
        subsystem_name: None,
        request_id: None,
    })
}

fn request(body: impl Into<RequestBody>, provider: &str) -> Result<Request, BoxError> {
    Ok(Request::new(id(OWNER)?, &id(provider)?, body)?)
}

fn signer(issued: &Issued) -> Result<SoftwareSigner, BoxError> {
    Ok(SoftwareSigner::from_pkey(issued.key().clone())?)
}

/// A request signed by `member`'s key with `member` and `ocsp` attached (and the
/// authentication key proof for authCertReg).
fn signed(
    request: Request,
    member: &Issued,
    ocsp: &[u8],
    algorithm: SignatureAlgorithm,
    auth: Option<&Issued>,
) -> Result<HttpMessage, BoxError> {
    let der = member.cert_der()?;
    let member_signer = signer(member)?;
    let auth_signer = auth.map(signer).transpose()?;
    let signature = MemberSignature {
        signer: &member_signer,
        algorithm,
        certificate: &der,
        ocsp_response: ocsp,
    };
    let proof = auth_signer.as_ref().map(|signer| AuthKeyProof {
        signer,
        algorithm: SignatureAlgorithm::Sha256WithRsa,
    });
    Ok(compose(request, Some(signature), proof)?.message)
}

fn unsigned(request: Request) -> Result<HttpMessage, BoxError> {
    Ok(compose(request, None, None)?.message)
}

fn auth_cert_reg_at(m: &Members, address: &str) -> Result<HttpMessage, BoxError> {
    let body = AuthCertReg(AuthCertRegRequestType {
        server: id(SERVER)?,
        address: Some(address.to_owned()),
        auth_cert: m.auth.cert_der()?,
        request_id: None,
    });
    signed(
        request(body, PROVIDER)?,
        &m.owner,
        &m.ocsp(&m.owner)?,
        SignatureAlgorithm::Sha256WithRsaAndMgf1,
        Some(&m.auth),
    )
}

/// An Annex A request: its SOAP bytes as published, framed as its service needs, with
/// signatures over those bytes where the service carries them.
fn annex_a(
    file: &str,
    member: Option<(&Issued, &[u8])>,
    auth: Option<&Issued>,
) -> Result<HttpMessage, BoxError> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(ANNEX_A)
        .join(file);
    let soap = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let request = parse_request(&soap)?;
    let algorithm = SignatureAlgorithm::Sha512WithRsa;
    let member_signature = member
        .map(|(cert, _)| signer(cert)?.sign(algorithm, &soap).map_err(BoxError::from))
        .transpose()?;
    let proof = auth
        .map(|cert| signer(cert)?.sign(algorithm, &soap).map_err(BoxError::from))
        .transpose()?;
    let certificate = member.map(|(cert, _)| cert.cert_der()).transpose()?;
    let auth_certificate = match &request.body {
        RequestBody::AuthCertReg(body) => Some(body.0.auth_cert.as_slice()),
        _ => None,
    };
    let parts = RequestParts {
        soap: &soap,
        auth_key_signature: proof.as_deref().map(|value| SignaturePart {
            algorithm_id: algorithm.name(),
            value,
        }),
        signature: member_signature.as_deref().map(|value| SignaturePart {
            algorithm_id: algorithm.name(),
            value,
        }),
        auth_certificate,
        signing_certificate: certificate.as_deref(),
        ocsp_response: member.map(|(_, ocsp)| ocsp),
    };
    Ok(parts.encode(request.operation())?)
}

/// `message` with its multipart parts changed by `edit` and written again with the same
/// boundary.
fn reframed(
    message: &HttpMessage,
    edit: impl FnOnce(&mut Vec<Part<'_>>),
) -> Result<HttpMessage, BoxError> {
    let mut parts = multipart::parse(&message.content_type, &message.body, &Limits::default())?;
    edit(&mut parts);
    write_parts(message, &parts)
}

/// `parts` framed with the boundary of `message`.
fn write_parts(message: &HttpMessage, parts: &[Part<'_>]) -> Result<HttpMessage, BoxError> {
    let content_type = ContentType::parse(&message.content_type)?;
    let boundary = content_type
        .boundary()
        .ok_or("a multipart message without boundary")?;
    let boundary = Boundary::new(boundary)?;
    Ok(HttpMessage {
        content_type: message.content_type.clone(),
        body: multipart::write(&boundary, parts)?,
    })
}

/// `message` with the last byte of part `index` inverted.
fn flipped_part(message: &HttpMessage, index: usize) -> Result<HttpMessage, BoxError> {
    let mut parts = multipart::parse(&message.content_type, &message.body, &Limits::default())?;
    let part = parts.get_mut(index).ok_or("no such part")?;
    let mut body = part.body.to_vec();
    let last = body.last_mut().ok_or("an empty part")?;
    *last = !*last;
    part.body = &body;
    write_parts(message, &parts)
}

/// `message` with the first `from` in the body replaced by `to`.
fn replaced(message: &HttpMessage, from: &str, to: &str) -> Result<HttpMessage, BoxError> {
    let at = message
        .body
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .ok_or_else(|| format!("{from:?} is not in the message"))?;
    let body = [
        &message.body[..at],
        to.as_bytes(),
        &message.body[at + from.len()..],
    ]
    .concat();
    Ok(HttpMessage {
        content_type: message.content_type.clone(),
        body,
    })
}

fn seeds(m: &Members) -> Result<Vec<(String, Vec<u8>)>, BoxError> {
    let client_ocsp = m.ocsp(&m.client)?;
    let client_reg = signed(
        request(ClientReg(client_reg_body(CLIENT)?), PROVIDER)?,
        &m.client,
        &client_ocsp,
        SignatureAlgorithm::Sha512WithRsa,
        None,
    )?;
    let owner_change = signed(
        request(OwnerChange(client_body(NEW_OWNER)?), PROVIDER)?,
        &m.client,
        &client_ocsp,
        SignatureAlgorithm::Sha384WithRsaAndMgf1,
        None,
    )?;
    let auth_cert_reg = auth_cert_reg_at(m, "ss1.example.org")?;
    let client_deletion = unsigned(request(ClientDeletion(client_body(CLIENT)?), PROVIDER)?)?;
    let auth_cert_deletion = unsigned(request(
        AuthCertDeletion(AuthCertDeletionRequestType {
            server: id(SERVER)?,
            auth_cert: m.auth.cert_der()?,
            request_id: None,
        }),
        PROVIDER,
    )?)?;
    let mack_ocsp = m.ocsp(&m.mack)?;
    let owner_ocsp = m.ocsp(&m.owner)?;

    let mut out = vec![
        ("ok-client-reg-sha512".to_owned(), client_reg.clone()),
        ("ok-client-deletion".to_owned(), client_deletion.clone()),
        ("ok-auth-cert-reg".to_owned(), auth_cert_reg.clone()),
        ("ok-auth-cert-deletion".to_owned(), auth_cert_deletion),
        ("ok-owner-change-sha384-mgf1".to_owned(), owner_change),
        (
            "ok-annex-a-a1-client-reg".to_owned(),
            annex_a(
                "a1-client-reg-request.xml",
                Some((&m.client, &client_ocsp)),
                None,
            )?,
        ),
        (
            "ok-annex-a-a2-client-deletion".to_owned(),
            annex_a("a2-client-deletion-request.xml", None, None)?,
        ),
        (
            "ok-annex-a-a4-auth-cert-deletion".to_owned(),
            annex_a("a4-auth-cert-deletion-request.xml", None, None)?,
        ),
        (
            "ok-annex-a-a5-owner-change".to_owned(),
            annex_a(
                "a5-owner-change-request.xml",
                Some((&m.mack, &mack_ocsp)),
                None,
            )?,
        ),
        // The Annex A authentication certificate is issued by a CA the verifier does not
        // trust.
        (
            "bad-cert_validation-annex-a-a3-auth-cert-reg".to_owned(),
            annex_a(
                "a3-auth-cert-reg-request.xml",
                Some((&m.owner, &owner_ocsp)),
                Some(&m.auth),
            )?,
        ),
        (
            "bad-invalid_signature_value-tampered-signature".to_owned(),
            flipped_part(&client_reg, 1)?,
        ),
        (
            "bad-invalid_signature_value-tampered-auth-key-signature".to_owned(),
            flipped_part(&auth_cert_reg, 1)?,
        ),
        (
            "bad-invalid_signature_value-tampered-soap".to_owned(),
            replaced(&client_reg, "<xroad:id>", "<xroad:id>0")?,
        ),
        (
            "bad-mime_parsing_failed-missing-ocsp-part".to_owned(),
            reframed(&client_reg, |parts| parts.truncate(3))?,
        ),
        (
            "bad-mime_parsing_failed-extra-part".to_owned(),
            reframed(&client_reg, |parts| parts.push(parts[3].clone()))?,
        ),
        (
            "bad-incorrect_certificate-swapped-certificate-and-ocsp".to_owned(),
            reframed(&client_reg, |parts| parts.swap(2, 3))?,
        ),
        (
            "bad-invalid_content_type-soap-content-type".to_owned(),
            HttpMessage {
                content_type: "application/soap+xml".to_owned(),
                body: client_reg.body.clone(),
            },
        ),
        (
            "bad-invalid_request-signed-by-the-owner".to_owned(),
            signed(
                request(ClientReg(client_reg_body(CLIENT)?), PROVIDER)?,
                &m.owner,
                &owner_ocsp,
                SignatureAlgorithm::Sha256WithRsa,
                None,
            )?,
        ),
        (
            "bad-cert_validation-untrusted-signing-certificate".to_owned(),
            signed(
                request(ClientReg(client_reg_body(CLIENT)?), PROVIDER)?,
                &m.untrusted,
                &client_ocsp,
                SignatureAlgorithm::Sha256WithRsa,
                None,
            )?,
        ),
        (
            "bad-incorrect_validation_info-stale-ocsp".to_owned(),
            signed(
                request(ClientReg(client_reg_body(CLIENT)?), PROVIDER)?,
                &m.client,
                &OcspResponder::new(m.pki.ca())
                    .at(m.at - Duration::from_secs(2 * 3_600))
                    .respond(m.client.cert())?,
                SignatureAlgorithm::Sha256WithRsa,
                None,
            )?,
        ),
        (
            "bad-cert_validation-revoked".to_owned(),
            signed(
                request(ClientReg(client_reg_body(CLIENT)?), PROVIDER)?,
                &m.client,
                &OcspResponder::new(m.pki.ca())
                    .at(m.at)
                    .status(CertStatus::Revoked {
                        time: m.at - Duration::from_secs(60),
                        reason: None,
                    })
                    .respond(m.client.cert())?,
                SignatureAlgorithm::Sha256WithRsa,
                None,
            )?,
        ),
        (
            "bad-invalid_request-other-provider".to_owned(),
            unsigned(request(
                ClientDeletion(client_body(CLIENT)?),
                OTHER_PROVIDER,
            )?)?,
        ),
        (
            "bad-invalid_request-bad-address".to_owned(),
            auth_cert_reg_at(m, "-not a host-")?,
        ),
    ];
    let mut inputs: Vec<_> = out
        .drain(..)
        .map(|(name, message)| (name, join_input(&message.content_type, &message.body)))
        .collect();
    // A body sent without a Content-Type header: an input without `\n`.
    inputs.push((
        "bad-invalid_content_type-no-content-type".to_owned(),
        b"<SOAP-ENV:Envelope/>".to_vec(),
    ));
    Ok(inputs)
}

fn run() -> Result<(), BoxError> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let members = Members::new()?;
    let seeds = seeds(&members)?;

    let pki_dir = root.join("pki");
    members.write(&pki_dir)?;
    let seed_dir = root.join("seeds/verify_request");
    std::fs::create_dir_all(&seed_dir)?;
    for entry in std::fs::read_dir(&seed_dir)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::remove_file(&path)?;
        }
    }
    for (name, data) in &seeds {
        std::fs::write(seed_dir.join(name), data)?;
    }

    let ca_pem = members.pki.ca().cert_pem()?;
    let fixture = VerifyFixture::new(&ca_pem, members.at)?;
    for (name, data) in &seeds {
        match fixture.verify(data) {
            Ok(verified) => println!("{name}: accepted {}", verified.operation()),
            Err(fault) => println!("{name}: {fault}"),
        }
    }
    let count = check_seed_dir(&fixture, &seed_dir)?;
    println!(
        "wrote {} and {count} seeds to {}; verification time {}",
        pki_dir.display(),
        seed_dir.display(),
        members.at_seconds()?
    );
    Ok(())
}

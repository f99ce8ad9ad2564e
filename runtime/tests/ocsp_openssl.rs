//! Interoperability with the `openssl ocsp` command as an independent OCSP implementation:
//! responses of `openssl ocsp -index ...` are validated by [`OcspVerifier`], and responses
//! of the test PKI's responder are checked by `openssl ocsp -respin ...`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use openssl::hash::MessageDigest;
use openssl::x509::X509Ref;
use xroad_runtime::cert::Timestamp;
use xroad_runtime::ocsp::{
    OcspError, OcspPolicy, OcspVerifier, ResponderAuthority, RevocationReason,
};
use xroad_runtime::testpki::{CertRequest, CertStatus, Issued, OcspResponder, TestPki};

/// Runs `openssl` with `args` in `dir`; returns stdout and stderr together. Fails the test
/// if the command cannot be run or exits unsuccessfully.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let (success, text) = run_openssl(dir, args);
    assert!(success, "openssl {args:?} failed: {text}");
    text
}

/// Runs `openssl` with `args` in `dir`; returns whether it succeeded, and stdout and stderr
/// together. Fails the test if the command cannot be run.
fn run_openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `openssl` command must be installed (tests/run.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Writes the certificate (and key) of `issued` as `<stem>.pem` (and `<stem>.key`).
fn write(dir: &Path, stem: &str, issued: &Issued) {
    std::fs::write(dir.join(format!("{stem}.pem")), issued.cert_pem().unwrap()).unwrap();
    std::fs::write(dir.join(format!("{stem}.key")), issued.key_pem().unwrap()).unwrap();
}

/// A time as an `index.txt` date, `YYMMDDHHMMSSZ`.
fn index_time(time: Timestamp) -> String {
    let iso = time.to_string(); // 2026-11-22T07:44:27Z
    let digits: String = iso.chars().filter(char::is_ascii_digit).collect();
    format!("{}Z", &digits[2..])
}

/// An `index.txt` line for `cert`: valid, or revoked at `revoked` with a reason.
fn index_line(cert: &X509Ref, revoked: Option<(Timestamp, &str)>) -> String {
    let expiry = index_time(Timestamp::from_asn1(cert.not_after()).unwrap());
    let serial = cert
        .serial_number()
        .to_bn()
        .unwrap()
        .to_hex_str()
        .unwrap()
        .to_string();
    let subject: String = cert
        .subject_name()
        .entries()
        .map(|entry| {
            format!(
                "/{}={}",
                entry.object().nid().short_name().unwrap(),
                entry.data().to_string().unwrap()
            )
        })
        .collect();
    match revoked {
        None => format!("V\t{expiry}\t\t{serial}\tunknown\t{subject}\n"),
        Some((at, reason)) => format!(
            "R\t{expiry}\t{},{reason}\t{serial}\tunknown\t{subject}\n",
            index_time(at)
        ),
    }
}

struct Setup {
    dir: tempfile::TempDir,
    pki: TestPki,
    good: Issued,
    revoked: Issued,
    unlisted: Issued,
    responder: Issued,
    revoked_at: Timestamp,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new().unwrap();
        let good = pki
            .issue(&CertRequest::signing("EE", "GOV", "GOODMEMBER"))
            .unwrap();
        let revoked = pki
            .issue(&CertRequest::signing("EE", "GOV", "BADMEMBER"))
            .unwrap();
        let unlisted = pki
            .issue(&CertRequest::signing("EE", "GOV", "NOBODY"))
            .unwrap();
        let responder = pki
            .issue(&CertRequest::ocsp_responder("Test OCSP Responder"))
            .unwrap();
        let revoked_at = Timestamp::from(SystemTime::now() - Duration::from_secs(86_400));
        let path = dir.path();
        write(path, "ca", pki.ca());
        write(path, "good", &good);
        write(path, "revoked", &revoked);
        write(path, "unlisted", &unlisted);
        write(path, "responder", &responder);
        let index = [
            index_line(good.cert(), None),
            index_line(revoked.cert(), Some((revoked_at, "keyCompromise"))),
        ]
        .concat();
        std::fs::write(path.join("index.txt"), index).unwrap();
        Self {
            dir,
            pki,
            good,
            revoked,
            unlisted,
            responder,
            revoked_at,
        }
    }

    fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Asks `openssl ocsp` (signing as `signer`) about `stem`.pem with a request using
    /// `digest` for the CertID; returns the DER response.
    fn ask_openssl(&self, stem: &str, signer: &str, digest: &str) -> Vec<u8> {
        let dir = self.dir();
        let request = format!("{stem}-{digest}.req");
        let response = format!("{stem}-{signer}-{digest}.resp");
        let cert = format!("{stem}.pem");
        openssl(
            dir,
            &[
                "ocsp",
                "-issuer",
                "ca.pem",
                &format!("-{digest}"),
                "-cert",
                &cert,
                "-reqout",
                &request,
                "-no_nonce",
            ],
        );
        openssl(
            dir,
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-CA",
                "ca.pem",
                "-rsigner",
                &format!("{signer}.pem"),
                "-rkey",
                &format!("{signer}.key"),
                "-reqin",
                &request,
                "-respout",
                &response,
                "-ndays",
                "1",
            ],
        );
        std::fs::read(dir.join(response)).unwrap()
    }

    /// Checks a response of ours about `stem`.pem with `openssl ocsp -respin`, which
    /// computes the CertID with `digest`; returns whether it accepted the response, and its
    /// output.
    fn check_with_openssl(&self, response: &[u8], stem: &str, digest: &str) -> (bool, String) {
        let file = format!("{stem}-ours.resp");
        std::fs::write(self.dir().join(&file), response).unwrap();
        run_openssl(
            self.dir(),
            &[
                "ocsp",
                "-respin",
                &file,
                "-issuer",
                "ca.pem",
                &format!("-{digest}"),
                "-cert",
                &format!("{stem}.pem"),
                "-CAfile",
                "ca.pem",
            ],
        )
    }

    fn verify(
        &self,
        response: &[u8],
        cert: &Issued,
    ) -> Result<xroad_runtime::ocsp::OcspSummary, OcspError> {
        OcspVerifier::new(OcspPolicy::default()).verify(
            response,
            cert.cert(),
            self.pki.ca().cert(),
            SystemTime::now(),
        )
    }
}

#[test]
fn responses_of_openssl_ocsp_are_validated() {
    let setup = Setup::new();

    for digest in ["sha1", "sha256"] {
        let response = setup.ask_openssl("good", "ca", digest);
        let summary = setup.verify(&response, &setup.good).unwrap();
        assert_eq!(summary.responder, ResponderAuthority::Issuer);
        assert_eq!(
            summary.next_update,
            Some(
                summary
                    .this_update
                    .saturating_add(Duration::from_secs(86_400))
            )
        );
    }

    let delegated = setup.ask_openssl("good", "responder", "sha1");
    assert_eq!(
        setup.verify(&delegated, &setup.good).unwrap().responder,
        ResponderAuthority::Delegated
    );

    let revoked = setup.ask_openssl("revoked", "responder", "sha1");
    match setup.verify(&revoked, &setup.revoked).unwrap_err() {
        OcspError::Revoked {
            revoked_at, reason, ..
        } => {
            assert_eq!(revoked_at, setup.revoked_at);
            assert_eq!(reason, Some(RevocationReason::KeyCompromise));
        }
        other => panic!("unexpected {other}"),
    }

    let unknown = setup.ask_openssl("unlisted", "ca", "sha1");
    assert!(matches!(
        setup.verify(&unknown, &setup.unlisted),
        Err(OcspError::Unknown { .. })
    ));

    // A response about one certificate says nothing about another.
    assert!(matches!(
        setup.verify(&revoked, &setup.good),
        Err(OcspError::NoStatusForCertificate { .. })
    ));
}

#[test]
fn responses_of_the_test_pki_are_accepted_by_openssl_ocsp() {
    let setup = Setup::new();
    let ca = setup.pki.ca();

    let good = OcspResponder::new(ca).respond(setup.good.cert()).unwrap();
    let (accepted, output) = setup.check_with_openssl(&good, "good", "sha1");
    assert!(
        accepted && output.contains("Response verify OK"),
        "{output}"
    );
    assert!(output.contains("good.pem: good"), "{output}");

    let delegated = OcspResponder::new(ca)
        .signed_by(&setup.responder)
        .cert_id_digest(MessageDigest::sha256())
        .respond(setup.good.cert())
        .unwrap();
    let (accepted, output) = setup.check_with_openssl(&delegated, "good", "sha256");
    assert!(
        accepted && output.contains("Response verify OK"),
        "{output}"
    );
    assert!(output.contains("good.pem: good"), "{output}");

    let revoked = OcspResponder::new(ca)
        .status(CertStatus::Revoked {
            time: setup.revoked_at.to_system_time(),
            reason: Some(RevocationReason::Superseded),
        })
        .respond(setup.revoked.cert())
        .unwrap();
    let (accepted, output) = setup.check_with_openssl(&revoked, "revoked", "sha1");
    assert!(
        accepted && output.contains("Response verify OK"),
        "{output}"
    );
    assert!(output.contains("revoked.pem: revoked"), "{output}");
    assert!(output.contains("Reason: superseded"), "{output}");

    let tampered = OcspResponder::new(ca)
        .tampered_signature()
        .respond(setup.good.cert())
        .unwrap();
    let (accepted, output) = setup.check_with_openssl(&tampered, "good", "sha1");
    assert!(
        !accepted && output.contains("Response Verify Failure"),
        "{output}"
    );
}

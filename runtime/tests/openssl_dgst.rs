//! Interoperability of the six signature algorithms with the `openssl` command as an
//! independent peer: its signatures verify with ours, ours verify with `openssl dgst -verify`,
//! and the keys it writes load into `SoftwareSigner`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;
use xroad_runtime::signature::{
    KeyError, SignatureAlgorithm, SignatureError, Signer, SoftwareSigner, VerifyingKey, verify,
};

/// The signed bytes: a SOAP message of about 2 KiB.
fn message() -> Vec<u8> {
    let mut soap = String::from(
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">",
    );
    while soap.len() < 2048 {
        soap.push_str("<id:memberCode>TS1OWNER</id:memberCode>\r\n");
    }
    soap.push_str("</SOAP-ENV:Envelope>");
    soap.into_bytes()
}

/// A temporary directory with an RSA key written by `openssl genpkey`, its public key and
/// the message.
struct Peer {
    dir: TempDir,
    key: PathBuf,
    public_key: PathBuf,
    data: PathBuf,
}

impl Peer {
    fn new() -> Peer {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.pem");
        let public_key = dir.path().join("pub.pem");
        let data = dir.path().join("data.bin");
        run_ok(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            path(&key),
        ]);
        run_ok(&[
            "pkey",
            "-in",
            path(&key),
            "-pubout",
            "-out",
            path(&public_key),
        ]);
        std::fs::write(&data, message()).unwrap();
        Peer {
            dir,
            key,
            public_key,
            data,
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `openssl dgst -<digest> -sign key.pem [PSS sigopts] -out <name> data.bin`.
    fn openssl_sign(&self, algorithm: SignatureAlgorithm, salt_len: &str, name: &str) -> Vec<u8> {
        let signature = self.file(name);
        let mut args = vec!["dgst", digest_flag(algorithm), "-sign", path(&self.key)];
        let sigopts = pss_sigopts(algorithm, salt_len);
        args.extend(sigopts.iter().map(String::as_str));
        args.extend(["-out", path(&signature), path(&self.data)]);
        run_ok(&args);
        std::fs::read(signature).unwrap()
    }

    /// `openssl dgst -<digest> -verify pub.pem [PSS sigopts] -signature <file> <data>`.
    fn openssl_verify(
        &self,
        algorithm: SignatureAlgorithm,
        salt_len: &str,
        signature: &[u8],
        data: &Path,
    ) -> Output {
        let file = self.file("ours.sig");
        std::fs::write(&file, signature).unwrap();
        let mut args = vec![
            "dgst",
            digest_flag(algorithm),
            "-verify",
            path(&self.public_key),
        ];
        let sigopts = pss_sigopts(algorithm, salt_len);
        args.extend(sigopts.iter().map(String::as_str));
        args.extend(["-signature", path(&file), path(data)]);
        run(&args)
    }

    fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey::from_public_key_pem(&std::fs::read(&self.public_key).unwrap()).unwrap()
    }
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn digest_flag(algorithm: SignatureAlgorithm) -> &'static str {
    match algorithm.digest_len() {
        32 => "-sha256",
        48 => "-sha384",
        64 => "-sha512",
        other => panic!("no openssl flag for a {other}-byte digest"),
    }
}

/// The `-sigopt` arguments of a PSS algorithm with the given `rsa_pss_saltlen`; none for
/// PKCS#1 v1.5.
fn pss_sigopts(algorithm: SignatureAlgorithm, salt_len: &str) -> Vec<String> {
    if !algorithm.is_pss() {
        return Vec::new();
    }
    let mgf1 = &digest_flag(algorithm)[1..];
    [
        "rsa_padding_mode:pss".to_owned(),
        format!("rsa_pss_saltlen:{salt_len}"),
        format!("rsa_mgf1_md:{mgf1}"),
    ]
    .into_iter()
    .flat_map(|opt| ["-sigopt".to_owned(), opt])
    .collect()
}

fn run(args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run `openssl {}`: {error}", args.join(" ")))
}

fn run_ok(args: &[&str]) -> Output {
    let output = run(args);
    assert!(
        output.status.success(),
        "`openssl {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn verified_ok(output: &Output) -> bool {
    output.status.success() && String::from_utf8_lossy(&output.stdout).contains("Verified OK")
}

#[test]
fn openssl_signatures_verify_with_ours() {
    let peer = Peer::new();
    let key = peer.verifying_key();
    let data = message();
    let mut tampered = data.clone();
    tampered[100] ^= 0x20;
    for algorithm in SignatureAlgorithm::ALL {
        let signature = peer.openssl_sign(algorithm, "digest", "theirs.sig");
        key.verify(algorithm, &data, &signature)
            .unwrap_or_else(|error| panic!("{algorithm}: {error}"));
        verify(algorithm, key.public_key(), &data, &signature).unwrap();
        assert!(
            matches!(
                key.verify(algorithm, &tampered, &signature),
                Err(SignatureError::DoesNotVerify { algorithm: a }) if a == algorithm
            ),
            "{algorithm}: tampered data verified"
        );
    }
}

#[test]
fn our_signatures_verify_with_openssl() {
    let peer = Peer::new();
    let signer = SoftwareSigner::from_pem(&std::fs::read(&peer.key).unwrap()).unwrap();
    let data = message();
    let tampered = peer.file("tampered.bin");
    let mut tampered_data = data.clone();
    tampered_data[100] ^= 0x20;
    std::fs::write(&tampered, &tampered_data).unwrap();
    for algorithm in SignatureAlgorithm::ALL {
        let signature = signer.sign(algorithm, &data).unwrap();
        let output = peer.openssl_verify(algorithm, "digest", &signature, &peer.data);
        assert!(
            verified_ok(&output),
            "{algorithm}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        // The same command refuses the signature over other data, so its verdict is real.
        let output = peer.openssl_verify(algorithm, "digest", &signature, &tampered);
        assert!(
            !output.status.success(),
            "{algorithm}: tampered data verified"
        );
        assert!(!verified_ok(&output));
    }
}

#[test]
fn our_pss_salt_is_exactly_the_digest_length_for_openssl() {
    let peer = Peer::new();
    let signer = SoftwareSigner::from_pem(&std::fs::read(&peer.key).unwrap()).unwrap();
    let data = message();
    for algorithm in SignatureAlgorithm::ALL.into_iter().filter(|a| a.is_pss()) {
        let signature = signer.sign(algorithm, &data).unwrap();
        let exact = algorithm.digest_len().to_string();
        let output = peer.openssl_verify(algorithm, &exact, &signature, &peer.data);
        assert!(verified_ok(&output), "{algorithm} with salt length {exact}");
        let shorter = (algorithm.digest_len() - 1).to_string();
        let output = peer.openssl_verify(algorithm, &shorter, &signature, &peer.data);
        assert!(
            !verified_ok(&output),
            "{algorithm} with salt length {shorter}"
        );
    }
}

#[test]
fn openssl_pss_with_maximum_salt_is_refused() {
    let peer = Peer::new();
    let key = peer.verifying_key();
    let data = message();
    for algorithm in SignatureAlgorithm::ALL.into_iter().filter(|a| a.is_pss()) {
        let signature = peer.openssl_sign(algorithm, "max", "max.sig");
        assert!(
            matches!(
                key.verify(algorithm, &data, &signature),
                Err(SignatureError::DoesNotVerify { .. })
            ),
            "{algorithm}: a maximum-length salt was accepted"
        );
    }
}

#[test]
fn key_formats_written_by_openssl_load() {
    let peer = Peer::new();
    let expected = peer.verifying_key();
    let traditional = peer.file("traditional.pem");
    let encrypted_pkcs8 = peer.file("encrypted-pkcs8.pem");
    let encrypted_traditional = peer.file("encrypted-traditional.pem");
    let key = path(&peer.key);
    run_ok(&[
        "pkey",
        "-in",
        key,
        "-traditional",
        "-out",
        path(&traditional),
    ]);
    run_ok(&[
        "pkey",
        "-in",
        key,
        "-aes256",
        "-passout",
        "pass:s3cret",
        "-out",
        path(&encrypted_pkcs8),
    ]);
    run_ok(&[
        "rsa",
        "-in",
        key,
        "-aes128",
        "-traditional",
        "-passout",
        "pass:s3cret",
        "-out",
        path(&encrypted_traditional),
    ]);

    for plain in [&peer.key, &traditional] {
        let signer = SoftwareSigner::from_pem(&std::fs::read(plain).unwrap()).unwrap();
        assert!(signer.public_key().public_eq(expected.public_key()));
    }
    for encrypted in [&encrypted_pkcs8, &encrypted_traditional] {
        let pem = std::fs::read(encrypted).unwrap();
        let signer = SoftwareSigner::from_pem_with_passphrase(&pem, b"s3cret").unwrap();
        assert!(signer.public_key().public_eq(expected.public_key()));
        assert!(matches!(
            SoftwareSigner::from_pem(&pem),
            Err(KeyError::PassphraseRequired)
        ));
    }
}

#[test]
fn ec_key_written_by_openssl_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("ec.pem");
    run_ok(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        path(&key),
    ]);
    match SoftwareSigner::from_pem(&std::fs::read(&key).unwrap()) {
        Err(KeyError::NotRsa { found, .. }) => assert_eq!(found, "EC"),
        other => panic!("expected NotRsa, got {other:?}"),
    }
}

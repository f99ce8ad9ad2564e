//! The `Signer` trait and its OpenSSL software-key implementation.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use openssl::pkey::{PKey, PKeyRef, Private, Public};
use openssl::rsa::Padding;
use openssl::sign::RsaPssSaltlen;
use openssl::x509::{X509, X509Ref};

use super::key::require_rsa;
use super::{KeyError, SignatureAlgorithm, SignatureError};

/// Something that holds an RSA private key and signs with it.
///
/// [`Signer::sign`] receives the exact bytes to sign (for X-Road: the SOAP part as sent) and
/// returns the raw signature, as long as the RSA modulus. Implementations hash the data
/// themselves, so a hardware security module can implement this trait by running a combined
/// hash-and-sign mechanism (PKCS#11 `CKM_SHA256_RSA_PKCS`, `CKM_SHA256_RSA_PKCS_PSS`, …), or
/// by hashing in software and sending the digest; it reports its own failures as
/// [`SignatureError::Backend`]. The public key is needed up front (PKCS#11 exposes it as a
/// public key object), so callers can check a signature or match a certificate without
/// reaching the private key.
///
/// Implementations must be usable from several threads at once; one that talks to a
/// single-session device serialises internally.
pub trait Signer: Send + Sync {
    /// Signs `data` with `algorithm` and returns the raw signature.
    fn sign(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, SignatureError>;

    /// The RSA public key matching the private key.
    fn public_key(&self) -> &PKeyRef<Public>;

    /// The certificate of the key, if the signer knows it.
    fn certificate(&self) -> Option<&X509Ref> {
        None
    }
}

impl<S: Signer + ?Sized> Signer for &S {
    fn sign(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        (**self).sign(algorithm, data)
    }

    fn public_key(&self) -> &PKeyRef<Public> {
        (**self).public_key()
    }

    fn certificate(&self) -> Option<&X509Ref> {
        (**self).certificate()
    }
}

impl<S: Signer + ?Sized> Signer for Box<S> {
    fn sign(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        (**self).sign(algorithm, data)
    }

    fn public_key(&self) -> &PKeyRef<Public> {
        (**self).public_key()
    }

    fn certificate(&self) -> Option<&X509Ref> {
        (**self).certificate()
    }
}

impl<S: Signer + ?Sized> Signer for Arc<S> {
    fn sign(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        (**self).sign(algorithm, data)
    }

    fn public_key(&self) -> &PKeyRef<Public> {
        (**self).public_key()
    }

    fn certificate(&self) -> Option<&X509Ref> {
        (**self).certificate()
    }
}

/// An RSA private key held in memory by OpenSSL, optionally with its certificate.
#[derive(Clone)]
pub struct SoftwareSigner {
    private_key: PKey<Private>,
    public_key: PKey<Public>,
    certificate: Option<X509>,
}

impl SoftwareSigner {
    /// Wraps an OpenSSL private key; refuses keys that are not RSA.
    pub fn from_pkey(private_key: PKey<Private>) -> Result<Self, KeyError> {
        require_rsa(&private_key, "private key")?;
        let public_der = private_key
            .public_key_to_der()
            .map_err(|source| KeyError::PublicKeyExport { source })?;
        let public_key = PKey::public_key_from_der(&public_der)
            .map_err(|source| KeyError::PublicKeyExport { source })?;
        Ok(SoftwareSigner {
            private_key,
            public_key,
            certificate: None,
        })
    }

    /// Reads an unencrypted PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`) or traditional RSA
    /// (`BEGIN RSA PRIVATE KEY`). An encrypted key gives [`KeyError::PassphraseRequired`];
    /// OpenSSL is never left to prompt on a terminal.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let asked = Cell::new(false);
        let loaded = PKey::private_key_from_pem_callback(pem, |_buffer| {
            asked.set(true);
            Ok(0)
        });
        match loaded {
            Ok(key) => Self::from_pkey(key),
            Err(_) if asked.get() => Err(KeyError::PassphraseRequired),
            Err(source) => Err(KeyError::PrivateKeyPem { source }),
        }
    }

    /// Reads a PEM private key that may be encrypted (PKCS#8 `BEGIN ENCRYPTED PRIVATE KEY` or
    /// traditional RSA with a `DEK-Info` header) with `passphrase`. Unencrypted keys are read
    /// as by [`SoftwareSigner::from_pem`]. A wrong passphrase gives
    /// [`KeyError::PrivateKeyPem`].
    pub fn from_pem_with_passphrase(pem: &[u8], passphrase: &[u8]) -> Result<Self, KeyError> {
        let too_long = Cell::new(None);
        let loaded = PKey::private_key_from_pem_callback(pem, |buffer| {
            match buffer.get_mut(..passphrase.len()) {
                Some(target) => {
                    target.copy_from_slice(passphrase);
                    Ok(passphrase.len())
                }
                None => {
                    too_long.set(Some(buffer.len()));
                    Ok(0)
                }
            }
        });
        match (loaded, too_long.get()) {
            (Ok(key), _) => Self::from_pkey(key),
            (Err(_), Some(max)) => Err(KeyError::PassphraseTooLong {
                len: passphrase.len(),
                max,
            }),
            (Err(source), None) => Err(KeyError::PrivateKeyPem { source }),
        }
    }

    /// Attaches the certificate of the key; refuses a certificate of another key.
    pub fn with_certificate(mut self, certificate: X509) -> Result<Self, KeyError> {
        let certified = certificate
            .public_key()
            .map_err(|source| KeyError::CertificateKey { source })?;
        if !certified.public_eq(&self.public_key) {
            return Err(KeyError::CertificateMismatch);
        }
        self.certificate = Some(certificate);
        Ok(self)
    }

    /// Size of the RSA modulus in bits.
    pub fn bits(&self) -> u32 {
        self.public_key.bits()
    }
}

impl Signer for SoftwareSigner {
    fn sign(&self, algorithm: SignatureAlgorithm, data: &[u8]) -> Result<Vec<u8>, SignatureError> {
        sign_rsa(algorithm, &self.private_key, data)
    }

    fn public_key(&self) -> &PKeyRef<Public> {
        &self.public_key
    }

    fn certificate(&self) -> Option<&X509Ref> {
        self.certificate.as_deref()
    }
}

impl fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("bits", &self.bits())
            .field("certificate", &self.certificate.is_some())
            .finish_non_exhaustive()
    }
}

/// Signs `data` with an RSA private key; PSS uses MGF1 with the message digest and a salt
/// as long as the digest.
fn sign_rsa(
    algorithm: SignatureAlgorithm,
    key: &PKeyRef<Private>,
    data: &[u8],
) -> Result<Vec<u8>, SignatureError> {
    let failed = |source| SignatureError::Sign { algorithm, source };
    let digest = algorithm.digest();
    let mut signer = openssl::sign::Signer::new(digest, key).map_err(failed)?;
    if algorithm.is_pss() {
        signer.set_rsa_padding(Padding::PKCS1_PSS).map_err(failed)?;
        signer
            .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
            .map_err(failed)?;
        signer.set_rsa_mgf1_md(digest).map_err(failed)?;
    }
    signer.sign_oneshot_to_vec(data).map_err(failed)
}

#[cfg(test)]
mod tests {
    use openssl::symm::Cipher;

    use super::*;
    use crate::signature::{VerifyingKey, test_keys, verify};

    const DATA: &[u8] = b"<SOAP-ENV:Envelope>clientReg</SOAP-ENV:Envelope>";

    fn signer() -> SoftwareSigner {
        SoftwareSigner::from_pkey(test_keys::rsa().to_owned()).unwrap()
    }

    #[test]
    fn every_algorithm_signs_and_verifies() {
        let signer = signer();
        for algorithm in SignatureAlgorithm::ALL {
            let signature = signer.sign(algorithm, DATA).unwrap();
            assert_eq!(signature.len(), 256, "{algorithm}");
            verify(algorithm, signer.public_key(), DATA, &signature).unwrap();
        }
    }

    #[test]
    fn pkcs1_signatures_are_deterministic_and_pss_ones_are_salted() {
        let signer = signer();
        for algorithm in SignatureAlgorithm::ALL {
            let first = signer.sign(algorithm, DATA).unwrap();
            let second = signer.sign(algorithm, DATA).unwrap();
            assert_eq!(first == second, !algorithm.is_pss(), "{algorithm}");
        }
    }

    /// Checks a PSS signature with bare OpenSSL and explicit parameters.
    fn pss_verifies(
        public: &PKeyRef<Public>,
        signature: &[u8],
        digest: openssl::hash::MessageDigest,
        mgf1: openssl::hash::MessageDigest,
        salt_len: usize,
    ) -> bool {
        let mut verifier = openssl::sign::Verifier::new(digest, public).unwrap();
        verifier.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        verifier
            .set_rsa_pss_saltlen(RsaPssSaltlen::custom(i32::try_from(salt_len).unwrap()))
            .unwrap();
        verifier.set_rsa_mgf1_md(mgf1).unwrap();
        verifier.verify_oneshot(signature, DATA).unwrap()
    }

    #[test]
    fn pss_uses_mgf1_with_the_digest_a_digest_long_salt_and_trailer_bc() {
        let signer = signer();
        let public = signer.public_key();
        let rsa = public.rsa().unwrap();
        for algorithm in SignatureAlgorithm::ALL.into_iter().filter(|a| a.is_pss()) {
            let signature = signer.sign(algorithm, DATA).unwrap();
            let digest = algorithm.digest();
            let salt = algorithm.digest_len();
            assert!(
                pss_verifies(public, &signature, digest, digest, salt),
                "{algorithm}"
            );
            for wrong_salt in [salt - 1, salt + 1, 20] {
                assert!(
                    !pss_verifies(public, &signature, digest, digest, wrong_salt),
                    "{algorithm} verified with salt length {wrong_salt}"
                );
            }
            let sha1 = openssl::hash::MessageDigest::sha1();
            assert!(
                !pss_verifies(public, &signature, digest, sha1, salt),
                "{algorithm} verified with MGF1-SHA1"
            );
            let mut encoded = vec![0; signature.len()];
            let len = rsa
                .public_decrypt(&signature, &mut encoded, Padding::NONE)
                .unwrap();
            assert_eq!(encoded[len - 1], 0xBC, "{algorithm} trailer field");
        }
    }

    #[test]
    fn unencrypted_pkcs8_and_traditional_pem_load() {
        let key = test_keys::rsa();
        let pkcs8 = key.private_key_to_pem_pkcs8().unwrap();
        let traditional = key.rsa().unwrap().private_key_to_pem().unwrap();
        assert!(pkcs8.starts_with(b"-----BEGIN PRIVATE KEY-----"));
        assert!(traditional.starts_with(b"-----BEGIN RSA PRIVATE KEY-----"));
        for pem in [pkcs8, traditional] {
            let loaded = SoftwareSigner::from_pem(&pem).unwrap();
            assert!(loaded.public_key().public_eq(key));
            let again = SoftwareSigner::from_pem_with_passphrase(&pem, b"unused").unwrap();
            assert!(again.public_key().public_eq(key));
        }
    }

    #[test]
    fn encrypted_pem_needs_the_right_passphrase() {
        let key = test_keys::rsa();
        let passphrase = b"correct horse";
        let pkcs8 = key
            .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), passphrase)
            .unwrap();
        let traditional = key
            .rsa()
            .unwrap()
            .private_key_to_pem_passphrase(Cipher::aes_128_cbc(), passphrase)
            .unwrap();
        assert!(pkcs8.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        for pem in [pkcs8, traditional] {
            let loaded = SoftwareSigner::from_pem_with_passphrase(&pem, passphrase).unwrap();
            assert!(loaded.public_key().public_eq(key));
            assert!(matches!(
                SoftwareSigner::from_pem(&pem),
                Err(KeyError::PassphraseRequired)
            ));
            assert!(matches!(
                SoftwareSigner::from_pem_with_passphrase(&pem, b"wrong horse"),
                Err(KeyError::PrivateKeyPem { .. })
            ));
            // A NUL byte in the passphrase is just a byte, never a panic.
            assert!(matches!(
                SoftwareSigner::from_pem_with_passphrase(&pem, b"correct\0horse"),
                Err(KeyError::PrivateKeyPem { .. })
            ));
            let huge = vec![b'x'; 1 << 16];
            assert!(matches!(
                SoftwareSigner::from_pem_with_passphrase(&pem, &huge),
                Err(KeyError::PassphraseTooLong { len, .. }) if len == huge.len()
            ));
        }
    }

    #[test]
    fn garbage_pem_is_a_typed_error() {
        for pem in [
            &b""[..],
            b"not a key",
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        ] {
            assert!(matches!(
                SoftwareSigner::from_pem(pem),
                Err(KeyError::PrivateKeyPem { .. })
            ));
        }
    }

    #[test]
    fn non_rsa_keys_are_refused() {
        let ec = test_keys::ec();
        let pem = ec.private_key_to_pem_pkcs8().unwrap();
        for result in [
            SoftwareSigner::from_pkey(ec.to_owned()),
            SoftwareSigner::from_pem(&pem),
        ] {
            match result {
                Err(KeyError::NotRsa { context, found }) => {
                    assert_eq!(context, "private key");
                    assert_eq!(found, "EC");
                }
                other => panic!("expected NotRsa, got {other:?}"),
            }
        }
    }

    #[test]
    fn certificate_must_certify_the_key() {
        let certificate = test_keys::certificate(test_keys::rsa());
        let signer = signer().with_certificate(certificate.clone()).unwrap();
        let attached = signer.certificate().unwrap();
        assert_eq!(attached.to_der().unwrap(), certificate.to_der().unwrap());
        VerifyingKey::from_certificate(attached).unwrap();

        let other = test_keys::certificate(test_keys::other_rsa());
        assert!(matches!(
            self::signer().with_certificate(other),
            Err(KeyError::CertificateMismatch)
        ));
    }

    #[test]
    fn signer_is_usable_through_trait_objects() {
        let shared: Arc<dyn Signer> = Arc::new(signer());
        let boxed: Box<dyn Signer> = Box::new(signer());
        for signer in [&shared as &dyn Signer, &boxed, &&*shared] {
            let signature = signer
                .sign(SignatureAlgorithm::Sha384WithRsaAndMgf1, DATA)
                .unwrap();
            verify(
                SignatureAlgorithm::Sha384WithRsaAndMgf1,
                signer.public_key(),
                DATA,
                &signature,
            )
            .unwrap();
            assert!(signer.certificate().is_none());
        }
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let text = format!("{:?}", signer());
        assert_eq!(
            text,
            "SoftwareSigner { bits: 2048, certificate: false, .. }"
        );
    }

    #[test]
    fn key_too_small_for_pss_with_sha512_is_a_sign_error() {
        let small = PKey::from_rsa(openssl::rsa::Rsa::generate(1024).unwrap()).unwrap();
        let signer = SoftwareSigner::from_pkey(small).unwrap();
        assert!(matches!(
            signer.sign(SignatureAlgorithm::Sha512WithRsaAndMgf1, DATA),
            Err(SignatureError::Sign {
                algorithm: SignatureAlgorithm::Sha512WithRsaAndMgf1,
                ..
            })
        ));
        let signature = signer
            .sign(SignatureAlgorithm::Sha512WithRsa, DATA)
            .unwrap();
        assert_eq!(signature.len(), 128);
    }
}

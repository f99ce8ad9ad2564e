//! Verification of signatures: one-off with any public key, or through a [`VerifyingKey`]
//! checked once and reused.

use std::fmt;

use openssl::pkey::{HasPublic, PKey, PKeyRef, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::x509::X509Ref;

use super::key::require_rsa;
use super::{KeyError, SignatureAlgorithm, SignatureError};

/// Verifies `signature` over the exact bytes `data` with an RSA public key.
///
/// Gives [`SignatureError::DoesNotVerify`] or [`SignatureError::SignatureLength`] for a
/// signature that is not valid, [`KeyError::NotRsa`] (as [`SignatureError::Key`]) for a
/// non-RSA key. PSS signatures must use MGF1 with the message digest and a salt exactly as
/// long as the digest. The key check is two field reads; to check a certificate's key once,
/// use [`VerifyingKey`].
pub fn verify<T: HasPublic>(
    algorithm: SignatureAlgorithm,
    public_key: &PKeyRef<T>,
    data: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    require_rsa(public_key, "public key")?;
    verify_rsa(algorithm, public_key, public_key.size(), data, signature)
}

/// An RSA public key checked once, for verifying many signatures.
#[derive(Clone)]
pub struct VerifyingKey {
    key: PKey<Public>,
    signature_len: usize,
}

impl VerifyingKey {
    /// The key of a certificate; refuses certificates of non-RSA keys.
    pub fn from_certificate(certificate: &X509Ref) -> Result<Self, KeyError> {
        let key = certificate
            .public_key()
            .map_err(|source| KeyError::CertificateKey { source })?;
        Self::checked(key, "certificate key")
    }

    /// Wraps a public key; refuses keys that are not RSA.
    pub fn from_public_key(key: PKey<Public>) -> Result<Self, KeyError> {
        Self::checked(key, "public key")
    }

    /// Reads a PEM public key (`BEGIN PUBLIC KEY`); refuses keys that are not RSA.
    pub fn from_public_key_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let key =
            PKey::public_key_from_pem(pem).map_err(|source| KeyError::PublicKeyPem { source })?;
        Self::checked(key, "public key")
    }

    fn checked(key: PKey<Public>, context: &'static str) -> Result<Self, KeyError> {
        require_rsa(&key, context)?;
        let signature_len = key.size();
        Ok(VerifyingKey { key, signature_len })
    }

    /// Verifies `signature` over the exact bytes `data`, as [`verify`] does.
    pub fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        data: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        verify_rsa(algorithm, &self.key, self.signature_len, data, signature)
    }

    /// The public key.
    pub fn public_key(&self) -> &PKeyRef<Public> {
        &self.key
    }

    /// Size of the RSA modulus in bits.
    pub fn bits(&self) -> u32 {
        self.key.bits()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}

/// Verifies with a key already known to be RSA whose modulus is `signature_len` bytes long.
/// PKCS#1 v1.5 is OpenSSL's default padding for RSA keys, so only PSS sets parameters.
fn verify_rsa<T: HasPublic>(
    algorithm: SignatureAlgorithm,
    key: &PKeyRef<T>,
    signature_len: usize,
    data: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    if signature.len() != signature_len {
        return Err(SignatureError::SignatureLength {
            algorithm,
            expected: signature_len,
            actual: signature.len(),
        });
    }
    let failed = |source| SignatureError::Verify { algorithm, source };
    let digest = algorithm.digest();
    let mut verifier = Verifier::new(digest, key).map_err(failed)?;
    if algorithm.is_pss() {
        verifier
            .set_rsa_padding(Padding::PKCS1_PSS)
            .map_err(failed)?;
        verifier
            .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
            .map_err(failed)?;
        verifier.set_rsa_mgf1_md(digest).map_err(failed)?;
    }
    match verifier.verify_oneshot(signature, data) {
        Ok(true) => Ok(()),
        Ok(false) => Err(SignatureError::DoesNotVerify { algorithm }),
        Err(source) => Err(failed(source)),
    }
}

#[cfg(test)]
mod tests {
    use openssl::hash::MessageDigest;
    use proptest::prelude::*;

    use super::*;
    use crate::signature::{Signer, SoftwareSigner, test_keys};

    const DATA: &[u8] = b"<SOAP-ENV:Envelope>authCertReg</SOAP-ENV:Envelope>";

    fn signer() -> SoftwareSigner {
        SoftwareSigner::from_pkey(test_keys::rsa().to_owned()).unwrap()
    }

    fn verifying_key() -> VerifyingKey {
        VerifyingKey::from_certificate(&test_keys::certificate(test_keys::rsa())).unwrap()
    }

    fn assert_does_not_verify(result: Result<(), SignatureError>, expected: SignatureAlgorithm) {
        match result {
            Err(SignatureError::DoesNotVerify { algorithm }) => assert_eq!(algorithm, expected),
            other => panic!("expected DoesNotVerify for {expected}, got {other:?}"),
        }
    }

    #[test]
    fn round_trip_with_free_function_and_verifying_key() {
        let signer = signer();
        let key = verifying_key();
        for algorithm in SignatureAlgorithm::ALL {
            let signature = signer.sign(algorithm, DATA).unwrap();
            verify(algorithm, signer.public_key(), DATA, &signature).unwrap();
            verify(algorithm, test_keys::rsa(), DATA, &signature).unwrap();
            key.verify(algorithm, DATA, &signature).unwrap();
        }
    }

    #[test]
    fn tampered_data_does_not_verify() {
        let signer = signer();
        let key = verifying_key();
        let mut tampered = DATA.to_vec();
        tampered[20] ^= 0x01;
        for algorithm in SignatureAlgorithm::ALL {
            let signature = signer.sign(algorithm, DATA).unwrap();
            let error = key.verify(algorithm, &tampered, &signature).unwrap_err();
            assert!(error.is_invalid_signature());
            assert_does_not_verify(Err(error), algorithm);
            assert_does_not_verify(
                verify(algorithm, signer.public_key(), &DATA[1..], &signature),
                algorithm,
            );
        }
    }

    #[test]
    fn tampered_signature_does_not_verify() {
        let signer = signer();
        let key = verifying_key();
        for algorithm in SignatureAlgorithm::ALL {
            let mut signature = signer.sign(algorithm, DATA).unwrap();
            let last = signature.len() - 1;
            signature[last] ^= 0x80;
            assert_does_not_verify(key.verify(algorithm, DATA, &signature), algorithm);
        }
    }

    #[test]
    fn wrong_key_does_not_verify() {
        let signer = signer();
        let other = VerifyingKey::from_certificate(&test_keys::certificate(test_keys::other_rsa()))
            .unwrap();
        for algorithm in SignatureAlgorithm::ALL {
            let signature = signer.sign(algorithm, DATA).unwrap();
            assert_does_not_verify(other.verify(algorithm, DATA, &signature), algorithm);
            assert_does_not_verify(
                verify(algorithm, test_keys::other_rsa(), DATA, &signature),
                algorithm,
            );
        }
    }

    #[test]
    fn signature_checked_with_another_algorithm_does_not_verify() {
        let signer = signer();
        let key = verifying_key();
        for made_with in SignatureAlgorithm::ALL {
            let signature = signer.sign(made_with, DATA).unwrap();
            for checked_as in SignatureAlgorithm::ALL {
                if checked_as != made_with {
                    assert_does_not_verify(key.verify(checked_as, DATA, &signature), checked_as);
                }
            }
        }
    }

    #[test]
    fn pkcs1_and_pss_do_not_verify_as_each_other() {
        use SignatureAlgorithm::*;
        let signer = signer();
        let key = verifying_key();
        for (pkcs1, pss) in [
            (Sha256WithRsa, Sha256WithRsaAndMgf1),
            (Sha384WithRsa, Sha384WithRsaAndMgf1),
            (Sha512WithRsa, Sha512WithRsaAndMgf1),
        ] {
            let signature = signer.sign(pkcs1, DATA).unwrap();
            assert_does_not_verify(key.verify(pss, DATA, &signature), pss);
            let signature = signer.sign(pss, DATA).unwrap();
            assert_does_not_verify(key.verify(pkcs1, DATA, &signature), pkcs1);
        }
    }

    /// A PSS signature made by bare OpenSSL with an explicit salt length and MGF1 digest.
    fn pss_signature(
        algorithm: SignatureAlgorithm,
        salt: RsaPssSaltlen,
        mgf1: MessageDigest,
    ) -> Vec<u8> {
        let mut signer = openssl::sign::Signer::new(algorithm.digest(), test_keys::rsa()).unwrap();
        signer.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        signer.set_rsa_pss_saltlen(salt).unwrap();
        signer.set_rsa_mgf1_md(mgf1).unwrap();
        signer.sign_oneshot_to_vec(DATA).unwrap()
    }

    #[test]
    fn pss_with_another_salt_length_is_refused() {
        let key = verifying_key();
        for algorithm in SignatureAlgorithm::ALL.into_iter().filter(|a| a.is_pss()) {
            let digest = algorithm.digest();
            let exact = i32::try_from(algorithm.digest_len()).unwrap();
            let matching = pss_signature(algorithm, RsaPssSaltlen::custom(exact), digest);
            key.verify(algorithm, DATA, &matching).unwrap();
            for salt in [
                RsaPssSaltlen::custom(0),
                RsaPssSaltlen::custom(20),
                RsaPssSaltlen::custom(exact - 1),
                RsaPssSaltlen::custom(exact + 1),
                RsaPssSaltlen::MAXIMUM_LENGTH,
            ] {
                let signature = pss_signature(algorithm, salt, digest);
                assert_does_not_verify(key.verify(algorithm, DATA, &signature), algorithm);
            }
        }
    }

    #[test]
    fn pss_with_another_mgf1_digest_is_refused() {
        let key = verifying_key();
        for algorithm in SignatureAlgorithm::ALL.into_iter().filter(|a| a.is_pss()) {
            let exact = i32::try_from(algorithm.digest_len()).unwrap();
            let signature = pss_signature(
                algorithm,
                RsaPssSaltlen::custom(exact),
                MessageDigest::sha1(),
            );
            assert_does_not_verify(key.verify(algorithm, DATA, &signature), algorithm);
        }
    }

    #[test]
    fn signature_of_the_wrong_length_is_malformed() {
        let signer = signer();
        let key = verifying_key();
        let algorithm = SignatureAlgorithm::Sha256WithRsa;
        let signature = signer.sign(algorithm, DATA).unwrap();
        let mut longer = signature.clone();
        longer.insert(0, 0);
        for bad in [&[][..], &signature[1..], &longer] {
            match key.verify(algorithm, DATA, bad) {
                Err(
                    ref error @ SignatureError::SignatureLength {
                        algorithm: a,
                        expected: 256,
                        actual,
                    },
                ) => {
                    assert_eq!(a, algorithm);
                    assert_eq!(actual, bad.len());
                    assert!(error.is_invalid_signature());
                }
                other => panic!("expected SignatureLength, got {other:?}"),
            }
        }
    }

    #[test]
    fn signature_not_below_the_modulus_does_not_verify() {
        let key = verifying_key();
        for algorithm in SignatureAlgorithm::ALL {
            let all_ones = vec![0xFF; 256];
            assert_does_not_verify(key.verify(algorithm, DATA, &all_ones), algorithm);
        }
    }

    #[test]
    fn non_rsa_keys_are_refused() {
        let ec = test_keys::ec();
        let ec_certificate = test_keys::certificate(ec);
        match VerifyingKey::from_certificate(&ec_certificate) {
            Err(KeyError::NotRsa { context, found }) => {
                assert_eq!(context, "certificate key");
                assert_eq!(found, "EC");
            }
            other => panic!("expected NotRsa, got {other:?}"),
        }
        let public_pem = ec.public_key_to_pem().unwrap();
        assert!(matches!(
            VerifyingKey::from_public_key_pem(&public_pem),
            Err(KeyError::NotRsa { .. })
        ));
        let signature = vec![0; 64];
        match verify(SignatureAlgorithm::Sha256WithRsa, ec, DATA, &signature) {
            Err(ref error @ SignatureError::Key(KeyError::NotRsa { .. })) => {
                assert!(!error.is_invalid_signature());
            }
            other => panic!("expected a NotRsa key error, got {other:?}"),
        }
    }

    #[test]
    fn public_key_pem_loads() {
        let pem = test_keys::rsa().public_key_to_pem().unwrap();
        let key = VerifyingKey::from_public_key_pem(&pem).unwrap();
        assert_eq!(key.bits(), 2048);
        assert!(key.public_key().public_eq(test_keys::rsa()));
        assert_eq!(format!("{key:?}"), "VerifyingKey { bits: 2048, .. }");
        assert!(matches!(
            VerifyingKey::from_public_key_pem(
                b"-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n"
            ),
            Err(KeyError::PublicKeyPem { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn any_single_byte_change_is_refused(
            algorithm_index in 0..SignatureAlgorithm::ALL.len(),
            in_signature: bool,
            position in any::<prop::sample::Index>(),
            flip in 1u8..,
        ) {
            let algorithm = SignatureAlgorithm::ALL[algorithm_index];
            let mut data = DATA.to_vec();
            let mut signature = signer().sign(algorithm, DATA).unwrap();
            let target = if in_signature { &mut signature } else { &mut data };
            let index = position.index(target.len());
            target[index] ^= flip;
            let result = verifying_key().verify(algorithm, &data, &signature);
            prop_assert!(
                matches!(result, Err(SignatureError::DoesNotVerify { algorithm: a }) if a == algorithm),
                "{result:?}"
            );
        }

        #[test]
        fn arbitrary_signatures_are_refused_without_panic(
            algorithm_index in 0..SignatureAlgorithm::ALL.len(),
            signature in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let algorithm = SignatureAlgorithm::ALL[algorithm_index];
            let result = verify(algorithm, test_keys::rsa(), DATA, &signature);
            prop_assert!(result.as_ref().is_err_and(SignatureError::is_invalid_signature), "{result:?}");
        }
    }
}

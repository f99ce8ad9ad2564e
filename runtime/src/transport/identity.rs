//! A TLS identity: certificate, intermediate chain and private key.

use std::fmt;

use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::ssl::SslContextBuilder;
use openssl::x509::{X509, X509Ref};

use super::error::PemError;

/// A certificate with its intermediate CA certificates and private key: the server's TLS
/// certificate of a listener, or the client certificate of an [`HttpsClient`](super::HttpsClient).
#[derive(Clone)]
pub struct TlsIdentity {
    certificate: X509,
    chain: Vec<X509>,
    key: PKey<Private>,
}

impl TlsIdentity {
    /// An identity from PEM: `cert_chain_pem` holds the certificate first, then any
    /// intermediate CA certificates; `key_pem` holds the unencrypted private key (PKCS#8 or
    /// traditional). Fails when the key does not belong to the certificate.
    pub fn from_pem(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Self, PemError> {
        let mut certificates = certificates_from_pem(cert_chain_pem, "certificate chain")?;
        let certificate = certificates.remove(0);
        let key = PKey::private_key_from_pem(key_pem).map_err(|source| PemError::Parse {
            what: "private key",
            source,
        })?;
        Self::new(certificate, certificates, key)
    }

    /// An identity from parsed parts. Fails when `key` does not belong to `certificate`.
    pub fn new(certificate: X509, chain: Vec<X509>, key: PKey<Private>) -> Result<Self, PemError> {
        let matches = certificate
            .public_key()
            .map(|public| public.public_eq(&key))
            .unwrap_or(false);
        if !matches {
            return Err(PemError::KeyMismatch {
                subject: subject_line(&certificate),
            });
        }
        Ok(TlsIdentity {
            certificate,
            chain,
            key,
        })
    }

    /// The end-entity certificate.
    pub fn certificate(&self) -> &X509Ref {
        &self.certificate
    }

    /// The intermediate CA certificates sent after the end-entity certificate.
    pub fn chain(&self) -> &[X509] {
        &self.chain
    }

    /// Installs certificate, chain and key in a TLS context.
    pub(crate) fn install(&self, builder: &mut SslContextBuilder) -> Result<(), ErrorStack> {
        builder.set_certificate(&self.certificate)?;
        for intermediate in &self.chain {
            builder.add_extra_chain_cert(intermediate.clone())?;
        }
        builder.set_private_key(&self.key)?;
        builder.check_private_key()
    }
}

impl fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("subject", &subject_line(&self.certificate))
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

/// Every certificate in a PEM input, in order; at least one.
pub(crate) fn certificates_from_pem(pem: &[u8], what: &'static str) -> Result<Vec<X509>, PemError> {
    let certificates =
        X509::stack_from_pem(pem).map_err(|source| PemError::Parse { what, source })?;
    if certificates.is_empty() {
        return Err(PemError::NoCertificate { what });
    }
    Ok(certificates)
}

/// The subject of a certificate on one line, `CN=..., O=...`.
pub(crate) fn subject_line(certificate: &X509Ref) -> String {
    let entries: Vec<String> = certificate
        .subject_name()
        .entries()
        .map(|entry| {
            let name = entry.object().nid().short_name().unwrap_or("?");
            let value = entry.data().to_string().unwrap_or_else(|_| "?".to_owned());
            format!("{name}={value}")
        })
        .collect();
    entries.join(", ")
}

/// The SHA-256 fingerprint of a certificate's DER encoding, lowercase hex.
pub(crate) fn sha256_fingerprint(certificate: &X509Ref) -> String {
    match certificate.digest(MessageDigest::sha256()) {
        Ok(digest) => digest.iter().map(|byte| format!("{byte:02x}")).collect(),
        Err(_) => "unavailable".to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::x509::X509NameBuilder;

    /// A self-signed P-256 certificate for `common_name` with its key (fast to make).
    pub(crate) fn self_signed(common_name: &str) -> (X509, PKey<Private>) {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let key = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", common_name).unwrap();
        name.append_entry_by_text("O", "Test").unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        let serial = BigNum::from_u32(7).unwrap().to_asn1_integer().unwrap();
        builder.set_serial_number(&serial).unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_issuer_name(&name).unwrap();
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        builder.sign(&key, MessageDigest::sha256()).unwrap();
        (builder.build(), key)
    }

    #[test]
    fn identity_round_trips_through_pem() {
        let (certificate, key) = self_signed("server.test");
        let cert_pem = certificate.to_pem().unwrap();
        let key_pem = key.private_key_to_pem_pkcs8().unwrap();
        let identity = TlsIdentity::from_pem(&cert_pem, &key_pem).unwrap();
        assert_eq!(
            identity.certificate().to_der().unwrap(),
            certificate.to_der().unwrap()
        );
        assert!(identity.chain().is_empty());
        assert_eq!(
            subject_line(identity.certificate()),
            "CN=server.test, O=Test"
        );
    }

    #[test]
    fn foreign_key_is_refused() {
        let (certificate, _) = self_signed("server.test");
        let (_, other_key) = self_signed("other.test");
        let error = TlsIdentity::from_pem(
            &certificate.to_pem().unwrap(),
            &other_key.private_key_to_pem_pkcs8().unwrap(),
        )
        .unwrap_err();
        assert!(
            matches!(&error, PemError::KeyMismatch { subject } if subject == "CN=server.test, O=Test"),
            "{error:?}"
        );
    }

    #[test]
    fn empty_or_garbage_pem_is_refused() {
        let (_, key) = self_signed("server.test");
        let key_pem = key.private_key_to_pem_pkcs8().unwrap();
        let error = TlsIdentity::from_pem(b"", &key_pem).unwrap_err();
        assert!(
            matches!(
                error,
                PemError::NoCertificate {
                    what: "certificate chain"
                }
            ),
            "{error:?}"
        );
        let (certificate, _) = self_signed("server.test");
        let error =
            TlsIdentity::from_pem(&certificate.to_pem().unwrap(), b"not a key").unwrap_err();
        assert!(
            matches!(
                error,
                PemError::Parse {
                    what: "private key",
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn fingerprint_is_sha256_of_der() {
        let (certificate, _) = self_signed("server.test");
        let expected: String = openssl::sha::sha256(&certificate.to_der().unwrap())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(sha256_fingerprint(&certificate), expected);
        assert_eq!(expected.len(), 64);
    }
}

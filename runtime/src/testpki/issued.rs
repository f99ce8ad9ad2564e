//! An issued certificate with its private key.

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use super::error::{TestPkiError, openssl};

/// A certificate and its private key.
#[derive(Clone)]
pub struct Issued {
    cert: X509,
    key: PKey<Private>,
}

impl Issued {
    /// Pairs a certificate with its key.
    pub fn new(cert: X509, key: PKey<Private>) -> Self {
        Self { cert, key }
    }

    /// The certificate.
    pub fn cert(&self) -> &X509 {
        &self.cert
    }

    /// The private key.
    pub fn key(&self) -> &PKey<Private> {
        &self.key
    }

    /// The certificate in PEM.
    pub fn cert_pem(&self) -> Result<Vec<u8>, TestPkiError> {
        self.cert
            .to_pem()
            .map_err(openssl("encoding a certificate as PEM"))
    }

    /// The certificate in DER.
    pub fn cert_der(&self) -> Result<Vec<u8>, TestPkiError> {
        self.cert
            .to_der()
            .map_err(openssl("encoding a certificate as DER"))
    }

    /// The private key in PKCS#8 PEM.
    pub fn key_pem(&self) -> Result<Vec<u8>, TestPkiError> {
        self.key
            .private_key_to_pem_pkcs8()
            .map_err(openssl("encoding a private key as PEM"))
    }

    /// The private key in PKCS#8 DER.
    pub fn key_der(&self) -> Result<Vec<u8>, TestPkiError> {
        self.key
            .private_key_to_pkcs8()
            .map_err(openssl("encoding a private key as DER"))
    }
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field(
                "subject",
                &crate::cert::distinguished_name(self.cert.subject_name()),
            )
            .field("serial", &self.cert.serial_number().to_bn().ok())
            .finish_non_exhaustive()
    }
}

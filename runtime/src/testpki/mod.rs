//! A throw-away PKI for tests, benchmarks and demos: a root CA, an unrelated second CA,
//! member signing, authentication, TLS server, OCSP responder and intermediate CA
//! certificates, and OCSP responses signed by libcrypto's own responder functions.
//!
//! RSA key generation is slow, so a PKI generates three 2048-bit keys (root CA, other CA,
//! and one key shared by every certificate that does not ask for a
//! [distinct key](CertRequest::distinct_key)); building one takes well under a second.
//! Serial numbers count up from 1000 per PKI; names are fixed.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::SystemTime;
//! use xroad_runtime::cert::{CertUse, TrustStore};
//! use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
//! use xroad_runtime::testpki::{CertRequest, OcspResponder, TestPki};
//!
//! let pki = TestPki::builder().ocsp_url("http://ocsp.test:8888/").build()?;
//! let member = pki.issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))?;
//! let trust = TrustStore::new([pki.ca().cert().clone()])?;
//! let chain = trust.verify(member.cert(), &[], SystemTime::now())?;
//! CertUse::Signing.check(member.cert())?;
//! let response = OcspResponder::new(pki.ca()).respond(member.cert())?;
//! OcspVerifier::new(OcspPolicy::default())
//!     .verify(&response, member.cert(), chain.issuer(), SystemTime::now())?;
//! # Ok(())
//! # }
//! ```

mod error;
mod http;
mod issued;
mod request;
mod responder;

pub use error::TestPkiError;
pub use http::{OcspHttpListener, OcspHttpServer, OcspServerError};
pub use issued::Issued;
pub use request::{CertKind, CertRequest};
pub use responder::{CertStatus, OcspResponder};

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::SystemTime;

use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509, X509Builder, X509Extension, X509Name};

use error::openssl;

/// Bits of every generated RSA key.
const RSA_BITS: u32 = 2048;
/// First serial number a PKI gives out.
const FIRST_SERIAL: u32 = 1000;
/// Seconds in a day.
const DAY: i64 = 86_400;
/// OID of the authority information access extension.
const AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";
/// DER of the OID `id-ad-ocsp` (1.3.6.1.5.5.7.48.1), tag and length included.
const ID_AD_OCSP_DER: [u8; 10] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];

/// Settings of a [`TestPki`].
#[derive(Debug, Clone, Default)]
pub struct TestPkiBuilder {
    ocsp_url: Option<String>,
}

impl TestPkiBuilder {
    /// Puts `url` as OCSP responder into the authority information access of signing and
    /// authentication certificates.
    pub fn ocsp_url(mut self, url: impl Into<String>) -> Self {
        self.ocsp_url = Some(url.into());
        self
    }

    /// Generates the keys and the two CAs.
    pub fn build(self) -> Result<TestPki, TestPkiError> {
        let ca_key = generate_key()?;
        let other_ca_key = generate_key()?;
        let shared_key = generate_key()?;
        let serial = AtomicU32::new(FIRST_SERIAL);
        let ca = self_signed_ca("X-Road Test Root CA", ca_key, &serial)?;
        let other_ca = self_signed_ca("Unrelated Test CA", other_ca_key, &serial)?;
        Ok(TestPki {
            ca,
            other_ca,
            shared_key,
            serial,
            ocsp_url: self.ocsp_url,
        })
    }
}

/// A root CA, a second unrelated CA and the certificates they issue.
pub struct TestPki {
    ca: Issued,
    other_ca: Issued,
    shared_key: PKey<Private>,
    serial: AtomicU32,
    ocsp_url: Option<String>,
}

impl TestPki {
    /// A PKI without an OCSP URL in its certificates.
    pub fn new() -> Result<Self, TestPkiError> {
        Self::builder().build()
    }

    /// Settings for a PKI.
    pub fn builder() -> TestPkiBuilder {
        TestPkiBuilder::default()
    }

    /// The root CA (`C=EE, O=X-Road Test, CN=X-Road Test Root CA`), valid from 30 days
    /// before to ten years after the PKI was built.
    pub fn ca(&self) -> &Issued {
        &self.ca
    }

    /// A second self-signed CA no test trusts (`CN=Unrelated Test CA`).
    pub fn other_ca(&self) -> &Issued {
        &self.other_ca
    }

    /// The key shared by certificates that do not ask for a distinct one.
    pub fn shared_key(&self) -> &PKey<Private> {
        &self.shared_key
    }

    /// The OCSP URL put into signing and authentication certificates, if any.
    pub fn ocsp_url(&self) -> Option<&str> {
        self.ocsp_url.as_deref()
    }

    /// Issues `request` from the root CA.
    pub fn issue(&self, request: &CertRequest) -> Result<Issued, TestPkiError> {
        self.issue_by(request, &self.ca)
    }

    /// Issues `request` from `issuer` (the other CA, an intermediate CA, ...).
    pub fn issue_by(&self, request: &CertRequest, issuer: &Issued) -> Result<Issued, TestPkiError> {
        if let CertKind::TlsServer { dns, ips } = &request.kind
            && dns.is_empty()
            && ips.is_empty()
        {
            return Err(TestPkiError::InvalidRequest(
                "a TLS server certificate needs a DNS name or an IP address",
            ));
        }
        let key = if request.distinct_key {
            generate_key()?
        } else {
            self.shared_key.clone()
        };
        let now = unix_now();
        let mut builder = CertBuilder::new(&request.subject, &key, self.next_serial()?)?;
        builder.validity(now + request.not_before, now + request.not_after)?;
        builder.issuer(issuer)?;
        builder.extensions(request, issuer, self.ocsp_url.as_deref())?;
        let cert = builder.sign(issuer)?;
        Ok(Issued::new(cert, key))
    }

    fn next_serial(&self) -> Result<Asn1Integer, TestPkiError> {
        serial_number(self.serial.fetch_add(1, Ordering::Relaxed))
    }
}

impl std::fmt::Debug for TestPki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPki")
            .field("ca", &self.ca)
            .field("other_ca", &self.other_ca)
            .field("ocsp_url", &self.ocsp_url)
            .finish_non_exhaustive()
    }
}

/// An X.509 v3 certificate being built.
struct CertBuilder {
    builder: X509Builder,
}

impl CertBuilder {
    fn new(
        subject: &[(Nid, String)],
        key: &PKey<Private>,
        serial: Asn1Integer,
    ) -> Result<Self, TestPkiError> {
        let mut builder = X509Builder::new().map_err(openssl("creating a certificate"))?;
        builder
            .set_version(2)
            .map_err(openssl("setting the version"))?;
        builder
            .set_serial_number(&serial)
            .map_err(openssl("setting the serial number"))?;
        let mut name = X509Name::builder().map_err(openssl("creating a subject name"))?;
        for (nid, value) in subject {
            name.append_entry_by_nid(*nid, value)
                .map_err(openssl("adding a subject name attribute"))?;
        }
        builder
            .set_subject_name(&name.build())
            .map_err(openssl("setting the subject"))?;
        builder
            .set_pubkey(key)
            .map_err(openssl("setting the public key"))?;
        Ok(Self { builder })
    }

    fn validity(&mut self, not_before: i64, not_after: i64) -> Result<(), TestPkiError> {
        let not_before = asn1_time(not_before)?;
        let not_after = asn1_time(not_after)?;
        self.builder
            .set_not_before(&not_before)
            .map_err(openssl("setting notBefore"))?;
        self.builder
            .set_not_after(&not_after)
            .map_err(openssl("setting notAfter"))
    }

    fn issuer(&mut self, issuer: &Issued) -> Result<(), TestPkiError> {
        self.builder
            .set_issuer_name(issuer.cert().subject_name())
            .map_err(openssl("setting the issuer"))
    }

    fn extensions(
        &mut self,
        request: &CertRequest,
        issuer: &Issued,
        ocsp_url: Option<&str>,
    ) -> Result<(), TestPkiError> {
        let mut extensions = Vec::new();
        let is_ca = request.kind == CertKind::IntermediateCa;
        let mut constraints = BasicConstraints::new();
        constraints.critical();
        if is_ca {
            constraints.ca();
        }
        extensions.push(
            constraints
                .build()
                .map_err(openssl("building basicConstraints"))?,
        );
        if request.usage_extensions {
            extensions.extend(usage_extensions(&request.kind)?);
        }
        if let CertKind::TlsServer { dns, ips } = &request.kind {
            let mut names = SubjectAlternativeName::new();
            for name in dns {
                names.dns(name);
            }
            for ip in ips {
                names.ip(&ip.to_string());
            }
            let context = self.builder.x509v3_context(Some(issuer.cert()), None);
            extensions.push(
                names
                    .build(&context)
                    .map_err(openssl("building subjectAltName"))?,
            );
        }
        if let (CertKind::Signing | CertKind::Authentication, Some(url)) = (&request.kind, ocsp_url)
        {
            extensions.push(ocsp_access(url)?);
        }
        let context = self.builder.x509v3_context(Some(issuer.cert()), None);
        extensions.push(
            SubjectKeyIdentifier::new()
                .build(&context)
                .map_err(openssl("building subjectKeyIdentifier"))?,
        );
        extensions.push(
            AuthorityKeyIdentifier::new()
                .keyid(true)
                .build(&context)
                .map_err(openssl("building authorityKeyIdentifier"))?,
        );
        for extension in extensions {
            self.builder
                .append_extension(extension)
                .map_err(openssl("adding an extension"))?;
        }
        Ok(())
    }

    fn sign(mut self, issuer: &Issued) -> Result<X509, TestPkiError> {
        self.builder
            .sign(issuer.key(), MessageDigest::sha256())
            .map_err(openssl("signing a certificate"))?;
        Ok(self.builder.build())
    }
}

/// The key usage and extended key usage extensions of a certificate kind.
fn usage_extensions(kind: &CertKind) -> Result<Vec<X509Extension>, TestPkiError> {
    let mut key_usage = KeyUsage::new();
    key_usage.critical();
    let mut extended = None;
    match kind {
        CertKind::Signing => {
            key_usage.non_repudiation();
        }
        CertKind::Authentication => {
            key_usage.digital_signature();
            extended = Some(ExtendedKeyUsage::new().client_auth().build());
        }
        CertKind::TlsServer { .. } => {
            key_usage.digital_signature().key_encipherment();
            extended = Some(ExtendedKeyUsage::new().server_auth().build());
        }
        CertKind::OcspResponder => {
            key_usage.digital_signature();
            extended = Some(ExtendedKeyUsage::new().other("OCSPSigning").build());
        }
        CertKind::IntermediateCa => {
            key_usage.key_cert_sign().crl_sign();
        }
    }
    let mut extensions = vec![key_usage.build().map_err(openssl("building keyUsage"))?];
    if let Some(extended) = extended {
        extensions.push(extended.map_err(openssl("building extendedKeyUsage"))?);
    }
    Ok(extensions)
}

/// A self-signed CA certificate named `common_name`.
fn self_signed_ca(
    common_name: &str,
    key: PKey<Private>,
    serial: &AtomicU32,
) -> Result<Issued, TestPkiError> {
    let subject = [
        (Nid::COUNTRYNAME, "EE".to_owned()),
        (Nid::ORGANIZATIONNAME, "X-Road Test".to_owned()),
        (Nid::COMMONNAME, common_name.to_owned()),
    ];
    let mut builder = CertBuilder::new(
        &subject,
        &key,
        serial_number(serial.fetch_add(1, Ordering::Relaxed))?,
    )?;
    let now = unix_now();
    builder.validity(now - 30 * DAY, now + 3_650 * DAY)?;
    let mut name = X509Name::builder().map_err(openssl("creating the CA name"))?;
    for (nid, value) in &subject {
        name.append_entry_by_nid(*nid, value)
            .map_err(openssl("adding a CA name attribute"))?;
    }
    builder
        .builder
        .set_issuer_name(&name.build())
        .map_err(openssl("setting the CA issuer"))?;
    let mut key_usage = KeyUsage::new();
    key_usage.critical().key_cert_sign().crl_sign();
    let extensions = [
        BasicConstraints::new()
            .critical()
            .ca()
            .build()
            .map_err(openssl("building basicConstraints"))?,
        key_usage.build().map_err(openssl("building keyUsage"))?,
        SubjectKeyIdentifier::new()
            .build(&builder.builder.x509v3_context(None, None))
            .map_err(openssl("building subjectKeyIdentifier"))?,
    ];
    for extension in extensions {
        builder
            .builder
            .append_extension(extension)
            .map_err(openssl("adding a CA extension"))?;
    }
    builder
        .builder
        .sign(&key, MessageDigest::sha256())
        .map_err(openssl("signing the CA certificate"))?;
    Ok(Issued::new(builder.builder.build(), key))
}

/// The authority information access extension naming `url` as OCSP responder.
fn ocsp_access(url: &str) -> Result<X509Extension, TestPkiError> {
    let location = der(0x86, url.as_bytes());
    let description = der(0x30, &[ID_AD_OCSP_DER.as_slice(), &location].concat());
    let value = der(0x30, &description);
    let oid = Asn1Object::from_str(AUTHORITY_INFO_ACCESS)
        .map_err(openssl("parsing the authorityInfoAccess OID"))?;
    let value =
        Asn1OctetString::new_from_bytes(&value).map_err(openssl("wrapping authorityInfoAccess"))?;
    X509Extension::new_from_der(&oid, false, &value)
        .map_err(openssl("building authorityInfoAccess"))
}

/// A DER element: `tag`, definite length, `content`.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let length = content.len();
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let significant: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        out.push(0x80 | significant.len() as u8);
        out.extend(significant);
    }
    out.extend_from_slice(content);
    out
}

fn generate_key() -> Result<PKey<Private>, TestPkiError> {
    let rsa = Rsa::generate(RSA_BITS).map_err(openssl("generating an RSA key"))?;
    PKey::from_rsa(rsa).map_err(openssl("wrapping an RSA key"))
}

fn serial_number(serial: u32) -> Result<Asn1Integer, TestPkiError> {
    BigNum::from_u32(serial)
        .and_then(|serial| serial.to_asn1_integer())
        .map_err(openssl("encoding a serial number"))
}

/// An ASN.1 time `seconds` after the Unix epoch.
pub(crate) fn asn1_time(seconds: i64) -> Result<Asn1Time, TestPkiError> {
    let time =
        libc::time_t::try_from(seconds).map_err(|_| TestPkiError::TimeOutOfRange(seconds))?;
    Asn1Time::from_unix(time).map_err(openssl("encoding a time"))
}

/// The current time in seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    crate::cert::Timestamp::from(SystemTime::now()).unix_seconds()
}

#[cfg(test)]
pub(crate) mod tests;

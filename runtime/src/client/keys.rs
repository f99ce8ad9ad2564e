//! Signing keys paired with their certificates: a member's signing key and the security
//! server's authentication key.

use std::fmt;
use std::sync::Arc;

use openssl::x509::{X509, X509Ref};

use super::error::KeyPairError;
use crate::cert::{MemberId, MemberIdentityDecoder, SubjectNameDecoder, distinguished_name};
use crate::signature::Signer;

/// A signer and the certificate of its key, checked to match.
#[derive(Clone)]
pub(super) struct CertifiedKey {
    pub(super) signer: Arc<dyn Signer>,
    pub(super) cert: X509,
    /// The certificate's DER encoding, as attached to requests.
    pub(super) cert_der: Arc<[u8]>,
}

impl CertifiedKey {
    fn new(signer: Arc<dyn Signer>, cert: X509) -> Result<Self, KeyPairError> {
        let subject = || distinguished_name(cert.subject_name());
        let certified = cert
            .public_key()
            .map_err(|source| KeyPairError::Certificate {
                subject: subject(),
                source,
            })?;
        if !certified.public_eq(signer.public_key()) {
            return Err(KeyPairError::Mismatch { subject: subject() });
        }
        let cert_der = cert
            .to_der()
            .map_err(|source| KeyPairError::Certificate {
                subject: subject(),
                source,
            })?
            .into();
        Ok(Self {
            signer,
            cert,
            cert_der,
        })
    }
}

impl fmt::Debug for CertifiedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertifiedKey")
            .field("subject", &distinguished_name(self.cert.subject_name()))
            .finish_non_exhaustive()
    }
}

/// A member's signing key, its signing certificate, and the member the certificate names:
/// signs the requests whose operation names that member's signature (the client's owner, the
/// new owner, the security server's owner).
#[derive(Debug, Clone)]
pub struct MemberKey {
    pub(super) key: CertifiedKey,
    member: MemberId,
}

impl MemberKey {
    /// Pairs `signer` with its signing certificate; fails when the certificate is not for
    /// the signer's key, or names no member (read as the verifier reads it, with
    /// [`SubjectNameDecoder`]).
    pub fn new(signer: Arc<dyn Signer>, cert: X509) -> Result<Self, KeyPairError> {
        let member =
            SubjectNameDecoder
                .member_id(&cert)
                .map_err(|source| KeyPairError::Identity {
                    subject: distinguished_name(cert.subject_name()),
                    source,
                })?;
        Self::with_member(signer, cert, member)
    }

    /// Like [`MemberKey::new`] for a certificate profile whose member identity is read
    /// otherwise: `member` is the member the certificate belongs to.
    pub fn with_member(
        signer: Arc<dyn Signer>,
        cert: X509,
        member: MemberId,
    ) -> Result<Self, KeyPairError> {
        Ok(Self {
            key: CertifiedKey::new(signer, cert)?,
            member,
        })
    }

    /// The member the certificate belongs to.
    pub fn member(&self) -> &MemberId {
        &self.member
    }

    /// The signer.
    pub fn signer(&self) -> &Arc<dyn Signer> {
        &self.key.signer
    }

    /// The signing certificate.
    pub fn cert(&self) -> &X509Ref {
        &self.key.cert
    }
}

/// The security server's authentication key and the certificate being registered with
/// authCertReg, whose key proves possession by signing the request.
#[derive(Debug, Clone)]
pub struct AuthKey(pub(super) CertifiedKey);

impl AuthKey {
    /// Pairs `signer` with its authentication certificate; fails when the certificate is
    /// not for the signer's key.
    pub fn new(signer: Arc<dyn Signer>, cert: X509) -> Result<Self, KeyPairError> {
        CertifiedKey::new(signer, cert).map(Self)
    }

    /// The signer.
    pub fn signer(&self) -> &Arc<dyn Signer> {
        &self.0.signer
    }

    /// The authentication certificate.
    pub fn cert(&self) -> &X509Ref {
        &self.0.cert
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::SoftwareSigner;
    use crate::testpki::CertRequest;
    use crate::testpki::tests::shared;

    #[test]
    fn keys_pair_only_with_their_certificates() {
        let pki = shared();
        let member = pki
            .issue(&CertRequest::signing("EE", "GOV", "KEYS"))
            .unwrap();
        let signer: Arc<dyn Signer> =
            Arc::new(SoftwareSigner::from_pkey(member.key().clone()).unwrap());
        let key = MemberKey::new(Arc::clone(&signer), member.cert().clone()).unwrap();
        assert_eq!(key.member().to_string(), "EE/GOV/KEYS");
        assert_eq!(&*key.key.cert_der, member.cert_der().unwrap().as_slice());
        assert_eq!(key.cert().to_der().unwrap(), member.cert_der().unwrap());
        assert!(key.signer().public_key().public_eq(member.key()));

        let foreign = pki.ca().cert().clone();
        let error = AuthKey::new(signer, foreign).unwrap_err();
        match error {
            KeyPairError::Mismatch { subject } => {
                assert_eq!(subject, "C=EE, O=X-Road Test, CN=X-Road Test Root CA");
            }
            other => panic!("{other:?}"),
        }
    }
}

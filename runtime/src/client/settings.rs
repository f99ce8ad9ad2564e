//! What a management client needs to know: who it is, where the central server is and how
//! to trust it, and how to sign.

use std::time::Duration;

use hyper::Uri;
use openssl::x509::X509;
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

use super::error::SetupError;
use super::keys::{AuthKey, MemberKey};
use crate::ocsp::{OcspClient, OcspClientConfig};
use crate::signature::SignatureAlgorithm;
use crate::transport::TlsIdentity;

/// The central server's management service endpoints and its TLS certificate.
#[derive(Debug, Clone)]
pub struct CentralServer {
    /// The registration endpoint (authCertReg), e.g.
    /// `https://cs.example.org:4001/managementservice/`.
    pub registration_url: String,
    /// The manage endpoint (the four other services), e.g.
    /// `https://cs.example.org:4002/managementservice/manage/`.
    pub manage_url: String,
    /// The central server's TLS certificate, as the global configuration publishes it: the
    /// server must present exactly this certificate (no host name or chain check).
    pub tls_certificate: X509,
}

/// Settings of a [`ManagementClient`](super::ManagementClient).
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// The security server the requests are about; its member part is the owner, the
    /// sender (`client` header field) of every request.
    pub server: XRoadSecurityServerIdentifierType,
    /// The management service provider (a member or subsystem), to which the `service`
    /// header field is addressed.
    pub management_service_provider: XRoadClientIdentifierType,
    /// Where the central server is and which TLS certificate it must present.
    pub central_server: CentralServer,
    /// The security server's authentication certificate and key, presented as TLS client
    /// certificate on the manage endpoint (never on the registration endpoint).
    pub tls_identity: TlsIdentity,
    /// The approved CA certificates (intermediate ones included): the issuer of a signing
    /// certificate is looked up here for its OCSP request.
    pub trusted_cas: Vec<X509>,
    /// The signing keys of the members whose signatures requests carry: the security
    /// server's owner, the owners of its clients, a new owner. Empty by default.
    pub signing_keys: Vec<MemberKey>,
    /// The authentication key whose certificate authCertReg registers (the proof of
    /// possession). `None` by default.
    pub auth_key: Option<AuthKey>,
    /// Algorithm of the member signatures. Default `SHA512withRSA`.
    pub signature_algorithm: SignatureAlgorithm,
    /// Algorithm of the proof of possession of the authentication key in authCertReg; one
    /// of the RSASSA-PKCS1-v1_5 algorithms. Default `SHA512withRSA`.
    pub auth_key_algorithm: SignatureAlgorithm,
    /// Time allowed for connecting, and again for the TLS handshake. Default 10 s.
    pub connect_timeout: Duration,
    /// Time allowed from sending a request to having read the whole answer. Default 60 s.
    pub response_timeout: Duration,
    /// Largest answer accepted, in bytes. Default 1 MiB.
    pub max_response_bytes: usize,
    /// Fetches the OCSP responses of signing certificates from the responders their
    /// authority information access names, and reuses each while it is fresh. Clones
    /// share the cache. Default: an [`OcspClient`] with default settings.
    pub ocsp: OcspClient,
}

impl ClientSettings {
    /// Settings with the default algorithms, timeouts and OCSP client.
    pub fn new(
        server: XRoadSecurityServerIdentifierType,
        management_service_provider: XRoadClientIdentifierType,
        central_server: CentralServer,
        tls_identity: TlsIdentity,
        trusted_cas: Vec<X509>,
    ) -> Self {
        Self {
            server,
            management_service_provider,
            central_server,
            tls_identity,
            trusted_cas,
            signing_keys: Vec::new(),
            auth_key: None,
            signature_algorithm: SignatureAlgorithm::Sha512WithRsa,
            auth_key_algorithm: SignatureAlgorithm::Sha512WithRsa,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(60),
            max_response_bytes: 1024 * 1024,
            ocsp: OcspClient::new(OcspClientConfig::default()),
        }
    }

    /// Checks what can be checked before the first request.
    pub(super) fn validate(&self) -> Result<(), SetupError> {
        check_https_url("registration_url", &self.central_server.registration_url)?;
        check_https_url("manage_url", &self.central_server.manage_url)?;
        if !self.auth_key_algorithm.is_allowed_for_auth_key_proof() {
            return Err(SetupError::AuthKeyAlgorithm {
                algorithm: self.auth_key_algorithm,
            });
        }
        Ok(())
    }
}

/// Fails unless `url` is an absolute `https://host...` URL.
fn check_https_url(field: &'static str, url: &str) -> Result<(), SetupError> {
    let valid = url.parse::<Uri>().is_ok_and(|uri| {
        uri.scheme_str()
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https"))
            && uri.host().is_some_and(|host| !host.is_empty())
    });
    if valid {
        Ok(())
    } else {
        Err(SetupError::InvalidUrl {
            field,
            url: url.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_https_urls_are_accepted() {
        for url in [
            "https://cs.example.org:4001/managementservice/",
            "HTTPS://127.0.0.1/managementservice/manage/",
            "https://[::1]:8443/",
        ] {
            assert!(check_https_url("manage_url", url).is_ok(), "{url}");
        }
        for url in [
            "http://cs.example.org/managementservice/",
            "/managementservice/",
            "cs.example.org:4001",
            "https:///path",
            "",
        ] {
            match check_https_url("manage_url", url) {
                Err(SetupError::InvalidUrl { field, url: found }) => {
                    assert_eq!((field, found.as_str()), ("manage_url", url));
                }
                other => panic!("{url}: {other:?}"),
            }
        }
    }
}

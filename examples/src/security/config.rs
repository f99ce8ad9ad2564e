//! `ss.toml`: the security server's configuration file for `security-server`.
//!
//! Relative paths are relative to the directory of the configuration file. Every key is
//! documented in the README (section "security-server configuration").

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use openssl::x509::X509;
use serde::Deserialize;
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_runtime::client::{AuthKey, CentralServer, ClientSettings, ManagementClient, MemberKey};
use xroad_runtime::ocsp::{OcspClient, OcspClientConfig};
use xroad_runtime::signature::{SignatureAlgorithm, SoftwareSigner};
use xroad_runtime::transport::TlsIdentity;

use xroad_central_server::config_file::{ConfigError, ConfigFile};

use super::SecurityServer;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityServerConfig {
    /// This security server, e.g. `SERVER:EE/GOV/TS1OWNER/TS1`; its member is the owner.
    pub server: String,
    /// The management service provider, e.g. `SUBSYSTEM:EE/GOV/CENTRAL/management`.
    pub management_service_provider: String,
    /// Signature algorithm of member signatures (default `SHA512withRSA`).
    #[serde(default = "default_algorithm")]
    pub signature_algorithm: String,
    /// PEM files of the approved CAs: the issuers of the signing certificates, for OCSP.
    pub trusted_cas: Vec<PathBuf>,
    /// The central server.
    pub central_server: CentralServerSection,
    /// The authentication certificate and key (TLS client identity; authCertReg proof).
    pub auth: KeyPairSection,
    /// The owner's signing certificate and key.
    pub owner: KeyPairSection,
    /// Signing keys of other members: owners of clients to register, new owners.
    #[serde(default)]
    pub members: Vec<MemberKeySection>,
    /// Timeouts.
    #[serde(default)]
    pub timeouts: TimeoutsSection,
}

fn default_algorithm() -> String {
    SignatureAlgorithm::Sha512WithRsa.name().to_owned()
}

/// `[central_server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentralServerSection {
    /// `https://host:port/managementservice/` (authCertReg).
    pub registration_url: String,
    /// `https://host:port/managementservice/manage/` (the other services).
    pub manage_url: String,
    /// PEM file of the central server's TLS certificate; the only one accepted (pinned).
    pub tls_certificate: PathBuf,
}

/// A certificate and its private key (PEM files).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPairSection {
    /// PEM file of the certificate.
    pub certificate: PathBuf,
    /// PEM file of the private key.
    pub key: PathBuf,
}

/// One `[[members]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberKeySection {
    /// The member, e.g. `MEMBER:EE/COM/MACK`.
    pub member: String,
    /// PEM file of its signing certificate.
    pub certificate: PathBuf,
    /// PEM file of its signing key.
    pub key: PathBuf,
}

/// `[timeouts]`; every key optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutsSection {
    /// Seconds to connect (and complete TLS) to the central server or an OCSP responder.
    pub connect_seconds: u64,
    /// Seconds to wait for a response.
    pub response_seconds: u64,
}

impl Default for TimeoutsSection {
    fn default() -> Self {
        Self {
            connect_seconds: 10,
            response_seconds: 60,
        }
    }
}

/// `ss.toml` read from its file.
#[derive(Debug, Clone)]
pub struct LoadedSecurityConfig {
    file: ConfigFile<SecurityServerConfig>,
}

impl LoadedSecurityConfig {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        ConfigFile::load(path).map(|file| Self { file })
    }

    /// The file it was read from.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// Its content.
    pub fn config(&self) -> &SecurityServerConfig {
        &self.file.config
    }

    fn read(&self, key: &'static str, file: &Path) -> Result<Vec<u8>, ConfigError> {
        self.file.read(key, file)
    }

    fn invalid(&self, key: &'static str, reason: impl ToString) -> ConfigError {
        self.file.invalid(key, reason)
    }

    fn certificate(&self, key: &'static str, file: &Path) -> Result<X509, ConfigError> {
        X509::from_pem(&self.read(key, file)?)
            .map_err(|e| self.invalid(key, format!("{}: {e}", file.display())))
    }

    fn signer(&self, key: &'static str, file: &Path) -> Result<SoftwareSigner, ConfigError> {
        SoftwareSigner::from_pem(&self.file.read_private_key(key, file)?)
            .map_err(|e| self.invalid(key, format!("{}: {e}", file.display())))
    }

    /// This security server.
    pub fn server(&self) -> Result<XRoadSecurityServerIdentifierType, ConfigError> {
        self.config()
            .server
            .parse()
            .map_err(|e| self.invalid("server", e))
    }

    /// The owner's signing key.
    pub fn owner_key(&self) -> Result<MemberKey, ConfigError> {
        let section = &self.config().owner;
        let signer = self.signer("owner.key", &section.key)?;
        let cert = self.certificate("owner.certificate", &section.certificate)?;
        MemberKey::new(Arc::new(signer), cert).map_err(|e| self.invalid("owner", e))
    }

    /// The authentication key.
    pub fn auth_key(&self) -> Result<AuthKey, ConfigError> {
        let section = &self.config().auth;
        let signer = self.signer("auth.key", &section.key)?;
        let cert = self.certificate("auth.certificate", &section.certificate)?;
        AuthKey::new(Arc::new(signer), cert).map_err(|e| self.invalid("auth", e))
    }

    /// The signing keys: the owner's and those of `[[members]]`.
    pub fn signing_keys(&self) -> Result<Vec<MemberKey>, ConfigError> {
        let mut keys = vec![self.owner_key()?];
        for entry in &self.config().members {
            let signer = self.signer("members.key", &entry.key)?;
            let cert = self.certificate("members.certificate", &entry.certificate)?;
            let key =
                MemberKey::new(Arc::new(signer), cert).map_err(|e| self.invalid("members", e))?;
            let named: XRoadClientIdentifierType = entry
                .member
                .parse()
                .map_err(|e| self.invalid("members.member", e))?;
            if !key.member().matches(&named) {
                return Err(self.invalid(
                    "members",
                    format!(
                        "the certificate of {} belongs to member {}",
                        entry.member,
                        key.member()
                    ),
                ));
            }
            keys.push(key);
        }
        Ok(keys)
    }

    /// The management client.
    pub fn client(&self) -> Result<ManagementClient, ConfigError> {
        ManagementClient::new(self.settings()?).map_err(|e| self.invalid("central_server", e))
    }

    /// The management client's settings, with this configuration's keys.
    pub fn settings(&self) -> Result<ClientSettings, ConfigError> {
        let c = self.config();
        let provider: XRoadClientIdentifierType = c
            .management_service_provider
            .parse()
            .map_err(|e| self.invalid("management_service_provider", e))?;
        let algorithm: SignatureAlgorithm = c
            .signature_algorithm
            .parse()
            .map_err(|e| self.invalid("signature_algorithm", e))?;
        let central = CentralServer {
            registration_url: c.central_server.registration_url.clone(),
            manage_url: c.central_server.manage_url.clone(),
            tls_certificate: self.certificate(
                "central_server.tls_certificate",
                &c.central_server.tls_certificate,
            )?,
        };
        let auth_cert = self.read("auth.certificate", &c.auth.certificate)?;
        let auth_key = self.file.read_private_key("auth.key", &c.auth.key)?;
        let tls =
            TlsIdentity::from_pem(&auth_cert, &auth_key).map_err(|e| self.invalid("auth", e))?;
        let mut trusted = Vec::new();
        for file in &c.trusted_cas {
            let pem = self.read("trusted_cas", file)?;
            trusted
                .extend(X509::stack_from_pem(&pem).map_err(|e| {
                    self.invalid("trusted_cas", format!("{}: {e}", file.display()))
                })?);
        }
        let mut settings = ClientSettings::new(self.server()?, provider, central, tls, trusted);
        settings.signing_keys = self.signing_keys()?;
        settings.auth_key = Some(self.auth_key()?);
        settings.signature_algorithm = algorithm;
        settings.connect_timeout = Duration::from_secs(c.timeouts.connect_seconds);
        settings.response_timeout = Duration::from_secs(c.timeouts.response_seconds);
        settings.ocsp = OcspClient::new(OcspClientConfig {
            connect_timeout: settings.connect_timeout,
            ..OcspClientConfig::default()
        });
        Ok(settings)
    }

    /// The security server as the command line runs it: the management client with this
    /// configuration's keys, and the authentication certificate.
    pub fn security_server(&self) -> Result<SecurityServer, ConfigError> {
        let auth = self.auth_key()?;
        let auth_cert = auth
            .cert()
            .to_der()
            .map_err(|e| self.invalid("auth.certificate", e))?;
        Ok(SecurityServer::new(self.client()?, auth_cert))
    }
}

//! `central.toml`: the central server's configuration file.
//!
//! Relative paths are relative to the directory of the configuration file. Every key is
//! documented in the README (section "central-server configuration").

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use xroad_codec::identifier::Code;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::cert::TrustStore;
use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
use xroad_runtime::service::ManageTrust;
use xroad_runtime::transport::{
    ClientAuth, Endpoint, Limits, ListenerConfig, RateLimit, ServerConfig, TlsIdentity,
};
use xroad_runtime::verify::VerifierConfig;

pub use crate::config_file::{ConfigError, ConfigFile};

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CentralConfig {
    /// The X-Road instance, e.g. `EE`.
    pub instance: String,
    /// The management service provider the requests' `service` header names, e.g.
    /// `SUBSYSTEM:EE/GOV/CENTRAL/management`.
    pub management_service_provider: String,
    /// The SQLite database file (created on first start).
    pub database: PathBuf,
    /// Approve registration requests on receipt.
    #[serde(default)]
    pub auto_approve: bool,
    /// Transport trust of the manage endpoint.
    #[serde(default)]
    pub manage_trust: ManageTrustSetting,
    /// Listen addresses.
    pub listen: ListenSection,
    /// The TLS certificate and key of both endpoints.
    pub tls: TlsSection,
    /// Trusted CAs and OCSP settings.
    pub trust: TrustSection,
    /// Limits.
    #[serde(default)]
    pub limits: LimitsSection,
    /// The store's settings.
    #[serde(default)]
    pub store: crate::store::StoreSettings,
}

/// `manage_trust`: `registered-auth-cert` (default) or `off`.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ManageTrustSetting {
    /// The TLS client certificate must be a registered authentication certificate of the
    /// security server the request names.
    #[default]
    RegisteredAuthCert,
    /// No TLS client authentication (behind a management service provider's security
    /// server).
    Off,
}

/// `[listen]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenSection {
    /// Address of the registration endpoint (`POST /managementservice/`, authCertReg).
    pub registration: SocketAddr,
    /// Address of the manage endpoint (`POST /managementservice/manage/`, the others).
    pub manage: SocketAddr,
    /// Address of the admin listener (`GET /metrics`), plain HTTP; none when absent.
    pub admin: Option<SocketAddr>,
}

/// `[tls]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSection {
    /// PEM file: the server certificate, then any intermediates.
    pub certificate: PathBuf,
    /// PEM file: the private key.
    pub key: PathBuf,
}

/// `[trust]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustSection {
    /// PEM files of the approved CAs (several certificates per file allowed).
    pub ca_certificates: Vec<PathBuf>,
    /// OCSP responder certificates configured per CA.
    #[serde(default)]
    pub ocsp_responders: Vec<ResponderEntry>,
    /// Greatest age of an OCSP response's `thisUpdate`, in seconds.
    #[serde(default = "default_freshness")]
    pub ocsp_freshness_seconds: u64,
    /// Smallest RSA key, in bits, accepted in signing and authentication certificates.
    #[serde(default = "default_min_rsa_bits")]
    pub min_rsa_key_bits: u32,
}

/// One `[[trust.ocsp_responders]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponderEntry {
    /// PEM file of the CA the responder answers for.
    pub ca: PathBuf,
    /// PEM file of the responder's certificate.
    pub responder: PathBuf,
}

/// `[limits]`; every key optional.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Largest request body in bytes.
    pub max_body_bytes: usize,
    /// Seconds to receive the request headers.
    pub header_read_timeout_seconds: u64,
    /// Seconds to complete the TLS handshake.
    pub tls_handshake_timeout_seconds: u64,
    /// Seconds to receive the request body.
    pub body_read_timeout_seconds: u64,
    /// Concurrent connections over all listeners.
    pub max_connections: usize,
    /// Requests per second per client IP address; 0 turns rate limiting off.
    pub requests_per_second_per_ip: u32,
    /// Requests a client IP address may send at once above the rate.
    pub burst_per_ip: u32,
    /// Seconds in-flight requests get to finish at shutdown.
    pub shutdown_grace_seconds: u64,
}

impl Default for LimitsSection {
    fn default() -> Self {
        let limits = Limits::default();
        let (rate, burst) = limits
            .rate_limit
            .map_or((0, 0), |r| (r.per_second.get(), r.burst.get()));
        Self {
            max_body_bytes: limits.max_body_bytes,
            header_read_timeout_seconds: limits.header_read_timeout.as_secs(),
            tls_handshake_timeout_seconds: limits.tls_handshake_timeout.as_secs(),
            body_read_timeout_seconds: limits.body_read_timeout.as_secs(),
            max_connections: limits.max_connections,
            requests_per_second_per_ip: rate,
            burst_per_ip: burst,
            shutdown_grace_seconds: 30,
        }
    }
}

fn default_freshness() -> u64 {
    OcspPolicy::DEFAULT_MAX_AGE.as_secs()
}

fn default_min_rsa_bits() -> u32 {
    VerifierConfig::DEFAULT_MIN_RSA_BITS
}

/// `central.toml` read from its file.
pub type LoadedConfig = ConfigFile<CentralConfig>;

impl ConfigFile<CentralConfig> {
    /// The database path.
    pub fn database(&self) -> PathBuf {
        self.resolve(&self.config.database)
    }

    /// The verifier settings.
    pub fn verifier_config(&self) -> Result<VerifierConfig, ConfigError> {
        let instance: Code = self
            .config
            .instance
            .parse()
            .map_err(|e| self.invalid("instance", e))?;
        let provider: XRoadClientIdentifierType =
            self.config
                .management_service_provider
                .parse()
                .map_err(|e| self.invalid("management_service_provider", e))?;
        let min_rsa_bits = self.config.trust.min_rsa_key_bits;
        if min_rsa_bits == 0 {
            return Err(self.invalid("trust.min_rsa_key_bits", "must be positive"));
        }
        Ok(VerifierConfig {
            min_rsa_bits,
            ..VerifierConfig::new(instance, provider)
        })
    }

    /// The trusted CAs.
    pub fn trust_store(&self) -> Result<TrustStore, ConfigError> {
        if self.config.trust.ca_certificates.is_empty() {
            return Err(self.invalid("trust.ca_certificates", "no CA certificate is configured"));
        }
        let mut anchors = Vec::new();
        for file in &self.config.trust.ca_certificates {
            let pem = self.read("trust.ca_certificates", file)?;
            let certs = openssl::x509::X509::stack_from_pem(&pem).map_err(|e| {
                self.invalid("trust.ca_certificates", format!("{}: {e}", file.display()))
            })?;
            if certs.is_empty() {
                return Err(self.invalid(
                    "trust.ca_certificates",
                    format!("{} holds no certificate", file.display()),
                ));
            }
            anchors.extend(certs);
        }
        TrustStore::new(anchors).map_err(|e| self.invalid("trust.ca_certificates", e))
    }

    /// The OCSP verifier: freshness and configured responders.
    pub fn ocsp_verifier(&self) -> Result<OcspVerifier, ConfigError> {
        let trust = &self.config.trust;
        if trust.ocsp_freshness_seconds == 0 {
            return Err(self.invalid("trust.ocsp_freshness_seconds", "must be positive"));
        }
        let policy = OcspPolicy {
            max_age: Duration::from_secs(trust.ocsp_freshness_seconds),
            ..OcspPolicy::default()
        };
        let mut verifier = OcspVerifier::new(policy);
        for entry in &trust.ocsp_responders {
            let load = |file: &Path| -> Result<openssl::x509::X509, ConfigError> {
                let pem = self.read("trust.ocsp_responders", file)?;
                openssl::x509::X509::from_pem(&pem).map_err(|e| {
                    self.invalid("trust.ocsp_responders", format!("{}: {e}", file.display()))
                })
            };
            verifier = verifier.with_responder(load(&entry.ca)?, load(&entry.responder)?);
        }
        Ok(verifier)
    }

    /// The transport settings of both endpoints and the admin listener.
    pub fn server_config(&self) -> Result<ServerConfig, ConfigError> {
        let cert = self.read("tls.certificate", &self.config.tls.certificate)?;
        let key = self.read_private_key("tls.key", &self.config.tls.key)?;
        let tls = TlsIdentity::from_pem(&cert, &key).map_err(|e| self.invalid("tls", e))?;
        let listen = &self.config.listen;
        let mut manage = ListenerConfig::manage(listen.manage, tls.clone());
        if self.config.manage_trust == ManageTrustSetting::Off {
            manage.client_auth = ClientAuth::Off;
        }
        let registration = ListenerConfig::registration(listen.registration, tls);
        debug_assert_eq!(registration.path, Endpoint::Registration.default_path());
        let l = &self.config.limits;
        let rate_limit = match (
            NonZeroU32::new(l.requests_per_second_per_ip),
            NonZeroU32::new(l.burst_per_ip),
        ) {
            (None, _) => None,
            (Some(per_second), Some(burst)) => Some(RateLimit { per_second, burst }),
            (Some(_), None) => {
                return Err(self.invalid("limits.burst_per_ip", "must be positive with a rate"));
            }
        };
        let mut config = ServerConfig::new(registration, manage);
        config.admin = listen.admin;
        config.limits = Limits {
            max_body_bytes: l.max_body_bytes,
            header_read_timeout: Duration::from_secs(l.header_read_timeout_seconds),
            tls_handshake_timeout: Duration::from_secs(l.tls_handshake_timeout_seconds),
            body_read_timeout: Duration::from_secs(l.body_read_timeout_seconds),
            max_connections: l.max_connections,
            rate_limit,
        };
        config.shutdown_grace = Duration::from_secs(l.shutdown_grace_seconds);
        Ok(config)
    }

    /// Transport trust of the manage endpoint.
    pub fn manage_trust(&self) -> ManageTrust {
        match self.config.manage_trust {
            ManageTrustSetting::RegisteredAuthCert => ManageTrust::RegisteredAuthCert,
            ManageTrustSetting::Off => ManageTrust::Off,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `central.toml` example of the README, which shows every key.
    fn readme_example() -> String {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("`central.toml` (paths relative")
            .expect("the README documents central.toml");
        let block = &readme[start..];
        let body = block
            .split_once("```toml\n")
            .and_then(|(_, rest)| rest.split_once("```"))
            .expect("a toml block follows")
            .0;
        body.to_owned()
    }

    #[test]
    fn the_readme_example_reads_and_gives_its_verifier_settings() {
        let config = LoadedConfig::parse(Path::new("/etc/xroad/central.toml"), &readme_example())
            .expect("the README example is a valid central.toml");
        assert_eq!(config.config.trust.min_rsa_key_bits, 2048);
        let verifier = config.verifier_config().expect("verifier settings");
        assert_eq!(verifier.min_rsa_bits, 2048);
        assert_eq!(verifier.instance.as_str(), "EE");
    }

    #[test]
    fn min_rsa_key_bits_is_optional_and_must_be_positive() {
        let without = readme_example().replace("min_rsa_key_bits = 2048", "");
        let config = LoadedConfig::parse(Path::new("central.toml"), &without).unwrap();
        assert_eq!(
            config.verifier_config().unwrap().min_rsa_bits,
            VerifierConfig::DEFAULT_MIN_RSA_BITS
        );
        let stricter =
            readme_example().replace("min_rsa_key_bits = 2048", "min_rsa_key_bits = 3072");
        let config = LoadedConfig::parse(Path::new("central.toml"), &stricter).unwrap();
        assert_eq!(config.verifier_config().unwrap().min_rsa_bits, 3072);
        let zero = readme_example().replace("min_rsa_key_bits = 2048", "min_rsa_key_bits = 0");
        let config = LoadedConfig::parse(Path::new("central.toml"), &zero).unwrap();
        let error = config.verifier_config().unwrap_err().to_string();
        assert!(error.contains("trust.min_rsa_key_bits"), "{error}");
    }
}

//! `central.toml`: the central server's configuration file.
//!
//! Relative paths are relative to the directory of the configuration file. Every key is
//! documented in the README (section "central-server configuration").

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
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
    /// The store: a SQLite file (created on first start) or a PostgreSQL URL
    /// (`postgres://…`); read it with [`ConfigFile::database`].
    pub database: PathBuf,
    /// PEM file of the CA certificates that verify the PostgreSQL server (the system's when
    /// absent); only with a PostgreSQL `database`.
    #[serde(default)]
    pub database_ca_certificates: Option<PathBuf>,
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
    /// The addresses (`192.0.2.10`) and networks (`10.1.0.0/16`) the manage endpoint takes
    /// connections from; required with `manage_trust = "off"` (the management service
    /// provider's security servers), any source when absent otherwise.
    pub manage_allowed_sources: Option<Vec<String>>,
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
    /// Concurrent connections on each of the two endpoints.
    pub max_connections: usize,
    /// Concurrent connections of one client address (IPv6: /64) on each endpoint.
    pub max_connections_per_address: usize,
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
            max_connections_per_address: limits.max_connections_per_address,
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
        manage.allowed_sources = self.manage_allowed_sources()?;
        if self.config.manage_trust == ManageTrustSetting::Off {
            if manage.allowed_sources.is_none() {
                return Err(self.invalid(
                    "listen.manage_allowed_sources",
                    "required with manage_trust = \"off\": without TLS client authentication \
                     the manage endpoint must take connections only from the management \
                     service provider's security servers; list their addresses or networks, \
                     e.g. [\"192.0.2.10\", \"10.1.0.0/16\"]",
                ));
            }
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
            max_connections_per_address: l.max_connections_per_address,
            rate_limit,
        };
        config
            .limits
            .validate()
            .map_err(|e| self.invalid("limits", e))?;
        config.shutdown_grace = Duration::from_secs(l.shutdown_grace_seconds);
        Ok(config)
    }

    /// `listen.manage_allowed_sources`: each an IP address (a network of one) or a network
    /// in CIDR notation; `None` when absent. An empty list is refused: it would take no
    /// connection at all.
    fn manage_allowed_sources(&self) -> Result<Option<Vec<IpNet>>, ConfigError> {
        const KEY: &str = "listen.manage_allowed_sources";
        let Some(entries) = &self.config.listen.manage_allowed_sources else {
            return Ok(None);
        };
        if entries.is_empty() {
            return Err(self.invalid(
                KEY,
                "the list is empty, so no connection would be taken; remove the key or list \
                 addresses",
            ));
        }
        entries
            .iter()
            .map(|entry| {
                let text = entry.trim();
                let net = if text.contains('/') {
                    text.parse::<IpNet>().map(|net| net.trunc()).ok()
                } else {
                    text.parse::<IpAddr>().ok().map(IpNet::from)
                };
                net.ok_or_else(|| {
                    self.invalid(
                        KEY,
                        format!(
                            "{entry:?} is neither an IP address nor a network in CIDR \
                             notation (e.g. \"10.1.0.0/16\")"
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
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

    /// `central.toml` in a folder of its own with the sandbox's kind of TLS files, with
    /// `replace` applied to the README example.
    fn with_tls_files(replace: &[(&str, &str)]) -> (tempfile::TempDir, LoadedConfig) {
        use xroad_runtime::testpki::{CertRequest, TestPki};
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki::new().unwrap();
        let tls = pki
            .issue(&CertRequest::tls_server(&["localhost"], &[]))
            .unwrap();
        std::fs::write(dir.path().join("tls.pem"), tls.cert_pem().unwrap()).unwrap();
        // Private, as the server requires of key files whatever the umask.
        let mut key = std::fs::OpenOptions::new();
        std::os::unix::fs::OpenOptionsExt::mode(&mut key, 0o600);
        std::io::Write::write_all(
            &mut key
                .write(true)
                .create_new(true)
                .open(dir.path().join("tls.key"))
                .unwrap(),
            &tls.key_pem().unwrap(),
        )
        .unwrap();
        let mut text = readme_example();
        for (from, to) in replace {
            assert!(text.contains(from), "{from}");
            text = text.replace(from, to);
        }
        let path = dir.path().join("central.toml");
        let config = LoadedConfig::parse(&path, &text).unwrap();
        (dir, config)
    }

    const TRUST_ON: &str = r#"manage_trust = "registered-auth-cert""#;
    const SOURCES: &str = r#"manage_allowed_sources = ["192.0.2.10", "10.1.0.0/16"]"#;

    #[test]
    fn manage_trust_off_needs_allowed_sources() {
        let (_dir, config) =
            with_tls_files(&[(TRUST_ON, r#"manage_trust = "off""#), (SOURCES, "")]);
        let error = config.server_config().unwrap_err().to_string();
        assert!(
            error.contains("`listen.manage_allowed_sources`: required with manage_trust = \"off\""),
            "{error}"
        );

        let (_dir, config) = with_tls_files(&[(TRUST_ON, r#"manage_trust = "off""#)]);
        let server = config.server_config().unwrap();
        assert_eq!(server.manage.client_auth, ClientAuth::Off);
        let sources: Vec<String> = server
            .manage
            .allowed_sources
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(sources, ["192.0.2.10/32", "10.1.0.0/16"]);
        assert_eq!(server.registration.allowed_sources, None);
    }

    #[test]
    fn allowed_sources_are_addresses_or_networks() {
        let (_dir, config) = with_tls_files(&[(
            SOURCES,
            r#"manage_allowed_sources = [" 2001:db8::1 ", "2001:db8:1::/48", "10.1.2.3/16"]"#,
        )]);
        let server = config.server_config().unwrap();
        assert_eq!(server.manage.client_auth, ClientAuth::Required);
        let sources: Vec<String> = server
            .manage
            .allowed_sources
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            sources,
            ["2001:db8::1/128", "2001:db8:1::/48", "10.1.0.0/16"]
        );
        for (list, words) in [
            (
                r#"["192.0.2.300"]"#,
                r#""192.0.2.300" is neither an IP address nor a network"#,
            ),
            (r#"["10.0.0.0/33"]"#, r#""10.0.0.0/33" is neither"#),
            (r#"["ss1.example.org"]"#, r#""ss1.example.org" is neither"#),
            ("[]", "the list is empty"),
        ] {
            let (_dir, config) =
                with_tls_files(&[(SOURCES, &format!("manage_allowed_sources = {list}"))]);
            let error = config.server_config().unwrap_err().to_string();
            assert!(
                error.contains("`listen.manage_allowed_sources`") && error.contains(words),
                "{list}: {error}"
            );
        }
    }

    #[test]
    fn connection_limits_are_per_endpoint_and_per_address() {
        let (_dir, config) = with_tls_files(&[]);
        let limits = config.server_config().unwrap().limits;
        assert_eq!(limits.max_connections, 1000);
        assert_eq!(limits.max_connections_per_address, 100);
        let (_dir, config) = with_tls_files(&[(
            "max_connections_per_address = 100",
            "max_connections_per_address = 0",
        )]);
        let error = config.server_config().unwrap_err().to_string();
        assert!(error.contains("max_connections_per_address"), "{error}");
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

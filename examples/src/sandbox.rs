//! A throw-away X-Road installation in a folder: a test PKI with a real OCSP responder over
//! HTTP, the PEM files and the configuration files of a central server and a security
//! server, and the central server running on loopback. The demo runs on it; so do the
//! end-to-end tests.
//!
//! Members: the security server `SERVER:EE/GOV/TS1OWNER/TS1` owned by `EE/GOV/TS1OWNER`;
//! the member `EE/COM/MACK`, whose subsystem becomes a client and who then becomes the
//! owner; and `EE/GOV/CENTRAL`, the management service provider's member, which signs the
//! registration of its subsystem `SUBSYSTEM:EE/GOV/CENTRAL/management` as a client (the
//! rules that protect the provider's client need it registered).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use xroad_central_server::RunningCentral;
use xroad_runtime::testpki::{CertRequest, Issued, OcspHttpListener, OcspHttpServer, TestPki};
use xroad_runtime::transport::Endpoint;

use crate::security::config::LoadedSecurityConfig;

/// The X-Road instance of the sandbox.
pub const INSTANCE: &str = "EE";
/// The security server.
pub const SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS1";
/// Its owner.
pub const OWNER: &str = "MEMBER:EE/GOV/TS1OWNER";
/// The management service provider.
pub const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
/// The member that owns the management service provider's subsystem.
pub const PROVIDER_MEMBER: &str = "MEMBER:EE/GOV/CENTRAL";
/// The member that registers a subsystem and then takes the server over.
pub const MACK: &str = "MEMBER:EE/COM/MACK";
/// MACK's subsystem.
pub const MACK_SUBSYSTEM: &str = "SUBSYSTEM:EE/COM/MACK/billing";
/// The security server after MACK took it over.
pub const SERVER_AFTER_OWNER_CHANGE: &str = "SERVER:EE/COM/MACK/TS1";

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The PKI, its OCSP responder, and the files in the folder.
pub struct Sandbox {
    dir: PathBuf,
    pki: TestPki,
    ocsp: OcspHttpServer,
    /// The security server's authentication certificate.
    pub auth: Issued,
    /// The owner's signing certificate.
    pub owner: Issued,
    /// MACK's signing certificate.
    pub mack: Issued,
    /// The signing certificate of the management service provider's member.
    pub provider: Issued,
}

impl Sandbox {
    /// Creates the PKI (CA, central server TLS certificate, signing and authentication
    /// certificates whose OCSP responder is an HTTP server on 127.0.0.1) and writes the
    /// PEM files and `central.toml` into `dir`.
    pub fn create(dir: &Path, auto_approve: bool) -> Result<Self, Failure> {
        let listener = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let pki = TestPki::builder().ocsp_url(listener.url()).build()?;
        let ocsp = listener.serve(&pki)?;
        let tls = pki.issue(&CertRequest::tls_server(
            &["localhost"],
            &[IpAddr::V4(Ipv4Addr::LOCALHOST)],
        ))?;
        let owner = pki.issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))?;
        let auth =
            pki.issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())?;
        let mack = pki.issue(&CertRequest::signing("EE", "COM", "MACK").distinct_key())?;
        let provider = pki.issue(&CertRequest::signing("EE", "GOV", "CENTRAL").distinct_key())?;
        let write = |name: &str, bytes: Vec<u8>| std::fs::write(dir.join(name), bytes);
        write("ca.pem", pki.ca().cert_pem()?)?;
        write("central-tls.pem", tls.cert_pem()?)?;
        write("central-tls.key", tls.key_pem()?)?;
        write("auth.pem", auth.cert_pem()?)?;
        write("auth.key", auth.key_pem()?)?;
        write("owner-sign.pem", owner.cert_pem()?)?;
        write("owner-sign.key", owner.key_pem()?)?;
        write("mack-sign.pem", mack.cert_pem()?)?;
        write("mack-sign.key", mack.key_pem()?)?;
        write("central-sign.pem", provider.cert_pem()?)?;
        write("central-sign.key", provider.key_pem()?)?;
        std::fs::write(
            dir.join("central.toml"),
            format!(
                r#"# Central server of the sandbox.
instance = "{INSTANCE}"
management_service_provider = "{PROVIDER}"
database = "central.db"
auto_approve = {auto_approve}

[listen]
registration = "127.0.0.1:0"
manage = "127.0.0.1:0"
admin = "127.0.0.1:0"

[tls]
certificate = "central-tls.pem"
key = "central-tls.key"

[trust]
ca_certificates = ["ca.pem"]
ocsp_freshness_seconds = 3600

[limits]
requests_per_second_per_ip = 0
"#
            ),
        )?;
        Ok(Self {
            dir: dir.to_owned(),
            pki,
            ocsp,
            auth,
            owner,
            mack,
            provider,
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The PKI.
    pub fn pki(&self) -> &TestPki {
        &self.pki
    }

    /// The OCSP responder.
    pub fn ocsp(&self) -> &OcspHttpServer {
        &self.ocsp
    }

    /// `central.toml`.
    pub fn central_config(&self) -> PathBuf {
        self.dir.join("central.toml")
    }

    /// Writes `ss.toml` for security server `server` talking to `central`, and loads it.
    pub fn security_config(
        &self,
        central: &RunningCentral,
        server: &str,
    ) -> Result<LoadedSecurityConfig, Failure> {
        self.security_config_for(central.registration, central.manage, server)
    }

    /// Writes `ss.toml` for security server `server` talking to a central server whose
    /// registration and manage endpoints listen at `registration` and `manage` (e.g. one
    /// running in another process), and loads it.
    pub fn security_config_for(
        &self,
        registration: SocketAddr,
        manage: SocketAddr,
        server: &str,
    ) -> Result<LoadedSecurityConfig, Failure> {
        let path = self.dir.join("ss.toml");
        std::fs::write(
            &path,
            format!(
                r#"# Security server of the sandbox.
server = "{server}"
management_service_provider = "{PROVIDER}"
signature_algorithm = "SHA512withRSA"
trusted_cas = ["ca.pem"]

[central_server]
registration_url = "https://{registration}{}"
manage_url = "https://{manage}{}"
tls_certificate = "central-tls.pem"

[auth]
certificate = "auth.pem"
key = "auth.key"

[owner]
certificate = "owner-sign.pem"
key = "owner-sign.key"

[[members]]
member = "{MACK}"
certificate = "mack-sign.pem"
key = "mack-sign.key"

[[members]]
member = "{PROVIDER_MEMBER}"
certificate = "central-sign.pem"
key = "central-sign.key"
"#,
                Endpoint::Registration.default_path(),
                Endpoint::Manage.default_path(),
            ),
        )?;
        Ok(LoadedSecurityConfig::load(&path)?)
    }

    /// Stops the OCSP responder.
    pub async fn shutdown(self) {
        self.ocsp.shutdown().await;
    }
}

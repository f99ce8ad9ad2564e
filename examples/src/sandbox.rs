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

/// Where the sandbox's central server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen {
    /// The registration endpoint.
    pub registration: SocketAddr,
    /// The manage endpoint.
    pub manage: SocketAddr,
    /// The admin listener (metrics).
    pub admin: SocketAddr,
}

impl Listen {
    /// Every listener on 127.0.0.1, on ports the system picks.
    pub const ANY_PORT: Listen = Listen {
        registration: loopback(0),
        manage: loopback(0),
        admin: loopback(0),
    };

    /// The ports of the README's first-hour program: registration on 127.0.0.1:4001,
    /// manage on 127.0.0.1:4002; the admin listener on a port the system picks.
    pub const FIRST_HOUR: Listen = Listen {
        registration: loopback(4001),
        manage: loopback(4002),
        admin: loopback(0),
    };
}

/// `127.0.0.1:port`.
const fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

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
    /// PEM files and `central.toml` into `dir`, the central server listening on loopback
    /// ports the system picks.
    pub fn create(dir: &Path, auto_approve: bool) -> Result<Self, Failure> {
        Self::create_listening(dir, auto_approve, Listen::ANY_PORT)
    }

    /// [`create`](Self::create), the central server listening at `listen`.
    pub fn create_listening(
        dir: &Path,
        auto_approve: bool,
        listen: Listen,
    ) -> Result<Self, Failure> {
        let Listen {
            registration,
            manage,
            admin,
        } = listen;
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
        let write_key = |name: &str, bytes: Vec<u8>| write_private(&dir.join(name), &bytes);
        write("ca.pem", pki.ca().cert_pem()?)?;
        write("central-tls.pem", tls.cert_pem()?)?;
        write_key("central-tls.key", tls.key_pem()?)?;
        write("auth.pem", auth.cert_pem()?)?;
        write_key("auth.key", auth.key_pem()?)?;
        write("owner-sign.pem", owner.cert_pem()?)?;
        write_key("owner-sign.key", owner.key_pem()?)?;
        write("mack-sign.pem", mack.cert_pem()?)?;
        write_key("mack-sign.key", mack.key_pem()?)?;
        write("central-sign.pem", provider.cert_pem()?)?;
        write_key("central-sign.key", provider.key_pem()?)?;
        std::fs::write(
            dir.join("central.toml"),
            format!(
                r#"# Central server of the sandbox.
instance = "{INSTANCE}"
management_service_provider = "{PROVIDER}"
database = "central.db"
auto_approve = {auto_approve}

[listen]
registration = "{registration}"
manage = "{manage}"
admin = "{admin}"

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

/// Writes a private key file that only its owner can read and write (0600 on Unix), as the
/// configuration readers require; an existing file is truncated and gets that mode too.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[tokio::test]
    async fn the_sandbox_writes_its_private_keys_for_their_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let _sandbox = Sandbox::create(dir.path(), false).unwrap();
        let mut keys = 0;
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let path = entry.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            if path.extension().is_some_and(|e| e == "key") {
                keys += 1;
                assert_eq!(mode, 0o600, "{}", path.display());
            }
        }
        assert_eq!(keys, 5);
    }

    #[test]
    fn a_private_key_file_written_again_gets_the_owner_only_mode() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("a.key");
        std::fs::write(&key, b"old and world-readable").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&key, b"new").unwrap();
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read(&key).unwrap(), b"new");
    }
}

//! The manage endpoint's transport trust end to end, over real TLS on 127.0.0.1, with the
//! sandbox's HTTP OCSP responder: a registered authentication certificate that has been
//! revoked cannot be used any more, not even to delete the certificate that replaced it.

use std::path::Path;
use std::time::{Duration, SystemTime};

use xroad_central_server::RunningCentral;
use xroad_examples::sandbox::{MACK_SUBSYSTEM, SERVER, Sandbox};
use xroad_examples::security::SecurityServer;
use xroad_examples::security::config::LoadedSecurityConfig;
use xroad_mserv::xroad;
use xroad_runtime::fault::FaultCode;
use xroad_runtime::ocsp::RevocationReason;
use xroad_runtime::testpki::{CertRequest, CertStatus, Issued};

/// The security server of the sandbox with another authentication certificate: writes its
/// certificate and key, and an `ss.toml` naming them, into `dir`.
fn with_auth_cert(dir: &Path, sandbox_config: &Path, auth: &Issued, name: &str) -> SecurityServer {
    std::fs::write(dir.join(format!("{name}.pem")), auth.cert_pem().unwrap()).unwrap();
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&key, auth.key_pem().unwrap()).unwrap();
    // Private, as the configuration reader requires of key files whatever the umask.
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let text = std::fs::read_to_string(sandbox_config).unwrap();
    assert!(text.contains("\"auth.pem\"") && text.contains("\"auth.key\""));
    let text = text
        .replace("\"auth.pem\"", &format!("\"{name}.pem\""))
        .replace("\"auth.key\"", &format!("\"{name}.key\""));
    let path = dir.join(format!("ss-{name}.toml"));
    std::fs::write(&path, text).unwrap();
    LoadedSecurityConfig::load(&path)
        .unwrap()
        .security_server()
        .unwrap()
}

/// The attack of the audit: the server's first authentication certificate is revoked after
/// a replacement was registered; whoever holds the revoked key tries to delete the
/// replacement and to register a client. Both are refused with `cert_validation`, the
/// registry is unchanged, and the replacement keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_auth_cert_cannot_delete_its_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let old = config.security_server().unwrap();
    old.auth_cert_reg("ss1.example.org").await.unwrap();

    let replacement = sandbox
        .pki()
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())
        .unwrap();
    let new = with_auth_cert(dir.path(), config.path(), &replacement, "replacement");
    new.auth_cert_reg("ss1.example.org").await.unwrap();
    let replacement_der = replacement.cert_der().unwrap();
    let registry = central.store.registry().unwrap();
    assert_eq!(
        registry[0].auth_certs,
        [sandbox.auth.cert_der().unwrap(), replacement_der.clone()]
    );

    sandbox.ocsp().set_status(
        &sandbox.auth.cert().serial_number().to_bn().unwrap(),
        CertStatus::Revoked {
            time: SystemTime::now() - Duration::from_secs(60),
            reason: Some(RevocationReason::KeyCompromise),
        },
    );
    let before = central.store.dump().unwrap();
    let deletion = xroad::AuthCertDeletion(xroad::AuthCertDeletionRequestType {
        server: old.server().clone(),
        auth_cert: replacement_der.clone(),
        request_id: None,
    });
    let error = old.client().auth_cert_deletion(deletion).await.unwrap_err();
    let fault = error
        .fault()
        .unwrap_or_else(|| panic!("not a fault: {error}"));
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault.reason.contains("was revoked at") && fault.reason.contains("keyCompromise"),
        "{fault}"
    );
    let subsystem = MACK_SUBSYSTEM.parse().unwrap();
    let error = old.client_reg(&subsystem).await.unwrap_err();
    assert_eq!(
        error.fault().map(|f| f.code),
        Some(FaultCode::CertValidation)
    );
    assert_eq!(central.store.dump().unwrap(), before, "nothing changed");

    // The replacement is served.
    new.client_reg(&subsystem).await.unwrap();
    central.stop().await;
    sandbox.shutdown().await;
}

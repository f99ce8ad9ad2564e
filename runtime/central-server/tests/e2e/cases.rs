use std::collections::BTreeSet;
use std::process::Command;

use xroad_central_server::RunningCentral;
use xroad_central_server::store::{RequestFilter, Service};
use xroad_examples::sandbox::{
    MACK, MACK_SUBSYSTEM, OWNER, SERVER, SERVER_AFTER_OWNER_CHANGE, Sandbox,
};
use xroad_examples::security::SecurityServer;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::cert::MemberId;
use xroad_runtime::client::{ManagementClient, ManagementError, MemberKey};
use xroad_runtime::fault::FaultCode;
use xroad_runtime::testpki::CertRequest;
use xroad_runtime::transport::ClientError;
use xroad_runtime::transport::Endpoint;

use crate::support::CentralData;

fn id(text: &str) -> XRoadClientIdentifierType {
    text.parse().unwrap()
}

struct Setup {
    _dir: Folder,
    sandbox: Sandbox,
    central: RunningCentral,
}

/// The sandbox's folder and the central server's data, on the backend of this test binary.
struct Folder {
    data: CentralData,
    _dir: tempfile::TempDir,
}

/// A sandbox in a new folder, its central server's data on this binary's backend.
fn sandbox(auto_approve: bool) -> (Folder, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), auto_approve).unwrap();
    let data = CentralData::for_config(crate::BACKEND, &sandbox.central_config());
    (Folder { data, _dir: dir }, sandbox)
}

async fn setup(auto_approve: bool) -> Setup {
    let (dir, sandbox) = sandbox(auto_approve);
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    Setup {
        _dir: dir,
        sandbox,
        central,
    }
}

#[track_caller]
fn fault_code(error: &ManagementError) -> FaultCode {
    error
        .fault()
        .unwrap_or_else(|| panic!("not a fault: {error}"))
        .code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_five_services_in_a_real_order() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    let mack = id(MACK);
    let subsystem = id(MACK_SUBSYSTEM);

    let first = client.auth_cert_reg("ss1.example.org").await.unwrap();
    let second = client.client_reg(&subsystem).await.unwrap();
    let registry = central.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].id.to_string(), SERVER);
    assert_eq!(registry[0].address.as_deref(), Some("ss1.example.org"));
    assert_eq!(registry[0].auth_certs, [sandbox.auth.cert_der().unwrap()]);
    assert_eq!(registry[0].clients.len(), 1);
    assert_eq!(registry[0].clients[0].id, subsystem);
    assert!(registry[0].clients[0].enabled);

    // Only a client of the server can become its owner: the member MACK first.
    let mack_client = client.client_reg(&mack).await.unwrap();
    let third = client.owner_change(&mack).await.unwrap();
    let config = sandbox
        .security_config(&central, SERVER_AFTER_OWNER_CHANGE)
        .unwrap();
    let client = config.security_server().unwrap();
    let fourth = client.client_deletion(&subsystem).await.unwrap();
    let fifth = client.auth_cert_deletion().await.unwrap();
    assert_eq!(
        [first, second, mack_client, third, fourth, fifth],
        [1, 2, 3, 4, 5, 6]
    );

    // The old owner became a client; MACK, the owner, is one no more.
    let registry = central.store.registry().unwrap();
    assert_eq!(registry[0].id.to_string(), SERVER_AFTER_OWNER_CHANGE);
    assert_eq!(registry[0].owner, mack);
    assert!(registry[0].auth_certs.is_empty());
    let clients: Vec<String> = registry[0]
        .clients
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(clients, [OWNER]);

    // Each signing certificate's OCSP response came from the AIA responder once, and was
    // reused while fresh (MACK signed three times).
    let serial =
        |cert: &xroad_runtime::testpki::Issued| cert.cert().serial_number().to_bn().unwrap();
    assert_eq!(sandbox.ocsp().responses_for(&serial(&sandbox.mack)), 1);
    assert_eq!(sandbox.ocsp().responses_for(&serial(&sandbox.owner)), 1);

    // Every stored request verifies again from its message log.
    let loaded =
        xroad_central_server::config::LoadedConfig::load(&sandbox.central_config()).unwrap();
    let verifier = xroad_runtime::verify::Verifier::new(
        loaded.verifier_config().unwrap(),
        loaded.trust_store().unwrap(),
        loaded.ocsp_verifier().unwrap(),
    );
    for record in central.store.requests(&RequestFilter::default()).unwrap() {
        let logged = central.store.message_log(record.id).unwrap().unwrap();
        xroad_central_server::verify_log::verify_record(&verifier, &record, &logged)
            .unwrap_or_else(|fault| panic!("request {}: {fault}", record.id));
    }
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_keep_increasing_across_a_restart() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let first = config
        .security_server()
        .unwrap()
        .auth_cert_reg("10.0.0.1")
        .await
        .unwrap();
    central.stop().await;

    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let second = config
        .security_server()
        .unwrap()
        .client_reg(&id(MACK_SUBSYSTEM))
        .await
        .unwrap();
    assert!(second > first, "{second} after {first}");
    assert_eq!(central.store.max_request_id().unwrap(), Some(second));
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_client_registrations_get_distinct_ids() {
    let (folder, sandbox) = sandbox(true);
    let dir = &folder._dir;
    // 200 connections at once from one address: above the default per-address limit.
    let config = std::fs::read_to_string(sandbox.central_config()).unwrap();
    assert!(config.contains("[limits]\n"));
    let path = dir.path().join("central-200.toml");
    std::fs::write(
        &path,
        config.replacen(
            "[limits]\n",
            "[limits]\nmax_connections_per_address = 200\n",
            1,
        ),
    )
    .unwrap();
    let central = RunningCentral::start(&path).await.unwrap();
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    client.auth_cert_reg("10.0.0.1").await.unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .client_reg(&id(&format!("SUBSYSTEM:EE/COM/MACK/s{n}")))
                    .await
            })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap());
    }
    assert_eq!(ids.len(), 200);
    let filter = RequestFilter {
        service: Some(Service::ClientReg),
        ..RequestFilter::default()
    };
    let stored: BTreeSet<i64> = central
        .store
        .requests(&filter)
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(stored, ids);
    assert_eq!(central.store.registry().unwrap()[0].clients.len(), 200);
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_leave_the_store_unchanged() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    let subsystem = id(MACK_SUBSYSTEM);
    client.auth_cert_reg("10.0.0.1").await.unwrap();
    client.client_reg(&subsystem).await.unwrap();
    let before = central.store.dump().unwrap();

    // The same client again: a business rule.
    let error = client.client_reg(&subsystem).await.unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::InvalidRequest);
    assert!(error.to_string().contains("already registered"), "{error}");
    // A client that is not registered.
    let error = client
        .client_deletion(&id("SUBSYSTEM:EE/COM/MACK/other"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("not registered"), "{error}");
    // The authentication certificate again.
    let error = client.auth_cert_reg("10.0.0.1").await.unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::InvalidRequest);
    // A tampered SOAP part.
    let mut tampered = client
        .prepare_client_reg(&id("SUBSYSTEM:EE/COM/MACK/new"))
        .await
        .unwrap();
    let at = tampered
        .message
        .body
        .windows(3)
        .position(|w| w == b"new")
        .unwrap();
    tampered.message.body[at..at + 3].copy_from_slice(b"now");
    let mut connection = client
        .client()
        .inner()
        .connect(Endpoint::Manage)
        .await
        .unwrap();
    let error = connection.send(&tampered).await.unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::InvalidSignatureValue);
    // A client signed for by another member (the owner signs MACK's subsystem).
    let mut settings = config.settings().unwrap();
    let owner = config.owner_key().unwrap();
    let mack = id(MACK);
    let mack_member = MemberId::new(mack.x_road_instance, mack.member_class, mack.member_code);
    settings.signing_keys = vec![
        MemberKey::with_member(owner.signer().clone(), owner.cert().to_owned(), mack_member)
            .unwrap(),
    ];
    let impostor = SecurityServer::new(
        ManagementClient::new(settings).unwrap(),
        sandbox.auth.cert_der().unwrap(),
    );
    let error = impostor
        .client_reg(&id("SUBSYSTEM:EE/COM/MACK/new"))
        .await
        .unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::InvalidRequest);
    assert!(
        error
            .to_string()
            .contains("belongs to member EE/GOV/TS1OWNER"),
        "{error}"
    );
    // A revoked signing certificate.
    let serial = sandbox.mack.cert().serial_number().to_bn().unwrap();
    sandbox.ocsp().set_status(
        &serial,
        xroad_runtime::testpki::CertStatus::Revoked {
            time: std::time::SystemTime::now() - std::time::Duration::from_secs(60),
            reason: None,
        },
    );
    let fresh = sandbox
        .security_config(&central, SERVER)
        .unwrap()
        .security_server()
        .unwrap();
    let error = fresh
        .client_reg(&id("SUBSYSTEM:EE/COM/MACK/new"))
        .await
        .unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::CertValidation);

    assert_eq!(central.store.dump().unwrap(), before);
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manage_endpoint_needs_a_registered_auth_cert() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    // Before registration the certificate is unknown.
    let error = client
        .client_deletion(&id(MACK_SUBSYSTEM))
        .await
        .unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::IncorrectCertificate);
    client.auth_cert_reg("10.0.0.1").await.unwrap();
    // Another authentication certificate of the same owner, not registered: refused.
    let other = sandbox
        .pki()
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())
        .unwrap();
    std::fs::write(sandbox.dir().join("auth.pem"), other.cert_pem().unwrap()).unwrap();
    std::fs::write(sandbox.dir().join("auth.key"), other.key_pem().unwrap()).unwrap();
    let impostor = sandbox
        .security_config(&central, SERVER)
        .unwrap()
        .security_server()
        .unwrap();
    let error = impostor
        .client_deletion(&id(MACK_SUBSYSTEM))
        .await
        .unwrap_err();
    assert_eq!(fault_code(&error), FaultCode::IncorrectCertificate);
    assert!(
        error
            .to_string()
            .contains("not a registered authentication certificate"),
        "{error}"
    );
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_refuses_a_server_that_is_not_pinned() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    // Pin the CA certificate instead of the central server's TLS certificate.
    std::fs::copy(
        sandbox.dir().join("ca.pem"),
        sandbox.dir().join("central-tls.pem"),
    )
    .unwrap();
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let error = config
        .security_server()
        .unwrap()
        .client_deletion(&id(MACK_SUBSYSTEM))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            ManagementError::Transport {
                source: ClientError::PinnedCertificateMismatch { .. },
                ..
            }
        ),
        "{error:?}"
    );
    assert!(
        central
            .store
            .requests(&RequestFilter::default())
            .unwrap()
            .is_empty()
    );
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_commands() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    client.auth_cert_reg("ss1.example.org").await.unwrap();
    client.client_reg(&id(MACK_SUBSYSTEM)).await.unwrap();
    central.stop().await;

    // The central server's own commands on the same database.
    let central_server = |a: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_central-server"))
            .arg("--config")
            .arg(sandbox.central_config())
            .args(a)
            .output()
            .unwrap()
    };
    let list = central_server(&["requests", "list"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{list:?}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("authCertReg") && text.contains("APPROVED"),
        "{text}"
    );
    let verify = central_server(&["verify-log"]);
    assert!(verify.status.success(), "{verify:?}");
    assert!(String::from_utf8_lossy(&verify.stdout).contains("2 verified, 0 failed"));
    let registry = central_server(&["registry"]);
    assert!(
        String::from_utf8_lossy(&registry.stdout).contains(&format!("client   {MACK_SUBSYSTEM}"))
    );
    let unknown = central_server(&["requests", "approve", "99"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&unknown.stderr).contains("panicked"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_request_gets_the_first_response() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    let composed = client.prepare_auth_cert_reg("10.0.0.1").await.unwrap();
    let first = client.client().inner().send(&composed).await.unwrap();
    let dump = central.store.dump().unwrap();
    // The same message (sender and xroad:id) again: the same id, nothing new stored, although
    // the certificate is now registered and a new request would break a rule.
    let again = client.client().inner().send(&composed).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(central.store.dump().unwrap(), dump);
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_service_and_outcome() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let config = sandbox.security_config(&central, SERVER).unwrap();
    let client = config.security_server().unwrap();
    client.auth_cert_reg("10.0.0.1").await.unwrap();
    client
        .client_deletion(&id(MACK_SUBSYSTEM))
        .await
        .unwrap_err();
    let admin = central
        .admin
        .expect("the sandbox configures an admin listener");
    let mut stream = tokio::net::TcpStream::connect(admin).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let counter = |service: &str, outcome: &str| {
        text.lines().any(|line| {
            line.starts_with("xroad_mserv_requests_total")
                && line.contains(&format!("service=\"{service}\""))
                && line.contains(outcome)
                && line.ends_with(" 1")
        })
    };
    assert!(counter("authCertReg", "ok"), "{text}");
    assert!(counter("clientDeletion", "invalid_request"), "{text}");
    central.stop().await;
    sandbox.shutdown().await;
}

/// An idle central server lists the series of each of its eleven operations at zero, on the
/// endpoint that serves it, before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_server_lists_every_operation_at_zero() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true).await;
    let admin = central
        .admin
        .expect("the sandbox configures an admin listener");
    let mut stream = tokio::net::TcpStream::connect(admin).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let manage = [
        "clientReg",
        "clientDeletion",
        "clientDisable",
        "clientEnable",
        "clientRename",
        "authCertDeletion",
        "ownerChange",
        "addressChange",
        "maintenanceModeEnable",
        "maintenanceModeDisable",
    ];
    let operations = manage
        .iter()
        .map(|service| ("manage", *service))
        .chain([("registration", "authCertReg")]);
    for (endpoint, service) in operations {
        let labels = format!("{{endpoint=\"{endpoint}\",service=\"{service}\",outcome=\"ok\"}}");
        for line in [
            format!("xroad_mserv_requests_total{labels} 0"),
            format!("xroad_mserv_request_duration_seconds_count{labels} 0"),
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
    // Nothing else per service: the series of an operation are on its own endpoint only.
    let per_service = text
        .lines()
        .filter(|l| l.starts_with("xroad_mserv_requests_total{") && !l.contains("service=\"none\""))
        .count();
    assert_eq!(per_service, 11, "{text}");
    central.stop().await;
    sandbox.shutdown().await;
}

/// Runs `central-server --config CONFIG ARGS`.
fn central_server_command(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_central-server"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
}

/// Three signed requests, approved at once: the server's authentication certificate
/// (request 1) and two clients (requests 2 and 3). The central server is stopped after.
async fn three_requests() -> Setup {
    let setup = setup(true).await;
    let config = setup
        .sandbox
        .security_config(&setup.central, SERVER)
        .unwrap();
    let client = config.security_server().unwrap();
    client.auth_cert_reg("ss1.example.org").await.unwrap();
    client.client_reg(&id(MACK_SUBSYSTEM)).await.unwrap();
    client.client_reg(&id(MACK)).await.unwrap();
    setup
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_log_names_each_change_to_a_tampered_database() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = three_requests().await;
    central.stop().await;
    let config = sandbox.central_config();
    let clean = central_server_command(&config, &["verify-log"]);
    assert!(clean.status.success(), "{clean:?}");

    // Behind the store's back: a stored client changed, a request deleted, a client added to
    // the registry.
    let tampering = "UPDATE requests SET client = 'SUBSYSTEM:EE/COM/OTHER/x' WHERE id = 2;
         DELETE FROM message_attachments WHERE request = 3;
         DELETE FROM message_log WHERE request = 3;
         DELETE FROM requests WHERE id = 3;
         INSERT INTO server_clients (server, client) VALUES (1, 'SUBSYSTEM:EE/COM/EVIL/x');";
    _dir.data.tamper(tampering, tampering);
    let verify = central_server_command(&config, &["verify-log"]);
    assert_eq!(verify.status.code(), Some(1), "{verify:?}");
    let stdout = String::from_utf8_lossy(&verify.stdout);
    let changed: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("CHANGED"))
        .collect();
    for expected in [
        "CHANGED  log entry 2 (request 2 received) does not match what is stored: it was \
         changed after it was logged",
        "CHANGED  log entry 3 (request 3 received) records nothing that is stored",
        &format!(
            "CHANGED  registry: client SUBSYSTEM:EE/COM/EVIL/x of {SERVER} is registered, but no \
             logged request registered it"
        ),
    ] {
        assert!(changed.contains(&expected), "{expected}\n{stdout}");
    }
    // The changed request also fails against its signed SOAP part.
    assert!(
        stdout.lines().any(|line| line.trim_start().starts_with(
            "2  FAILED  stored request is SUBSYSTEM:EE/COM/OTHER/x, the logged SOAP part says"
        )),
        "{stdout}"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_archived_and_both_parts_verify() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = three_requests().await;
    central.stop().await;
    let config = sandbox.central_config();
    let dir = config.parent().unwrap().to_owned();
    let archive = dir.join("archive-1.db");
    let archive_arg = archive.to_str().unwrap();

    // A date that is not one: a precise error, the usage status (64, EX_USAGE), nothing
    // written.
    let bad = central_server_command(&config, &["archive", "--before", "2026-02-30", archive_arg]);
    assert_eq!(bad.status.code(), Some(64), "{bad:?}");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains(
            "invalid value '2026-02-30' for '--before <DATE>': `2026-02-30`: day 30 is not in \
             2026-02, which has 28 days"
        ),
        "{stderr}"
    );
    assert!(!archive.exists());

    let archived =
        central_server_command(&config, &["archive", "--before", "2200-01-01", archive_arg]);
    assert!(archived.status.success(), "{archived:?}");
    let stdout = String::from_utf8_lossy(&archived.stdout);
    assert!(
        stdout.contains("archived log entries 1 to 3 (3 requests, up to request 3)"),
        "{stdout}"
    );

    let verify = |extra: &[&str]| {
        let mut args = vec!["verify-log"];
        args.extend_from_slice(extra);
        let output = central_server_command(&config, &args);
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, live) = verify(&[]);
    assert_eq!(code, Some(0), "{live}");
    assert!(
        live.contains("0 verified, 0 failed") && live.contains("0 changes found"),
        "{live}"
    );
    let (code, archived) = verify(&["--database", archive_arg]);
    assert_eq!(code, Some(0), "{archived}");
    assert!(
        archived.contains("3 verified, 0 failed") && archived.contains("0 changes found"),
        "{archived}"
    );
    assert!(
        archived.contains("archive head 3 is the cut the live log's checkpoint records"),
        "{archived}"
    );

    // The server goes on from the checkpoint: a new request, and the live log verifies.
    let central = RunningCentral::start(&config).await.unwrap();
    let ss = sandbox.security_config(&central, SERVER).unwrap();
    ss.security_server()
        .unwrap()
        .client_deletion(&id(MACK_SUBSYSTEM))
        .await
        .unwrap();
    central.stop().await;
    let (code, live) = verify(&[]);
    assert_eq!(code, Some(0), "{live}");
    assert!(live.contains("1 verified, 0 failed"), "{live}");

    // A change to the archive is found in it.
    let db = rusqlite::Connection::open(&archive).unwrap();
    db.execute(
        "UPDATE requests SET client = 'SUBSYSTEM:EE/COM/OTHER/x' WHERE id = 2",
        [],
    )
    .unwrap();
    drop(db);
    let (code, archived) = verify(&["--database", archive_arg]);
    assert_eq!(code, Some(1), "{archived}");
    assert!(
        archived.contains("CHANGED  log entry 2 (request 2 received) does not match"),
        "{archived}"
    );

    // An archive that verifies on its own but is not the one that was cut: the live log's
    // checkpoint records another hash.
    _dir.data.tamper(
        "UPDATE checkpoints SET as_of_hash = zeroblob(32)",
        "UPDATE checkpoints SET as_of_hash = decode(repeat('00', 32), 'hex')",
    );
    let restored = rusqlite::Connection::open(&archive).unwrap();
    restored
        .execute(
            "UPDATE requests SET client = ?1 WHERE id = 2",
            [MACK_SUBSYSTEM],
        )
        .unwrap();
    drop(restored);
    let (code, archived) = verify(&["--database", archive_arg]);
    assert_eq!(code, Some(1), "{archived}");
    assert!(archived.contains("0 changes found"), "{archived}");
    assert!(
        archived.contains(
            "CHANGED  the archive's head (entry 3) is not the cut the live log's checkpoint \
             records: the archive was replaced or rewritten"
        ),
        "{archived}"
    );
    sandbox.shutdown().await;
}

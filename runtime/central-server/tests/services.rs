//! The eleven management services of PR-MSERV 1.20 end to end: through the generated client
//! (by way of the example [`SecurityServer`]) over real TLS on 127.0.0.1, against the central
//! server running in this process, with its SQLite store and an OCSP responder over HTTP.
//!
//! - all eleven in a real order, the registry and the stored records checked after each,
//!   the `central-server` command line (`registry`, `requests list`, `verify-log`) on the
//!   result;
//! - one refused request for each rule the six new services add, with its fault code and
//!   reason, and the store byte for byte unchanged after it;
//! - requests signed by the wrong member, refused by the verifier before the store;
//! - the PR-MSERV 1.15 shape of clientReg (no `subsystemName`) still served, and the 1.18
//!   `subsystemName` stored as the subsystem's name.

use std::future::Future;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use xroad_central_server::RunningCentral;
use xroad_central_server::store::{
    ClientRecord, MaintenanceMode, RequestFilter, ServerRecord, Service, Status,
};
use xroad_examples::sandbox::{
    MACK, MACK_SUBSYSTEM, OWNER, PROVIDER, SERVER, SERVER_AFTER_OWNER_CHANGE, Sandbox,
};
use xroad_examples::security::SecurityServer;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::cert::MemberId;
use xroad_runtime::client::{ManagementClient, ManagementError, MemberKey};
use xroad_runtime::fault::FaultCode;
use xroad_runtime::operation::ManagementBody;

/// Bound on each test: every step is a request on loopback or a local command.
const TEST_BOUND: Duration = Duration::from_secs(120);

/// The owner's own subsystem, registered with a name (PR-MSERV 1.18).
const PORTAL: &str = "SUBSYSTEM:EE/GOV/TS1OWNER/portal";
/// A subsystem of MACK that is never registered.
const UNREGISTERED: &str = "SUBSYSTEM:EE/COM/MACK/unregistered";
/// A security server of the owner that is not in the registry.
const UNKNOWN_SERVER: &str = "SERVER:EE/GOV/TS1OWNER/TS2";

fn id(text: &str) -> XRoadClientIdentifierType {
    text.parse().unwrap()
}

/// Runs `test` within [`TEST_BOUND`].
async fn bounded(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_BOUND, test)
        .await
        .expect("the test did not finish in time");
}

struct Setup {
    _dir: tempfile::TempDir,
    sandbox: Sandbox,
    central: RunningCentral,
}

/// A sandbox and its central server; `manage_trust_off` serves the manage endpoint as behind
/// a management service provider's security server, without TLS client authentication.
async fn setup(auto_approve: bool, manage_trust_off: bool) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), auto_approve).unwrap();
    if manage_trust_off {
        let path = sandbox.central_config();
        let text = std::fs::read_to_string(&path).unwrap();
        let line = format!("auto_approve = {auto_approve}\n");
        assert!(text.contains(&line), "{text}");
        let text = text.replace(&line, &format!("{line}manage_trust = \"off\"\n"));
        // Without TLS client authentication, only the provider's security servers (here:
        // this machine) may connect.
        assert!(text.contains("[listen]\n"), "{text}");
        let text = text.replace(
            "[listen]\n",
            "[listen]\nmanage_allowed_sources = [\"127.0.0.1\"]\n",
        );
        std::fs::write(&path, text).unwrap();
    }
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    Setup {
        _dir: dir,
        sandbox,
        central,
    }
}

/// The security server `server` of the sandbox, with every key of its `ss.toml`.
fn security_server(sandbox: &Sandbox, central: &RunningCentral, server: &str) -> SecurityServer {
    sandbox
        .security_config(central, server)
        .unwrap()
        .security_server()
        .unwrap()
}

/// The security server `server` whose only signing key is `signer`'s, labelled as the key of
/// member `labelled` (as a keyring that mislabels a key would): it signs for `labelled` with
/// a certificate of another member.
fn mislabelled(
    sandbox: &Sandbox,
    central: &RunningCentral,
    server: &str,
    signer: &str,
    labelled: &str,
) -> SecurityServer {
    let config = sandbox.security_config(central, server).unwrap();
    let signer = id(signer);
    let key = config
        .signing_keys()
        .unwrap()
        .into_iter()
        .find(|key| key.member().matches(&signer))
        .unwrap();
    let labelled = id(labelled);
    let member = MemberId::new(
        labelled.x_road_instance,
        labelled.member_class,
        labelled.member_code,
    );
    let mut settings = config.settings().unwrap();
    settings.signing_keys =
        vec![MemberKey::with_member(key.signer().clone(), key.cert().to_owned(), member).unwrap()];
    SecurityServer::new(
        ManagementClient::new(settings).unwrap(),
        sandbox.auth.cert_der().unwrap(),
    )
}

/// Sends a request expected to be refused: checks the fault's code and its whole reason, and
/// that the store is unchanged, byte for byte. Returns the reason.
async fn refused<T: std::fmt::Debug>(
    central: &RunningCentral,
    what: &str,
    request: impl Future<Output = Result<T, ManagementError>>,
    code: FaultCode,
    reason: &str,
) -> String {
    let before = central.store.dump().unwrap();
    let error = match request.await {
        Ok(accepted) => panic!("{what}: accepted as {accepted:?}"),
        Err(error) => error,
    };
    let fault = error
        .fault()
        .unwrap_or_else(|| panic!("{what}: not a fault: {error}"));
    assert_eq!(fault.code, code, "{what}: {fault}");
    assert_eq!(fault.reason, reason, "{what}");
    assert_eq!(
        central.store.dump().unwrap(),
        before,
        "{what}: the store changed"
    );
    fault.reason.clone()
}

/// The only security server in the registry.
fn the_server(central: &RunningCentral) -> ServerRecord {
    let mut registry = central.store.registry().unwrap();
    assert_eq!(registry.len(), 1, "{registry:?}");
    registry.remove(0)
}

/// A client record as the registry should show it.
fn client(client: &str, enabled: bool, name: Option<&str>) -> ClientRecord {
    ClientRecord {
        id: id(client),
        enabled,
        subsystem_name: name.map(str::to_owned),
    }
}

/// The status of request `request_id`.
fn status(central: &RunningCentral, request_id: i64) -> Status {
    central.store.request(request_id).unwrap().unwrap().status
}

/// Runs the `central-server` binary on the sandbox's configuration.
async fn central_server(config: PathBuf, args: &'static [&'static str]) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_central-server"))
            .arg("--config")
            .arg(config)
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eleven_services_in_a_real_order() {
    bounded(eleven_services_in_a_real_order()).await;
}

/// Without auto-approve: the registrations wait for the administrator, the six new services
/// are applied on receipt.
async fn eleven_services_in_a_real_order() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(false, false).await;
    let ss = security_server(&sandbox, &central, SERVER);
    let billing = id(MACK_SUBSYSTEM);
    let portal = id(PORTAL);
    let owner = id(OWNER);
    let mack = id(MACK);

    // 1. authCertReg: waits for approval, then registers the server at its address.
    let auth_cert_reg = ss.auth_cert_reg("ss1.example.org").await.unwrap();
    assert_eq!(auth_cert_reg, 1);
    assert_eq!(
        status(&central, auth_cert_reg),
        Status::SubmittedForApproval
    );
    assert!(central.store.registry().unwrap().is_empty());
    central.store.approve(auth_cert_reg).unwrap();
    let server = the_server(&central);
    assert_eq!(server.id.to_string(), SERVER);
    assert_eq!(server.owner, owner);
    assert_eq!(server.address.as_deref(), Some("ss1.example.org"));
    assert_eq!(server.maintenance, None);
    assert_eq!(server.auth_certs, [sandbox.auth.cert_der().unwrap()]);
    assert!(server.clients.is_empty());

    // 2. clientReg in the PR-MSERV 1.15 shape, without a name, signed by MACK.
    let client_reg = ss.client_reg(&billing).await.unwrap();
    assert_eq!(status(&central, client_reg), Status::SubmittedForApproval);
    assert!(the_server(&central).clients.is_empty());
    central.store.approve(client_reg).unwrap();
    assert_eq!(
        the_server(&central).clients,
        [client(MACK_SUBSYSTEM, true, None)]
    );

    // 3. clientReg with a name (PR-MSERV 1.18), signed by the owner for its own subsystem.
    let named_reg = ss
        .client_reg_named(&portal, "Citizen portal")
        .await
        .unwrap();
    central.store.approve(named_reg).unwrap();
    assert_eq!(
        the_server(&central).clients,
        [
            client(MACK_SUBSYSTEM, true, None),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );

    // 4. clientDisable, signed by MACK: applied at once, no approval.
    let disable = ss.client_disable(&billing).await.unwrap();
    assert_eq!(status(&central, disable), Status::Approved);
    assert_eq!(
        the_server(&central).clients,
        [
            client(MACK_SUBSYSTEM, false, None),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );

    // 5. clientRename of the disabled subsystem, signed by MACK.
    let rename = ss.client_rename(&billing, "Billing").await.unwrap();
    assert_eq!(status(&central, rename), Status::Approved);
    assert_eq!(
        the_server(&central).clients,
        [
            client(MACK_SUBSYSTEM, false, Some("Billing")),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );

    // 6. maintenanceModeEnable with a message, signed by the owner.
    let maintenance_on = ss
        .maintenance_mode_enable(Some("back at 18:00"))
        .await
        .unwrap();
    assert_eq!(status(&central, maintenance_on), Status::Approved);
    assert_eq!(
        the_server(&central).maintenance,
        Some(MaintenanceMode {
            message: Some("back at 18:00".to_owned())
        })
    );

    // The registry command shows the state the new services gave the server.
    let registry = stdout(&central_server(sandbox.central_config(), &["registry"]).await);
    let cert_line = registry
        .lines()
        .find(|line| line.starts_with("  auth "))
        .unwrap_or_else(|| panic!("{registry}"));
    assert_eq!(
        registry,
        format!(
            "{SERVER}\n  owner    {OWNER}\n  address  ss1.example.org\n  \
             maintenance on, message \"back at 18:00\"\n{cert_line}\n  \
             client   {MACK_SUBSYSTEM}  disabled  named \"Billing\"\n  \
             client   {PORTAL}  enabled  named \"Citizen portal\"\n"
        )
    );

    // 7. clientEnable, signed by MACK.
    let enable = ss.client_enable(&billing).await.unwrap();
    assert_eq!(status(&central, enable), Status::Approved);
    assert_eq!(
        the_server(&central).clients,
        [
            client(MACK_SUBSYSTEM, true, Some("Billing")),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );

    // 8. maintenanceModeDisable, signed by the owner.
    let maintenance_off = ss.maintenance_mode_disable().await.unwrap();
    assert_eq!(status(&central, maintenance_off), Status::Approved);
    assert_eq!(the_server(&central).maintenance, None);

    // 9. ownerChange to MACK, signed by MACK, after MACK is a client of the server (only a
    // client can become the owner): waits for approval.
    let mack_reg = ss.client_reg(&mack).await.unwrap();
    central.store.approve(mack_reg).unwrap();
    let owner_change = ss.owner_change(&mack).await.unwrap();
    assert_eq!(status(&central, owner_change), Status::SubmittedForApproval);
    assert_eq!(the_server(&central).owner, owner);
    central.store.approve(owner_change).unwrap();
    let server = the_server(&central);
    assert_eq!(server.id.to_string(), SERVER_AFTER_OWNER_CHANGE);
    assert_eq!(server.owner, mack);
    assert_eq!(server.address.as_deref(), Some("ss1.example.org"));
    assert_eq!(server.auth_certs.len(), 1);
    // The old owner became a client, MACK is one no more.
    assert_eq!(
        server.clients,
        [
            client(OWNER, true, None),
            client(MACK_SUBSYSTEM, true, Some("Billing")),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );

    // The server now sends as MACK's: the server's owner signs its own requests as MACK.
    let ss = security_server(&sandbox, &central, SERVER_AFTER_OWNER_CHANGE);

    // 10. addressChange, signed by the new owner.
    let address_change = ss.address_change("ss2.example.org").await.unwrap();
    assert_eq!(status(&central, address_change), Status::Approved);
    assert_eq!(
        the_server(&central).address.as_deref(),
        Some("ss2.example.org")
    );

    // 11. clientDeletion of the owner's former subsystem.
    let deletion = ss.client_deletion(&portal).await.unwrap();
    assert_eq!(status(&central, deletion), Status::Approved);
    assert_eq!(
        the_server(&central).clients,
        [
            client(OWNER, true, None),
            client(MACK_SUBSYSTEM, true, Some("Billing"))
        ]
    );

    // 12. authCertDeletion.
    let cert_deletion = ss.auth_cert_deletion().await.unwrap();
    assert_eq!(status(&central, cert_deletion), Status::Approved);
    let server = the_server(&central);
    assert!(server.auth_certs.is_empty());
    assert_eq!(server.address.as_deref(), Some("ss2.example.org"));
    assert_eq!(server.maintenance, None);

    // The stored records, as `requests list` shows them: ids in order, every one approved,
    // sent by the server's owner of the time, with what each changed.
    let ids = [
        auth_cert_reg,
        client_reg,
        named_reg,
        disable,
        rename,
        maintenance_on,
        enable,
        maintenance_off,
        mack_reg,
        owner_change,
        address_change,
        deletion,
        cert_deletion,
    ];
    assert_eq!(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    let records = central.store.requests(&RequestFilter::default()).unwrap();
    let listed: Vec<_> = records
        .iter()
        .map(|record| {
            (
                record.id,
                record.service(),
                record.status,
                record.sender.to_string(),
                record.request.server().to_string(),
                record.request.subject(),
            )
        })
        .collect();
    let row = |id, service, sender: &str, server: &str, subject: &str| {
        (
            id,
            service,
            Status::Approved,
            sender.to_owned(),
            server.to_owned(),
            subject.to_owned(),
        )
    };
    assert_eq!(
        listed,
        [
            row(
                1,
                Service::AuthCertReg,
                OWNER,
                SERVER,
                "authentication certificate, address ss1.example.org"
            ),
            row(2, Service::ClientReg, OWNER, SERVER, MACK_SUBSYSTEM),
            row(
                3,
                Service::ClientReg,
                OWNER,
                SERVER,
                &format!("{PORTAL} named \"Citizen portal\"")
            ),
            row(4, Service::ClientDisable, OWNER, SERVER, MACK_SUBSYSTEM),
            row(
                5,
                Service::ClientRename,
                OWNER,
                SERVER,
                &format!("{MACK_SUBSYSTEM} renamed \"Billing\"")
            ),
            row(
                6,
                Service::MaintenanceModeEnable,
                OWNER,
                SERVER,
                "message \"back at 18:00\""
            ),
            row(7, Service::ClientEnable, OWNER, SERVER, MACK_SUBSYSTEM),
            row(8, Service::MaintenanceModeDisable, OWNER, SERVER, ""),
            row(9, Service::ClientReg, OWNER, SERVER, MACK),
            row(
                10,
                Service::OwnerChange,
                OWNER,
                SERVER,
                &format!("new owner {MACK}")
            ),
            row(
                11,
                Service::AddressChange,
                MACK,
                SERVER_AFTER_OWNER_CHANGE,
                "address ss2.example.org"
            ),
            row(
                12,
                Service::ClientDeletion,
                MACK,
                SERVER_AFTER_OWNER_CHANGE,
                PORTAL
            ),
            row(
                13,
                Service::AuthCertDeletion,
                MACK,
                SERVER_AFTER_OWNER_CHANGE,
                "authentication certificate"
            ),
        ]
    );
    central.stop().await;

    // The command line on the same database: the list, the registry, and every stored
    // request of the eleven services verified again from its message log.
    let list = stdout(&central_server(sandbox.central_config(), &["requests", "list"]).await);
    assert_eq!(list.lines().count(), 13, "{list}");
    for (line, record) in list.lines().zip(&records) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields[0], record.id.to_string(), "{line}");
        assert_eq!(fields[1], record.service().as_str(), "{line}");
        assert!(line.contains(" APPROVED "), "{line}");
        assert!(
            line.trim_end().ends_with(
                &format!("{}  {}", record.request.server(), record.request.subject()).trim_end()
            ),
            "{line}"
        );
    }
    let registry = stdout(&central_server(sandbox.central_config(), &["registry"]).await);
    assert_eq!(
        registry,
        format!(
            "{SERVER_AFTER_OWNER_CHANGE}\n  owner    {MACK}\n  address  ss2.example.org\n  \
             maintenance off\n  client   {OWNER}  enabled\n  \
             client   {MACK_SUBSYSTEM}  enabled  named \"Billing\"\n"
        )
    );
    let verified = stdout(&central_server(sandbox.central_config(), &["verify-log"]).await);
    let ok: std::collections::BTreeSet<&str> = verified
        .lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [_, "ok", service] => Some(service),
                _ => None,
            },
        )
        .collect();
    let all: std::collections::BTreeSet<&str> = Service::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(all.len(), 11);
    assert_eq!(ok, all, "{verified}");
    assert!(verified.contains("\n13 verified, 0 failed\n"), "{verified}");
    // The log as a whole: its chain, ids, statuses and the registry derived from it.
    assert!(verified.ends_with("; 0 changes found\n"), "{verified}");
    assert!(!verified.contains("CHANGED"), "{verified}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_rule_of_the_new_services_refuses_and_changes_nothing() {
    bounded(each_rule_refuses()).await;
}

async fn each_rule_refuses() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true, false).await;
    let ss = security_server(&sandbox, &central, SERVER);
    let billing = id(MACK_SUBSYSTEM);
    let unregistered = id(UNREGISTERED);
    let provider = id(PROVIDER);
    ss.auth_cert_reg("ss1.example.org").await.unwrap();
    ss.client_reg(&billing).await.unwrap();
    let invalid = FaultCode::InvalidRequest;

    // addressChange: the address is checked as authCertReg's is, with the same reason.
    for (address, why) in [
        (
            "ss2 example.org",
            "character ' ' at position 3 cannot appear in a host name",
        ),
        (
            "https://ss2.example.org",
            "character ':' at position 5 cannot appear in a host name",
        ),
        ("", "the address is empty"),
        (
            "-ss2.example.org",
            "label 1 of the host name starts or ends with a hyphen",
        ),
    ] {
        let reason = format!("invalid server address {address:?}: {why}");
        refused(
            &central,
            &format!("addressChange to {address:?}"),
            ss.address_change(address),
            invalid,
            &reason,
        )
        .await;
        refused(
            &central,
            &format!("authCertReg at {address:?}"),
            ss.auth_cert_reg(address),
            invalid,
            &reason,
        )
        .await;
    }

    // clientDisable, clientEnable, clientRename of a client not registered on the server.
    let not_registered = |service: &str| {
        format!("{service}: client {UNREGISTERED} is not registered on security server {SERVER}")
    };
    refused(
        &central,
        "clientDisable of an unregistered client",
        ss.client_disable(&unregistered),
        invalid,
        &not_registered("clientDisable"),
    )
    .await;
    refused(
        &central,
        "clientEnable of an unregistered client",
        ss.client_enable(&unregistered),
        invalid,
        &not_registered("clientEnable"),
    )
    .await;
    refused(
        &central,
        "clientRename of an unregistered client",
        ss.client_rename(&unregistered, "Unregistered"),
        invalid,
        &not_registered("clientRename"),
    )
    .await;

    // clientRename and a named clientReg of a member: only a subsystem has a name.
    refused(
        &central,
        "clientRename of a member",
        ss.client_rename(&id(MACK), "Mack"),
        invalid,
        &format!(
            "clientRename: client {MACK} of security server {SERVER} is not a subsystem; \
             only a subsystem's name can be set"
        ),
    )
    .await;
    refused(
        &central,
        "clientReg of a member with a name",
        ss.client_reg_named(&id(MACK), "Mack"),
        invalid,
        &format!(
            "clientReg: client {MACK} of security server {SERVER} is not a subsystem; \
             only a subsystem's name can be set"
        ),
    )
    .await;
    // clientRename to a blank name.
    refused(
        &central,
        "clientRename to a blank name",
        ss.client_rename(&billing, "  "),
        invalid,
        &format!(
            "clientRename: the new name of subsystem {MACK_SUBSYSTEM} of security server \
             {SERVER} is blank"
        ),
    )
    .await;

    // maintenanceModeEnable while in maintenance mode; maintenanceModeDisable while not.
    refused(
        &central,
        "maintenanceModeDisable while not in maintenance mode",
        ss.maintenance_mode_disable(),
        invalid,
        &format!("maintenanceModeDisable: security server {SERVER} is not in maintenance mode"),
    )
    .await;
    ss.maintenance_mode_enable(None).await.unwrap();
    assert_eq!(
        the_server(&central).maintenance,
        Some(MaintenanceMode { message: None })
    );
    refused(
        &central,
        "maintenanceModeEnable while in maintenance mode",
        ss.maintenance_mode_enable(Some("again")),
        invalid,
        &format!("maintenanceModeEnable: security server {SERVER} is already in maintenance mode"),
    )
    .await;
    ss.maintenance_mode_disable().await.unwrap();
    assert_eq!(the_server(&central).maintenance, None);

    // The management service provider's subsystem as a client, signed by its member.
    ss.client_reg(&provider).await.unwrap();
    assert!(
        the_server(&central)
            .clients
            .contains(&client(PROVIDER, true, None))
    );
    // Its client cannot be disabled; enabling it is harmless and accepted.
    refused(
        &central,
        "clientDisable of the provider's client",
        ss.client_disable(&provider),
        invalid,
        &format!(
            "clientDisable: client {PROVIDER} of security server {SERVER} is the management \
             service provider's subsystem and cannot be disabled"
        ),
    )
    .await;
    // A server that hosts it cannot enter maintenance mode.
    refused(
        &central,
        "maintenanceModeEnable of the provider's server",
        ss.maintenance_mode_enable(Some("back soon")),
        invalid,
        &format!(
            "maintenanceModeEnable: security server {SERVER} has the management service \
             provider's subsystem {PROVIDER} as a client and cannot enter maintenance mode"
        ),
    )
    .await;
    // Once the provider's client is gone, it can.
    ss.client_deletion(&provider).await.unwrap();
    ss.maintenance_mode_enable(Some("back soon")).await.unwrap();
    assert_eq!(
        the_server(&central).maintenance,
        Some(MaintenanceMode {
            message: Some("back soon".to_owned())
        })
    );

    // An unknown security server: its authentication certificate is not registered, so the
    // manage endpoint refuses it before the rules.
    let other = security_server(&sandbox, &central, UNKNOWN_SERVER);
    refused(
        &central,
        "addressChange of an unknown server",
        other.address_change("ss2.example.org"),
        FaultCode::IncorrectCertificate,
        &format!(
            "the TLS client certificate is not a registered authentication certificate of \
             {UNKNOWN_SERVER}"
        ),
    )
    .await;
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_for_an_unknown_server_are_refused_behind_a_provider() {
    bounded(unknown_server_behind_a_provider()).await;
}

/// Behind a management service provider's security server the manage endpoint has no TLS
/// client authentication, so the store's rule is what refuses an unknown server.
async fn unknown_server_behind_a_provider() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true, true).await;
    security_server(&sandbox, &central, SERVER)
        .auth_cert_reg("ss1.example.org")
        .await
        .unwrap();
    let other = security_server(&sandbox, &central, UNKNOWN_SERVER);
    let unknown = |service: &str| format!("{service}: unknown security server {UNKNOWN_SERVER}");
    refused(
        &central,
        "addressChange of an unknown server",
        other.address_change("ss2.example.org"),
        FaultCode::InvalidRequest,
        &unknown("addressChange"),
    )
    .await;
    refused(
        &central,
        "maintenanceModeEnable of an unknown server",
        other.maintenance_mode_enable(None),
        FaultCode::InvalidRequest,
        &unknown("maintenanceModeEnable"),
    )
    .await;
    refused(
        &central,
        "clientDisable on an unknown server",
        other.client_disable(&id(MACK_SUBSYSTEM)),
        FaultCode::InvalidRequest,
        &unknown("clientDisable"),
    )
    .await;
    assert_eq!(the_server(&central).id.to_string(), SERVER);
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_signer_is_refused_before_the_store() {
    bounded(wrong_signer()).await;
}

async fn wrong_signer() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true, false).await;
    let ss = security_server(&sandbox, &central, SERVER);
    let billing = id(MACK_SUBSYSTEM);
    ss.auth_cert_reg("ss1.example.org").await.unwrap();
    ss.client_reg(&billing).await.unwrap();
    let invalid = FaultCode::InvalidRequest;

    // MACK's subsystem signed for by the owner, whose key the keyring calls MACK's.
    let impostor = mislabelled(&sandbox, &central, SERVER, OWNER, MACK);
    let not_mack = "the signing certificate belongs to member EE/GOV/TS1OWNER, but the client's \
                    member is EE/COM/MACK";
    refused(
        &central,
        "clientDisable signed by the owner",
        impostor.client_disable(&billing),
        invalid,
        not_mack,
    )
    .await;
    refused(
        &central,
        "clientEnable signed by the owner",
        impostor.client_enable(&billing),
        invalid,
        not_mack,
    )
    .await;
    refused(
        &central,
        "clientRename signed by the owner",
        impostor.client_rename(&billing, "Stolen"),
        invalid,
        not_mack,
    )
    .await;
    refused(
        &central,
        "named clientReg signed by the owner",
        impostor.client_reg_named(&id("SUBSYSTEM:EE/COM/MACK/new"), "New"),
        invalid,
        not_mack,
    )
    .await;

    // The server's own requests signed by MACK, whose key the keyring calls the owner's.
    let impostor = mislabelled(&sandbox, &central, SERVER, MACK, OWNER);
    let not_owner = "the signing certificate belongs to member EE/COM/MACK, but the security \
                     server's owner is EE/GOV/TS1OWNER";
    refused(
        &central,
        "addressChange signed by MACK",
        impostor.address_change("ss2.example.org"),
        invalid,
        not_owner,
    )
    .await;
    refused(
        &central,
        "maintenanceModeEnable signed by MACK",
        impostor.maintenance_mode_enable(Some("hijacked")),
        invalid,
        not_owner,
    )
    .await;

    // The same requests signed by the right members are accepted.
    ss.client_disable(&billing).await.unwrap();
    ss.address_change("ss2.example.org").await.unwrap();
    ss.maintenance_mode_enable(None).await.unwrap();
    let impostor = mislabelled(&sandbox, &central, SERVER, MACK, OWNER);
    refused(
        &central,
        "maintenanceModeDisable signed by MACK",
        impostor.maintenance_mode_disable(),
        invalid,
        not_owner,
    )
    .await;
    let server = the_server(&central);
    assert_eq!(server.address.as_deref(), Some("ss2.example.org"));
    assert_eq!(server.clients, [client(MACK_SUBSYSTEM, false, None)]);
    assert_eq!(server.maintenance, Some(MaintenanceMode { message: None }));
    central.stop().await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pr_mserv_1_15_client_reg_is_still_served() {
    bounded(pr_mserv_1_15_client_reg()).await;
}

async fn pr_mserv_1_15_client_reg() {
    let Setup {
        _dir,
        sandbox,
        central,
    } = setup(true, false).await;
    let ss = security_server(&sandbox, &central, SERVER);
    let billing = id(MACK_SUBSYSTEM);
    let portal = id(PORTAL);
    ss.auth_cert_reg("ss1.example.org").await.unwrap();

    // Without subsystemName, as PR-MSERV 1.15 wrote it: accepted, and the response echoes no
    // subsystemName either.
    let body = ss.client_reg_body(&billing);
    let response = ss.client().client_reg(body).await.unwrap();
    assert_eq!(response.0.subsystem_name, None);
    assert_eq!(response.0.client, billing);
    let request_id = response.request_id().unwrap();
    let logged = central.store.message_log(request_id).unwrap().unwrap();
    let has_name = |bytes: &[u8]| bytes.windows(13).any(|w| w == b"subsystemName");
    // The response is not stored (it repeats the request): it is built again, and checked
    // against the stored hash.
    let loaded =
        xroad_central_server::config::LoadedConfig::load(&sandbox.central_config()).unwrap();
    let verifier = xroad_runtime::verify::Verifier::new(
        loaded.verifier_config().unwrap(),
        loaded.trust_store().unwrap(),
        loaded.ocsp_verifier().unwrap(),
    );
    let response_of = |request_id: i64| {
        let record = central.store.request(request_id).unwrap().unwrap();
        let logged = central.store.message_log(request_id).unwrap().unwrap();
        xroad_central_server::verify_log::response_of(&verifier, &record, &logged).unwrap()
    };
    assert!(!has_name(&logged.parts.soap));
    assert!(!has_name(&response_of(request_id)));
    assert_eq!(
        the_server(&central).clients,
        [client(MACK_SUBSYSTEM, true, None)]
    );

    // With subsystemName (PR-MSERV 1.18): echoed, and stored as the subsystem's name.
    let mut body = ss.client_reg_body(&portal);
    body.0.subsystem_name = Some("Citizen portal".to_owned());
    let response = ss.client().client_reg(body).await.unwrap();
    assert_eq!(response.0.subsystem_name.as_deref(), Some("Citizen portal"));
    assert!(has_name(&response_of(response.request_id().unwrap())));
    assert_eq!(
        the_server(&central).clients,
        [
            client(MACK_SUBSYSTEM, true, None),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );

    // The name belongs to the subsystem: registered again without one, it keeps it.
    ss.client_deletion(&portal).await.unwrap();
    ss.client_reg(&portal).await.unwrap();
    assert_eq!(
        the_server(&central).clients,
        [
            client(MACK_SUBSYSTEM, true, None),
            client(PORTAL, true, Some("Citizen portal")),
        ]
    );
    central.stop().await;
    sandbox.shutdown().await;
}

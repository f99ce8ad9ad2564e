//! `central-server registry` and `central-server requests list` on a store that holds the
//! services of PR-MSERV 1.20: maintenance mode, enabled and disabled clients, subsystem
//! names, and the new services with their subjects.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use xroad_central_server::store::{ManagementRequest, NewRequest, Store, Submitted};
use xroad_runtime::message::Parts;

const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
const SS1: &str = "SERVER:EE/GOV/OWNER1/SS1";
const SS2: &str = "SERVER:EE/GOV/OWNER2/SS2";
const CLIENT: &str = "SUBSYSTEM:EE/COM/CLIENT/sub";

/// A configuration the inspecting commands can read; they open only the database.
const CONFIG: &str = r#"
instance = "EE"
management_service_provider = "SUBSYSTEM:EE/GOV/CENTRAL/management"
database = "central.db"

[listen]
registration = "127.0.0.1:0"
manage = "127.0.0.1:0"

[tls]
certificate = "unused.pem"
key = "unused.key"

[trust]
ca_certificates = ["unused-ca.pem"]
"#;

/// Runs `central-server --config DIR/central.toml ARGS`.
fn central_server(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_central-server"))
        .arg("--config")
        .arg(dir.join("central.toml"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Fills the store: SS1 with a named client, disabled, and the provider's subsystem; SS2 in
/// maintenance mode with a new address.
fn fill(path: &Path) {
    let store = Store::open(path, PROVIDER.parse().unwrap()).unwrap();
    let server = |text: &str| text.parse().unwrap();
    let client = |text: &str| text.parse().unwrap();
    let requests = [
        ManagementRequest::AuthCertReg {
            server: server(SS1),
            auth_cert: b"\x30cert-1".to_vec(),
            address: "ss1.example.org".to_owned(),
        },
        ManagementRequest::AuthCertReg {
            server: server(SS2),
            auth_cert: b"\x30cert-2".to_vec(),
            address: "ss2.example.org".to_owned(),
        },
        ManagementRequest::ClientReg {
            server: server(SS1),
            client: client(CLIENT),
            subsystem_name: Some("Tax service".to_owned()),
        },
        ManagementRequest::ClientReg {
            server: server(SS1),
            client: client(PROVIDER),
            subsystem_name: None,
        },
        ManagementRequest::ClientDisable {
            server: server(SS1),
            client: client(CLIENT),
        },
        ManagementRequest::AddressChange {
            server: server(SS2),
            address: "10.0.0.2".to_owned(),
        },
        ManagementRequest::MaintenanceModeEnable {
            server: server(SS2),
            message: Some("Back at noon".to_owned()),
        },
    ];
    for (n, request) in (0..).zip(requests) {
        let new = NewRequest {
            request,
            message_id: format!("cli-{n}"),
            sender: "MEMBER:EE/GOV/OWNER1".parse().unwrap(),
            received_at: UNIX_EPOCH + Duration::from_secs(n),
            log: Parts::soap(format!("<soap n='{n}'/>")),
            transport: Default::default(),
        };
        let submitted = store.submit(new, true, |_| b"<response/>".to_vec());
        assert!(
            matches!(submitted, Ok(Submitted::Accepted { .. })),
            "{submitted:?}"
        );
    }
}

#[test]
fn the_registry_shows_maintenance_mode_and_clients_with_their_state_and_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("central.toml"), CONFIG).unwrap();
    fill(&dir.path().join("central.db"));

    let registry = stdout(&central_server(dir.path(), &["registry"]));
    let expected = format!(
        "{SS1}
  owner    MEMBER:EE/GOV/OWNER1
  address  ss1.example.org
  maintenance off
  auth     unreadable certificate: "
    );
    assert!(registry.starts_with(&expected), "{registry}");
    for line in [
        format!("  client   {CLIENT}  disabled  named \"Tax service\"\n"),
        format!("  client   {PROVIDER}  enabled\n"),
        format!("{SS2}\n  owner    MEMBER:EE/GOV/OWNER2\n  address  10.0.0.2\n"),
        "  maintenance on, message \"Back at noon\"\n".to_owned(),
    ] {
        assert!(registry.contains(&line), "{line:?} in\n{registry}");
    }
}

#[test]
fn requests_list_shows_and_filters_the_new_services() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("central.toml"), CONFIG).unwrap();
    fill(&dir.path().join("central.db"));

    let all = stdout(&central_server(dir.path(), &["requests", "list"]));
    assert_eq!(all.lines().count(), 7, "{all}");
    let named = all.lines().nth(2).unwrap_or_default();
    assert!(
        named.contains("clientReg") && named.ends_with(&format!("{CLIENT} named \"Tax service\"")),
        "{named}"
    );

    let filtered = |service: &str| {
        stdout(&central_server(
            dir.path(),
            &["requests", "list", "--service", service],
        ))
    };
    let disabled = filtered("clientDisable");
    assert_eq!(disabled.lines().count(), 1, "{disabled}");
    assert!(
        disabled.contains("APPROVED") && disabled.contains(&format!("{SS1}  {CLIENT}")),
        "{disabled}"
    );
    let maintenance = filtered("maintenanceModeEnable");
    assert_eq!(maintenance.lines().count(), 1, "{maintenance}");
    assert!(
        maintenance
            .trim_end()
            .ends_with(&format!("{SS2}  message \"Back at noon\"")),
        "{maintenance}"
    );
    let address = filtered("addressChange");
    assert!(
        address.trim_end().ends_with("address 10.0.0.2"),
        "{address}"
    );
    assert_eq!(filtered("maintenanceModeDisable"), "");

    let unknown = central_server(dir.path(), &["requests", "list", "--service", "getRandom"]);
    assert!(!unknown.status.success());
    let error = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        error.contains("unknown service `getRandom`") && error.contains("maintenanceModeDisable"),
        "{error}"
    );
}

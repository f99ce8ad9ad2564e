//! The `security-server` command line against a central server running in this process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use xroad_central_server::RunningCentral;
use xroad_central_server::store::{ClientRecord, MaintenanceMode, RequestFilter, Service};
use xroad_examples::sandbox::{MACK_SUBSYSTEM, SERVER, Sandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_server_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    let ss = sandbox
        .security_config(&central, SERVER)
        .unwrap()
        .path()
        .to_owned();
    let security_server = |args: Vec<String>| {
        let ss = ss.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_security-server"))
                .arg("--config")
                .arg(&ss)
                .args(args)
                .output()
                .unwrap()
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let output = security_server(args(&["auth-cert-reg", "--address", "ss1.example.org"]))
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1");
    let output = security_server(args(&["client-reg", MACK_SUBSYSTEM]))
        .await
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "2");
    // A fault: code and reason on stderr, exit status 2, no request id.
    let output = security_server(args(&["client-reg", MACK_SUBSYSTEM]))
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("fault invalid_request: clientReg: client SUBSYSTEM:EE/COM/MACK/billing is already registered"), "{stderr}");
    assert!(output.stdout.is_empty());
    // A member without a key in the configuration: a clear error, exit status 1.
    let output = security_server(args(&["client-reg", "SUBSYSTEM:EE/COM/NOKEY/x"]))
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no signing key for member EE/COM/NOKEY")
    );
    central.stop().await;
    sandbox.shutdown().await;
}

/// Runs `security-server --config ss args…`, within a bound.
async fn run_security_server(ss: &Path, args: &[&str]) -> Output {
    let ss: PathBuf = ss.to_owned();
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    let run = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_security-server"))
            .arg("--config")
            .arg(&ss)
            .args(args)
            .output()
            .unwrap()
    });
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("security-server did not finish in time")
        .unwrap()
}

/// Runs a subcommand that must succeed, and returns the request id it printed.
async fn request_id(ss: &Path, args: &[&str]) -> i64 {
    let output = run_security_server(ss, args).await;
    assert!(output.status.success(), "{args:?}: {output:?}");
    assert!(output.stderr.is_empty(), "{args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {output:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subcommands_of_pr_mserv_1_20() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    let ss = sandbox
        .security_config(&central, SERVER)
        .unwrap()
        .path()
        .to_owned();
    let server = || central.store.registry().unwrap().remove(0);
    let billing = |enabled: bool, name: &str| ClientRecord {
        id: MACK_SUBSYSTEM.parse().unwrap(),
        enabled,
        subsystem_name: Some(name.to_owned()),
    };

    let first = request_id(&ss, &["auth-cert-reg", "--address", "ss1.example.org"]).await;
    assert_eq!(first, 1);
    let id = request_id(&ss, &["client-reg", MACK_SUBSYSTEM, "--name", "Billing"]).await;
    assert_eq!(id, 2);
    assert_eq!(server().clients, [billing(true, "Billing")]);
    let id = request_id(&ss, &["address-change", "ss2.example.org"]).await;
    assert_eq!(id, 3);
    assert_eq!(server().address.as_deref(), Some("ss2.example.org"));
    let id = request_id(&ss, &["client-disable", MACK_SUBSYSTEM]).await;
    assert_eq!(id, 4);
    assert_eq!(server().clients, [billing(false, "Billing")]);
    let id = request_id(&ss, &["client-enable", MACK_SUBSYSTEM]).await;
    assert_eq!(id, 5);
    assert_eq!(server().clients, [billing(true, "Billing")]);
    let id = request_id(&ss, &["client-rename", MACK_SUBSYSTEM, "Billing service"]).await;
    assert_eq!(id, 6);
    assert_eq!(server().clients, [billing(true, "Billing service")]);
    let id = request_id(
        &ss,
        &["maintenance-mode-enable", "--message", "back at 18:00"],
    )
    .await;
    assert_eq!(id, 7);
    assert_eq!(
        server().maintenance,
        Some(MaintenanceMode {
            message: Some("back at 18:00".to_owned())
        })
    );
    let id = request_id(&ss, &["maintenance-mode-disable"]).await;
    assert_eq!(id, 8);
    assert_eq!(server().maintenance, None);

    // A fault: code and reason on stderr, exit status 2, no request id, nothing stored.
    let before = central.store.dump().unwrap();
    let output = run_security_server(&ss, &["maintenance-mode-disable"]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "fault invalid_request: maintenanceModeDisable: security server {SERVER} is not in \
             maintenance mode\n"
        )
    );
    assert!(output.stdout.is_empty());
    assert_eq!(central.store.dump().unwrap(), before);

    let services: Vec<Service> = central
        .store
        .requests(&RequestFilter::default())
        .unwrap()
        .iter()
        .map(|record| record.service())
        .collect();
    assert_eq!(
        services,
        [
            Service::AuthCertReg,
            Service::ClientReg,
            Service::AddressChange,
            Service::ClientDisable,
            Service::ClientEnable,
            Service::ClientRename,
            Service::MaintenanceModeEnable,
            Service::MaintenanceModeDisable,
        ]
    );
    central.stop().await;
    sandbox.shutdown().await;
}

/// Answers every request with a SOAP 1.1 fault whose code is not an X-Road one, as a proxy in
/// front of the central server might.
struct FaultingProxy;

impl xroad_runtime::transport::Handler for FaultingProxy {
    async fn handle(
        &self,
        _request: xroad_runtime::transport::IncomingRequest,
    ) -> xroad_runtime::transport::HandlerResponse {
        xroad_runtime::transport::HandlerResponse::fault(
            "text/xml; charset=UTF-8",
            "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:Server</faultcode>\
             <faultstring>Service temporarily unavailable</faultstring></SOAP-ENV:Fault>\
             </SOAP-ENV:Body></SOAP-ENV:Envelope>",
            xroad_runtime::transport::Outcome::default(),
        )
    }
}

/// Any SOAP 1.1 fault is reported with its code and string, exit status 2, as for X-Road
/// fault codes (the reference's security server reports any fault).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_with_another_code_exits_with_status_2() {
    use xroad_runtime::transport::{Endpoint, ListenerConfig, Server, ServerConfig, TlsIdentity};

    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    let identity =
        || TlsIdentity::from_pem(&read("central-tls.pem"), &read("central-tls.key")).unwrap();
    let localhost = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let config = ServerConfig::new(
        ListenerConfig::registration(localhost, identity()),
        ListenerConfig::manage(localhost, identity()),
    );
    let server = Server::bind(config, FaultingProxy).await.unwrap();
    let registration = server.local_addr(Endpoint::Registration);
    let manage = server.local_addr(Endpoint::Manage);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let ss = sandbox
        .security_config_for(registration, manage, SERVER)
        .unwrap()
        .path()
        .to_owned();
    let output = run_security_server(&ss, &["auth-cert-reg", "--address", "ss1.example.org"]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "fault SOAP-ENV:Server: Service temporarily unavailable"
    );
    assert!(output.stdout.is_empty());
    let _ = stop.send(());
    task.await.unwrap();
}

/// Runs `security-server ARGS` with `RUST_LOG` unset.
fn security_server_raw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_security-server"))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

#[test]
fn a_usage_error_exits_64() {
    let output = security_server_raw(&["--config", "ss.toml", "no-such-command"]);
    assert_eq!(output.status.code(), Some(64), "{output:?}");
    let output = security_server_raw(&["--config", "ss.toml", "client-reg"]);
    assert_eq!(output.status.code(), Some(64), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("<CLIENT>"),
        "{output:?}"
    );
    let help = security_server_raw(&["--help"]);
    assert_eq!(help.status.code(), Some(0), "{help:?}");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("2 SOAP fault"), "{text}");
    assert!(text.contains("64 usage error"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_says_connection_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    // A port nothing listens on: bound, then closed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let ss = sandbox
        .security_config_for(closed, closed, SERVER)
        .unwrap()
        .path()
        .to_owned();
    let output = run_security_server(&ss, &["client-disable", MACK_SUBSYSTEM]).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("security-server: "), "{stderr}");
    assert!(last.contains(&closed.to_string()), "{stderr}");
    assert_eq!(
        last.matches("Connection refused").count(),
        1,
        "the cause, once: {stderr}"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v_logs_the_request_as_text_or_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let central = RunningCentral::start(&sandbox.central_config())
        .await
        .unwrap();
    let ss = sandbox
        .security_config(&central, SERVER)
        .unwrap()
        .path()
        .to_owned();
    let quiet = run_security_server(&ss, &["auth-cert-reg", "--address", "ss1.example.org"]).await;
    assert!(quiet.status.success(), "{quiet:?}");
    assert!(
        !String::from_utf8_lossy(&quiet.stderr).contains("sending request"),
        "no log without -v: {quiet:?}"
    );
    let text = run_security_server(&ss, &["-v", "client-reg", MACK_SUBSYSTEM]).await;
    assert!(text.status.success(), "{text:?}");
    let log = String::from_utf8_lossy(&text.stderr);
    assert!(log.contains(" INFO "), "{log}");
    assert!(log.contains("sending request"), "{log}");
    assert!(log.contains("request accepted"), "{log}");
    assert!(log.contains("service=\"clientReg\""), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escapes off a terminal: {log:?}"
    );
    let json = run_security_server(
        &ss,
        &[
            "--log-format",
            "json",
            "-v",
            "client-disable",
            MACK_SUBSYSTEM,
        ],
    )
    .await;
    assert!(json.status.success(), "{json:?}");
    let log = String::from_utf8_lossy(&json.stderr);
    let lines: Vec<_> = log.lines().collect();
    assert!(!lines.is_empty(), "{json:?}");
    for line in &lines {
        assert!(line.starts_with('{') && line.ends_with('}'), "{log}");
    }
    assert!(
        lines
            .iter()
            .any(|line| line.contains(r#""level":"INFO""#) && line.contains("request accepted")),
        "{log}"
    );
    central.stop().await;
    sandbox.shutdown().await;
}

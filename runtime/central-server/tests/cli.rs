//! The `central-server` binary as an operator meets it: exit statuses, the whole error chain
//! on standard error, logging options.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use xroad_examples::sandbox::Sandbox;

const BINARY: &str = env!("CARGO_BIN_EXE_central-server");

/// Runs `central-server ARGS` with `RUST_LOG` set to `rust_log` (unset when `None`).
fn central_server(args: &[&str], rust_log: Option<&str>) -> Output {
    let mut command = Command::new(BINARY);
    command.args(args).env_remove("RUST_LOG");
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    command.output().expect("central-server runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A configuration the inspecting commands can read: they open only the database.
fn inspect_config(dir: &Path) -> String {
    let path = dir.join("central.toml");
    std::fs::write(
        &path,
        r#"
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
"#,
    )
    .unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_usage_error_exits_64_and_help_lists_the_exit_statuses() {
    let output = central_server(&["--config", "c.toml", "--no-such-option"], None);
    assert_eq!(output.status.code(), Some(64), "{output:?}");
    assert!(
        stderr(&output).contains("unexpected argument '--no-such-option'"),
        "{output:?}"
    );
    let output = central_server(&["--config", "c.toml", "requests", "approve", "x"], None);
    assert_eq!(output.status.code(), Some(64), "{output:?}");
    let help = central_server(&["--help"], None);
    assert_eq!(help.status.code(), Some(0), "{help:?}");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("64 usage error"), "{text}");
    assert!(text.contains("--log-format"), "{text}");
}

#[test]
fn a_bad_rust_log_is_named_and_exits_64() {
    let dir = tempfile::tempdir().unwrap();
    let config = inspect_config(dir.path());
    let output = central_server(
        &["--config", &config, "registry"],
        Some("info,xroad_runtime=loud"),
    );
    assert_eq!(output.status.code(), Some(64), "{output:?}");
    let text = stderr(&output);
    assert!(
        text.starts_with("central-server: invalid RUST_LOG directive `xroad_runtime=loud`: "),
        "{text}"
    );
}

#[test]
fn a_broken_configuration_fails_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("central.toml");
    std::fs::write(&config, "instance = \"EE\"\nthis is not toml\n").unwrap();
    let output = central_server(&["--config", config.to_str().unwrap(), "registry"], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stderr(&output);
    assert!(text.contains("central.toml"), "{text}");
    assert!(text.contains("line 2"), "{text}");
    let missing = dir.path().join("missing.toml");
    let output = central_server(&["--config", missing.to_str().unwrap(), "registry"], None);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(
        stderr(&output).contains("No such file or directory"),
        "{output:?}"
    );
}

#[test]
fn inspecting_a_database_that_does_not_exist_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = inspect_config(dir.path());
    for args in [
        &["registry"][..],
        &["requests", "list"],
        &["requests", "approve", "1"],
        &["verify-log"],
    ] {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        let output = central_server(&all, None);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {output:?}");
        assert!(
            stderr(&output).contains("central.db does not exist"),
            "{args:?}: {output:?}"
        );
        assert!(output.stdout.is_empty(), "{args:?}: {output:?}");
        assert!(!dir.path().join("central.db").exists(), "{args:?}");
    }
}

/// The sandbox's `central.toml` with the registration endpoint at `registration`.
fn with_registration_at(sandbox: &Sandbox, registration: &str) -> String {
    let path = sandbox.central_config();
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen(
        "registration = \"127.0.0.1:0\"",
        &format!("registration = \"{registration}\""),
        1,
    );
    assert_ne!(changed, text, "the sandbox listens on 127.0.0.1:0");
    std::fs::write(&path, changed).unwrap();
    path.to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_in_use_says_so_with_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let config = with_registration_at(&sandbox, &address);
    let output =
        tokio::task::spawn_blocking(move || central_server(&["--config", &config, "serve"], None))
            .await
            .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stderr(&output);
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("central-server: "), "{text}");
    assert!(last.contains(&address), "{text}");
    assert!(last.contains("Address already in use"), "{text}");
    assert_eq!(
        last.matches("Address already in use").count(),
        1,
        "each cause once: {text}"
    );
    drop(taken);
    sandbox.shutdown().await;
}

/// The line `central-server --log-format FORMAT serve` logs when it has started (standard
/// error a pipe, not a terminal).
async fn start_line(sandbox: &Sandbox, format: &str) -> String {
    let mut child = Command::new(BINARY)
        .arg("--config")
        .arg(sandbox.central_config())
        .args(["--log-format", format, "serve"])
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let started = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .find(|line| line.contains("central server started"))
    });
    let line = tokio::time::timeout(Duration::from_secs(30), started).await;
    let _ = child.kill();
    let _ = child.wait();
    line.expect("the server logs its start in time")
        .unwrap()
        .expect("a start line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_are_plain_text_off_a_terminal_or_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::create(dir.path(), true).unwrap();
    let text = start_line(&sandbox, "text").await;
    assert!(!text.contains('\u{1b}'), "no ANSI escapes: {text:?}");
    assert!(text.contains(" INFO "), "{text:?}");
    let json = start_line(&sandbox, "json").await;
    assert!(json.starts_with('{') && json.ends_with('}'), "{json}");
    assert!(json.contains(r#""level":"INFO""#), "{json}");
    assert!(!json.contains('\u{1b}'), "no ANSI escapes: {json:?}");
    sandbox.shutdown().await;
}

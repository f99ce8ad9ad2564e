//! The `security-server` command line against a central server running in this process.

use std::process::Command;

use xroad_central_server::RunningCentral;
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

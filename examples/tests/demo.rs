//! The demo, run as its binary: every step goes as expected and it exits 0.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Bound on the demo's run: it takes under a second.
const BOUND: Duration = Duration::from_secs(60);

#[test]
fn the_demo_runs_the_eleven_services_and_the_tampered_request() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BOUND {
            child.kill().unwrap();
            panic!("the demo did not finish within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("(PR-MSERV 1.20)"), "{stdout}");

    // Thirteen accepted steps, numbered as their request ids, in this order.
    let steps: Vec<(String, String)> = stdout
        .lines()
        .filter(|line| line.contains(" requestId "))
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (
                format!("{} {}", fields[0], fields[1]),
                fields[fields.len() - 1].to_owned(),
            )
        })
        .collect();
    let expected = [
        "authCertReg",
        "clientReg",
        "clientReg",
        "clientDisable",
        "clientRename",
        "maintenanceModeEnable",
        "clientEnable",
        "maintenanceModeDisable",
        "clientReg",
        "ownerChange",
        "addressChange",
        "clientDeletion",
        "authCertDeletion",
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .enumerate()
        .map(|(index, service)| (format!("{} {service}", index + 1), (index + 1).to_string()))
        .collect();
    assert_eq!(steps, expected, "{stdout}");

    // The tampered request is refused for its signature.
    assert!(
        stdout
            .lines()
            .any(|line| line.contains("clientReg (tampered)")
                && line.ends_with("refused, nothing stored")),
        "{stdout}"
    );
    assert!(
        stdout.contains("        invalid_signature_value — "),
        "{stdout}"
    );
    // The registry with the state the services left, and the message log verified.
    assert!(
        stdout.contains(
            "\nregistry\n  SERVER:EE/COM/MACK/TS1\n    owner        MEMBER:EE/COM/MACK\n    \
             address      ss2.example.org\n    maintenance  off\n    \
             authentication certificates: 0\n    \
             client       MEMBER:EE/GOV/TS1OWNER  enabled\n    \
             client       SUBSYSTEM:EE/COM/MACK/billing  enabled  named \"Billing\"\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("requests stored: 13; verified again from the message log: 13 ok, 0 failed"),
        "{stdout}"
    );
}

/// `demo -v --log-format json`: the central server's request log as JSON lines whose fields
/// are plain values (no `Some(…)`, no quoted paths) with durations in milliseconds to a tenth.
#[test]
fn the_request_log_in_json_has_plain_fields_and_rounded_durations() {
    let output = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["-v", "--log-format", "json"])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let requests: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains(r#""message":"management request""#))
        .collect();
    assert!(requests.len() >= 13, "{stderr}");
    for line in &requests {
        assert!(line.starts_with('{') && line.ends_with('}'), "{line}");
        assert!(!line.contains("Some("), "{line}");
        assert!(line.contains(r#""path":"/managementservice/"#), "{line}");
        let duration = line
            .split(r#""duration_ms":"#)
            .nth(1)
            .and_then(|rest| rest.split([',', '}']).next())
            .unwrap_or_else(|| panic!("no duration_ms in {line}"));
        let decimals = duration.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 1, "{duration} in {line}");
    }
    assert!(
        requests
            .iter()
            .any(|line| line.contains(r#""service":"clientReg""#)),
        "{stderr}"
    );
}

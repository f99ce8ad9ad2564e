//! A crate outside the workspace (`tests/downstream`) runs the builder in its own `build.rs`
//! on an extended copy of the WSDL; its tests use the new typed items.

use std::process::Command;

use xroad_tests::workspace_root;

#[test]
fn downstream_crate_builds_and_passes_its_tests() {
    let root = workspace_root();
    let manifest = root.join("tests/downstream/Cargo.toml");
    let target = root.join("target/downstream");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "downstream crate failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("2 passed"),
        "expected both downstream tests to run:\n{stdout}"
    );
}

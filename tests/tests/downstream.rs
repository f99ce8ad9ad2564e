//! A crate outside the workspace (`tests/downstream`) runs the builder in its own `build.rs`
//! on an extended copy of the WSDL — one more signed operation, `contactChange`, and one more
//! field — and its tests send that operation through the generated client to a server built
//! from `xroad-runtime` around the generated server.

use std::path::Path;
use std::process::Command;

use xroad_tests::workspace_root;

#[test]
fn downstream_crate_builds_and_passes_its_tests() {
    let root = workspace_root();
    let manifest = root.join("tests/downstream/Cargo.toml");
    let target = root.join("target/downstream");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--manifest-path"])
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
    for test in [
        "the_new_operation_is_sent_verified_and_answered",
        "the_profile_describes_the_new_operation",
        "new_operation_is_typed",
        "new_field_is_typed_and_optional",
    ] {
        assert!(
            stdout.contains(&format!("test {test} ... ok")),
            "expected `{test}` to pass:\n{stdout}"
        );
    }
}

/// The runtime serves the new operation without knowing it: no source file of the runtime
/// or of the crate generated code depends on names it.
#[test]
fn the_runtime_does_not_name_the_new_operation() {
    fn scan(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable folder") {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("readable source");
                if text.to_ascii_lowercase().contains("contactchange") {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    let root = workspace_root();
    let mut found = Vec::new();
    for dir in ["runtime/src", "runtime/codec/src", "macros/src"] {
        scan(&root.join(dir), &mut found);
    }
    assert!(
        found.is_empty(),
        "the runtime names contactChange in {found:?}"
    );
    let wsdl = std::fs::read_to_string(root.join("tests/downstream/wsdl/centralservice.wsdl"))
        .expect("the extended WSDL");
    assert!(wsdl.contains("<wsdl:operation name=\"contactChange\">"));
}

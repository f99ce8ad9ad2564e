//! The `sandbox` command line's refusals; `readme.rs` runs it serving the README's program.

use std::process::Command;

#[test]
fn a_folder_with_files_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("notes.txt");
    std::fs::write(&kept, "mine").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        format!(
            "sandbox: {}: the folder is not empty; the sandbox writes a new PKI and database \
             into a new or empty folder\n",
            dir.path().display()
        )
    );
    assert!(output.stdout.is_empty());
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
}

#[test]
fn a_folder_that_is_a_file_is_refused_with_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "sandbox: {}: cannot use the folder: ",
            file.display()
        )),
        "{stderr}"
    );
}

#[test]
fn no_folder_is_a_usage_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_sandbox"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(64), "{output:?}");
}

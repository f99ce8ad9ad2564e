//! The README's first-hour path, exactly as written: the fenced blocks marked
//! `<!-- first-hour: PATH -->` are written into a new crate outside the workspace (the
//! published versions of the workspace's crates replaced by their paths, the WSDL copied in as
//! the README says), and `cargo check` runs its `build.rs` — the generator — and type-checks
//! the program that sends one request. Running that program needs a central server with the
//! files it names, so it is compiled, not run.

use std::path::Path;
use std::process::Command;

use xroad_tests::workspace_root;

/// The workspace crates the README depends on by version, and their folders.
const WORKSPACE_CRATES: [(&str, &str); 4] = [
    ("xroad-codec", "runtime/codec"),
    ("xroad-mserv", "generated/mserv"),
    ("xroad-runtime", "runtime"),
    ("xroad-codegen", "codegen"),
];

/// Each marked snippet of `readme`: its file path and the text of the fenced block after the
/// marker.
fn first_hour_snippets(readme: &str) -> Vec<(String, String)> {
    let mut snippets = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line
            .trim()
            .strip_prefix("<!-- first-hour:")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "the marker of {path} is not followed by a fenced block: {fence:?}"
        );
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        snippets.push((path.trim().to_owned(), body.join("\n") + "\n"));
    }
    snippets
}

/// `manifest` with each `NAME = "VERSION"` of a workspace crate replaced by its path.
fn with_workspace_paths(manifest: &str, root: &Path) -> String {
    let mut replaced = 0;
    let lines: Vec<String> = manifest
        .lines()
        .map(|line| {
            for (name, folder) in WORKSPACE_CRATES {
                if line.starts_with(&format!("{name} = \"")) {
                    replaced += 1;
                    let path = root.join(folder);
                    return format!("{name} = {{ path = {:?} }}", path.display().to_string());
                }
            }
            line.to_owned()
        })
        .collect();
    assert_eq!(
        replaced,
        WORKSPACE_CRATES.len(),
        "the README's Cargo.toml should depend on each of {WORKSPACE_CRATES:?} by version"
    );
    lines.join("\n") + "\n\n[workspace]\n"
}

#[test]
fn readme_snippets_are_found() {
    let readme = "text\n<!-- first-hour: a.rs -->\n```rust\nfn a() {}\n```\n<!-- other -->\n";
    assert_eq!(
        first_hour_snippets(readme),
        [("a.rs".to_owned(), "fn a() {}\n".to_owned())]
    );
    let manifest = "[dependencies]\nxroad-codec = \"0.1\"\nxroad-mserv = \"0.1\"\n\
                    xroad-runtime = \"0.1\"\nxroad-codegen = \"0.1\"\ntokio = \"1\"\n";
    let replaced = with_workspace_paths(manifest, Path::new("/w"));
    assert!(
        replaced.contains("xroad-codec = { path = \"/w/runtime/codec\" }"),
        "{replaced}"
    );
    assert!(replaced.contains("tokio = \"1\""), "{replaced}");
}

#[test]
fn readme_first_hour_crate_builds() {
    let root = workspace_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let snippets = first_hour_snippets(&readme);
    let paths: Vec<&str> = snippets.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        ["Cargo.toml", "build.rs", "src/lib.rs", "src/main.rs"]
    );

    let dir = tempfile::tempdir().expect("temporary folder");
    for (path, text) in &snippets {
        let text = if path == "Cargo.toml" {
            with_workspace_paths(text, &root)
        } else {
            text.clone()
        };
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("folder");
        std::fs::write(&file, text).expect("snippet written");
    }
    std::fs::create_dir_all(dir.path().join("wsdl")).expect("wsdl folder");
    std::fs::copy(
        root.join("wsdl/centralservice.wsdl"),
        dir.path().join("wsdl/centralservice.wsdl"),
    )
    .expect("WSDL copied");
    // The workspace's lock file, so that the crate builds on the versions the workspace tests.
    std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).expect("lock file");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .arg("check")
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", root.join("target/readme"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the README's first-hour crate does not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

//! The manifests of the publishable crates: docs.rs documents every feature of each crate
//! that has features.

use xroad_tests::workspace_root;

/// The folders of the crates published to crates.io.
const PUBLISHED: [&str; 6] = [
    "codegen",
    "macros",
    "runtime/codec",
    "generated/mserv",
    "generated/mserv-service",
    "runtime",
];

/// The lines of section `[name]` of `manifest`, up to the next section.
fn section<'a>(manifest: &'a str, name: &str) -> Option<Vec<&'a str>> {
    let header = format!("[{name}]");
    let mut lines = manifest.lines().skip_while(|line| line.trim() != header);
    lines.next()?;
    Some(
        lines
            .take_while(|line| !line.trim_start().starts_with('['))
            .map(str::trim)
            .collect(),
    )
}

#[test]
fn docs_rs_builds_every_feature() {
    let root = workspace_root();
    for folder in PUBLISHED {
        let path = root.join(folder).join("Cargo.toml");
        let manifest = std::fs::read_to_string(&path).expect("a manifest");
        let has_features = section(&manifest, "features")
            .is_some_and(|lines| lines.iter().any(|l| !l.is_empty() && !l.starts_with('#')));
        if !has_features {
            continue;
        }
        let docs_rs = section(&manifest, "package.metadata.docs.rs").unwrap_or_default();
        assert!(
            docs_rs.contains(&"all-features = true"),
            "{}: a crate with features needs `[package.metadata.docs.rs] all-features = true`",
            path.display()
        );
    }
}

#[test]
fn sections_are_read_to_the_next_header() {
    let manifest = "[features]\ncli = []\n\n[package.metadata.docs.rs]\nall-features = true\n";
    assert_eq!(section(manifest, "features"), Some(vec!["cli = []", ""]));
    assert_eq!(
        section(manifest, "package.metadata.docs.rs"),
        Some(vec!["all-features = true"])
    );
    assert_eq!(section(manifest, "dependencies"), None);
}

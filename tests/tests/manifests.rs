//! The manifests of the publishable crates: docs.rs documents every feature of each crate
//! that has features, and no manifest names a repository, which crates.io would link to: the
//! project has no public repository yet.

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

/// The `key = …` lines of `manifest`, in any section.
fn key_lines<'a>(manifest: &'a str, key: &str) -> Vec<&'a str> {
    manifest
        .lines()
        .map(str::trim)
        .filter(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', '.']))
        })
        .collect()
}

#[test]
fn no_manifest_names_a_repository() {
    let root = workspace_root();
    let folders = std::iter::once(".").chain(PUBLISHED);
    for folder in folders {
        let path = root.join(folder).join("Cargo.toml");
        let manifest = std::fs::read_to_string(&path).expect("a manifest");
        assert_eq!(
            key_lines(&manifest, "repository"),
            Vec::<&str>::new(),
            "{}: crates.io would link to an address that does not exist; add `repository` \
             with the project's public address once it has one",
            path.display()
        );
    }
}

#[test]
fn key_lines_find_a_key_and_its_workspace_form() {
    let manifest = "[package]\nrepository = \"x\"\nrepository.workspace = true\n\
                    repository-url = 1\n# repository = \"y\"\n";
    assert_eq!(
        key_lines(manifest, "repository"),
        ["repository = \"x\"", "repository.workspace = true"]
    );
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

//! The README's first-hour path, exactly as written: the fenced blocks marked
//! `<!-- first-hour: PATH -->` are written into a new crate outside the workspace (the
//! published versions of the workspace's crates replaced by their paths, the WSDL copied in as
//! the README says); the command marked `<!-- first-hour command: repository -->` starts the
//! sandbox (this package's `sandbox` binary, which that `cargo run` builds and runs), and the
//! one marked `<!-- first-hour command: crate -->` runs, in the new crate, the program that
//! sends one clientReg to it. The test checks what the program prints and what the central
//! server stored.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use xroad_central_server::config::LoadedConfig;
use xroad_central_server::store::{ManagementRequest, RequestFilter, Service, Status, Store};
use xroad_examples::sandbox::{MACK_SUBSYSTEM, SERVER};

/// The workspace crates the README depends on by version, and their folders.
const WORKSPACE_CRATES: [(&str, &str); 4] = [
    ("xroad-codec", "runtime/codec"),
    ("xroad-mserv", "generated/mserv"),
    ("xroad-runtime", "runtime"),
    ("xroad-codegen", "codegen"),
];

/// The README's command that starts the sandbox, up to its folder argument.
const SANDBOX_COMMAND: [&str; 7] = [
    "cargo",
    "run",
    "-p",
    "xroad-examples",
    "--bin",
    "sandbox",
    "--",
];

/// The README's command that runs the first-hour program, up to its folder argument.
const PROGRAM_COMMAND: [&str; 3] = ["cargo", "run", "--"];

/// Bound on the sandbox's start and stop.
const SANDBOX_BOUND: Duration = Duration::from_secs(60);

/// A marked block of the README.
#[derive(Debug, PartialEq, Eq)]
enum Snippet {
    /// A file of the first-hour crate: its path and text.
    File(String, String),
    /// A command: where it runs (`repository` or `crate`) and its text.
    Command(String, String),
}

/// The marked blocks of `readme`, in order: the fenced block after each marker.
fn first_hour_snippets(readme: &str) -> Vec<Snippet> {
    let mut snippets = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(marker) = line
            .trim()
            .strip_prefix("<!-- first-hour")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "the marker {line:?} is not followed by a fenced block: {fence:?}"
        );
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let body = body.join("\n") + "\n";
        let snippet = if let Some(path) = marker.strip_prefix(':') {
            Snippet::File(path.trim().to_owned(), body)
        } else if let Some(place) = marker.strip_prefix(" command:") {
            Snippet::Command(place.trim().to_owned(), body)
        } else {
            panic!("unknown marker {line:?}");
        };
        snippets.push(snippet);
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

/// The folder argument of `command`, a one-line command that is `expected` and one argument.
fn folder_argument(command: &str, expected: &[&str]) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    assert!(
        words.len() == expected.len() + 1
            && words.starts_with(expected)
            && command.lines().count() == 1,
        "the README's command {command:?} should be `{} FOLDER`",
        expected.join(" ")
    );
    words[expected.len()].to_owned()
}

#[test]
fn readme_snippets_are_found() {
    let readme = "text\n<!-- first-hour: a.rs -->\n```rust\nfn a() {}\n```\n<!-- other -->\n\
                  <!-- first-hour command: crate -->\n```sh\ncargo run -- /tmp/x\n```\n";
    assert_eq!(
        first_hour_snippets(readme),
        [
            Snippet::File("a.rs".to_owned(), "fn a() {}\n".to_owned()),
            Snippet::Command("crate".to_owned(), "cargo run -- /tmp/x\n".to_owned()),
        ]
    );
    let manifest = "[dependencies]\nxroad-codec = \"0.1\"\nxroad-mserv = \"0.1\"\n\
                    xroad-runtime = \"0.1\"\nxroad-codegen = \"0.1\"\ntokio = \"1\"\n";
    let replaced = with_workspace_paths(manifest, Path::new("/w"));
    assert!(
        replaced.contains("xroad-codec = { path = \"/w/runtime/codec\" }"),
        "{replaced}"
    );
    assert!(replaced.contains("tokio = \"1\""), "{replaced}");
    assert_eq!(
        folder_argument("cargo run -- /tmp/x\n", &PROGRAM_COMMAND),
        "/tmp/x"
    );
}

#[test]
#[should_panic(expected = "should be `cargo run -- FOLDER`")]
fn a_command_with_other_arguments_is_refused() {
    folder_argument("cargo run --release -- /tmp/x", &PROGRAM_COMMAND);
}

/// The sandbox process, killed if the test ends before it is stopped.
struct RunningSandbox(Child);

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Waits up to [`SANDBOX_BOUND`] for `child` to exit.
fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the sandbox") {
            return status;
        }
        assert!(
            started.elapsed() < SANDBOX_BOUND,
            "the sandbox did not stop within {SANDBOX_BOUND:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn readme_first_hour_program_sends_a_request_to_the_sandbox() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace folder")
        .to_owned();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let mut files = Vec::new();
    let mut commands = Vec::new();
    for snippet in first_hour_snippets(&readme) {
        match snippet {
            Snippet::File(path, text) => files.push((path, text)),
            Snippet::Command(place, text) => commands.push((place, text)),
        }
    }
    let paths: Vec<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        ["Cargo.toml", "build.rs", "src/lib.rs", "src/main.rs"]
    );
    let places: Vec<&str> = commands.iter().map(|(place, _)| place.as_str()).collect();
    assert_eq!(places, ["repository", "crate"]);
    let readme_folder = folder_argument(&commands[0].1, &SANDBOX_COMMAND);
    assert_eq!(
        folder_argument(&commands[1].1, &PROGRAM_COMMAND),
        readme_folder,
        "both commands should name the same folder"
    );

    let dir = tempfile::tempdir().expect("temporary folder");
    let crate_dir = dir.path().join("first-hour");
    for (path, text) in &files {
        let text = if path == "Cargo.toml" {
            with_workspace_paths(text, &root)
        } else {
            text.clone()
        };
        let file = crate_dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("folder");
        std::fs::write(&file, text).expect("snippet written");
    }
    std::fs::create_dir_all(crate_dir.join("wsdl")).expect("wsdl folder");
    std::fs::copy(
        root.join("wsdl/centralservice.wsdl"),
        crate_dir.join("wsdl/centralservice.wsdl"),
    )
    .expect("WSDL copied");
    // The workspace's lock file, so that the crate builds on the versions the workspace tests.
    std::fs::copy(root.join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("lock file");
    // Its own target folder: cargo may hold the workspace's while this test runs.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let first_hour = |args: &[&str]| {
        Command::new(&cargo)
            .args(args)
            .current_dir(&crate_dir)
            .env("CARGO_TARGET_DIR", root.join("target/readme"))
            .env_remove("RUSTFLAGS")
            .output()
            .expect("cargo runs")
    };
    // Built first, so that the sandbox waits only for the run.
    let built = first_hour(&["build"]);
    assert!(
        built.status.success(),
        "the README's first-hour crate does not build:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );

    // The sandbox, in a new folder in place of the README's.
    let sandbox_dir = dir.path().join("sandbox");
    let mut sandbox = RunningSandbox(
        Command::new(env!("CARGO_BIN_EXE_sandbox"))
            .arg(&sandbox_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sandbox starts"),
    );
    let (lines, printed) = mpsc::channel();
    let stdout = sandbox.0.stdout.take().expect("the sandbox's output");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut summary = Vec::new();
    while summary.last().map(String::as_str) != Some("serving until Ctrl-C") {
        match printed.recv_timeout(SANDBOX_BOUND) {
            Ok(line) => summary.push(line),
            Err(_) => {
                let status = wait_bounded(&mut sandbox.0);
                let mut stderr = String::new();
                if let Some(mut err) = sandbox.0.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut err, &mut stderr);
                }
                panic!(
                    "the sandbox did not start ({status}):\n{}\n{stderr}",
                    summary.join("\n")
                );
            }
        }
    }
    let summary = summary.join("\n");
    for expected in [
        "  central server   registration https://localhost:4001/managementservice/",
        "                   manage       https://localhost:4002/managementservice/manage/",
        &format!(
            "  security server  {SERVER} at ss1.example.org: authCertReg accepted as request 1;"
        ),
    ] {
        assert!(
            summary.lines().any(|line| line.starts_with(expected)),
            "{expected:?} in\n{summary}"
        );
    }

    let sandbox_arg = sandbox_dir.to_str().expect("a UTF-8 folder");
    let mut run_args: Vec<&str> = PROGRAM_COMMAND[1..].to_vec();
    run_args.push(sandbox_arg);
    let run = first_hour(&run_args);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the README's first-hour program failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(stdout, format!("clientReg {MACK_SUBSYSTEM}: request 2\n"));

    // Stopped as Ctrl-C stops it; it says so and exits 0.
    let pid = sandbox.0.id().to_string();
    let signalled = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let status = wait_bounded(&mut sandbox.0);
    reader.join().expect("the output reader");
    let rest: Vec<String> = printed.try_iter().collect();
    assert!(
        status.success(),
        "the sandbox exited with {status}: {rest:?}"
    );
    assert_eq!(rest, ["stopping"]);

    // The central server stored the request and applied it.
    let loaded = LoadedConfig::load(&sandbox_dir.join("central.toml")).expect("central.toml");
    let provider = loaded
        .verifier_config()
        .expect("the verifier configuration")
        .management_service_provider;
    let database = loaded.database().expect("the database");
    let store = Store::open(database.sqlite().expect("SQLite"), provider).expect("the store");
    let requests = store
        .requests(&RequestFilter::default())
        .expect("the requests");
    let stored: Vec<(i64, Service, Status)> = requests
        .iter()
        .map(|record| (record.id, record.service(), record.status))
        .collect();
    assert_eq!(
        stored,
        [
            (1, Service::AuthCertReg, Status::Approved),
            (2, Service::ClientReg, Status::Approved),
        ]
    );
    let ManagementRequest::ClientReg {
        server,
        client,
        subsystem_name,
    } = &requests[1].request
    else {
        panic!("request 2 is {:?}", requests[1].request);
    };
    assert_eq!(server.to_string(), SERVER);
    assert_eq!(client.to_string(), MACK_SUBSYSTEM);
    assert_eq!(subsystem_name.as_deref(), Some("Billing"));
    let registry = store.registry().expect("the registry");
    let registered = registry
        .iter()
        .flat_map(|server| &server.clients)
        .find(|c| c.id.to_string() == MACK_SUBSYSTEM)
        .expect("the client is registered");
    assert!(registered.enabled);
}

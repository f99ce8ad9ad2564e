use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::Connection;
use tempfile::TempDir;
use xroad_central_server::store::{
    Archived, ManagementRequest, NewRequest, RequestFilter, Store, StoreError, StoreSettings,
    Submitted,
};
use xroad_runtime::message::Parts;

use crate::support::TestStore;

const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
const SS1: &str = "SERVER:EE/GOV/OWNER1/SS1";
const DAY: u64 = 86_400;
const START: u64 = 1_700_006_400; // 2023-11-15T00:00:00Z

/// The start of day `n` of the test.
fn day(n: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(START + n * DAY)
}

/// Request `n` (from 0) received at noon of day `n`, approved at once unless `pending`.
fn submit(store: &Store, n: u64, request: ManagementRequest, pending: bool) {
    let new = NewRequest {
        request,
        message_id: format!("m{n}"),
        sender: "MEMBER:EE/GOV/OWNER1".parse().unwrap(),
        received_at: day(n) + Duration::from_secs(DAY / 2),
        log: Parts::soap(format!("<soap n='{n}'/>")),
        transport: Default::default(),
    };
    let submitted = store.submit(new, !pending, |id| format!("<r>{id}</r>").into_bytes());
    assert!(
        matches!(submitted, Ok(Submitted::Accepted { .. })),
        "{submitted:?}"
    );
}

fn client_reg(n: u64) -> ManagementRequest {
    ManagementRequest::ClientReg {
        server: SS1.parse().unwrap(),
        client: format!("SUBSYSTEM:EE/COM/C/sub{n}").parse().unwrap(),
        subsystem_name: None,
    }
}

/// A store on the backend of this test binary with a server (request 1, day 0) and clients
/// registered on days 1 to 4 (requests 2 to 5); request `pending` (if any) waits for
/// approval. The folder is where the archives go.
fn filled(pending: Option<u64>) -> (TempDir, TestStore, Store) {
    let dir = tempfile::tempdir().unwrap();
    let test = TestStore::open(crate::BACKEND, PROVIDER, StoreSettings::default());
    let store = test.store.clone();
    let auth = ManagementRequest::AuthCertReg {
        server: SS1.parse().unwrap(),
        auth_cert: b"\x30cert".to_vec(),
        address: "ss1.example.org".to_owned(),
    };
    submit(&store, 0, auth, false);
    for n in 1..5 {
        submit(&store, n, client_reg(n), pending == Some(n + 1));
    }
    (dir, test, store)
}

fn findings(store: &Store) -> Vec<String> {
    store
        .audit()
        .unwrap()
        .findings
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn open(path: &Path) -> Store {
    Store::open(path, PROVIDER.parse().unwrap()).unwrap()
}

fn ids(store: &Store) -> Vec<i64> {
    store
        .requests(&RequestFilter::default())
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn both_parts_verify_and_the_live_log_goes_on() {
    let (dir, _live, store) = filled(None);
    let registry = store.registry().unwrap();
    let file = dir.path().join("archive-1.db");
    let archived = store.archive(day(3), &file).unwrap();
    assert_eq!(
        archived,
        Archived {
            entries: (1, 3),
            requests: 3,
            last_request: 3,
            checkpoint: 6,
        }
    );
    assert_eq!(findings(&store), Vec::<String>::new());
    assert_eq!(ids(&store), [4, 5]);
    assert_eq!(store.registry().unwrap(), registry, "the registry stays");

    // The archive holds requests 1 to 3, verifies on its own, and its registry is the one
    // after request 3.
    let archive = open(&file);
    assert_eq!(findings(&archive), Vec::<String>::new());
    assert_eq!(ids(&archive), [1, 2, 3]);
    let clients: Vec<String> = archive.registry().unwrap()[0]
        .clients
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(
        clients,
        ["SUBSYSTEM:EE/COM/C/sub1", "SUBSYSTEM:EE/COM/C/sub2"]
    );
    assert!(archive.message_log(2).unwrap().is_some());
    drop(archive);
    // One file: no journal or write-ahead log beside it.
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("archive-1.db"))
        .collect();
    assert_eq!(beside, ["archive-1.db"]);

    // The live log goes on, and is archived again, from the first archive's checkpoint.
    submit(&store, 6, client_reg(6), true);
    store.approve(6).unwrap();
    assert_eq!(findings(&store), Vec::<String>::new());
    let second = dir.path().join("archive-2.db");
    // The checkpoint and the approval are logged now: a date after today takes all.
    let tomorrow = SystemTime::now() + Duration::from_secs(DAY);
    let archived = store.archive(tomorrow, &second).unwrap();
    assert_eq!(archived.entries, (4, 8));
    assert_eq!(archived.requests, 3);
    assert_eq!(findings(&store), Vec::<String>::new());
    assert_eq!(ids(&store), Vec::<i64>::new());
    let archive = open(&second);
    assert_eq!(findings(&archive), Vec::<String>::new());
    assert_eq!(ids(&archive), [4, 5, 6]);
}

#[test]
fn an_open_request_holds_the_cut_before_it() {
    // Request 3 (day 2) waits for approval: only requests 1 and 2 can go before day 4.
    let (dir, _live, store) = filled(Some(3));
    let archived = store.archive(day(4), dir.path().join("a.db")).unwrap();
    assert_eq!((archived.entries, archived.requests), ((1, 2), 2));
    assert_eq!(ids(&store), [3, 4, 5]);
    assert_eq!(findings(&store), Vec::<String>::new());
    // Approved later: its decision is after the date, so it stays until a later cut.
    store.approve(3).unwrap();
    let error = store.archive(day(4), dir.path().join("b.db")).unwrap_err();
    assert!(
        matches!(error, StoreError::NothingToArchive { .. }),
        "{error}"
    );
    assert!(!dir.path().join("b.db").exists());
}

#[test]
fn a_change_to_either_part_is_found() {
    let (dir, live, store) = filled(None);
    let file = dir.path().join("archive.db");
    store.archive(day(3), &file).unwrap();

    let archive = Connection::open(&file).unwrap();
    archive
        .execute(
            "UPDATE requests SET client = 'SUBSYSTEM:EE/COM/C/other' WHERE id = 2",
            [],
        )
        .unwrap();
    drop(archive);
    let found = findings(&open(&file));
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("log entry 2 (request 2 received) does not match")),
        "{found:?}"
    );

    // The live side: the registry the checkpoint holds, and a request after the cut.
    live.tamper(
        "UPDATE checkpoint_clients SET enabled = 0 WHERE client = 'SUBSYSTEM:EE/COM/C/sub1'",
        "UPDATE checkpoint_clients SET enabled = false WHERE client = 'SUBSYSTEM:EE/COM/C/sub1'",
    );
    let found = findings(&store);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("log entry 6 (registry checkpoint) does not match")),
        "{found:?}"
    );
    let change = "UPDATE requests SET sender = 'MEMBER:EE/GOV/SOMEONE' WHERE id = 4";
    live.tamper(change, change);
    let found = findings(&store);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("log entry 4 (request 4 received) does not match")),
        "{found:?}"
    );
}

#[test]
fn the_cut_hash_anchors_the_live_log() {
    let (dir, live, store) = filled(None);
    store
        .archive(day(3), dir.path().join("archive.db"))
        .unwrap();
    // Whoever rewrites the cut's hash to splice in another past breaks the checkpoint entry.
    live.tamper(
        "UPDATE checkpoints SET as_of_hash = zeroblob(32)",
        "UPDATE checkpoints SET as_of_hash = decode(repeat('00', 32), 'hex')",
    );
    let found = findings(&store);
    assert!(
        found
            .iter()
            .any(|f| f.contains("log entry 4 (request 4 received)")
                || f.contains("log entry 6 (registry checkpoint)")),
        "{found:?}"
    );
}

#[test]
fn a_log_that_does_not_verify_is_not_archived() {
    let (dir, live, store) = filled(None);
    let change = "UPDATE requests SET client = 'SUBSYSTEM:EE/COM/C/other' WHERE id = 5";
    live.tamper(change, change);
    let dump = store.dump().unwrap();
    let file = dir.path().join("archive.db");
    let error = store.archive(day(3), &file).unwrap_err();
    match &error {
        StoreError::LogDoesNotVerify { changes, first } => {
            assert!(*changes >= 1);
            assert!(first.starts_with("log entry 5"), "{first}");
        }
        other => panic!("{other}"),
    }
    assert!(
        error.to_string().contains("nothing was archived"),
        "{error}"
    );
    assert_eq!(store.dump().unwrap(), dump, "the live log is as it was");
    assert!(!file.exists(), "no archive is left");
}

#[test]
fn nothing_to_archive_or_an_existing_file_changes_nothing() {
    let (dir, _live, store) = filled(None);
    let dump = store.dump().unwrap();
    let file = dir.path().join("archive.db");
    let error = store.archive(day(0), &file).unwrap_err();
    assert_eq!(
        error.to_string(),
        "nothing to archive before that date: the log's first entry is not before that date"
    );
    assert!(!file.exists());
    std::fs::write(&file, b"kept").unwrap();
    let error = store.archive(day(3), &file).unwrap_err();
    assert!(matches!(error, StoreError::ArchiveExists { .. }), "{error}");
    assert_eq!(std::fs::read(&file).unwrap(), b"kept");
    assert_eq!(store.dump().unwrap(), dump);
}

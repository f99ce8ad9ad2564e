//! The central server store across restarts and threads: request ids, schema versions and
//! concurrent submits.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::SystemTime;

use rusqlite::Connection;
use xroad_central_server::store::{
    ManagementRequest, NewRequest, RequestFilter, SCHEMA_VERSION, Service, Status, Store,
    StoreError, Submitted,
};
use xroad_runtime::message::Parts;

const SERVER: &str = "SERVER:EE/GOV/OWNER/SS1";
const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";

static MESSAGES: AtomicU64 = AtomicU64::new(0);

/// Handles go to tasks and threads: the store must be cheap to clone and shareable.
const _: fn() = {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<Store>
};

fn open(path: &Path) -> Result<Store, StoreError> {
    Store::open(path, PROVIDER.parse().unwrap())
}

fn request(request: ManagementRequest) -> NewRequest {
    let n = MESSAGES.fetch_add(1, Ordering::Relaxed);
    NewRequest {
        request,
        message_id: format!("durability-{n}"),
        sender: "MEMBER:EE/GOV/OWNER".parse().unwrap(),
        received_at: SystemTime::now(),
        log: Parts::soap(format!("<soap n='{n}'/>")),
        transport: Default::default(),
    }
}

fn client_reg(n: usize) -> NewRequest {
    request(ManagementRequest::ClientReg {
        server: SERVER.parse().unwrap(),
        client: format!("SUBSYSTEM:EE/COM/CLIENT/sub{n}").parse().unwrap(),
        subsystem_name: None,
    })
}

fn accept(store: &Store, request: NewRequest) -> i64 {
    match store.submit(request, false, |id| id.to_string().into_bytes()) {
        Ok(Submitted::Accepted { request_id, .. }) => request_id,
        other => panic!("expected acceptance, got {other:?}"),
    }
}

fn open_with_server(path: &Path) -> Store {
    let store = open(path).unwrap();
    let registration = request(ManagementRequest::AuthCertReg {
        server: SERVER.parse().unwrap(),
        auth_cert: b"\x30auth cert".to_vec(),
        address: "ss1.example.org".to_owned(),
    });
    let registered = store.submit(registration, true, |_| Vec::new()).unwrap();
    assert!(matches!(registered, Submitted::Accepted { .. }));
    store
}

#[test]
fn request_ids_increase_across_restarts_and_are_never_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.db");
    let store = open_with_server(&path);
    let mut ids = vec![store.max_request_id().unwrap().unwrap()];
    for n in 0..5 {
        ids.push(accept(&store, client_reg(n)));
    }
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    let last = *ids.last().unwrap();
    assert_eq!(store.max_request_id().unwrap(), Some(last));
    drop(store);

    // Reopened, the store goes on above the highest id.
    let store = open(&path).unwrap();
    assert_eq!(store.max_request_id().unwrap(), Some(last));
    assert_eq!(
        store.requests(&RequestFilter::default()).unwrap().len(),
        ids.len()
    );
    let after_restart = accept(&store, client_reg(5));
    assert!(after_restart > last);
    drop(store);

    // A deleted row's id is not handed out again, although no stored row has it any more.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "DELETE FROM log_chain WHERE request = {after_restart};
         DELETE FROM message_log WHERE request = {after_restart};
         DELETE FROM requests WHERE id = {after_restart};"
    ))
    .unwrap();
    drop(conn);
    let store = open(&path).unwrap();
    assert_eq!(store.max_request_id().unwrap(), Some(last));
    let next = accept(&store, client_reg(6));
    assert!(
        next > after_restart,
        "{next} reuses an id up to {after_restart}"
    );
    store.integrity_check().unwrap();
}

#[test]
fn concurrent_submits_get_distinct_ids_and_are_all_stored() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_server(&dir.path().join("central.db"));
    let before = store.requests(&RequestFilter::default()).unwrap().len();

    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let store = store.clone();
            thread::spawn(move || {
                (0..PER_THREAD)
                    .map(|i| accept(&store, client_reg(thread * PER_THREAD + i)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: Vec<i64> = workers
        .into_iter()
        .flat_map(|worker| worker.join().unwrap())
        .collect();

    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), THREADS * PER_THREAD);
    let stored = store
        .requests(&RequestFilter {
            service: Some(Service::ClientReg),
            status: Some(Status::SubmittedForApproval),
            ..RequestFilter::default()
        })
        .unwrap();
    assert_eq!(stored.len(), THREADS * PER_THREAD);
    assert_eq!(
        stored
            .iter()
            .map(|record| record.id)
            .collect::<BTreeSet<_>>(),
        distinct
    );
    for id in &distinct {
        let logged = store.message_log(*id).unwrap().unwrap();
        assert_eq!(
            logged.response_sha256,
            openssl::sha::sha256(id.to_string().as_bytes())
        );
    }
    assert_eq!(
        store.requests(&RequestFilter::default()).unwrap().len(),
        before + THREADS * PER_THREAD
    );
    store.integrity_check().unwrap();
}

#[test]
fn concurrent_repeats_of_one_message_store_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_server(&dir.path().join("central.db"));
    let request = client_reg(0);
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let request = request.clone();
            thread::spawn(move || {
                store
                    .submit(request, false, |id| format!("first {id}").into_bytes())
                    .unwrap()
            })
        })
        .collect();
    let outcomes: Vec<Submitted> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let accepted: Vec<_> = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Submitted::Accepted { .. }))
        .collect();
    assert_eq!(accepted.len(), 1, "{outcomes:?}");
    let id = accepted[0].request_id();
    for outcome in &outcomes {
        assert_eq!(outcome.request_id(), id);
        assert_eq!(outcome.response(), format!("first {id}").as_bytes());
    }
}

#[test]
fn a_new_database_gets_the_current_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.db");
    drop(open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_program_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.db");
    drop(open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    match open(&path) {
        Err(error @ StoreError::SchemaVersion { .. }) => {
            let text = error.to_string();
            assert!(
                text.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
                "{text}"
            );
        }
        other => panic!("expected a schema version error, got {other:?}"),
    }
}

#[test]
fn the_registry_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.db");
    let store = open_with_server(&path);
    let id = accept(&store, client_reg(0));
    store.approve(id).unwrap();
    let registry = store.registry().unwrap();
    let dump = store.dump().unwrap();
    drop(store);
    let store = open(&path).unwrap();
    assert_eq!(store.registry().unwrap(), registry);
    assert_eq!(store.dump().unwrap(), dump);
    assert!(
        store
            .is_auth_cert_of(&SERVER.parse().unwrap(), b"\x30auth cert")
            .unwrap()
    );
}

#[test]
fn concurrent_maintenance_requests_are_decided_one_after_the_other() {
    const THREADS: usize = 8;
    let dir = tempfile::tempdir().unwrap();
    let store = open_with_server(&dir.path().join("central.db"));
    let server: xroad_mserv::identifiers::XRoadSecurityServerIdentifierType =
        SERVER.parse().unwrap();
    // Every thread asks for maintenance mode at once: whichever is first wins, the others
    // find the server in maintenance mode, whether they land in the same commit or not.
    let workers: Vec<_> = (0..THREADS)
        .map(|n| {
            let store = store.clone();
            let server = server.clone();
            thread::spawn(move || {
                let enable = request(ManagementRequest::MaintenanceModeEnable {
                    server,
                    message: Some(format!("thread {n}")),
                });
                store.submit(enable, false, |id| id.to_string().into_bytes())
            })
        })
        .collect();
    let mut accepted = Vec::new();
    for worker in workers {
        match worker.join().unwrap() {
            Ok(Submitted::Accepted { request_id, .. }) => accepted.push(request_id),
            Err(StoreError::Rule(violation)) => assert!(
                violation
                    .to_string()
                    .contains("already in maintenance mode"),
                "{violation}"
            ),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let winner = store.request(accepted[0]).unwrap().unwrap();
    let ManagementRequest::MaintenanceModeEnable { message, .. } = winner.request else {
        panic!("{winner:?}");
    };
    let registry = store.registry().unwrap();
    assert_eq!(
        registry[0].maintenance.as_ref().map(|mode| &mode.message),
        Some(&message),
        "the registry holds the accepted request's message"
    );
    assert_eq!(
        store
            .requests(&RequestFilter {
                service: Some(Service::MaintenanceModeEnable),
                ..RequestFilter::default()
            })
            .unwrap()
            .len(),
        1,
        "refused requests are not stored"
    );
}

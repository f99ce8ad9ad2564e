use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio::task::JoinSet;
use xroad_central_server::config::LoadedConfig;
use xroad_central_server::process::CentralProcess;
use xroad_central_server::store::{ManagementRequest, Service, Status, Store, StoreSettings};
use xroad_central_server::verify_log::verify_record;
use xroad_examples::sandbox::{PROVIDER, SERVER, Sandbox};
use xroad_examples::security::SecurityServer;
use xroad_mserv::centralservice::ClientReg;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::client::{ManagementClient, ManagementConnection, ManagementError};
use xroad_runtime::compose::ComposedRequest;
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::transport::Endpoint;
use xroad_runtime::verify::Verifier;

use crate::support::CentralData;

/// The signal `Child::kill` sends on Unix.
const SIGKILL: i32 = libc::SIGKILL;
/// Client tasks sending at the same time.
const TASKS: usize = 8;
/// Requests each task has signed before a load starts: far more than are answered before
/// the kill, so every task still has requests to send when it comes.
const PER_TASK: usize = 50;
/// Answers received in a load before the server is killed.
pub(crate) const KILL_AFTER: usize = 100;
/// Loads that end in a SIGKILL.
const CRASHES: usize = 3;
/// Requests sent one by one right after each restart.
pub(crate) const PROBES: usize = 3;
/// Generous bound on each wait: the start of the server, a load, the end of the tasks.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// What a client sent for a request id it received.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    client: XRoadClientIdentifierType,
    message_id: String,
}

/// Starts the `central-server` binary on `config`, its log going to `log`.
pub(crate) fn start_central(config: &Path, log: &Path) -> CentralProcess {
    CentralProcess::start(
        Path::new(env!("CARGO_BIN_EXE_central-server")),
        config,
        log,
        Some("warn"),
        WAIT,
    )
    .unwrap_or_else(|error| {
        let log = std::fs::read_to_string(log).unwrap_or_default();
        panic!("{error}; the log:\n{log}")
    })
}

/// Kills the server with SIGKILL and checks that it was running until then.
pub(crate) fn kill_central(central: CentralProcess) {
    let status = central.kill().expect("killing central-server");
    assert_eq!(
        status.signal(),
        Some(SIGKILL),
        "central-server was running until the SIGKILL, then ended by it: {status:?}"
    );
}

pub(crate) fn id(text: &str) -> XRoadClientIdentifierType {
    text.parse()
        .unwrap_or_else(|e| panic!("identifier {text}: {e}"))
}

/// The security server (with MACK's signing key) for the server listening at `central`.
pub(crate) fn client_for(sandbox: &Sandbox, central: &CentralProcess) -> SecurityServer {
    let config = sandbox
        .security_config_for(central.registration(), central.manage(), SERVER)
        .expect("writing ss.toml");
    config
        .security_server()
        .expect("building the management client")
}

/// Records the answer `request_id` for `sent`, refusing an id already answered.
pub(crate) fn record(received: &mut BTreeMap<i64, Sent>, request_id: i64, sent: Sent) {
    if let Some(earlier) = received.insert(request_id, sent.clone()) {
        panic!("request id {request_id} answered twice: for {earlier:?} and for {sent:?}");
    }
}

/// The subsystem and message id of a prepared request.
pub(crate) fn sent_of(
    client: XRoadClientIdentifierType,
    composed: &ComposedRequest<ClientReg>,
) -> Sent {
    Sent {
        client,
        message_id: composed.request.request.header.id.clone(),
    }
}

/// Sends [`PROBES`] requests one by one and checks each id is above `floor`.
pub(crate) async fn probe(
    client: &SecurityServer,
    round: usize,
    floor: i64,
    received: &mut BTreeMap<i64, Sent>,
) {
    for n in 0..PROBES {
        let subsystem = id(&format!("SUBSYSTEM:EE/COM/MACK/p{round}_{n}"));
        let composed = client
            .prepare_client_reg(&subsystem)
            .await
            .expect("signing a probe");
        let request_id = client
            .client()
            .inner()
            .send(&composed)
            .await
            .unwrap_or_else(|e| panic!("probe {n} after restart {round}: {e}"))
            .request_id()
            .unwrap_or_default();
        assert!(
            request_id > floor,
            "after restart {round} the new request got id {request_id}, not above {floor}, \
             the highest id stored before the restart"
        );
        record(received, request_id, sent_of(subsystem, &composed));
    }
}

/// Sends `composed` on `connection`, connecting first when there is none or it was closed.
async fn send_on(
    client: &ManagementClient,
    connection: &mut Option<ManagementConnection>,
    composed: &ComposedRequest<ClientReg>,
) -> Result<i64, ManagementError> {
    let open = match connection {
        Some(open) if !open.is_closed() => open,
        _ => connection.insert(client.connect(Endpoint::Manage).await?),
    };
    let response = open.send(composed).await?;
    Ok(response.request_id().unwrap_or_default())
}

/// What one load task saw.
struct TaskOutcome {
    answered: Vec<(i64, Sent)>,
    /// Whether the kill interrupted it with requests still to send.
    interrupted: bool,
}

/// Runs [`TASKS`] tasks sending pre-signed clientReg requests over keep-alive connections,
/// kills the server once [`KILL_AFTER`] have been answered, and returns the answers.
pub(crate) async fn load_and_kill(
    client: &SecurityServer,
    round: usize,
    central: CentralProcess,
) -> Vec<(i64, Sent)> {
    let mut signing = JoinSet::new();
    for task in 0..TASKS {
        let client = client.clone();
        signing.spawn(async move {
            let mut batch = Vec::with_capacity(PER_TASK);
            for n in 0..PER_TASK {
                let subsystem = id(&format!("SUBSYSTEM:EE/COM/MACK/r{round}c{task}_{n}"));
                let composed = client
                    .prepare_client_reg(&subsystem)
                    .await
                    .expect("signing a clientReg");
                batch.push((subsystem, composed));
            }
            batch
        });
    }
    let batches = signing.join_all().await;

    let answered = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    let killed = Arc::new(AtomicBool::new(false));
    let mut tasks = JoinSet::new();
    for batch in batches {
        let (client, answered, enough, killed) = (
            client.clone(),
            Arc::clone(&answered),
            Arc::clone(&enough),
            Arc::clone(&killed),
        );
        tasks.spawn(async move {
            let mut outcome = TaskOutcome {
                answered: Vec::new(),
                interrupted: false,
            };
            let mut connection = None;
            for (subsystem, composed) in batch {
                let result = send_on(client.client().inner(), &mut connection, &composed).await;
                match result {
                    Ok(request_id) => {
                        outcome
                            .answered
                            .push((request_id, sent_of(subsystem, &composed)));
                        if answered.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                            enough.notify_one();
                        }
                    }
                    Err(_) if killed.load(Ordering::SeqCst) => {
                        outcome.interrupted = true;
                        break;
                    }
                    Err(error) => panic!("{subsystem} failed before the kill: {error}"),
                }
            }
            outcome
        });
    }

    tokio::time::timeout(WAIT, enough.notified())
        .await
        .expect("the load got answers before the timeout");
    killed.store(true, Ordering::SeqCst);
    tokio::task::spawn_blocking(move || kill_central(central))
        .await
        .expect("killing the server");

    let outcomes = tokio::time::timeout(WAIT, tasks.join_all())
        .await
        .expect("the load tasks ended after the kill");
    let interrupted = outcomes.iter().filter(|o| o.interrupted).count();
    assert!(
        interrupted > 0,
        "the kill hit no request in flight: every task had sent all its requests"
    );
    let answers: Vec<_> = outcomes.into_iter().flat_map(|o| o.answered).collect();
    assert!(
        answers.len() >= KILL_AFTER,
        "only {} answers before the kill",
        answers.len()
    );
    eprintln!(
        "crash {round}: {} answers before SIGKILL, {interrupted} of {TASKS} tasks cut off",
        answers.len()
    );
    answers
}

/// Copies the database file and its write-ahead log, as the killed server left them, into
/// `folder`, and returns the copy's path.
///
/// The checks run on the copy: opening the database itself would recover and checkpoint
/// the log, and the restarted server would then not have to, hiding any fault in how it
/// opens a database after a crash.
fn copy_database(database: &Path, folder: &Path) -> PathBuf {
    let name = database.file_name().expect("the database is a file");
    let copy = folder.join(name);
    std::fs::copy(database, &copy).expect("copying the database");
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    let mut wal_copy = copy.as_os_str().to_owned();
    wal_copy.push("-wal");
    if Path::new(&wal).exists() {
        std::fs::copy(&wal, &wal_copy).expect("copying the write-ahead log");
    }
    copy
}

/// The checks on a copy of the database, taken with the server down; returns the highest
/// stored id.
///
/// Every id in `received` must be stored as what was sent; those in `to_verify` must also
/// verify again from their message log.
pub(crate) fn check_store(
    data: &CentralData,
    verifier: &Verifier,
    received: &BTreeMap<i64, Sent>,
    to_verify: &[i64],
) -> i64 {
    let provider = PROVIDER.parse().expect("the provider's identifier");
    let (store, rows, _folder) = match data {
        CentralData::Sqlite(database) => {
            let folder = tempfile::tempdir().expect("creating a folder for the copy");
            let copy = copy_database(database, folder.path());
            let rows = check_sqlite_file(&copy);
            let store = Store::open(&copy, provider).expect("opening the store");
            (store, rows, Some(folder))
        }
        CentralData::Postgres(test) => {
            // The database server was not killed; what it holds is what it committed.
            let test = test
                .as_deref()
                .expect("the database is there until dropped");
            let store = Store::open_postgres(&test.db, 2, provider, StoreSettings::default())
                .expect("opening the store");
            let rows = store
                .requests(&Default::default())
                .expect("listing requests")
                .len();
            (store, rows as i64, None)
        }
    };
    check_requests(&store, rows, verifier, received, to_verify)
}

/// SQLite's own view of the file the crash left: `PRAGMA integrity_check`, unique ids and a
/// message log for every request; returns how many requests it holds.
fn check_sqlite_file(database: &Path) -> i64 {
    // SQLite's own view of the file first, before the store touches it.
    let conn = rusqlite::Connection::open(database).expect("opening the database");
    let mut check = conn
        .prepare("PRAGMA integrity_check")
        .expect("preparing integrity_check");
    let lines: Vec<String> = check
        .query_map([], |row| row.get(0))
        .expect("running integrity_check")
        .collect::<Result<_, _>>()
        .expect("reading integrity_check");
    assert_eq!(lines, ["ok"], "PRAGMA integrity_check");
    drop(check);
    let (rows, distinct, without_log): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT id), \
                    count(*) FILTER (WHERE id NOT IN (SELECT request FROM message_log)) \
             FROM requests",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .expect("counting requests");
    assert_eq!(rows, distinct, "request ids are unique");
    assert_eq!(without_log, 0, "stored requests without a message log");
    rows
}

/// The checks through the store: its integrity check, every answered id stored as what was
/// sent, those in `to_verify` verifying again; returns the highest stored id.
pub(crate) fn check_requests(
    store: &Store,
    rows: i64,
    verifier: &Verifier,
    received: &BTreeMap<i64, Sent>,
    to_verify: &[i64],
) -> i64 {
    let audit = store.audit().expect("auditing the log");
    assert_eq!(audit.findings, [], "the log's chain and registry verify");
    store
        .integrity_check()
        .expect("the store's integrity check");
    for (&request_id, sent) in received {
        let record = store
            .request(request_id)
            .expect("reading a request")
            .unwrap_or_else(|| panic!("request {request_id} was answered but is not stored"));
        assert_eq!(record.service(), Service::ClientReg, "request {request_id}");
        assert_eq!(record.status, Status::Approved, "request {request_id}");
        let ManagementRequest::ClientReg { client, .. } = &record.request else {
            panic!("request {request_id} is no clientReg");
        };
        assert_eq!(
            client, &sent.client,
            "request {request_id} is stored for another client"
        );
        assert_eq!(
            record.message_id, sent.message_id,
            "request {request_id} is stored for another message"
        );
    }
    for &request_id in to_verify {
        let record = store
            .request(request_id)
            .expect("reading a request")
            .expect("checked above");
        let logged = store
            .message_log(request_id)
            .expect("reading a message log")
            .unwrap_or_else(|| panic!("request {request_id} has no message log"));
        let parts = &logged.parts;
        assert!(!parts.soap.is_empty(), "request {request_id}: SOAP part");
        assert_eq!(
            parts.len(),
            4,
            "request {request_id}: SOAP part, signature, signing certificate, OCSP response"
        );
        assert!(
            parts.attachments[0].signature_algorithm_id.is_some(),
            "request {request_id}: signature algorithm id"
        );
        verify_record(verifier, &record, &logged)
            .unwrap_or_else(|fault| panic!("request {request_id} does not verify: {fault}"));
    }
    let highest = store
        .max_request_id()
        .expect("reading the highest id")
        .expect("requests are stored");
    if let Some((&last, _)) = received.last_key_value() {
        assert!(highest >= last, "highest stored id {highest} below {last}");
    }
    eprintln!(
        "  stored {rows} requests, {} answered to a client, highest id {highest}",
        received.len()
    );
    highest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_answered_request_and_reuses_no_id() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let sandbox = Sandbox::create(dir.path(), true).expect("creating the sandbox");
    let config = sandbox.central_config();
    let database = Arc::new(CentralData::for_config(crate::BACKEND, &config));
    let loaded = LoadedConfig::load(&config).expect("loading central.toml");
    let verifier = Arc::new(Verifier::new(
        loaded.verifier_config().expect("verifier settings"),
        loaded.trust_store().expect("trust store"),
        loaded.ocsp_verifier().expect("OCSP verifier"),
    ));
    let log = |n: usize| dir.path().join(format!("central-{n}.log"));

    let mut received = BTreeMap::new();
    let mut floor = None;
    for round in 0..=CRASHES {
        let central = start_central(&config, &log(round));
        let client = client_for(&sandbox, &central);
        let before: Vec<i64> = received.keys().copied().collect();
        match floor {
            None => {
                client
                    .auth_cert_reg("127.0.0.1")
                    .await
                    .expect("registering the authentication certificate");
            }
            Some(floor) => probe(&client, round, floor, &mut received).await,
        }
        if round < CRASHES {
            for (request_id, sent) in load_and_kill(&client, round, central).await {
                if let Some(floor) = floor {
                    assert!(
                        request_id > floor,
                        "after restart {round} request id {request_id} is not above {floor}"
                    );
                }
                record(&mut received, request_id, sent);
            }
        } else {
            // After the last restart the probes have shown new requests get new ids.
            tokio::task::spawn_blocking(move || kill_central(central))
                .await
                .expect("killing the server");
        }
        let new: Vec<i64> = received
            .keys()
            .copied()
            .filter(|id| before.binary_search(id).is_err())
            .collect();
        let (database, verifier, snapshot) = (
            Arc::clone(&database),
            Arc::clone(&verifier),
            received.clone(),
        );
        floor = Some(
            tokio::task::spawn_blocking(move || check_store(&database, &verifier, &snapshot, &new))
                .await
                .expect("checking the store"),
        );
    }
    assert!(received.len() >= CRASHES * (KILL_AFTER + PROBES));
    eprintln!(
        "{} answered ids checked over {CRASHES} crashes in {:.1} s",
        received.len(),
        started.elapsed().as_secs_f64()
    );
    sandbox.shutdown().await;
}

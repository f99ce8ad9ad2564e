//! Cost of one durable request in the central server store (WAL, `synchronous = FULL`, one
//! fsync per commit), measured in the same run as:
//!
//! - `raw_insert`: the same rows (request, message log and its three attachments) inserted
//!   and committed on a bare connection with the same settings, without duplicate and rule
//!   checks and without the writer thread: the floor any durable submit has;
//! - `raw_insert_chained`: `raw_insert` plus what the tamper-evident log adds per request:
//!   reading the head of the hash chain, SHA-256 over the request, its parts and the
//!   previous hash, and the chain entry; `raw_insert_chained / raw_insert` is the cost of
//!   the hash chain per request, measured in the same run;
//! - `submit_8_threads`: submits from 8 threads at once, the cost per request when the writer
//!   commits several together (group commit);
//! - `store_request_unsynced/raw_insert` and `…/raw_insert_chained`: the same two on a
//!   connection with `synchronous = OFF`, where no fsync hides the chain's own cost (on a
//!   disk whose fsync takes milliseconds, the durable pair differ by less than their noise).
//!
//! `cargo bench -p xroad-central-server --bench store`

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};
use xroad_central_server::store::{ManagementRequest, NewRequest, Store, StoreSettings, Submitted};
use xroad_runtime::message::{Attachment, Parts};

const SERVER: &str = "SERVER:EE/GOV/OWNER/SS1";
const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
const THREADS: u64 = 8;

/// A message log of realistic size: a 2 KiB SOAP part, a signature, a certificate and an
/// OCSP response.
fn message_log(n: u64) -> Parts {
    let filler = |len: usize| (0..len).map(|i| (i as u64 ^ n) as u8).collect::<Vec<u8>>();
    let part = |algorithm: Option<&str>, len| Attachment {
        signature_algorithm_id: algorithm.map(str::to_owned),
        body: filler(len).into(),
    };
    Parts {
        soap: filler(2048).into(),
        attachments: vec![
            part(Some("SHA256withRSA"), 256),
            part(None, 1200),
            part(None, 1500),
        ],
    }
}

fn client_reg(n: u64) -> NewRequest {
    NewRequest {
        request: ManagementRequest::ClientReg {
            server: SERVER.parse().expect("valid server id"),
            client: format!("SUBSYSTEM:EE/COM/CLIENT/sub{n}")
                .parse()
                .expect("valid client id"),
            subsystem_name: None,
        },
        message_id: format!("bench-{n}"),
        sender: "MEMBER:EE/GOV/OWNER".parse().expect("valid member id"),
        received_at: SystemTime::now(),
        log: message_log(n),
        transport: Default::default(),
    }
}

fn response(request_id: i64) -> Vec<u8> {
    format!("<response><requestId>{request_id}</requestId></response>").into_bytes()
}

/// The store without the daily byte limit: a benchmark stores far more than a security
/// server may in a day (the limit's check itself still runs).
fn open(path: &Path) -> Store {
    let settings = StoreSettings {
        max_bytes_per_server_per_day: u64::MAX,
        ..StoreSettings::default()
    };
    Store::open_with(path, PROVIDER.parse().expect("valid provider id"), settings)
        .expect("store opens")
}

fn store_with_server(path: &Path) -> Store {
    let store = open(path);
    let mut register = client_reg(u64::MAX);
    register.request = ManagementRequest::AuthCertReg {
        server: SERVER.parse().expect("valid server id"),
        auth_cert: b"\x30\x82auth certificate".to_vec(),
        address: "ss1.example.org".to_owned(),
    };
    store
        .submit(register, true, response)
        .expect("server registers");
    store
}

fn submit(store: &Store, n: u64) {
    let submitted = store
        .submit(client_reg(n), false, response)
        .expect("submit succeeds");
    assert!(matches!(submitted, Submitted::Accepted { .. }));
}

/// Inserts and commits request `n` on a bare connection; with `chained`, also its hash
/// chain entry, hashed over the same bytes the store hashes.
fn raw_insert(raw: &Connection, n: u64, chained: bool) -> i64 {
    let request = client_reg(n);
    let ManagementRequest::ClientReg { server, client, .. } = &request.request else {
        unreachable!("client_reg builds a clientReg")
    };
    let log = &request.log;
    let received_at = request
        .received_at
        .duration_since(UNIX_EPOCH)
        .expect("after the epoch")
        .as_nanos() as i64;
    raw.execute_batch("BEGIN IMMEDIATE").expect("begins");
    let id: i64 = raw
        .prepare_cached(
            "INSERT INTO requests (service, server, client, status, message_id, sender,
                                   received_at)
             VALUES (?1, ?2, ?3, 'SUBMITTED FOR APPROVAL', ?4, ?5, ?6) RETURNING id",
        )
        .and_then(|mut insert| {
            insert.query_row(
                params![
                    request.request.service().as_str(),
                    server.to_string(),
                    client.to_string(),
                    request.message_id,
                    request.sender.to_string(),
                    received_at
                ],
                |row| row.get(0),
            )
        })
        .expect("request inserts");
    let response_sha256 = openssl::sha::sha256(&response(id));
    raw.prepare_cached(
        "INSERT INTO message_log (request, soap, response_sha256) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut insert| insert.execute(params![id, &log.soap[..], &response_sha256[..]]))
    .expect("message log inserts");
    let mut attachments = raw
        .prepare_cached(
            "INSERT INTO message_attachments (request, position, signature_algorithm_id, body)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .expect("attachment insert prepares");
    for (position, part) in (1_i64..).zip(&log.attachments) {
        attachments
            .execute(params![
                id,
                position,
                part.signature_algorithm_id,
                &part.body[..]
            ])
            .expect("attachment inserts");
    }
    if chained {
        // What the store does: the head, the stored row read back and hashed with it.
        let (position, previous): (i64, Vec<u8>) = raw
            .prepare_cached("SELECT position, hash FROM log_chain ORDER BY position DESC LIMIT 1")
            .and_then(|mut select| select.query_row([], |row| Ok((row.get(0)?, row.get(1)?))))
            .unwrap_or((0, vec![0; 32]));
        let mut sha = openssl::sha::Sha256::new();
        sha.update(&previous);
        let (soap, attachments): (Vec<u8>, Vec<Vec<u8>>) = raw
            .prepare_cached("SELECT soap FROM message_log WHERE request = ?1")
            .and_then(|mut select| select.query_row([id], |row| row.get(0)))
            .and_then(|soap| {
                raw.prepare_cached(
                    "SELECT body FROM message_attachments WHERE request = ?1 ORDER BY position",
                )?
                .query_map([id], |row| row.get(0))?
                .collect::<Result<Vec<Vec<u8>>, _>>()
                .map(|bodies| (soap, bodies))
            })
            .expect("rows read back");
        sha.update(&soap);
        for body in &attachments {
            sha.update(body);
        }
        let hash = sha.finish();
        raw.prepare_cached(
            "INSERT INTO log_chain (position, kind, request, status, at, hash)
             VALUES (?1, 'received', ?2, 'SUBMITTED FOR APPROVAL', ?3, ?4)",
        )
        .and_then(|mut insert| insert.execute(params![position + 1, id, received_at, &hash[..]]))
        .expect("chain entry inserts");
    }
    raw.execute_batch("COMMIT").expect("commits");
    black_box(id)
}

fn durable_request(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = store_with_server(&dir.path().join("submit.db"));
    let next = Arc::new(AtomicU64::new(0));

    // A database with the same schema and settings, written to without the store.
    let raw_path = dir.path().join("raw.db");
    drop(open(&raw_path));
    let raw = Connection::open(&raw_path).expect("raw connection opens");
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
    )
    .expect("pragmas apply");

    let mut group = c.benchmark_group("store_durable_request");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(8));

    group.bench_function("submit", |b| {
        b.iter(|| submit(&store, next.fetch_add(1, Ordering::Relaxed)))
    });

    group.bench_function("raw_insert", |b| {
        b.iter(|| raw_insert(&raw, next.fetch_add(1, Ordering::Relaxed), false))
    });

    group.bench_function("raw_insert_chained", |b| {
        b.iter(|| raw_insert(&raw, next.fetch_add(1, Ordering::Relaxed), true))
    });

    group.bench_function("submit_8_threads", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            let workers: Vec<_> = (0..THREADS)
                .map(|thread| {
                    let store = store.clone();
                    let next = Arc::clone(&next);
                    // Every thread takes its share of the iterations, the first ones the rest.
                    let share = iters / THREADS + u64::from(thread < iters % THREADS);
                    thread::spawn(move || {
                        for _ in 0..share {
                            submit(&store, next.fetch_add(1, Ordering::Relaxed));
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.join().expect("submitting thread finishes");
            }
            start.elapsed()
        })
    });
    group.finish();

    // The same rows without an fsync per commit: what the hash chain costs besides the disk.
    let unsynced_path = dir.path().join("unsynced.db");
    drop(open(&unsynced_path));
    let unsynced = Connection::open(&unsynced_path).expect("unsynced connection opens");
    unsynced
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;",
        )
        .expect("pragmas apply");
    let mut group = c.benchmark_group("store_request_unsynced");
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("raw_insert", |b| {
        b.iter(|| raw_insert(&unsynced, next.fetch_add(1, Ordering::Relaxed), false))
    });
    group.bench_function("raw_insert_chained", |b| {
        b.iter(|| raw_insert(&unsynced, next.fetch_add(1, Ordering::Relaxed), true))
    });
    group.finish();
}

criterion_group!(benches, durable_request);
criterion_main!(benches);

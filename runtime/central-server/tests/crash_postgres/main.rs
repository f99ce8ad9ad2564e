//! The central server survives SIGKILL under load with its store on PostgreSQL (`crash`'s
//! cases on a test database), and a cluster of two nodes goes on when one is killed.

#![cfg(unix)]

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

#[path = "../crash/cases.rs"]
mod cases;

use std::collections::BTreeMap;
use std::sync::Arc;

use cases::{
    KILL_AFTER, PROBES, check_store, client_for, load_and_kill, probe, record, start_central,
};
use xroad_central_server::config::LoadedConfig;
use xroad_examples::sandbox::Sandbox;
use xroad_runtime::verify::Verifier;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Postgres;

/// Two `central-server` processes on one database: one is killed with SIGKILL under load
/// while the other keeps answering; the killed one restarts and serves. Every id answered
/// by either node is stored once, as sent, and the one chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_nodes_killed_under_load_loses_nothing_and_the_other_goes_on() {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let sandbox = Sandbox::create(dir.path(), true).expect("creating the sandbox");
    let config = sandbox.central_config();
    let database = Arc::new(support::CentralData::for_config(BACKEND, &config));
    let loaded = LoadedConfig::load(&config).expect("loading central.toml");
    let verifier = Arc::new(Verifier::new(
        loaded.verifier_config().expect("verifier settings"),
        loaded.trust_store().expect("trust store"),
        loaded.ocsp_verifier().expect("OCSP verifier"),
    ));
    let log = |name: &str| dir.path().join(format!("central-{name}.log"));

    let first = start_central(&config, &log("first"));
    let second = start_central(&config, &log("second"));
    let to_first = client_for(&sandbox, &first);
    let to_second = client_for(&sandbox, &second);
    to_first
        .auth_cert_reg("127.0.0.1")
        .await
        .expect("registering the authentication certificate");

    // The second node serves a load of its own while the first is loaded and killed.
    let mut received = BTreeMap::new();
    let (first_answers, second_answers) = tokio::join!(load_and_kill(&to_first, 0, first), async {
        let mut answers = BTreeMap::new();
        probe(&to_second, 100, 0, &mut answers).await;
        answers
    });
    assert!(first_answers.len() >= KILL_AFTER);
    for (request_id, sent) in first_answers {
        record(&mut received, request_id, sent);
    }
    for (request_id, sent) in second_answers {
        record(&mut received, request_id, sent);
    }

    // With the first node dead, the second goes on.
    let floor = *received.keys().max().expect("answers");
    let mut after_kill = BTreeMap::new();
    probe(&to_second, 101, floor, &mut after_kill).await;
    assert_eq!(after_kill.len(), PROBES);
    received.extend(after_kill);

    // The killed node restarts on the same database and serves, above every id given.
    let floor = *received.keys().max().expect("answers");
    let restarted = start_central(&config, &log("restarted"));
    let to_restarted = client_for(&sandbox, &restarted);
    probe(&to_restarted, 102, floor, &mut received).await;

    let all: Vec<i64> = received.keys().copied().collect();
    let (data, checked, snapshot) = (Arc::clone(&database), Arc::clone(&verifier), received);
    tokio::task::spawn_blocking(move || check_store(&data, &checked, &snapshot, &all))
        .await
        .expect("checking the store");
    for node in [second, restarted] {
        tokio::task::spawn_blocking(move || node.kill())
            .await
            .expect("stopping a node")
            .expect("killing a node");
    }
    sandbox.shutdown().await;
}

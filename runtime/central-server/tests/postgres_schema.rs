//! The PostgreSQL schema on a real cluster: migrations at start, a newer schema refused,
//! nodes migrating at once, and what the schema itself guarantees (constraints as in
//! SQLite, a chain that cannot fork).

#[allow(dead_code)] // each test file uses a part
#[path = "support/postgres.rs"]
mod support;

use std::sync::{Arc, Barrier};

use xroad_central_server::store::postgres::{
    self as pg, MIGRATION_LOCK, Migrated, POSTGRES_SCHEMA_VERSION, PostgresError,
};

use support::TestDatabase;

/// The tables of the current schema.
const TABLES: &[&str] = &[
    "auth_certs",
    "checkpoint_certs",
    "checkpoint_clients",
    "checkpoint_servers",
    "checkpoint_subsystems",
    "checkpoints",
    "daily_usage",
    "log_chain",
    "message_attachments",
    "message_log",
    "requests",
    "schema_migrations",
    "security_servers",
    "server_clients",
    "subsystems",
];

fn tables(client: &mut ::postgres::Client) -> Vec<String> {
    client
        .query(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() ORDER BY table_name",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

fn versions(client: &mut ::postgres::Client) -> Vec<(i32, String)> {
    client
        .query(
            "SELECT version, applied_at::text FROM schema_migrations ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

#[test]
fn a_new_database_gets_every_migration() {
    let test = TestDatabase::create();
    let mut client = test.connect();
    assert!(tables(&mut client).is_empty());
    let migrated = pg::migrate(&mut client).unwrap();
    assert_eq!(
        migrated,
        Migrated {
            from: 0,
            to: POSTGRES_SCHEMA_VERSION
        }
    );
    assert!(migrated.changed());
    assert_eq!(tables(&mut client), TABLES);
    let recorded: Vec<i32> = versions(&mut client).into_iter().map(|(v, _)| v).collect();
    assert_eq!(recorded, (1..=POSTGRES_SCHEMA_VERSION).collect::<Vec<_>>());
    // Version 2 dropped version 1's sequence: the store assigns ids under the chain lock.
    let sequences: i64 = client
        .query_one("SELECT count(*) FROM information_schema.sequences", &[])
        .unwrap()
        .get(0);
    assert_eq!(sequences, 0);
}

#[test]
fn migrating_again_changes_nothing() {
    let test = TestDatabase::create();
    let mut client = test.connect();
    pg::migrate(&mut client).unwrap();
    let before = versions(&mut client);
    let again = pg::migrate(&mut test.connect()).unwrap();
    assert_eq!(
        again,
        Migrated {
            from: POSTGRES_SCHEMA_VERSION,
            to: POSTGRES_SCHEMA_VERSION
        }
    );
    assert!(!again.changed());
    assert_eq!(versions(&mut client), before);
    assert_eq!(tables(&mut client), TABLES);
}

#[test]
fn a_newer_schema_is_refused_naming_both_versions_and_left_alone() {
    let test = TestDatabase::create();
    let mut client = test.connect();
    pg::migrate(&mut client).unwrap();
    let newer = POSTGRES_SCHEMA_VERSION + 1;
    client
        .execute(
            "INSERT INTO schema_migrations (version, description) VALUES ($1, 'from the future')",
            &[&newer],
        )
        .unwrap();
    let before = versions(&mut client);
    let error = pg::migrate(&mut client).unwrap_err();
    assert!(
        matches!(error, PostgresError::NewerSchema { found, known }
            if found == newer && known == POSTGRES_SCHEMA_VERSION),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("schema version {newer}"))
            && message.contains(&format!("version {POSTGRES_SCHEMA_VERSION} that")),
        "{message}"
    );
    assert_eq!(versions(&mut client), before);
    // The refusal released the lock: another node can take it at once.
    let free: bool = test
        .connect()
        .query_one("SELECT pg_try_advisory_lock($1)", &[&MIGRATION_LOCK])
        .unwrap()
        .get(0);
    assert!(free);
}

#[test]
fn nodes_migrating_at_once_end_with_one_schema() {
    const NODES: usize = 4;
    let test = TestDatabase::create();
    let start = Arc::new(Barrier::new(NODES));
    let outcomes: Vec<Migrated> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..NODES)
            .map(|_| {
                let mut client = test.connect();
                let start = Arc::clone(&start);
                scope.spawn(move || {
                    start.wait();
                    pg::migrate(&mut client)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap().unwrap())
            .collect()
    });
    let fresh = outcomes.iter().filter(|m| m.from == 0).count();
    assert_eq!(fresh, 1, "{outcomes:?}");
    assert!(
        outcomes.iter().all(|m| m.to == POSTGRES_SCHEMA_VERSION
            && (m.from == 0 || m.from == POSTGRES_SCHEMA_VERSION)),
        "{outcomes:?}"
    );
    let mut client = test.connect();
    assert_eq!(tables(&mut client), TABLES);
    assert_eq!(
        versions(&mut client).len(),
        POSTGRES_SCHEMA_VERSION as usize
    );
}

#[test]
fn a_failed_migration_leaves_no_schema_behind() {
    let test = TestDatabase::create();
    let mut client = test.connect();
    // A table of the schema already there (not from a migration) makes version 1 fail.
    client
        .batch_execute("CREATE TABLE log_chain (x INTEGER)")
        .unwrap();
    let error = pg::migrate(&mut client).unwrap_err();
    assert!(
        matches!(error, PostgresError::Migration { version: 1, .. }),
        "{error:?}"
    );
    assert_eq!(tables(&mut client), ["log_chain"]);
}

/// Inserts a clientDeletion request through `client`, returning its id.
fn insert_request(client: &mut ::postgres::Client, message_id: &str) -> i64 {
    client
        .query_one(
            "INSERT INTO requests
                 (id, service, server, client, status, message_id, sender, received_at)
             VALUES ((SELECT COALESCE(max(id), 0) + 1 FROM requests), 'clientDeletion',
                     'SERVER:EE/GOV/M/s', 'MEMBER:EE/GOV/C', 'APPROVED', $1,
                     'SUBSYSTEM:EE/GOV/M/sender', 0)
             RETURNING id",
            &[&message_id],
        )
        .unwrap()
        .get(0)
}

#[test]
fn the_schema_refuses_what_sqlite_refuses() {
    let test = TestDatabase::create();
    let mut client = test.connect();
    pg::migrate(&mut client).unwrap();
    insert_request(&mut client, "m1");
    let refused = |client: &mut ::postgres::Client, sql: &str| {
        let error = client.batch_execute(sql).unwrap_err();
        error.code().map(|c| c.code().to_owned())
    };
    // A message id used twice by one sender.
    assert_eq!(
        refused(
            &mut client,
            "INSERT INTO requests (id, service, server, client, status, message_id, sender, received_at)
             VALUES (2, 'clientDeletion', 'SERVER:EE/GOV/M/s', 'MEMBER:EE/GOV/C', 'APPROVED', 'm1',
                     'SUBSYSTEM:EE/GOV/M/sender', 0)"
        )
        .as_deref(),
        Some("23505")
    );
    // An authCertReg without its certificate.
    assert_eq!(
        refused(
            &mut client,
            "INSERT INTO requests (id, service, server, address, status, message_id, sender, received_at)
             VALUES (2, 'authCertReg', 'SERVER:EE/GOV/M/s', 'host', 'SUBMITTED FOR APPROVAL', 'm2',
                     'SUBSYSTEM:EE/GOV/M/sender', 0)"
        )
        .as_deref(),
        Some("23514")
    );
    // An unknown status.
    assert_eq!(
        refused(
            &mut client,
            "INSERT INTO requests (id, service, server, client, status, message_id, sender, received_at)
             VALUES (2, 'clientDeletion', 'SERVER:EE/GOV/M/s', 'MEMBER:EE/GOV/C', 'DONE', 'm3',
                     'SUBSYSTEM:EE/GOV/M/sender', 0)"
        )
        .as_deref(),
        Some("23514")
    );
    // Two entries at one position of the chain: the chain cannot fork.
    let hash = vec![0u8; 32];
    client
        .execute(
            "INSERT INTO log_chain (position, kind, request, status, at, hash)
             VALUES (1, 'received', 1, 'APPROVED', 0, $1)",
            &[&hash],
        )
        .unwrap();
    let fork = client
        .execute(
            "INSERT INTO log_chain (position, kind, at, hash) VALUES (1, 'checkpoint', 0, $1)",
            &[&hash],
        )
        .unwrap_err();
    assert_eq!(fork.code().map(|c| c.code()), Some("23505"));
    // The same authentication certificate registered twice, however long it is.
    let long_cert = vec![7u8; 16 * 1024];
    client
        .batch_execute(
            "INSERT INTO security_servers (server_id, owner, server_code)
             VALUES ('SERVER:EE/GOV/M/s', 'MEMBER:EE/GOV/M', 's')",
        )
        .unwrap();
    let insert_cert = "INSERT INTO auth_certs (server, cert) VALUES (1, $1)";
    client.execute(insert_cert, &[&long_cert]).unwrap();
    let twice = client.execute(insert_cert, &[&long_cert]).unwrap_err();
    assert_eq!(twice.code().map(|c| c.code()), Some("23505"));
}

#[test]
fn a_pool_opens_on_a_migrated_database() {
    let test = TestDatabase::create();
    let (pool, migrated) = pg::open(&test.db, 4).unwrap();
    assert!(migrated.changed());
    let mut connection = pool.get().unwrap();
    let version: i32 = connection
        .client
        .query_one("SELECT max(version) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, POSTGRES_SCHEMA_VERSION);
    let (_, again) = pg::open(&test.db, 4).unwrap();
    assert!(!again.changed());
}

#[test]
fn a_database_that_cannot_be_reached_is_named_in_the_error() {
    let test = TestDatabase::create();
    let absent = test.db.with_dbname("no_such_database");
    let Err(error) = pg::open(&absent, 1) else {
        panic!("a database that does not exist was opened");
    };
    assert!(
        matches!(error, PostgresError::Connect { .. })
            && error.to_string().contains("no_such_database"),
        "{error}"
    );
}

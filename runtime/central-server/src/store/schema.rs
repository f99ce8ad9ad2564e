//! The database schema, its migrations and the connection settings.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::StoreError;

/// Schema version of a database this program created or migrated (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a connection waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements the writing connection keeps.
const WRITER_STATEMENT_CACHE: usize = 64;

/// Migrations in order: entry `n` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: &[&str] = &[V1];

/// Version 1: requests, message log, security servers, their clients and auth certificates.
const V1: &str = "
CREATE TABLE security_servers (
    id          INTEGER PRIMARY KEY,
    server_id   TEXT NOT NULL UNIQUE,  -- SERVER:instance/class/member/serverCode, follows the owner
    owner       TEXT NOT NULL,         -- MEMBER:instance/class/member
    server_code TEXT NOT NULL,
    address     TEXT
) STRICT;

CREATE TABLE server_clients (
    server INTEGER NOT NULL REFERENCES security_servers (id),
    client TEXT NOT NULL,              -- MEMBER:… or SUBSYSTEM:…
    PRIMARY KEY (server, client)
) STRICT, WITHOUT ROWID;

CREATE TABLE auth_certs (
    id     INTEGER PRIMARY KEY,
    server INTEGER NOT NULL REFERENCES security_servers (id),
    cert   BLOB NOT NULL UNIQUE        -- DER
) STRICT;
CREATE INDEX auth_certs_server ON auth_certs (server);

CREATE TABLE requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT NOT NULL CHECK (service IN
                    ('clientReg', 'clientDeletion', 'authCertReg', 'authCertDeletion', 'ownerChange')),
    server      TEXT NOT NULL,
    client      TEXT,                  -- client, or the new owner of ownerChange
    auth_cert   BLOB,
    address     TEXT,
    status      TEXT NOT NULL CHECK (status IN
                    ('WAITING', 'SUBMITTED FOR APPROVAL', 'APPROVED', 'DECLINED', 'REVOKED')),
    message_id  TEXT NOT NULL CHECK (message_id <> ''),
    sender      TEXT NOT NULL,
    received_at INTEGER NOT NULL,      -- nanoseconds since the Unix epoch
    CHECK (CASE service
        WHEN 'authCertReg' THEN client IS NULL AND auth_cert IS NOT NULL
        WHEN 'authCertDeletion' THEN client IS NULL AND auth_cert IS NOT NULL AND address IS NULL
        ELSE client IS NOT NULL AND auth_cert IS NULL AND address IS NULL
    END),
    UNIQUE (sender, message_id)
) STRICT;
CREATE INDEX requests_pending_by_client ON requests (service, server, client)
    WHERE status IN ('SUBMITTED FOR APPROVAL', 'WAITING');
CREATE INDEX requests_pending_by_cert ON requests (service, auth_cert)
    WHERE status IN ('SUBMITTED FOR APPROVAL', 'WAITING');

CREATE TABLE message_log (
    request                      INTEGER PRIMARY KEY REFERENCES requests (id),
    soap                         BLOB NOT NULL,
    signature_algorithm          TEXT,
    signature                    BLOB,
    auth_key_signature_algorithm TEXT,
    auth_key_signature           BLOB,
    auth_certificate             BLOB,
    signing_certificate          BLOB,
    ocsp_response                BLOB,
    response                     BLOB NOT NULL,
    CHECK ((signature_algorithm IS NULL) = (signature IS NULL)),
    CHECK ((auth_key_signature_algorithm IS NULL) = (auth_key_signature IS NULL))
) STRICT;
";

/// Opens the writing connection: creates the file if needed, sets WAL, `synchronous = FULL`,
/// foreign keys and the busy timeout, and migrates the schema to [`SCHEMA_VERSION`].
pub(super) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path).map_err(open_error(path, "opening the file"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(open_error(path, "setting the busy timeout"))?;
    // Refuse a database from a newer program before changing anything in it.
    known_version(&conn, path)?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
        .map_err(open_error(path, "setting journal_mode = WAL"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::JournalMode {
            path: path.to_owned(),
            found: mode,
        });
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(open_error(path, "setting synchronous = FULL"))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(open_error(path, "enabling foreign keys"))?;
    // Room for every statement the writer runs (requests, rules and transaction control,
    // about two dozen), so that none is evicted and prepared again.
    conn.set_prepared_statement_cache_capacity(WRITER_STATEMENT_CACHE);
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Opens a read-only connection to a database [`open_writer`] has prepared.
pub(super) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(open_error(path, "opening the reading connection"))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(open_error(path, "setting the busy timeout"))?;
    conn.pragma_update(None, "query_only", true)
        .map_err(open_error(path, "making the reading connection read-only"))?;
    Ok(conn)
}

/// The number of migrations the database has had, from its `user_version`; an error if the
/// version is not one this program knows.
fn known_version(conn: &Connection, path: &Path) -> Result<usize, StoreError> {
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(open_error(path, "reading the schema version"))?;
    usize::try_from(found)
        .ok()
        .filter(|&applied| applied <= MIGRATIONS.len())
        .ok_or_else(|| StoreError::SchemaVersion {
            path: path.to_owned(),
            found,
            known: SCHEMA_VERSION,
        })
}

/// Wraps a SQLite error met while opening `path`.
fn open_error<'a>(
    path: &'a Path,
    step: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Open {
        path: path.to_owned(),
        step,
        source,
    }
}

/// Applies the migrations the database lacks, all in one transaction.
fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(open_error(path, "starting the migration transaction"))?;
    let applied = known_version(&tx, path)?;
    if applied == MIGRATIONS.len() {
        return Ok(());
    }
    for (version, sql) in (1..).zip(MIGRATIONS).skip(applied) {
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration { version, source })?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(open_error(path, "writing the schema version"))?;
    tx.commit()
        .map_err(open_error(path, "committing the migrations"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_file_gets_every_migration_and_durable_settings() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_writer(&dir.path().join("new.db")).unwrap();
        assert_eq!(user_version(&conn), SCHEMA_VERSION);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let synchronous: i64 = conn
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap();
        assert_eq!(synchronous, 2, "2 is FULL");
        let foreign_keys: bool = conn
            .pragma_query_value(None, "foreign_keys", |row| row.get(0))
            .unwrap();
        assert!(foreign_keys);
    }

    #[test]
    fn reopening_does_not_run_migrations_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("twice.db");
        drop(open_writer(&path).unwrap());
        // A second run of V1 would fail on CREATE TABLE of an existing table.
        let conn = open_writer(&path).unwrap();
        assert_eq!(user_version(&conn), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_or_negative_version_is_refused_and_left_alone() {
        for version in [SCHEMA_VERSION + 1, -1] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("future.db");
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", version).unwrap();
            drop(conn);
            match open_writer(&path) {
                Err(StoreError::SchemaVersion { found, known, .. }) => {
                    assert_eq!((found, known), (version, SCHEMA_VERSION));
                }
                other => panic!("expected a schema version error, got {other:?}"),
            }
            let conn = Connection::open(&path).unwrap();
            assert_eq!(user_version(&conn), version);
            let mode: String = conn
                .pragma_query_value(None, "journal_mode", |row| row.get(0))
                .unwrap();
            assert_eq!(mode, "delete", "journal mode unchanged");
            let tables: i64 = conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
                .unwrap();
            assert_eq!(tables, 0);
        }
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("text.db");
        std::fs::write(&path, vec![b'x'; 4096]).unwrap();
        assert!(matches!(open_writer(&path), Err(StoreError::Open { .. })));
    }

    #[test]
    fn the_reader_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.db");
        let _writer = open_writer(&path).unwrap();
        let reader = open_reader(&path).unwrap();
        let refused = reader.execute("DELETE FROM requests", []);
        assert!(refused.is_err());
    }
}

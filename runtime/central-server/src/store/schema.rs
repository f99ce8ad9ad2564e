//! The database schema, its migrations and the connection settings.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::error::StoreError;

/// Schema version of a database this program created or migrated (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a connection waits for a lock held by another connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements the writing connection keeps.
const WRITER_STATEMENT_CACHE: usize = 64;

/// Migrations in order: entry `n` takes the schema from version `n` to `n + 1`.
const MIGRATIONS: &[Migration] = &[
    Migration {
        sql: V1,
        check: None,
        before: None,
        after: None,
    },
    Migration {
        sql: V2,
        check: Some(v1_rows_fit_v2),
        before: None,
        after: None,
    },
    Migration {
        sql: V3,
        check: None,
        before: Some(v3::hash_responses),
        after: Some(v3::chain_the_log),
    },
];

/// One step of the schema.
struct Migration {
    /// The statements, run in the migration transaction.
    sql: &'static str,
    /// Runs first, in the same transaction: refuses data the statements cannot carry over.
    check: Option<DataCheck>,
    /// Runs before the statements: prepares what they need that SQL cannot compute.
    before: Option<DataCheck>,
    /// Runs after the statements: fills in what SQL cannot compute.
    after: Option<DataCheck>,
}

/// A check of the data before a migration; an error leaves the database as it was.
type DataCheck = fn(&Connection) -> Result<(), StoreError>;

/// Version 1: requests, message log, security servers, their clients and auth certificates.
pub(super) const V1: &str = "
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

/// Version 2: the services of PR-MSERV 1.20 and the message log as MIME parts.
///
/// - `requests` gets the new services, `subsystem_name` (clientReg, clientRename) and
///   `message` (maintenanceModeEnable), and a check that each service has exactly its
///   fields (`fields_of_service`). SQLite cannot change a check, so the table is rebuilt,
///   keeping every id and the `AUTOINCREMENT` counter (ids are never reused).
/// - `message_log` keeps the SOAP part and the response; the parts after the SOAP part go
///   to `message_attachments`, one row per part, numbered as MIME parts (the SOAP part is
///   0). The named columns of version 1 are converted by service: clientReg and
///   ownerChange carry signature, signing certificate, OCSP response; authCertReg carries
///   auth key signature, owner signature, auth certificate, signing certificate, OCSP
///   response; the deletions carry none.
/// - The registry gets maintenance mode per server, enabled per client, and subsystem
///   names (a name belongs to the subsystem, whichever servers it is a client of).
const V2: &str = "
ALTER TABLE security_servers ADD COLUMN maintenance_mode INTEGER NOT NULL DEFAULT 0
    CHECK (maintenance_mode IN (0, 1));
ALTER TABLE security_servers ADD COLUMN maintenance_message TEXT
    CHECK (maintenance_message IS NULL OR maintenance_mode = 1);
ALTER TABLE server_clients ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1
    CHECK (enabled IN (0, 1));

CREATE TABLE subsystems (
    subsystem TEXT PRIMARY KEY,        -- SUBSYSTEM:instance/class/member/subsystem
    name      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE requests_v2 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    service        TEXT NOT NULL CHECK (service IN
                       ('clientReg', 'clientDeletion', 'authCertReg', 'authCertDeletion',
                        'ownerChange', 'addressChange', 'clientDisable', 'clientEnable',
                        'clientRename', 'maintenanceModeEnable', 'maintenanceModeDisable')),
    server         TEXT NOT NULL,
    client         TEXT,               -- the client, or the new owner of ownerChange
    auth_cert      BLOB,               -- authCertReg, authCertDeletion
    address        TEXT,               -- authCertReg, addressChange
    subsystem_name TEXT,               -- clientReg (optional), clientRename
    message        TEXT,               -- maintenanceModeEnable (optional)
    status         TEXT NOT NULL CHECK (status IN
                       ('WAITING', 'SUBMITTED FOR APPROVAL', 'APPROVED', 'DECLINED', 'REVOKED')),
    message_id     TEXT NOT NULL CHECK (message_id <> ''),
    sender         TEXT NOT NULL,
    received_at    INTEGER NOT NULL,   -- nanoseconds since the Unix epoch
    CONSTRAINT fields_of_service CHECK (CASE
        WHEN service IN ('clientDeletion', 'clientDisable', 'clientEnable', 'ownerChange')
            THEN client IS NOT NULL AND auth_cert IS NULL AND address IS NULL
                 AND subsystem_name IS NULL AND message IS NULL
        WHEN service = 'clientReg'
            THEN client IS NOT NULL AND auth_cert IS NULL AND address IS NULL AND message IS NULL
        WHEN service = 'clientRename'
            THEN client IS NOT NULL AND subsystem_name IS NOT NULL AND auth_cert IS NULL
                 AND address IS NULL AND message IS NULL
        WHEN service = 'authCertReg'
            THEN auth_cert IS NOT NULL AND address IS NOT NULL AND client IS NULL
                 AND subsystem_name IS NULL AND message IS NULL
        WHEN service = 'authCertDeletion'
            THEN auth_cert IS NOT NULL AND client IS NULL AND address IS NULL
                 AND subsystem_name IS NULL AND message IS NULL
        WHEN service = 'addressChange'
            THEN address IS NOT NULL AND client IS NULL AND auth_cert IS NULL
                 AND subsystem_name IS NULL AND message IS NULL
        WHEN service = 'maintenanceModeEnable'
            THEN client IS NULL AND auth_cert IS NULL AND address IS NULL AND subsystem_name IS NULL
        ELSE client IS NULL AND auth_cert IS NULL AND address IS NULL AND subsystem_name IS NULL
             AND message IS NULL
    END),
    UNIQUE (sender, message_id)
) STRICT;
INSERT INTO requests_v2
    (id, service, server, client, auth_cert, address, status, message_id, sender, received_at)
SELECT id, service, server, client, auth_cert, address, status, message_id, sender, received_at
FROM requests;
DELETE FROM sqlite_sequence WHERE name = 'requests_v2';
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'requests_v2', seq FROM sqlite_sequence WHERE name = 'requests';

CREATE TABLE message_log_v2 (
    request  INTEGER PRIMARY KEY REFERENCES requests_v2 (id),
    soap     BLOB NOT NULL,            -- MIME part 0, byte for byte
    response BLOB NOT NULL
) STRICT;
INSERT INTO message_log_v2 (request, soap, response)
    SELECT request, soap, response FROM message_log;

CREATE TABLE message_attachments (
    request                INTEGER NOT NULL REFERENCES message_log_v2 (request),
    position               INTEGER NOT NULL CHECK (position >= 1), -- MIME part number
    signature_algorithm_id TEXT,       -- signature parts only
    body                   BLOB NOT NULL,
    PRIMARY KEY (request, position)
) STRICT;
INSERT INTO message_attachments (request, position, signature_algorithm_id, body)
    SELECT m.request, 1, m.signature_algorithm, m.signature
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service IN ('clientReg', 'ownerChange')
    UNION ALL
    SELECT m.request, 2, NULL, m.signing_certificate
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service IN ('clientReg', 'ownerChange')
    UNION ALL
    SELECT m.request, 3, NULL, m.ocsp_response
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service IN ('clientReg', 'ownerChange')
    UNION ALL
    SELECT m.request, 1, m.auth_key_signature_algorithm, m.auth_key_signature
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service = 'authCertReg'
    UNION ALL
    SELECT m.request, 2, m.signature_algorithm, m.signature
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service = 'authCertReg'
    UNION ALL
    SELECT m.request, 3, NULL, m.auth_certificate
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service = 'authCertReg'
    UNION ALL
    SELECT m.request, 4, NULL, m.signing_certificate
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service = 'authCertReg'
    UNION ALL
    SELECT m.request, 5, NULL, m.ocsp_response
    FROM message_log AS m JOIN requests AS r ON r.id = m.request
    WHERE r.service = 'authCertReg';

DROP TABLE message_log;
DROP TABLE requests;
ALTER TABLE requests_v2 RENAME TO requests;
ALTER TABLE message_log_v2 RENAME TO message_log;
CREATE INDEX requests_pending_by_client ON requests (service, server, client)
    WHERE status IN ('SUBMITTED FOR APPROVAL', 'WAITING');
CREATE INDEX requests_pending_by_cert ON requests (service, auth_cert)
    WHERE status IN ('SUBMITTED FOR APPROVAL', 'WAITING');
";

/// Version 3: a tamper-evident message log, each byte stored once, and a daily budget.
///
/// - `message_log` keeps the SHA-256 hash of the response instead of the response, which
///   repeats the request and is built again from it (`response_sha256`, filled in by
///   [`v3::hash_responses`]), and where the request came from: the TCP peer and the hash of
///   the TLS client certificate.
/// - `log_chain`: the hash chain over every request received, every decision and every
///   checkpoint (see `chain`); [`v3::chain_the_log`] chains the requests already stored, in
///   id order with their status at the migration, and ends with a checkpoint of the
///   registry then, from which the registry is derived again (when requests of version 2
///   were approved was not recorded).
/// - `checkpoints` and `checkpoint_*`: the registry as it stood after a chain entry.
/// - `daily_usage`: bytes stored per security server and UTC day, for the daily limit.
const V3: &str = "
ALTER TABLE message_log ADD COLUMN response_sha256 BLOB
    CHECK (response_sha256 IS NULL OR length(response_sha256) = 32);
UPDATE message_log SET response_sha256 =
    (SELECT digest FROM temp.v3_response_digests WHERE request = message_log.request);
DROP TABLE temp.v3_response_digests;
ALTER TABLE message_log DROP COLUMN response;
ALTER TABLE message_log ADD COLUMN peer TEXT;               -- address:port
ALTER TABLE message_log ADD COLUMN tls_client_cert_sha256 BLOB
    CHECK (tls_client_cert_sha256 IS NULL OR length(tls_client_cert_sha256) = 32);

CREATE TABLE log_chain (
    position INTEGER PRIMARY KEY CHECK (position >= 1),
    kind     TEXT NOT NULL CHECK (kind IN ('received', 'decided', 'checkpoint')),
    request  INTEGER REFERENCES requests (id),
    status   TEXT CHECK (status IN
                 ('WAITING', 'SUBMITTED FOR APPROVAL', 'APPROVED', 'DECLINED', 'REVOKED')),
    at       INTEGER NOT NULL,         -- nanoseconds since the Unix epoch
    hash     BLOB NOT NULL CHECK (length(hash) = 32),
    CHECK ((kind = 'checkpoint') = (request IS NULL AND status IS NULL))
) STRICT;
CREATE UNIQUE INDEX log_chain_received ON log_chain (request) WHERE kind = 'received';

CREATE TABLE checkpoints (
    position     INTEGER PRIMARY KEY
                     REFERENCES log_chain (position) DEFERRABLE INITIALLY DEFERRED,
    as_of        INTEGER NOT NULL CHECK (as_of >= 0), -- the registry after this entry
    as_of_hash   BLOB NOT NULL CHECK (length(as_of_hash) = 32),
    last_request INTEGER NOT NULL,    -- highest request id received up to as_of
    reason       TEXT NOT NULL CHECK (reason IN ('migration', 'archive'))
) STRICT;
CREATE TABLE checkpoint_servers (
    checkpoint          INTEGER NOT NULL REFERENCES checkpoints (position),
    server_id           TEXT NOT NULL,
    owner               TEXT NOT NULL,
    address             TEXT,
    maintenance_mode    INTEGER NOT NULL CHECK (maintenance_mode IN (0, 1)),
    maintenance_message TEXT,
    PRIMARY KEY (checkpoint, server_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE checkpoint_certs (
    checkpoint INTEGER NOT NULL,
    server_id  TEXT NOT NULL,
    cert       BLOB NOT NULL,
    PRIMARY KEY (checkpoint, server_id, cert),
    FOREIGN KEY (checkpoint, server_id) REFERENCES checkpoint_servers (checkpoint, server_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE checkpoint_clients (
    checkpoint INTEGER NOT NULL,
    server_id  TEXT NOT NULL,
    client     TEXT NOT NULL,
    enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (checkpoint, server_id, client),
    FOREIGN KEY (checkpoint, server_id) REFERENCES checkpoint_servers (checkpoint, server_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE checkpoint_subsystems (
    checkpoint INTEGER NOT NULL REFERENCES checkpoints (position),
    subsystem  TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (checkpoint, subsystem)
) STRICT, WITHOUT ROWID;

CREATE TABLE daily_usage (
    server TEXT NOT NULL,              -- the security server the requests name
    day    INTEGER NOT NULL,           -- days since the Unix epoch, UTC
    bytes  INTEGER NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (server, day)
) STRICT, WITHOUT ROWID;
";

/// The data steps of version 3.
mod v3 {
    use rusqlite::Connection;

    use super::super::chain::{self, Kind};
    use super::super::error::StoreError;
    use super::super::{model::Status, snapshot};

    fn failed(source: rusqlite::Error) -> StoreError {
        StoreError::Migration { version: 3, source }
    }

    /// Hashes every stored response into `temp.v3_response_digests`, which the statements
    /// of version 3 copy into `message_log.response_sha256`.
    pub(super) fn hash_responses(conn: &Connection) -> Result<(), StoreError> {
        conn.execute_batch(
            "CREATE TEMP TABLE v3_response_digests (request INTEGER PRIMARY KEY, digest BLOB)",
        )
        .map_err(failed)?;
        let mut select = conn
            .prepare("SELECT request, response FROM message_log")
            .map_err(failed)?;
        let mut insert = conn
            .prepare("INSERT INTO temp.v3_response_digests (request, digest) VALUES (?1, ?2)")
            .map_err(failed)?;
        let mut rows = select.query([]).map_err(failed)?;
        while let Some(row) = rows.next().map_err(failed)? {
            let request: i64 = row.get(0).map_err(failed)?;
            let response: Vec<u8> = row.get(1).map_err(failed)?;
            let digest = openssl::sha::sha256(&response);
            insert
                .execute(rusqlite::params![request, &digest[..]])
                .map_err(failed)?;
        }
        Ok(())
    }

    /// Chains the requests stored before version 3, in id order with their status now and
    /// the time they were received, and appends a checkpoint of the registry as it is.
    pub(super) fn chain_the_log(conn: &Connection) -> Result<(), StoreError> {
        let stored: Vec<(i64, String, i64)> = conn
            .prepare("SELECT id, status, received_at FROM requests ORDER BY id")
            .and_then(|mut select| {
                select
                    .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
                    .and_then(Iterator::collect)
            })
            .map_err(failed)?;
        let mut last_request = 0;
        for (id, status, received_at) in stored {
            let status: Status = status.parse().map_err(|e| StoreError::Corrupt {
                table: "requests",
                column: "status",
                row: id,
                source: Box::new(e),
            })?;
            chain::append(
                conn.into(),
                Kind::Received,
                Some(id),
                Some(status),
                received_at,
            )?;
            last_request = id;
        }
        if last_request == 0 {
            // A new database: the chain starts from the empty registry.
            return Ok(());
        }
        let (as_of, as_of_hash) = chain::head(conn.into())?;
        let at = super::super::model::to_unix_nanos(std::time::SystemTime::now())
            .ok_or(StoreError::TimeOutOfRange)?;
        let position = as_of + 1;
        conn.execute(
            "INSERT INTO checkpoints (position, as_of, as_of_hash, last_request, reason)
             VALUES (?1, ?2, ?3, ?4, 'migration')",
            rusqlite::params![position, as_of, &as_of_hash[..], last_request],
        )
        .map_err(failed)?;
        snapshot::write_checkpoint(conn.into(), position, &snapshot::read_live(conn.into())?)?;
        chain::append(conn.into(), Kind::Checkpoint, None, None, at)?;
        Ok(())
    }
}

/// Version 1 requests that version 2 cannot hold: an authCertReg without an address, or a
/// message log whose parts are not those of its service (the server never stored either;
/// the store's API of version 1 allowed them).
const V1_MISFITS: &str = "
SELECT r.id, r.service,
    CASE
        WHEN r.service = 'authCertReg' AND r.address IS NULL
            THEN 'an authCertReg without an address'
        ELSE 'its message log does not have the parts of its service'
    END
FROM requests AS r LEFT JOIN message_log AS m ON m.request = r.id
WHERE (r.service = 'authCertReg' AND r.address IS NULL)
   OR (m.request IS NOT NULL AND NOT CASE
        WHEN r.service IN ('clientReg', 'ownerChange')
            THEN m.signature IS NOT NULL AND m.signing_certificate IS NOT NULL
                 AND m.ocsp_response IS NOT NULL AND m.auth_key_signature IS NULL
                 AND m.auth_certificate IS NULL
        WHEN r.service = 'authCertReg'
            THEN m.signature IS NOT NULL AND m.signing_certificate IS NOT NULL
                 AND m.ocsp_response IS NOT NULL AND m.auth_key_signature IS NOT NULL
                 AND m.auth_certificate IS NOT NULL
        ELSE m.signature IS NULL AND m.signing_certificate IS NULL AND m.ocsp_response IS NULL
             AND m.auth_key_signature IS NULL AND m.auth_certificate IS NULL
    END)
ORDER BY r.id
LIMIT 1";

/// Refuses to migrate a version 1 database holding a request that version 2 cannot hold,
/// naming the first one.
fn v1_rows_fit_v2(conn: &Connection) -> Result<(), StoreError> {
    let misfit: Option<(i64, String, String)> = conn
        .query_row(V1_MISFITS, [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()
        .map_err(|source| StoreError::Migration { version: 2, source })?;
    match misfit {
        Some((request, service, problem)) => Err(StoreError::Unmigratable {
            version: 2,
            request,
            problem: format!("{service} request: {problem}"),
        }),
        None => Ok(()),
    }
}

/// Opens the writing connection: creates the file if needed, sets WAL, `synchronous = FULL`,
/// foreign keys and the busy timeout, and migrates the schema to [`SCHEMA_VERSION`].
pub(super) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    create_private(path)?;
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
    // about thirty), so that none is evicted and prepared again.
    conn.set_prepared_statement_cache_capacity(WRITER_STATEMENT_CACHE);
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Creates the database file, if there is none, readable and writable by its owner only
/// (0600 on Unix): SQLite gives its write-ahead log and shared-memory file the mode of the
/// database file, so they are 0600 too. An existing file keeps its mode.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Create {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Creates the archive file `path` (it must not exist; 0600 on Unix) with the current schema:
/// a rollback journal rather than a write-ahead log, so that the archive is one file once
/// written, `synchronous = FULL` and foreign keys.
pub(super) fn create_archive(path: &Path) -> Result<Connection, StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            StoreError::ArchiveExists {
                path: path.to_owned(),
            }
        } else {
            StoreError::Create {
                path: path.to_owned(),
                source,
            }
        }
    })?;
    let opened = (|| {
        let mut conn = Connection::open(path).map_err(open_error(path, "opening the archive"))?;
        conn.pragma_update(None, "journal_mode", "DELETE")
            .map_err(open_error(path, "setting journal_mode = DELETE"))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_error(path, "setting synchronous = FULL"))?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_error(path, "enabling foreign keys"))?;
        migrate(&mut conn, path)?;
        Ok(conn)
    })();
    if opened.is_err() {
        let _ = std::fs::remove_file(path);
    }
    opened
}

/// An in-memory database with the current schema: where the audit derives the registry
/// again.
pub(super) fn open_memory(name: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open_in_memory().map_err(open_error(name, "opening"))?;
    migrate(&mut conn, name)?;
    Ok(conn)
}

/// A reading connection of its own, for a long audit that should not hold the store's.
pub(super) fn open_auditor(path: &Path) -> Result<Connection, StoreError> {
    open_reader(path)
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
    for (version, migration) in (1..).zip(MIGRATIONS).skip(applied) {
        for step in [migration.check, migration.before].into_iter().flatten() {
            step(&tx)?;
        }
        tx.execute_batch(migration.sql)
            .map_err(|source| StoreError::Migration { version, source })?;
        if let Some(after) = migration.after {
            after(&tx)?;
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(open_error(path, "writing the schema version"))?;
    tx.commit()
        .map_err(open_error(path, "committing the migrations"))
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use bytes::Bytes;
    use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
    use xroad_runtime::message::{Attachment, Parts};

    use super::*;
    use crate::store::{ClientRecord, ManagementRequest, NewRequest, RequestFilter, Status, Store};

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

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_log_are_created_for_their_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("private.db");
        let conn = open_writer(&path).unwrap();
        conn.execute_batch("CREATE TABLE t (v); INSERT INTO t VALUES (1);")
            .unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let file = dir.path().join(format!("private.db{suffix}"));
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }

    #[test]
    fn reopening_does_not_run_migrations_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("twice.db");
        drop(open_writer(&path).unwrap());
        // A second run of a migration would fail on CREATE TABLE of an existing table.
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

    /// A version 1 database built by the version 1 SQL: one security server with a client
    /// and two certificates, and a request of each version 1 service with a full message
    /// log; request 7 was deleted, so the id counter is ahead of the rows.
    fn version_1_database(path: &Path) -> Connection {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO security_servers (id, server_id, owner, server_code, address)
                 VALUES (1, 'SERVER:EE/GOV/OWNER/SS1', 'MEMBER:EE/GOV/OWNER', 'SS1',
                         'ss1.example.org');
             INSERT INTO server_clients (server, client)
                 VALUES (1, 'SUBSYSTEM:EE/COM/C/sub');
             INSERT INTO auth_certs (server, cert) VALUES (1, x'3001'), (1, x'3002');
             INSERT INTO requests
                 (id, service, server, client, auth_cert, address, status, message_id,
                  sender, received_at)
             VALUES
                 (1, 'authCertReg', 'SERVER:EE/GOV/OWNER/SS1', NULL, x'3001',
                  'ss1.example.org', 'APPROVED', 'm1', 'MEMBER:EE/GOV/OWNER', 1),
                 (2, 'clientReg', 'SERVER:EE/GOV/OWNER/SS1', 'SUBSYSTEM:EE/COM/C/sub', NULL,
                  NULL, 'APPROVED', 'm2', 'MEMBER:EE/GOV/OWNER', 2),
                 (3, 'ownerChange', 'SERVER:EE/GOV/OWNER/SS1', 'MEMBER:EE/COM/NEW', NULL,
                  NULL, 'SUBMITTED FOR APPROVAL', 'm3', 'MEMBER:EE/GOV/OWNER', 3),
                 (4, 'clientDeletion', 'SERVER:EE/GOV/OWNER/SS1', 'SUBSYSTEM:EE/COM/C/old',
                  NULL, NULL, 'APPROVED', 'm4', 'MEMBER:EE/GOV/OWNER', 4),
                 (5, 'authCertDeletion', 'SERVER:EE/GOV/OWNER/SS1', NULL, x'3003', NULL,
                  'APPROVED', 'm5', 'MEMBER:EE/GOV/OWNER', 5),
                 (6, 'authCertReg', 'SERVER:EE/GOV/OWNER/SS1', NULL, x'3002',
                  'ss1.example.org', 'APPROVED', 'm6', 'MEMBER:EE/GOV/OWNER', 6),
                 (7, 'clientReg', 'SERVER:EE/GOV/OWNER/SS1', 'SUBSYSTEM:EE/COM/C/gone', NULL,
                  NULL, 'DECLINED', 'm7', 'MEMBER:EE/GOV/OWNER', 7);
             -- Text in a table without types first: the log's columns are STRICT blobs.
             CREATE TEMP TABLE log
                 (request, soap, signature_algorithm, signature, auth_key_signature_algorithm,
                  auth_key_signature, auth_certificate, signing_certificate, ocsp_response,
                  response);
             INSERT INTO log VALUES
                 (1, 'soap1', 'SHA512withRSA', 'owner-sig1', 'SHA256withRSA',
                  'auth-sig1', x'3001', 'cert1', 'ocsp1', 'response1'),
                 (2, 'soap2', 'SHA256withRSA', 'sig2', NULL, NULL, NULL, 'cert2',
                  'ocsp2', 'response2'),
                 (3, 'soap3', 'SHA384withRSA', 'sig3', NULL, NULL, NULL, 'cert3',
                  'ocsp3', 'response3'),
                 (4, 'soap4', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'response4'),
                 (5, 'soap5', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'response5'),
                 (6, 'soap6', 'SHA512withRSA', 'owner-sig6', 'SHA512withRSA',
                  'auth-sig6', x'3002', 'cert6', 'ocsp6', 'response6'),
                 (7, 'soap7', 'SHA256withRSA', 'sig7', NULL, NULL, NULL, 'cert7',
                  'ocsp7', 'response7');
             INSERT INTO message_log
                 SELECT request, CAST(soap AS BLOB), signature_algorithm,
                        CAST(signature AS BLOB), auth_key_signature_algorithm,
                        CAST(auth_key_signature AS BLOB), auth_certificate,
                        CAST(signing_certificate AS BLOB), CAST(ocsp_response AS BLOB),
                        CAST(response AS BLOB)
                 FROM log;
             DROP TABLE log;
             DELETE FROM message_log WHERE request = 7;
             DELETE FROM requests WHERE id = 7;",
        )
        .unwrap();
        conn
    }

    fn provider() -> XRoadClientIdentifierType {
        "SUBSYSTEM:EE/GOV/CENTRAL/management".parse().unwrap()
    }

    fn parts(soap: &str, attachments: &[(Option<&str>, &[u8])]) -> Parts {
        Parts {
            soap: Bytes::copy_from_slice(soap.as_bytes()),
            attachments: attachments
                .iter()
                .map(|(algorithm, body)| Attachment {
                    signature_algorithm_id: algorithm.map(str::to_owned),
                    body: Bytes::copy_from_slice(body),
                })
                .collect(),
        }
    }

    #[test]
    fn a_version_1_database_is_migrated_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        drop(version_1_database(&path));

        let store = Store::open(&path, provider()).unwrap();
        let conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn), SCHEMA_VERSION);
        store.integrity_check().unwrap();

        // The requests, as the typed requests of their services.
        let records = store.requests(&RequestFilter::default()).unwrap();
        let server: XRoadSecurityServerIdentifierType = "SERVER:EE/GOV/OWNER/SS1".parse().unwrap();
        let expected = [
            ManagementRequest::AuthCertReg {
                server: server.clone(),
                auth_cert: vec![0x30, 0x01],
                address: "ss1.example.org".to_owned(),
            },
            ManagementRequest::ClientReg {
                server: server.clone(),
                client: "SUBSYSTEM:EE/COM/C/sub".parse().unwrap(),
                subsystem_name: None,
            },
            ManagementRequest::OwnerChange {
                server: server.clone(),
                new_owner: "MEMBER:EE/COM/NEW".parse().unwrap(),
            },
            ManagementRequest::ClientDeletion {
                server: server.clone(),
                client: "SUBSYSTEM:EE/COM/C/old".parse().unwrap(),
            },
            ManagementRequest::AuthCertDeletion {
                server: server.clone(),
                auth_cert: vec![0x30, 0x03],
            },
            ManagementRequest::AuthCertReg {
                server: server.clone(),
                auth_cert: vec![0x30, 0x02],
                address: "ss1.example.org".to_owned(),
            },
        ];
        let found: Vec<_> = records.iter().map(|r| (r.id, r.request.clone())).collect();
        assert_eq!(found, (1..).zip(expected).collect::<Vec<_>>());
        assert_eq!(records[2].status, Status::SubmittedForApproval);
        assert_eq!(records[3].message_id, "m4");

        // The message logs, as the parts of their services in order.
        let log = |id| store.message_log(id).unwrap().unwrap();
        assert_eq!(
            log(1).parts,
            parts(
                "soap1",
                &[
                    (Some("SHA256withRSA"), b"auth-sig1"),
                    (Some("SHA512withRSA"), b"owner-sig1"),
                    (None, b"\x30\x01"),
                    (None, b"cert1"),
                    (None, b"ocsp1"),
                ]
            )
        );
        assert_eq!(log(1).response_sha256, openssl::sha::sha256(b"response1"));
        for (id, algorithm) in [(2, "SHA256withRSA"), (3, "SHA384withRSA")] {
            let sig = format!("sig{id}");
            let cert = format!("cert{id}");
            let ocsp = format!("ocsp{id}");
            assert_eq!(
                log(id).parts,
                parts(
                    &format!("soap{id}"),
                    &[
                        (Some(algorithm), sig.as_bytes()),
                        (None, cert.as_bytes()),
                        (None, ocsp.as_bytes()),
                    ]
                )
            );
        }
        for id in [4, 5] {
            assert_eq!(log(id).parts, parts(&format!("soap{id}"), &[]));
        }
        assert_eq!(log(6).parts.len(), 6);

        // The registry, with the new state at its defaults.
        let registry = store.registry().unwrap();
        assert_eq!(registry.len(), 1);
        assert_eq!(registry[0].maintenance, None);
        assert_eq!(registry[0].auth_certs, [vec![0x30, 0x01], vec![0x30, 0x02]]);
        assert_eq!(
            registry[0].clients,
            [ClientRecord {
                id: "SUBSYSTEM:EE/COM/C/sub".parse().unwrap(),
                enabled: true,
                subsystem_name: None,
            }]
        );

        // The id counter carried over: the deleted request's id is not handed out again.
        let next = store
            .submit(
                NewRequest {
                    request: ManagementRequest::MaintenanceModeEnable {
                        server,
                        message: None,
                    },
                    message_id: "m8".to_owned(),
                    sender: "MEMBER:EE/GOV/OWNER".parse().unwrap(),
                    received_at: SystemTime::UNIX_EPOCH,
                    log: Parts::soap("soap8"),
                    transport: Default::default(),
                },
                false,
                |_| b"response8".to_vec(),
            )
            .unwrap();
        assert_eq!(next.request_id(), 8);
        // The version 1 columns and tables of the rebuild are gone.
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            tables,
            [
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
                "security_servers",
                "server_clients",
                "sqlite_sequence",
                "subsystems"
            ]
        );
        // The chain holds the migrated requests and the registry then; the request deleted
        // before the migration is a gap the audit reports, and nothing else.
        let audit = store.audit().unwrap();
        let findings: Vec<String> = audit.findings.iter().map(ToString::to_string).collect();
        assert_eq!(findings, ["request 7 is missing: deleted"]);
        assert_eq!(audit.entries, 8, "six requests, the checkpoint, request 8");
    }

    /// A version 2 database: the version 1 fixture migrated to version 2 only.
    fn version_2_database(path: &Path) -> Connection {
        let conn = version_1_database(path);
        conn.execute_batch(&format!("BEGIN; {V2}; PRAGMA user_version = 2; COMMIT;"))
            .unwrap();
        conn
    }

    #[test]
    fn a_version_2_database_is_migrated_in_place_with_its_log_chained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let conn = version_2_database(&path);
        let registry_before = snapshot_of(&conn);
        drop(conn);

        let store = Store::open(&path, provider()).unwrap();
        assert_eq!(user_version(&Connection::open(&path).unwrap()), 3);
        // The responses are kept as their hashes; the registry is unchanged.
        for id in 1..=6 {
            let logged = store.message_log(id).unwrap().unwrap();
            let response = format!("response{id}");
            assert_eq!(
                logged.response_sha256,
                openssl::sha::sha256(response.as_bytes())
            );
            assert_eq!(
                (logged.peer, logged.client_certificate_sha256),
                (None, None)
            );
        }
        assert_eq!(
            snapshot_of(&Connection::open(&path).unwrap()),
            registry_before
        );
        // The pending owner change is declined after the migration: a decision chained
        // after the checkpoint, and the registry derived from the checkpoint matches.
        store.decline(3).unwrap();
        let findings: Vec<String> = store
            .audit()
            .unwrap()
            .findings
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(findings, Vec::<String>::new());
    }

    fn snapshot_of(conn: &Connection) -> super::super::snapshot::RegistryState {
        super::super::snapshot::read_live(conn.into()).unwrap()
    }

    #[test]
    fn a_version_2_database_that_cannot_be_chained_stays_at_version_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        let conn = version_2_database(&path);
        conn.execute_batch(
            "DELETE FROM message_attachments WHERE request = 2;
             DELETE FROM message_log WHERE request = 2;",
        )
        .unwrap();
        let before = super::super::dump::dump(&conn).unwrap();
        drop(conn);
        match Store::open(&path, provider()) {
            Err(StoreError::Corrupt {
                table: "log_chain", ..
            }) => {}
            other => panic!("expected a refused migration, got {other:?}"),
        }
        let conn = Connection::open(&path).unwrap();
        assert_eq!(user_version(&conn), 2);
        assert_eq!(super::super::dump::dump(&conn).unwrap(), before);
    }

    #[test]
    fn a_migrated_database_has_the_schema_of_a_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let schema = |path: &Path| -> Vec<(String, String)> {
            let conn = Connection::open(path).unwrap();
            conn.prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
                .unwrap()
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let migrated = dir.path().join("v1.db");
        drop(version_1_database(&migrated));
        drop(Store::open(&migrated, provider()).unwrap());
        let new = dir.path().join("new.db");
        drop(Store::open(&new, provider()).unwrap());
        assert_eq!(schema(&migrated), schema(&new));
    }

    #[test]
    fn version_1_rows_that_do_not_fit_leave_the_database_at_version_1() {
        let cases = [
            (
                "UPDATE message_log SET ocsp_response = NULL WHERE request = 2",
                "request 2: clientReg request: its message log does not have the parts of its \
                 service",
            ),
            (
                "UPDATE message_log SET signing_certificate = x'00' WHERE request = 4",
                "request 4: clientDeletion request: its message log does not have the parts of \
                 its service",
            ),
            (
                "UPDATE requests SET address = NULL WHERE id = 6",
                "request 6: authCertReg request: an authCertReg without an address",
            ),
        ];
        for (damage, expected) in cases {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("v1.db");
            let conn = version_1_database(&path);
            conn.execute_batch(damage).unwrap();
            let before = super::super::dump::dump(&conn).unwrap();
            drop(conn);
            match Store::open(&path, provider()) {
                Err(error @ StoreError::Unmigratable { version: 2, .. }) => {
                    assert_eq!(
                        error.to_string(),
                        format!("cannot migrate to schema version 2: {expected}")
                    );
                }
                other => panic!("{damage}: expected a refused migration, got {other:?}"),
            }
            let conn = Connection::open(&path).unwrap();
            assert_eq!(user_version(&conn), 1);
            assert_eq!(super::super::dump::dump(&conn).unwrap(), before, "{damage}");
        }
    }
}

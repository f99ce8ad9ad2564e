//! The central server's store, in SQLite (embedded, the default) or PostgreSQL (several
//! nodes on one database): requests, their message log, and the registry.
//!
//! Every accepted management request becomes one durable record before its response is sent:
//! its id (`requestId`, never reused, also across restarts), the typed request
//! ([`ManagementRequest`]: the service and exactly its fields), status, the X-Road message id
//! and sender, and the message log — the MIME parts as received (SOAP part, signatures with
//! their algorithm ids, certificates, OCSP response) — with the exact response bytes. Next to
//! the requests the store keeps the registry: security servers with owner, address,
//! maintenance mode and authentication certificates, and their clients, enabled or
//! disabled, with the names of subsystems.
//!
//! Registrations (clientReg, authCertReg, ownerChange) are stored as `SUBMITTED FOR
//! APPROVAL` and change the registry when approved (or at once with auto-approve); every
//! other service is applied on receipt and stored as `APPROVED`. The business rules are
//! checked on receipt and again on approval; a refused request changes nothing. A request
//! repeating the sender, message id and SOAP part (byte for byte) of an earlier one gets the
//! earlier response; another request under a used message id is refused.
//!
//! Writes go to one writer thread that commits whatever is queued together (group commit,
//! one fsync per transaction, WAL with `synchronous = FULL` in SQLite); reads use their own
//! connection. Every method blocks, except [`Store::submit_async`], which async code awaits
//! without holding a thread while the commit is under way; the others belong in
//! `spawn_blocking` (the PostgreSQL client refuses to run on an async worker thread).
//!
//! Both databases run the same statements (`sql`): the rules, the message log and its hash
//! chain are one code. On PostgreSQL request ids come from one sequence shared by every
//! node, and every write transaction takes one advisory lock first, so that the nodes
//! append to one chain and check the rules against one registry.

mod archive;
mod audit;
mod blocking;
mod chain;
mod columns;
mod dump;
mod error;
mod model;
pub mod postgres;
mod queries;
mod requests;
mod rules;
mod schema;
mod snapshot;
mod sql;
mod usage;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

pub use archive::Archived;
pub use audit::{Audit, Finding};
pub use error::{RuleViolation, StoreError, TransactionStep};
pub use model::{
    Action, ClientRecord, LoggedMessage, MaintenanceMode, ManagementRequest, NewRequest,
    RequestFilter, RequestRecord, ServerRecord, Service, Status, Submitted, Transport,
    UnknownStatus,
};
pub use schema::SCHEMA_VERSION;
pub use snapshot::RegistryState;
pub use sql::DatabaseError;
pub use usage::StoreSettings;

use blocking::{off_async, on_blocking_pool};
use error::DbContext;
use postgres::{PostgresDatabase, PostgresPool};
use requests::Checked;
use sql::{Db, PgSession};
use writer::Writer;

/// Handle on the store; clones share it. The database closes when the last clone is dropped.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// What the clones of a [`Store`] share.
struct Inner {
    // Declared first so that it is dropped, and its thread joined, first.
    writer: Writer,
    /// Where reads go.
    backend: Backend,
    /// The management service provider, which the rules of clientDisable and
    /// maintenanceModeEnable protect.
    provider: Arc<XRoadClientIdentifierType>,
    /// The daily limit.
    settings: StoreSettings,
}

/// The database a store reads from (the writer thread has its own connection).
enum Backend {
    /// A SQLite file and the reading connection.
    Sqlite {
        /// The reading connection.
        reader: Mutex<Connection>,
        /// The database file.
        path: PathBuf,
    },
    /// A PostgreSQL database, shared with the other nodes.
    Postgres {
        /// Connections for reads, the audit and the archive.
        pool: PoolHandle,
    },
}

/// The store's handle on the PostgreSQL pool. The last handle closes the connections, which
/// the blocking client refuses to do on an async worker thread: a store dropped there (a
/// server stopping) closes them on a thread of its own.
struct PoolHandle(Option<PostgresPool>);

impl PoolHandle {
    /// A connection from the pool.
    fn session(&self) -> Result<PgSession, StoreError> {
        // `None` only while the handle is dropped.
        let pool = self.0.as_ref().ok_or(StoreError::WriterGone)?;
        pool.get()
            .map(PgSession::new)
            .map_err(DatabaseError::Pool)
            .during("taking a connection to PostgreSQL")
    }
}

impl Drop for PoolHandle {
    fn drop(&mut self) {
        if let Some(pool) = self.0.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            // If the thread cannot start, the pool is dropped here after all.
            let _ = std::thread::Builder::new()
                .name("xroad-store-close".to_owned())
                .spawn(move || drop(pool));
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `path`, creating it on first start and migrating its schema to
    /// [`SCHEMA_VERSION`] (all missing migrations in one transaction); refuses a database
    /// with a newer schema. `provider` is the management service provider of this central
    /// server (its subsystem identifier): its own client cannot be disabled, and a server
    /// that has it as a client cannot enter maintenance mode.
    pub fn open(
        path: impl AsRef<Path>,
        provider: XRoadClientIdentifierType,
    ) -> Result<Self, StoreError> {
        Self::open_with(path, provider, StoreSettings::default())
    }

    /// [`open`](Self::open) with `settings` (`[store]` of `central.toml`).
    pub fn open_with(
        path: impl AsRef<Path>,
        provider: XRoadClientIdentifierType,
        settings: StoreSettings,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let writer = Writer::spawn(schema::open_writer(path)?)?;
        let reader = Mutex::new(schema::open_reader(path)?);
        Ok(Self {
            inner: Arc::new(Inner {
                writer,
                backend: Backend::Sqlite {
                    reader,
                    path: path.to_owned(),
                },
                provider: Arc::new(provider),
                settings,
            }),
        })
    }

    /// Opens the store in the PostgreSQL database `db`, migrating its schema first (see
    /// [`postgres::migrate`]; a database of a newer program is refused), with a pool of up
    /// to `pool_size` connections. Several nodes may open the same database at once.
    pub fn open_postgres(
        db: &PostgresDatabase,
        pool_size: u32,
        provider: XRoadClientIdentifierType,
        settings: StoreSettings,
    ) -> Result<Self, StoreError> {
        let (pool, _) =
            off_async(|| postgres::open(db, pool_size)).map_err(StoreError::Postgres)?;
        let writer = Writer::spawn_postgres(pool.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                writer,
                backend: Backend::Postgres {
                    pool: PoolHandle(Some(pool)),
                },
                provider: Arc::new(provider),
                settings,
            }),
        })
    }

    /// Whether the store is in PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.inner.backend, Backend::Postgres { .. })
    }

    /// The management service provider the store was opened with.
    pub fn provider(&self) -> &XRoadClientIdentifierType {
        &self.inner.provider
    }

    /// Stores a received request, unless the sender already sent one with the same message
    /// id: then nothing is stored, and the first response is returned if the SOAP part is
    /// the same byte for byte ([`RuleViolation::MessageIdUsed`] otherwise).
    ///
    /// The request must pass the business rules; otherwise nothing changes. `respond` builds
    /// the response for the new request id; it is stored with the request, in the same
    /// transaction. It runs on the writer thread: it should be quick and must not write to
    /// the store ([`StoreError::Reentrant`]). With `auto_approve` a registration is applied
    /// and stored as `APPROVED` at once; every other service always is.
    pub fn submit<F>(
        &self,
        request: NewRequest,
        auto_approve: bool,
        respond: F,
    ) -> Result<Submitted, StoreError>
    where
        F: FnOnce(i64) -> Vec<u8> + Send + 'static,
    {
        let checked = Checked::new(request)?;
        let provider = Arc::clone(&self.inner.provider);
        let settings = self.inner.settings;
        self.inner.writer.run(move |db| {
            requests::submit(db, checked, &provider, &settings, auto_approve, respond)
        })
    }

    /// [`submit`](Self::submit) for async code: the same checks and the same durable
    /// record, but the task waits for the commit without holding a thread.
    pub async fn submit_async<F>(
        &self,
        request: NewRequest,
        auto_approve: bool,
        respond: F,
    ) -> Result<Submitted, StoreError>
    where
        F: FnOnce(i64) -> Vec<u8> + Send + 'static,
    {
        let checked = Checked::new(request)?;
        let provider = Arc::clone(&self.inner.provider);
        let settings = self.inner.settings;
        self.inner
            .writer
            .run_async(move |db| {
                requests::submit(db, checked, &provider, &settings, auto_approve, respond)
            })
            .await
    }

    /// Approves a pending request: checks the rules again, applies it to the registry and sets
    /// `APPROVED`.
    pub fn approve(&self, id: i64) -> Result<(), StoreError> {
        self.decide(id, Action::Approve)
    }

    /// Declines a pending request (`SUBMITTED FOR APPROVAL` or `WAITING`): sets `DECLINED`.
    pub fn decline(&self, id: i64) -> Result<(), StoreError> {
        self.decide(id, Action::Decline)
    }

    /// Revokes a request `SUBMITTED FOR APPROVAL`: sets `REVOKED`.
    pub fn revoke(&self, id: i64) -> Result<(), StoreError> {
        self.decide(id, Action::Revoke)
    }

    /// Takes `action` on request `id` in a write transaction.
    fn decide(&self, id: i64, action: Action) -> Result<(), StoreError> {
        let provider = Arc::clone(&self.inner.provider);
        self.inner
            .writer
            .run(move |db| requests::decide(db, id, action, &provider))
    }

    /// The requests `filter` selects, by increasing id.
    pub fn requests(&self, filter: &RequestFilter) -> Result<Vec<RequestRecord>, StoreError> {
        self.read(|db| queries::requests(db, filter))
    }

    /// The request with id `id`, if there is one.
    pub fn request(&self, id: i64) -> Result<Option<RequestRecord>, StoreError> {
        self.read(|db| queries::request(db, id))
    }

    /// The message log (the MIME parts as received, the hash of the response, where the
    /// request came from) of request `id`, if there is such a request.
    pub fn message_log(&self, id: i64) -> Result<Option<LoggedMessage>, StoreError> {
        self.read_consistently(|db| queries::message_log(db, id))
    }

    /// Every registered security server with its maintenance mode, authentication
    /// certificates and clients, sorted by identifier.
    pub fn registry(&self) -> Result<Vec<ServerRecord>, StoreError> {
        self.read_consistently(queries::registry)
    }

    /// Whether `cert` (DER) is a registered, hence approved, authentication certificate of
    /// `server`.
    pub fn is_auth_cert_of(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        cert: &[u8],
    ) -> Result<bool, StoreError> {
        self.read(|db| queries::is_auth_cert_of(db, server, cert))
    }

    /// [`is_auth_cert_of`](Self::is_auth_cert_of) for async code: in place on SQLite (one
    /// indexed read on the WAL reader, which never waits for the writer), on the blocking
    /// pool on PostgreSQL (a round trip with a blocking client).
    pub async fn is_auth_cert_of_async(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        cert: Vec<u8>,
    ) -> Result<bool, StoreError> {
        if !self.is_postgres() {
            return self.is_auth_cert_of(server, &cert);
        }
        let (store, server) = (self.clone(), server.clone());
        on_blocking_pool(move || store.is_auth_cert_of(&server, &cert))
            .await
            .ok_or(StoreError::Panicked)?
    }

    /// The highest stored request id; `None` while no request is stored.
    pub fn max_request_id(&self) -> Result<Option<i64>, StoreError> {
        self.read(queries::max_request_id)
    }

    /// Checks the message log as a whole: the hash chain over every request, decision and
    /// checkpoint, request ids without gaps, each status as the chain's decisions leave it,
    /// and the registry derived again from the log. Each request's content against its
    /// signed SOAP part is checked by `verify_log`, which knows the operations.
    pub fn audit(&self) -> Result<Audit, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite { path, .. } => {
                let mut conn = schema::open_auditor(path)?;
                let snapshot = conn.transaction().during("starting a read transaction")?;
                let audit = audit::audit_snapshot(Db::Sqlite(&snapshot))?;
                snapshot.finish().during("ending a read transaction")?;
                Ok(audit)
            }
            Backend::Postgres { .. } => self.read_consistently(audit::audit_snapshot),
        }
    }

    /// Moves the message log before `before` to the new SQLite file `file` and removes it
    /// from the live tables; the live log goes on from a checkpoint holding the hash of the
    /// last entry archived and the registry then, so that the chain verifies across the cut
    /// (see `archive`). Refused, with nothing changed, when the log does not verify, when
    /// `file` exists, or when nothing before `before` can be archived (every request up to
    /// the cut must be decided).
    pub fn archive(
        &self,
        before: std::time::SystemTime,
        file: impl AsRef<Path>,
    ) -> Result<Archived, StoreError> {
        let before = model::to_unix_nanos(before).ok_or(StoreError::TimeOutOfRange)?;
        let at =
            model::to_unix_nanos(std::time::SystemTime::now()).ok_or(StoreError::TimeOutOfRange)?;
        match &self.inner.backend {
            Backend::Sqlite { path, .. } => {
                let conn = schema::open_writer(path)?;
                archive::archive(Db::Sqlite(&conn), before, file.as_ref(), at)
            }
            Backend::Postgres { pool } => {
                let file = file.as_ref();
                off_async(|| {
                    let session = pool.session()?;
                    archive::archive(Db::Postgres(&session), before, file, at)
                })
            }
        }
    }

    /// The hash of the cut at chain position `as_of` as the checkpoint of an archive
    /// recorded it, if this log has such a checkpoint: an archive whose head is that
    /// position must have that hash.
    pub fn archive_cut(&self, as_of: i64) -> Result<Option<[u8; 32]>, StoreError> {
        self.read(|db| archive::recorded_cut(db, as_of))
    }

    /// Checks the database: on SQLite the file (`PRAGMA integrity_check`) and its foreign
    /// keys; on PostgreSQL, which checks every constraint on each write, that every row of
    /// every table can be read.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        match &self.inner.backend {
            Backend::Sqlite { reader, .. } => dump::integrity_check(&lock(reader)),
            Backend::Postgres { .. } => self.read_consistently(dump::dump_any).map(drop),
        }
    }

    /// A deterministic text dump of every table, all rows and columns, blobs in hex: equal
    /// content gives an equal dump.
    pub fn dump(&self) -> Result<String, StoreError> {
        self.read_consistently(dump::dump_any)
    }

    /// Runs `read` on a reading connection.
    fn read<T: Send>(
        &self,
        read: impl FnOnce(Db<'_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite { reader, .. } => read(Db::Sqlite(&lock(reader))),
            Backend::Postgres { pool } => off_async(|| read(Db::Postgres(&pool.session()?))),
        }
    }

    /// Runs several queries on one snapshot of the database.
    fn read_consistently<T: Send>(
        &self,
        read: impl FnOnce(Db<'_>) -> Result<T, StoreError> + Send,
    ) -> Result<T, StoreError> {
        match &self.inner.backend {
            Backend::Sqlite { reader, .. } => {
                let mut reader = lock(reader);
                let snapshot = reader.transaction().during("starting a read transaction")?;
                let value = read(Db::Sqlite(&snapshot))?;
                snapshot.finish().during("ending a read transaction")?;
                Ok(value)
            }
            Backend::Postgres { pool } => off_async(|| {
                let session = pool.session()?;
                let db = Db::Postgres(&session);
                db.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .during("starting a read transaction")?;
                let value = read(db);
                let end = if value.is_ok() { "COMMIT" } else { "ROLLBACK" };
                db.batch(end).during("ending a read transaction")?;
                value
            }),
        }
    }
}

/// The SQLite reading connection. It holds no state a panic could have broken, so a
/// poisoned lock is taken over.
fn lock(reader: &Mutex<Connection>) -> std::sync::MutexGuard<'_, Connection> {
    reader.lock().unwrap_or_else(PoisonError::into_inner)
}

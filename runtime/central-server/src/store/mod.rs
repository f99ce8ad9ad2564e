//! The central server's SQLite store: requests, their message log, and the registry.
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
//! one fsync per transaction, WAL with `synchronous = FULL`); reads use their own connection.
//! Every method blocks, except [`Store::submit_async`], which async code awaits without
//! holding a thread while the commit is under way. The short indexed reads
//! ([`Store::is_auth_cert_of`]) may be called from async code directly; the others belong
//! in `spawn_blocking`.

mod archive;
mod audit;
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
mod usage;
mod writer;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

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
pub use usage::StoreSettings;

use error::SqliteContext;
use requests::Checked;
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
    reader: Mutex<Connection>,
    /// The management service provider, which the rules of clientDisable and
    /// maintenanceModeEnable protect.
    provider: Arc<XRoadClientIdentifierType>,
    /// The daily limit.
    settings: StoreSettings,
    /// The database file.
    path: std::path::PathBuf,
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
                reader,
                provider: Arc::new(provider),
                settings,
                path: path.to_owned(),
            }),
        })
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
        self.inner.writer.run(move |conn| {
            requests::submit(conn, checked, &provider, &settings, auto_approve, respond)
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
            .run_async(move |conn| {
                requests::submit(conn, checked, &provider, &settings, auto_approve, respond)
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
            .run(move |conn| requests::decide(conn, id, action, &provider))
    }

    /// The requests `filter` selects, by increasing id.
    pub fn requests(&self, filter: &RequestFilter) -> Result<Vec<RequestRecord>, StoreError> {
        queries::requests(&self.reader(), filter)
    }

    /// The request with id `id`, if there is one.
    pub fn request(&self, id: i64) -> Result<Option<RequestRecord>, StoreError> {
        queries::request(&self.reader(), id)
    }

    /// The message log (the MIME parts as received, the hash of the response, where the
    /// request came from) of request `id`, if there is such a request.
    pub fn message_log(&self, id: i64) -> Result<Option<LoggedMessage>, StoreError> {
        self.read_consistently(|conn| queries::message_log(conn, id))
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
        queries::is_auth_cert_of(&self.reader(), server, cert)
    }

    /// The highest stored request id; `None` while no request is stored.
    pub fn max_request_id(&self) -> Result<Option<i64>, StoreError> {
        queries::max_request_id(&self.reader())
    }

    /// Checks the message log as a whole: the hash chain over every request, decision and
    /// checkpoint, request ids without gaps, each status as the chain's decisions leave it,
    /// and the registry derived again from the log. Each request's content against its
    /// signed SOAP part is checked by `verify_log`, which knows the operations.
    pub fn audit(&self) -> Result<Audit, StoreError> {
        let conn = schema::open_auditor(&self.inner.path)?;
        audit::audit(&conn)
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
        archive::archive(&self.inner.path, before, file.as_ref(), at)
    }

    /// The hash of the cut at chain position `as_of` as the checkpoint of an archive
    /// recorded it, if this log has such a checkpoint: an archive whose head is that
    /// position must have that hash.
    pub fn archive_cut(&self, as_of: i64) -> Result<Option<[u8; 32]>, StoreError> {
        let conn = schema::open_auditor(&self.inner.path)?;
        archive::recorded_cut(&conn, as_of)
    }

    /// Checks the database file (`PRAGMA integrity_check`) and its foreign keys.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        dump::integrity_check(&self.reader())
    }

    /// A deterministic text dump of every table, all rows and columns, blobs in hex: equal
    /// content gives an equal dump.
    pub fn dump(&self) -> Result<String, StoreError> {
        self.read_consistently(dump::dump)
    }

    /// The reading connection. It holds no state a panic could have broken, so a poisoned
    /// lock is taken over.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.inner
            .reader
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs several queries on one snapshot of the database.
    fn read_consistently<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut reader = self.reader();
        let snapshot = reader.transaction().during("starting a read transaction")?;
        let value = read(&snapshot)?;
        snapshot.finish().during("ending a read transaction")?;
        Ok(value)
    }
}

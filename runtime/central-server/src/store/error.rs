//! Why the store refused or failed an operation.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

use super::model::{Action, Service, Status};
use super::sql::DatabaseError;

/// A business rule of the central server that a request breaks. The server answers it with a
/// SOAP fault; the store is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleViolation {
    /// A request of the same service for the same thing is still pending (SUBMITTED FOR
    /// APPROVAL or WAITING).
    #[error("{service}: {} is already pending as request {pending}", pending_subject(.service, .server, .client.as_ref()))]
    AlreadyPending {
        /// Service of both requests.
        service: Service,
        /// Security server of the new request.
        server: XRoadSecurityServerIdentifierType,
        /// Client or new owner of the new request; `None` for auth certificate requests.
        client: Option<XRoadClientIdentifierType>,
        /// Id of the pending request.
        pending: i64,
    },
    /// The request names a security server that is not in the registry.
    #[error("{service}: unknown security server {server}")]
    UnknownServer {
        /// Service of the request.
        service: Service,
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
    },
    /// clientReg: the client is already registered on the security server.
    #[error("clientReg: client {client} is already registered on security server {server}")]
    ClientAlreadyRegistered {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// clientDeletion, clientDisable, clientEnable, clientRename: the client is not
    /// registered on the security server.
    #[error("{service}: client {client} is not registered on security server {server}")]
    ClientNotRegistered {
        /// Service of the request.
        service: Service,
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// authCertReg: the authentication certificate is already registered, to this server or
    /// to another one.
    #[error("{}", auth_cert_registered(.server, .registered_to))]
    AuthCertAlreadyRegistered {
        /// The security server of the request.
        server: XRoadSecurityServerIdentifierType,
        /// The security server the certificate is registered to.
        registered_to: XRoadSecurityServerIdentifierType,
    },
    /// authCertDeletion: the authentication certificate is not registered to the security
    /// server.
    #[error("{}", auth_cert_not_registered(.server, .registered_to.as_ref()))]
    AuthCertNotRegistered {
        /// The security server of the request.
        server: XRoadSecurityServerIdentifierType,
        /// The security server the certificate is registered to instead, if any.
        registered_to: Option<XRoadSecurityServerIdentifierType>,
    },
    /// ownerChange: the new owner is a subsystem; only a member can own a security server.
    #[error(
        "ownerChange: the new owner {new_owner} of security server {server} is not a member; \
         only a member can own a security server"
    )]
    NewOwnerNotAMember {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The new owner named in the request.
        new_owner: XRoadClientIdentifierType,
    },
    /// The sender already used the message id for a request whose SOAP part differs: only a
    /// byte-identical repeat of the SOAP part is a repeat.
    #[error(
        "message id {message_id} of sender {sender} was used by request {request} with other \
         content; only a byte-identical repeat of its SOAP part is answered as a repeat"
    )]
    MessageIdUsed {
        /// The sender.
        sender: XRoadClientIdentifierType,
        /// The message id (`xroad:id`).
        message_id: String,
        /// The request that used it.
        request: i64,
    },
    /// ownerChange: the new owner is not a client of the security server; as in the
    /// reference, only a registered client can become the owner.
    #[error(
        "ownerChange: the new owner {new_owner} is not a client of security server {server}; \
         register it as a client first"
    )]
    NewOwnerNotAClient {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The new owner named in the request.
        new_owner: XRoadClientIdentifierType,
    },
    /// clientReg: the client is the security server's owner, which is not one of its
    /// clients.
    #[error(
        "clientReg: {owner} owns security server {server} and cannot be registered as its client"
    )]
    CannotRegisterOwner {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// Its owner, named as the client.
        owner: XRoadClientIdentifierType,
    },
    /// ownerChange: the new owner already owns the security server.
    #[error("ownerChange: {owner} is already the owner of security server {server}")]
    AlreadyOwner {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// Its owner, named as the new owner.
        owner: XRoadClientIdentifierType,
    },
    /// ownerChange: with the new owner the security server would get the identifier of
    /// another registered security server.
    #[error(
        "ownerChange: security server {server} cannot become {taken}: \
         a security server with that identifier is already registered"
    )]
    ServerIdTaken {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The identifier it would get.
        taken: XRoadSecurityServerIdentifierType,
    },
    /// clientRename, or clientReg with a subsystem name: the client is a member, and only a
    /// subsystem has a name.
    #[error(
        "{service}: client {client} of security server {server} is not a subsystem; \
         only a subsystem's name can be set"
    )]
    NotASubsystem {
        /// Service of the request.
        service: Service,
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// clientRename: the new name is empty or only white space.
    #[error(
        "clientRename: the new name of subsystem {client} of security server {server} is blank"
    )]
    BlankSubsystemName {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The subsystem.
        client: XRoadClientIdentifierType,
    },
    /// clientDisable: the client is the management service provider's subsystem, which
    /// every security server needs to reach the management services.
    #[error(
        "clientDisable: client {client} of security server {server} is the management service \
         provider's subsystem and cannot be disabled"
    )]
    ProviderCannotBeDisabled {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client, the management service provider.
        client: XRoadClientIdentifierType,
    },
    /// maintenanceModeEnable: the security server has the management service provider's
    /// subsystem as a client, so it serves the management services.
    #[error(
        "maintenanceModeEnable: security server {server} has the management service provider's \
         subsystem {provider} as a client and cannot enter maintenance mode"
    )]
    ServerHostsProvider {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The management service provider.
        provider: XRoadClientIdentifierType,
    },
    /// maintenanceModeEnable: the security server is already in maintenance mode.
    #[error("maintenanceModeEnable: security server {server} is already in maintenance mode")]
    AlreadyInMaintenanceMode {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
    },
    /// maintenanceModeDisable: the security server is not in maintenance mode.
    #[error("maintenanceModeDisable: security server {server} is not in maintenance mode")]
    NotInMaintenanceMode {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
    },
}

/// What a pending duplicate is about, for [`RuleViolation::AlreadyPending`].
fn pending_subject(
    service: &Service,
    server: &XRoadSecurityServerIdentifierType,
    client: Option<&XRoadClientIdentifierType>,
) -> String {
    match (*service, client) {
        (Service::OwnerChange, Some(owner)) => {
            format!("an owner change of security server {server} to {owner}")
        }
        (_, Some(client)) => format!("a request for client {client} on security server {server}"),
        (_, None) => "a request for the same authentication certificate".to_owned(),
    }
}

/// Text of [`RuleViolation::AuthCertAlreadyRegistered`].
fn auth_cert_registered(
    server: &XRoadSecurityServerIdentifierType,
    registered_to: &XRoadSecurityServerIdentifierType,
) -> String {
    if server == registered_to {
        format!(
            "authCertReg: the authentication certificate is already registered to this \
             security server {server}"
        )
    } else {
        format!(
            "authCertReg: the authentication certificate is already registered to another \
             security server {registered_to}, not to {server}"
        )
    }
}

/// Text of [`RuleViolation::AuthCertNotRegistered`].
fn auth_cert_not_registered(
    server: &XRoadSecurityServerIdentifierType,
    registered_to: Option<&XRoadSecurityServerIdentifierType>,
) -> String {
    let base = format!(
        "authCertDeletion: the authentication certificate is not registered to security \
         server {server}"
    );
    match registered_to {
        Some(other) => format!("{base} (it is registered to {other})"),
        None => base,
    }
}

/// Which step of a write transaction failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStep {
    /// Starting the transaction.
    Begin,
    /// Starting or ending one operation's savepoint inside the transaction.
    Savepoint,
    /// Committing.
    Commit,
}

impl fmt::Display for TransactionStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Begin => "begin",
            Self::Savepoint => "savepoint",
            Self::Commit => "commit",
        })
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The request breaks a business rule.
    #[error(transparent)]
    Rule(Box<RuleViolation>),
    /// A field of the request that the store cannot hold.
    #[error("{service} request: {field} {problem}")]
    Malformed {
        /// Service of the request.
        service: Service,
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The request would take the bytes stored for its security server today (UTC) over
    /// the daily limit.
    #[error(
        "security server {server} has sent {stored} bytes of requests today (UTC); this \
         request of {size} bytes would go over the limit of {limit} bytes per server per day, \
         and is refused: send it again tomorrow, or ask the central server's operator"
    )]
    DailyLimit {
        /// The security server the request names.
        server: Box<XRoadSecurityServerIdentifierType>,
        /// Bytes stored for it today.
        stored: u64,
        /// Bytes of the request.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A repeated request's response, built again, is not the one sent the first time
    /// (the program or its settings changed since); it is not answered.
    #[error(
        "request {request_id} is repeated, but its response cannot be built again byte for \
         byte; the repeat is not answered"
    )]
    RepeatNotRebuilt {
        /// The first request.
        request_id: i64,
    },
    /// The time a request was received cannot be stored (not within 1677–2262).
    #[error("received_at is outside the range the store can hold (years 1677 to 2262)")]
    TimeOutOfRange,
    /// No request has this id.
    #[error("no request with id {0}")]
    UnknownRequest(i64),
    /// The request's status does not allow the action.
    #[error(
        "cannot {action} request {id}: its status is {status}, {action} needs {}",
        action.allowed_from().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")
    )]
    Transition {
        /// The request.
        id: i64,
        /// What was asked.
        action: Action,
        /// Its current status.
        status: Status,
    },
    /// The database file could not be created.
    #[error("cannot create the store at {}", path.display())]
    Create {
        /// The database file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or prepared.
    #[error("cannot open the store at {}: {step}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        step: &'static str,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database's schema version is not one this program knows.
    #[error(
        "cannot open the store at {}: schema version {found} is not one this program knows \
         (0 to {known})",
        path.display()
    )]
    SchemaVersion {
        /// The database file.
        path: PathBuf,
        /// Version found in `PRAGMA user_version`.
        found: i64,
        /// Newest version this program knows.
        known: i64,
    },
    /// The database refused to use write-ahead logging.
    #[error("cannot open the store at {}: journal mode is {found}, not wal", path.display())]
    JournalMode {
        /// The database file.
        path: PathBuf,
        /// Journal mode SQLite reported.
        found: String,
    },
    /// A migration failed; the database is left at its previous version.
    #[error("migration to schema version {version} failed")]
    Migration {
        /// Version the migration leads to.
        version: i64,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored request cannot be carried over to the new schema version; the database is
    /// left at its previous version.
    #[error("cannot migrate to schema version {version}: request {request}: {problem}")]
    Unmigratable {
        /// Version the migration leads to.
        version: i64,
        /// The request.
        request: i64,
        /// What does not fit.
        problem: String,
    },
    /// A statement failed.
    #[error("{operation}")]
    Database {
        /// What was being done.
        operation: &'static str,
        /// The database's error.
        #[source]
        source: DatabaseError,
    },
    /// The PostgreSQL database cannot be used.
    #[error("cannot open the store in PostgreSQL")]
    Postgres(#[source] super::postgres::PostgresError),
    /// The write transaction an operation ran in failed; the operation was not stored.
    #[error("write transaction failed at {step}")]
    Transaction {
        /// The failing step.
        step: TransactionStep,
        /// The database's error, shared by every operation of the transaction.
        #[source]
        source: Arc<DatabaseError>,
    },
    /// A stored value cannot be read back.
    #[error("stored {table}.{column} of row {row} is invalid")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// Row id (request id for requests).
        row: i64,
        /// What is wrong with it.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The message log does not verify, so it is not archived; nothing changed.
    #[error(
        "the message log does not verify ({changes} changes; the first: {first}); nothing \
         was archived: run verify-log to see every change"
    )]
    LogDoesNotVerify {
        /// How many changes the audit found.
        changes: usize,
        /// The first of them.
        first: String,
    },
    /// There is nothing to archive before the date; nothing changed.
    #[error("nothing to archive before that date: {reason}")]
    NothingToArchive {
        /// Why not.
        reason: &'static str,
    },
    /// The archive file exists already; it is not overwritten.
    #[error("the archive file {} exists already; choose a new file", path.display())]
    ArchiveExists {
        /// The file.
        path: PathBuf,
    },
    /// The archive could not be synced to disk; nothing left the live log.
    #[error("cannot sync the archive {} to disk", path.display())]
    ArchiveSync {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `PRAGMA integrity_check` or `PRAGMA foreign_key_check` reported problems.
    #[error("integrity check failed: {}", .0.join("; "))]
    Integrity(Vec<String>),
    /// Building the response panicked; the request was not stored.
    #[error("building the response panicked; the request was not stored")]
    ResponsePanicked,
    /// A store operation panicked; nothing it did was stored.
    #[error("a store operation panicked; nothing it did was stored")]
    Panicked,
    /// A write was started from inside another one (from `respond` of
    /// [`Store::submit`](super::Store::submit)); it would wait for itself forever.
    #[error("a store write was started from inside another one; it would wait for itself")]
    Reentrant,
    /// The writer thread could not be started.
    #[error("cannot start the store's writer thread")]
    WriterThread(#[source] std::io::Error),
    /// The writer thread has stopped; nothing more can be written.
    #[error("the store's writer thread has stopped")]
    WriterGone,
}

impl From<RuleViolation> for StoreError {
    fn from(violation: RuleViolation) -> Self {
        Self::Rule(Box::new(violation))
    }
}

/// Attaches what was being done to a database error.
pub(super) trait DbContext<T> {
    /// Wraps the error as [`StoreError::Database`] with `operation`.
    fn during(self, operation: &'static str) -> Result<T, StoreError>;
}

impl<T, E: Into<DatabaseError>> DbContext<T> for Result<T, E> {
    fn during(self, operation: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Database {
            operation,
            source: source.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No error of the store repeats its source's text: a chain reporter prints each cause
    /// once (`cannot open the store at …: opening: unable to open database file`).
    #[test]
    fn store_errors_do_not_repeat_their_source() {
        let io = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let sqlite = || rusqlite::Error::InvalidQuery;
        let path = PathBuf::from("central.db");
        let errors: Vec<StoreError> = vec![
            StoreError::Create {
                path: path.clone(),
                source: io(),
            },
            StoreError::Open {
                path: path.clone(),
                step: "opening",
                source: sqlite(),
            },
            StoreError::Migration {
                version: 2,
                source: sqlite(),
            },
            StoreError::Database {
                operation: "reading the registry",
                source: DatabaseError::Sqlite(sqlite()),
            },
            StoreError::ArchiveSync { path, source: io() },
            StoreError::WriterThread(io()),
        ];
        for error in errors {
            let source = std::error::Error::source(&error).expect("a source");
            let (text, cause) = (error.to_string(), source.to_string());
            assert!(!text.contains(&cause), "`{text}` repeats `{cause}`");
            let chain = xroad_runtime::fault::ErrorChain(&error).to_string();
            assert_eq!(chain, format!("{text}: {cause}"));
        }
    }

    fn server(text: &str) -> XRoadSecurityServerIdentifierType {
        text.parse().unwrap()
    }

    #[test]
    fn auth_cert_registered_says_whether_it_is_this_server() {
        let this = server("SERVER:EE/GOV/OWNER/SS1");
        let other = server("SERVER:EE/GOV/OTHER/SS9");
        let same = RuleViolation::AuthCertAlreadyRegistered {
            server: this.clone(),
            registered_to: this.clone(),
        }
        .to_string();
        assert!(
            same.contains("to this security server SERVER:EE/GOV/OWNER/SS1"),
            "{same}"
        );
        let elsewhere = RuleViolation::AuthCertAlreadyRegistered {
            server: this,
            registered_to: other,
        }
        .to_string();
        assert!(
            elsewhere.contains("another security server SERVER:EE/GOV/OTHER/SS9"),
            "{elsewhere}"
        );
    }

    #[test]
    fn transition_error_names_current_and_allowed_statuses() {
        let text = StoreError::Transition {
            id: 7,
            action: Action::Decline,
            status: Status::Approved,
        }
        .to_string();
        assert_eq!(
            text,
            "cannot decline request 7: its status is APPROVED, decline needs \
             SUBMITTED FOR APPROVAL or WAITING"
        );
    }
}

//! The PostgreSQL database of a central server run as several nodes: connection settings
//! (URL and TLS), the connection pool and the versioned schema.
//!
//! The client is the blocking `postgres` crate (rust-postgres) with an `r2d2` pool
//! (`r2d2_postgres`): the store's interface is blocking (one writer thread, readers in
//! `spawn_blocking`), so a blocking client keeps that shape; like every blocking call of the
//! store it must not run on an async worker thread. TLS goes through OpenSSL
//! (`postgres-openssl`), which the server already uses.
//!
//! The store runs the same statements here as on SQLite (see `store::sql`).

mod error;
mod pool;
mod schema;
mod settings;

use std::path::Path;
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod};
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;
use postgres_openssl::MakeTlsConnector;

pub use super::writer::CHAIN_LOCK;
pub use error::PostgresError;
pub use pool::{PgConnection, SessionManager};
pub use schema::{MIGRATION_LOCK, Migrated, POSTGRES_SCHEMA_VERSION, migrate};
pub use settings::{PostgresDatabase, PostgresTls};

/// How long connecting to the database may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The pool of connections to a migrated database.
pub type PostgresPool = r2d2::Pool<SessionManager>;

/// A connection taken from a [`PostgresPool`]; it goes back when dropped.
pub type PooledClient = r2d2::PooledConnection<SessionManager>;

/// Connects once to `db` (TLS as its `sslmode` says, the server verified against its CA
/// certificates).
pub fn connect(db: &PostgresDatabase) -> Result<postgres::Client, PostgresError> {
    settings_with_timeout(db)
        .connect(tls_connector(db)?)
        .map_err(|source| PostgresError::Connect {
            url: db.to_string(),
            source,
        })
}

/// Connects to `db`, migrates its schema to [`POSTGRES_SCHEMA_VERSION`] (see [`migrate`]),
/// then opens a pool of up to `size` connections.
pub fn open(db: &PostgresDatabase, size: u32) -> Result<(PostgresPool, Migrated), PostgresError> {
    let migrated = migrate(&mut connect(db)?)?;
    let manager = SessionManager::new(settings_with_timeout(db), tls_connector(db)?);
    // A connection is not tested when taken (a round trip per use): one the server closed
    // fails its first statement, is dropped from the pool, and the writer takes a new one
    // for its next transaction.
    let pool = r2d2::Pool::builder()
        .max_size(size.max(1))
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(CONNECT_TIMEOUT)
        .build(manager)
        .map_err(|source| PostgresError::Pool {
            url: db.to_string(),
            source,
        })?;
    Ok((pool, migrated))
}

fn settings_with_timeout(db: &PostgresDatabase) -> postgres::Config {
    let mut config = db.config().clone();
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    config
}

/// The TLS connector of `db`: verifies the server's certificate and host name against the
/// configured CA certificates only, or the system's when none are configured. It is not
/// used with `sslmode=disable`.
fn tls_connector(db: &PostgresDatabase) -> Result<MakeTlsConnector, PostgresError> {
    let tls = |source| PostgresError::Tls { source };
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(tls)?;
    if let Some(path) = db.ca_certificates() {
        let mut store = X509StoreBuilder::new().map_err(tls)?;
        for cert in read_ca_certificates(path)? {
            store.add_cert(cert).map_err(tls)?;
        }
        builder.set_verify_cert_store(store.build()).map_err(tls)?;
    }
    Ok(MakeTlsConnector::new(builder.build()))
}

fn read_ca_certificates(path: &Path) -> Result<Vec<X509>, PostgresError> {
    let pem = std::fs::read(path).map_err(|source| PostgresError::CaFile {
        path: path.to_owned(),
        source,
    })?;
    let certs = X509::stack_from_pem(&pem).map_err(|source| PostgresError::CaCertificates {
        path: path.to_owned(),
        source: Some(source),
    })?;
    if certs.is_empty() {
        return Err(PostgresError::CaCertificates {
            path: path.to_owned(),
            source: None,
        });
    }
    Ok(certs)
}

//! What can go wrong with the PostgreSQL database.

use std::path::PathBuf;

/// Why the PostgreSQL database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    /// `database` is not a PostgreSQL URL this program can use.
    #[error("the PostgreSQL URL {url} is not valid")]
    Url {
        /// The URL, its password hidden.
        url: String,
        /// What the URL parser found.
        #[source]
        source: postgres::Error,
    },
    /// The URL's `sslmode` and the CA certificates contradict each other.
    #[error("the PostgreSQL URL {url}: {reason}")]
    TlsSetting {
        /// The URL, its password hidden.
        url: String,
        /// What contradicts what.
        reason: &'static str,
    },
    /// The CA certificates for TLS to the database cannot be read.
    #[error("cannot read the CA certificates {} for TLS to the database", path.display())]
    CaFile {
        /// The PEM file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The CA certificates for TLS to the database are not usable PEM certificates.
    #[error("{}: no usable CA certificate for TLS to the database", path.display())]
    CaCertificates {
        /// The PEM file.
        path: PathBuf,
        /// What OpenSSL found, if it found anything wrong.
        #[source]
        source: Option<openssl::error::ErrorStack>,
    },
    /// OpenSSL could not set up TLS to the database.
    #[error("cannot set up TLS to the database")]
    Tls {
        /// The OpenSSL error.
        #[source]
        source: openssl::error::ErrorStack,
    },
    /// The database cannot be reached or refused the login.
    #[error("cannot connect to the PostgreSQL database {url}")]
    Connect {
        /// The URL, its password hidden.
        url: String,
        /// The connection error.
        #[source]
        source: postgres::Error,
    },
    /// The connection pool could not open its connections.
    #[error("cannot open the connection pool to the PostgreSQL database {url}")]
    Pool {
        /// The URL, its password hidden.
        url: String,
        /// The pool's error.
        #[source]
        source: r2d2::Error,
    },
    /// The database has a schema from a newer program; nothing was changed.
    #[error(
        "the PostgreSQL database has schema version {found}, newer than version {known} that \
         this central server knows; run a central server that knows version {found}"
    )]
    NewerSchema {
        /// The version recorded in `schema_migrations`.
        found: i32,
        /// The newest version this program knows.
        known: i32,
    },
    /// A step of the migration failed; the transaction is rolled back, so the database keeps
    /// its previous version.
    #[error("migrating the PostgreSQL schema: {step}")]
    Migrate {
        /// What was being done.
        step: &'static str,
        /// The database error.
        #[source]
        source: postgres::Error,
    },
    /// The statements of one migration failed; the database keeps its previous version.
    #[error("migrating the PostgreSQL schema to version {version} failed")]
    Migration {
        /// The version the migration leads to.
        version: i32,
        /// The database error.
        #[source]
        source: postgres::Error,
    },
}

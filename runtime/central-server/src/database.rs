//! `database` of `central.toml`: a SQLite file, or a PostgreSQL database named by its URL.

use std::path::{Path, PathBuf};

use crate::config::LoadedConfig;
use crate::config_file::ConfigError;
use xroad_mserv::identifiers::XRoadClientIdentifierType;

use crate::store::postgres::PostgresDatabase;
use crate::store::{Store, StoreError, StoreSettings};

/// Where the store is.
#[derive(Debug, Clone)]
pub enum Database {
    /// A SQLite file (created on first start), resolved against the configuration's folder.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`database = "postgres://…"`), with its TLS settings.
    Postgres(Box<PostgresDatabase>),
}

impl Database {
    /// The SQLite file of the store, if it is one.
    pub fn sqlite(&self) -> Option<&Path> {
        match self {
            Self::Sqlite(path) => Some(path),
            Self::Postgres(_) => None,
        }
    }

    /// Opens the store: the SQLite file (created on first start), or the PostgreSQL
    /// database with a pool of `settings.postgres_pool_size` connections. Either is migrated
    /// to this program's schema; a newer schema is refused. Blocks: async code calls it
    /// through `spawn_blocking`.
    pub fn open(
        &self,
        provider: XRoadClientIdentifierType,
        settings: StoreSettings,
    ) -> Result<Store, StoreError> {
        match self {
            Self::Sqlite(path) => Store::open_with(path, provider, settings),
            Self::Postgres(db) => {
                Store::open_postgres(db, settings.postgres_pool_size, provider, settings)
            }
        }
    }
}

impl LoadedConfig {
    /// `database`: a value starting with `postgres://` or `postgresql://` is a PostgreSQL
    /// URL (with `database_ca_certificates`, resolved against the configuration's folder, for
    /// TLS); anything else is the path of a SQLite file. `database_ca_certificates` with a
    /// SQLite file is refused.
    pub fn database(&self) -> Result<Database, ConfigError> {
        let ca = self.config.database_ca_certificates.as_deref();
        match self.config.database.to_str() {
            Some(url) if PostgresDatabase::is_url(url) => {
                if self.config.store.postgres_pool_size == 0 {
                    return Err(self.invalid(
                        "store.postgres_pool_size",
                        "must be at least 1: the writer needs a connection",
                    ));
                }
                PostgresDatabase::parse(url, ca.map(|file| self.resolve(file)))
                    .map(|db| Database::Postgres(Box::new(db)))
                    .map_err(|error| self.invalid("database", with_causes(&error)))
            }
            _ if ca.is_some() => Err(self.invalid(
                "database_ca_certificates",
                "CA certificates for TLS to the database need a PostgreSQL database \
                 (`database = \"postgres://…\"`); a SQLite file has no TLS",
            )),
            _ => Ok(Database::Sqlite(self.resolve(&self.config.database))),
        }
    }
}

/// The error's text and those of its causes, for a message that has room for one string.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(source) = cause {
        text.push_str(": ");
        text.push_str(&source.to_string());
        cause = source.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::PostgresTls;

    /// A `central.toml` in `/etc/xroad` with `database` lines `lines`.
    fn config(lines: &str) -> LoadedConfig {
        let text = format!(
            "instance = \"EE\"
management_service_provider = \"SUBSYSTEM:EE/GOV/CENTRAL/management\"
{lines}
[listen]
registration = \"127.0.0.1:4001\"
manage = \"127.0.0.1:4002\"
[tls]
certificate = \"tls.pem\"
key = \"tls.key\"
[trust]
ca_certificates = [\"ca.pem\"]
"
        );
        LoadedConfig::parse(Path::new("/etc/xroad/central.toml"), &text).unwrap()
    }

    #[test]
    fn a_path_is_a_sqlite_file_next_to_the_configuration() {
        let database = config("database = \"central.db\"").database().unwrap();
        assert!(
            matches!(&database, Database::Sqlite(path) if path == Path::new("/etc/xroad/central.db")),
            "{database:?}"
        );
        assert_eq!(
            database.sqlite().unwrap(),
            Path::new("/etc/xroad/central.db")
        );
        let absolute = config("database = \"/var/lib/xroad/central.db\"")
            .database()
            .unwrap();
        assert_eq!(
            absolute.sqlite().unwrap(),
            Path::new("/var/lib/xroad/central.db")
        );
    }

    #[test]
    fn a_url_is_a_postgresql_database_with_its_tls() {
        let database = config(
            "database = \"postgresql://central:secret@db.example:5433/xroad?sslmode=require\"
database_ca_certificates = \"db-ca.pem\"",
        )
        .database()
        .unwrap();
        let Database::Postgres(db) = &database else {
            panic!("{database:?}");
        };
        assert_eq!(db.tls(), PostgresTls::Require);
        assert_eq!(
            db.ca_certificates(),
            Some(Path::new("/etc/xroad/db-ca.pem"))
        );
        assert_eq!(db.config().get_dbname(), Some("xroad"));
        assert_eq!(db.config().get_ports(), [5433]);
        let plain = config("database = \"postgres://central@db.example/xroad?sslmode=disable\"")
            .database()
            .unwrap();
        assert!(
            matches!(&plain, Database::Postgres(db) if db.tls() == PostgresTls::Disable
                && db.ca_certificates().is_none()),
            "{plain:?}"
        );
    }

    #[test]
    fn a_pool_of_no_connections_is_refused() {
        let error = config(
            "database = \"postgres://central@db.example/xroad\"\n[store]\npostgres_pool_size = 0",
        )
        .database()
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("store.postgres_pool_size") && error.contains("must be at least 1"),
            "{error}"
        );
    }

    #[test]
    fn a_bad_url_is_refused_with_its_key_and_cause() {
        let error = config("database = \"postgres://central:secret@db.example:notaport/xroad\"")
            .database()
            .unwrap_err();
        let text = error.to_string();
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    key: "database",
                    ..
                }
            ) && text.contains("/etc/xroad/central.toml")
                && text.contains("port")
                && !text.contains("secret"),
            "{text}"
        );
    }

    #[test]
    fn ca_certificates_need_a_postgresql_database_with_tls() {
        let sqlite = config(
            "database = \"central.db\"
database_ca_certificates = \"db-ca.pem\"",
        )
        .database()
        .unwrap_err();
        assert!(
            matches!(
                sqlite,
                ConfigError::Invalid {
                    key: "database_ca_certificates",
                    ..
                }
            ),
            "{sqlite}"
        );
        let disabled = config(
            "database = \"postgres://db.example/xroad?sslmode=disable\"
database_ca_certificates = \"db-ca.pem\"",
        )
        .database()
        .unwrap_err();
        assert!(
            matches!(
                disabled,
                ConfigError::Invalid {
                    key: "database",
                    ..
                }
            ) && disabled.to_string().contains("sslmode=disable"),
            "{disabled}"
        );
    }
}

//! The connection pool: r2d2 over rust-postgres connections that keep their prepared
//! statements, so that a statement is prepared once per connection, not once per use.

use std::collections::HashMap;

use postgres::Statement;
use postgres_openssl::MakeTlsConnector;
use r2d2_postgres::PostgresConnectionManager;

/// A connection and the statements prepared on it, by their text as the store writes it.
pub struct PgConnection {
    /// The connection.
    pub client: postgres::Client,
    /// Its prepared statements.
    pub(in crate::store) statements: HashMap<String, Statement>,
}

/// Opens [`PgConnection`]s for the pool (r2d2_postgres's manager, with a statement cache).
pub struct SessionManager(PostgresConnectionManager<MakeTlsConnector>);

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager").finish_non_exhaustive()
    }
}

impl SessionManager {
    /// A manager connecting with `config` over `tls`.
    pub(super) fn new(config: postgres::Config, tls: MakeTlsConnector) -> Self {
        Self(PostgresConnectionManager::new(config, tls))
    }
}

impl r2d2::ManageConnection for SessionManager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        Ok(PgConnection {
            client: self.0.connect()?,
            statements: HashMap::new(),
        })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.client.is_closed()
    }
}

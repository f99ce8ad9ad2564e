//! One way to run the store's statements on either database: SQLite (embedded, the default)
//! or PostgreSQL (several nodes on one database).
//!
//! The business rules, the message log and its hash chain are written once against [`Db`]:
//! a connection of either kind, with the few calls they need (run a statement, read one row,
//! read every row). Statements are written in the SQL both databases accept, with numbered
//! parameters `?1`, `?2`, …, which become `$1`, `$2`, … for PostgreSQL. Values go in as
//! [`Value`] and come out through [`Row::get`], which reads the same Rust types from either
//! (PostgreSQL's `INTEGER` columns widen to `i64`, SQLite's 0/1 flags to `bool`).

mod row;
mod session;
mod value;

use rusqlite::Connection;

pub(super) use row::{Row, sqlite_values};
pub use session::PgSession;
pub(super) use value::Value;

/// Why a statement failed, in the words of the database that ran it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DatabaseError {
    /// SQLite refused or failed the statement.
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    /// PostgreSQL refused or failed the statement, or the connection to it failed.
    #[error(transparent)]
    Postgres(postgres::Error),
    /// No connection could be taken from the PostgreSQL pool in time.
    #[error("no connection to PostgreSQL is available")]
    Pool(#[source] r2d2::Error),
    /// A statement that always returns a row (`INSERT … RETURNING`) returned none.
    #[error("the statement returned no row")]
    NoRow,
}

impl From<rusqlite::Error> for DatabaseError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

impl From<postgres::Error> for DatabaseError {
    fn from(error: postgres::Error) -> Self {
        Self::Postgres(error)
    }
}

/// A connection, inside whatever transaction its owner has begun.
#[derive(Clone, Copy)]
pub(super) enum Db<'c> {
    /// A SQLite connection.
    Sqlite(&'c Connection),
    /// A PostgreSQL connection with its prepared statements.
    Postgres(&'c PgSession),
}

impl<'c> From<&'c Connection> for Db<'c> {
    fn from(conn: &'c Connection) -> Self {
        Self::Sqlite(conn)
    }
}

impl<'c> From<&'c PgSession> for Db<'c> {
    fn from(session: &'c PgSession) -> Self {
        Self::Postgres(session)
    }
}

impl Db<'_> {
    /// Runs a statement that returns no rows; the number of rows it changed.
    pub(super) fn execute(&self, sql: &str, params: &[Value<'_>]) -> Result<u64, DatabaseError> {
        match self {
            Self::Sqlite(conn) => {
                let changed = conn
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(params))?;
                Ok(changed as u64)
            }
            Self::Postgres(session) => session.execute(sql, params),
        }
    }

    /// The first row a query returns, read by `read`; `None` when it returns none.
    pub(super) fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Value<'_>],
        read: impl FnOnce(&Row<'_>) -> Result<T, DatabaseError>,
    ) -> Result<Option<T>, DatabaseError> {
        match self {
            Self::Sqlite(conn) => {
                let mut select = conn.prepare_cached(sql)?;
                let mut rows = select.query(rusqlite::params_from_iter(params))?;
                match rows.next()? {
                    Some(row) => read(&Row::Sqlite(row)).map(Some),
                    None => Ok(None),
                }
            }
            Self::Postgres(session) => session
                .query(sql, params)?
                .first()
                .map(|row| read(&Row::Postgres(row)))
                .transpose(),
        }
    }

    /// The row a statement that always returns one (`INSERT … RETURNING`) returns.
    pub(super) fn query_one<T>(
        &self,
        sql: &str,
        params: &[Value<'_>],
        read: impl FnOnce(&Row<'_>) -> Result<T, DatabaseError>,
    ) -> Result<T, DatabaseError> {
        self.query_opt(sql, params, read)?
            .ok_or(DatabaseError::NoRow)
    }

    /// Every row a query returns, each read by `read`, in the query's order.
    pub(super) fn query_all<T>(
        &self,
        sql: &str,
        params: &[Value<'_>],
        mut read: impl FnMut(&Row<'_>) -> Result<T, DatabaseError>,
    ) -> Result<Vec<T>, DatabaseError> {
        match self {
            Self::Sqlite(conn) => {
                let mut select = conn.prepare_cached(sql)?;
                let mut rows = select.query(rusqlite::params_from_iter(params))?;
                let mut all = Vec::new();
                while let Some(row) = rows.next()? {
                    all.push(read(&Row::Sqlite(row))?);
                }
                Ok(all)
            }
            Self::Postgres(session) => session
                .query(sql, params)?
                .iter()
                .map(|row| read(&Row::Postgres(row)))
                .collect(),
        }
    }

    /// Whether a query returns any row.
    pub(super) fn exists(&self, sql: &str, params: &[Value<'_>]) -> Result<bool, DatabaseError> {
        self.query_opt(sql, params, |_| Ok(()))
            .map(|row| row.is_some())
    }

    /// Runs statements without parameters (transaction control).
    pub(super) fn batch(&self, sql: &str) -> Result<(), DatabaseError> {
        match self {
            Self::Sqlite(conn) => Ok(conn.prepare_cached(sql)?.execute([]).map(drop)?),
            Self::Postgres(session) => session.batch(sql),
        }
    }
}

/// `params` as [`Value`]s: `params![a, b]`.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::sql::Value::from($value)),*]
    };
}
pub(super) use params;

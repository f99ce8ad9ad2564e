//! A PostgreSQL connection as the store uses it: statements written with SQLite's numbered
//! parameters, prepared once per connection.

use std::cell::RefCell;

use postgres::Statement;
use postgres::types::ToSql;

use super::{DatabaseError, Value};
use crate::store::postgres::PooledClient;

/// A PostgreSQL connection taken from the pool, with the statements prepared on it.
pub struct PgSession {
    conn: RefCell<PooledClient>,
}

impl std::fmt::Debug for PgSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSession").finish_non_exhaustive()
    }
}

impl PgSession {
    /// A session on `client`.
    pub(in crate::store) fn new(client: PooledClient) -> Self {
        Self {
            conn: RefCell::new(client),
        }
    }

    /// Whether the connection has been closed (by the server, or by a network failure).
    pub(in crate::store) fn is_closed(&self) -> bool {
        self.conn.borrow().client.is_closed()
    }

    pub(super) fn execute(&self, sql: &str, params: &[Value<'_>]) -> Result<u64, DatabaseError> {
        let statement = self.prepare(sql)?;
        Ok(self
            .conn
            .borrow_mut()
            .client
            .execute(&statement, &bind(params))?)
    }

    pub(in crate::store) fn query(
        &self,
        sql: &str,
        params: &[Value<'_>],
    ) -> Result<Vec<postgres::Row>, DatabaseError> {
        let statement = self.prepare(sql)?;
        Ok(self
            .conn
            .borrow_mut()
            .client
            .query(&statement, &bind(params))?)
    }

    pub(super) fn batch(&self, sql: &str) -> Result<(), DatabaseError> {
        Ok(self.conn.borrow_mut().client.batch_execute(sql)?)
    }

    /// The statement for `sql`, prepared on its connection's first use of it.
    fn prepare(&self, sql: &str) -> Result<Statement, DatabaseError> {
        let mut conn = self.conn.borrow_mut();
        if let Some(statement) = conn.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = conn.client.prepare(&numbered(sql))?;
        conn.statements.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// The parameters as the driver takes them.
fn bind<'a>(params: &'a [Value<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect()
}

/// `sql` with SQLite's `?N` parameters written as PostgreSQL's `$N`. The store's statements
/// have no `?` in literals or names.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn numbered_parameters_become_dollar_parameters() {
        assert_eq!(
            numbered("SELECT a FROM t WHERE b = ?1 AND (?12 IS NULL OR c = ?12)"),
            "SELECT a FROM t WHERE b = $1 AND ($12 IS NULL OR c = $12)"
        );
        assert_eq!(numbered("SELECT '?' , ?"), "SELECT '?' , ?");
    }
}

//! A deterministic text dump of the whole database, and its integrity check.

use std::fmt::Write as _;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use super::error::{DbContext, StoreError};
use super::sql::{Db, PgSession, params, sqlite_values};

/// Every table of the database, `sqlite_sequence` included: the schema version, then per
/// table its columns and all rows in sorted order, values as SQL literals (blobs as `x'…'`).
/// Two databases with the same content give the same dump.
pub(super) fn dump(conn: &Connection) -> Result<String, StoreError> {
    let mut out = String::new();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .during("reading the schema version")?;
    // Writing to a String cannot fail.
    let _ = writeln!(out, "user_version {version}");
    let mut schema = conn
        .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
        .during("reading the schema")?;
    let objects = schema
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .during("reading the schema")?;
    for (kind, name, sql) in &objects {
        let _ = writeln!(
            out,
            "{kind} {name}: {}",
            sql.as_deref().unwrap_or("(automatic)")
        );
    }
    for (_, table, _) in objects.iter().filter(|(kind, ..)| kind == "table") {
        dump_table(conn, table, &mut out)?;
    }
    Ok(out)
}

/// [`dump`] of a PostgreSQL database: the schema version, then each table of the store (not `schema_migrations`, which records when it was migrated) as
/// [`dump`] writes them.
fn dump_postgres(db: Db<'_>, session: &PgSession) -> Result<String, StoreError> {
    let mut out = String::new();
    let version: i64 = db
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM schema_migrations",
            params![],
            |row| row.get(0),
        )
        .during("reading the schema version")?;
    let _ = writeln!(out, "schema_version {version}");
    let tables: Vec<String> = db
        .query_all(
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
               AND table_name <> 'schema_migrations'
             ORDER BY table_name COLLATE \"C\"",
            params![],
            |row| row.get(0),
        )
        .during("reading the schema")?;
    for table in &tables {
        let rows = session
            .query(
                &format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")),
                &[],
            )
            .during("dumping a table")?;
        let columns = rows.first().map_or_else(String::new, |row| {
            let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
            names.join(", ")
        });
        let mut lines = Vec::with_capacity(rows.len());
        for row in &rows {
            let values = sqlite_values(row).during("dumping a table")?;
            let mut line = String::new();
            for (index, value) in values.iter().enumerate() {
                if index > 0 {
                    line.push_str(", ");
                }
                literal(value.into(), &mut line);
            }
            lines.push(line);
        }
        lines.sort_unstable();
        let _ = writeln!(out, "table {table} ({columns}): {} rows", lines.len());
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
    Ok(out)
}

/// The dump of either database.
pub(super) fn dump_any(db: Db<'_>) -> Result<String, StoreError> {
    match db {
        Db::Sqlite(conn) => dump(conn),
        Db::Postgres(session) => dump_postgres(db, session),
    }
}

/// Appends `table`: its columns, then its rows as sorted lines of literals.
fn dump_table(conn: &Connection, table: &str, out: &mut String) -> Result<(), StoreError> {
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let mut select = conn
        .prepare(&format!("SELECT * FROM {quoted}"))
        .during("dumping a table")?;
    let columns = select.column_names().join(", ");
    let width = select.column_count();
    let mut lines = select
        .query_map([], |row| {
            let mut line = String::new();
            for index in 0..width {
                if index > 0 {
                    line.push_str(", ");
                }
                literal(row.get_ref(index)?, &mut line);
            }
            Ok(line)
        })
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .during("dumping a table")?;
    lines.sort_unstable();
    let _ = writeln!(out, "table {table} ({columns}): {} rows", lines.len());
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    Ok(())
}

/// Appends `value` as an SQL literal.
fn literal(value: ValueRef<'_>, out: &mut String) {
    match value {
        ValueRef::Null => out.push_str("NULL"),
        ValueRef::Integer(integer) => {
            let _ = write!(out, "{integer}");
        }
        ValueRef::Real(real) => {
            let _ = write!(out, "{real:?}");
        }
        ValueRef::Text(text) => {
            out.push('\'');
            for ch in String::from_utf8_lossy(text).chars() {
                match ch {
                    '\'' => out.push_str("''"),
                    ch if ch.is_control() => {
                        let _ = write!(out, "\\u{{{:x}}}", u32::from(ch));
                    }
                    ch => out.push(ch),
                }
            }
            out.push('\'');
        }
        ValueRef::Blob(blob) => {
            out.push_str("x'");
            for byte in blob {
                let _ = write!(out, "{byte:02x}");
            }
            out.push('\'');
        }
    }
}

/// Runs `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; an error lists what they
/// report.
pub(super) fn integrity_check(conn: &Connection) -> Result<(), StoreError> {
    let mut problems = Vec::new();
    conn.pragma_query(None, "integrity_check", |row| {
        let line: String = row.get(0)?;
        if line != "ok" {
            problems.push(line);
        }
        Ok(())
    })
    .during("running the integrity check")?;
    conn.pragma_query(None, "foreign_key_check", |row| {
        let table: String = row.get(0)?;
        let row_id: Option<i64> = row.get(1)?;
        let parent: String = row.get(2)?;
        problems.push(format!(
            "row {} of {table} refers to a missing row of {parent}",
            row_id.map_or_else(|| "?".to_owned(), |id| id.to_string())
        ));
        Ok(())
    })
    .during("running the foreign key check")?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Integrity(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(sql: &str) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        conn
    }

    #[test]
    fn values_are_written_as_sql_literals() {
        let conn = memory(
            "CREATE TABLE t (a, b, c, d, e);
             INSERT INTO t VALUES (NULL, -3, 1.5, 'it''s' || char(10), x'00ff10');",
        );
        let dump = dump(&conn).unwrap();
        assert!(
            dump.contains(
                "table t (a, b, c, d, e): 1 rows\n  NULL, -3, 1.5, 'it''s\\u{a}', x'00ff10'\n"
            ),
            "{dump}"
        );
    }

    #[test]
    fn row_order_and_insertion_history_do_not_change_the_dump() {
        let first = memory(
            "CREATE TABLE t (a INTEGER PRIMARY KEY, b);
             INSERT INTO t VALUES (1, 'x'), (2, 'y');",
        );
        let second = memory(
            "CREATE TABLE t (a INTEGER PRIMARY KEY, b);
             INSERT INTO t VALUES (2, 'y'), (3, 'z'), (1, 'x'); DELETE FROM t WHERE a = 3;",
        );
        assert_eq!(dump(&first).unwrap(), dump(&second).unwrap());
        second
            .execute("UPDATE t SET b = 'w' WHERE a = 2", [])
            .unwrap();
        assert_ne!(dump(&first).unwrap(), dump(&second).unwrap());
    }

    #[test]
    fn the_schema_and_version_are_part_of_the_dump() {
        let conn = memory("CREATE TABLE t (a); PRAGMA user_version = 3;");
        let before = dump(&conn).unwrap();
        assert!(
            before.starts_with("user_version 3\ntable t: CREATE TABLE t (a)\n"),
            "{before}"
        );
        conn.execute_batch("CREATE INDEX t_a ON t (a)").unwrap();
        assert_ne!(before, dump(&conn).unwrap());
    }

    #[test]
    fn a_dangling_foreign_key_fails_the_integrity_check() {
        let conn = memory(
            "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id));
             INSERT INTO p VALUES (1); INSERT INTO c VALUES (10, 1);",
        );
        integrity_check(&conn).unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF; INSERT INTO c VALUES (11, 2);")
            .unwrap();
        match integrity_check(&conn) {
            Err(StoreError::Integrity(problems)) => {
                assert_eq!(problems, ["row 11 of c refers to a missing row of p"]);
            }
            other => panic!("expected an integrity error, got {other:?}"),
        }
    }
}

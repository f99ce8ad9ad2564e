//! A result row of either database, read into the same Rust types.

use postgres::types::Type;

use super::DatabaseError;

/// A row of a query's result.
pub(in crate::store) enum Row<'r> {
    /// A SQLite row.
    Sqlite(&'r rusqlite::Row<'r>),
    /// A PostgreSQL row.
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as a `T`.
    pub(in crate::store) fn get<T: Column>(&self, index: usize) -> Result<T, DatabaseError> {
        match self {
            Self::Sqlite(row) => Ok(T::sqlite(row, index)?),
            Self::Postgres(row) => Ok(T::postgres(row, index)?),
        }
    }
}

/// A Rust type a column reads into from either database.
pub(in crate::store) trait Column: Sized {
    /// Reads it from a SQLite row.
    fn sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self>;
    /// Reads it from a PostgreSQL row.
    fn postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error>;
}

/// Types both drivers read directly.
macro_rules! direct {
    ($($ty:ty),*) => {$(
        impl Column for $ty {
            fn sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
                row.get(index)
            }
            fn postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error> {
                row.try_get(index)
            }
        }
    )*};
}

direct!(
    String,
    Vec<u8>,
    bool,
    Option<String>,
    Option<Vec<u8>>,
    Option<bool>
);

/// PostgreSQL's integer types widen to `i64`, as SQLite's integers all are.
fn pg_integer(row: &postgres::Row, index: usize) -> Result<Option<i64>, postgres::Error> {
    let ty = row
        .columns()
        .get(index)
        .map(|column| column.type_().clone());
    Ok(match ty {
        Some(Type::INT4) => row.try_get::<_, Option<i32>>(index)?.map(i64::from),
        Some(Type::INT2) => row.try_get::<_, Option<i16>>(index)?.map(i64::from),
        _ => row.try_get::<_, Option<i64>>(index)?,
    })
}

impl Column for Option<i64> {
    fn sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error> {
        pg_integer(row, index)
    }
}

impl Column for i64 {
    fn sqlite(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Self> {
        row.get(index)
    }
    fn postgres(row: &postgres::Row, index: usize) -> Result<Self, postgres::Error> {
        match pg_integer(row, index)? {
            Some(value) => Ok(value),
            // The driver's own error for NULL read as a non-null type.
            None => row.try_get::<_, i64>(index),
        }
    }
}

/// A PostgreSQL row as SQLite values: integers, flags as 0/1, text and bytes (the types of
/// the store's schema), for the SQLite archive and the dump.
pub(in crate::store) fn sqlite_values(
    row: &postgres::Row,
) -> Result<Vec<rusqlite::types::Value>, DatabaseError> {
    use rusqlite::types::Value;
    row.columns()
        .iter()
        .enumerate()
        .map(|(index, column)| {
            let value = match *column.type_() {
                Type::BOOL => row
                    .try_get::<_, Option<bool>>(index)?
                    .map(|flag| Value::Integer(i64::from(flag))),
                Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Blob),
                Type::TEXT | Type::VARCHAR => {
                    row.try_get::<_, Option<String>>(index)?.map(Value::Text)
                }
                _ => pg_integer(row, index)?.map(Value::Integer),
            };
            Ok(value.unwrap_or(Value::Null))
        })
        .collect()
}

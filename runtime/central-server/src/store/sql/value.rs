//! A statement parameter, bound the same way to SQLite and to PostgreSQL.

use std::borrow::Cow;
use std::error::Error;

use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// A parameter: `NULL`, an integer, a flag, text or bytes.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::store) enum Value<'a> {
    /// `NULL`.
    Null,
    /// An integer; narrowed for a PostgreSQL `INTEGER` column when it fits.
    Int(i64),
    /// A flag: 0/1 in SQLite, `BOOLEAN` in PostgreSQL.
    Bool(bool),
    /// Text.
    Text(Cow<'a, str>),
    /// Bytes (`BLOB`, `BYTEA`).
    Blob(&'a [u8]),
}

impl From<i64> for Value<'_> {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<bool> for Value<'_> {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(Cow::Borrowed(value))
    }
}

impl<'a> From<&'a String> for Value<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(Cow::Borrowed(value))
    }
}

impl From<String> for Value<'_> {
    fn from(value: String) -> Self {
        Self::Text(Cow::Owned(value))
    }
}

impl<'a> From<&'a [u8]> for Value<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Blob(value)
    }
}

impl<'a> From<&'a Vec<u8>> for Value<'a> {
    fn from(value: &'a Vec<u8>) -> Self {
        Self::Blob(value)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Value<'a> {
    fn from(value: &'a [u8; N]) -> Self {
        Self::Blob(value)
    }
}

impl<'a, T: Into<Value<'a>>> From<Option<T>> for Value<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null => ValueRef::Null,
            Self::Int(value) => ValueRef::Integer(*value),
            Self::Bool(value) => ValueRef::Integer(i64::from(*value)),
            Self::Text(value) => ValueRef::Text(value.as_bytes()),
            Self::Blob(value) => ValueRef::Blob(value),
        }))
    }
}

/// A value that does not fit the PostgreSQL type of its parameter.
#[derive(Debug, thiserror::Error)]
#[error("a {value} parameter cannot be bound as PostgreSQL type {ty}")]
struct Mismatch {
    value: &'static str,
    ty: Type,
}

impl ToSql for Value<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        let mismatch = |value| {
            Box::new(Mismatch {
                value,
                ty: ty.clone(),
            })
        };
        match (self, ty) {
            (Self::Null, _) => Ok(IsNull::Yes),
            (Self::Int(value), &Type::INT8) => value.to_sql(ty, out),
            (Self::Int(value), &Type::INT4) => i32::try_from(*value)
                .map_err(|_| mismatch("64-bit integer"))?
                .to_sql(ty, out),
            (Self::Int(_), _) => Err(mismatch("integer")),
            (Self::Bool(value), &Type::BOOL) => value.to_sql(ty, out),
            (Self::Bool(_), _) => Err(mismatch("flag")),
            (Self::Text(value), _) if <&str as ToSql>::accepts(ty) => {
                value.as_ref().to_sql(ty, out)
            }
            (Self::Text(_), _) => Err(mismatch("text")),
            (Self::Blob(value), &Type::BYTEA) => value.to_sql(ty, out),
            (Self::Blob(_), _) => Err(mismatch("bytes")),
        }
    }

    /// Every type: the value checks its parameter's type when it is written.
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(value: Value<'_>, ty: &Type) -> Result<Vec<u8>, String> {
        let mut out = bytes::BytesMut::new();
        match value.to_sql(ty, &mut out) {
            Ok(IsNull::No) => Ok(out.to_vec()),
            Ok(IsNull::Yes) => Ok(b"NULL".to_vec()),
            Err(error) => Err(error.to_string()),
        }
    }

    #[test]
    fn integers_narrow_to_integer_columns_only_when_they_fit() {
        assert_eq!(
            bind(Value::Int(7), &Type::INT8),
            Ok(7_i64.to_be_bytes().to_vec())
        );
        assert_eq!(
            bind(Value::Int(7), &Type::INT4),
            Ok(7_i32.to_be_bytes().to_vec())
        );
        let too_big = bind(Value::Int(1 << 40), &Type::INT4).unwrap_err();
        assert_eq!(
            too_big,
            "a 64-bit integer parameter cannot be bound as PostgreSQL type int4"
        );
    }

    #[test]
    fn each_kind_binds_only_to_its_types() {
        assert_eq!(bind(Value::Null, &Type::BYTEA), Ok(b"NULL".to_vec()));
        assert_eq!(bind(Value::Bool(true), &Type::BOOL), Ok(vec![1]));
        assert_eq!(bind(Value::from("ab"), &Type::TEXT), Ok(b"ab".to_vec()));
        assert_eq!(
            bind(Value::from(&b"ab"[..]), &Type::BYTEA),
            Ok(b"ab".to_vec())
        );
        assert!(bind(Value::Bool(true), &Type::INT8).is_err());
        assert!(bind(Value::from("ab"), &Type::BYTEA).is_err());
        assert!(bind(Value::from(&b"ab"[..]), &Type::TEXT).is_err());
        assert!(bind(Value::Int(1), &Type::TEXT).is_err());
    }

    #[test]
    fn sqlite_gets_flags_as_integers() {
        let flag = Value::Bool(true);
        assert_eq!(
            rusqlite::ToSql::to_sql(&flag).unwrap(),
            ToSqlOutput::Borrowed(ValueRef::Integer(1))
        );
    }
}

//! The store's audit names each change made to the stored log behind the store's back:
//! a request's client or sender changed, a request deleted, a request or registry row
//! inserted, a status changed.
//!
//! These run on SQLite; `store_audit_postgres` runs the same cases on PostgreSQL.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Sqlite;

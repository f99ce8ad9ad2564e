//! The central server store through its public API: each service from receipt to registry,
//! every business rule (accepted and refused, a refusal changing nothing), decisions, and
//! repeated requests.
//!
//! These run on SQLite; `store_requests_postgres` runs the same cases on PostgreSQL.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Sqlite;

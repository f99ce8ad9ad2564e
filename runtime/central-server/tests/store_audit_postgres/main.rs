//! The store's audit naming each change made behind its back (`store_audit`), on
//! PostgreSQL.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

#[path = "../store_audit/cases.rs"]
mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Postgres;

//! `Store::archive`: the log before a date moves to a file of its own, both parts verify,
//! a change to either is found, and a log that does not verify is not archived.
//!
//! These run on SQLite; `store_archive_postgres` runs the same cases with the live log on
//! PostgreSQL (the archive is a SQLite file either way).

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Sqlite;

//! `Store::archive` (`store_archive`) with the live log on PostgreSQL: the log before a
//! date moves to a SQLite file, both parts verify, a change to either is found.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

#[path = "../store_archive/cases.rs"]
mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Postgres;

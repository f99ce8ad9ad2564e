//! The central server and the management client end to end, over real TLS on 127.0.0.1,
//! with an OCSP responder over HTTP.
//!
//! These run on SQLite; `e2e_postgres` runs the same cases with the store on PostgreSQL.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Sqlite;

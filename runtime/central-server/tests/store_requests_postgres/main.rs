//! The store's request cases (`store_requests`) on PostgreSQL: the same rules, repeats,
//! decisions and limits, on a database of their own for each test.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

#[path = "../store_requests/cases.rs"]
mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Postgres;

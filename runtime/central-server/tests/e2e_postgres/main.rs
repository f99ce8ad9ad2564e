//! The central server and the management client end to end (`e2e`), with the store on
//! PostgreSQL: a database of its own for each test on the test cluster.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

#[path = "../e2e/cases.rs"]
mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Postgres;

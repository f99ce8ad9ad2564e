//! The store against the in-memory model of the rules (`store_model`), on PostgreSQL: the
//! same random sequences of submits and decisions, a database of its own for each case.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

#[path = "../store_model/cases.rs"]
mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Postgres;

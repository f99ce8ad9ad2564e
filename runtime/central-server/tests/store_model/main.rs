//! Random sequences of submits and decisions on a small universe of servers, clients and
//! certificates, checked against an in-memory model of the rules: every outcome, every
//! refusal and the registry after each step must match, and a refused step must leave the
//! database dump unchanged.
//!
//! These run on SQLite; `store_model_postgres` runs the same model on PostgreSQL.

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Sqlite;

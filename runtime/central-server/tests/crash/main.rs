//! The central server survives SIGKILL in the middle of a load.
//!
//! The real `central-server` binary runs as a child process on the sandbox's PKI. Eight
//! client tasks send pre-signed clientReg requests over keep-alive TLS connections; once
//! [`KILL_AFTER`] have been answered the process is killed with SIGKILL while others are in
//! flight, and restarted on the same database; three times. After each kill, on a copy of the
//! files the crash left (so that the test does not recover the write-ahead log in the
//! restarted server's place), the test checks:
//!
//! - every `requestId` a client received is stored, as the request that client sent (its
//!   subsystem and `xroad:id`), with its full message log, which verifies again as it was
//!   received and holds the response carrying that id;
//! - no two answers carried the same id, and every stored request has its message log;
//! - `PRAGMA integrity_check` answers `ok`, and the store's own check (foreign keys too)
//!   passes;
//!
//! and, after each restart, that new requests get ids above the highest id stored before
//! it, so that an id answered before a crash is never given out again. The checks after a
//! later crash cover the ids answered before every earlier one: a restart that lost
//! committed requests fails them.
//!
//! These run on SQLite; `crash_postgres` runs the same load on PostgreSQL, and kills one of
//! two nodes.

#![cfg(unix)]

#[allow(dead_code)] // each test file uses a part
#[path = "../support/postgres.rs"]
mod support;

mod cases;

/// The database the cases run on.
const BACKEND: support::Backend = support::Backend::Sqlite;

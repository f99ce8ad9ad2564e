//! The example central server: configuration, the services over the SQLite store, and the
//! re-verification of its message log.

pub mod config;
pub mod service;
pub mod store;
pub mod verify_log;

//! The central server of the X-Road management services: it answers the requests of security
//! servers, keeps every accepted request with its message log in a SQLite store, and keeps the
//! registry of security servers, their authentication certificates and clients.
//!
//! - [`cli`]: exit statuses, logging options and error reports of the command-line programs.
//! - [`database`]: `database` of `central.toml`, a SQLite file or a PostgreSQL URL.
//! - [`date`]: calendar dates of the command line.
//! - [`config`]: `central.toml`, read into the runtime's verifier, trust and server settings.
//! - [`service`]: the management services over the [`store`].
//! - [`store`]: requests, message log and registry in SQLite.
//! - [`typed`]: the typed request the store keeps, read from each operation's body.
//! - [`verify_log`]: verifying stored requests again from their message log.
//! - [`running`]: the server on a tokio task of this process; `process`: the `central-server`
//!   binary as a child process.

pub mod cli;
pub mod config;
pub mod config_file;
pub mod database;
pub mod date;
#[cfg(unix)]
pub mod process;
pub mod running;
pub mod service;
pub mod store;
pub mod typed;
pub mod verify_log;

pub use running::RunningCentral;

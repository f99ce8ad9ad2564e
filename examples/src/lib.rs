//! Example programs of the X-Road management services toolkit and the parts they share:
//!
//! - `central-server`: a central server answering the five management services, with its
//!   request store and registry in SQLite ([`central`]);
//! - `security-server`: the security-server side, sending requests from the command line;
//! - `demo`: runs both with a throw-away PKI.
//!
//! The [`sandbox`] and [`process`] modules set up an installation to run them on.

pub mod central;
pub mod config_file;
#[cfg(unix)]
pub mod process;
pub mod sandbox;
pub mod security;

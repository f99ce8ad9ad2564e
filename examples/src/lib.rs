//! Example programs of the X-Road management services toolkit and the parts they share:
//!
//! - `central-server`: a central server answering the five management services, with its
//!   request store and registry in SQLite ([`central`]);
//! - `security-server`: the security-server side, sending requests from the command line;
//! - `demo`: runs both with a throw-away PKI.

pub mod central;
pub mod config_file;
pub mod sandbox;
pub mod security;

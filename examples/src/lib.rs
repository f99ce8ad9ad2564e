//! Example programs of the X-Road management services toolkit and the parts they share:
//!
//! - `security-server`: the security-server side, sending requests from the command line
//!   ([`security`]);
//! - `demo`: the central server and a security server with a throw-away PKI.
//!
//! The [`sandbox`] sets up a throw-away installation to run them on; the central server's own
//! tests use it too.

pub mod sandbox;
pub mod security;

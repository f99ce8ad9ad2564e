//! Example programs of the X-Road management services toolkit and the parts they share:
//!
//! - `security-server`: the security-server side, sending requests from the command line
//!   ([`security`]);
//! - `demo`: the central server and a security server with a throw-away PKI;
//! - `sandbox`: a central server on 127.0.0.1:4001 and :4002 with its files in a folder,
//!   serving until Ctrl-C, for the README's first-hour program.
//!
//! The [`sandbox`] sets up a throw-away installation to run them on; the central server's own
//! tests use it too.

pub mod sandbox;
pub mod security;

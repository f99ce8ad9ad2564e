//! The example security server's side: its configuration, and the requests it sends through
//! the generated management services client.

pub mod config;
mod server;

pub use server::SecurityServer;

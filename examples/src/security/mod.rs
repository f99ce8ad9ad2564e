//! The example security server's side: its configuration and the management client built
//! from it.

pub mod config;

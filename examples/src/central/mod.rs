//! The example central server: its request store and registry.

pub mod store;

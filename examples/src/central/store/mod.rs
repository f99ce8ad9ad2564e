//! The central server's SQLite store: requests, their message log, and the registry.

//! A throw-away PKI for tests and demos.

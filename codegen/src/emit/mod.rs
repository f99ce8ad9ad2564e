//! Turning a [`crate::model::Model`] into formatted Rust source.

//! Generates typed Rust bindings from an X-Road management services WSDL.
//!
//! The pipeline has three stages, each in its own module:
//! [`parse`] reads the WSDL and its embedded XML schemas with roxmltree into the plain
//! [`model`], resolving every QName by namespace URI; [`emit`] turns the model into Rust
//! tokens with `quote` and formats them with `prettyplease`. [`Builder`] runs the pipeline
//! from `build.rs`; the `xroad-codegen` binary runs it from the command line. Both take the
//! same [`Options`].

pub mod emit;
pub mod error;
pub mod model;
pub mod options;
pub mod parse;

pub use error::{Error, Result};
pub use options::{ExtraOperation, Options};

//! Generates typed Rust bindings from an X-Road management services WSDL.
//!
//! The pipeline has three stages, each in its own module: [`parse`] reads the WSDL and its
//! embedded XML schemas with roxmltree into the plain [`model`], resolving every QName by
//! namespace URI; [`emit`] turns the model into Rust tokens with `quote` and formats them
//! with `prettyplease`. [`Builder`] runs the pipeline from `build.rs`; the `xroad-codegen`
//! binary runs it from the command line. Both take the same [`Options`], whose default is the
//! X-Road management services profile (see [`options`]).

mod builder;
pub mod check;
pub mod emit;
pub mod error;
pub mod model;
pub mod options;
pub mod parse;

use std::path::Path;

pub use builder::{Builder, configure};
pub use error::{Error, Result};
pub use options::{ExtraOperation, Options};

/// Reads the WSDL file at `wsdl` and returns the generated Rust source.
pub fn generate_file(wsdl: &Path, options: &Options) -> Result<String> {
    let model = parse::parse_file(wsdl, options)?;
    emit::emit(&model, options)
}

/// Generates Rust source from WSDL text; `path` is used in error locations and the header.
pub fn generate_str(path: &Path, wsdl: &str, options: &Options) -> Result<String> {
    let model = parse::parse_str(path, wsdl, options)?;
    emit::emit(&model, options)
}

/// A short human-readable account of a model: namespaces, types, elements and operations.
pub fn summary(model: &model::Model) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let complex = model
        .types
        .iter()
        .filter(|t| matches!(t, model::TypeDef::Complex(_)))
        .count();
    let _ = writeln!(
        out,
        "{}: {} namespaces, {} complex types, {} simple types, {} message elements",
        model.source.display(),
        model.namespaces.len(),
        complex,
        model.types.len() - complex,
        model.elements.len()
    );
    for service in &model.services {
        let _ = writeln!(
            out,
            "service {} ({} operations):",
            service.name,
            service.operations.len()
        );
        for operation in &service.operations {
            let origin = match operation.source {
                model::OperationSource::Wsdl(_) => "WSDL",
                model::OperationSource::Options => "options",
            };
            let _ = writeln!(
                out,
                "  {:<18} {} -> {}  parts: {}  [{origin}]",
                operation.name,
                operation.input.local,
                operation.output.local,
                operation.parts.join(", ")
            );
        }
    }
    out
}

/// Writes `content` to `path` unless the file already holds exactly that, so that build
/// scripts do not touch files (and trigger rebuilds) needlessly.
pub fn write_if_changed(path: &Path, content: &str) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == content.as_bytes()) {
        return Ok(());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    std::fs::write(path, content).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

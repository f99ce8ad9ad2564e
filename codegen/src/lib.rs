//! Generates typed Rust bindings from X-Road WSDLs and XML schemas.
//!
//! [`Builder`] runs the generator from `build.rs` (see [`Builder`] for an example); the
//! `xroad-codegen` binary (feature `cli`: `cargo install xroad-codegen --features cli`) runs it
//! from the command line; [`generate_file`], [`generate_files`] and [`generate_str`] return the
//! code without writing it. All take the same [`Options`], whose default is the X-Road
//! management services profile (see [`options`]), and all report the [`Warning`]s of a run;
//! failures are [`Error`]s that name the file, line and column.
//!
//! Inside, the pipeline has three stages: parsing reads the WSDLs and schemas, with the imports
//! and includes they name (found through the catalogs of the options), into a plain model,
//! resolving every QName by namespace URI and applying the X-Road profile of the options
//! (operation descriptions, header elements); emitting turns the model into Rust tokens — types,
//! `Operation` impls, and a client and server per service — and formats them with
//! `prettyplease`.

mod builder;
mod check;
mod emit;
pub mod error;
mod model;
pub mod options;
mod parse;
mod warning;

use std::path::{Path, PathBuf};

pub use builder::{Builder, configure};
pub use error::{Error, Result};
pub use model::{Location, QName, SkipKind, Skipped};
pub use options::{
    BodyRoles, Endpoint, ExtraOperation, HeaderField, HeaderType, OperationProfile, Options, Signer,
};
pub use warning::Warning;
use warning::warnings;

/// The outcome of a run: the generated Rust source, and what the generator warns about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Generated {
    /// The Rust source, with its `@generated` header.
    pub code: String,
    /// Warnings, in WSDL order.
    pub warnings: Vec<Warning>,
    /// A short human-readable account of what was read: namespaces, types, elements and
    /// operations, with each operation's profile.
    pub summary: String,
}

impl Generated {
    /// `None` when `current` (the text of a file, named `label` in the output) is the
    /// generated code; else a short unified diff from `current` to it.
    pub fn diff(&self, current: &str, label: &str) -> Option<String> {
        check::short_diff(current, &self.code, label)
    }
}

/// Reads the WSDL or schema file at `wsdl` and generates the bindings.
pub fn generate_file(wsdl: &Path, options: &Options) -> Result<Generated> {
    let model = parse::parse_file(wsdl, options)?;
    generate_model(&model, options)
}

/// Reads several WSDL and schema files and generates one set of bindings, in which they share
/// their types.
pub fn generate_files(files: &[PathBuf], options: &Options) -> Result<Generated> {
    let model = parse::parse_files(files, options)?;
    generate_model(&model, options)
}

/// Generates bindings from WSDL text; `path` is used in error locations and the header.
pub fn generate_str(path: &Path, wsdl: &str, options: &Options) -> Result<Generated> {
    let model = parse::parse_str(path, wsdl, options)?;
    generate_model(&model, options)
}

/// Generates bindings from a parsed model.
fn generate_model(model: &model::Model, options: &Options) -> Result<Generated> {
    Ok(Generated {
        code: emit::emit(model, options)?,
        warnings: warnings(model, options),
        summary: summary(model),
    })
}

/// A short human-readable account of a model: namespaces, types, elements and operations.
fn summary(model: &model::Model) -> String {
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
            let profile = match &operation.description {
                Some(description) => {
                    let signers: Vec<&str> = description
                        .parts
                        .iter()
                        .filter_map(|p| match p {
                            model::MimePart::Signature { signer, .. } => Some(signer.as_str()),
                            _ => None,
                        })
                        .collect();
                    format!(
                        "{} endpoint, MIME parts: {}, signed by: {}",
                        description.endpoint,
                        description.parts.len(),
                        if signers.is_empty() {
                            "nobody".to_owned()
                        } else {
                            signers.join(", ")
                        }
                    )
                }
                None => "not described: types only".to_owned(),
            };
            let _ = writeln!(
                out,
                "  {:<22} {} -> {}  {profile}  [{origin}]",
                operation.name, operation.input.local, operation.output.local,
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

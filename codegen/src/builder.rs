//! [`Builder`]: runs the generator from a `build.rs`, in the style of `prost-build` and
//! `tonic-build`.
//!
//! ```no_run
//! // build.rs: the error has already been printed as a cargo error.
//! if xroad_codegen::configure()
//!     .compile("wsdl/centralservice.wsdl")
//!     .is_err()
//! {
//!     std::process::exit(1);
//! }
//! ```
//!
//! and in the crate: `include!(concat!(env!("OUT_DIR"), "/centralservice.rs"));`

use std::path::{Path, PathBuf};

use crate::{Error, Options, Result};

/// Starts a [`Builder`] with the default (X-Road management services) options.
pub fn configure() -> Builder {
    Builder::default()
}

/// Generates bindings from a WSDL at build time.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    options: Options,
    out_file: Option<PathBuf>,
}

impl Builder {
    /// Replaces the generator options (the same type the command line fills).
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Changes the generator options in place.
    pub fn with_options(mut self, change: impl FnOnce(&mut Options)) -> Self {
        change(&mut self.options);
        self
    }

    /// Adds an OASIS XML catalog that maps remote schema locations to local files (see
    /// [`Options::catalog`]); it is watched for changes like the inputs.
    pub fn catalog(mut self, path: impl AsRef<Path>) -> Self {
        self.options.catalog(path);
        self
    }

    /// Writes the bindings to this file instead of `$OUT_DIR/<wsdl file stem>.rs`.
    pub fn out_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.out_file = Some(path.into());
        self
    }

    /// Generates bindings for `wsdl`, prints `cargo:rerun-if-changed` for it, writes the file
    /// (only when its content changes) and returns its path. Warnings (such as an operation
    /// the profile does not describe) are printed as cargo warnings, problems as cargo errors
    /// (through `build-print`); problems are returned too.
    pub fn compile(&self, wsdl: impl AsRef<Path>) -> Result<PathBuf> {
        self.compile_all(&[wsdl.as_ref().to_path_buf()])
    }

    /// [`compile`](Self::compile) for several WSDL and schema files, generated together into
    /// one file (named after the first) in which they share their types.
    pub fn compile_all(&self, files: &[PathBuf]) -> Result<PathBuf> {
        for file in files.iter().chain(self.options.catalogs()) {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        match self.compile_all_quietly(files) {
            Ok((out_file, warnings)) => {
                for warning in warnings {
                    build_print::warn!("xroad-codegen: {warning}");
                }
                Ok(out_file)
            }
            Err(error) => {
                build_print::error!("xroad-codegen: {error}");
                Err(error)
            }
        }
    }

    /// [`compile`](Self::compile) without printing anything: the written file and the
    /// warnings.
    pub fn compile_quietly(&self, wsdl: &Path) -> Result<(PathBuf, Vec<crate::Warning>)> {
        self.compile_all_quietly(&[wsdl.to_path_buf()])
    }

    /// [`compile_all`](Self::compile_all) without printing anything.
    pub fn compile_all_quietly(&self, files: &[PathBuf]) -> Result<(PathBuf, Vec<crate::Warning>)> {
        let Some(first) = files.first() else {
            return Err(Error::Options(
                "no input file: give a WSDL or schema file".into(),
            ));
        };
        let out_file = match &self.out_file {
            Some(path) => path.clone(),
            None => default_out_file(first)?,
        };
        let generated = crate::generate_files(files, &self.options)?;
        crate::write_if_changed(&out_file, &generated.code)?;
        Ok((out_file, generated.warnings))
    }
}

fn default_out_file(wsdl: &Path) -> Result<PathBuf> {
    let out_dir = std::env::var_os("OUT_DIR").ok_or_else(|| {
        Error::Options("OUT_DIR is not set: call `out_file` when not running in build.rs".into())
    })?;
    let stem = wsdl
        .file_stem()
        .ok_or_else(|| Error::Options(format!("`{}` has no file name", wsdl.display())))?;
    Ok(PathBuf::from(out_dir).join(stem).with_extension("rs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_file_without_out_dir_is_an_error_not_a_panic() {
        // Tests do not run under a build script, so OUT_DIR is unset here.
        if std::env::var_os("OUT_DIR").is_none() {
            let error = default_out_file(Path::new("x.wsdl")).unwrap_err();
            assert!(error.to_string().contains("OUT_DIR"), "{error}");
        }
    }
}

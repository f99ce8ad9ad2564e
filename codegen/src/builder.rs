//! [`Builder`]: runs the generator from a `build.rs`, in the style of `prost-build` and
//! `tonic-build`.

use std::path::{Path, PathBuf};

use crate::{Error, Options, Result, Warning};

/// Starts a [`Builder`] with the default (X-Road management services) options.
pub fn configure() -> Builder {
    Builder::default()
}

/// Generates bindings from WSDLs and schemas at build time.
///
/// The bindings of a call are written to `$OUT_DIR/<stem>.rs`, `<stem>` being the file name
/// of the first input without its extension; the crate includes them with
/// [`xroad_codec::include_bindings!`]. In `build.rs`:
///
/// ```no_run
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     xroad_codegen::configure().compile(&["wsdl/centralservice.wsdl"])?;
///     Ok(())
/// }
/// ```
///
/// and in the crate: `xroad_codec::include_bindings!("centralservice");`.
///
/// A run outside a build script names its output folder with [`Builder::out_dir`]: here a WSDL
/// with one operation is generated as types only, each with an added `#[derive(Default)]`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let wsdl = dir.path().join("echo.wsdl");
/// std::fs::write(&wsdl, r#"<?xml version="1.0"?>
/// <wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
///     xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
///     xmlns:xs="http://www.w3.org/2001/XMLSchema"
///     xmlns:tns="urn:example:echo" targetNamespace="urn:example:echo">
///   <wsdl:types>
///     <xs:schema targetNamespace="urn:example:echo" elementFormDefault="qualified">
///       <xs:element name="echo">
///         <xs:complexType><xs:sequence>
///           <xs:element name="text" type="xs:string"/>
///         </xs:sequence></xs:complexType>
///       </xs:element>
///       <xs:element name="echoResponse">
///         <xs:complexType><xs:sequence>
///           <xs:element name="text" type="xs:string"/>
///         </xs:sequence></xs:complexType>
///       </xs:element>
///     </xs:schema>
///   </wsdl:types>
///   <wsdl:message name="echo"><wsdl:part name="body" element="tns:echo"/></wsdl:message>
///   <wsdl:message name="echoResponse">
///     <wsdl:part name="body" element="tns:echoResponse"/>
///   </wsdl:message>
///   <wsdl:portType name="Echo">
///     <wsdl:operation name="echo">
///       <wsdl:input message="tns:echo"/><wsdl:output message="tns:echoResponse"/>
///     </wsdl:operation>
///   </wsdl:portType>
///   <wsdl:binding name="EchoBinding" type="tns:Echo">
///     <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
///     <wsdl:operation name="echo">
///       <soap:operation soapAction=""/>
///       <wsdl:input><soap:body use="literal"/></wsdl:input>
///       <wsdl:output><soap:body use="literal"/></wsdl:output>
///     </wsdl:operation>
///   </wsdl:binding>
///   <wsdl:service name="echoService">
///     <wsdl:port name="echoPort" binding="tns:EchoBinding">
///       <soap:address location="http://localhost/"/>
///     </wsdl:port>
///   </wsdl:service>
/// </wsdl:definitions>"#)?;
///
/// let written = xroad_codegen::configure()
///     .options(xroad_codegen::Options::bare())
///     .type_attribute(".", "#[derive(Default)]")
///     .out_dir(dir.path().join("out"))
///     .compile(&[&wsdl])?;
/// assert_eq!(written, dir.path().join("out/echo.rs"));
/// let code = std::fs::read_to_string(&written)?;
/// assert!(code.contains("pub struct Echo {"));
/// assert!(code.contains("Default"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    options: Options,
    out_dir: Option<PathBuf>,
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

    /// Adds `attribute` to the generated types that `path` matches (see
    /// [`Options::type_attribute`] for the paths), as `prost-build` does:
    /// `.type_attribute(".", "#[derive(Default)]")`.
    pub fn type_attribute(mut self, path: impl AsRef<str>, attribute: impl AsRef<str>) -> Self {
        self.options
            .type_attribute(path.as_ref(), attribute.as_ref());
        self
    }

    /// Adds `attribute` to the fields and variants that `path` matches (see
    /// [`Options::field_attribute`]).
    pub fn field_attribute(mut self, path: impl AsRef<str>, attribute: impl AsRef<str>) -> Self {
        self.options
            .field_attribute(path.as_ref(), attribute.as_ref());
        self
    }

    /// Derives `serde::Serialize` and `serde::Deserialize` for every generated type (see
    /// [`Options::serde`] for what the including crate then depends on).
    pub fn serde(mut self, on: bool) -> Self {
        self.options.serde(on);
        self
    }

    /// Writes the bindings into this folder instead of `$OUT_DIR`, as
    /// `<stem of the first input>.rs`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Writes the bindings to this file (ignoring [`out_dir`](Self::out_dir)).
    pub fn out_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.out_file = Some(path.into());
        self
    }

    /// Generates the bindings of `inputs` — WSDL and schema files, generated together into one
    /// file in which they share their types — prints `cargo:rerun-if-changed` for them and the
    /// catalogs, writes the file (only when its content changes) and returns its path.
    /// Warnings (such as an operation the profile does not describe) are printed as cargo
    /// warnings and problems as cargo errors, with their causes (through `build-print`);
    /// problems are returned too, so that `build.rs` can use `?`.
    pub fn compile(&self, inputs: &[impl AsRef<Path>]) -> Result<PathBuf> {
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_path_buf()).collect();
        for file in inputs.iter().chain(self.options.catalogs()) {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        match self.compile_quietly(&inputs) {
            Ok((out_file, warnings)) => {
                for warning in warnings {
                    build_print::warn!("xroad-codegen: {warning}");
                }
                Ok(out_file)
            }
            Err(error) => {
                build_print::error!("xroad-codegen: {}", error.report());
                Err(error)
            }
        }
    }

    /// [`compile`](Self::compile) without printing anything: the written file and the
    /// warnings.
    pub fn compile_quietly(&self, inputs: &[impl AsRef<Path>]) -> Result<(PathBuf, Vec<Warning>)> {
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let Some(first) = inputs.first() else {
            return Err(Error::Options(
                "no input file: give a WSDL or schema file".into(),
            ));
        };
        let out_file = match &self.out_file {
            Some(path) => path.clone(),
            None => self.output_dir()?.join(file_name(first)?),
        };
        let generated = crate::generate_files(&inputs, &self.options)?;
        crate::write_if_changed(&out_file, &generated.code)?;
        Ok((out_file, generated.warnings))
    }

    /// The output folder: the one given, else `$OUT_DIR`.
    fn output_dir(&self) -> Result<PathBuf> {
        match &self.out_dir {
            Some(dir) => Ok(dir.clone()),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    Error::Options(
                        "OUT_DIR is not set: call `out_dir` or `out_file` when not running in \
                     build.rs"
                            .into(),
                    )
                }),
        }
    }
}

/// `<stem>.rs` for an input file.
fn file_name(input: &Path) -> Result<PathBuf> {
    let stem = input
        .file_stem()
        .ok_or_else(|| Error::Options(format!("`{}` has no file name", input.display())))?;
    Ok(PathBuf::from(stem).with_extension("rs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_file_without_out_dir_is_an_error_not_a_panic() {
        // Tests do not run under a build script, so OUT_DIR is unset here.
        if std::env::var_os("OUT_DIR").is_none() {
            let error = configure().output_dir().unwrap_err();
            assert!(error.to_string().contains("OUT_DIR"), "{error}");
        }
    }

    #[test]
    fn the_output_is_named_after_the_first_input() {
        let builder = configure().out_dir("/tmp/bindings");
        let name = file_name(Path::new("wsdl/management-v2.wsdl")).unwrap();
        assert_eq!(
            builder.output_dir().unwrap().join(name),
            Path::new("/tmp/bindings/management-v2.rs")
        );
    }

    #[test]
    fn no_input_is_an_error() {
        let error = configure()
            .out_dir("/nonexistent")
            .compile_quietly(&[] as &[&Path])
            .unwrap_err();
        assert!(error.to_string().contains("no input file"), "{error}");
    }
}

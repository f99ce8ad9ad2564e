//! `xroad-codegen`: generates Rust bindings from a management services WSDL.
//!
//! ```text
//! xroad-codegen wsdl/centralservice.wsdl -o generated/mserv/src/bindings.rs
//! xroad-codegen wsdl/centralservice.wsdl -o generated/mserv/src/bindings.rs --check
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use xroad_codegen::model::QName;
use xroad_codegen::{Error, ExtraOperation, Options};

/// Generates typed Rust bindings from an X-Road management services WSDL.
#[derive(Debug, Parser)]
#[command(name = "xroad-codegen", version)]
struct Cli {
    /// The WSDL file.
    wsdl: PathBuf,
    /// Where to write the bindings (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    out: PathBuf,
    /// Do not write: exit with status 1 and a short diff when FILE differs from what the WSDL
    /// generates now.
    #[arg(long)]
    check: bool,
    /// Print a summary of what was generated to standard error.
    #[arg(long)]
    summary: bool,
    /// Generate only what the WSDL declares, without the X-Road management services profile.
    #[arg(long)]
    bare: bool,
    /// Add an operation that is not in the port type: NAME=INPUT,OUTPUT with elements in
    /// Clark notation (`{namespace}local`).
    #[arg(long, value_name = "NAME=INPUT,OUTPUT")]
    extra_operation: Vec<String>,
    /// MIME parts of an operation's request: NAME=Part,Part,… (`SoapMessage` first).
    #[arg(long, value_name = "NAME=PARTS")]
    parts: Vec<String>,
    /// Rust module for a namespace: URI=MODULE.
    #[arg(long, value_name = "URI=MODULE")]
    module: Vec<String>,
    /// Path of the support crate in generated code.
    #[arg(long, value_name = "PATH")]
    runtime_crate: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Error> {
    let options = options(cli)?;
    let model = xroad_codegen::parse::parse_file(&cli.wsdl, &options)?;
    let code = xroad_codegen::emit::emit(&model, &options)?;
    if cli.summary {
        eprint!("{}", xroad_codegen::summary(&model));
    }
    if cli.check {
        let current = std::fs::read_to_string(&cli.out).map_err(|source| Error::Read {
            path: cli.out.clone(),
            source,
        })?;
        let label = cli.out.display().to_string();
        return Ok(
            match xroad_codegen::check::short_diff(&current, &code, &label) {
                None => ExitCode::SUCCESS,
                Some(diff) => {
                    eprintln!(
                        "{label} is not what {} generates; regenerate it with\n  xroad-codegen {} -o {label}\n",
                        cli.wsdl.display(),
                        cli.wsdl.display()
                    );
                    eprint!("{diff}");
                    ExitCode::from(1)
                }
            },
        );
    }
    if cli.out.as_os_str() == "-" {
        print!("{code}");
    } else {
        xroad_codegen::write_if_changed(&cli.out, &code)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn options(cli: &Cli) -> Result<Options, Error> {
    let mut options = if cli.bare {
        Options::bare()
    } else {
        Options::default()
    };
    for spec in &cli.extra_operation {
        let (name, elements) = split_pair(spec, "--extra-operation", "NAME=INPUT,OUTPUT")?;
        let (input, output) = elements.split_once(',').ok_or_else(|| {
            Error::Options(format!(
                "--extra-operation `{spec}`: expected NAME=INPUT,OUTPUT"
            ))
        })?;
        options.extra_operation(ExtraOperation {
            name: name.to_owned(),
            input: clark(input, spec)?,
            output: clark(output, spec)?,
            doc: None,
        });
    }
    for spec in &cli.parts {
        let (name, parts) = split_pair(spec, "--parts", "NAME=PARTS")?;
        let parts: Vec<&str> = parts.split(',').map(str::trim).collect();
        options.mime_parts(name, &parts);
    }
    for spec in &cli.module {
        let (uri, module) = split_pair(spec, "--module", "URI=MODULE")?;
        options.module(uri, module);
    }
    if let Some(path) = &cli.runtime_crate {
        options.runtime_crate(path);
    }
    Ok(options)
}

fn split_pair<'a>(spec: &'a str, flag: &str, shape: &str) -> Result<(&'a str, &'a str), Error> {
    spec.rsplit_once('=')
        .filter(|(name, value)| !name.is_empty() && !value.is_empty())
        .ok_or_else(|| Error::Options(format!("{flag} `{spec}`: expected {shape}")))
}

/// Parses `{namespace}local` (or a bare `local` in no namespace).
fn clark(text: &str, spec: &str) -> Result<QName, Error> {
    let text = text.trim();
    let parsed = match text.strip_prefix('{') {
        Some(rest) => rest
            .split_once('}')
            .map(|(ns, local)| QName::new(ns, local)),
        None => Some(QName::new("", text)),
    };
    parsed.filter(|q| !q.local.is_empty()).ok_or_else(|| {
        Error::Options(format!(
            "`{spec}`: `{text}` is not an element name in Clark notation ({{namespace}}local)"
        ))
    })
}

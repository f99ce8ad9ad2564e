//! `xroad-codegen`: generates Rust bindings from WSDLs and XML schemas.
//!
//! ```text
//! xroad-codegen wsdl/centralservice.wsdl --compile-xroad-types --emit types \
//!     -o generated/mserv/src/bindings.rs
//! xroad-codegen wsdl/centralservice.wsdl --emit client,server --types-from ::xroad_mserv \
//!     -o generated/mserv-service/src/service.rs
//! ```
//!
//! Add `--check` to compare with the file instead of writing it. Warnings go to standard
//! error; they do not change the exit status.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use xroad_codegen::model::QName;
use xroad_codegen::{Error, ExtraOperation, OperationProfile, Options};

/// Generates typed Rust bindings from X-Road WSDLs and XML schemas.
#[derive(Debug, Parser)]
#[command(name = "xroad-codegen", version)]
struct Cli {
    /// The WSDL or schema files, generated together (they share their types).
    #[arg(required = true, value_name = "FILE")]
    wsdl: Vec<PathBuf>,
    /// An OASIS XML catalog mapping remote schema locations to local files (repeatable;
    /// asked in order).
    #[arg(long, value_name = "FILE")]
    catalog: Vec<PathBuf>,
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
    /// Generate only what the WSDL declares, without the X-Road management services profile:
    /// no operation is described, so only types are generated.
    #[arg(long)]
    bare: bool,
    /// Add an operation that is not in the port type: NAME=INPUT,OUTPUT with elements in
    /// Clark notation (`{namespace}local`).
    #[arg(long, value_name = "NAME=INPUT,OUTPUT")]
    extra_operation: Vec<String>,
    /// Describe an operation: NAME=ENDPOINT[:SIGNER,…], ENDPOINT `manage` (an X-Road message,
    /// whose response carries requestHash) or `registration` (posted directly, no
    /// requestHash), SIGNER among `client-owner`, `server-owner`, `new-owner`, `auth-key`, in
    /// part order. Replaces the profile's description of NAME.
    #[arg(long, value_name = "NAME=ENDPOINT[:SIGNERS]")]
    operation: Vec<String>,
    /// Rust module for a namespace: URI=MODULE.
    #[arg(long, value_name = "URI=MODULE")]
    module: Vec<String>,
    /// Do not generate the items of a namespace; refer to them in a Rust module instead:
    /// URI=PATH.
    #[arg(long, value_name = "URI=PATH")]
    extern_namespace: Vec<String>,
    /// Use this Rust type as the SOAP header instead of generating one.
    #[arg(long, value_name = "PATH")]
    extern_header: Option<String>,
    /// Generate the X-Road identifier types and the header instead of taking them from
    /// `xroad-mserv` (what `xroad-mserv` is generated with).
    #[arg(long)]
    compile_xroad_types: bool,
    /// Take the types from this crate, generated from the same WSDL, and generate none.
    #[arg(long, value_name = "PATH")]
    types_from: Option<String>,
    /// What to generate: a comma-separated list of `types`, `client`, `server` (default: all
    /// three; without `types` when `--types-from` is given).
    #[arg(long, value_name = "PARTS", value_delimiter = ',')]
    emit: Vec<String>,
    /// Path of the support crate in generated code.
    #[arg(long, value_name = "PATH")]
    runtime_crate: Option<String>,
    /// Path of the runtime crate in the generated client and server.
    #[arg(long, value_name = "PATH")]
    service_runtime: Option<String>,
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
    let model = xroad_codegen::parse::parse_files(&cli.wsdl, &options)?;
    let generated = xroad_codegen::generate_model(&model, &options)?;
    for warning in &generated.warnings {
        eprintln!("warning: {warning}");
    }
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
            match xroad_codegen::check::short_diff(&current, &generated.code, &label) {
                None => ExitCode::SUCCESS,
                Some(diff) => {
                    eprintln!(
                        "{label} is not what {} generates; regenerate it with\n  {}\n",
                        cli.wsdl
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                        regenerate_command()
                    );
                    eprint!("{diff}");
                    ExitCode::from(1)
                }
            },
        );
    }
    if cli.out.as_os_str() == "-" {
        print!("{}", generated.code);
    } else {
        xroad_codegen::write_if_changed(&cli.out, &generated.code)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// This command line without `--check`.
fn regenerate_command() -> String {
    let mut words = vec!["xroad-codegen".to_owned()];
    words.extend(
        std::env::args()
            .skip(1)
            .filter(|a| a != "--check")
            .map(|a| {
                if a.contains(|c: char| c.is_whitespace() || "{}$\"'".contains(c)) {
                    format!("'{a}'")
                } else {
                    a
                }
            }),
    );
    words.join(" ")
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
    for spec in &cli.operation {
        let (name, profile) = spec
            .split_once('=')
            .filter(|(name, profile)| !name.is_empty() && !profile.is_empty())
            .ok_or_else(|| {
                Error::Options(format!(
                    "--operation `{spec}`: expected NAME=ENDPOINT[:SIGNER,…]"
                ))
            })?;
        let profile: OperationProfile = profile
            .parse()
            .map_err(|e| Error::Options(format!("--operation `{name}`: {e}")))?;
        options.operation(name, profile);
    }
    for spec in &cli.module {
        let (uri, module) = split_pair(spec, "--module", "URI=MODULE")?;
        options.module(uri, module);
    }
    for catalog in &cli.catalog {
        options.catalog(catalog);
    }
    if cli.compile_xroad_types {
        options.compile_xroad_types();
    }
    for spec in &cli.extern_namespace {
        let (uri, path) = split_pair(spec, "--extern-namespace", "URI=PATH")?;
        options.extern_namespace(uri, path);
    }
    if let Some(path) = &cli.extern_header {
        options.extern_header(Some(path));
    }
    if let Some(path) = &cli.runtime_crate {
        options.runtime_crate(path);
    }
    if let Some(path) = &cli.service_runtime {
        options.service_runtime(path);
    }
    if !cli.emit.is_empty() {
        let mut emit = [false; 3];
        for part in &cli.emit {
            match part.trim() {
                "types" => emit[0] = true,
                "client" => emit[1] = true,
                "server" => emit[2] = true,
                other => {
                    return Err(Error::Options(format!(
                        "--emit `{other}`: expected a comma-separated list of `types`, \
                         `client`, `server`"
                    )));
                }
            }
        }
        options
            .emit_types(emit[0])
            .emit_client(emit[1])
            .emit_server(emit[2]);
    }
    if let Some(path) = &cli.types_from {
        if cli.emit.iter().any(|p| p.trim() == "types") {
            return Err(Error::Options(
                "--types-from takes the types from another crate: leave `types` out of --emit"
                    .into(),
            ));
        }
        options.types_from(path);
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

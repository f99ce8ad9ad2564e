//! `sandbox`: a central server on this machine for a first program to talk to.
//!
//! ```text
//! sandbox DIR
//! ```
//!
//! Writes a throw-away installation into `DIR` (created when missing; it must be empty): a
//! test PKI whose OCSP responder is served over HTTP on loopback by this process, the PEM
//! files of the central server and of the security server `SERVER:EE/GOV/TS1OWNER/TS1` (CA
//! `ca.pem`, the central server's TLS certificate `central-tls.pem`, the authentication key
//! `auth.pem`/`auth.key`, the signing keys of its owner `owner-sign.*`, of `EE/COM/MACK`
//! `mack-sign.*` and of `EE/GOV/CENTRAL` `central-sign.*`), `central.toml` and `ss.toml`.
//! Starts the central server (SQLite store `central.db`, auto-approve) with its registration
//! endpoint on 127.0.0.1:4001 and its manage endpoint on 127.0.0.1:4002, registers the
//! security server's authentication certificate (authCertReg, request 1) so that it may send
//! the other requests, prints where everything is, and serves until SIGTERM or Ctrl-C.
//!
//! The README's first-hour program sends its clientReg to it; so does
//! `security-server --config DIR/ss.toml …`. A failure prints the error with each cause and
//! exits with status 1 (a port in use: `Address already in use`); a usage error exits 64.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::filter::LevelFilter;
use xroad_central_server::RunningCentral;
use xroad_central_server::cli::{self, LogArgs};
use xroad_examples::sandbox::{Listen, SERVER, Sandbox};
use xroad_runtime::transport::{Endpoint, shutdown_signal};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The address the sandbox's security server registers.
const SERVER_ADDRESS: &str = "ss1.example.org";

#[derive(Parser)]
#[command(
    version,
    about = "Runs a central server on 127.0.0.1:4001 and :4002 with a throw-away PKI, its files \
             in DIR",
    after_help = cli::EXIT_STATUS_HELP
)]
struct Cli {
    /// The folder to write the PKI, the configuration and the database into: new or empty.
    dir: PathBuf,
    #[command(flatten)]
    log: LogArgs,
}

/// Why the sandbox did not start.
#[derive(Debug, thiserror::Error)]
enum SandboxError {
    /// The async runtime could not be built.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The folder could not be created or read.
    #[error("{}: cannot use the folder", .0.display())]
    Folder(PathBuf, #[source] std::io::Error),
    /// The folder holds files already.
    #[error(
        "{}: the folder is not empty; the sandbox writes a new PKI and database into a new or \
         empty folder",
        .0.display()
    )]
    NotEmpty(PathBuf),
}

fn main() -> ExitCode {
    let cli: Cli = cli::parse();
    if let Err(error) = cli.log.init(LevelFilter::WARN) {
        return cli::report_log_error("sandbox", &error);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return cli::report("sandbox", &SandboxError::Runtime(error)),
    };
    match runtime.block_on(run(&cli.dir)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => cli::report("sandbox", &*error),
    }
}

/// Creates `dir` when missing and fails unless it is empty.
fn new_folder(dir: &Path) -> Result<(), SandboxError> {
    let folder_error = |error| SandboxError::Folder(dir.to_owned(), error);
    std::fs::create_dir_all(dir).map_err(folder_error)?;
    if std::fs::read_dir(dir)
        .map_err(folder_error)?
        .next()
        .is_some()
    {
        return Err(SandboxError::NotEmpty(dir.to_owned()));
    }
    Ok(())
}

async fn run(dir: &Path) -> Result<(), Failure> {
    new_folder(dir)?;
    let sandbox = Sandbox::create_listening(dir, true, Listen::FIRST_HOUR)?;
    let central = match RunningCentral::start(&sandbox.central_config()).await {
        Ok(central) => central,
        Err(error) => {
            sandbox.shutdown().await;
            return Err(error);
        }
    };
    let registered = register(&sandbox, &central).await;
    if let Ok(request_id) = registered {
        print_summary(&sandbox, &central, request_id);
        shutdown_signal().await;
        println!("stopping");
    }
    central.stop().await;
    sandbox.shutdown().await;
    registered.map(drop)
}

/// Registers the security server's authentication certificate, as its administrator would
/// first; returns the request id.
async fn register(sandbox: &Sandbox, central: &RunningCentral) -> Result<i64, Failure> {
    let config = sandbox.security_config(central, SERVER)?;
    Ok(config
        .security_server()?
        .auth_cert_reg(SERVER_ADDRESS)
        .await?)
}

fn print_summary(sandbox: &Sandbox, central: &RunningCentral, request_id: i64) {
    let dir = sandbox.dir().display();
    println!("sandbox in {dir}");
    println!(
        "  PKI              test CA ca.pem, OCSP responder {}",
        sandbox.ocsp().url()
    );
    println!(
        "  central server   registration https://localhost:{}{}",
        central.registration.port(),
        Endpoint::Registration.default_path()
    );
    println!(
        "                   manage       https://localhost:{}{}",
        central.manage.port(),
        Endpoint::Manage.default_path()
    );
    if let Some(admin) = central.admin {
        println!("                   metrics      http://{admin}/metrics");
    }
    println!("                   {dir}/central.toml, SQLite store central.db, auto-approve");
    println!(
        "  security server  {SERVER} at {SERVER_ADDRESS}: authCertReg accepted as request \
         {request_id}; {dir}/ss.toml"
    );
    println!("serving until Ctrl-C");
}

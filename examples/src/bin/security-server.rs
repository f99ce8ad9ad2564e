//! `security-server`: sends management requests for one security server.
//!
//! ```text
//! security-server --config ss.toml auth-cert-reg --address HOST
//! security-server --config ss.toml client-reg SUBSYSTEM:EE/COM/x/y [--name NAME]
//! security-server --config ss.toml owner-change MEMBER:EE/COM/MACK
//! security-server --config ss.toml client-deletion SUBSYSTEM:EE/COM/x/y
//! security-server --config ss.toml auth-cert-deletion
//! security-server --config ss.toml address-change HOST
//! security-server --config ss.toml client-disable SUBSYSTEM:EE/COM/x/y
//! security-server --config ss.toml client-enable SUBSYSTEM:EE/COM/x/y
//! security-server --config ss.toml client-rename SUBSYSTEM:EE/COM/x/y NAME
//! security-server --config ss.toml maintenance-mode-enable [--message TEXT]
//! security-server --config ss.toml maintenance-mode-disable
//! ```
//!
//! Prints the request id. On a SOAP fault (any `faultcode`, X-Road's or another) prints its
//! code and reason and exits with status 2; other failures (configuration, network) print the
//! error with each cause and exit with status 1; a usage error (command line or `RUST_LOG`)
//! exits with status 64. `-v` logs the request (info), `-vv` and `-vvv` more (debug, trace);
//! `--log-format json` logs JSON lines.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use tracing_subscriber::filter::LevelFilter;
use xroad_central_server::cli::{self, LogArgs};
use xroad_examples::security::config::LoadedSecurityConfig;
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::fault::ErrorChain;

#[derive(Parser)]
#[command(
    version,
    about = "Sends X-Road management requests for a security server",
    after_help = cli::EXIT_STATUS_HELP
)]
struct Cli {
    /// The configuration file.
    #[arg(long, short)]
    config: PathBuf,
    #[command(flatten)]
    log: LogArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Registers the authentication certificate (authCertReg).
    AuthCertReg {
        /// The security server's address: an IP address or a host name.
        #[arg(long)]
        address: String,
    },
    /// Registers a client (clientReg), signed by the client's member.
    ClientReg {
        /// The client, e.g. SUBSYSTEM:EE/COM/MACK/billing.
        client: XRoadClientIdentifierType,
        /// The subsystem's name (PR-MSERV 1.18 and later).
        #[arg(long)]
        name: Option<String>,
    },
    /// Changes the owner (ownerChange), signed by the new owner.
    OwnerChange {
        /// The new owner, e.g. MEMBER:EE/COM/MACK.
        owner: XRoadClientIdentifierType,
    },
    /// Deletes a client (clientDeletion).
    ClientDeletion {
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// Deletes the authentication certificate (authCertDeletion).
    AuthCertDeletion,
    /// Changes the security server's address (addressChange), signed by the owner.
    AddressChange {
        /// The new address: an IP address or a host name.
        address: String,
    },
    /// Disables a client temporarily (clientDisable), signed by the client's member.
    ClientDisable {
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// Enables a disabled client (clientEnable), signed by the client's member.
    ClientEnable {
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// Renames a subsystem client (clientRename), signed by the client's member.
    ClientRename {
        /// The subsystem.
        client: XRoadClientIdentifierType,
        /// Its new name.
        name: String,
    },
    /// Puts the security server into maintenance mode (maintenanceModeEnable), signed by
    /// the owner.
    MaintenanceModeEnable {
        /// A message for the server's clients, e.g. when maintenance ends.
        #[arg(long)]
        message: Option<String>,
    },
    /// Takes the security server out of maintenance mode (maintenanceModeDisable), signed by
    /// the owner.
    MaintenanceModeDisable,
}

impl Command {
    /// The management service the command requests.
    const fn service(&self) -> &'static str {
        match self {
            Command::AuthCertReg { .. } => "authCertReg",
            Command::ClientReg { .. } => "clientReg",
            Command::OwnerChange { .. } => "ownerChange",
            Command::ClientDeletion { .. } => "clientDeletion",
            Command::AuthCertDeletion => "authCertDeletion",
            Command::AddressChange { .. } => "addressChange",
            Command::ClientDisable { .. } => "clientDisable",
            Command::ClientEnable { .. } => "clientEnable",
            Command::ClientRename { .. } => "clientRename",
            Command::MaintenanceModeEnable { .. } => "maintenanceModeEnable",
            Command::MaintenanceModeDisable => "maintenanceModeDisable",
        }
    }
}

type Failure = Box<dyn std::error::Error>;

/// The tokio runtime could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the async runtime")]
struct NoRuntime(#[source] std::io::Error);

fn main() -> ExitCode {
    let cli: Cli = cli::parse();
    if let Err(error) = cli.log.init(LevelFilter::WARN) {
        return cli::report_log_error("security-server", &error);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return cli::report("security-server", &NoRuntime(error)),
    };
    match runtime.block_on(run(cli)) {
        Ok(request_id) => {
            println!("{request_id}");
            ExitCode::SUCCESS
        }
        Err(Outcome::Fault(code, reason)) => {
            eprintln!("fault {code}: {reason}");
            ExitCode::from(cli::EXIT_FAULT)
        }
        Err(Outcome::Failed(error)) => cli::report("security-server", &*error),
    }
}

enum Outcome {
    Fault(String, String),
    Failed(Failure),
}

impl<E: Into<Failure>> From<E> for Outcome {
    fn from(error: E) -> Self {
        Outcome::Failed(error.into())
    }
}

async fn run(cli: Cli) -> Result<i64, Outcome> {
    let loaded = LoadedSecurityConfig::load(&cli.config)?;
    let server = loaded.security_server()?;
    let service = cli.command.service();
    let started = Instant::now();
    tracing::info!(service, config = %cli.config.display(), "sending request");
    let result = match cli.command {
        Command::AuthCertReg { address } => server.auth_cert_reg(&address).await,
        Command::ClientReg { client, name: None } => server.client_reg(&client).await,
        Command::ClientReg {
            client,
            name: Some(name),
        } => server.client_reg_named(&client, &name).await,
        Command::OwnerChange { owner } => server.owner_change(&owner).await,
        Command::ClientDeletion { client } => server.client_deletion(&client).await,
        Command::AuthCertDeletion => server.auth_cert_deletion().await,
        Command::AddressChange { address } => server.address_change(&address).await,
        Command::ClientDisable { client } => server.client_disable(&client).await,
        Command::ClientEnable { client } => server.client_enable(&client).await,
        Command::ClientRename { client, name } => server.client_rename(&client, &name).await,
        Command::MaintenanceModeEnable { message } => {
            server.maintenance_mode_enable(message.as_deref()).await
        }
        Command::MaintenanceModeDisable => server.maintenance_mode_disable().await,
    };
    let duration_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    match &result {
        Ok(request_id) => tracing::info!(service, request_id, duration_ms, "request accepted"),
        Err(error) => {
            let error = ErrorChain(error);
            tracing::info!(service, duration_ms, %error, "request failed")
        }
    }
    result.map_err(|error| match error.soap_fault() {
        Some((code, reason)) => Outcome::Fault(code.to_owned(), reason.to_owned()),
        None => Outcome::Failed(error.into()),
    })
}

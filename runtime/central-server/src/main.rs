//! `central-server`: the example central server.
//!
//! ```text
//! central-server --config central.toml                 serve the management services
//! central-server --config central.toml requests list   list stored requests
//! central-server --config central.toml requests approve ID | decline ID | revoke ID
//! central-server --config central.toml registry        print the registry
//! central-server --config central.toml verify-log [ID] verify the message log
//! central-server --config central.toml verify-log --database FILE [ID]
//!                                                      verify an archive
//! central-server --config central.toml archive --before DATE FILE
//!                                                      move the log before DATE to FILE
//! ```
//!
//! The inspecting commands read only what they need of the configuration (the database and
//! the management service provider), and refuse a database that does not exist. `-v` logs
//! more (debug, then trace), `--log-format json` logs JSON lines; `RUST_LOG`, when set,
//! chooses what is logged. Exit status: 0 success, 1 failure (configuration, store,
//! listening, a verification that found changes), 64 usage error (command line or
//! `RUST_LOG`); see [`xroad_central_server::cli`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Parser, Subcommand};
use tracing_subscriber::filter::LevelFilter;
use xroad_central_server::cli::{self, LogArgs};
use xroad_central_server::config::LoadedConfig;
use xroad_central_server::service::CentralService;
use xroad_central_server::store::{MaintenanceMode, RequestFilter, Service, Status, Store};
use xroad_central_server::verify_log::verify_record;
use xroad_mserv_service::centralservice_server::CentralserviceServer;
use xroad_runtime::service::ServiceHandler;
use xroad_runtime::transport::{Endpoint, Server, shutdown_signal};
use xroad_runtime::verify::Verifier;

#[derive(Parser)]
#[command(
    version,
    about = "Example X-Road central server for the management services",
    after_help = cli::EXIT_STATUS_HELP
)]
struct Cli {
    /// The configuration file.
    #[arg(long, short)]
    config: PathBuf,
    #[command(flatten)]
    log: LogArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the management services until SIGTERM or Ctrl-C (the default).
    Serve,
    /// Inspect and decide stored requests.
    Requests {
        #[command(subcommand)]
        action: RequestsCommand,
    },
    /// Print the registry: security servers with address, maintenance mode, authentication
    /// certificates, and clients (enabled or disabled, subsystem names).
    Registry,
    /// Verify the message log: its hash chain, request ids, statuses and the registry
    /// derived from it, and each stored request (all, or one) against its signed parts.
    VerifyLog {
        /// The request id.
        id: Option<i64>,
        /// Verify this database (an archive) instead of the configured one.
        #[arg(long, value_name = "FILE")]
        database: Option<PathBuf>,
    },
    /// Move the message log before a date (requests, their message parts, decisions and
    /// chain entries) to a new SQLite file, and remove it from the live tables. The log must
    /// verify; the live log goes on from a checkpoint of the cut.
    Archive {
        /// The date (YYYY-MM-DD, UTC): everything before its start that can go is archived.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        before: SystemTime,
        /// The archive file to create.
        file: PathBuf,
    },
}

fn parse_date(text: &str) -> Result<SystemTime, String> {
    xroad_central_server::date::parse_date(text).map_err(|error| error.to_string())
}

#[derive(Subcommand)]
enum RequestsCommand {
    /// List requests, oldest first.
    List {
        /// Only requests with this status (e.g. "SUBMITTED FOR APPROVAL").
        #[arg(long)]
        status: Option<Status>,
        /// Only requests of this service (e.g. clientReg).
        #[arg(long, value_parser = parse_service)]
        service: Option<Service>,
    },
    /// Approve a request and apply it to the registry.
    Approve {
        /// The request id.
        id: i64,
    },
    /// Decline a request.
    Decline {
        /// The request id.
        id: i64,
    },
    /// Revoke a request still waiting for approval.
    Revoke {
        /// The request id.
        id: i64,
    },
}

fn parse_service(text: &str) -> Result<Service, String> {
    text.parse().map_err(|_| {
        let names: Vec<_> = Service::ALL.iter().map(|s| s.as_str()).collect();
        format!(
            "unknown service `{text}`; expected one of {}",
            names.join(", ")
        )
    })
}

type Failure = Box<dyn std::error::Error>;

/// A read-only command was given a database that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("database {} does not exist (`serve` creates it)", .0.display())]
struct NoDatabase(PathBuf);

fn main() -> ExitCode {
    let cli: Cli = cli::parse();
    if let Err(error) = cli.log.init(LevelFilter::INFO) {
        return cli::report_log_error("central-server", &error);
    }
    match run(cli) {
        Ok(code) => code,
        Err(error) => cli::report("central-server", &*error),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let loaded = LoadedConfig::load(&cli.config)?;
    let command = cli.command.unwrap_or(Command::Serve);
    if !matches!(command, Command::Serve)
        && let Some(path) = loaded.database()?.sqlite()
        && !path.exists()
    {
        return Err(NoDatabase(path.to_owned()).into());
    }
    match command {
        Command::Serve => serve(&loaded),
        Command::Requests { action } => requests(&loaded, action),
        Command::Registry => registry(&loaded),
        Command::VerifyLog { id, database } => verify_log(&loaded, id, database.as_deref()),
        Command::Archive { before, file } => archive(&loaded, before, &file),
    }
}

fn verifier(loaded: &LoadedConfig) -> Result<Verifier, Failure> {
    Ok(Verifier::new(
        loaded.verifier_config()?,
        loaded.trust_store()?,
        loaded.ocsp_verifier()?,
    ))
}

/// The store of `loaded`, with its management service provider.
fn open_store(loaded: &LoadedConfig) -> Result<Store, Failure> {
    let provider = loaded.verifier_config()?.management_service_provider;
    Ok(loaded.database()?.open(provider, loaded.config.store)?)
}

fn serve(loaded: &LoadedConfig) -> Result<ExitCode, Failure> {
    let verifier = verifier(loaded)?;
    let server_config = loaded.server_config()?;
    let store = open_store(loaded)?;
    let service = CentralService::new(store, loaded.config.auto_approve);
    let handler = ServiceHandler::new(
        CentralserviceServer::new(service.clone()),
        service,
        verifier,
        loaded.manage_trust(),
    );
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let server = Server::bind(server_config, handler).await?;
        let registration = server.local_addr(Endpoint::Registration);
        let manage = server.local_addr(Endpoint::Manage);
        println!(
            "registration endpoint https://{registration}{}",
            Endpoint::Registration.default_path()
        );
        println!(
            "manage endpoint https://{manage}{}",
            Endpoint::Manage.default_path()
        );
        if let Some(admin) = server.admin_addr() {
            println!("metrics http://{admin}/metrics");
        }
        tracing::info!(%registration, %manage, "central server started");
        server.run_until(shutdown_signal()).await;
        tracing::info!("central server stopped");
        Ok::<_, Failure>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn requests(loaded: &LoadedConfig, action: RequestsCommand) -> Result<ExitCode, Failure> {
    let store = open_store(loaded)?;
    match action {
        RequestsCommand::List { status, service } => {
            let filter = RequestFilter {
                service,
                status,
                ..RequestFilter::default()
            };
            for record in store.requests(&filter)? {
                let line = format!(
                    "{:>6}  {:<22} {:<24} {}  {}",
                    record.id,
                    record.service().as_str(),
                    record.status.as_str(),
                    record.request.server(),
                    record.request.subject()
                );
                println!("{}", line.trim_end());
            }
        }
        RequestsCommand::Approve { id } => {
            store.approve(id)?;
            println!("request {id} approved");
        }
        RequestsCommand::Decline { id } => {
            store.decline(id)?;
            println!("request {id} declined");
        }
        RequestsCommand::Revoke { id } => {
            store.revoke(id)?;
            println!("request {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn registry(loaded: &LoadedConfig) -> Result<ExitCode, Failure> {
    let store = open_store(loaded)?;
    for server in store.registry()? {
        println!("{}", server.id);
        println!("  owner    {}", server.owner);
        if let Some(address) = &server.address {
            println!("  address  {address}");
        }
        match &server.maintenance {
            None => println!("  maintenance off"),
            Some(MaintenanceMode { message: None }) => println!("  maintenance on"),
            Some(MaintenanceMode {
                message: Some(message),
            }) => println!("  maintenance on, message {message:?}"),
        }
        for cert in &server.auth_certs {
            let subject = openssl::x509::X509::from_der(cert)
                .map(|c| xroad_runtime::cert::distinguished_name(c.subject_name()))
                .unwrap_or_else(|e| format!("unreadable certificate: {e}"));
            println!("  auth     {subject}");
        }
        for client in &server.clients {
            let state = if client.enabled {
                "enabled"
            } else {
                "disabled"
            };
            match &client.subsystem_name {
                Some(name) => println!("  client   {}  {state}  named {name:?}", client.id),
                None => println!("  client   {}  {state}", client.id),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn verify_log(
    loaded: &LoadedConfig,
    id: Option<i64>,
    database: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let verifier = verifier(loaded)?;
    let store = match database {
        None => open_store(loaded)?,
        Some(path) => {
            if !path.exists() {
                return Err(format!("{}: no such database", path.display()).into());
            }
            Store::open(path, loaded.verifier_config()?.management_service_provider)?
        }
    };
    // An archive's head must be the cut the live log's checkpoint recorded (when the live
    // log still holds that checkpoint; a later archive holds it otherwise).
    let live = match database {
        Some(_) if id.is_none() => Some(open_store(loaded)?),
        _ => None,
    };
    let records = match id {
        Some(id) => vec![
            store
                .request(id)?
                .ok_or_else(|| format!("no request {id}"))?,
        ],
        None => store.requests(&RequestFilter::default())?,
    };
    let mut failures = 0usize;
    for record in &records {
        let Some(logged) = store.message_log(record.id)? else {
            println!("{:>6}  FAILED  no message log", record.id);
            failures += 1;
            continue;
        };
        match verify_record(&verifier, record, &logged) {
            Ok(()) => println!("{:>6}  ok      {}", record.id, record.service().as_str()),
            Err(mismatch) => {
                failures += 1;
                println!("{:>6}  FAILED  {mismatch}", record.id);
            }
        }
    }
    println!("{} verified, {failures} failed", records.len() - failures);
    if id.is_some() {
        return Ok(exit_code(failures == 0));
    }
    let audit = store.audit()?;
    for finding in &audit.findings {
        println!("CHANGED  {finding}");
    }
    let mut anchored = true;
    if let Some(live) = live {
        let (position, _) = audit.head;
        match live.archive_cut(position)? {
            Some(hash) if hash == audit.head.1 => {
                println!("archive head {position} is the cut the live log's checkpoint records")
            }
            Some(_) => {
                anchored = false;
                println!(
                    "CHANGED  the archive's head (entry {position}) is not the cut the live \
                     log's checkpoint records: the archive was replaced or rewritten"
                );
            }
            None => println!(
                "the live log records no cut at entry {position} (a later archive holds its \
                 checkpoint)"
            ),
        }
    }
    println!(
        "log chain: {} entries, head {} {}; {} changes found",
        audit.entries,
        audit.head.0,
        audit.head_hex(),
        audit.findings.len()
    );
    Ok(exit_code(
        failures == 0 && audit.findings.is_empty() && anchored,
    ))
}

/// Verifies each request received before `before` against its signed parts, then moves the
/// log before it to `file` (the store audits the whole log in the same transaction).
fn archive(loaded: &LoadedConfig, before: SystemTime, file: &Path) -> Result<ExitCode, Failure> {
    let verifier = verifier(loaded)?;
    let store = open_store(loaded)?;
    for record in store.requests(&RequestFilter::default())? {
        if record.received_at >= before {
            continue;
        }
        let logged = store.message_log(record.id)?.ok_or_else(|| {
            format!(
                "request {}: no message log; nothing was archived",
                record.id
            )
        })?;
        verify_record(&verifier, &record, &logged).map_err(|mismatch| {
            format!(
                "request {}: {mismatch}; nothing was archived: run verify-log",
                record.id
            )
        })?;
    }
    let archived = store.archive(before, file)?;
    println!(
        "archived log entries {} to {} ({} requests, up to request {}) to {}",
        archived.entries.0,
        archived.entries.1,
        archived.requests,
        archived.last_request,
        file.display()
    );
    println!(
        "the live log goes on from checkpoint entry {}",
        archived.checkpoint
    );
    Ok(ExitCode::SUCCESS)
}

fn exit_code(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

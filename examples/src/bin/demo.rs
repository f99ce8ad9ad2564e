//! `demo`: the management services of PR-MSERV 1.20 end to end on one machine.
//!
//! Creates a throw-away PKI with an OCSP responder over HTTP in a temporary folder, starts
//! the central server on loopback (SQLite store, auto-approve), and runs the eleven services
//! through the generated client in the order a security server's life gives them:
//! authCertReg; clientReg in the PR-MSERV 1.15 shape (no name) and with a subsystem name;
//! clientDisable, clientRename, maintenanceModeEnable, clientEnable, maintenanceModeDisable;
//! clientReg of the new owner, then ownerChange; addressChange signed by the new owner; clientDeletion; authCertDeletion —
//! plus one tampered request that the central server refuses. After each step it checks the
//! registry and prints the request id and what changed; at the end it prints the registry
//! (address, maintenance mode, clients enabled or disabled with their subsystem names) and
//! verifies every stored request again from its message log. Exits 0 only when every step
//! went as expected, 1 otherwise; leaves nothing running.
//!
//! `cargo run --release -p xroad-examples --bin demo`
//!
//! `-v` shows the central server's log (info, `-vv` debug, `-vvv` trace), `--log-format
//! json` as JSON lines. A failure prints the error with each cause.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use tracing_subscriber::filter::LevelFilter;
use xroad_central_server::cli::{self, LogArgs};

use xroad_central_server::RunningCentral;
use xroad_central_server::config::LoadedConfig;
use xroad_central_server::store::{ClientRecord, RequestFilter, ServerRecord};
use xroad_central_server::verify_log::verify_record;
use xroad_examples::sandbox::{
    MACK, MACK_SUBSYSTEM, OWNER, SERVER, SERVER_AFTER_OWNER_CHANGE, Sandbox,
};
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::fault::{ErrorChain, FaultCode};
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::transport::Endpoint;
use xroad_runtime::verify::Verifier;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The owner's own subsystem, registered with a name.
const PORTAL: &str = "SUBSYSTEM:EE/GOV/TS1OWNER/portal";
/// Bound on all the steps together; they take well under a second.
const STEPS_BOUND: Duration = Duration::from_secs(60);

#[derive(Parser)]
#[command(
    version,
    about = "The X-Road management services end to end on one machine, with a throw-away PKI",
    after_help = cli::EXIT_STATUS_HELP
)]
struct Cli {
    #[command(flatten)]
    log: LogArgs,
}

/// The tokio runtime could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot start the async runtime")]
struct NoRuntime(#[source] std::io::Error);

fn main() -> ExitCode {
    let cli: Cli = cli::parse();
    if let Err(error) = cli.log.init(LevelFilter::WARN) {
        return cli::report_log_error("demo", &error);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => return cli::report("demo", &NoRuntime(error)),
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => cli::report("demo", &*error),
    }
}

async fn run() -> Result<(), Failure> {
    let started = Instant::now();
    let folder = tempfile::Builder::new().prefix("xroad-demo-").tempdir()?;
    println!("X-Road management services demo (PR-MSERV 1.20)\n");

    let sandbox = Sandbox::create(folder.path(), true)?;
    println!(
        "PKI       test CA, OCSP responder {}, files in {}",
        sandbox.ocsp().url(),
        folder.path().display()
    );
    let central = RunningCentral::start(&sandbox.central_config()).await?;
    println!(
        "central   registration https://{}/managementservice/, manage https://{}/managementservice/manage/",
        central.registration, central.manage
    );
    println!("          SQLite store, auto-approve\n");

    let outcome = match tokio::time::timeout(STEPS_BOUND, steps(&sandbox, &central)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(format!("the steps took longer than {STEPS_BOUND:?}").into()),
    };
    let report = report(&sandbox, &central);
    central.stop().await;
    sandbox.shutdown().await;
    outcome?;
    report?;
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The steps, each checked against the registry.
async fn steps(sandbox: &Sandbox, central: &RunningCentral) -> Result<(), Failure> {
    let mut demo = Demo {
        central,
        next_id: 1,
    };
    let config = sandbox.security_config(central, SERVER)?;
    let ss = config.security_server()?;
    let mack: XRoadClientIdentifierType = MACK.parse()?;
    let billing: XRoadClientIdentifierType = MACK_SUBSYSTEM.parse()?;
    let portal: XRoadClientIdentifierType = PORTAL.parse()?;

    let id = ss.auth_cert_reg("ss1.example.org").await?;
    let server = demo.server()?;
    check(
        server.id.to_string() == SERVER
            && server.address.as_deref() == Some("ss1.example.org")
            && server.auth_certs.len() == 1,
        "authCertReg did not register the server at its address",
    )?;
    demo.step(
        "authCertReg",
        &format!("{SERVER} at ss1.example.org"),
        id,
        "server registered at ss1.example.org, 1 authentication certificate",
    )?;

    // PR-MSERV 1.15 shape: no subsystemName in the request, none in the response.
    let response = ss.client().client_reg(ss.client_reg_body(&billing)).await?;
    check(
        response.0.subsystem_name.is_none(),
        "the response to a clientReg without subsystemName has one",
    )?;
    let id = response
        .request_id()
        .ok_or("the clientReg response has no id")?;
    let client = demo.client(&billing)?;
    check(
        client.enabled && client.subsystem_name.is_none(),
        "clientReg did not register the client enabled and unnamed",
    )?;
    demo.step(
        "clientReg",
        &format!("{MACK_SUBSYSTEM} (1.15: no name)"),
        id,
        "client enabled",
    )?;

    // A clientReg whose SOAP part is changed after signing: the signature no longer holds.
    let stored = central.store.max_request_id()?;
    let mut tampered = ss.prepare_client_reg(&billing).await?;
    tamper(&mut tampered.message.body, b"billing", b"bi11ing")?;
    let mut connection = ss.client().inner().connect(Endpoint::Manage).await?;
    match connection.send(&tampered).await {
        Err(error) => match error.fault() {
            Some(fault) if fault.code == FaultCode::InvalidSignatureValue => {
                check(
                    central.store.max_request_id()? == stored,
                    "the tampered request was stored",
                )?;
                println!(
                    "   -  {:<22} {:<50} refused, nothing stored",
                    "clientReg (tampered)", "billing → bi11ing after signing"
                );
                println!("        {} — {}", fault.code, fault.reason);
            }
            _ => {
                return Err(format!(
                    "the tampered request failed otherwise: {}",
                    ErrorChain(&error)
                )
                .into());
            }
        },
        Ok(response) => {
            return Err(format!(
                "the tampered request was accepted as {:?}",
                response.request_id()
            )
            .into());
        }
    }

    let id = ss.client_reg_named(&portal, "Citizen portal").await?;
    let client = demo.client(&portal)?;
    check(
        client.enabled && client.subsystem_name.as_deref() == Some("Citizen portal"),
        "clientReg did not store the subsystem's name",
    )?;
    demo.step(
        "clientReg",
        &format!("{PORTAL} \"Citizen portal\""),
        id,
        "client enabled, named \"Citizen portal\"",
    )?;

    let id = ss.client_disable(&billing).await?;
    check(
        !demo.client(&billing)?.enabled,
        "clientDisable left the client enabled",
    )?;
    demo.step("clientDisable", MACK_SUBSYSTEM, id, "client disabled")?;

    let id = ss.client_rename(&billing, "Billing").await?;
    let client = demo.client(&billing)?;
    check(
        client.subsystem_name.as_deref() == Some("Billing") && !client.enabled,
        "clientRename did not rename the disabled subsystem",
    )?;
    demo.step(
        "clientRename",
        &format!("{MACK_SUBSYSTEM} → \"Billing\""),
        id,
        "named \"Billing\", still disabled",
    )?;

    let id = ss.maintenance_mode_enable(Some("back at 18:00")).await?;
    let maintenance = demo.server()?.maintenance;
    check(
        maintenance.and_then(|mode| mode.message).as_deref() == Some("back at 18:00"),
        "maintenanceModeEnable did not put the server into maintenance mode with its message",
    )?;
    demo.step(
        "maintenanceModeEnable",
        "message \"back at 18:00\"",
        id,
        "maintenance on, message \"back at 18:00\"",
    )?;

    let id = ss.client_enable(&billing).await?;
    check(
        demo.client(&billing)?.enabled,
        "clientEnable left the client disabled",
    )?;
    demo.step("clientEnable", MACK_SUBSYSTEM, id, "client enabled")?;

    let id = ss.maintenance_mode_disable().await?;
    check(
        demo.server()?.maintenance.is_none(),
        "maintenanceModeDisable left the server in maintenance mode",
    )?;
    demo.step("maintenanceModeDisable", SERVER, id, "maintenance off")?;

    // Only a client of the server can become its owner: MACK, the member, first.
    let id = ss.client_reg(&mack).await?;
    check(
        demo.client(&mack)?.enabled,
        "clientReg did not register MACK",
    )?;
    demo.step("clientReg", MACK, id, "client registered")?;

    let id = ss.owner_change(&mack).await?;
    let server = demo.server()?;
    check(
        server.id.to_string() == SERVER_AFTER_OWNER_CHANGE
            && server.owner == mack
            && server.clients.iter().all(|c| c.id != mack)
            && server.clients.iter().any(|c| c.id.to_string() == OWNER),
        "ownerChange did not make MACK the owner and the old owner a client",
    )?;
    demo.step(
        "ownerChange",
        MACK,
        id,
        &format!("the server is now {SERVER_AFTER_OWNER_CHANGE}; the old owner is a client"),
    )?;

    // The server now belongs to MACK: it sends as its new owner, who signs addressChange.
    let config = sandbox.security_config(central, SERVER_AFTER_OWNER_CHANGE)?;
    let ss = config.security_server()?;
    let id = ss.address_change("ss2.example.org").await?;
    check(
        demo.server()?.address.as_deref() == Some("ss2.example.org"),
        "addressChange did not change the address",
    )?;
    demo.step(
        "addressChange",
        "ss2.example.org (signed by MACK)",
        id,
        "address ss2.example.org",
    )?;

    let id = ss.client_deletion(&portal).await?;
    check(
        demo.server()?.clients.iter().all(|c| c.id != portal),
        "clientDeletion left the client registered",
    )?;
    demo.step("clientDeletion", PORTAL, id, "client removed")?;

    let id = ss.auth_cert_deletion().await?;
    check(
        demo.server()?.auth_certs.is_empty(),
        "authCertDeletion left the certificate registered",
    )?;
    demo.step(
        "authCertDeletion",
        SERVER_AFTER_OWNER_CHANGE,
        id,
        "no authentication certificate",
    )?;
    Ok(())
}

/// Prints the registry, and verifies every stored request again from its message log.
fn report(sandbox: &Sandbox, central: &RunningCentral) -> Result<(), Failure> {
    println!("\nregistry");
    for server in central.store.registry()? {
        println!("  {}", server.id);
        println!("    owner        {}", server.owner);
        if let Some(address) = &server.address {
            println!("    address      {address}");
        }
        match server
            .maintenance
            .as_ref()
            .map(|mode| mode.message.as_deref())
        {
            None => println!("    maintenance  off"),
            Some(None) => println!("    maintenance  on"),
            Some(Some(message)) => println!("    maintenance  on, message {message:?}"),
        }
        println!(
            "    authentication certificates: {}",
            server.auth_certs.len()
        );
        for client in &server.clients {
            let state = if client.enabled {
                "enabled"
            } else {
                "disabled"
            };
            match &client.subsystem_name {
                Some(name) => println!("    client       {}  {state}  named {name:?}", client.id),
                None => println!("    client       {}  {state}", client.id),
            }
        }
    }
    let loaded = LoadedConfig::load(&sandbox.central_config())?;
    let verifier = Verifier::new(
        loaded.verifier_config()?,
        loaded.trust_store()?,
        loaded.ocsp_verifier()?,
    );
    let requests = central.store.requests(&RequestFilter::default())?;
    let mut failed = Vec::new();
    for record in &requests {
        let verified = match central.store.message_log(record.id)? {
            Some(logged) => verify_record(&verifier, record, &logged).map_err(|f| f.to_string()),
            None => Err("no message log".to_owned()),
        };
        if let Err(why) = verified {
            failed.push(format!("request {}: {why}", record.id));
        }
    }
    println!(
        "requests stored: {}; verified again from the message log: {} ok, {} failed",
        requests.len(),
        requests.len() - failed.len(),
        failed.len()
    );
    check(
        failed.is_empty(),
        &format!("the message log does not verify: {}", failed.join("; ")),
    )
}

/// The demo's progress: the central server, and the request id the next step should get.
struct Demo<'a> {
    central: &'a RunningCentral,
    next_id: i64,
}

impl Demo<'_> {
    /// Prints a step that the central server accepted as `request_id`, after checking that
    /// it is the next id, and `effect`, what the registry shows now.
    fn step(
        &mut self,
        service: &str,
        request: &str,
        request_id: i64,
        effect: &str,
    ) -> Result<(), Failure> {
        check(
            request_id == self.next_id,
            &format!(
                "{service} got request id {request_id}, expected {}",
                self.next_id
            ),
        )?;
        println!(
            "  {:>2}  {service:<22} {request:<50} requestId {request_id}",
            self.next_id
        );
        println!("        {effect}");
        self.next_id += 1;
        Ok(())
    }

    /// The only security server in the registry.
    fn server(&self) -> Result<ServerRecord, Failure> {
        let mut registry = self.central.store.registry()?;
        if registry.len() != 1 {
            return Err(format!("the registry holds {} servers, not 1", registry.len()).into());
        }
        Ok(registry.remove(0))
    }

    /// The client `id` of the only security server.
    fn client(&self, id: &XRoadClientIdentifierType) -> Result<ClientRecord, Failure> {
        self.server()?
            .clients
            .into_iter()
            .find(|client| client.id == *id)
            .ok_or_else(|| format!("{id} is not a client of the server").into())
    }
}

/// Fails with `what` unless `condition` holds.
fn check(condition: bool, what: &str) -> Result<(), Failure> {
    if condition { Ok(()) } else { Err(what.into()) }
}

/// Replaces the first `from` in `body` with `to` (same length).
fn tamper(body: &mut [u8], from: &[u8], to: &[u8]) -> Result<(), Failure> {
    let at = body
        .windows(from.len())
        .position(|w| w == from)
        .ok_or("the text to tamper with is not in the request")?;
    body[at..at + to.len()].copy_from_slice(to);
    Ok(())
}

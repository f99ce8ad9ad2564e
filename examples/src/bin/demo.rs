//! `demo`: the management services end to end on one machine.
//!
//! Creates a throw-away PKI with an OCSP responder over HTTP in a temporary folder, starts
//! the central server on loopback (SQLite store, auto-approve), and runs the five services
//! in the order a security server's life gives them — authCertReg, clientReg, ownerChange,
//! clientDeletion, authCertDeletion — through the management client, plus one tampered
//! request that the central server refuses. Prints each step and the final registry; exits
//! 0 when every step went as expected; leaves nothing running.
//!
//! `cargo run --release -p xroad-examples --bin demo`

use std::process::ExitCode;
use std::time::Instant;

use xroad_central_server::RunningCentral;
use xroad_examples::sandbox::{MACK, MACK_SUBSYSTEM, SERVER, SERVER_AFTER_OWNER_CHANGE, Sandbox};
use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::fault::FaultCode;
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::transport::Endpoint;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("demo: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("demo: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Failure> {
    let started = Instant::now();
    let folder = tempfile::Builder::new().prefix("xroad-demo-").tempdir()?;
    println!("X-Road management services demo (PR-MSERV 1.15)\n");

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

    let outcome = steps(&sandbox, &central).await;

    println!("\nregistry");
    for server in central.store.registry()? {
        println!("  {}  owner {}", server.id, server.owner);
        if let Some(address) = &server.address {
            println!("    address  {address}");
        }
        println!(
            "    authentication certificates: {}",
            server.auth_certs.len()
        );
        for client in &server.clients {
            println!("    client   {}", client.id);
        }
    }
    let requests = central.store.requests(&Default::default())?;
    println!("requests stored: {}", requests.len());
    central.stop().await;
    sandbox.shutdown().await;
    outcome?;
    println!("\ndone in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn steps(sandbox: &Sandbox, central: &RunningCentral) -> Result<(), Failure> {
    let config = sandbox.security_config(central, SERVER)?;
    let client = config.security_server()?;
    let mack: XRoadClientIdentifierType = MACK.parse()?;
    let subsystem: XRoadClientIdentifierType = MACK_SUBSYSTEM.parse()?;

    let id = client.auth_cert_reg("ss1.example.org").await?;
    step(
        1,
        "authCertReg",
        &format!("{SERVER} at ss1.example.org"),
        id,
    );

    let id = client.client_reg(&subsystem).await?;
    step(2, "clientReg", MACK_SUBSYSTEM, id);

    // A clientReg whose SOAP part is changed after signing: the signature no longer holds.
    let mut tampered = client.prepare_client_reg(&subsystem).await?;
    tamper(&mut tampered.message.body, b"billing", b"bi11ing")?;
    let mut connection = client.client().inner().connect(Endpoint::Manage).await?;
    match connection.send(&tampered).await {
        Err(error) => match error.fault() {
            Some(fault) if fault.code == FaultCode::InvalidSignatureValue => {
                println!(
                    "  -  clientReg (tampered)  refused: {} — {}",
                    fault.code, fault.reason
                );
            }
            _ => return Err(format!("the tampered request failed otherwise: {error}").into()),
        },
        Ok(response) => {
            return Err(format!(
                "the tampered request was accepted as {:?}",
                response.request_id()
            )
            .into());
        }
    }

    let id = client.owner_change(&mack).await?;
    step(3, "ownerChange", MACK, id);

    // The server now belongs to MACK: it sends as its new owner.
    let config = sandbox.security_config(central, SERVER_AFTER_OWNER_CHANGE)?;
    let client = config.security_server()?;
    let id = client.client_deletion(&subsystem).await?;
    step(4, "clientDeletion", MACK_SUBSYSTEM, id);

    let id = client.auth_cert_deletion().await?;
    step(5, "authCertDeletion", SERVER_AFTER_OWNER_CHANGE, id);
    Ok(())
}

fn step(number: u32, service: &str, subject: &str, request_id: i64) {
    println!("  {number}  {service:<17} {subject:<44} requestId {request_id}");
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

//! Demo of the toolkit as it stands: generates the bindings from the Annex B WSDL, checks that
//! the checked-in bindings are current, and builds, writes and reads back a `clientReg`
//! request with the typed bindings.

use std::path::Path;
use std::process::ExitCode;

use xroad_mserv::centralservice::{ClientReg, Header};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadServiceIdentifierType};
use xroad_mserv::operation::Operation;
use xroad_mserv::soap::Envelope;
use xroad_mserv::xroad::{self, ClientRequestType};

type Request = Envelope<Header, <ClientReg as Operation>::Request>;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.parent().unwrap_or(manifest);
    let wsdl = root.join("wsdl/centralservice.wsdl");
    let options = xroad_codegen::Options::default();

    println!("== generating bindings from {}", wsdl.display());
    let model = xroad_codegen::parse::parse_file(&wsdl, &options)?;
    let code = xroad_codegen::emit::emit(&model, &options)?;
    print!("{}", xroad_codegen::summary(&model));
    println!("generated {} lines of Rust", code.lines().count());
    let checked_in = std::fs::read_to_string(root.join("generated/src/bindings.rs"))?;
    if checked_in == code {
        println!("generated/src/bindings.rs is current");
    } else {
        return Err("generated/src/bindings.rs is stale: run xroad-codegen to regenerate".into());
    }

    println!("\n== a clientReg request built with the bindings");
    let client: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse()?;
    let service: XRoadServiceIdentifierType = "SERVICE:EE/GOV/TS1OWNER/clientReg".parse()?;
    let request = Request {
        header: Header {
            client,
            service,
            id: "8770348d-c5f1-4f23-989e-7dd91fb59eff".into(),
            protocol_version: "4.0".into(),
            request_hash: None,
        },
        body: xroad::ClientReg(ClientRequestType {
            server: "SERVER:EE/GOV/TS1OWNER/TS1".parse()?,
            client: "SUBSYSTEM:EE/COM/client/subsystem".parse()?,
            request_id: None,
        }),
    };
    let bytes = request.to_vec(xroad_mserv::NAMESPACES)?;
    println!("{}", String::from_utf8_lossy(&bytes));
    let back = Request::from_slice(&bytes)?;
    println!(
        "read back: {} registers {} on {}; MIME parts {:?}",
        back.header.client,
        back.body.0.client,
        back.body.0.server,
        <ClientReg as Operation>::PARTS
    );

    println!("\n== a tampered copy is refused");
    let tampered = String::from_utf8(bytes)?.replace(">client<", ">cli/ent<");
    match Request::from_slice(tampered.as_bytes()) {
        Ok(_) => return Err("a code with `/` was accepted".into()),
        Err(error) => println!("refused: {error}"),
    }
    Ok(())
}

use xroad_codegen::{OperationProfile, Signer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A failure has been printed as a cargo error, with its causes, before it is returned.
    xroad_codegen::configure()
        .with_options(|options| {
            options.operation(
                "contactChange",
                OperationProfile::manage()
                    .signed_by(Signer::ServerOwner)
                    .doc("Changes the technical contact of the security server, signed by its owner."),
            );
        })
        .compile(&["wsdl/centralservice.wsdl"])?;
    Ok(())
}

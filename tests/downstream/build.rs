use xroad_codegen::{OperationProfile, Signer};

fn main() {
    let built = xroad_codegen::configure()
        .with_options(|options| {
            options.operation(
                "contactChange",
                OperationProfile::manage()
                    .signed_by(Signer::ServerOwner)
                    .doc("Changes the technical contact of the security server, signed by its owner."),
            );
        })
        .compile("wsdl/centralservice.wsdl");
    if built.is_err() {
        std::process::exit(1); // the error was printed as a cargo error
    }
}

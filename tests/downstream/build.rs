fn main() {
    let built = xroad_codegen::configure()
        .with_options(|options| {
            options.mime_parts(
                "addressChange",
                &["SoapMessage", "Signature", "SigningCertificate", "OcspResponse"],
            );
        })
        .compile("wsdl/centralservice.wsdl");
    if built.is_err() {
        std::process::exit(1);
    }
}

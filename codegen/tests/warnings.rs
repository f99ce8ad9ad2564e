//! An operation of the WSDL that the profile does not describe is a warning of the run —
//! returned by `generate_*` and by the builder, which prints it as a cargo warning — and the
//! operation is generated as types only.

use std::path::Path;

use xroad_codegen::{OperationProfile, Options, Signer, Warning};

/// The 1.20 WSDL with `addressChange` renamed to `addressMove` in the port type and binding.
fn renamed_wsdl() -> String {
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/centralservice.wsdl"),
    )
    .unwrap();
    let renamed = original.replace(
        "<wsdl:operation name=\"addressChange\">",
        "<wsdl:operation name=\"addressMove\">",
    );
    assert_ne!(renamed, original);
    renamed
}

#[test]
fn the_builder_returns_the_warning_and_writes_types_only() {
    let dir = tempfile::tempdir().unwrap();
    let wsdl = dir.path().join("renamed.wsdl");
    std::fs::write(&wsdl, renamed_wsdl()).unwrap();
    let out = dir.path().join("bindings.rs");
    let (written, warnings) = xroad_codegen::configure()
        .out_file(&out)
        .compile_quietly(&[&wsdl])
        .expect("generates");
    assert_eq!(written, out);
    let [
        Warning::UndescribedOperation {
            location,
            operation,
        },
    ] = warnings.as_slice()
    else {
        panic!("one warning expected: {warnings:?}");
    };
    assert_eq!(operation, "addressMove");
    assert_eq!(&*location.file, wsdl.as_path());
    let text = warnings[0].to_string();
    assert!(text.starts_with(&format!("{}:", wsdl.display())), "{text}");
    assert!(
        text.contains("Options::operation(\"addressMove\""),
        "{text}"
    );
    assert!(text.contains("--operation addressMove=manage:"), "{text}");
    let code = std::fs::read_to_string(&out).unwrap();
    assert!(code.contains("pub struct AddressChangeRequestType {"));
    assert!(!code.contains("AddressMove"), "no operation struct for it");
    assert!(
        code.contains("pub struct ClientReg;"),
        "the described ones are there"
    );
}

#[test]
fn describing_the_operation_silences_the_warning() {
    let mut options = Options::default();
    options.operation(
        "addressMove",
        OperationProfile::manage().signed_by(Signer::ServerOwner),
    );
    let generated =
        xroad_codegen::generate_str(Path::new("renamed.wsdl"), &renamed_wsdl(), &options).unwrap();
    assert_eq!(generated.warnings, []);
    assert!(generated.code.contains("pub struct AddressMove;"));
}

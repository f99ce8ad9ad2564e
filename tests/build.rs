//! Generates the bindings of the construct schemas in `fixtures/schemas` (one file per schema,
//! `$OUT_DIR/<name>.rs`), which `tests/constructs.rs` reads and writes instances with. A folder
//! with a `<name>.wsdl` is generated from the WSDL; its `<name>.xsd` then declares the SOAP
//! bodies for xmllint. `builtins` and `open` are generated once more, deriving serde, into
//! `$OUT_DIR/serde/`, with the management services WSDL.

use std::path::PathBuf;

/// The schemas written for the construct tests.
const SCHEMAS: &[&str] = &["builtins", "open", "structure", "rest", "rpc"];

fn main() {
    let fixtures = PathBuf::from("fixtures/schemas");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let mut failed = false;
    for name in SCHEMAS {
        let wsdl = fixtures.join(name).join(format!("{name}.wsdl"));
        let schema = if wsdl.exists() {
            wsdl
        } else {
            fixtures.join(name).join(format!("{name}.xsd"))
        };
        let built = xroad_codegen::configure()
            .options(xroad_codegen::Options::bare())
            .out_file(out_dir.join(format!("{name}.rs")))
            .compile(&[&schema]);
        failed |= built.is_err();
    }
    // The builtins and open content again, deriving serde (`tests/serde.rs`), with a type
    // and a field attribute, into `$OUT_DIR/serde/`.
    let serde = xroad_codegen::configure()
        .options(xroad_codegen::Options::bare())
        .serde(true)
        .type_attribute(
            "{urn:test:builtins}values",
            r#"#[serde(rename_all = "camelCase")]"#,
        )
        .field_attribute("values.decimal", r#"#[serde(rename = "amount")]"#)
        .out_dir(out_dir.join("serde"));
    for name in ["builtins", "open"] {
        let schema = fixtures.join(name).join(format!("{name}.xsd"));
        failed |= serde.compile(&[&schema]).is_err();
    }
    // The management services WSDL with the default profile, types only, deriving serde: its
    // identifiers are those of `xroad-mserv`, built with its `serde` feature.
    failed |= xroad_codegen::configure()
        .serde(true)
        .with_options(|o| {
            o.emit_client(false).emit_server(false);
        })
        .out_dir(out_dir.join("serde"))
        .compile(&["../wsdl/centralservice.wsdl"])
        .is_err();
    if failed {
        std::process::exit(1);
    }
}

//! Generates the bindings of the construct schemas in `fixtures/schemas` (one file per schema,
//! `$OUT_DIR/<name>.rs`), which `tests/constructs.rs` reads and writes instances with. A folder
//! with a `<name>.wsdl` is generated from the WSDL; its `<name>.xsd` then declares the SOAP
//! bodies for xmllint.

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
            .compile(&schema);
        failed |= built.is_err();
    }
    if failed {
        std::process::exit(1);
    }
}

//! Support for the workspace's integration tests (in `tests/tests/`): fixtures, schema
//! extraction from the WSDL, and the external tools (`xmllint`, `openssl`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// Path of the Annex B WSDL.
pub fn wsdl_path() -> PathBuf {
    workspace_root().join("wsdl/centralservice.wsdl")
}

/// Contents of an Annex A fixture, e.g. `a1-client-reg-request.xml`.
pub fn annex_a(name: &str) -> String {
    let path = workspace_root().join("tests/fixtures/annex-a").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// The folder of the construct schema `name` (`fixtures/schemas/<name>`).
pub fn construct_dir(name: &str) -> PathBuf {
    workspace_root().join("tests/fixtures/schemas").join(name)
}

/// Reads `instance` (a file of the construct folder `name`) as `T`, which must be valid
/// against the folder's schema; writes it, checks with xmllint that what was written is valid
/// too, reads that again and checks it equals the first value. Returns the value.
pub fn round_trip<T>(name: &str, instance: &str) -> T
where
    T: xroad_codec::xml::XmlRoot + PartialEq + std::fmt::Debug,
{
    let dir = construct_dir(name);
    let schema = dir.join(format!("{name}.xsd"));
    let text = std::fs::read_to_string(dir.join(instance))
        .unwrap_or_else(|e| panic!("cannot read {instance}: {e}"));
    if let Err(diagnostics) = xmllint_validate(&schema, &text) {
        panic!("{instance} is not valid against {name}.xsd:\n{diagnostics}");
    }
    let value: T = xroad_codec::xml::from_str(&text).unwrap_or_else(|e| panic!("{instance}: {e}"));
    let written = xroad_codec::xml::to_string(&value).expect("the value is written");
    if let Err(diagnostics) = xmllint_validate(&schema, &written) {
        panic!("xmllint refuses what was written of {instance}:\n{written}\n{diagnostics}");
    }
    let again: T = xroad_codec::xml::from_str(&written)
        .unwrap_or_else(|e| panic!("{instance} written and read again: {e}\n{written}"));
    assert_eq!(value, again, "{instance}: the round trip changed the value");
    value
}

/// Reads `xml` as `T` expecting a refusal; checks that xmllint refuses it against the schema of
/// the construct folder `name` too, and returns the error's element path and message.
pub fn refused<T>(name: &str, xml: &str) -> (String, String)
where
    T: xroad_codec::xml::XmlRoot + std::fmt::Debug,
{
    let schema = construct_dir(name).join(format!("{name}.xsd"));
    assert!(
        xmllint_validate(&schema, xml).is_err(),
        "xmllint accepts what should be refused:\n{xml}"
    );
    match xroad_codec::xml::from_str::<T>(xml) {
        Ok(value) => panic!("read although invalid: {value:?}\n{xml}"),
        Err(e) => (e.path.clone(), e.kind.to_string()),
    }
}

/// Writes every `xs:schema` embedded in `wsdl` to `dir` as `<last path segment>.xsd`, adding
/// the namespace declarations the schema inherits from the WSDL and a `schemaLocation` to
/// each `xs:import` of a sibling schema. Returns `(target namespace, file)` pairs.
pub fn extract_schemas(wsdl: &Path, dir: &Path) -> Vec<(String, PathBuf)> {
    const XSD: &str = "http://www.w3.org/2001/XMLSchema";
    let text = std::fs::read_to_string(wsdl).expect("WSDL is readable");
    let doc = roxmltree::Document::parse(&text).expect("WSDL is well-formed");
    let schemas: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.tag_name().namespace() == Some(XSD) && n.tag_name().name() == "schema")
        .collect();
    let file_of = |ns: &str| -> String {
        let last = ns
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("schema");
        format!("{}.xsd", last.trim_end_matches(".xsd"))
    };
    let mut out = Vec::new();
    for schema in schemas {
        let tns = schema
            .attribute("targetNamespace")
            .unwrap_or_default()
            .to_owned();
        let mut xsd = text[schema.range()].to_owned();
        // Namespace declarations in scope but not written on the schema element itself.
        let own_start = &text[schema.range().start..];
        let own_tag = &own_start[..own_start.find('>').unwrap_or(0)];
        let mut decls = String::new();
        for ns in schema.namespaces() {
            let attr = match ns.name() {
                Some(prefix) => format!("xmlns:{prefix}="),
                None => "xmlns=".to_owned(),
            };
            if !own_tag.contains(&attr) {
                decls.push_str(&format!(" {attr}\"{}\"", ns.uri()));
            }
        }
        let name_end = xsd
            .find(|c: char| c.is_whitespace() || c == '>')
            .unwrap_or(0);
        xsd.insert_str(name_end, &decls);
        for import in schema
            .children()
            .filter(|n| n.tag_name().namespace() == Some(XSD) && n.tag_name().name() == "import")
        {
            if let Some(ns) = import.attribute("namespace") {
                let original = &text[import.range()];
                let located = original.replacen(
                    "import ",
                    &format!("import schemaLocation=\"{}\" ", file_of(ns)),
                    1,
                );
                xsd = xsd.replacen(original, &located, 1);
            }
        }
        let path = dir.join(file_of(&tns));
        std::fs::write(&path, xsd).expect("schema written");
        out.push((tns, path));
    }
    out
}

/// Runs `xmllint --noout --schema SCHEMA` on `xml`; returns its diagnostics on failure.
/// Panics with instructions when `xmllint` is not installed: tests never skip silently.
pub fn xmllint_validate(schema: &Path, xml: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = dir.path().join("doc.xml");
    std::fs::write(&doc, xml).expect("document written");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .arg(&doc)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run xmllint ({e}); install it with `apt-get update && apt-get install -y \
                 libxml2-utils` or run the README's test command, which does"
            )
        });
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// Runs `openssl x509 -inform der -noout -subject` on `der` and returns the subject line.
pub fn openssl_x509_subject(der: &[u8]) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cert.der");
    std::fs::write(&file, der).expect("certificate written");
    let output = Command::new("openssl")
        .args(["x509", "-inform", "der", "-noout", "-subject", "-in"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run openssl ({e}); install it with `apt-get install -y openssl`")
        });
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

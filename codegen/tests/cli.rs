//! The `xroad-codegen` command line: writing, `--check`, and error reports with locations.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn wsdl() -> PathBuf {
    root().join("wsdl/centralservice.wsdl")
}

fn wsdl_os() -> &'static std::ffi::OsStr {
    static WSDL: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    WSDL.get_or_init(wsdl).as_os_str()
}

fn codegen(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xroad-codegen"))
        .args(args)
        .output()
        .expect("xroad-codegen runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn checked_in_bindings_are_current() {
    let bindings = root().join("generated/mserv/src/bindings.rs");
    let output = codegen(&[
        wsdl().as_os_str(),
        "--compile-xroad-types".as_ref(),
        "--emit".as_ref(),
        "types".as_ref(),
        "-o".as_ref(),
        bindings.as_os_str(),
        "--check".as_ref(),
    ]);
    assert!(
        output.status.success(),
        "generated/mserv/src/bindings.rs is stale:\n{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output), "", "the profile describes every operation");
}

#[test]
fn checked_in_service_is_current() {
    let service = root().join("generated/mserv-service/src/service.rs");
    let output = codegen(&[
        wsdl().as_os_str(),
        "--emit".as_ref(),
        "client,server".as_ref(),
        "--types-from".as_ref(),
        "::xroad_mserv".as_ref(),
        "-o".as_ref(),
        service.as_os_str(),
        "--check".as_ref(),
    ]);
    assert!(
        output.status.success(),
        "generated/mserv-service/src/service.rs is stale:\n{}",
        stderr(&output)
    );
}

#[test]
fn the_1_15_wsdl_generates_without_warnings() {
    let old = root().join("tests/fixtures/wsdl/centralservice-1.15.wsdl");
    let output = codegen(&[
        old.as_os_str(),
        "-o".as_ref(),
        "-".as_ref(),
        "--summary".as_ref(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let report = stderr(&output);
    assert!(!report.contains("warning"), "{report}");
    assert!(report.contains("5 operations"), "{report}");
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(code.contains("pub struct OwnerChange;"), "{code}");
    assert!(code.contains("pub mod centralservice_server {"), "{code}");
}

/// The 1.20 WSDL with `addressChange` renamed to `addressMove` in the port type and binding,
/// which the profile does not describe.
fn with_undescribed_operation(dir: &Path) -> PathBuf {
    let renamed = original().replace(
        "<wsdl:operation name=\"addressChange\">",
        "<wsdl:operation name=\"addressMove\">",
    );
    assert_ne!(renamed, original(), "the test edits the WSDL");
    let input = dir.join("renamed.wsdl");
    std::fs::write(&input, renamed).unwrap();
    input
}

#[test]
fn undescribed_operation_is_a_warning_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = with_undescribed_operation(dir.path());
    let output = codegen(&[input.as_os_str(), "-o".as_ref(), "-".as_ref()]);
    assert!(output.status.success(), "a warning is not an error");
    let report = stderr(&output);
    assert_eq!(report.lines().count(), 1, "{report}");
    assert!(report.starts_with("warning: "), "{report}");
    assert!(report.contains("renamed.wsdl:"), "{report}");
    assert!(report.contains("operation `addressMove`"), "{report}");
    assert!(
        report.contains("--operation addressMove=manage:"),
        "{report}"
    );
    assert!(
        report.contains("Options::operation(\"addressMove\""),
        "{report}"
    );
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(code.contains("pub struct AddressChange(pub AddressChangeRequestType);"));
    assert!(
        !code.contains("AddressMove"),
        "types only: no operation struct"
    );
    assert!(!code.contains("address_move"), "no client or server method");

    let output = codegen(&[
        input.as_os_str(),
        "-o".as_ref(),
        "-".as_ref(),
        "--operation".as_ref(),
        "addressMove=manage:server-owner".as_ref(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(code.contains("pub struct AddressMove;"), "{code}");
    assert!(code.contains("signer: Signer::ServerOwner"), "{code}");
    assert!(code.contains("pub async fn address_move("), "{code}");
}

#[test]
fn bare_generates_types_only_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let input = with_undescribed_operation(dir.path());
    let output = codegen(&[
        input.as_os_str(),
        "-o".as_ref(),
        "-".as_ref(),
        "--bare".as_ref(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let code = String::from_utf8_lossy(&output.stdout);
    assert!(!code.contains("impl Operation for"), "{code}");
    assert!(code.contains("pub struct Header {"), "{code}");
}

#[test]
fn writes_and_then_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bindings.rs");
    let output = codegen(&[
        wsdl().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--summary".as_ref(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stderr(&output);
    assert!(summary.contains("11 operations"), "{summary}");
    assert!(
        summary.contains("registration endpoint, MIME parts: 6, signed by: auth-key, server-owner"),
        "{summary}"
    );
    let code = std::fs::read_to_string(&out).unwrap();
    assert!(
        code.starts_with("// @generated by xroad-codegen"),
        "{}",
        &code[..80.min(code.len())]
    );
    let output = codegen(&[
        wsdl().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--check".as_ref(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn check_reports_a_short_diff_when_stale() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bindings.rs");
    let output = codegen(&[wsdl().as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let code = std::fs::read_to_string(&out).unwrap();
    std::fs::write(
        &out,
        code.replacen("pub struct ClientRequestType", "pub struct Renamed", 1),
    )
    .unwrap();
    let output = codegen(&[
        wsdl().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
        "--check".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report = stderr(&output);
    assert!(
        report.contains(&format!(
            "regenerate it with\n  xroad-codegen {} -o {}\n",
            wsdl().display(),
            out.display()
        )),
        "{report}"
    );
    assert!(report.contains("-    pub struct Renamed"), "{report}");
    assert!(
        report.contains("+    pub struct ClientRequestType"),
        "{report}"
    );
    assert!(report.lines().count() < 60, "diff is not short:\n{report}");
}

/// Runs the generator on a broken copy of the WSDL and returns its error output.
fn error_for(broken: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("broken.wsdl");
    std::fs::write(&input, broken).unwrap();
    let out = dir.path().join("out.rs");
    let output = codegen(&[input.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!out.exists(), "nothing is written on error");
    stderr(&output)
}

fn original() -> String {
    std::fs::read_to_string(wsdl()).unwrap()
}

#[test]
fn malformed_xml_names_file_line_and_column() {
    let broken = original().replacen("</wsdl:portType>", "</wsdl:porttype>", 1);
    let report = error_for(&broken);
    assert!(report.contains("broken.wsdl:"), "{report}");
    assert!(report.contains("malformed XML"), "{report}");
}

#[test]
fn unresolved_type_names_the_type_and_location() {
    let broken = original().replacen("type=\"tns:RequestIdType\"", "type=\"tns:NoSuchType\"", 1);
    let report = error_for(&broken);
    assert!(report.contains("NoSuchType"), "{report}");
    assert!(report.contains("unresolved type"), "{report}");
    assert!(report.contains("broken.wsdl:"), "{report}");
}

#[test]
fn undeclared_prefix_is_reported() {
    let broken = original().replacen(
        "type=\"tns:RequestIdType\"",
        "type=\"nope:RequestIdType\"",
        1,
    );
    let report = error_for(&broken);
    assert!(report.contains("prefix `nope`"), "{report}");
}

#[test]
fn unsupported_construct_is_named() {
    let broken = original().replacen("base=\"xsd:string\"", "base=\"xsd:gYear\"", 1);
    assert_ne!(broken, original(), "the test edits the WSDL");
    let report = error_for(&broken);
    assert!(report.contains("unsupported xs:gYear"), "{report}");
}

#[test]
fn missing_input_file_is_an_error() {
    let output = codegen(&[
        "/nonexistent/x.wsdl".as_ref(),
        "-o".as_ref(),
        "/tmp/never.rs".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("/nonexistent/x.wsdl"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_profile_flags_are_errors() {
    for (flags, expected) in [
        (
            &["--operation", "clientReg=manage:owner"][..],
            "unknown signer `owner`",
        ),
        (&["--operation", "clientReg"][..], "NAME=ENDPOINT"),
        (&["--emit", "types,docs"][..], "--emit `docs`"),
        (
            &["--emit", "types", "--types-from", "::xroad_mserv"][..],
            "leave `types` out of --emit",
        ),
        (&["--types-from", "not a path"][..], "is not a Rust path"),
    ] {
        let mut args: Vec<&std::ffi::OsStr> = vec![wsdl_os(), "-o".as_ref(), "-".as_ref()];
        args.extend(flags.iter().map(std::ffi::OsStr::new));
        let output = codegen(&args);
        assert_eq!(output.status.code(), Some(2), "{flags:?}");
        assert!(
            stderr(&output).contains(expected),
            "{flags:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_profile_the_body_cannot_carry_is_an_error_with_its_location() {
    // addressChange has no `client`, so the client's owner cannot sign it.
    let output = codegen(&[
        wsdl_os(),
        "-o".as_ref(),
        "-".as_ref(),
        "--operation".as_ref(),
        "addressChange=manage:client-owner".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let report = stderr(&output);
    assert!(report.contains("centralservice.wsdl:"), "{report}");
    assert!(report.contains("operation `addressChange`"), "{report}");
    assert!(report.contains("needs the element `client`"), "{report}");
}

#[test]
fn bad_option_syntax_is_an_error() {
    let output = codegen(&[
        wsdl().as_os_str(),
        "-o".as_ref(),
        "-".as_ref(),
        "--extra-operation".as_ref(),
        "foo".as_ref(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("NAME=INPUT,OUTPUT"),
        "{}",
        stderr(&output)
    );
}

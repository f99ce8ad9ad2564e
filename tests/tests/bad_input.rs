//! The same message with other prefixes parses identically; bad messages give typed errors
//! that name the path.

use xroad_codec::operation::Operation;
use xroad_codec::soap::Envelope;
use xroad_codec::xml::{Error, ErrorKind};
use xroad_mserv::centralservice::{ClientReg, Header};
use xroad_tests::annex_a;

type Request = Envelope<Header, <ClientReg as Operation>::Request>;
type Response = Envelope<Header, <ClientReg as Operation>::Response>;

fn request() -> String {
    annex_a("a1-client-reg-request.xml")
}

fn parse(text: &str) -> Result<Request, Error> {
    Request::from_slice(text.as_bytes())
}

#[test]
fn other_prefixes_parse_identically() {
    let original = parse(&request()).unwrap();
    let renamed = request()
        .replace("SOAP-ENV:", "soap:")
        .replace("xmlns:SOAP-ENV=", "xmlns:soap=")
        .replace("xroad:", "x:")
        .replace("xmlns:xroad=", "xmlns:x=")
        .replace("id:", "ident:")
        .replace("xmlns:id=", "xmlns:ident=");
    assert_ne!(renamed, request());
    assert_eq!(parse(&renamed).unwrap(), original);
}

#[test]
fn default_namespace_parses_identically() {
    let original = parse(&request()).unwrap();
    // The body in a default namespace instead of the `xroad:` prefix.
    let text = request();
    let start = text.find("<xroad:clientReg>").unwrap();
    let end = text.find("</xroad:clientReg>").unwrap() + "</xroad:clientReg>".len();
    let body = text[start..end]
        .replace(
            "<xroad:clientReg>",
            "<clientReg xmlns=\"http://x-road.eu/xsd/xroad.xsd\">",
        )
        .replace("xroad:", "");
    let text = format!("{}{}{}", &text[..start], body, &text[end..]);
    assert!(text.contains("<server id:objectType"));
    assert_eq!(parse(&text).unwrap(), original);
}

#[test]
fn element_in_wrong_namespace() {
    let text = request().replacen(
        "<xroad:client id:objectType=\"SUBSYSTEM\">",
        "<other:client xmlns:other=\"urn:other\" id:objectType=\"SUBSYSTEM\">",
        1,
    );
    let text = text.replacen(
        "</xroad:client>\n    </xroad:clientReg>",
        "</other:client>\n    </xroad:clientReg>",
        1,
    );
    let error = parse(&text).unwrap_err();
    assert_eq!(error.path, "/Envelope/Body/clientReg/client", "{error}");
    assert!(
        matches!(&error.kind, ErrorKind::WrongNamespace { name, found, .. } if name == "client" && found == "urn:other"),
        "{error}"
    );
}

#[test]
fn missing_required_element() {
    let text = request().replacen("<id:memberCode>client</id:memberCode>", "", 1);
    let error = parse(&text).unwrap_err();
    assert!(
        error.path.starts_with("/Envelope/Body/clientReg/client"),
        "{error}"
    );
    assert!(
        matches!(&error.kind, ErrorKind::MissingElement { expected, .. } if expected.contains("memberCode")),
        "{error}"
    );
}

#[test]
fn wrong_fixed_object_type() {
    let text = request().replacen(
        "<xroad:server id:objectType=\"SERVER\">",
        "<xroad:server id:objectType=\"MEMBER\">",
        1,
    );
    let error = parse(&text).unwrap_err();
    // The 1.20 schema gives the server identifier an objectType the identifier type checks.
    assert_eq!(error.path, "/Envelope/Body/clientReg/server", "{error}");
    assert!(matches!(error.kind, ErrorKind::Invalid(_)), "{error}");
    let text = error.to_string();
    assert!(text.contains("MEMBER") && text.contains("SERVER"), "{text}");
}

#[test]
fn object_type_that_does_not_fit_the_codes() {
    // A MEMBER cannot have a subsystem code.
    let text = request().replacen(
        "<xroad:client id:objectType=\"SUBSYSTEM\">",
        "<xroad:client id:objectType=\"MEMBER\">",
        1,
    );
    let error = parse(&text).unwrap_err();
    assert!(
        error.path.starts_with("/Envelope/Body/clientReg/client"),
        "{error}"
    );
    assert!(matches!(error.kind, ErrorKind::Invalid(_)), "{error}");
    // A SERVER object type is not a client identifier at all.
    let text = request().replacen(
        "<xroad:client id:objectType=\"SUBSYSTEM\">",
        "<xroad:client id:objectType=\"SERVER\">",
        1,
    );
    let error = parse(&text).unwrap_err();
    assert!(error.to_string().contains("SERVER"), "{error}");
}

#[test]
fn unknown_element() {
    let text = request().replacen(
        "</xroad:clientReg>",
        "<xroad:comment>hi</xroad:comment></xroad:clientReg>",
        1,
    );
    let error = parse(&text).unwrap_err();
    assert!(
        error.path.starts_with("/Envelope/Body/clientReg"),
        "{error}"
    );
    assert!(
        matches!(&error.kind, ErrorKind::UnexpectedElement { found, .. } if found.contains("comment")),
        "{error}"
    );
}

#[test]
fn non_integer_and_overflowing_request_id() {
    let response = annex_a("a1-client-reg-response.xml");
    for bad in ["three", "3.5", "99999999999999999999"] {
        let text = response.replacen(">394<", &format!(">{bad}<"), 1);
        let error = Response::from_slice(text.as_bytes()).unwrap_err();
        assert_eq!(
            error.path, "/Envelope/Body/clientRegResponse/requestId",
            "{error}"
        );
        assert!(
            matches!(error.kind, ErrorKind::InvalidValue { .. }),
            "{bad}: {error}"
        );
    }
}

#[test]
fn invalid_code_characters() {
    for bad in [
        "cli/ent",
        "cli:ent",
        "a%b",
        "a;b",
        "a\\b",
        "\u{feff}x",
        "x\u{200b}",
    ] {
        let text = request().replacen(">client<", &format!(">{bad}<"), 1);
        let error = parse(&text).unwrap_err();
        assert_eq!(
            error.path, "/Envelope/Body/clientReg/client/memberCode",
            "{bad:?}: {error}"
        );
    }
}

#[test]
fn dtd_is_refused() {
    let text = request().replacen(
        "<SOAP-ENV:Envelope",
        "<!DOCTYPE x [<!ENTITY e \"boom\">]>\n<SOAP-ENV:Envelope",
        1,
    );
    let error = parse(&text).unwrap_err();
    assert!(matches!(error.kind, ErrorKind::Dtd), "{error}");
}

#[test]
fn identifier_text_form() {
    use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
    let client: XRoadClientIdentifierType = "SUBSYSTEM:EE/COM/client/subsystem".parse().unwrap();
    assert_eq!(client.to_string(), "SUBSYSTEM:EE/COM/client/subsystem");
    let member: XRoadClientIdentifierType = "MEMBER:EE/COM/MACK".parse().unwrap();
    assert_eq!(member.subsystem_code, None);
    let server: XRoadSecurityServerIdentifierType = "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap();
    assert_eq!(server.to_string(), "SERVER:EE/GOV/TS1OWNER/TS1");
    for bad in [
        "SERVER:EE/GOV/TS1OWNER/TS1",
        "MEMBER:EE/COM",
        "SUBSYSTEM:EE/COM/client",
        "EE/COM/MACK",
        "MEMBER:EE//MACK",
        "MEMBER:EE/COM/MA;CK",
    ] {
        assert!(
            bad.parse::<XRoadClientIdentifierType>().is_err(),
            "{bad} must not parse"
        );
    }
    let long = "x".repeat(256);
    assert!(
        format!("MEMBER:EE/COM/{long}")
            .parse::<XRoadClientIdentifierType>()
            .is_err()
    );
    let longest = "x".repeat(255);
    assert!(
        format!("MEMBER:EE/COM/{longest}")
            .parse::<XRoadClientIdentifierType>()
            .is_ok()
    );
}

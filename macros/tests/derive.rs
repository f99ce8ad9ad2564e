//! Runtime tests of the derives on hand-written types.

use xroad_codec::xml::{self, ErrorKind, Reader, Writer, XmlRead, XmlRoot, XmlText, XmlWrite};

const NS: &str = "urn:test";
const ID_NS: &str = "urn:test:id";

/// Writes `value` as the content of `{ns}local` (a fragment without declaration).
fn write_element<T: XmlWrite>(namespace: &str, local: &str, value: &T) -> String {
    let mut writer = Writer::with_prefixes(&[("t", NS), ("id", ID_NS)]);
    writer.element(namespace, local, value).unwrap();
    writer.into_string().unwrap()
}

/// Reads `xml` as an element whose content is `T`.
fn read_element<T: XmlRead>(xml: &str) -> Result<T, xml::Error> {
    let mut reader = Reader::new(xml.as_bytes())?;
    let start = reader.read_root()?;
    let value = T::read(&mut reader, &start)?;
    reader.finish()?;
    Ok(value)
}

fn round_trip<T: XmlRead + XmlWrite + PartialEq + std::fmt::Debug>(value: &T) -> String {
    let xml = write_element(NS, "root", value);
    let back: T = read_element(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(&back, value, "{xml}");
    xml
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, XmlText)]
enum Kind {
    #[xml(value = "MEMBER")]
    Member,
    #[xml(value = "SUBSYSTEM")]
    Subsystem,
}

/// Identifier-like: a fixed attribute, required and optional elements.
#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(
    namespace = "urn:test:id",
    attribute(name = "objectType", namespace = "urn:test:id", fixed = "SERVER")
)]
struct ServerId {
    #[xml(element = "instance")]
    instance: String,
    #[xml(element = "code")]
    code: String,
    #[xml(element = "extra", namespace = "")]
    extra: Option<String>,
}

#[test]
fn fixed_attribute_round_trip() {
    let id = ServerId {
        instance: "EE".into(),
        code: "TS1".into(),
        extra: None,
    };
    let xml = round_trip(&id);
    assert!(xml.contains("objectType=\"SERVER\""), "{xml}");
    assert!(!xml.contains("extra"), "{xml}");
    round_trip(&ServerId {
        extra: Some("x".into()),
        ..id
    });
}

#[test]
fn fixed_attribute_checked() {
    let wrong = r#"<root xmlns:id="urn:test:id" id:objectType="MEMBER"><id:instance>EE</id:instance><id:code>A</id:code></root>"#;
    let err = read_element::<ServerId>(wrong).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::FixedValue { .. }), "{err}");
    let missing =
        r#"<root xmlns:id="urn:test:id"><id:instance>EE</id:instance><id:code>A</id:code></root>"#;
    let err = read_element::<ServerId>(missing).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::MissingAttribute("{urn:test:id}objectType".into())
    );
    let unqualified = r#"<root xmlns:id="urn:test:id" objectType="SERVER"><id:instance>EE</id:instance><id:code>A</id:code></root>"#;
    let err = read_element::<ServerId>(unqualified).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::UnexpectedAttribute("objectType".into())
    );
}

#[test]
fn elements_in_order() {
    let swapped = r#"<root xmlns:id="urn:test:id" id:objectType="SERVER"><id:code>A</id:code><id:instance>EE</id:instance></root>"#;
    assert!(read_element::<ServerId>(swapped).is_err());
    let ok = r#"<root xmlns:id="urn:test:id" id:objectType="SERVER"><id:instance>EE</id:instance><id:code>A</id:code><extra>x</extra></root>"#;
    let id = read_element::<ServerId>(ok).unwrap();
    assert_eq!(id.extra.as_deref(), Some("x"));
}

/// A SOAP-header-like struct: elements in any order, one of them in another namespace.
#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(namespace = "urn:test", any_order)]
struct Blocks {
    #[xml(element = "server")]
    server: ServerId,
    #[xml(element = "id")]
    id: String,
    #[xml(element = "note", namespace = "urn:test:id")]
    note: Option<String>,
    #[xml(element = "version")]
    version: String,
}

const SERVER: &str = r#"<t:server id:objectType="SERVER"><id:instance>EE</id:instance><id:code>A</id:code></t:server>"#;

/// `<root>` with the children given, declaring the test prefixes.
fn blocks(children: &str) -> String {
    format!(r#"<root xmlns:t="urn:test" xmlns:id="urn:test:id">{children}</root>"#)
}

#[test]
fn any_order_reads_children_in_any_order_and_writes_in_field_order() {
    let value = Blocks {
        server: ServerId {
            instance: "EE".into(),
            code: "A".into(),
            extra: None,
        },
        id: "1".into(),
        note: None,
        version: "4.0".into(),
    };
    let shuffled = blocks(&format!("<t:version>4.0</t:version><t:id>1</t:id>{SERVER}"));
    assert_eq!(read_element::<Blocks>(&shuffled).unwrap(), value);
    let with_note = blocks(&format!(
        "<id:note>n</id:note><t:id>1</t:id><t:version>4.0</t:version>{SERVER}"
    ));
    let read = read_element::<Blocks>(&with_note).unwrap();
    assert_eq!(read.note.as_deref(), Some("n"));
    let xml = round_trip(&read);
    let (server, id, note) = (
        xml.find("<t:server").unwrap(),
        xml.find("<t:id>").unwrap(),
        xml.find("<id:note>").unwrap(),
    );
    assert!(server < id && id < note, "{xml}");
}

#[test]
fn any_order_refuses_repeats_strangers_and_gaps() {
    let repeated = blocks(&format!(
        "<t:id>1</t:id>{SERVER}<t:version>4.0</t:version><t:id>2</t:id>"
    ));
    let err = read_element::<Blocks>(&repeated).unwrap_err();
    assert_eq!(err.kind, ErrorKind::DuplicateElement("{urn:test}id".into()));
    assert_eq!(err.path, "/root/id");

    let stranger = blocks(&format!("{SERVER}<t:userId>u</t:userId>"));
    let err = read_element::<Blocks>(&stranger).unwrap_err();
    assert_eq!(err.path, "/root/userId");
    let ErrorKind::UnexpectedElement { found, expected } = &err.kind else {
        panic!("{err}");
    };
    assert_eq!(found, "{urn:test}userId");
    assert!(expected.contains("`{urn:test:id}note`"), "{expected}");

    let elsewhere = blocks(&format!("{SERVER}<id:id>1</id:id>"));
    let err = read_element::<Blocks>(&elsewhere).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::WrongNamespace {
            name: "id".into(),
            found: "urn:test:id".into(),
            expected: "urn:test".into(),
        }
    );

    // Both `id` and `version` are missing: the first in field order is named, at the end.
    let gaps = blocks(&format!("<id:note>n</id:note>{SERVER}"));
    let err = read_element::<Blocks>(&gaps).unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::MissingElement {
            expected: "{urn:test}id".into(),
            found: None,
        }
    );
    assert_eq!(err.path, "/root");
    assert_eq!(err.position as usize, gaps.find("</root>").unwrap());
}

/// Attributes (required, optional), an enum attribute, a repeated element, base64.
#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(namespace = "urn:test")]
struct Listing {
    #[xml(attribute = "kind", namespace = "urn:test:id")]
    kind: Kind,
    #[xml(attribute = "label")]
    label: Option<String>,
    #[xml(element = "item", min_occurs = 1, max_occurs = 3)]
    items: Vec<u32>,
    #[xml(element = "any", min_occurs = 0, max_occurs = "unbounded")]
    any: Vec<String>,
    #[xml(element = "data")]
    data: Vec<u8>,
}

#[test]
fn repeated_round_trip() {
    let listing = Listing {
        kind: Kind::Subsystem,
        label: Some("l".into()),
        items: vec![1, 2, 3],
        any: vec![],
        data: b"hello".to_vec(),
    };
    let xml = round_trip(&listing);
    assert!(xml.contains("aGVsbG8="), "{xml}");
    round_trip(&Listing {
        label: None,
        items: vec![7],
        any: vec!["a".into(), "b".into()],
        ..listing
    });
}

#[test]
fn repeated_bounds() {
    let listing = Listing {
        kind: Kind::Member,
        label: None,
        items: vec![1, 2, 3, 4],
        any: vec![],
        data: vec![],
    };
    let xml = write_element(NS, "root", &listing);
    let err = read_element::<Listing>(&xml).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::TooMany { max: 3, .. }),
        "{err}"
    );
    let none = Listing {
        items: vec![],
        ..listing
    };
    let xml = write_element(NS, "root", &none);
    assert!(read_element::<Listing>(&xml).is_err());
}

#[test]
fn duplicate_attribute() {
    let xml = r#"<root xmlns:a="urn:test:id" xmlns:b="urn:test:id" a:kind="MEMBER" b:kind="MEMBER"><t:item xmlns:t="urn:test">1</t:item><t:data xmlns:t="urn:test"/></root>"#;
    let err = read_element::<Listing>(xml).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateAttribute(n) | ErrorKind::Syntax(n) if !n.is_empty()),
        "{err}"
    );
}

/// Simple content with an attribute, as a root.
#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(root(name = "requestHash", namespace = "urn:test"))]
struct RequestHash {
    #[xml(text)]
    value: String,
    #[xml(attribute = "algorithmId")]
    algorithm_id: String,
}

#[test]
fn text_and_attribute() {
    assert_eq!(<RequestHash as XmlRoot>::NAME, "requestHash");
    assert_eq!(<RequestHash as XmlRoot>::NAMESPACE, NS);
    let hash = RequestHash {
        value: "abc==".into(),
        algorithm_id: "SHA-512".into(),
    };
    let xml = xml::to_string(&hash).unwrap();
    assert!(xml.contains("algorithmId=\"SHA-512\""), "{xml}");
    assert_eq!(xml::from_str::<RequestHash>(&xml).unwrap(), hash);
    let err = xml::from_str::<RequestHash>(r#"<requestHash xmlns="urn:test">x</requestHash>"#)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::MissingAttribute("algorithmId".into()));
}

#[test]
fn text_enum() {
    assert_eq!(Kind::ALL, [Kind::Member, Kind::Subsystem]);
    assert_eq!(Kind::Subsystem.as_str(), "SUBSYSTEM");
    assert_eq!(Kind::Member.to_string(), "MEMBER");
    assert_eq!("SUBSYSTEM".parse::<Kind>().unwrap(), Kind::Subsystem);
    assert_eq!(Kind::from_text(" MEMBER\n").unwrap(), Kind::Member);
    let err = "member".parse::<Kind>().unwrap_err();
    assert!(err.0.contains("`MEMBER`, `SUBSYSTEM`"), "{err}");
    assert_eq!(Kind::Member.to_text(), "MEMBER");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, XmlText)]
struct RequestId(pub i64);

#[test]
fn text_newtype() {
    assert_eq!(RequestId(42).to_string(), "42");
    assert_eq!("-7".parse::<RequestId>().unwrap(), RequestId(-7));
    assert!("x".parse::<RequestId>().is_err());
    assert_eq!(
        read_element::<RequestId>("<r> 5 </r>").unwrap(),
        RequestId(5)
    );
}

/// A root newtype over a struct.
#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(root(name = "server", namespace = "urn:test:id"))]
struct Server(pub ServerId);

#[test]
fn root_newtype() {
    assert_eq!(Server::NAME, "server");
    let server = Server(ServerId {
        instance: "EE".into(),
        code: "TS1".into(),
        extra: Some("e".into()),
    });
    let xml = xml::to_string(&server).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("SERVER"), "{xml}");
    assert_eq!(xml::from_str::<Server>(&xml).unwrap(), server);
    let with_prefixes = xml::to_string_with(&server, &[("id", ID_NS)]).unwrap();
    assert!(with_prefixes.contains("<id:server"), "{with_prefixes}");
    assert_eq!(xml::from_str::<Server>(&with_prefixes).unwrap(), server);
}

fn check_range(range: &Range) -> Result<(), String> {
    if range.low <= range.high {
        Ok(())
    } else {
        Err(format!("low {} > high {}", range.low, range.high))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(namespace = "urn:test", validate = check_range)]
struct Range {
    #[xml(element = "low")]
    low: i32,
    #[xml(element = "high")]
    high: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(validate = Self::check)]
struct Even(pub u8);

impl Even {
    fn check(&self) -> Result<(), &'static str> {
        if self.0.is_multiple_of(2) {
            Ok(())
        } else {
            Err("odd")
        }
    }
}

#[test]
fn validate_hook() {
    round_trip(&Range { low: 1, high: 2 });
    let bad = write_element(NS, "root", &Range { low: 3, high: 2 });
    let err = read_element::<Range>(&bad).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid("low 3 > high 2".into()));
    assert_eq!(err.path, "/root");
    round_trip(&Even(4));
    let err = read_element::<Even>("<e>3</e>").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid("odd".into()));
}

/// Empty content, and a generic struct.
#[derive(Debug, Clone, PartialEq, Eq, Default, XmlRead, XmlWrite)]
struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(namespace = "urn:test")]
struct Wrapper<T> {
    #[xml(element = "inner")]
    inner: T,
}

#[test]
fn empty_and_generic() {
    round_trip(&Empty {});
    assert!(read_element::<Empty>("<e><x/></e>").is_err());
    assert!(read_element::<Empty>("<e a=\"1\"/>").is_err());
    round_trip(&Wrapper { inner: Empty {} });
    round_trip(&Wrapper {
        inner: Kind::Member,
    });
}

/// `crate = "..."` with a re-export path.
mod reexport {
    pub use xroad_codec as support;
}

#[derive(Debug, Clone, PartialEq, Eq, XmlRead, XmlWrite)]
#[xml(crate = "reexport::support", root(name = "c"))]
struct CustomCrate {
    #[xml(attribute = "a")]
    a: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, XmlText)]
#[xml(crate = "crate::reexport::support")]
enum Flag {
    #[xml(value = "yes")]
    Yes,
}

#[test]
fn custom_crate_path() {
    let value = CustomCrate { a: 9 };
    let xml = xml::to_string(&value).unwrap();
    assert_eq!(xml::from_str::<CustomCrate>(&xml).unwrap(), value);
    assert_eq!(Flag::Yes.as_str(), "yes");
}

/// The shapes of the generated bindings (see the codegen contract), with absolute derive paths.
mod contract {
    use xroad_codec::identifier::{Code, IdentifierError};

    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::xroad_codec::xml::XmlText,
    )]
    pub enum XRoadObjectType {
        #[xml(value = "MEMBER")]
        Member,
        #[xml(value = "SUBSYSTEM")]
        Subsystem,
    }

    #[derive(
        Debug, Clone, PartialEq, Eq, Hash, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite,
    )]
    #[xml(namespace = "http://x-road.eu/xsd/identifiers", validate = Self::validate)]
    pub struct XRoadClientIdentifierType {
        #[xml(
            attribute = "objectType",
            namespace = "http://x-road.eu/xsd/identifiers"
        )]
        pub object_type: XRoadObjectType,
        #[xml(element = "xRoadInstance")]
        pub x_road_instance: ::xroad_codec::identifier::Code,
        #[xml(element = "subsystemCode")]
        pub subsystem_code: Option<::xroad_codec::identifier::Code>,
    }

    impl XRoadClientIdentifierType {
        pub fn validate(&self) -> Result<(), IdentifierError> {
            match (self.object_type, &self.subsystem_code) {
                (XRoadObjectType::Member, None) | (XRoadObjectType::Subsystem, Some(_)) => Ok(()),
                (object_type, codes) => Err(IdentifierError::Shape {
                    object_type: object_type.to_string(),
                    expected: String::from("other codes"),
                    found: 1 + usize::from(codes.is_some()),
                }),
            }
        }
    }

    #[derive(
        Debug, Clone, PartialEq, Eq, Hash, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite,
    )]
    #[xml(
        namespace = "http://x-road.eu/xsd/identifiers",
        attribute(
            name = "objectType",
            namespace = "http://x-road.eu/xsd/identifiers",
            fixed = "SERVER"
        )
    )]
    pub struct XRoadSecurityServerIdentifierType {
        #[xml(element = "serverCode")]
        pub server_code: Code,
    }

    #[derive(
        Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::xroad_codec::xml::XmlText,
    )]
    pub struct RequestIdType(pub i64);

    #[derive(
        Debug, Clone, PartialEq, Eq, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite,
    )]
    #[xml(namespace = "http://x-road.eu/xsd/xroad.xsd")]
    pub struct ClientRequestType {
        #[xml(element = "server")]
        pub server: XRoadSecurityServerIdentifierType,
        #[xml(element = "client")]
        pub client: XRoadClientIdentifierType,
        #[xml(element = "authCert")]
        pub auth_cert: Vec<u8>,
        #[xml(element = "requestId")]
        pub request_id: Option<RequestIdType>,
    }

    #[derive(
        Debug, Clone, PartialEq, Eq, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite,
    )]
    #[xml(root(name = "clientReg", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
    pub struct ClientReg(pub ClientRequestType);

    #[derive(
        Debug, Clone, PartialEq, Eq, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite,
    )]
    #[xml(root(name = "requestHash", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
    pub struct RequestHash {
        #[xml(text)]
        pub value: String,
        #[xml(attribute = "algorithmId")]
        pub algorithm_id: String,
    }

    #[derive(
        Debug, Clone, PartialEq, Eq, ::xroad_codec::xml::XmlRead, ::xroad_codec::xml::XmlWrite,
    )]
    #[xml(namespace = "http://x-road.eu/xsd/xroad.xsd", any_order)]
    pub struct Header {
        #[xml(element = "client")]
        pub client: XRoadClientIdentifierType,
        #[xml(element = "requestHash")]
        pub request_hash: Option<RequestHash>,
    }
}

#[test]
fn contract_shapes() {
    use contract::*;
    let code = |s: &str| xroad_codec::identifier::Code::new(s).unwrap();
    let request = ClientReg(ClientRequestType {
        server: XRoadSecurityServerIdentifierType {
            server_code: code("TS1"),
        },
        client: XRoadClientIdentifierType {
            object_type: XRoadObjectType::Subsystem,
            x_road_instance: code("EE"),
            subsystem_code: Some(code("sub")),
        },
        auth_cert: vec![1, 2, 3],
        request_id: Some(RequestIdType(5)),
    });
    let xml = xml::to_string_with(&request, &[("id", "http://x-road.eu/xsd/identifiers")]).unwrap();
    assert_eq!(xml::from_str::<ClientReg>(&xml).unwrap(), request, "{xml}");

    let mut invalid = request.clone();
    invalid.0.client.subsystem_code = None;
    let xml = xml::to_string(&invalid).unwrap();
    let err = xml::from_str::<ClientReg>(&xml).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Invalid(_)), "{err}");
    assert_eq!(err.path, "/clientReg/client");

    // The header as generated: `requestHash` may come before `client`.
    let header = r#"<Header xmlns:xroad="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers"><xroad:requestHash algorithmId="sha512">aGFzaA==</xroad:requestHash><xroad:client id:objectType="MEMBER"><id:xRoadInstance>EE</id:xRoadInstance></xroad:client></Header>"#;
    let header = read_element::<Header>(header).unwrap();
    assert_eq!(header.client.object_type, XRoadObjectType::Member);
    assert_eq!(
        header.request_hash,
        Some(RequestHash {
            value: "aGFzaA==".into(),
            algorithm_id: "sha512".into(),
        })
    );
}

/// A newtype whose values are checked after parsing, as generated for schema facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, XmlText)]
#[xml(validate = Self::validate)]
struct Percent(i32);

impl Percent {
    fn validate(&self) -> Result<(), xml::TextError> {
        if (0..=100).contains(&self.0) {
            Ok(())
        } else {
            Err(xml::TextError::new(format!(
                "{} is not a percentage",
                self.0
            )))
        }
    }
}

#[derive(Debug, PartialEq, XmlRead, XmlWrite)]
#[xml(root(name = "share"))]
struct Share {
    #[xml(element = "percent")]
    percent: Percent,
}

#[test]
fn newtype_validate_runs_on_parse_and_read() {
    assert_eq!("42".parse::<Percent>(), Ok(Percent(42)));
    let error = "101".parse::<Percent>().unwrap_err();
    assert_eq!(error.to_string(), "101 is not a percentage");
    let error = xml::from_str::<Share>("<share><percent>-1</percent></share>").unwrap_err();
    assert_eq!(error.path, "/share/percent");
    assert!(
        error.to_string().contains("-1 is not a percentage"),
        "{error}"
    );
    assert_eq!(
        xml::from_str::<Share>("<share><percent>7</percent></share>").unwrap(),
        Share {
            percent: Percent(7)
        }
    );
}

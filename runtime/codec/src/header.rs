//! X-Road header vocabulary that a management services WSDL does not declare: the protocol
//! version, and the `representedParty` header of the third-party representation extension.
//! The generated `Header` types use it.

use crate::xml::{XmlRead, XmlWrite};

/// The X-Road message protocol version written in requests.
pub const PROTOCOL_VERSION: &str = "4.0";

/// Namespace of the third-party representation extension (`representedParty`).
pub const REPRESENTATION_NS: &str = "http://x-road.eu/xsd/representation.xsd";

/// Whether `version` is `4.x` with `x` one or more ASCII digits: the versions accepted.
pub fn is_supported_protocol_version(version: &str) -> bool {
    version
        .strip_prefix("4.")
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
}

/// The party a request is made on behalf of (`repr:representedParty`): its class, if any,
/// and code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, XmlRead, XmlWrite)]
#[xml(namespace = "http://x-road.eu/xsd/representation.xsd")]
pub struct RepresentedParty {
    /// `partyClass`.
    #[xml(element = "partyClass")]
    pub party_class: Option<String>,
    /// `partyCode`.
    #[xml(element = "partyCode")]
    pub party_code: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Reader, Writer};

    #[test]
    fn protocol_versions() {
        for version in ["4.0", "4.1", "4.10", "4.007"] {
            assert!(is_supported_protocol_version(version), "{version}");
        }
        for version in [
            "3.1", "4", "4.", "4.x", "4.0.1", " 4.0", "4.0 ", "5.0", "", "4.-1",
        ] {
            assert!(!is_supported_protocol_version(version), "{version:?}");
        }
        assert!(is_supported_protocol_version(PROTOCOL_VERSION));
    }

    #[test]
    fn represented_party_round_trips() {
        let party = RepresentedParty {
            party_class: Some("COM".to_owned()),
            party_code: "UNKNOWN".to_owned(),
        };
        let mut writer = Writer::with_prefixes(&[("repr", REPRESENTATION_NS)]);
        writer
            .element(REPRESENTATION_NS, "representedParty", &party)
            .unwrap();
        let xml = writer.into_string().unwrap();
        assert_eq!(
            xml,
            r#"<repr:representedParty xmlns:repr="http://x-road.eu/xsd/representation.xsd"><repr:partyClass>COM</repr:partyClass><repr:partyCode>UNKNOWN</repr:partyCode></repr:representedParty>"#
        );
        let mut reader = Reader::new(xml.as_bytes()).unwrap();
        let start = reader.read_root().unwrap();
        assert_eq!(RepresentedParty::read(&mut reader, &start).unwrap(), party);
    }
}

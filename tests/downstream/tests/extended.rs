//! The new operation and field are typed items of the generated bindings.

use xroad_downstream::centralservice::{AddressChange, OperationName};
use xroad_downstream::identifiers::XRoadSecurityServerIdentifierType;
use xroad_downstream::xroad::{self, AddressChangeRequestType, ClientRequestType};
use xroad_codec::operation::{MimePart, Operation};
use xroad_codec::xml;

fn server() -> XRoadSecurityServerIdentifierType {
    "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap()
}

#[test]
fn new_operation_is_typed() {
    assert_eq!(<AddressChange as Operation>::NAME, "addressChange");
    assert_eq!(
        <AddressChange as Operation>::PARTS,
        [
            MimePart::SoapMessage,
            MimePart::Signature,
            MimePart::SigningCertificate,
            MimePart::OcspResponse
        ]
    );
    assert_eq!("addressChange".parse::<OperationName>().unwrap(), OperationName::AddressChange);
    assert_eq!(OperationName::ALL.len(), 6);
    let request: <AddressChange as Operation>::Request = xroad::AddressChange(AddressChangeRequestType {
        server: server(),
        address: "ss1.example.org".into(),
        request_id: None,
    });
    let text = xml::to_string_with(&request, xroad_downstream::NAMESPACES).unwrap();
    assert!(text.contains("<xroad:address>ss1.example.org</xroad:address>"), "{text}");
    let back: xroad::AddressChange = xml::from_str(&text).unwrap();
    assert_eq!(back, request);
}

#[test]
fn new_field_is_typed_and_optional() {
    let body = ClientRequestType {
        server: server(),
        client: "SUBSYSTEM:EE/COM/client/subsystem".parse().unwrap(),
        request_id: None,
        comment: Some("moved to the new data centre".into()),
    };
    let text = xml::to_string_with(&xroad::ClientReg(body.clone()), xroad_downstream::NAMESPACES)
        .unwrap();
    assert!(text.contains("<xroad:comment>moved to the new data centre</xroad:comment>"), "{text}");
    let back: xroad::ClientReg = xml::from_str(&text).unwrap();
    assert_eq!(back.0, body);
    // Messages without the new field still parse.
    let without = text.replace("<xroad:comment>moved to the new data centre</xroad:comment>", "");
    let back: xroad::ClientReg = xml::from_str(&without).unwrap();
    assert_eq!(back.0.comment, None);
}

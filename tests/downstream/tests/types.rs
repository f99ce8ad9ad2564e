//! The new operation and field are typed items of the generated bindings.

use xroad_codec::xml;
use xroad_downstream::centralservice::OperationName;
use xroad_downstream::xroad::{self, ClientRequestType, ContactChangeRequestType};
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;

fn server() -> XRoadSecurityServerIdentifierType {
    "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap()
}

#[test]
fn new_operation_is_typed() {
    assert_eq!(
        "contactChange".parse::<OperationName>().unwrap(),
        OperationName::ContactChange
    );
    assert_eq!(OperationName::ALL.len(), 12);
    let request = xroad::ContactChange(ContactChangeRequestType {
        server: server(),
        contact: "ops@example.org".into(),
        request_id: None,
    });
    let text = xml::to_string_with(&request, xroad_downstream::NAMESPACES).unwrap();
    assert!(text.contains("<xroad:contact>ops@example.org</xroad:contact>"), "{text}");
    let back: xroad::ContactChange = xml::from_str(&text).unwrap();
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
    let text = xml::to_string_with(&xroad::ClientDeletion(body.clone()), xroad_downstream::NAMESPACES)
        .unwrap();
    assert!(text.contains("<xroad:comment>moved to the new data centre</xroad:comment>"), "{text}");
    let back: xroad::ClientDeletion = xml::from_str(&text).unwrap();
    assert_eq!(back.0, body);
    // Messages without the new field still parse.
    let without = text.replace("<xroad:comment>moved to the new data centre</xroad:comment>", "");
    let back: xroad::ClientDeletion = xml::from_str(&without).unwrap();
    assert_eq!(back.0.comment, None);
}

//! Bindings generated with `Builder::serde` (see `build.rs`): the builtins and open content of
//! the construct schemas, read from their XML instances, serialize to JSON — XML Schema values
//! as their lexical form, enumeration values as their XML value, with the type and field
//! attributes of the build script applied — and deserialize back to equal values.

use xroad_tests::round_trip;

/// The builtins, deriving serde, with `rename_all = "camelCase"` on `values` and
/// `rename = "amount"` on its `decimal`.
#[allow(dead_code)]
mod builtins_serde {
    xroad_codec::include_bindings!("serde/builtins");
}

/// The management services with the default profile, deriving serde; the identifiers are
/// those of `xroad-mserv` (feature `serde`).
#[allow(dead_code)]
mod centralservice_serde {
    xroad_codec::include_bindings!("serde/centralservice");
}

/// Open content, deriving serde.
#[allow(dead_code)]
mod open_serde {
    xroad_codec::include_bindings!("serde/open");
}

#[test]
fn builtins_serialize_as_their_lexical_form_and_back() {
    let values: builtins_serde::builtins::Values = round_trip("builtins", "values-1.xml");
    let json = serde_json::to_value(&values).expect("serializes");
    // The type attribute renamed the fields, the field attribute `decimal`.
    assert_eq!(json["dateTime"], "2024-02-29T23:59:59.125+02:00", "{json}");
    assert_eq!(json["amount"], "-12345678901234567890.50", "{json}");
    assert!(json.get("decimal").is_none(), "{json}");
    assert_eq!(json["hexBinary"], "0FA1", "{json}");
    assert_eq!(json["idrefs"], "v1 v1", "{json}");
    assert_eq!(json["level"], "high", "{json}");
    assert_eq!(json["qname"]["local"], "Server", "{json}");
    let text = serde_json::to_string(&values).expect("serializes");
    let back: builtins_serde::builtins::Values = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back, values);
}

#[test]
fn an_invalid_value_in_json_is_refused_with_its_reason() {
    let values: builtins_serde::builtins::Values = round_trip("builtins", "values-1.xml");
    let mut json = serde_json::to_value(&values).expect("serializes");
    json["date"] = "2024-02-30".into();
    let error = serde_json::from_value::<builtins_serde::builtins::Values>(json).unwrap_err();
    assert!(error.to_string().contains("2024-02-30"), "{error}");
}

#[test]
fn open_content_serializes_and_back() {
    let envelope: open_serde::open::Envelope = round_trip("open", "envelope-1.xml");
    let text = serde_json::to_string(&envelope).expect("serializes");
    assert!(text.contains(r#""local":"order""#), "{text}");
    let back: open_serde::open::Envelope = serde_json::from_str(&text).expect("reads back");
    assert_eq!(back, envelope);
}

#[test]
fn a_management_request_serializes_with_the_identifiers_of_xroad_mserv() {
    use xroad_codec::soap::Envelope;
    use xroad_mserv::centralservice::Header;

    let text = xroad_tests::annex_a("a1-client-reg-request.xml");
    let request =
        Envelope::<Header, centralservice_serde::xroad::ClientReg>::from_slice(text.as_bytes())
            .expect("the Annex A request reads");
    let json = serde_json::to_value(&request.body).expect("serializes");
    // Enumeration values keep their XML value.
    assert_eq!(json["client"]["object_type"], "SUBSYSTEM", "{json}");
    assert_eq!(json["server"]["object_type"], "SERVER", "{json}");
    let back: centralservice_serde::xroad::ClientReg =
        serde_json::from_value(json).expect("reads back");
    assert_eq!(back, request.body);
}

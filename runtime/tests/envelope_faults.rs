//! SOAP faults: written and read back, and faults as the reference implementation writes them.

use xroad_mserv::centralservice::ClientReg;
use xroad_runtime::envelope::{
    EnvelopeError, Reply, SoapFault, build_fault, parse_fault, parse_reply, parse_request,
};
use xroad_runtime::fault::{Fault, FaultCode};

const A1: &str = include_str!("../../tests/fixtures/annex-a/a1-client-reg-request.xml");

/// A fault written by hand in the shape of the reference implementation's faults (SAAJ: an
/// empty header, unqualified children, the detail entry in no namespace).
const REFERENCE_FAULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">
  <SOAP-ENV:Header/>
  <SOAP-ENV:Body>
    <SOAP-ENV:Fault>
      <faultcode>invalid_signature_value</faultcode>
      <faultstring>Signature of the SOAP message does not verify with the signing certificate</faultstring>
      <faultactor></faultactor>
      <detail>
        <faultDetail xmlns="">2b1d5a4e-7b67-4c2a-9d0f-6c1f3f0e1a55</faultDetail>
      </detail>
    </SOAP-ENV:Fault>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>
"#;

#[test]
fn every_code_round_trips() {
    for code in FaultCode::ALL {
        let fault = Fault::new(code, format!("reason for {code}: <&\"'> äö\n second line"));
        let soap = build_fault(&fault).unwrap();
        let text = String::from_utf8(soap.clone()).unwrap();
        assert!(
            text.contains(&format!("<faultcode>{code}</faultcode>")),
            "{text}"
        );
        let parsed = parse_fault(&soap).unwrap();
        assert_eq!(parsed, SoapFault::from(fault.clone()));
        assert_eq!(Fault::from(parsed), fault);
    }
}

#[test]
fn prefix_actor_and_detail_round_trip() {
    let fault = SoapFault {
        fault: Fault::new(FaultCode::CertValidation, "certificate is revoked"),
        code_prefix: Some("Server.ServerProxy".to_owned()),
        actor: Some("http://cs.example/managementservice".to_owned()),
        detail: Some("6a3f".to_owned()),
    };
    let soap = fault.to_soap().unwrap();
    let text = String::from_utf8(soap.clone()).unwrap();
    assert!(
        text.contains("<faultcode>Server.ServerProxy.cert_validation</faultcode>"),
        "{text}"
    );
    assert_eq!(parse_fault(&soap).unwrap(), fault);
    assert_eq!(
        parse_reply::<ClientReg>(&soap).unwrap(),
        Reply::Fault(fault.clone())
    );
    assert_eq!(
        fault.to_string(),
        "Server.ServerProxy.cert_validation: certificate is revoked"
    );
}

#[test]
fn a_reference_fault_parses() {
    let fault = parse_fault(REFERENCE_FAULT.as_bytes()).unwrap();
    assert_eq!(fault.code(), FaultCode::InvalidSignatureValue);
    assert_eq!(
        fault.fault.reason,
        "Signature of the SOAP message does not verify with the signing certificate"
    );
    assert_eq!(fault.code_prefix, None);
    assert_eq!(fault.actor.as_deref(), Some(""));
    assert_eq!(
        fault.detail.as_deref(),
        Some("2b1d5a4e-7b67-4c2a-9d0f-6c1f3f0e1a55")
    );
    assert_eq!(
        parse_reply::<ClientReg>(REFERENCE_FAULT.as_bytes()).unwrap(),
        Reply::Fault(fault)
    );
}

#[test]
fn relayed_codes_with_a_soap_class_prefix_parse() {
    for (faultcode, prefix, code) in [
        (
            "Server.ServerProxy.invalid_signature_value",
            "Server.ServerProxy",
            FaultCode::InvalidSignatureValue,
        ),
        (
            "Server.ClientProxy.incorrect_validation_info",
            "Server.ClientProxy",
            FaultCode::IncorrectValidationInfo,
        ),
        (
            "Client.invalid_request",
            "Client",
            FaultCode::InvalidRequest,
        ),
    ] {
        let xml = REFERENCE_FAULT.replace(">invalid_signature_value<", &format!(">{faultcode}<"));
        let fault = parse_fault(xml.as_bytes()).unwrap();
        assert_eq!(
            (fault.code_prefix.as_deref(), fault.code()),
            (Some(prefix), code)
        );
        assert_eq!(fault.faultcode(), faultcode);
    }
}

#[test]
fn unknown_codes_are_refused_naming_them() {
    for faultcode in [
        "Server.ClientProxy.NetworkError",
        "SOAP-ENV:Server",
        "SOAP-ENV:invalid_signature_value",
        "Proxy.invalid_signature_value",
        "invalid signature value",
        "",
    ] {
        let xml = REFERENCE_FAULT.replace(">invalid_signature_value<", &format!(">{faultcode}<"));
        assert_eq!(
            parse_fault(xml.as_bytes()),
            Err(EnvelopeError::UnknownFaultCode {
                path: "/Envelope/Body/Fault/faultcode".to_owned(),
                code: faultcode.to_owned()
            })
        );
    }
}

#[test]
fn malformed_faults_are_refused() {
    let cases = [
        // faultstring is mandatory.
        REFERENCE_FAULT.replace(
            "<faultstring>Signature of the SOAP message does not verify with the signing certificate</faultstring>",
            "",
        ),
        // The children are unqualified.
        REFERENCE_FAULT
            .replace("<faultcode>", "<SOAP-ENV:faultcode>")
            .replace("</faultcode>", "</SOAP-ENV:faultcode>"),
        // Children in SOAP order only.
        REFERENCE_FAULT.replace("<faultactor></faultactor>", "").replace("</detail>", "</detail><faultactor/>"),
        // A header that is not well-formed.
        REFERENCE_FAULT.replace("<SOAP-ENV:Header/>", "<SOAP-ENV:Header><x></SOAP-ENV:Header>"),
        // Detail entries other than faultDetail.
        REFERENCE_FAULT.replace("<faultDetail xmlns=\"\">", "<other>").replace("</faultDetail>", "</other>"),
        // Nothing after the fault.
        REFERENCE_FAULT.replace("</SOAP-ENV:Fault>", "</SOAP-ENV:Fault><SOAP-ENV:Fault/>"),
    ];
    for xml in cases {
        let error = parse_fault(xml.as_bytes()).unwrap_err();
        assert_eq!(error.fault_code(), FaultCode::InvalidRequest, "{error}");
    }
}

#[test]
fn a_fault_header_is_skipped() {
    // As the reference implementation does for faults, whatever well-formed header a fault
    // has is skipped, X-Road header fields or not.
    let expected = parse_fault(REFERENCE_FAULT.as_bytes()).unwrap();
    for header in [
        "<SOAP-ENV:Header><x/></SOAP-ENV:Header>",
        "<SOAP-ENV:Header><xroad:id xmlns:xroad=\"http://x-road.eu/xsd/xroad.xsd\">1</xroad:id></SOAP-ENV:Header>",
    ] {
        let xml = REFERENCE_FAULT.replace("<SOAP-ENV:Header/>", header);
        assert_eq!(parse_fault(xml.as_bytes()).unwrap(), expected, "{header}");
        assert_eq!(
            parse_reply::<ClientReg>(xml.as_bytes()).unwrap(),
            Reply::Fault(expected.clone()),
            "{header}"
        );
    }
}

#[test]
fn a_request_is_not_a_fault() {
    let error = parse_fault(A1.as_bytes()).unwrap_err();
    assert_eq!(
        error,
        EnvelopeError::BodyMismatch {
            path: "/Envelope/Body/clientReg".to_owned(),
            expected: "{http://schemas.xmlsoap.org/soap/envelope/}Fault".to_owned(),
            found: "{http://x-road.eu/xsd/xroad.xsd}clientReg".to_owned(),
        }
    );
}

#[test]
fn a_refused_request_is_answered_with_its_fault() {
    let bad = A1.replacen(">4.0<", ">3.1<", 1);
    let error = parse_request::<ClientReg>(bad.as_bytes()).unwrap_err();
    let fault = error.into_fault();
    let soap = build_fault(&fault).unwrap();
    let parsed = parse_fault(&soap).unwrap();
    assert_eq!(parsed.code(), FaultCode::InvalidRequest);
    assert_eq!(
        parsed.fault.reason,
        "/Envelope/Header/protocolVersion: protocol version `3.1` is not supported, expected `4.x`"
    );
}

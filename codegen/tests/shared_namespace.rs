//! A WSDL whose schema shares the WSDL's target namespace (a common layout) generates: the
//! operation structs, which would be named like the body elements, take an `Operation` suffix.

use std::path::Path;

use xroad_codegen::{OperationProfile, Options, Signer};

const WSDL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:example:echo"
    name="echo" targetNamespace="urn:example:echo">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:example:echo" elementFormDefault="qualified">
      <xsd:complexType name="EchoType">
        <xsd:sequence>
          <xsd:element name="server" type="xsd:string"/>
          <xsd:element name="client" type="xsd:string"/>
          <xsd:element name="requestId" type="xsd:integer" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="echo" type="tns:EchoType"/>
      <xsd:element name="echoResponse" type="tns:EchoType"/>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="echo"><wsdl:part name="p" element="tns:echo"/></wsdl:message>
  <wsdl:message name="echoResponse"><wsdl:part name="p" element="tns:echoResponse"/></wsdl:message>
  <wsdl:portType name="echo">
    <wsdl:operation name="echo">
      <wsdl:input message="tns:echo"/><wsdl:output message="tns:echoResponse"/>
    </wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="echoSOAP" type="tns:echo">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="echo">
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="echo">
    <wsdl:port name="echoSOAP" binding="tns:echoSOAP"><soap:address location="http://localhost/"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"#;

#[test]
fn described_operation_struct_takes_a_suffix() {
    let mut options = Options::bare();
    options.operation(
        "echo",
        OperationProfile::manage().signed_by(Signer::ClientOwner),
    );
    let generated =
        xroad_codegen::generate_str(Path::new("echo.wsdl"), WSDL, &options).expect("generates");
    let code = &generated.code;
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    assert!(code.contains("pub struct Echo(pub EchoType);"), "{code}");
    assert!(code.contains("pub struct EchoOperation;"), "{code}");
    assert!(
        code.contains("impl Operation for EchoOperation {"),
        "{code}"
    );
    assert!(code.contains("type Request = Echo;"), "{code}");
    // The client's type is the body's own (a string here), and the request id a plain long.
    assert!(code.contains("type Client = String;"), "{code}");
    assert!(code.contains("request_id: Some(request_id),"), "{code}");
    assert!(code.contains("pub mod echo_client {"), "{code}");
    assert!(
        code.contains("self.inner.call::<echo::EchoOperation>(request).await"),
        "{code}"
    );
    syn::parse_file(code).expect("generated code parses");
}

#[test]
fn bare_options_generate_types_only_without_warnings() {
    let generated = xroad_codegen::generate_str(Path::new("echo.wsdl"), WSDL, &Options::bare())
        .expect("generates");
    assert!(generated.warnings.is_empty());
    let code = &generated.code;
    assert!(code.contains("pub struct Echo(pub EchoType);"), "{code}");
    assert!(!code.contains("EchoOperation"), "{code}");
    assert!(!code.contains("OperationName"), "{code}");
    assert!(!code.contains("echo_client"), "{code}");
    syn::parse_file(code).expect("generated code parses");
}

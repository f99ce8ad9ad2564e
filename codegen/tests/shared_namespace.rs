//! A WSDL whose schema shares the WSDL's target namespace (a common layout) generates: the
//! operation structs, which would be named like the body elements, take an `Operation` suffix.

use std::path::Path;

use xroad_codegen::Options;

const WSDL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:example:echo"
    name="echo" targetNamespace="urn:example:echo">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:example:echo" elementFormDefault="qualified">
      <xsd:element name="echo" type="xsd:string"/>
      <xsd:element name="echoResponse" type="xsd:string"/>
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
fn operations_and_elements_in_one_namespace() {
    let code = xroad_codegen::generate_str(Path::new("echo.wsdl"), WSDL, &Options::bare())
        .expect("generates");
    assert!(code.contains("pub struct Echo(pub String);"), "{code}");
    assert!(code.contains("pub struct EchoOperation;"), "{code}");
    assert!(
        code.contains("<EchoOperation as ::xroad_codec::operation::Operation>::PARTS"),
        "{code}"
    );
    assert!(code.contains("request = Echo,"), "{code}");
    syn::parse_file(&code).expect("generated code parses");
}

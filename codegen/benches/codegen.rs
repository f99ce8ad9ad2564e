//! Code generation speed: the Annex B WSDL, synthetic WSDLs of 500, 1,000 and 2,000 complex
//! types (made by [`synthetic_wsdl`]) to show that time grows linearly, and the largest entry
//! file of the X-Road corpus with the corpus catalog, when the corpus is there
//! (`$XROAD_CORPUS`, else `../shared/corpus/x-road` next to the workspace; without it the
//! benchmark says so and is left out).
//!
//! `cargo bench -p xroad-codegen --bench codegen` (release) and
//! `cargo bench -p xroad-codegen --bench codegen --profile dev` (what a build script sees).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use xroad_codegen::Options;

/// A WSDL with `types` complex types in a chain of references, each with a documented
/// sequence of string, integer, base64 and optional fields, an enumeration every tenth type,
/// and one operation per ten types.
fn synthetic_wsdl(types: usize) -> String {
    let mut schema = String::new();
    let mut messages = String::new();
    let mut operations = String::new();
    let mut bindings = String::new();
    for i in 0..types {
        let next = if i + 1 < types {
            format!(
                r#"<xsd:element name="next" type="tns:Type{}" minOccurs="0"/>"#,
                i + 1
            )
        } else {
            String::new()
        };
        let _ = write!(
            schema,
            r#"
      <xsd:complexType name="Type{i}">
        <xsd:annotation><xsd:documentation>Synthetic type number {i}.</xsd:documentation></xsd:annotation>
        <xsd:sequence>
          <xsd:element name="name" type="xsd:string"/>
          <xsd:element name="count" type="xsd:integer"/>
          <xsd:element name="payload" type="xsd:base64Binary" minOccurs="0"/>
          <xsd:element name="item" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
          {next}
        </xsd:sequence>
        <xsd:attribute name="version" type="xsd:int" use="required"/>
      </xsd:complexType>"#
        );
        if i % 10 == 0 {
            let _ = write!(
                schema,
                r#"
      <xsd:simpleType name="Kind{i}">
        <xsd:restriction base="xsd:string">
          <xsd:enumeration value="A"/><xsd:enumeration value="B"/><xsd:enumeration value="C"/>
        </xsd:restriction>
      </xsd:simpleType>
      <xsd:element name="op{i}" type="tns:Type{i}"/>
      <xsd:element name="op{i}Response" type="tns:Type{i}"/>"#
            );
            let _ = write!(
                messages,
                r#"
  <wsdl:message name="op{i}"><wsdl:part name="parameters" element="tns:op{i}"/></wsdl:message>
  <wsdl:message name="op{i}Response"><wsdl:part name="parameters" element="tns:op{i}Response"/></wsdl:message>"#
            );
            let _ = write!(
                operations,
                r#"
    <wsdl:operation name="op{i}"><wsdl:input message="tns:op{i}"/><wsdl:output message="tns:op{i}Response"/></wsdl:operation>"#
            );
            let _ = write!(
                bindings,
                r#"
    <wsdl:operation name="op{i}"><soap:operation soapAction=""/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>"#
            );
        }
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:example:synthetic"
    name="synthetic" targetNamespace="urn:example:synthetic">
  <wsdl:types>
    <xsd:schema targetNamespace="urn:example:synthetic" elementFormDefault="qualified">{schema}
    </xsd:schema>
  </wsdl:types>{messages}
  <wsdl:portType name="synthetic">{operations}
  </wsdl:portType>
  <wsdl:binding name="syntheticSOAP" type="tns:synthetic">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>{bindings}
  </wsdl:binding>
  <wsdl:service name="synthetic">
    <wsdl:port name="syntheticSOAP" binding="tns:syntheticSOAP"><soap:address location="http://localhost/"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
"#
    )
}

fn annex_b(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsdl/centralservice.wsdl");
    let wsdl = std::fs::read_to_string(&path).expect("Annex B WSDL");
    let options = Options::default();
    c.bench_function("codegen/annex_b", |b| {
        b.iter(|| {
            xroad_codegen::generate_str(&path, black_box(&wsdl), &options).expect("generates")
        })
    });
}

fn synthetic(c: &mut Criterion) {
    let options = Options::bare();
    let mut group = c.benchmark_group("codegen/synthetic");
    group.sample_size(10);
    for types in [500, 1_000, 2_000] {
        let wsdl = synthetic_wsdl(types);
        let path = Path::new("synthetic.wsdl");
        xroad_codegen::generate_str(path, &wsdl, &options).expect("synthetic WSDL generates");
        group.throughput(Throughput::Elements(types as u64));
        group.bench_with_input(BenchmarkId::from_parameter(types), &wsdl, |b, wsdl| {
            b.iter(|| {
                xroad_codegen::generate_str(path, black_box(wsdl), &options).expect("generates")
            })
        });
    }
    group.finish();
}

/// The corpus folder, if there is one.
fn corpus() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("XROAD_CORPUS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/x-road"),
    };
    dir.join("MANIFEST.txt").is_file().then_some(dir)
}

fn corpus_largest(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        eprintln!("codegen/corpus: left out, no X-Road corpus (set XROAD_CORPUS to its folder)");
        return;
    };
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.txt")).expect("corpus manifest");
    let mut options = Options::bare();
    options.catalog(dir.join("catalog.xml"));
    // The largest entry file that generates (the deliberately invalid ones do not).
    let largest = manifest
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut columns = l.split('|').map(str::trim);
            let file = columns.next()?;
            columns.nth(1).filter(|k| *k == "entry")?;
            let path = dir.join(file);
            let size = std::fs::metadata(&path).ok()?.len();
            Some((size, path))
        })
        .filter(|(_, path)| xroad_codegen::generate_file(path, &options).is_ok())
        .max();
    let Some((size, path)) = largest else {
        eprintln!("codegen/corpus: left out, no entry file of the corpus generates");
        return;
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let id = format!("largest/{}", name.unwrap_or_default());
    let mut group = c.benchmark_group("codegen/corpus");
    group.throughput(Throughput::Bytes(size));
    group.bench_function(id, |b| {
        b.iter(|| xroad_codegen::generate_file(black_box(&path), &options).expect("generates"))
    });
    group.finish();
}

criterion_group!(benches, annex_b, synthetic, corpus_largest);
criterion_main!(benches);

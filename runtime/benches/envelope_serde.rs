//! Reading and writing the Annex A.1 `clientReg` request envelope as the runtime does — the
//! generated `Header` and body read by `envelope::parse_request`, with its checks — against a
//! quick-xml serde derive of the same shape measured in the same run.
//!
//! `cargo bench -p xroad-runtime --bench envelope_serde`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

use xroad_mserv::centralservice::ClientReg;
use xroad_runtime::envelope::parse_request;

const A1: &str = include_str!("../../tests/fixtures/annex-a/a1-client-reg-request.xml");

/// The same message shape as a serde model, read and written by quick-xml's serde support
/// (names matched by local name, no namespace processing).
mod serde_model {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Envelope {
        #[serde(rename = "Header")]
        pub header: Header,
        #[serde(rename = "Body")]
        pub body: Body,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Header {
        pub client: Identifier,
        pub service: Identifier,
        pub id: String,
        #[serde(rename = "protocolVersion")]
        pub protocol_version: String,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Body {
        #[serde(rename = "clientReg")]
        pub client_reg: ClientReg,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct ClientReg {
        pub server: Identifier,
        pub client: Identifier,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub struct Identifier {
        #[serde(rename = "@objectType")]
        pub object_type: String,
        #[serde(rename = "xRoadInstance")]
        pub x_road_instance: String,
        #[serde(rename = "memberClass")]
        pub member_class: String,
        #[serde(rename = "memberCode")]
        pub member_code: String,
        #[serde(
            rename = "subsystemCode",
            skip_serializing_if = "Option::is_none",
            default
        )]
        pub subsystem_code: Option<String>,
        #[serde(
            rename = "serverCode",
            skip_serializing_if = "Option::is_none",
            default
        )]
        pub server_code: Option<String>,
        #[serde(
            rename = "serviceCode",
            skip_serializing_if = "Option::is_none",
            default
        )]
        pub service_code: Option<String>,
    }
}

fn envelope(c: &mut Criterion) {
    let ours = parse_request::<ClientReg>(A1.as_bytes()).expect("A.1 parses");
    let theirs: serde_model::Envelope = quick_xml::de::from_str(A1).expect("A.1 parses with serde");
    assert_eq!(theirs.body.client_reg.client.member_code, "client");

    let mut group = c.benchmark_group("a1_envelope_parse");
    group.throughput(Throughput::Bytes(A1.len() as u64));
    group.bench_function("runtime", |b| {
        b.iter(|| parse_request::<ClientReg>(black_box(A1.as_bytes())).expect("parses"))
    });
    group.bench_function("quick_xml_serde", |b| {
        b.iter(|| quick_xml::de::from_str::<serde_model::Envelope>(black_box(A1)).expect("parses"))
    });
    group.finish();

    let mut group = c.benchmark_group("a1_envelope_write");
    group.bench_function("runtime", |b| {
        b.iter(|| black_box(&ours).to_soap().expect("writes"))
    });
    group.bench_function("quick_xml_serde", |b| {
        b.iter(|| {
            quick_xml::se::to_string_with_root("Envelope", black_box(&theirs)).expect("writes")
        })
    });
    group.finish();
}

criterion_group!(benches, envelope);
criterion_main!(benches);

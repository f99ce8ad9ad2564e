//! Parsing the Annex A.1 `clientReg` request, building its response and checking that
//! response on the client side, next to the generated bindings' plain envelope reader over the
//! same request (which checks header order but not the X-Road rules), measured in the same run.
//!
//! `cargo bench -p xroad-runtime --bench envelope`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xroad_codec::operation::Operation;
use xroad_codec::soap::Envelope;
use xroad_mserv::centralservice::{ClientReg, Header};
use xroad_runtime::envelope::{build_response, parse_request, parse_response};

const A1: &[u8] = include_bytes!("../../tests/fixtures/annex-a/a1-client-reg-request.xml");

fn envelope(c: &mut Criterion) {
    let request = parse_request(A1).expect("A.1 parses");
    let response = build_response(&request, A1, 394).expect("response builds");

    let mut group = c.benchmark_group("a1_request");
    group.throughput(Throughput::Bytes(A1.len() as u64));
    group.bench_function("parse_request", |b| {
        b.iter(|| parse_request(black_box(A1)).expect("parses"))
    });
    group.bench_function("generated_envelope_baseline", |b| {
        b.iter(|| {
            Envelope::<Header, <ClientReg as Operation>::Request>::from_slice(black_box(A1))
                .expect("parses")
        })
    });
    group.finish();

    let mut group = c.benchmark_group("a1_response");
    group.throughput(Throughput::Bytes(response.len() as u64));
    group.bench_function("build_response", |b| {
        b.iter(|| build_response(black_box(&request), black_box(A1), 394).expect("builds"))
    });
    group.bench_function("parse_response", |b| {
        b.iter(|| parse_response(&request, A1, black_box(&response)).expect("accepted"))
    });
    group.finish();
}

criterion_group!(benches, envelope);
criterion_main!(benches);

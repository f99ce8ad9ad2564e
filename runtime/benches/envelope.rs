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
use xroad_runtime::envelope::{Response, parse_request, parse_response};

const A1: &[u8] = include_bytes!("../../tests/fixtures/annex-a/a1-client-reg-request.xml");

fn envelope(c: &mut Criterion) {
    let request = parse_request::<ClientReg>(A1).expect("A.1 parses");
    // As a central server answering security servers directly: with `requestHash`.
    let build_response = |request, soap| {
        Response::answer(request, soap, 394, true)
            .and_then(|response| response.to_soap())
            .expect("response builds")
    };
    let response = build_response(&request, A1);

    let mut group = c.benchmark_group("a1_request");
    group.throughput(Throughput::Bytes(A1.len() as u64));
    group.bench_function("parse_request", |b| {
        b.iter(|| parse_request::<ClientReg>(black_box(A1)).expect("parses"))
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
        b.iter(|| build_response(black_box(&request), black_box(A1)))
    });
    group.bench_function("parse_response", |b| {
        b.iter(|| parse_response(&request, A1, black_box(&response)).expect("accepted"))
    });
    group.finish();
}

criterion_group!(benches, envelope);
criterion_main!(benches);

//! Parsing a `multipart/related` body with one 1 MiB part, against a bare `memchr::memmem`
//! search for the closing delimiter over the same bytes, measured in the same run (the least
//! any parser must do).
//!
//! `cargo bench -p xroad-runtime --bench multipart`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xroad_runtime::multipart::{Boundary, Limits, Part, content_type_header, parse, write};

fn multipart(c: &mut Criterion) {
    let boundary = Boundary::new("xroadABCDEFGHIJKLMNOPQRSTUVWXYZabcd").expect("valid boundary");
    let data: Vec<u8> = (0..1usize << 20).map(|i| (i * 7 + i / 13) as u8).collect();
    let bytes = write(&boundary, &[Part::octet_stream(&data)]).expect("writes");
    let content_type = content_type_header(&boundary);
    let limits = Limits::default();
    let delimiter = format!("\r\n--{boundary}--");
    let finder = memchr::memmem::Finder::new(delimiter.as_bytes());

    let mut group = c.benchmark_group("multipart_1mib_part");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("xroad_runtime_parse", |b| {
        b.iter(|| {
            let parts = parse(&content_type, black_box(&bytes), &limits).expect("parses");
            assert_eq!(parts[0].body.len(), data.len());
        })
    });
    group.bench_function("memmem_baseline", |b| {
        b.iter(|| finder.find(black_box(&bytes)).expect("delimiter present"))
    });
    group.finish();
}

criterion_group!(benches, multipart);
criterion_main!(benches);

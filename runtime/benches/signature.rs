//! Signing and verifying a 2 KiB message with a 2048-bit RSA key, through this crate and
//! through bare `openssl::sign` calls with the same parameters, measured in the same run.
//!
//! `cargo bench -p xroad-runtime --bench signature`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use openssl::pkey::{PKey, PKeyRef, Private, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::RsaPssSaltlen;
use xroad_runtime::signature::{SignatureAlgorithm, Signer, SoftwareSigner, VerifyingKey, verify};

/// Sets the PSS parameters X-Road uses on a bare OpenSSL signer or verifier.
macro_rules! set_pss {
    ($ctx:expr, $algorithm:expr) => {
        if $algorithm.is_pss() {
            $ctx.set_rsa_padding(Padding::PKCS1_PSS)
                .expect("PSS padding");
            $ctx.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
                .expect("salt length");
            $ctx.set_rsa_mgf1_md($algorithm.digest())
                .expect("MGF1 digest");
        }
    };
}

fn bare_sign(algorithm: SignatureAlgorithm, key: &PKeyRef<Private>, data: &[u8]) -> Vec<u8> {
    let mut signer = openssl::sign::Signer::new(algorithm.digest(), key).expect("signer");
    set_pss!(signer, algorithm);
    signer.sign_oneshot_to_vec(data).expect("signs")
}

fn bare_verify(
    algorithm: SignatureAlgorithm,
    key: &PKeyRef<Public>,
    data: &[u8],
    signature: &[u8],
) -> bool {
    let mut verifier = openssl::sign::Verifier::new(algorithm.digest(), key).expect("verifier");
    set_pss!(verifier, algorithm);
    verifier.verify_oneshot(signature, data).expect("verifies")
}

fn signature(c: &mut Criterion) {
    let private_key = PKey::from_rsa(Rsa::generate(2048).expect("RSA key")).expect("PKey");
    let signer = SoftwareSigner::from_pkey(private_key.clone()).expect("RSA signer");
    let public_key = signer.public_key().to_owned();
    let verifying_key = VerifyingKey::from_public_key(public_key.clone()).expect("RSA key");
    let data: Vec<u8> = (0..2048usize).map(|i| (i * 31 + i / 7) as u8).collect();

    for algorithm in [
        SignatureAlgorithm::Sha256WithRsa,
        SignatureAlgorithm::Sha512WithRsaAndMgf1,
    ] {
        let mut group = c.benchmark_group(format!("sign_2kib/{algorithm}"));
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("xroad_runtime"), |b| {
            b.iter(|| signer.sign(algorithm, black_box(&data)).expect("signs"))
        });
        group.bench_function(BenchmarkId::from_parameter("bare_openssl"), |b| {
            b.iter(|| bare_sign(algorithm, &private_key, black_box(&data)))
        });
        group.finish();

        let signature = signer.sign(algorithm, &data).expect("signs");
        assert!(bare_verify(algorithm, &public_key, &data, &signature));
        let mut group = c.benchmark_group(format!("verify_2kib/{algorithm}"));
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(BenchmarkId::from_parameter("xroad_runtime_key"), |b| {
            b.iter(|| {
                verifying_key
                    .verify(algorithm, black_box(&data), black_box(&signature))
                    .expect("verifies")
            })
        });
        group.bench_function(BenchmarkId::from_parameter("xroad_runtime_fn"), |b| {
            b.iter(|| {
                verify(
                    algorithm,
                    &public_key,
                    black_box(&data),
                    black_box(&signature),
                )
                .expect("verifies")
            })
        });
        group.bench_function(BenchmarkId::from_parameter("bare_openssl"), |b| {
            b.iter(|| {
                assert!(bare_verify(
                    algorithm,
                    &public_key,
                    black_box(&data),
                    black_box(&signature)
                ))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, signature);
criterion_main!(benches);

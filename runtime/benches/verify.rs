//! Server-side verification of a clientReg request against the bare openssl operations it
//! needs, measured in the same run.
//!
//! - `pipeline_cached`: [`Verifier::verify`] with the signing certificate and OCSP response
//!   already verified (the steady state: a security server reuses its OCSP response while
//!   it is fresh). Baseline `openssl_signature`: one `openssl::sign::Verifier` check of the
//!   same signature over the same SOAP bytes — the only cryptography left to do.
//! - `pipeline_uncached`: the same with caching off, so the chain, the OCSP response and the
//!   signature are all verified. Baseline `openssl_signature_chain_ocsp`: the three RSA
//!   checks (request signature, certificate signature, OCSP response signature) with the
//!   bare openssl crate.
//!
//! `cargo bench -p xroad-runtime --bench verify`

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{Criterion, criterion_group, criterion_main};
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspFlag, OcspResponse};
use openssl::sign::Verifier as OpensslVerifier;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use xroad_mserv::centralservice::OperationName;
use xroad_mserv::xroad::{ClientReg, ClientRegRequestType};
use xroad_runtime::cert::TrustStore;
use xroad_runtime::compose::{MemberSignature, compose};
use xroad_runtime::envelope::Request;
use xroad_runtime::message::{Framing, RequestParts};
use xroad_runtime::multipart::Limits;
use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
use xroad_runtime::signature::{SignatureAlgorithm, SoftwareSigner};
use xroad_runtime::testpki::{CertRequest, OcspResponder, TestPki};
use xroad_runtime::verify::{Verifier, VerifierConfig};

fn verify(c: &mut Criterion) {
    let pki = TestPki::new().expect("PKI");
    let member = pki
        .issue(&CertRequest::signing("EE", "COM", "client").distinct_key())
        .expect("signing certificate");
    let ocsp = OcspResponder::new(pki.ca())
        .respond(member.cert())
        .expect("OCSP response");
    let certificate = member.cert_der().expect("DER");
    let signer = SoftwareSigner::from_pkey(member.key().clone()).expect("RSA key");
    let body = ClientReg(ClientRegRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().expect("id"),
        client: "SUBSYSTEM:EE/COM/client/subsystem".parse().expect("id"),
        subsystem_name: None,
        request_id: None,
    });
    let provider = "SUBSYSTEM:EE/GOV/CENTRAL/management".parse().expect("id");
    let request = Request::new(
        "MEMBER:EE/GOV/TS1OWNER".parse().expect("id"),
        &provider,
        body,
    )
    .expect("request");
    let algorithm = SignatureAlgorithm::Sha256WithRsa;
    let message = compose(
        request,
        Some(MemberSignature {
            signer: &signer,
            algorithm,
            certificate: &certificate,
            ocsp_response: &ocsp,
        }),
        None,
    )
    .expect("composes")
    .message;

    let make = |capacity| {
        let mut config = VerifierConfig::new("EE".parse().expect("code"), provider.clone());
        config.cache_capacity = capacity;
        let trust = TrustStore::new([pki.ca().cert().clone()]).expect("trust");
        Verifier::new(config, trust, OcspVerifier::new(OcspPolicy::default()))
    };
    let cached = make(VerifierConfig::DEFAULT_CACHE_CAPACITY);
    let uncached = make(0);
    let now = SystemTime::now();
    cached
        .verify(Some(&message.content_type), &message.body, now)
        .expect("verifies");

    let parts: RequestParts<'_> = Framing::parse(
        Some(&message.content_type),
        &message.body,
        &Limits::default(),
    )
    .expect("frames")
    .into_parts(OperationName::ClientReg)
    .expect("parts");
    let soap = parts.soap.to_vec();
    let signature = parts.signature.expect("signature").value.to_vec();
    let public_key = member.cert().public_key().expect("key");
    let ca_key = pki.ca().cert().public_key().expect("CA key");
    let openssl_signature = || {
        let mut verifier =
            OpensslVerifier::new(MessageDigest::sha256(), &public_key).expect("verifier");
        verifier
            .verify_oneshot(black_box(&signature), black_box(&soap))
            .expect("runs")
    };

    let mut group = c.benchmark_group("verify_client_reg");
    group.bench_function("pipeline_cached", |b| {
        b.iter(|| {
            cached
                .verify(Some(&message.content_type), black_box(&message.body), now)
                .expect("verifies")
        })
    });
    group.bench_function("openssl_signature", |b| {
        b.iter(|| assert!(openssl_signature()))
    });
    group.bench_function("pipeline_uncached", |b| {
        b.iter(|| {
            uncached
                .verify(Some(&message.content_type), black_box(&message.body), now)
                .expect("verifies")
        })
    });
    let mut store = X509StoreBuilder::new().expect("store");
    store.add_cert(pki.ca().cert().clone()).expect("adds CA");
    let store = store.build();
    let no_certs = Stack::new().expect("stack");
    group.bench_function("openssl_signature_chain_ocsp", |b| {
        b.iter(|| {
            assert!(openssl_signature());
            assert!(member.cert().verify(&ca_key).expect("runs"));
            let response = OcspResponse::from_der(black_box(&ocsp)).expect("OCSP");
            let basic = response.basic().expect("basic");
            basic
                .verify(&no_certs, &store, OcspFlag::empty())
                .expect("OCSP signature");
        })
    });
    group.finish();

    // Where the cached pipeline spends its time beyond the signature check.
    let mut stages = c.benchmark_group("verify_client_reg_stages");
    stages.bench_function("frame", |b| {
        b.iter(|| {
            Framing::parse(
                Some(&message.content_type),
                black_box(&message.body),
                &Limits::default(),
            )
            .expect("frames")
        })
    });
    stages.bench_function("parse_request", |b| {
        b.iter(|| xroad_runtime::envelope::parse_request(black_box(&soap)).expect("parses"))
    });
    let key = xroad_runtime::signature::VerifyingKey::from_certificate(member.cert()).expect("key");
    stages.bench_function("verifying_key", |b| {
        b.iter(|| {
            key.verify(algorithm, black_box(&soap), black_box(&signature))
                .expect("verifies")
        })
    });
    stages.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);

//! Server-side verification of a clientReg request against the bare openssl operations it
//! needs, measured in the same run.
//!
//! - `pipeline_cached`: [`Verifier::verify_as`] with the signing certificate and OCSP response
//!   already verified (the steady state: a security server reuses its OCSP response while
//!   it is fresh). Baseline `openssl_signature`: one `openssl::sign::Verifier` check of the
//!   same signature over the same SOAP bytes — the only cryptography left to do.
//! - `pipeline_uncached`: the same with caching off, so the chain, the OCSP response and the
//!   signature are all verified. Baseline `openssl_signature_chain_ocsp`: the three RSA
//!   checks (request signature, certificate signature, OCSP response signature) with the
//!   bare openssl crate.
//!
//!
//! The manage endpoint's check of the TLS client certificate (chain to an approved CA,
//! validity, key usage, OCSP status), which runs besides the verification of every request
//! there:
//!
//! - `manage_client_cert/check_remembered`: a certificate found good before, whose status is
//!   still fresh (the steady state). Its cost per request is read against
//!   `verify_client_reg/pipeline_cached`, the verification of the request itself.
//! - `manage_client_cert/check_uncached`: nothing remembered, the OCSP response at hand in
//!   the OCSP client's cache: the chain and the OCSP response are verified. Baseline
//!   `manage_client_cert/openssl_chain_ocsp`: the certificate's and the OCSP response's
//!   signatures checked with the bare openssl crate.
//!
//! `cargo bench -p xroad-runtime --bench verify`

use std::hint::black_box;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::SystemTime;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspFlag, OcspResponse};
use openssl::sign::Verifier as OpensslVerifier;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use xroad_codec::operation::Operation;
use xroad_mserv::centralservice::ClientReg;
use xroad_mserv::xroad::{self, ClientRegRequestType};
use xroad_runtime::cert::TrustStore;
use xroad_runtime::compose::{SignatureInput, compose};
use xroad_runtime::envelope::Request;
use xroad_runtime::message::{Framing, Parts};
use xroad_runtime::multipart::Limits;
use xroad_runtime::ocsp::{OcspClient, OcspClientConfig, OcspPolicy, OcspVerifier};
use xroad_runtime::signature::{SignatureAlgorithm, SoftwareSigner};
use xroad_runtime::testpki::{CertRequest, OcspHttpListener, OcspResponder, TestPki};
use xroad_runtime::verify::{ClientCertVerifier, Verifier, VerifierConfig};

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
    let body = xroad::ClientReg(ClientRegRequestType {
        server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().expect("id"),
        client: "SUBSYSTEM:EE/COM/client/subsystem".parse().expect("id"),
        subsystem_name: None,
        request_id: None,
    });
    let provider = "SUBSYSTEM:EE/GOV/CENTRAL/management".parse().expect("id");
    let request = Request::<ClientReg>::new(
        "MEMBER:EE/GOV/TS1OWNER".parse().expect("id"),
        &provider,
        body,
    )
    .expect("request");
    let algorithm = SignatureAlgorithm::Sha256WithRsa;
    let message = compose(
        request,
        &[SignatureInput {
            signer: &signer,
            algorithm,
            certificate: &certificate,
            ocsp_response: Some(&ocsp),
        }],
    )
    .expect("composes")
    .message;
    let content_type = message.content_type;
    let body = Bytes::from(message.body);

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
        .verify_as::<ClientReg>(Some(&content_type), &body, now)
        .expect("verifies");

    let parts: Parts = Framing::parse(Some(&content_type), &body, &Limits::default())
        .expect("frames")
        .into_parts(ClientReg::DESCRIPTION)
        .expect("parts");
    let soap = parts.soap.to_vec();
    let signature = parts.attachment(1).expect("signature").body.to_vec();
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
                .verify_as::<ClientReg>(Some(&content_type), black_box(&body), now)
                .expect("verifies")
        })
    });
    group.bench_function("openssl_signature", |b| {
        b.iter(|| assert!(openssl_signature()))
    });
    group.bench_function("pipeline_uncached", |b| {
        b.iter(|| {
            uncached
                .verify_as::<ClientReg>(Some(&content_type), black_box(&body), now)
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
            Framing::parse(Some(&content_type), black_box(&body), &Limits::default())
                .expect("frames")
        })
    });
    stages.bench_function("parse_request", |b| {
        b.iter(|| {
            xroad_runtime::envelope::parse_request::<ClientReg>(black_box(&soap)).expect("parses")
        })
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

fn manage_client_cert(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener =
        OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).expect("OCSP listener");
    let pki = TestPki::builder()
        .ocsp_url(listener.url())
        .build()
        .expect("PKI");
    let responder = {
        let _entered = runtime.enter();
        listener.serve(&pki).expect("OCSP responder")
    };
    let auth = pki
        .issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1").distinct_key())
        .expect("authentication certificate");
    let provider = "SUBSYSTEM:EE/GOV/CENTRAL/management".parse().expect("id");
    let verifier = Verifier::new(
        VerifierConfig::new("EE".parse().expect("code"), provider),
        TrustStore::new([pki.ca().cert().clone()]).expect("trust"),
        OcspVerifier::new(OcspPolicy::default()),
    );
    let ocsp = OcspClient::new(OcspClientConfig::default());
    let remembering = ClientCertVerifier::new(ocsp.clone());
    let forgetting = ClientCertVerifier::with_capacity(ocsp.clone(), 0);
    let now = SystemTime::now();
    runtime.block_on(async {
        remembering
            .check(&verifier, auth.cert(), now)
            .await
            .expect("good");
        forgetting
            .check(&verifier, auth.cert(), now)
            .await
            .expect("good");
    });
    let response = runtime
        .block_on(ocsp.response_for(auth.cert(), pki.ca().cert()))
        .expect("cached response");

    let mut group = c.benchmark_group("manage_client_cert");
    group.bench_function("check_remembered", |b| {
        b.iter(|| {
            runtime
                .block_on(remembering.check(&verifier, black_box(auth.cert()), now))
                .expect("good")
        })
    });
    group.bench_function("check_uncached", |b| {
        b.iter(|| {
            runtime
                .block_on(forgetting.check(&verifier, black_box(auth.cert()), now))
                .expect("good")
        })
    });
    let ca_key = pki.ca().cert().public_key().expect("CA key");
    let mut store = X509StoreBuilder::new().expect("store");
    store.add_cert(pki.ca().cert().clone()).expect("adds CA");
    let store = store.build();
    let no_certs = Stack::new().expect("stack");
    group.bench_function("openssl_chain_ocsp", |b| {
        b.iter(|| {
            assert!(auth.cert().verify(&ca_key).expect("runs"));
            let response = OcspResponse::from_der(black_box(&response)).expect("OCSP");
            let basic = response.basic().expect("basic");
            basic
                .verify(&no_certs, &store, OcspFlag::empty())
                .expect("OCSP signature");
        })
    });
    group.finish();
    drop(responder);
}

criterion_group!(benches, verify, manage_client_cert);
criterion_main!(benches);

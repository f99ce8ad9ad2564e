//! Fetching OCSP responses over HTTP: against a real responder (`openssl ocsp` as an HTTP
//! server), against small servers that answer badly, and under concurrency.

use std::io::{BufRead, BufReader};
use std::net::TcpListener as StdTcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use openssl::asn1::{Asn1Object, Asn1OctetString, Asn1Time};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::ocsp::{OcspCertId, OcspCertStatus, OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::extension::BasicConstraints;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{X509, X509Extension, X509NameBuilder, X509Ref};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use xroad_runtime::ocsp::{OcspClient, OcspClientConfig, OcspFetchError, ResponderError, UrlError};

// ---------------------------------------------------------------------------------------
// A throw-away PKI written to a temporary directory for `openssl ocsp`.
// ---------------------------------------------------------------------------------------

struct Pki {
    dir: TempDir,
    ca: X509,
    ca_key: PKey<Private>,
    index: Vec<String>,
}

fn ec_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
    PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
}

/// DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|byte| *byte == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// An Authority Information Access extension with one `id-ad-ocsp` URI per entry.
fn authority_info_access(urls: &[&str]) -> X509Extension {
    const ID_AD_OCSP: [u8; 10] = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01];
    let descriptions: Vec<u8> = urls
        .iter()
        .flat_map(|url| {
            let mut description = ID_AD_OCSP.to_vec();
            description.extend(tlv(0x86, url.as_bytes()));
            tlv(0x30, &description)
        })
        .collect();
    let value = Asn1OctetString::new_from_bytes(&tlv(0x30, &descriptions)).unwrap();
    let oid = Asn1Object::from_str("1.3.6.1.5.5.7.1.1").unwrap();
    X509Extension::new_from_der(&oid, false, &value).unwrap()
}

fn serial_hex(cert: &X509Ref) -> String {
    cert.serial_number()
        .to_bn()
        .unwrap()
        .to_hex_str()
        .unwrap()
        .to_string()
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ca_key = ec_key();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "OCSP Fetch Test CA")
            .unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        builder
            .set_serial_number(&BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap())
            .unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_issuer_name(&name).unwrap();
        builder.set_pubkey(&ca_key).unwrap();
        builder
            .set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(2).unwrap())
            .unwrap();
        builder
            .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
        builder.sign(&ca_key, MessageDigest::sha256()).unwrap();
        let ca = builder.build();
        std::fs::write(dir.path().join("ca.pem"), ca.to_pem().unwrap()).unwrap();
        std::fs::write(
            dir.path().join("ca.key"),
            ca_key.private_key_to_pem_pkcs8().unwrap(),
        )
        .unwrap();
        Self {
            dir,
            ca,
            ca_key,
            index: Vec::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A leaf certificate with the given OCSP URLs (none: no extension at all).
    fn leaf(&self, serial: u32, urls: &[&str]) -> X509 {
        self.leaf_with(
            serial,
            (!urls.is_empty()).then(|| authority_info_access(urls)),
        )
    }

    /// A leaf certificate with `extension`, if any.
    fn leaf_with(&self, serial: u32, extension: Option<X509Extension>) -> X509 {
        let key = ec_key();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", &format!("leaf {serial:x}"))
            .unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        builder
            .set_serial_number(&BigNum::from_u32(serial).unwrap().to_asn1_integer().unwrap())
            .unwrap();
        builder.set_subject_name(&name).unwrap();
        builder.set_issuer_name(self.ca.subject_name()).unwrap();
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        if let Some(extension) = extension {
            builder.append_extension(extension).unwrap();
        }
        builder.sign(&self.ca_key, MessageDigest::sha256()).unwrap();
        builder.build()
    }

    /// Records `cert` in the responder's index as valid.
    fn mark_valid(&mut self, cert: &X509Ref) {
        self.index.push(format!(
            "V\t301231235959Z\t\t{}\tunknown\t/CN=leaf\n",
            serial_hex(cert)
        ));
    }

    /// Records `cert` in the responder's index as revoked.
    fn mark_revoked(&mut self, cert: &X509Ref) {
        self.index.push(format!(
            "R\t301231235959Z\t240101000000Z,keyCompromise\t{}\tunknown\t/CN=leaf\n",
            serial_hex(cert)
        ));
    }

    fn write_index(&self) -> PathBuf {
        let path = self.path("index.txt");
        std::fs::write(&path, self.index.concat()).unwrap();
        path
    }

    /// `openssl ocsp` with the CA as responder and the given validity arguments.
    fn ocsp_command(&self, validity: &[&str]) -> Command {
        let mut command = Command::new("openssl");
        command
            .current_dir(self.dir.path())
            .args(["ocsp", "-index", "index.txt", "-CA", "ca.pem"])
            .args(["-rsigner", "ca.pem", "-rkey", "ca.key"])
            .args(validity);
        command
    }

    /// A DER response made by `openssl ocsp` for a request made by `openssl ocsp` for
    /// `cert` (recorded in the index beforehand), with or without a nonce.
    fn canned_response(&self, cert: &X509Ref, nonce: bool) -> Vec<u8> {
        self.write_index();
        let cert_path = self.path("canned-cert.pem");
        std::fs::write(&cert_path, cert.to_pem().unwrap()).unwrap();
        run(Command::new("openssl")
            .current_dir(self.dir.path())
            .args(["ocsp", "-issuer", "ca.pem", "-cert", "canned-cert.pem"])
            .arg(if nonce { "-nonce" } else { "-no_nonce" })
            .args(["-reqout", "canned-req.der"]));
        run(self.ocsp_command(&["-ndays", "1"]).args([
            "-reqin",
            "canned-req.der",
            "-respout",
            "canned-resp.der",
        ]));
        std::fs::read(self.path("canned-resp.der")).unwrap()
    }
}

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A port nobody listens on (bound, read and released).
fn free_port() -> u16 {
    StdTcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------
// `openssl ocsp` as an HTTP responder, killed on drop.
// ---------------------------------------------------------------------------------------

struct Responder {
    child: Child,
}

impl Responder {
    /// Starts the responder on `port` and waits until it listens. It is not probed with a
    /// bare connection: OpenSSL 3.0 spins on a connection closed without a request.
    fn start(pki: &Pki, port: u16, validity: &[&str]) -> Self {
        pki.write_index();
        let mut child = pki
            .ocsp_command(validity)
            .args(["-port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut ready_tx = Some(ready_tx);
            let mut seen = Vec::new();
            // Keep draining so the responder never blocks on a full pipe.
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if line.contains("waiting for OCSP client connections") {
                    if let Some(tx) = ready_tx.take() {
                        let _ = tx.send(Ok(()));
                    }
                } else if ready_tx.is_some() {
                    seen.push(line);
                }
            }
            // The responder ended before it listened (e.g. its port was taken): say why.
            if let Some(tx) = ready_tx.take() {
                let _ = tx.send(Err(seen.join("\n")));
            }
        });
        let responder = Self { child };
        // Generous: under a loaded machine the command takes a while to start.
        match ready_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => {}
            Ok(Err(stderr)) => panic!("openssl ocsp on port {port} exited: {stderr}"),
            Err(_) => panic!("openssl ocsp did not start listening on port {port} in 30 s"),
        }
        responder
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Small TCP servers of our own.
// ---------------------------------------------------------------------------------------

/// A proxy to `127.0.0.1:upstream` that counts connections and delays each by `delay`.
async fn counting_proxy(upstream: u16, delay: Duration) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&connections);
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", upstream)).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (port, connections)
}

/// A server that reads one request per connection, waits `delay` and writes `response`.
struct CannedServer {
    port: u16,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

async fn canned_server(response: Vec<u8>, delay: Duration) -> CannedServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (counter, recorded) = (Arc::clone(&connections), Arc::clone(&requests));
    let response = Arc::new(response);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let (response, recorded) = (Arc::clone(&response), Arc::clone(&recorded));
            tokio::spawn(async move {
                let request = read_request(&mut socket).await;
                recorded.lock().unwrap().push(request);
                tokio::time::sleep(delay).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    CannedServer {
        port,
        connections,
        requests,
    }
}

/// Reads an HTTP/1.1 request with a `Content-Length` body.
async fn read_request(socket: &mut TcpStream) -> Vec<u8> {
    let mut request = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        if let Some(end) = find(&request, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse().unwrap());
            if request.len() >= end + 4 + length {
                return request;
            }
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return request,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// An HTTP/1.1 response with `Content-Length`.
fn http_response(status: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    if let Some(content_type) = content_type {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    let mut response = head.into_bytes();
    response.extend_from_slice(body);
    response
}

// ---------------------------------------------------------------------------------------
// Checks.
// ---------------------------------------------------------------------------------------

/// The certificate status in a response, after checking its signature against the CA.
fn status_in(der: &[u8], cert: &X509Ref, ca: &X509) -> OcspCertStatus {
    let response = OcspResponse::from_der(der).unwrap();
    assert_eq!(response.status(), OcspResponseStatus::SUCCESSFUL);
    let basic = response.basic().unwrap();
    let mut store = X509StoreBuilder::new().unwrap();
    store.add_cert(ca.clone()).unwrap();
    let mut certs = Stack::new().unwrap();
    certs.push(ca.clone()).unwrap();
    basic
        .verify(&certs, &store.build(), OcspFlag::empty())
        .unwrap();
    let id = OcspCertId::from_cert(MessageDigest::sha1(), cert, ca).unwrap();
    basic.find_status(&id).unwrap().status
}

/// The error of the only responder tried.
fn only_failure(err: &OcspFetchError) -> &ResponderError {
    match err.responder_failures() {
        [failure] => &failure.error,
        other => panic!("expected one responder failure, got {other:?} from {err}"),
    }
}

fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}/")
}

/// A client whose clock runs `offset` seconds ahead of the system clock.
fn client_with_offset(config: OcspClientConfig) -> (OcspClient, Arc<AtomicU64>) {
    let offset = Arc::new(AtomicU64::new(0));
    let ahead = Arc::clone(&offset);
    let client = OcspClient::with_clock(config, move || {
        SystemTime::now() + Duration::from_secs(ahead.load(Ordering::SeqCst))
    });
    (client, offset)
}

// ---------------------------------------------------------------------------------------
// Against a real responder.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn good_response_is_fetched_once_and_then_served_from_the_cache() {
    let mut pki = Pki::new();
    let responder_port = free_port();
    let (proxy_port, fetches) = counting_proxy(responder_port, Duration::ZERO).await;
    let leaf = pki.leaf(0x1001, &[&url(proxy_port)]);
    pki.mark_valid(&leaf);
    let responder = Responder::start(&pki, responder_port, &["-ndays", "1"]);
    let client = OcspClient::new(OcspClientConfig::default());

    let first = client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(status_in(&first, &leaf, &pki.ca), OcspCertStatus::GOOD);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    let second = client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(second, first);
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "second call must not fetch"
    );

    // With the responder gone the cached response is still handed out by this client (and
    // its clones), while a client with an empty cache cannot get one.
    drop(responder);
    let third = client.clone().response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(third, first);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    let uncached = OcspClient::new(OcspClientConfig::default());
    assert!(uncached.response_for(&leaf, &pki.ca).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn revoked_certificate_yields_a_revoked_response() {
    let mut pki = Pki::new();
    let port = free_port();
    let revoked = pki.leaf(0x1002, &[&url(port)]);
    pki.mark_revoked(&revoked);
    let _responder = Responder::start(&pki, port, &["-ndays", "1"]);
    let client = OcspClient::new(OcspClientConfig::default());

    let der = client.response_for(&revoked, &pki.ca).await.unwrap();
    assert_eq!(status_in(&der, &revoked, &pki.ca), OcspCertStatus::REVOKED);
}

#[tokio::test(flavor = "multi_thread")]
async fn nonce_is_sent_and_checked_against_the_echo_of_a_real_responder() {
    let mut pki = Pki::new();
    let port = free_port();
    let leaf = pki.leaf(0x1003, &[&url(port)]);
    pki.mark_valid(&leaf);
    let _responder = Responder::start(&pki, port, &["-ndays", "1"]);
    let client = OcspClient::new(OcspClientConfig {
        nonce: true,
        ..OcspClientConfig::default()
    });

    let der = client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(status_in(&der, &leaf, &pki.ca), OcspCertStatus::GOOD);
}

#[tokio::test(flavor = "multi_thread")]
async fn response_is_fetched_again_when_less_than_the_margin_of_freshness_remains() {
    let mut pki = Pki::new();
    let responder_port = free_port();
    let (proxy_port, fetches) = counting_proxy(responder_port, Duration::ZERO).await;
    let leaf = pki.leaf(0x1004, &[&url(proxy_port)]);
    pki.mark_valid(&leaf);
    let _responder = Responder::start(&pki, responder_port, &["-ndays", "1"]);
    // Freshness 3,600 s and margin 360 s: reused until thisUpdate + 3,240 s.
    let (client, offset) = client_with_offset(OcspClientConfig::default());

    let first = client.response_for(&leaf, &pki.ca).await.unwrap();
    offset.store(3_000, Ordering::SeqCst);
    assert_eq!(client.response_for(&leaf, &pki.ca).await.unwrap(), first);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    offset.store(3_300, Ordering::SeqCst);
    let refetched = client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "stale response must be refetched"
    );
    // Seen from a clock 3,300 s ahead of the responder even the new response is stale;
    // back at the responder's time it is fresh and replaces the old one in the cache.
    offset.store(0, Ordering::SeqCst);
    assert_eq!(
        client.response_for(&leaf, &pki.ca).await.unwrap(),
        refetched
    );
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "refetched response is cached"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn next_update_shortens_the_reuse_of_a_response() {
    let mut pki = Pki::new();
    let responder_port = free_port();
    let (proxy_port, fetches) = counting_proxy(responder_port, Duration::ZERO).await;
    let leaf = pki.leaf(0x1005, &[&url(proxy_port)]);
    pki.mark_valid(&leaf);
    // nextUpdate 30 minutes after thisUpdate: reused until 1,800 - 360 = 1,440 s.
    let _responder = Responder::start(&pki, responder_port, &["-nmin", "30"]);
    let (client, offset) = client_with_offset(OcspClientConfig::default());

    client.response_for(&leaf, &pki.ca).await.unwrap();
    offset.store(1_300, Ordering::SeqCst);
    client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    offset.store(1_500, Ordering::SeqCst);
    client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn unusable_responders_are_skipped_for_a_later_one() {
    let mut pki = Pki::new();
    let responder_port = free_port();
    let (proxy_port, fetches) = counting_proxy(responder_port, Duration::ZERO).await;
    let https = format!("https://127.0.0.1:{proxy_port}/");
    let down = url(free_port());
    let leaf = pki.leaf(0x1006, &[&https, &down, &url(proxy_port)]);
    pki.mark_valid(&leaf);
    let _responder = Responder::start(&pki, responder_port, &["-ndays", "1"]);
    let client = OcspClient::new(OcspClientConfig::default());

    let der = client.response_for(&leaf, &pki.ca).await.unwrap();
    assert_eq!(status_in(&der, &leaf, &pki.ca), OcspCertStatus::GOOD);
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------
// Concurrency.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_callers_share_one_fetch() {
    let mut pki = Pki::new();
    let responder_port = free_port();
    // The delay keeps the fetch in flight until every caller has asked.
    let (proxy_port, fetches) = counting_proxy(responder_port, Duration::from_millis(300)).await;
    let leaf = pki.leaf(0x1007, &[&url(proxy_port)]);
    pki.mark_valid(&leaf);
    let _responder = Responder::start(&pki, responder_port, &["-ndays", "1"]);
    let client = OcspClient::new(OcspClientConfig::default());

    let mut callers = JoinSet::new();
    for _ in 0..20 {
        let (client, leaf, ca) = (client.clone(), leaf.clone(), pki.ca.clone());
        callers.spawn(async move { client.response_for(&leaf, &ca).await });
    }
    let answers: Vec<_> = callers.join_all().await;
    assert_eq!(answers.len(), 20);
    let first = answers[0].as_ref().unwrap();
    for answer in &answers {
        assert_eq!(answer.as_ref().unwrap(), first);
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    assert_eq!(status_in(first, &leaf, &pki.ca), OcspCertStatus::GOOD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_one_failure_which_is_not_cached() {
    let pki = Pki::new();
    let server = canned_server(
        http_response("500 Internal Server Error", Some("text/plain"), b"down"),
        Duration::from_millis(300),
    )
    .await;
    let leaf = pki.leaf(0x1008, &[&url(server.port)]);
    let client = OcspClient::new(OcspClientConfig::default());

    let mut callers = JoinSet::new();
    for _ in 0..20 {
        let (client, leaf, ca) = (client.clone(), leaf.clone(), pki.ca.clone());
        callers.spawn(async move { client.response_for(&leaf, &ca).await });
    }
    for answer in callers.join_all().await {
        let err = answer.unwrap_err();
        assert!(
            matches!(only_failure(&err), ResponderError::Status { status: 500 }),
            "{err}"
        );
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);

    assert!(client.response_for(&leaf, &pki.ca).await.is_err());
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        2,
        "a failure must not be served from the cache"
    );
}

// ---------------------------------------------------------------------------------------
// The request on the wire.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn request_is_an_ocsp_post_with_host_and_media_types() {
    let mut pki = Pki::new();
    let leaf_for_answer = pki.leaf(0x1009, &[]);
    pki.mark_valid(&leaf_for_answer);
    let answer = pki.canned_response(&leaf_for_answer, false);
    let server = canned_server(
        http_response("200 OK", Some("application/ocsp-response"), &answer),
        Duration::ZERO,
    )
    .await;
    let leaf = pki.leaf(
        0x1009,
        &[&format!("http://127.0.0.1:{}/ocsp?x=1", server.port)],
    );
    let client = OcspClient::new(OcspClientConfig::default());

    client.response_for(&leaf, &pki.ca).await.unwrap();
    let requests = server.requests.lock().unwrap().clone();
    let [request] = requests.as_slice() else {
        panic!("expected one request, got {}", requests.len());
    };
    let end = find(request, b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&request[..end]).to_ascii_lowercase();
    assert!(head.starts_with("post /ocsp?x=1 http/1.1\r\n"), "{head}");
    let port = server.port;
    for header in [
        format!("host: 127.0.0.1:{port}"),
        "content-type: application/ocsp-request".to_owned(),
        "accept: application/ocsp-response".to_owned(),
    ] {
        assert!(
            head.lines().any(|line| line == header),
            "{header} in {head}"
        );
    }
    let body_path = pki.path("sent-req.der");
    std::fs::write(&body_path, &request[end + 4..]).unwrap();
    let text = Command::new("openssl")
        .args(["ocsp", "-req_text", "-reqin"])
        .arg(&body_path)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Hash Algorithm: sha1"), "{text}");
    assert!(
        text.contains(&format!("Serial Number: {}", serial_hex(&leaf))),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn certificate_without_authority_info_access_has_no_responder() {
    let pki = Pki::new();
    let leaf = pki.leaf(0x2001, &[]);
    let client = OcspClient::new(OcspClientConfig::default());
    let err = client.response_for(&leaf, &pki.ca).await.unwrap_err();
    assert!(
        matches!(&err, OcspFetchError::NoResponder { serial } if *serial == serial_hex(&leaf)),
        "{err}"
    );
}

/// An Authority Information Access extension that cannot be decoded is reported as such,
/// not as a certificate that names no responder.
#[tokio::test]
async fn unreadable_authority_info_access_is_not_taken_for_a_missing_one() {
    let pki = Pki::new();
    // The extension value is an INTEGER where a SEQUENCE of access descriptions belongs.
    let value = Asn1OctetString::new_from_bytes(&tlv(0x02, &[0x05])).unwrap();
    let oid = Asn1Object::from_str("1.3.6.1.5.5.7.1.1").unwrap();
    let extension = X509Extension::new_from_der(&oid, false, &value).unwrap();
    let leaf = pki.leaf_with(0x2002, Some(extension));
    let client = OcspClient::new(OcspClientConfig::default());
    let err = client.response_for(&leaf, &pki.ca).await.unwrap_err();
    assert!(
        matches!(
            &err,
            OcspFetchError::InvalidAuthorityInfoAccess { serial, .. } if *serial == serial_hex(&leaf)
        ),
        "{err}"
    );
}

#[tokio::test]
async fn https_responder_is_refused_naming_the_url() {
    let pki = Pki::new();
    let https = "https://ocsp.example.org/";
    let leaf = pki.leaf(0x2002, &[https]);
    let client = OcspClient::new(OcspClientConfig::default());
    let err = client.response_for(&leaf, &pki.ca).await.unwrap_err();
    assert_eq!(err.responder_failures()[0].url, https);
    assert!(
        matches!(
            only_failure(&err),
            ResponderError::Url(UrlError::UnsupportedScheme { scheme }) if scheme == "https"
        ),
        "{err}"
    );
    assert!(err.to_string().contains(https), "{err}");
}

#[tokio::test]
async fn responder_down_fails_fast_with_connection_refused() {
    let pki = Pki::new();
    let down = url(free_port());
    let leaf = pki.leaf(0x2003, &[&down]);
    let client = OcspClient::new(OcspClientConfig::default());
    let started = Instant::now();
    let err = client.response_for(&leaf, &pki.ca).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            only_failure(&err),
            ResponderError::Connect { source } if source.kind() == std::io::ErrorKind::ConnectionRefused
        ),
        "{err}"
    );
    assert!(err.to_string().contains(&down), "{err}");
}

/// Fetches through a canned server answering `response` and returns the responder error.
async fn error_from(response: Vec<u8>, config: OcspClientConfig) -> ResponderError {
    let pki = Pki::new();
    let server = canned_server(response, Duration::ZERO).await;
    let leaf = pki.leaf(0x2004, &[&url(server.port)]);
    let err = OcspClient::new(config)
        .response_for(&leaf, &pki.ca)
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&url(server.port)), "{err}");
    only_failure(&err).clone()
}

#[tokio::test]
async fn wrong_content_type_is_refused() {
    let error = error_from(
        http_response("200 OK", Some("text/html; charset=utf-8"), b"<html/>"),
        OcspClientConfig::default(),
    )
    .await;
    assert!(
        matches!(&error, ResponderError::ContentType { found: Some(found) } if found == "text/html; charset=utf-8"),
        "{error}"
    );
}

#[tokio::test]
async fn http_error_status_is_refused() {
    let error = error_from(
        http_response(
            "500 Internal Server Error",
            Some("application/ocsp-response"),
            b"",
        ),
        OcspClientConfig::default(),
    )
    .await;
    assert!(
        matches!(error, ResponderError::Status { status: 500 }),
        "{error}"
    );
}

#[tokio::test]
async fn declared_oversized_body_is_refused() {
    let limit = 1_024;
    let error = error_from(
        http_response(
            "200 OK",
            Some("application/ocsp-response"),
            &vec![0x30; limit + 1],
        ),
        OcspClientConfig {
            max_response_size: limit,
            ..OcspClientConfig::default()
        },
    )
    .await;
    assert!(
        matches!(
            error,
            ResponderError::TooLarge {
                limit: 1_024,
                declared: Some(1_025)
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn undeclared_oversized_body_is_cut_off_at_the_default_limit() {
    // Delimited by closing the connection, so the size is only known while reading.
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nConnection: close\r\n\r\n"
            .to_vec();
    response.extend(vec![0x30; 64 * 1024 + 1]);
    let error = error_from(response, OcspClientConfig::default()).await;
    assert!(
        matches!(
            error,
            ResponderError::TooLarge {
                limit: 65_536,
                declared: None
            }
        ),
        "{error}"
    );
}

/// The size limit is inclusive: a body of exactly the limit, delimited by closing the
/// connection and so read in several frames, is handed on whole (and only then refused as
/// no OCSP response).
#[tokio::test]
async fn undeclared_body_of_exactly_the_limit_is_read_whole() {
    let mut response =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nConnection: close\r\n\r\n"
            .to_vec();
    response.extend(vec![0x30; 64 * 1024]);
    let error = error_from(response, OcspClientConfig::default()).await;
    assert!(matches!(error, ResponderError::Malformed { .. }), "{error}");
}

#[tokio::test]
async fn body_that_is_not_an_ocsp_response_is_malformed() {
    let error = error_from(
        http_response("200 OK", Some("application/ocsp-response"), b"not DER"),
        OcspClientConfig::default(),
    )
    .await;
    assert!(matches!(error, ResponderError::Malformed { .. }), "{error}");
}

#[tokio::test]
async fn try_later_is_an_unsuccessful_response() {
    // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED tryLater(3) }
    let error = error_from(
        http_response(
            "200 OK",
            Some("application/ocsp-response"),
            &[0x30, 0x03, 0x0a, 0x01, 0x03],
        ),
        OcspClientConfig::default(),
    )
    .await;
    assert!(
        matches!(
            error,
            ResponderError::Unsuccessful {
                code: 3,
                name: "tryLater"
            }
        ),
        "{error}"
    );
}

#[tokio::test]
async fn silent_responder_times_out() {
    let pki = Pki::new();
    let server = canned_server(Vec::new(), Duration::from_secs(3_600)).await;
    let leaf = pki.leaf(0x2005, &[&url(server.port)]);
    let timeout = Duration::from_millis(300);
    let client = OcspClient::new(OcspClientConfig {
        timeout,
        ..OcspClientConfig::default()
    });
    let started = Instant::now();
    let err = client.response_for(&leaf, &pki.ca).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= timeout && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    assert!(
        matches!(only_failure(&err), ResponderError::Timeout { timeout: t } if *t == timeout),
        "{err}"
    );
}

/// Serves `answer` to a request for a new certificate with serial `asked_serial`.
async fn fetch_canned(
    pki: &Pki,
    answer: Vec<u8>,
    asked_serial: u32,
    config: OcspClientConfig,
) -> Result<bytes::Bytes, OcspFetchError> {
    let server = canned_server(
        http_response("200 OK", Some("application/ocsp-response"), &answer),
        Duration::ZERO,
    )
    .await;
    let asked = pki.leaf(asked_serial, &[&url(server.port)]);
    OcspClient::new(config).response_for(&asked, &pki.ca).await
}

#[tokio::test]
async fn response_for_another_certificate_has_no_status_for_ours() {
    let mut pki = Pki::new();
    let other = pki.leaf(0x3001, &[]);
    pki.mark_valid(&other);
    let answer = pki.canned_response(&other, false);
    let err = fetch_canned(&pki, answer, 0x3002, OcspClientConfig::default())
        .await
        .unwrap_err();
    assert!(
        matches!(only_failure(&err), ResponderError::NoStatusForCertificate),
        "{err}"
    );
}

#[tokio::test]
async fn nonce_missing_from_or_different_in_the_response_is_refused_when_nonces_are_on() {
    // The CertID depends on the issuer and the serial only, so a response made for
    // `same_serial` answers for any certificate of the CA with that serial.
    let mut pki = Pki::new();
    let same_serial = pki.leaf(0x3003, &[]);
    pki.mark_valid(&same_serial);
    let nonce_on = OcspClientConfig {
        nonce: true,
        ..OcspClientConfig::default()
    };

    let without_nonce = pki.canned_response(&same_serial, false);
    let err = fetch_canned(&pki, without_nonce, 0x3003, nonce_on.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(only_failure(&err), ResponderError::NonceMissing),
        "{err}"
    );

    let other_nonce = pki.canned_response(&same_serial, true);
    let err = fetch_canned(&pki, other_nonce, 0x3003, nonce_on)
        .await
        .unwrap_err();
    assert!(
        matches!(only_failure(&err), ResponderError::NonceMismatch),
        "{err}"
    );
}

#[tokio::test]
async fn response_without_nonce_is_accepted_when_nonces_are_off() {
    let mut pki = Pki::new();
    let same_serial = pki.leaf(0x3004, &[]);
    pki.mark_valid(&same_serial);
    let answer = pki.canned_response(&same_serial, false);
    let der = fetch_canned(&pki, answer, 0x3004, OcspClientConfig::default())
        .await
        .unwrap();
    assert_eq!(status_in(&der, &same_serial, &pki.ca), OcspCertStatus::GOOD);
}

#[test]
fn client_and_its_futures_can_cross_threads() {
    fn send_sync_clone<T: Send + Sync + Clone>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let pki = Pki::new();
    let leaf = pki.leaf(0x4001, &[]);
    let config = OcspClientConfig {
        nonce: true,
        refresh_margin: Some(Duration::from_secs(60)),
        ..OcspClientConfig::default()
    };
    let client = OcspClient::new(config.clone());
    send_sync_clone(&client);
    send(&client.response_for(&leaf, &pki.ca));
    assert_eq!(client.clone().config(), &config);
    assert_eq!(config.effective_refresh_margin(), Duration::from_secs(60));
    assert_eq!(
        OcspClientConfig::default().effective_refresh_margin(),
        Duration::from_secs(360)
    );
}

//! The transport over real TLS on 127.0.0.1: both endpoints, client authentication,
//! certificate pinning, limits, graceful shutdown, metrics and interoperability with the
//! `openssl s_client` command.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio_openssl::SslStream;
use xroad_runtime::fault::FaultCode;
use xroad_runtime::transport::{
    ClientAuth, ClientConfig, ClientError, ClientResponse, Endpoint, Handler, HandlerResponse,
    HttpsClient, IncomingRequest, ListenerConfig, Outcome, RateLimit, Server, ServerConfig,
    ServerTrust, TlsIdentity,
};

/// A throw-away PKI: a CA, the server's TLS certificate (DNS name `localhost` only), a
/// client (authentication) certificate and an unrelated self-signed server certificate.
mod pki {
    use std::sync::OnceLock;

    use openssl::asn1::Asn1Time;
    use openssl::bn::{BigNum, MsbOption};
    use openssl::hash::MessageDigest;
    use openssl::pkey::{PKey, Private};
    use openssl::rsa::Rsa;
    use openssl::x509::extension::{
        AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage,
        SubjectAlternativeName, SubjectKeyIdentifier,
    };
    use openssl::x509::{X509, X509NameBuilder};
    use xroad_runtime::transport::TlsIdentity;

    /// A certificate with its key, and the PEM forms.
    pub struct Issued {
        pub certificate: X509,
        pub key: PKey<Private>,
        pub cert_pem: Vec<u8>,
        pub key_pem: Vec<u8>,
    }

    impl Issued {
        pub fn identity(&self) -> TlsIdentity {
            TlsIdentity::from_pem(&self.cert_pem, &self.key_pem).unwrap()
        }
    }

    pub struct Pki {
        pub ca: Issued,
        pub server: Issued,
        pub client: Issued,
        pub impostor: Issued,
    }

    enum Kind {
        Ca,
        Server,
        Client,
    }

    fn issue(common_name: &str, kind: Kind, issuer: Option<&Issued>) -> Issued {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("C", "EE").unwrap();
        name.append_entry_by_text("O", "Transport Test").unwrap();
        name.append_entry_by_text("CN", common_name).unwrap();
        let name = name.build();
        let mut builder = X509::builder().unwrap();
        builder.set_version(2).unwrap();
        let mut serial = BigNum::new().unwrap();
        serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
        builder
            .set_serial_number(&serial.to_asn1_integer().unwrap())
            .unwrap();
        builder.set_subject_name(&name).unwrap();
        let issuer_name = issuer.map_or(name.as_ref(), |issuer| issuer.certificate.subject_name());
        builder.set_issuer_name(issuer_name).unwrap();
        builder.set_pubkey(&key).unwrap();
        builder
            .set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        builder
            .set_not_after(&Asn1Time::days_from_now(30).unwrap())
            .unwrap();
        let subject_key_id = SubjectKeyIdentifier::new()
            .build(&builder.x509v3_context(issuer.map(|i| i.certificate.as_ref()), None))
            .unwrap();
        builder.append_extension(subject_key_id).unwrap();
        if let Some(issuer) = issuer {
            let authority_key_id = AuthorityKeyIdentifier::new()
                .keyid(true)
                .build(&builder.x509v3_context(Some(&issuer.certificate), None))
                .unwrap();
            builder.append_extension(authority_key_id).unwrap();
        }
        match kind {
            Kind::Ca => {
                builder
                    .append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                    .unwrap();
                builder
                    .append_extension(
                        KeyUsage::new()
                            .critical()
                            .key_cert_sign()
                            .crl_sign()
                            .build()
                            .unwrap(),
                    )
                    .unwrap();
            }
            Kind::Server | Kind::Client => {
                builder
                    .append_extension(BasicConstraints::new().critical().build().unwrap())
                    .unwrap();
                builder
                    .append_extension(
                        KeyUsage::new()
                            .critical()
                            .digital_signature()
                            .key_encipherment()
                            .build()
                            .unwrap(),
                    )
                    .unwrap();
                let mut usage = ExtendedKeyUsage::new();
                if matches!(kind, Kind::Server) {
                    usage.server_auth();
                    let names = SubjectAlternativeName::new()
                        .dns("localhost")
                        .build(
                            &builder.x509v3_context(issuer.map(|i| i.certificate.as_ref()), None),
                        )
                        .unwrap();
                    builder.append_extension(names).unwrap();
                } else {
                    usage.client_auth();
                }
                builder.append_extension(usage.build().unwrap()).unwrap();
            }
        }
        let signing_key = issuer.map_or(&key, |issuer| &issuer.key);
        builder.sign(signing_key, MessageDigest::sha256()).unwrap();
        let certificate = builder.build();
        let cert_pem = certificate.to_pem().unwrap();
        let key_pem = key.private_key_to_pem_pkcs8().unwrap();
        Issued {
            certificate,
            key,
            cert_pem,
            key_pem,
        }
    }

    /// The PKI of this test binary, made once (RSA key generation is slow).
    pub fn get() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(|| {
            let ca = issue("Transport Test CA", Kind::Ca, None);
            let server = issue("localhost", Kind::Server, Some(&ca));
            let client = issue("SS1 auth", Kind::Client, Some(&ca));
            let impostor = issue("localhost", Kind::Server, None);
            Pki {
                ca,
                server,
                client,
                impostor,
            }
        })
    }
}

/// Echoes what it got, one `name=value` line each, the body last. A body `slow` is
/// answered after 700 ms (announced through `in_flight`), `stall` after 30 s, `fault` with
/// a 500 and fault code `invalid_request`.
struct Echo {
    in_flight: Arc<Notify>,
}

impl Handler for Echo {
    async fn handle(&self, request: IncomingRequest) -> HandlerResponse {
        match &request.body[..] {
            b"slow" => {
                self.in_flight.notify_one();
                tokio::time::sleep(Duration::from_millis(700)).await;
            }
            b"stall" => {
                self.in_flight.notify_one();
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            _ => {}
        }
        let certificate = request
            .client_certificate
            .as_ref()
            .map(|certificate| {
                certificate
                    .subject_name()
                    .entries_by_nid(openssl::nid::Nid::COMMONNAME)
                    .next()
                    .and_then(|entry| entry.data().to_string().ok())
                    .unwrap_or_default()
            })
            .unwrap_or_else(|| "none".to_owned());
        let text = format!(
            "endpoint={}\npeer={}\ncertificate={}\ncontent-type={}\nbody={}",
            request.endpoint,
            request.peer,
            certificate,
            request.content_type.as_deref().unwrap_or("none"),
            String::from_utf8_lossy(&request.body),
        );
        let outcome = Outcome {
            service: Some("clientReg"),
            message_id: Some("id-1".to_owned()),
            sender: Some("EE/GOV/1/SUB".to_owned()),
            fault_code: None,
        };
        if &request.body[..] == b"fault" {
            return HandlerResponse::fault(
                "text/plain",
                text,
                Outcome {
                    fault_code: Some(FaultCode::InvalidRequest),
                    ..outcome
                },
            );
        }
        HandlerResponse::ok("text/plain", text, outcome)
    }

    fn services(&self) -> Vec<(Endpoint, &'static str)> {
        vec![(Endpoint::Registration, "clientReg")]
    }
}

/// The echoed fields of a response.
fn echoed(response: &ClientResponse) -> BTreeMap<String, String> {
    String::from_utf8(response.body.to_vec())
        .unwrap()
        .splitn(5, '\n')
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

/// A server running on 127.0.0.1 in a task.
struct Running {
    registration: SocketAddr,
    manage: SocketAddr,
    admin: SocketAddr,
    in_flight: Arc<Notify>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    async fn start(configure: impl FnOnce(&mut ServerConfig)) -> Running {
        let pki = pki::get();
        let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let mut config = ServerConfig::new(
            ListenerConfig::registration(localhost, pki.server.identity()),
            ListenerConfig::manage(localhost, pki.server.identity()),
        );
        config.admin = Some(localhost);
        configure(&mut config);
        let in_flight = Arc::new(Notify::new());
        let server = Server::bind(
            config,
            Echo {
                in_flight: Arc::clone(&in_flight),
            },
        )
        .await
        .unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        Running {
            registration: server.local_addr(Endpoint::Registration),
            manage: server.local_addr(Endpoint::Manage),
            admin: server.admin_addr().unwrap(),
            in_flight,
            stop: Some(stop),
            task: tokio::spawn(server.run_until(async {
                let _ = stopped.await;
            })),
        }
    }

    /// The registration URL with host `host` (`127.0.0.1` or `localhost`).
    fn registration_url(&self, host: &str) -> String {
        format!(
            "https://{host}:{}/managementservice/",
            self.registration.port()
        )
    }

    fn manage_url(&self) -> String {
        format!(
            "https://127.0.0.1:{}/managementservice/manage/",
            self.manage.port()
        )
    }

    /// Asks the server to shut down and waits until `run_until` returns.
    async fn shutdown(mut self) -> Duration {
        let started = Instant::now();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("run_until returns")
            .unwrap();
        started.elapsed()
    }

    /// `GET /metrics` from the admin listener, as OpenMetrics.
    async fn metrics(&self) -> String {
        let response = self
            .metrics_as(Some("application/openmetrics-text; version=1.0.0"))
            .await;
        assert!(
            response
                .to_ascii_lowercase()
                .contains("content-type: application/openmetrics-text; version=1.0.0"),
            "{response}"
        );
        response
    }

    /// The response (head and body) to `GET /metrics` with `accept` as the `Accept` header.
    async fn metrics_as(&self, accept: Option<&str>) -> String {
        let mut tcp = TcpStream::connect(self.admin).await.unwrap();
        let accept = accept
            .map(|accept| format!("Accept: {accept}\r\n"))
            .unwrap_or_default();
        let request =
            format!("GET /metrics HTTP/1.1\r\nHost: admin\r\n{accept}Connection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        tcp.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        response
    }
}

impl Running {
    /// The value of `series` once it equals `expected` (the server records some metrics
    /// just after the client sees the outcome), or the exposition when it does not.
    async fn wait_for_sample(&self, series: &str, expected: f64) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let metrics = self.metrics().await;
            if sample(&metrics, series) == Some(expected) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(metrics);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The value of the sample `name{labels}` in a metrics exposition.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.parse().ok()
    })
}

fn client(trust: ServerTrust, identity: Option<TlsIdentity>) -> HttpsClient {
    let mut config = ClientConfig::new(trust);
    config.identity = identity;
    HttpsClient::new(config).unwrap()
}

/// A client pinned to the server's TLS certificate.
fn pinned_client(identity: Option<TlsIdentity>) -> HttpsClient {
    client(
        ServerTrust::Pinned(pki::get().server.certificate.clone()),
        identity,
    )
}

/// A TLS connection that trusts any server, for requests the client cannot make.
async fn raw_tls(address: SocketAddr, identity: Option<&pki::Issued>) -> SslStream<TcpStream> {
    let mut builder = SslConnector::builder(SslMethod::tls_client()).unwrap();
    builder.set_verify(SslVerifyMode::NONE);
    if let Some(identity) = identity {
        builder.set_certificate(&identity.certificate).unwrap();
        builder.set_private_key(&identity.key).unwrap();
    }
    let ssl = builder
        .build()
        .configure()
        .unwrap()
        .verify_hostname(false)
        .into_ssl("localhost")
        .unwrap();
    let tcp = TcpStream::connect(address).await.unwrap();
    let mut stream = SslStream::new(ssl, tcp).unwrap();
    Pin::new(&mut stream).connect().await.unwrap();
    stream
}

/// Whether the server closes `stream` within `within` (read gives EOF or an error).
async fn closed_within(stream: &mut SslStream<TcpStream>, within: Duration) -> bool {
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// Sends a raw request and reads the response until the server closes the connection.
async fn raw_exchange(stream: &mut SslStream<TcpStream>, request: &[u8]) -> String {
    stream.write_all(request).await.unwrap();
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buffer[..n]),
        }
    }
    String::from_utf8(response).unwrap()
}

mod round_trip {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn registration_endpoint_echoes_without_client_certificate() {
        let server = Running::start(|_| {}).await;
        let response = pinned_client(None)
            .post(
                &server.registration_url("127.0.0.1"),
                "multipart/related; boundary=x",
                "authCertReg request",
            )
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.content_type.as_deref(), Some("text/plain"));
        let echo = echoed(&response);
        assert_eq!(echo["endpoint"], "registration");
        assert_eq!(echo["certificate"], "none");
        assert_eq!(echo["content-type"], "multipart/related; boundary=x");
        assert_eq!(echo["body"], "authCertReg request");
        assert!(echo["peer"].starts_with("127.0.0.1:"), "{echo:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn manage_endpoint_hands_the_client_certificate_to_the_handler() {
        let server = Running::start(|_| {}).await;
        let response = pinned_client(Some(pki::get().client.identity()))
            .post(
                &server.manage_url(),
                "text/xml; charset=UTF-8",
                "<clientDeletion/>",
            )
            .await
            .unwrap();
        let echo = echoed(&response);
        assert_eq!(echo["endpoint"], "manage");
        assert_eq!(echo["certificate"], "SS1 auth");
        assert_eq!(echo["body"], "<clientDeletion/>");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn handler_faults_come_back_as_500_responses() {
        let server = Running::start(|_| {}).await;
        let response = pinned_client(None)
            .post(&server.registration_url("127.0.0.1"), "text/xml", "fault")
            .await
            .unwrap();
        assert_eq!(response.status, 500);
        assert_eq!(echoed(&response)["body"], "fault");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keep_alive_connection_carries_several_requests() {
        let server = Running::start(|_| {}).await;
        let client = pinned_client(Some(pki::get().client.identity()));
        let mut connection = client.connect(&server.manage_url()).await.unwrap();
        let mut peers = Vec::new();
        for index in 0..3 {
            let response = connection
                .post("text/xml", format!("request {index}"))
                .await
                .unwrap();
            let echo = echoed(&response);
            assert_eq!(echo["body"], format!("request {index}"));
            peers.push(echo["peer"].clone());
        }
        assert!(!connection.is_closed());
        peers.dedup();
        assert_eq!(peers.len(), 1, "one TCP connection: {peers:?}");
    }
}

mod trust {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn manage_endpoint_refuses_clients_without_certificate() {
        let server = Running::start(|_| {}).await;
        let error = pinned_client(None)
            .post(&server.manage_url(), "text/xml", "<clientReg/>")
            .await
            .unwrap_err();
        // With TLS 1.3 the client finishes its side of the handshake before the server
        // refuses it, so the refusal (alert `certificate required`) arrives afterwards; with
        // TLS 1.2 it ends the handshake itself.
        let chain = error_chain(&error);
        match &error {
            ClientError::TlsConnection { .. } => {
                assert!(chain.contains("certificate required"), "{chain}")
            }
            ClientError::TlsHandshake { .. } => {}
            other => panic!("unexpected error {other:?}: {chain}"),
        }
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_connection_errors_total{endpoint="manage",reason="tls_handshake_failed"}"#,
                1.0,
            )
            .await
        {
            panic!("{metrics}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn client_auth_off_gives_the_handler_no_certificate() {
        let server = Running::start(|config| config.manage.client_auth = ClientAuth::Off).await;
        let response = pinned_client(Some(pki::get().client.identity()))
            .post(&server.manage_url(), "text/xml", "<clientReg/>")
            .await
            .unwrap();
        assert_eq!(echoed(&response)["certificate"], "none");
        let response = pinned_client(None)
            .post(&server.manage_url(), "text/xml", "<clientReg/>")
            .await
            .unwrap();
        assert_eq!(echoed(&response)["endpoint"], "manage");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn client_pinned_to_another_certificate_refuses_the_server() {
        let server = Running::start(|_| {}).await;
        let pki = pki::get();
        let client = client(ServerTrust::Pinned(pki.impostor.certificate.clone()), None);
        let error = client
            .post(&server.registration_url("127.0.0.1"), "text/xml", "x")
            .await
            .unwrap_err();
        let hex = |certificate: &openssl::x509::X509| -> String {
            openssl::sha::sha256(&certificate.to_der().unwrap())
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect()
        };
        match &error {
            ClientError::PinnedCertificateMismatch {
                address,
                expected_sha256,
                presented_sha256,
                presented_subject,
            } => {
                assert_eq!(*address, server.registration);
                assert_eq!(*expected_sha256, hex(&pki.impostor.certificate));
                assert_eq!(*presented_sha256, hex(&pki.server.certificate));
                assert!(
                    presented_subject.contains("CN=localhost"),
                    "{presented_subject}"
                );
            }
            other => panic!("expected a pinned certificate mismatch, got {other:?}"),
        }
        assert!(
            error.to_string().starts_with("pinned certificate mismatch"),
            "{error}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pinned_mode_does_not_check_the_host_name() {
        // The server certificate names only `localhost`; the URL says 127.0.0.1.
        let server = Running::start(|_| {}).await;
        let response = pinned_client(None)
            .post(&server.registration_url("127.0.0.1"), "text/xml", "x")
            .await
            .unwrap();
        assert_eq!(response.status, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ca_bundle_mode_verifies_chain_and_host_name() {
        let server = Running::start(|_| {}).await;
        let pki = pki::get();
        let trusted = client(ServerTrust::ca_bundle_pem(&pki.ca.cert_pem).unwrap(), None);
        let response = trusted
            .post(&server.registration_url("localhost"), "text/xml", "x")
            .await
            .unwrap();
        assert_eq!(response.status, 200);

        let error = trusted
            .post(&server.registration_url("127.0.0.1"), "text/xml", "x")
            .await
            .unwrap_err();
        match &error {
            ClientError::TlsHandshake {
                verify_error: Some(verify),
                ..
            } => assert!(verify.contains("mismatch"), "{verify}"),
            other => panic!("expected a host name mismatch, got {other:?}"),
        }

        let other_ca = client(
            ServerTrust::CaBundle(vec![pki.impostor.certificate.clone()]),
            None,
        );
        let error = other_ca
            .post(&server.registration_url("localhost"), "text/xml", "x")
            .await
            .unwrap_err();
        assert!(
            matches!(
                &error,
                ClientError::TlsHandshake {
                    verify_error: Some(_),
                    ..
                }
            ),
            "{error:?}"
        );
    }

    fn error_chain(error: &dyn std::error::Error) -> String {
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        text
    }
}

mod limits {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn body_over_50_kib_gets_413_and_the_server_serves_the_next_request() {
        let server = Running::start(|_| {}).await;
        let client = pinned_client(None);
        let url = server.registration_url("127.0.0.1");
        let at_limit = client
            .post(&url, "text/xml", vec![b'a'; 50 * 1024])
            .await
            .unwrap();
        assert_eq!(echoed(&at_limit)["body"].len(), 50 * 1024);
        let error = client
            .post(&url, "text/xml", vec![b'a'; 50 * 1024 + 1])
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ClientError::Status { status, .. } if *status == 413),
            "{error:?}"
        );
        let next = client.post(&url, "text/xml", "next").await.unwrap();
        assert_eq!(echoed(&next)["body"], "next");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limit_answers_429_with_retry_after() {
        let server = Running::start(|config| {
            config.limits.rate_limit = Some(RateLimit {
                per_second: 1.try_into().unwrap(),
                burst: 3.try_into().unwrap(),
            })
        })
        .await;
        let client = pinned_client(None);
        let mut connection = client
            .connect(&server.registration_url("127.0.0.1"))
            .await
            .unwrap();
        for _ in 0..3 {
            connection.post("text/xml", "x").await.unwrap();
        }
        let error = connection.post("text/xml", "x").await.unwrap_err();
        match error {
            ClientError::Status {
                status,
                retry_after,
                ..
            } => {
                assert_eq!(status, 429);
                assert_eq!(retry_after, Some(Duration::from_secs(1)));
            }
            other => panic!("expected 429, got {other:?}"),
        }
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_requests_total{endpoint="registration",service="none",outcome="rate_limited"}"#,
                1.0,
            )
            .await
        {
            panic!("{metrics}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_loris_headers_are_cut_off_while_others_are_served() {
        let server =
            Running::start(|config| config.limits.header_read_timeout = Duration::from_secs(1))
                .await;
        let mut slow = raw_tls(server.registration, None).await;
        let started = Instant::now();
        let request_head = b"POST /managementservice/ HTTP/1.1\r\nHost: localhost\r\n";
        let slow_client = async {
            for byte in request_head.iter() {
                if slow.write_all(&[*byte]).await.is_err() {
                    break;
                }
                if closed_within(&mut slow, Duration::from_millis(300)).await {
                    return Some(started.elapsed());
                }
            }
            None
        };
        let normal_client = async {
            let client = pinned_client(None);
            let mut served = 0;
            for _ in 0..3 {
                let response = client
                    .post(&server.registration_url("127.0.0.1"), "text/xml", "x")
                    .await
                    .unwrap();
                assert_eq!(response.status, 200);
                served += 1;
            }
            served
        };
        let (closed_after, served) = tokio::join!(slow_client, normal_client);
        assert_eq!(served, 3);
        let closed_after = closed_after.expect("the slow connection is closed");
        assert!(
            closed_after >= Duration::from_millis(900) && closed_after < Duration::from_secs(3),
            "closed after {closed_after:?}"
        );
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="header_timeout"}"#,
                1.0,
            )
            .await
        {
            panic!("{metrics}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_body_gets_408() {
        let server =
            Running::start(|config| config.limits.body_read_timeout = Duration::from_millis(500))
                .await;
        let mut stream = raw_tls(server.registration, None).await;
        let response = tokio::time::timeout(
            Duration::from_secs(5),
            raw_exchange(
                &mut stream,
                b"POST /managementservice/ HTTP/1.1\r\nHost: localhost\r\n\
                  Content-Type: text/xml\r\nContent-Length: 100\r\n\r\nonly part",
            ),
        )
        .await
        .unwrap();
        assert!(
            response.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
            "{response}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn silent_connection_is_closed_after_the_handshake_timeout() {
        let server = Running::start(|config| {
            config.limits.tls_handshake_timeout = Duration::from_millis(300)
        })
        .await;
        let mut tcp = TcpStream::connect(server.registration).await.unwrap();
        let mut buffer = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(3), tcp.read(&mut buffer))
            .await
            .expect("closed by the server");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="tls_handshake_timeout"}"#,
                1.0,
            )
            .await
        {
            panic!("{metrics}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn connections_over_the_limit_are_closed_and_open_ones_kept() {
        let server = Running::start(|config| config.limits.max_connections = 1).await;
        let client = pinned_client(Some(pki::get().client.identity()));
        let mut first = client.connect(&server.manage_url()).await.unwrap();
        first.post("text/xml", "first").await.unwrap();

        let error = client
            .post(&server.manage_url(), "text/xml", "second")
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::TlsHandshake { .. }),
            "{error:?}"
        );
        let response = first.post("text/xml", "first again").await.unwrap();
        assert_eq!(echoed(&response)["body"], "first again");

        drop(first);
        let deadline = Instant::now() + Duration::from_secs(5);
        let third = loop {
            match client.post(&server.manage_url(), "text/xml", "third").await {
                Ok(response) => break response,
                Err(error) if Instant::now() < deadline => {
                    let _ = error;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(error) => panic!("the freed slot is not reused: {error:?}"),
            }
        };
        assert_eq!(echoed(&third)["body"], "third");
        let metrics = server.metrics().await;
        assert!(
            sample(
                &metrics,
                r#"xroad_mserv_connection_errors_total{endpoint="manage",reason="connection_limit"}"#
            )
            .is_some_and(|count| count >= 1.0),
            "{metrics}"
        );
    }

    /// An idle TCP connection to `to` from the loopback address `source` (the whole of
    /// 127.0.0.0/8 is this machine's).
    async fn idle_from(source: &str, to: SocketAddr) -> TcpStream {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket
            .bind(SocketAddr::new(source.parse().unwrap(), 0))
            .unwrap();
        socket.connect(to).await.unwrap()
    }

    /// Whether the server closed `tcp` (a read ends) before `within`.
    async fn tcp_closed_within(tcp: &mut TcpStream, within: Duration) -> bool {
        let mut buffer = [0u8; 16];
        matches!(
            tokio::time::timeout(within, tcp.read(&mut buffer)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    /// Each endpoint has its own connections: a registration endpoint full of idle
    /// connections leaves the manage endpoint served (with one limit for both, it did not).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_registration_endpoint_leaves_the_manage_endpoint_served() {
        let server = Running::start(|config| config.limits.max_connections = 2).await;
        let _held = [
            idle_from("127.0.0.2", server.registration).await,
            idle_from("127.0.0.3", server.registration).await,
        ];
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_open_connections{endpoint="registration"}"#,
                2.0,
            )
            .await
        {
            panic!("{metrics}");
        }
        let mut refused = idle_from("127.0.0.4", server.registration).await;
        assert!(tcp_closed_within(&mut refused, Duration::from_secs(5)).await);

        let client = pinned_client(Some(pki::get().client.identity()));
        let response = client
            .post(&server.manage_url(), "text/xml", "served")
            .await
            .unwrap();
        assert_eq!(echoed(&response)["body"], "served");
        let metrics = server.metrics().await;
        assert_eq!(
            sample(
                &metrics,
                r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="connection_limit"}"#
            ),
            Some(1.0),
            "{metrics}"
        );
    }

    /// One address holds at most `max_connections_per_address` of a listener's
    /// connections; others are served beside it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_address_cannot_take_a_listeners_connections() {
        let server = Running::start(|config| {
            config.limits.max_connections = 10;
            config.limits.max_connections_per_address = 2;
        })
        .await;
        let _held = [
            idle_from("127.0.0.2", server.registration).await,
            idle_from("127.0.0.2", server.registration).await,
        ];
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_open_connections{endpoint="registration"}"#,
                2.0,
            )
            .await
        {
            panic!("{metrics}");
        }
        for _ in 0..3 {
            let mut refused = idle_from("127.0.0.2", server.registration).await;
            assert!(tcp_closed_within(&mut refused, Duration::from_secs(5)).await);
        }
        let response = pinned_client(None)
            .post(&server.registration_url("127.0.0.1"), "text/xml", "served")
            .await
            .unwrap();
        assert_eq!(echoed(&response)["body"], "served");
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="address_limit"}"#,
                3.0,
            )
            .await
        {
            panic!("{metrics}");
        }
    }

    /// A listener with allowed sources closes connections from anywhere else at accept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_allowed_sources_reach_a_restricted_listener() {
        let server = Running::start(|config| {
            config.manage.client_auth = xroad_runtime::transport::ClientAuth::Off;
            config.manage.allowed_sources = Some(vec![
                "127.0.0.1/32".parse().unwrap(),
                "10.0.0.0/8".parse().unwrap(),
            ]);
        })
        .await;
        let mut refused = idle_from("127.0.0.2", server.manage).await;
        assert!(tcp_closed_within(&mut refused, Duration::from_secs(5)).await);
        let response = pinned_client(None)
            .post(&server.manage_url(), "text/xml", "allowed")
            .await
            .unwrap();
        assert_eq!(echoed(&response)["body"], "allowed");
        if let Err(metrics) = server
            .wait_for_sample(
                r#"xroad_mserv_connection_errors_total{endpoint="manage",reason="source_not_allowed"}"#,
                1.0,
            )
            .await
        {
            panic!("{metrics}");
        }
    }
}

mod routing {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn other_paths_get_404() {
        let server = Running::start(|_| {}).await;
        let url = format!(
            "https://127.0.0.1:{}/managementservice/manage/",
            server.registration.port()
        );
        let error = pinned_client(None)
            .post(&url, "text/xml", "x")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ClientError::Status { status, .. } if *status == 404),
            "{error:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn other_methods_get_405_with_allow_post() {
        let server = Running::start(|_| {}).await;
        let mut stream = raw_tls(server.registration, None).await;
        let response = raw_exchange(
            &mut stream,
            b"GET /managementservice/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(
            response.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
            "{response}"
        );
        assert!(
            response
                .to_ascii_lowercase()
                .contains("\r\nallow: post\r\n"),
            "{response}"
        );
    }
}

mod shutdown {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn in_flight_request_finishes_and_new_connections_are_refused() {
        let server = Running::start(|_| {}).await;
        let url = server.registration_url("127.0.0.1");
        let in_flight = Arc::clone(&server.in_flight);
        let request = tokio::spawn({
            let url = url.clone();
            async move { pinned_client(None).post(&url, "text/xml", "slow").await }
        });
        in_flight.notified().await;
        let took = server.shutdown().await;
        let response = request.await.unwrap().unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(echoed(&response)["body"], "slow");
        assert!(took < Duration::from_secs(5), "{took:?}");
        let error = pinned_client(None)
            .post(&url, "text/xml", "late")
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::Connect { .. }), "{error:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn grace_period_bounds_the_wait_for_stuck_requests() {
        let server =
            Running::start(|config| config.shutdown_grace = Duration::from_millis(300)).await;
        let url = server.registration_url("127.0.0.1");
        let in_flight = Arc::clone(&server.in_flight);
        let request =
            tokio::spawn(async move { pinned_client(None).post(&url, "text/xml", "stall").await });
        in_flight.notified().await;
        let took = server.shutdown().await;
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(3),
            "{took:?}"
        );
        let error = request.await.unwrap().unwrap_err();
        assert!(matches!(error, ClientError::Exchange { .. }), "{error:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn idle_keep_alive_connections_do_not_delay_shutdown() {
        let server = Running::start(|_| {}).await;
        let client = pinned_client(None);
        let mut idle = client
            .connect(&server.registration_url("127.0.0.1"))
            .await
            .unwrap();
        idle.post("text/xml", "x").await.unwrap();
        let took = server.shutdown().await;
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
}

mod metrics {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn metrics_count_requests_by_endpoint_service_and_outcome() {
        let server = Running::start(|_| {}).await;
        let client = pinned_client(Some(pki::get().client.identity()));
        let registration = server.registration_url("127.0.0.1");
        for body in ["a", "b", "fault"] {
            client.post(&registration, "text/xml", body).await.unwrap();
        }
        client
            .post(&server.manage_url(), "text/xml", "c")
            .await
            .unwrap();
        let not_found = format!("https://127.0.0.1:{}/nowhere", server.manage.port());
        client.post(&not_found, "text/xml", "d").await.unwrap_err();

        let metrics = server.metrics().await;
        let count = |series: &str| sample(&metrics, series);
        assert_eq!(
            count(
                r#"xroad_mserv_requests_total{endpoint="registration",service="clientReg",outcome="ok"}"#
            ),
            Some(2.0),
            "{metrics}"
        );
        assert_eq!(
            count(
                r#"xroad_mserv_requests_total{endpoint="registration",service="clientReg",outcome="invalid_request"}"#
            ),
            Some(1.0),
            "{metrics}"
        );
        assert_eq!(
            count(
                r#"xroad_mserv_requests_total{endpoint="manage",service="clientReg",outcome="ok"}"#
            ),
            Some(1.0),
            "{metrics}"
        );
        assert_eq!(
            count(
                r#"xroad_mserv_requests_total{endpoint="manage",service="none",outcome="not_found"}"#
            ),
            Some(1.0),
            "{metrics}"
        );
        assert_eq!(
            count(
                r#"xroad_mserv_request_duration_seconds_count{endpoint="registration",service="clientReg",outcome="ok"}"#
            ),
            Some(2.0),
            "{metrics}"
        );
    }
}

/// The expositions read by the parsers of the Python `prometheus_client` package (PyPI,
/// installed by the test with pip into the target folder when missing): the classic text
/// format parser and the OpenMetrics parser, which refuses anything the standard does not
/// allow.
mod metrics_parsers {
    use super::*;
    use std::path::PathBuf;
    use std::process::Command;

    /// The version of `prometheus_client` the test installs.
    const PROMETHEUS_CLIENT: &str = "prometheus-client==0.26.0";

    /// Prints each family as `family NAME TYPE` and each sample as
    /// `sample NAME LABELS VALUE` (labels `k=v` sorted, joined by `;`, values with `repr`).
    const SCRIPT: &str = r#"
import sys
from prometheus_client.parser import text_string_to_metric_families as text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
parse = {"text": text, "openmetrics": openmetrics}[sys.argv[1]]
for family in parse(open(sys.argv[2], encoding="utf-8").read()):
    print("family", family.name, family.type, sep="\t")
    for sample in family.samples:
        labels = ";".join(f"{k}={v!r}" for k, v in sorted(sample.labels.items()))
        print("sample", sample.name, labels, sample.value, sep="\t")
"#;

    /// A folder holding `prometheus_client`, installed with pip when it is not there yet.
    fn python_path() -> PathBuf {
        let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("python-prometheus-client");
        let importable = || {
            Command::new("python3")
                .arg("-c")
                .arg("import prometheus_client")
                .env("PYTHONPATH", &target)
                .status()
                .expect("python3 runs")
                .success()
        };
        if !importable() {
            let status = Command::new("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg("--target")
                .arg(&target)
                .arg(PROMETHEUS_CLIENT)
                .status()
                .expect("python3 -m pip runs");
            assert!(status.success(), "pip install {PROMETHEUS_CLIENT} failed");
            assert!(
                importable(),
                "prometheus_client is not importable after pip install"
            );
        }
        target
    }

    #[derive(Debug, Default)]
    struct Parsed {
        /// Family name → type.
        families: BTreeMap<String, String>,
        /// (sample name, labels) → value.
        samples: BTreeMap<(String, String), f64>,
    }

    /// `exposition` as the parser of `format` (`text` or `openmetrics`) reads it; panics with
    /// the parser's error when it refuses it.
    fn parse(format: &str, exposition: &str) -> Parsed {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("metrics.txt");
        std::fs::write(&file, exposition).unwrap();
        let output = Command::new("python3")
            .arg("-c")
            .arg(SCRIPT)
            .arg(format)
            .arg(&file)
            .env("PYTHONPATH", python_path())
            .output()
            .expect("python3 runs");
        assert!(
            output.status.success(),
            "the {format} parser refused the exposition: {}\n{exposition}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mut parsed = Parsed::default();
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let fields: Vec<_> = line.split('\t').collect();
            match fields[..] {
                ["family", name, kind] => {
                    assert!(
                        parsed
                            .families
                            .insert(name.to_owned(), kind.to_owned())
                            .is_none(),
                        "family {name} twice in\n{exposition}"
                    );
                }
                ["sample", name, labels, value] => {
                    parsed
                        .samples
                        .insert((name.to_owned(), labels.to_owned()), value.parse().unwrap());
                }
                _ => panic!("unexpected parser output {line:?}"),
            }
        }
        parsed
    }

    /// The body of an HTTP response.
    fn body(response: &str) -> &str {
        response
            .split_once("\r\n\r\n")
            .expect("a head and a body")
            .1
    }

    fn assert_families(parsed: &Parsed, exposition: &str) {
        let expected: BTreeMap<String, String> = [
            ("xroad_mserv_requests", "counter"),
            ("xroad_mserv_request_duration_seconds", "histogram"),
            ("xroad_mserv_connection_errors", "counter"),
            ("xroad_mserv_open_connections", "gauge"),
        ]
        .into_iter()
        .map(|(name, kind)| (name.to_owned(), kind.to_owned()))
        .collect();
        assert_eq!(parsed.families, expected, "{exposition}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_formats_parse_with_every_family_typed_and_listed_at_zero_when_idle() {
        let server = Running::start(|_| {}).await;
        let text = server.metrics_as(None).await;
        assert!(
            text.to_ascii_lowercase()
                .contains("content-type: text/plain; version=0.0.4"),
            "{text}"
        );
        let prometheus_accept = "application/openmetrics-text;version=1.0.0,\
                                 application/openmetrics-text;version=0.0.1;q=0.75,\
                                 text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        let open = server.metrics_as(Some(prometheus_accept)).await;
        assert!(
            open.to_ascii_lowercase()
                .contains("content-type: application/openmetrics-text; version=1.0.0"),
            "{open}"
        );
        for (format, response) in [("text", &text), ("openmetrics", &open)] {
            let exposition = body(response);
            let parsed = parse(format, exposition);
            assert_families(&parsed, exposition);
            let zero = |name: &str, labels: &str| {
                assert_eq!(
                    parsed.samples.get(&(name.to_owned(), labels.to_owned())),
                    Some(&0.0),
                    "{name} {labels} in\n{exposition}"
                );
            };
            zero(
                "xroad_mserv_requests_total",
                "endpoint='manage';outcome='rate_limited';service='none'",
            );
            zero(
                "xroad_mserv_request_duration_seconds_count",
                "endpoint='registration';outcome='not_found';service='none'",
            );
            zero(
                "xroad_mserv_connection_errors_total",
                "endpoint='registration';reason='tls_handshake_failed'",
            );
            zero("xroad_mserv_open_connections", "endpoint='manage'");
            // The handler's service, before its first request.
            zero(
                "xroad_mserv_requests_total",
                "endpoint='registration';outcome='ok';service='clientReg'",
            );
            zero(
                "xroad_mserv_request_duration_seconds_bucket",
                "endpoint='registration';le='+Inf';outcome='ok';service='clientReg'",
            );
            let nonzero = parsed.samples.values().filter(|v| **v != 0.0).count();
            assert_eq!(nonzero, 0, "an idle server has only zeros:\n{exposition}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn both_formats_parse_with_the_recorded_requests() {
        let server = Running::start(|_| {}).await;
        let client = pinned_client(Some(pki::get().client.identity()));
        let registration = server.registration_url("127.0.0.1");
        for body in ["a", "b"] {
            client.post(&registration, "text/xml", body).await.unwrap();
        }
        let series = r#"xroad_mserv_requests_total{endpoint="registration",service="clientReg",outcome="ok"}"#;
        if let Err(metrics) = server.wait_for_sample(series, 2.0).await {
            panic!("{metrics}");
        }
        for (format, accept) in [
            ("text", None),
            ("openmetrics", Some("application/openmetrics-text")),
        ] {
            let response = server.metrics_as(accept).await;
            let exposition = body(&response);
            let parsed = parse(format, exposition);
            assert_families(&parsed, exposition);
            let labels = "endpoint='registration';outcome='ok';service='clientReg'";
            let value = |name: &str| {
                parsed
                    .samples
                    .get(&(name.to_owned(), labels.to_owned()))
                    .copied()
            };
            assert_eq!(
                value("xroad_mserv_requests_total"),
                Some(2.0),
                "{exposition}"
            );
            assert_eq!(
                value("xroad_mserv_request_duration_seconds_count"),
                Some(2.0),
                "{exposition}"
            );
            let inf = "endpoint='registration';le='+Inf';outcome='ok';service='clientReg'";
            assert_eq!(
                parsed.samples.get(&(
                    "xroad_mserv_request_duration_seconds_bucket".to_owned(),
                    inf.to_owned()
                )),
                Some(&2.0),
                "{exposition}"
            );
        }
    }
}

/// Interoperability with an independent TLS client, the `openssl s_client` command.
mod interop {
    use super::*;
    use std::process::Stdio;
    use tokio::process::Command;

    /// Sends `request` through `openssl s_client` and returns what it printed.
    async fn s_client(
        address: SocketAddr,
        certificate: Option<&pki::Issued>,
        request: &str,
    ) -> String {
        let directory = tempfile::tempdir().unwrap();
        let mut command = Command::new("openssl");
        command
            .arg("s_client")
            .arg("-connect")
            .arg(address.to_string())
            .arg("-servername")
            .arg("localhost")
            .arg("-quiet")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(certificate) = certificate {
            let cert_path = directory.path().join("client.pem");
            let key_path = directory.path().join("client.key");
            std::fs::write(&cert_path, &certificate.cert_pem).unwrap();
            std::fs::write(&key_path, &certificate.key_pem).unwrap();
            command
                .arg("-cert")
                .arg(&cert_path)
                .arg("-key")
                .arg(&key_path);
        }
        let mut child = command.spawn().expect("the openssl command runs");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(request.as_bytes()).await.unwrap();
        // `-quiet` implies `-ign_eof`: s_client reads until the server closes.
        drop(stdin);
        let output = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
            .await
            .expect("openssl s_client finishes")
            .unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    }

    fn request(path: &str) -> String {
        let body = "<interop/>";
        format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn s_client_with_client_certificate_is_served_on_manage() {
        let server = Running::start(|_| {}).await;
        let output = s_client(
            server.manage,
            Some(&pki::get().client),
            &request("/managementservice/manage/"),
        )
        .await;
        assert!(output.contains("HTTP/1.1 200 OK\r\n"), "{output}");
        assert!(output.contains("certificate=SS1 auth\n"), "{output}");
        assert!(output.contains("body=<interop/>"), "{output}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn s_client_without_client_certificate_is_refused_on_manage() {
        let server = Running::start(|_| {}).await;
        let output = s_client(server.manage, None, &request("/managementservice/manage/")).await;
        assert!(!output.contains("HTTP/1.1"), "{output}");
        assert!(output.contains("certificate required"), "{output}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn s_client_without_client_certificate_is_served_on_registration() {
        let server = Running::start(|_| {}).await;
        let output = s_client(server.registration, None, &request("/managementservice/")).await;
        assert!(output.contains("HTTP/1.1 200 OK\r\n"), "{output}");
        assert!(output.contains("endpoint=registration\n"), "{output}");
    }
}

#[test]
fn pem_helpers_refuse_bad_input() {
    let pki = pki::get();
    assert!(ServerTrust::pinned_pem(&pki.server.cert_pem).is_ok());
    assert!(ServerTrust::ca_bundle_pem(b"").is_err());
    assert!(TlsIdentity::from_pem(&pki.server.cert_pem, &pki.client.key_pem).is_err());
}

mod tls {
    use super::*;
    use openssl::ssl::{SslSession, SslVersion};

    /// Every TLS 1.2 cipher suite of OpenSSL 3 (`openssl ciphers -tls1_2
    /// 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`, PSK and SRP left out: they need secrets the
    /// server does not have).
    const TLS12_SUITES: &[&str] = &[
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "DHE-DSS-AES256-GCM-SHA384",
        "DHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES256-CCM8",
        "ECDHE-ECDSA-AES256-CCM",
        "DHE-RSA-AES256-CCM8",
        "DHE-RSA-AES256-CCM",
        "ECDHE-ECDSA-ARIA256-GCM-SHA384",
        "ECDHE-ARIA256-GCM-SHA384",
        "DHE-DSS-ARIA256-GCM-SHA384",
        "DHE-RSA-ARIA256-GCM-SHA384",
        "ADH-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "DHE-DSS-AES128-GCM-SHA256",
        "DHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES128-CCM8",
        "ECDHE-ECDSA-AES128-CCM",
        "DHE-RSA-AES128-CCM8",
        "DHE-RSA-AES128-CCM",
        "ECDHE-ECDSA-ARIA128-GCM-SHA256",
        "ECDHE-ARIA128-GCM-SHA256",
        "DHE-DSS-ARIA128-GCM-SHA256",
        "DHE-RSA-ARIA128-GCM-SHA256",
        "ADH-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA384",
        "DHE-RSA-AES256-SHA256",
        "DHE-DSS-AES256-SHA256",
        "ECDHE-ECDSA-CAMELLIA256-SHA384",
        "ECDHE-RSA-CAMELLIA256-SHA384",
        "DHE-RSA-CAMELLIA256-SHA256",
        "DHE-DSS-CAMELLIA256-SHA256",
        "ADH-AES256-SHA256",
        "ADH-CAMELLIA256-SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "DHE-RSA-AES128-SHA256",
        "DHE-DSS-AES128-SHA256",
        "ECDHE-ECDSA-CAMELLIA128-SHA256",
        "ECDHE-RSA-CAMELLIA128-SHA256",
        "DHE-RSA-CAMELLIA128-SHA256",
        "DHE-DSS-CAMELLIA128-SHA256",
        "ADH-AES128-SHA256",
        "ADH-CAMELLIA128-SHA256",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES256-SHA",
        "DHE-RSA-AES256-SHA",
        "DHE-DSS-AES256-SHA",
        "DHE-RSA-CAMELLIA256-SHA",
        "DHE-DSS-CAMELLIA256-SHA",
        "AECDH-AES256-SHA",
        "ADH-AES256-SHA",
        "ADH-CAMELLIA256-SHA",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-RSA-AES128-SHA",
        "DHE-RSA-AES128-SHA",
        "DHE-DSS-AES128-SHA",
        "DHE-RSA-CAMELLIA128-SHA",
        "DHE-DSS-CAMELLIA128-SHA",
        "AECDH-AES128-SHA",
        "ADH-AES128-SHA",
        "ADH-CAMELLIA128-SHA",
        "AES256-GCM-SHA384",
        "AES256-CCM8",
        "AES256-CCM",
        "ARIA256-GCM-SHA384",
        "AES128-GCM-SHA256",
        "AES128-CCM8",
        "AES128-CCM",
        "ARIA128-GCM-SHA256",
        "AES256-SHA256",
        "CAMELLIA256-SHA256",
        "AES128-SHA256",
        "CAMELLIA128-SHA256",
        "AES256-SHA",
        "CAMELLIA256-SHA",
        "AES128-SHA",
        "CAMELLIA128-SHA",
        "ECDHE-ECDSA-NULL-SHA",
        "ECDHE-RSA-NULL-SHA",
        "AECDH-NULL-SHA",
        "NULL-SHA256",
        "NULL-SHA",
        "NULL-MD5",
    ];

    /// Every TLS 1.3 cipher suite.
    const TLS13_SUITES: &[&str] = &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_CCM_SHA256",
        "TLS_AES_128_CCM_8_SHA256",
    ];

    /// A client of exactly `version` and, for TLS 1.2, the suites `suites`, for TLS 1.3 the
    /// suites `suites`; `None` when the client library cannot offer them at all.
    fn client(version: SslVersion, suites: &str) -> Option<SslConnector> {
        let mut builder = SslConnector::builder(SslMethod::tls_client()).unwrap();
        builder.set_verify(SslVerifyMode::NONE);
        builder.set_min_proto_version(Some(version)).ok()?;
        builder.set_max_proto_version(Some(version)).ok()?;
        if version == SslVersion::TLS1_3 {
            builder.set_ciphersuites(suites).ok()?;
        } else {
            builder
                .set_cipher_list(&format!("{suites}:@SECLEVEL=0"))
                .ok()?;
        }
        Some(builder.build())
    }

    /// The TLS stream to `address` with `connector`, if the handshake succeeds; resuming
    /// `session` when given.
    async fn handshake(
        connector: &SslConnector,
        address: SocketAddr,
        session: Option<&SslSession>,
    ) -> Option<SslStream<TcpStream>> {
        let tcp = TcpStream::connect(address).await.unwrap();
        let mut ssl = connector
            .configure()
            .unwrap()
            .into_ssl("localhost")
            .unwrap();
        if let Some(session) = session {
            // SAFETY: the session comes from a connection of a client of the same
            // configuration, to the same server.
            unsafe { ssl.set_session(session).unwrap() };
        }
        let mut stream = SslStream::new(ssl, tcp).unwrap();
        let done = tokio::time::timeout(Duration::from_secs(10), Pin::new(&mut stream).connect())
            .await
            .expect("handshake ends");
        done.ok().map(|()| stream)
    }

    /// What the registration endpoint (server authentication only) agrees to.
    async fn offered(address: SocketAddr) -> (Vec<&'static str>, Vec<&'static str>) {
        let mut tls12 = Vec::new();
        for suite in TLS12_SUITES {
            let Some(connector) = client(SslVersion::TLS1_2, suite) else {
                continue;
            };
            if handshake(&connector, address, None).await.is_some() {
                tls12.push(*suite);
            }
        }
        let mut tls13 = Vec::new();
        for suite in TLS13_SUITES {
            let Some(connector) = client(SslVersion::TLS1_3, suite) else {
                continue;
            };
            if handshake(&connector, address, None).await.is_some() {
                tls13.push(*suite);
            }
        }
        (tls12, tls13)
    }

    /// TLS 1.2 with ECDHE key exchange only (the server's key is RSA: the ECDHE-RSA suites
    /// with AES-GCM and ChaCha20-Poly1305), and TLS 1.3's three default suites; nothing
    /// older than TLS 1.2. Before, the DHE-RSA suites were offered too.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_ecdhe_suites_and_tls13_are_offered() {
        let server = Running::start(|_| {}).await;
        let (tls12, tls13) = offered(server.registration).await;
        println!("TLS 1.2 suites offered: {}", tls12.join(" "));
        println!("TLS 1.3 suites offered: {}", tls13.join(" "));
        assert_eq!(
            tls12,
            [
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-RSA-CHACHA20-POLY1305",
                "ECDHE-RSA-AES128-GCM-SHA256",
            ]
        );
        assert_eq!(
            tls13,
            [
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
            ]
        );
        for old in [SslVersion::TLS1, SslVersion::TLS1_1] {
            if let Some(connector) = client(old, "ALL") {
                assert!(
                    handshake(&connector, server.registration, None)
                        .await
                        .is_none(),
                    "{old:?} accepted"
                );
            }
        }
    }

    /// Sends one request on `stream` and reads the start of the answer, so that what the
    /// server sends after the handshake (TLS 1.3 session tickets) has arrived; returns the
    /// session while the connection is still open (a connection that ends without
    /// `close_notify` makes its session unusable).
    async fn one_request(stream: &mut SslStream<TcpStream>) -> SslSession {
        stream
            .write_all(
                b"POST /managementservice/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n\
                  Content-Length: 1\r\n\r\nx",
            )
            .await
            .unwrap();
        let mut answer = [0u8; 12];
        stream.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200");
        stream.ssl().session().unwrap().to_owned()
    }

    /// No session tickets (TLS 1.2 and 1.3) and no session cache: a client that offers the
    /// session of its last connection makes a full handshake again. Before, the session
    /// was resumed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sessions_are_not_resumed() {
        let server = Running::start(|_| {}).await;
        for (version, suites) in [
            (SslVersion::TLS1_2, "ECDHE-RSA-AES128-GCM-SHA256"),
            (SslVersion::TLS1_3, "TLS_AES_128_GCM_SHA256"),
        ] {
            let connector = client(version, suites).unwrap();
            let mut first = handshake(&connector, server.registration, None)
                .await
                .expect("first handshake");
            let session = one_request(&mut first).await;
            let second = handshake(&connector, server.registration, Some(&session))
                .await
                .expect("second handshake");
            assert!(!second.ssl().session_reused(), "{version:?} resumed");
        }
    }
}

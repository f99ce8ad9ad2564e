//! The HTTPS client of a security server: POSTs a management request and reads the answer.

use std::fmt;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use openssl::ssl::{Ssl, SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::{X509, X509VerifyResult};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_openssl::SslStream;

use super::error::{ClientError, PemError};
use super::identity::{TlsIdentity, certificates_from_pem, sha256_fingerprint, subject_line};
use super::tls_error::{RecordTlsError, TlsErrorSlot};
use super::url::Target;

/// `User-Agent` of the client's requests.
const USER_AGENT: &str = concat!("xroad-runtime/", env!("CARGO_PKG_VERSION"));

/// How the client decides whether to trust the server.
#[derive(Clone)]
pub enum ServerTrust {
    /// The server must present exactly this certificate (compared byte for byte, DER).
    /// Nothing else is checked: not the host name, the validity period or any chain. This
    /// is how a security server checks the central server against the TLS certificate in
    /// the global configuration.
    Pinned(X509),
    /// The server's chain must verify to one of these CA certificates (and only these), and
    /// its certificate must match the URL's host name or IP address.
    CaBundle(Vec<X509>),
}

impl ServerTrust {
    /// Pins the first certificate in `pem`.
    pub fn pinned_pem(pem: &[u8]) -> Result<Self, PemError> {
        let mut certificates = certificates_from_pem(pem, "pinned certificate")?;
        Ok(ServerTrust::Pinned(certificates.remove(0)))
    }

    /// Trusts the CA certificates in `pem`.
    pub fn ca_bundle_pem(pem: &[u8]) -> Result<Self, PemError> {
        Ok(ServerTrust::CaBundle(certificates_from_pem(
            pem,
            "CA bundle",
        )?))
    }
}

impl fmt::Debug for ServerTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerTrust::Pinned(certificate) => f
                .debug_tuple("Pinned")
                .field(&subject_line(certificate))
                .finish(),
            ServerTrust::CaBundle(certificates) => f
                .debug_tuple("CaBundle")
                .field(
                    &certificates
                        .iter()
                        .map(|c| subject_line(c))
                        .collect::<Vec<_>>(),
                )
                .finish(),
        }
    }
}

/// Configuration of an [`HttpsClient`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// How the server certificate is checked.
    pub trust: ServerTrust,
    /// The client certificate and key (the security server's authentication certificate
    /// for the manage endpoint); `None` sends none.
    pub identity: Option<TlsIdentity>,
    /// Time allowed for name resolution plus TCP connect, and again for the TLS handshake
    /// (default 10 s).
    pub connect_timeout: Duration,
    /// Time allowed from sending a request to having read the whole response (default
    /// 60 s).
    pub response_timeout: Duration,
    /// Largest response body accepted, in bytes (default 1 MiB).
    pub max_response_bytes: usize,
}

impl ClientConfig {
    /// A configuration with `trust`, no client certificate and default limits.
    pub fn new(trust: ServerTrust) -> Self {
        ClientConfig {
            trust,
            identity: None,
            connect_timeout: Duration::from_secs(10),
            response_timeout: Duration::from_secs(60),
            max_response_bytes: 1024 * 1024,
        }
    }
}

/// A response: 2xx, or 500 (a SOAP fault). Other statuses are [`ClientError::Status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `Content-Type` header value (non-UTF-8 bytes replaced), `None` when absent.
    pub content_type: Option<String>,
    /// The response body.
    pub body: Bytes,
}

/// An HTTPS client for management requests. Cheap to clone; clones share the TLS context.
#[derive(Clone)]
pub struct HttpsClient {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    connector: SslConnector,
    pinned: Option<X509>,
    connect_timeout: Duration,
    response_timeout: Duration,
    max_response_bytes: usize,
}

impl fmt::Debug for HttpsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpsClient")
            .field("pinned", &self.inner.pinned.as_deref().map(subject_line))
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("response_timeout", &self.inner.response_timeout)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl HttpsClient {
    /// A client with `config`'s trust, identity and limits.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let mut builder =
            SslConnector::builder(SslMethod::tls_client()).map_err(ClientError::TlsSetup)?;
        if let Some(identity) = &config.identity {
            identity
                .install(&mut builder)
                .map_err(ClientError::TlsSetup)?;
        }
        let pinned = match config.trust {
            ServerTrust::Pinned(certificate) => Some(certificate),
            ServerTrust::CaBundle(certificates) => {
                let mut store = X509StoreBuilder::new().map_err(ClientError::TlsSetup)?;
                for certificate in certificates {
                    store.add_cert(certificate).map_err(ClientError::TlsSetup)?;
                }
                builder.set_cert_store(store.build());
                builder.set_verify(SslVerifyMode::PEER);
                None
            }
        };
        Ok(HttpsClient {
            inner: Arc::new(ClientInner {
                connector: builder.build(),
                pinned,
                connect_timeout: config.connect_timeout,
                response_timeout: config.response_timeout,
                max_response_bytes: config.max_response_bytes,
            }),
        })
    }

    /// POSTs `body` with `content_type` to `url` on a new connection.
    pub async fn post(
        &self,
        url: &str,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<ClientResponse, ClientError> {
        self.connect(url).await?.post(content_type, body).await
    }

    /// Opens a keep-alive connection for several requests to `url`, one at a time.
    pub async fn connect(&self, url: &str) -> Result<Connection, ClientError> {
        let target = Target::parse(url)?;
        let (tcp, address) = self.connect_tcp(&target).await?;
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%address, %error, "cannot set TCP_NODELAY");
        }
        let presented = Arc::new(OnceLock::new());
        let ssl = self.session(&target, &presented)?;
        let mut stream = SslStream::new(ssl, tcp).map_err(ClientError::TlsSetup)?;
        let handshake =
            tokio::time::timeout(self.inner.connect_timeout, Pin::new(&mut stream).connect()).await;
        match handshake {
            Err(_) => {
                return Err(ClientError::TlsHandshakeTimeout {
                    address,
                    timeout: self.inner.connect_timeout,
                });
            }
            Ok(Err(source)) => {
                if let Some(error) = presented
                    .get()
                    .and_then(|certificate| self.mismatch(address, Some(certificate)))
                {
                    return Err(error);
                }
                let verify = stream.ssl().verify_result();
                return Err(ClientError::TlsHandshake {
                    address,
                    verify_error: (verify != X509VerifyResult::OK)
                        .then(|| verify.error_string().to_owned()),
                    source,
                });
            }
            Ok(Ok(())) => {}
        }
        // The verify callback compares the certificate during the handshake; compare again
        // here so a handshake that never reached it cannot pass.
        if self.inner.pinned.is_some() {
            let peer = stream.ssl().peer_certificate();
            if let Some(error) = self.mismatch(address, peer.as_ref()) {
                return Err(error);
            }
        }
        let tls_error = TlsErrorSlot::default();
        let transport = RecordTlsError::new(stream, tls_error.clone());
        let (sender, connection) =
            http1::handshake(TokioIo::new(transport))
                .await
                .map_err(|source| ClientError::Exchange {
                    url: target.url.clone(),
                    source,
                })?;
        let task = tokio::spawn(async move {
            let result = connection.await;
            if let Err(error) = &result {
                tracing::debug!(%address, %error, "client connection ended with an error");
            }
            result
        });
        Ok(Connection {
            sender,
            target,
            inner: Arc::clone(&self.inner),
            task: Some(task),
            tls_error,
        })
    }

    /// Resolves the host and connects to the first address that answers.
    async fn connect_tcp(&self, target: &Target) -> Result<(TcpStream, SocketAddr), ClientError> {
        let timeout = self.inner.connect_timeout;
        let resolve_error = |source| ClientError::Resolve {
            host: target.host.clone(),
            source,
        };
        let addresses: Vec<SocketAddr> = tokio::time::timeout(
            timeout,
            tokio::net::lookup_host((target.host.as_str(), target.port)),
        )
        .await
        .map_err(|_| resolve_error(std::io::ErrorKind::TimedOut.into()))?
        .map_err(resolve_error)?
        .collect();
        let mut last_error = ClientError::NoAddress {
            host: target.host.clone(),
        };
        for address in addresses {
            match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
                Ok(Ok(tcp)) => return Ok((tcp, address)),
                Ok(Err(source)) => last_error = ClientError::Connect { address, source },
                Err(_) => last_error = ClientError::ConnectTimeout { address, timeout },
            }
        }
        Err(last_error)
    }

    /// The TLS session of one connection: SNI, and either host name verification against
    /// the CA bundle or the pinned-certificate check, which records what was presented.
    fn session(
        &self,
        target: &Target,
        presented: &Arc<OnceLock<X509>>,
    ) -> Result<Ssl, ClientError> {
        let configuration = self
            .inner
            .connector
            .configure()
            .map_err(ClientError::TlsSetup)?;
        let Some(pinned) = &self.inner.pinned else {
            return configuration
                .into_ssl(&target.host)
                .map_err(ClientError::TlsSetup);
        };
        let mut ssl = configuration
            .verify_hostname(false)
            .into_ssl(&target.host)
            .map_err(ClientError::TlsSetup)?;
        let pinned_der = pinned.to_der().map_err(ClientError::TlsSetup)?;
        let presented = Arc::clone(presented);
        // Chain errors are ignored (the pinned certificate is typically self-signed);
        // the server's own certificate, at depth 0, must be the pinned one.
        ssl.set_verify_callback(SslVerifyMode::PEER, move |_chain_verified, store| {
            if store.error_depth() != 0 {
                return true;
            }
            let Some(certificate) = store.current_cert() else {
                return false;
            };
            if certificate.to_der().is_ok_and(|der| der == pinned_der) {
                return true;
            }
            let _ = presented.set(certificate.to_owned());
            false
        });
        Ok(ssl)
    }

    /// The mismatch error when `presented` is not the pinned certificate.
    fn mismatch(&self, address: SocketAddr, presented: Option<&X509>) -> Option<ClientError> {
        let pinned = self.inner.pinned.as_ref()?;
        let equal = presented.is_some_and(|certificate| {
            matches!((certificate.to_der(), pinned.to_der()), (Ok(a), Ok(b)) if a == b)
        });
        if equal {
            return None;
        }
        Some(ClientError::PinnedCertificateMismatch {
            address,
            expected_sha256: sha256_fingerprint(pinned),
            presented_sha256: presented
                .map(|certificate| sha256_fingerprint(certificate))
                .unwrap_or_else(|| "none".to_owned()),
            presented_subject: presented
                .map(|certificate| subject_line(certificate))
                .unwrap_or_else(|| "no certificate".to_owned()),
        })
    }
}

/// A keep-alive connection to one URL; requests are sent one after the other. Dropping
/// it closes the connection. Servers close idle connections (this server after its header
/// read timeout, 10 s by default): check [`Connection::is_closed`] and reconnect.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    target: Target,
    inner: Arc<ClientInner>,
    /// The task driving the connection, until its result has been taken.
    task: Option<JoinHandle<Result<(), hyper::Error>>>,
    /// The TLS error that broke the connection, if one did.
    tls_error: TlsErrorSlot,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("url", &self.target.url)
            .field("closed", &self.sender.is_closed())
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// POSTs `body` with `content_type` to the connection's URL and reads the response.
    pub async fn post(
        &mut self,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> Result<ClientResponse, ClientError> {
        let url = &self.target.url;
        let content_type_value =
            HeaderValue::try_from(content_type).map_err(|_| ClientError::InvalidContentType {
                content_type: content_type.to_owned(),
            })?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(self.target.path.as_str())
            .header(header::HOST, self.target.authority.as_str())
            .header(header::CONTENT_TYPE, content_type_value)
            .header(header::USER_AGENT, USER_AGENT)
            .body(Full::new(body.into()))
            .map_err(|_| ClientError::InvalidUrl {
                url: url.clone(),
                reason: "cannot form a request for this URL",
            })?;
        let limit = self.inner.max_response_bytes;
        let sender = &mut self.sender;
        let task = &mut self.task;
        let exchange = async move {
            let sent = match sender.ready().await {
                Ok(()) => sender.send_request(request).await,
                Err(error) => Err(error),
            };
            match sent {
                Ok(response) => read_response(response, url, limit).await,
                Err(error) => Err(ClientError::Exchange {
                    url: url.clone(),
                    source: connection_error(task, error).await,
                }),
            }
        };
        let result = tokio::time::timeout(self.inner.response_timeout, exchange)
            .await
            .map_err(|_| ClientError::ResponseTimeout {
                url: url.clone(),
                timeout: self.inner.response_timeout,
            })?;
        // A TLS error that broke the connection says more than what HTTP made of it.
        result.map_err(|error| match error {
            ClientError::Exchange { url, source } => match self.tls_error.take() {
                Some(tls) => ClientError::TlsConnection { url, source: tls },
                None => ClientError::Exchange { url, source },
            },
            other => other,
        })
    }

    /// Whether the server or an error closed the connection; a closed connection cannot
    /// send requests.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// The error that closed the connection when a request could not be sent: the request
/// only learns that the connection is gone (e.g. `channel closed`), while the connection
/// task holds the cause (e.g. the server's TLS alert `certificate required`).
async fn connection_error(
    task: &mut Option<JoinHandle<Result<(), hyper::Error>>>,
    request_error: hyper::Error,
) -> hyper::Error {
    /// The connection task ends right after the error that closed the channel.
    const TASK_END_WAIT: Duration = Duration::from_secs(1);
    let Some(handle) = task.as_mut() else {
        return request_error;
    };
    match tokio::time::timeout(TASK_END_WAIT, handle).await {
        Ok(joined) => {
            *task = None;
            match joined {
                Ok(Err(connection_error)) => connection_error,
                Ok(Ok(())) | Err(_) => request_error,
            }
        }
        Err(_) => request_error,
    }
}

/// Reads a response within the size limit and sorts it by status.
async fn read_response(
    response: hyper::Response<Incoming>,
    url: &str,
    limit: usize,
) -> Result<ClientResponse, ClientError> {
    let (parts, body) = response.into_parts();
    let too_large = |declared| ClientError::ResponseTooLarge {
        url: url.to_owned(),
        limit,
        declared,
    };
    let declared = body.size_hint().exact();
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large(declared));
    }
    let mut body = body;
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| ClientError::Exchange {
            url: url.to_owned(),
            source,
        })?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                return Err(too_large(declared));
            }
            buffer.extend_from_slice(&data);
        }
    }
    let body = buffer.freeze();
    let status = parts.status;
    if status.is_success() || status == StatusCode::INTERNAL_SERVER_ERROR {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        return Ok(ClientResponse {
            status,
            content_type,
            body,
        });
    }
    let retry_after = parts
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    Err(ClientError::Status {
        url: url.to_owned(),
        status,
        retry_after,
        body,
    })
}

//! An OCSP responder over plain HTTP (RFC 6960 Appendix A.1) for the certificates of one
//! CA: the responder named in the authority information access of the test PKI's signing
//! certificates.
//!
//! The URL of the responder goes into the certificates, and is known only once the socket is
//! bound; so binding and serving are two steps:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use xroad_runtime::testpki::{CertRequest, CertStatus, OcspHttpListener, TestPki};
//!
//! let listener = OcspHttpListener::bind("127.0.0.1:0".parse()?)?;
//! let pki = TestPki::builder().ocsp_url(listener.url()).build()?;
//! let responder = listener.serve(&pki)?;
//! let member = pki.issue(&CertRequest::signing("EE", "GOV", "TS1OWNER"))?;
//! let serial = member.cert().serial_number().to_bn()?;
//! responder.set_status(&serial, CertStatus::Unknown);
//! // ... clients fetch from the URL in `member`'s certificate ...
//! println!("{} responses about it", responder.responses_for(&serial));
//! responder.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! `POST` of an `application/ocsp-request` body to any path is answered with an
//! `application/ocsp-response`, signed by the CA through [`OcspResponder`]:
//!
//! - a request with one `CertID` of the CA's certificates gets the status set for its serial
//!   number ([`CertStatus::Good`] unless set otherwise), `thisUpdate` now and `nextUpdate` a
//!   day later, with a `CertID` computed with the request's hash algorithm;
//! - a request that is not DER, holds no or several `CertID`s (RFC 5019 §2.1.1 allows one),
//!   or names an unsupported hash algorithm gets `malformedRequest`;
//! - a `CertID` of another issuer gets `unauthorized`.
//!
//! Request extensions (such as a nonce) are not echoed. Other methods get HTTP 405, other
//! content types 415, bodies over 64 KiB 413.

mod request;

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use openssl::bn::BigNumRef;
use openssl::hash::MessageDigest;
use openssl::ocsp::{OcspCertId, OcspRequest, OcspResponse, OcspResponseStatus};
use openssl::x509::X509;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use super::error::{TestPkiError, openssl};
use super::{CertStatus, Issued, OcspResponder, TestPki};
use request::{cert_id_info, cert_ids, same_cert_id};

/// Media type of request bodies.
const OCSP_REQUEST_MEDIA_TYPE: &str = "application/ocsp-request";
/// Media type of response bodies.
const OCSP_RESPONSE_MEDIA_TYPE: &str = "application/ocsp-response";
/// Largest request body accepted; an `OCSPRequest` with one `CertID` is about 100 bytes.
const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// Time a client has to send a request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause after an accept error that is not about one connection.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Why the OCSP responder could not be started.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OcspServerError {
    /// The address could not be bound.
    #[error("cannot bind the OCSP responder to {address}")]
    Bind {
        /// The address asked for.
        address: SocketAddr,
        /// The operating system error.
        #[source]
        source: io::Error,
    },
    /// The bound socket could not be set up (local address, non-blocking mode).
    #[error("cannot set up the OCSP responder's socket")]
    Socket(#[source] io::Error),
    /// [`OcspHttpListener::serve`] was called outside a tokio runtime.
    #[error("the OCSP responder must be started within a tokio runtime")]
    NoRuntime,
}

/// A bound OCSP responder socket that does not serve yet: its URL can go into certificates
/// before the PKI that issues them exists.
#[derive(Debug)]
pub struct OcspHttpListener {
    listener: std::net::TcpListener,
    address: SocketAddr,
    url: String,
}

impl OcspHttpListener {
    /// Binds `address` (port 0 picks a free port). Connections wait in the backlog until
    /// [`serve`](Self::serve).
    pub fn bind(address: SocketAddr) -> Result<Self, OcspServerError> {
        let listener = std::net::TcpListener::bind(address)
            .map_err(|source| OcspServerError::Bind { address, source })?;
        let address = listener.local_addr().map_err(OcspServerError::Socket)?;
        Ok(Self {
            listener,
            address,
            url: format!("http://{address}/"),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The responder's URL, `http://<address>/`, for the certificates' authority
    /// information access.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Starts answering for the certificates of `pki`'s root CA, on the current tokio
    /// runtime.
    pub fn serve(self, pki: &TestPki) -> Result<OcspHttpServer, OcspServerError> {
        self.serve_for(pki.ca().clone())
    }

    /// Starts answering for the certificates of `issuer` (an intermediate CA, the other
    /// CA, ...), signing with its key, on the current tokio runtime.
    pub fn serve_for(self, issuer: Issued) -> Result<OcspHttpServer, OcspServerError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| OcspServerError::NoRuntime)?;
        self.listener
            .set_nonblocking(true)
            .map_err(OcspServerError::Socket)?;
        let _entered = runtime.enter();
        let listener = TcpListener::from_std(self.listener).map_err(OcspServerError::Socket)?;
        let state = Arc::new(State::new(issuer));
        let (stop, stopped) = oneshot::channel();
        let task = runtime.spawn(accept_loop(listener, Arc::clone(&state), stopped));
        Ok(OcspHttpServer {
            state,
            address: self.address,
            url: self.url,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running OCSP responder: its URL, the statuses it gives and what it answered. Dropping
/// it stops the responder at once; [`shutdown`](Self::shutdown) waits until it has stopped.
#[derive(Debug)]
pub struct OcspHttpServer {
    state: Arc<State>,
    address: SocketAddr,
    url: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl OcspHttpServer {
    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// The responder's URL, `http://<address>/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers `status` for the certificate with serial number `serial` from now on.
    pub fn set_status(&self, serial: &BigNumRef, status: CertStatus) {
        self.state
            .table()
            .statuses
            .insert(SerialKey::of(serial), status);
    }

    /// The status answered for serial number `serial`.
    pub fn status(&self, serial: &BigNumRef) -> CertStatus {
        self.state.status_of(&SerialKey::of(serial))
    }

    /// OCSP requests answered with an OCSP response so far, whatever its status.
    pub fn requests_answered(&self) -> u64 {
        self.state.answered.load(Ordering::Relaxed)
    }

    /// Successful responses given so far about the certificate with serial number
    /// `serial`.
    pub fn responses_for(&self, serial: &BigNumRef) -> u64 {
        self.state
            .table()
            .responses
            .get(&SerialKey::of(serial))
            .copied()
            .unwrap_or(0)
    }

    /// Stops accepting, closes open connections and waits for the responder to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            // The loop may have ended already; then there is nothing to stop.
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take()
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "OCSP responder task ended abnormally");
        }
    }
}

impl Drop for OcspHttpServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// A serial number as a map key: sign and big-endian magnitude.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SerialKey {
    negative: bool,
    magnitude: Vec<u8>,
}

impl SerialKey {
    fn of(serial: &BigNumRef) -> Self {
        Self {
            negative: serial.is_negative(),
            magnitude: serial.to_vec(),
        }
    }
}

/// Statuses set and responses counted, per serial number.
#[derive(Debug, Default)]
struct Table {
    statuses: HashMap<SerialKey, CertStatus>,
    responses: HashMap<SerialKey, u64>,
}

/// What the responder's connections share with its handle.
struct State {
    issuer: Issued,
    table: Mutex<Table>,
    answered: AtomicU64,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("issuer", &self.issuer)
            .field("answered", &self.answered)
            .finish_non_exhaustive()
    }
}

/// Why a request gets an unsuccessful `responseStatus`.
#[derive(Debug)]
struct Refusal {
    status: OcspResponseStatus,
    reason: String,
}

impl Refusal {
    fn malformed(reason: impl Into<String>) -> Self {
        Self {
            status: OcspResponseStatus::MALFORMED_REQUEST,
            reason: reason.into(),
        }
    }

    fn internal(error: TestPkiError) -> Self {
        Self {
            status: OcspResponseStatus::INTERNAL_ERROR,
            reason: error.to_string(),
        }
    }
}

impl State {
    fn new(issuer: Issued) -> Self {
        Self {
            issuer,
            table: Mutex::new(Table::default()),
            answered: AtomicU64::new(0),
        }
    }

    /// Locks the table; it holds plain values, so a panic elsewhere cannot leave it
    /// inconsistent and poisoning is ignored.
    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn status_of(&self, serial: &SerialKey) -> CertStatus {
        self.table()
            .statuses
            .get(serial)
            .copied()
            .unwrap_or(CertStatus::Good)
    }

    /// The DER `OCSPResponse` answering the DER `OCSPRequest` `body`; fails only when not
    /// even an error response can be encoded.
    fn answer(&self, body: &[u8]) -> Result<Vec<u8>, TestPkiError> {
        let answer = match self.respond(body) {
            Ok(der) => Ok(der),
            Err(refusal) => {
                tracing::debug!(
                    status = refusal.status.as_raw(),
                    reason = %refusal.reason,
                    "OCSP request refused"
                );
                OcspResponse::create(refusal.status, None)
                    .and_then(|response| response.to_der())
                    .map_err(openssl("creating an unsuccessful OCSP response"))
            }
        };
        if answer.is_ok() {
            self.answered.fetch_add(1, Ordering::Relaxed);
        }
        answer
    }

    /// A successful response about the one `CertID` of `body`.
    fn respond(&self, body: &[u8]) -> Result<Vec<u8>, Refusal> {
        if crate::cert::der_element_length(body) != Some(body.len()) {
            return Err(Refusal::malformed("the body is not one DER element"));
        }
        let request = OcspRequest::from_der(body)
            .map_err(|error| Refusal::malformed(format!("not an OCSPRequest: {error}")))?;
        let ids = cert_ids(&request);
        let [id] = ids.as_slice() else {
            return Err(Refusal::malformed(format!(
                "the request holds {} CertIDs, expected one",
                ids.len()
            )));
        };
        let info = cert_id_info(id)
            .map_err(|error| Refusal::malformed(format!("unreadable CertID: {error}")))?;
        let digest = MessageDigest::from_nid(info.hash_algorithm).ok_or_else(|| {
            Refusal::malformed(format!(
                "unsupported CertID hash algorithm {:?}",
                info.hash_algorithm.long_name().unwrap_or("(unnamed)")
            ))
        })?;
        let certificate =
            identified_certificate(&info.serial, &self.issuer).map_err(Refusal::internal)?;
        let expected = OcspCertId::from_cert(digest, &certificate, self.issuer.cert())
            .map_err(|source| Refusal::internal(openssl("computing a CertID")(source)))?;
        if !same_cert_id(id, &expected) {
            return Err(Refusal {
                status: OcspResponseStatus::UNAUTHORIZED,
                reason: "the CertID names another issuer".to_owned(),
            });
        }
        let serial = SerialKey::of(&info.serial);
        let der = OcspResponder::new(&self.issuer)
            .cert_id_digest(digest)
            .status(self.status_of(&serial))
            .respond(&certificate)
            .map_err(Refusal::internal)?;
        *self.table().responses.entry(serial).or_insert(0) += 1;
        Ok(der)
    }
}

/// The certificate as a `CertID` identifies it: the issuer's name and the serial number,
/// which is all a `CertID` is computed from besides the issuer's key.
fn identified_certificate(serial: &BigNumRef, issuer: &Issued) -> Result<X509, TestPkiError> {
    let serial = serial
        .to_asn1_integer()
        .map_err(openssl("encoding a serial number"))?;
    let mut builder = X509::builder().map_err(openssl("creating a certificate"))?;
    builder
        .set_serial_number(&serial)
        .map_err(openssl("setting the serial number"))?;
    builder
        .set_issuer_name(issuer.cert().subject_name())
        .map_err(openssl("setting the issuer"))?;
    Ok(builder.build())
}

/// Accepts connections until `stopped` fires (or its sender is dropped), then drops the
/// connections still open.
async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let http = Arc::new(http);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let state = Arc::clone(&state);
                    let http = Arc::clone(&http);
                    connections.spawn(async move {
                        let service = service_fn(move |request| {
                            handle(Arc::clone(&state), request)
                        });
                        if let Err(error) =
                            http.serve_connection(TokioIo::new(stream), service).await
                        {
                            tracing::debug!(%peer, %error, "OCSP responder connection failed");
                        }
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "OCSP responder cannot accept a connection");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// Answers one HTTP request.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "use POST\n");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return Ok(response);
    }
    let media_type_matches = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| {
            media_type
                .trim()
                .eq_ignore_ascii_case(OCSP_REQUEST_MEDIA_TYPE)
        });
    if !media_type_matches {
        return Ok(plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type application/ocsp-request\n",
        ));
    }
    let body = match Limited::new(request.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return Ok(plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request is larger than 64 KiB\n",
            ));
        }
        Err(error) => {
            tracing::debug!(%error, "cannot read an OCSP request body");
            return Ok(plain(StatusCode::BAD_REQUEST, "unreadable body\n"));
        }
    };
    // Signing is CPU-bound: keep it off the runtime's worker threads.
    let answered = tokio::task::spawn_blocking(move || state.answer(&body)).await;
    match answered {
        Ok(Ok(der)) => {
            let mut response = Response::new(Full::new(Bytes::from(der)));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(OCSP_RESPONSE_MEDIA_TYPE),
            );
            Ok(response)
        }
        Ok(Err(error)) => {
            tracing::warn!(%error, "cannot encode an OCSP response");
            Ok(plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"))
        }
        Err(error) => {
            tracing::warn!(%error, "OCSP signing task failed");
            Ok(plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"))
        }
    }
}

/// A `text/plain` response with `status`.
fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests;

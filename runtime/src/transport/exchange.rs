//! One request on a TLS listener: transport checks, body, handler, response, log and
//! metrics.

use std::borrow::Cow;
use std::fmt::Display;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Body;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use openssl::x509::X509;

use super::config::{Endpoint, Limits};
use super::handler::{Handler, HandlerResponse, IncomingRequest, Outcome};
use super::metrics::Metrics;
use super::rate::{PeerRateLimiter, retry_after_seconds};
use super::rejection::Rejection;

/// What one listener shares between its connections.
pub(crate) struct ListenerContext<H> {
    pub(crate) endpoint: Endpoint,
    pub(crate) path: String,
    pub(crate) handler: Arc<H>,
    pub(crate) limits: Limits,
    pub(crate) rate: Option<Arc<PeerRateLimiter>>,
    pub(crate) metrics: Arc<Metrics>,
}

/// What is known about the connection a request arrived on.
pub(crate) struct ConnectionInfo {
    peer: SocketAddr,
    client_certificate: Option<X509>,
    /// Set when a request was answered without reading all of its body.
    unread_request_data: AtomicBool,
}

impl ConnectionInfo {
    pub(crate) fn new(peer: SocketAddr, client_certificate: Option<X509>) -> Self {
        ConnectionInfo {
            peer,
            client_certificate,
            unread_request_data: AtomicBool::new(false),
        }
    }

    /// Whether a request was answered without reading all of its body, so the client may
    /// still be sending it.
    pub(crate) fn unread_request_data(&self) -> bool {
        self.unread_request_data.load(Ordering::Relaxed)
    }
}

/// The request as far as the transport got with it.
struct Received {
    content_type: Option<String>,
    body: Bytes,
}

/// Answers one request and records it.
pub(crate) async fn exchange<H, B>(
    context: &ListenerContext<H>,
    connection: &ConnectionInfo,
    request: Request<B>,
) -> Response<Full<Bytes>>
where
    H: Handler,
    B: Body<Data = Bytes>,
    B::Error: Display,
{
    let started = Instant::now();
    let method = request.method().clone();
    let path = loggable_path(request.uri().path()).into_owned();
    let content_length = request.body().size_hint().exact();
    let (response, request_bytes, outcome) = match receive(context, connection, request).await {
        Err(rejection) => {
            if rejection.leaves_body_unread() {
                connection
                    .unread_request_data
                    .store(true, Ordering::Relaxed);
            }
            (rejection.response(), 0, Err(rejection))
        }
        Ok(received) => {
            let request_bytes = received.body.len();
            let answer = context
                .handler
                .handle(IncomingRequest {
                    endpoint: context.endpoint,
                    peer: connection.peer,
                    client_certificate: connection.client_certificate.clone(),
                    content_type: received.content_type,
                    body: received.body,
                })
                .await;
            let (response, outcome) = into_response(answer);
            (response, request_bytes, Ok(outcome))
        }
    };
    let elapsed = started.elapsed();
    let status = response.status();
    let response_bytes = response.body().size_hint().exact().unwrap_or(0);
    let (service, outcome_label) = match &outcome {
        Ok(outcome) => (outcome.service, handled_label(outcome, status)),
        Err(rejection) => (None, Cow::Borrowed(rejection.label())),
    };
    context
        .metrics
        .record_request(context.endpoint, service, outcome_label.clone(), elapsed);
    let empty = Outcome::default();
    let details = outcome.as_ref().unwrap_or(&empty);
    macro_rules! request_event {
        ($level:expr) => {
            tracing::event!(
                target: "xroad_runtime::transport::request",
                $level,
                endpoint = context.endpoint.as_str(),
                peer = %connection.peer,
                method = %method,
                path = %path,
                status = status.as_u16(),
                content_length,
                request_bytes,
                response_bytes,
                duration_ms = rounded_ms(elapsed),
                service = details.service,
                message_id = details.message_id.as_deref(),
                sender = details.sender.as_deref(),
                outcome = %outcome_label,
                "management request"
            )
        };
    }
    // Rate-limited requests are logged at debug level so a flood does not flood the log;
    // they are still counted in the metrics.
    if matches!(outcome, Err(Rejection::RateLimited { .. })) {
        request_event!(tracing::Level::DEBUG);
    } else {
        request_event!(tracing::Level::INFO);
    }
    response
}

/// `duration` in milliseconds rounded to a tenth, as the request log shows it.
fn rounded_ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 10_000.0).round() / 10.0
}

/// Longest request path written to the log, in bytes.
const LOGGED_PATH_MAX: usize = 200;

/// The request path for the log, cut to [`LOGGED_PATH_MAX`] bytes (the rest marked `…`).
fn loggable_path(path: &str) -> Cow<'_, str> {
    if path.len() <= LOGGED_PATH_MAX {
        return Cow::Borrowed(path);
    }
    let mut end = LOGGED_PATH_MAX;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &path[..end]))
}

/// The outcome label of a request the handler answered.
fn handled_label(outcome: &Outcome, status: StatusCode) -> Cow<'static, str> {
    match outcome.fault_code {
        Some(code) => Cow::Borrowed(code.as_str()),
        None if status.is_success() => Cow::Borrowed("ok"),
        None => Cow::Borrowed("error"),
    }
}

/// Runs the transport checks and reads the body.
async fn receive<H, B>(
    context: &ListenerContext<H>,
    connection: &ConnectionInfo,
    request: Request<B>,
) -> Result<Received, Rejection>
where
    B: Body<Data = Bytes>,
    B::Error: Display,
{
    if let Some(rate) = &context.rate {
        rate.check(connection.peer.ip())
            .map_err(|wait| Rejection::RateLimited {
                retry_after: retry_after_seconds(wait),
            })?;
    }
    if request.uri().path() != context.path {
        return Err(Rejection::NotFound);
    }
    if request.method() != Method::POST {
        return Err(Rejection::MethodNotAllowed);
    }
    let mut content_types = request.headers().get_all(header::CONTENT_TYPE).iter();
    let content_type = content_types
        .next()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    if content_types.next().is_some() {
        return Err(Rejection::DuplicateContentType);
    }
    let limit = context.limits.max_body_bytes;
    let declared = request.body().size_hint().upper();
    if request.body().size_hint().lower() > limit as u64 {
        return Err(Rejection::PayloadTooLarge);
    }
    let capacity = declared.map_or(0, |n| n.min(limit as u64) as usize);
    let body = tokio::time::timeout(
        context.limits.body_read_timeout,
        read_body(request.into_body(), limit, capacity),
    )
    .await
    .map_err(|_| Rejection::BodyTimeout)?
    .map_err(|error| {
        if let BodyReadError::Stream(message) = &error {
            tracing::debug!(peer = %connection.peer, error = %message, "request body failed");
        }
        match error {
            BodyReadError::TooLarge => Rejection::PayloadTooLarge,
            BodyReadError::Stream(_) => Rejection::BodyError,
        }
    })?;
    Ok(Received { content_type, body })
}

enum BodyReadError {
    TooLarge,
    Stream(String),
}

/// Reads a body of at most `limit` bytes.
async fn read_body<B>(body: B, limit: usize, capacity: usize) -> Result<Bytes, BodyReadError>
where
    B: Body<Data = Bytes>,
    B::Error: Display,
{
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut buffer = BytesMut::new();
    let mut length = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| BodyReadError::Stream(error.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        length = length.saturating_add(data.len());
        if length > limit {
            return Err(BodyReadError::TooLarge);
        }
        // The common case, a body in one frame, is passed on without copying.
        match first.take() {
            None if buffer.is_empty() => first = Some(data),
            None => buffer.extend_from_slice(&data),
            Some(previous) => {
                buffer.reserve(capacity.max(previous.len() + data.len()));
                buffer.extend_from_slice(&previous);
                buffer.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| buffer.freeze()))
}

/// The HTTP response of a handler answer, and its outcome.
fn into_response(answer: HandlerResponse) -> (Response<Full<Bytes>>, Outcome) {
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = answer.status;
    if let Some(content_type) = answer.content_type {
        match HeaderValue::try_from(content_type) {
            Ok(value) => {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            Err(error) => {
                tracing::error!(%error, "handler returned an invalid Content-Type; sent without one");
            }
        }
    }
    (response, answer.outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::FaultCode;
    use crate::transport::config::RateLimit;
    use hyper::body::Frame;
    use std::collections::VecDeque;
    use std::convert::Infallible;
    use std::num::NonZeroU32;
    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    /// Echoes the request: body back, content type and certificate presence in the outcome.
    struct Echo;

    impl Handler for Echo {
        async fn handle(&self, request: IncomingRequest) -> HandlerResponse {
            let sender = request
                .client_certificate
                .as_ref()
                .map(|_| "cert".to_owned());
            HandlerResponse::ok(
                request.content_type.unwrap_or_default(),
                request.body,
                Outcome {
                    service: Some("clientReg"),
                    sender,
                    ..Outcome::default()
                },
            )
        }
    }

    fn context(limits: Limits) -> ListenerContext<Echo> {
        ListenerContext {
            endpoint: Endpoint::Manage,
            path: Endpoint::Manage.default_path().to_owned(),
            handler: Arc::new(Echo),
            rate: limits
                .rate_limit
                .map(|rate| Arc::new(PeerRateLimiter::new(rate))),
            limits,
            metrics: Arc::new(Metrics::new(&[])),
        }
    }

    fn connection() -> ConnectionInfo {
        ConnectionInfo::new("192.0.2.10:40000".parse().unwrap(), None)
    }

    fn post(path: &str, body: &'static [u8]) -> Request<Full<Bytes>> {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "text/xml")
            .body(Full::new(Bytes::from_static(body)))
            .unwrap()
    }

    async fn body_of(response: Response<Full<Bytes>>) -> Bytes {
        response.into_body().collect().await.unwrap().to_bytes()
    }

    /// A body of the given chunks with no declared length; with `stall`, it never ends.
    struct ChunkedBody {
        chunks: VecDeque<Bytes>,
        stall: bool,
    }

    impl Body for ChunkedBody {
        type Data = Bytes;
        type Error = Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            match self.chunks.pop_front() {
                Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
                None if self.stall => Poll::Pending,
                None => Poll::Ready(None),
            }
        }
    }

    /// A request whose body of `total` bytes comes in chunks of `chunk` bytes.
    fn chunked(total: usize, chunk: usize, stall: bool) -> Request<ChunkedBody> {
        let chunks = (0..total.div_ceil(chunk))
            .map(|index| Bytes::from(vec![b'x'; chunk.min(total - index * chunk)]))
            .collect();
        Request::builder()
            .method(Method::POST)
            .uri(Endpoint::Manage.default_path())
            .body(ChunkedBody { chunks, stall })
            .unwrap()
    }

    #[tokio::test]
    async fn handler_gets_body_and_content_type() {
        let context = context(Limits::default());
        let response = exchange(
            &context,
            &connection(),
            post("/managementservice/manage/", b"<x/>"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/xml");
        assert_eq!(body_of(response).await, "<x/>");
    }

    #[tokio::test]
    async fn wrong_path_and_method_are_refused() {
        let context = context(Limits::default());
        let response = exchange(&context, &connection(), post("/managementservice/", b"")).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let get = Request::builder()
            .method(Method::GET)
            .uri("/managementservice/manage/")
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = exchange(&context, &connection(), get).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[header::ALLOW], "POST");
    }

    #[tokio::test]
    async fn body_limit_applies_to_declared_and_streamed_bodies() {
        let limits = Limits {
            max_body_bytes: 10,
            ..Limits::default()
        };
        let context = context(limits);
        let response = exchange(
            &context,
            &connection(),
            post("/managementservice/manage/", b"0123456789"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let response = exchange(
            &context,
            &connection(),
            post("/managementservice/manage/", b"0123456789A"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.headers()[header::CONNECTION], "close");

        let response = exchange(&context, &connection(), chunked(10, 3, false)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_of(response).await, "xxxxxxxxxx");
        let response = exchange(&context, &connection(), chunked(11, 3, false)).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn rate_limit_answers_429_with_retry_after() {
        let limits = Limits {
            rate_limit: Some(RateLimit {
                per_second: NonZeroU32::new(1).unwrap(),
                burst: NonZeroU32::new(2).unwrap(),
            }),
            ..Limits::default()
        };
        let context = context(limits);
        for _ in 0..2 {
            let response = exchange(
                &context,
                &connection(),
                post("/managementservice/manage/", b"a"),
            )
            .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
        let response = exchange(
            &context,
            &connection(),
            post("/managementservice/manage/", b"a"),
        )
        .await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
    }

    #[tokio::test]
    async fn duplicate_content_type_is_refused() {
        let context = context(Limits::default());
        let mut request = post("/managementservice/manage/", b"a");
        request
            .headers_mut()
            .append(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        let response = exchange(&context, &connection(), request).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn slow_body_times_out_with_408() {
        let limits = Limits {
            body_read_timeout: Duration::from_millis(200),
            ..Limits::default()
        };
        let context = context(limits);
        let response = exchange(&context, &connection(), chunked(3, 1, true)).await;
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(response.headers()[header::CONNECTION], "close");
    }

    #[test]
    fn long_paths_are_cut_for_the_log() {
        assert_eq!(loggable_path("/managementservice/"), "/managementservice/");
        let long = format!("/{}", "é".repeat(150));
        let logged = loggable_path(&long);
        assert!(logged.ends_with('…'));
        assert!(logged.len() <= LOGGED_PATH_MAX + '…'.len_utf8());
        assert!(long.starts_with(logged.trim_end_matches('…')));
    }

    #[test]
    fn logged_durations_are_milliseconds_to_a_tenth() {
        assert_eq!(rounded_ms(Duration::from_nanos(1_234_567_891)), 1234.6);
        assert_eq!(rounded_ms(Duration::from_micros(50)), 0.1);
        assert_eq!(rounded_ms(Duration::from_micros(40)), 0.0);
        assert_eq!(rounded_ms(Duration::from_millis(3)).to_string(), "3");
    }

    #[test]
    fn handled_outcome_labels() {
        let ok = Outcome::default();
        assert_eq!(handled_label(&ok, StatusCode::OK), "ok");
        assert_eq!(
            handled_label(&ok, StatusCode::INTERNAL_SERVER_ERROR),
            "error"
        );
        let fault = Outcome {
            fault_code: Some(FaultCode::CertValidation),
            ..Outcome::default()
        };
        assert_eq!(
            handled_label(&fault, StatusCode::INTERNAL_SERVER_ERROR),
            "cert_validation"
        );
    }
}

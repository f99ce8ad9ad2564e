//! Prometheus metrics of the transport and the admin listener's `GET /metrics`.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ALLOW, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

use super::config::Endpoint;

/// Content type of the OpenMetrics text exposition.
pub(crate) const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Path the admin listener serves the metrics at.
pub(crate) const METRICS_PATH: &str = "/metrics";

/// Labels of the per-request metrics.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    endpoint: &'static str,
    service: Cow<'static, str>,
    outcome: Cow<'static, str>,
}

/// Labels of the per-connection metrics.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    endpoint: &'static str,
    reason: &'static str,
}

/// Labels of the open-connection gauge.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    endpoint: &'static str,
}

/// Why a connection ended before or outside a request, for
/// `xroad_mserv_connection_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnectionError {
    /// Closed at accept because the listener's connection limit was reached.
    ConnectionLimit,
    /// Closed at accept because the client's address had its most connections open.
    AddressLimit,
    /// Closed at accept because the client's address is not an allowed source.
    SourceNotAllowed,
    /// The TLS handshake failed.
    TlsHandshakeFailed,
    /// The TLS handshake did not finish in time.
    TlsHandshakeTimeout,
    /// The request head did not arrive in time.
    HeaderTimeout,
}

impl ConnectionError {
    const fn as_str(self) -> &'static str {
        match self {
            ConnectionError::ConnectionLimit => "connection_limit",
            ConnectionError::AddressLimit => "address_limit",
            ConnectionError::SourceNotAllowed => "source_not_allowed",
            ConnectionError::TlsHandshakeFailed => "tls_handshake_failed",
            ConnectionError::TlsHandshakeTimeout => "tls_handshake_timeout",
            ConnectionError::HeaderTimeout => "header_timeout",
        }
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    ])
}

/// The service label: the operation's name as the handler set it (only names of operations
/// it serves, or [`UNKNOWN_SERVICE`](super::UNKNOWN_SERVICE), so the label set stays bounded
/// whatever clients send), or `none` when the request failed before its service was known.
fn service_label(service: Option<&'static str>) -> Cow<'static, str> {
    Cow::Borrowed(service.unwrap_or("none"))
}

/// Counters, histograms and gauges of the server, and their registry.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RequestLabels, Histogram, fn() -> Histogram>,
    connection_errors: Family<ConnectionLabels, Counter>,
    open_connections: Family<EndpointLabels, Gauge>,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let connection_errors = Family::<ConnectionLabels, Counter>::default();
        let open_connections = Family::<EndpointLabels, Gauge>::default();
        registry.register(
            "xroad_mserv_requests",
            "Management requests answered, by endpoint, service and outcome (ok, a fault code \
             or the transport rejection)",
            requests.clone(),
        );
        registry.register_with_unit(
            "xroad_mserv_request_duration",
            "Time from the request head to the response, by endpoint, service and outcome",
            Unit::Seconds,
            durations.clone(),
        );
        registry.register(
            "xroad_mserv_connection_errors",
            "Connections closed outside a request: connection limit, TLS handshake failure or \
             timeout, header timeout",
            connection_errors.clone(),
        );
        registry.register(
            "xroad_mserv_open_connections",
            "TLS connections open now",
            open_connections.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            connection_errors,
            open_connections,
        }
    }

    /// Counts a request and its duration.
    pub(crate) fn record_request(
        &self,
        endpoint: Endpoint,
        service: Option<&'static str>,
        outcome: Cow<'static, str>,
        duration: Duration,
    ) {
        let labels = RequestLabels {
            endpoint: endpoint.as_str(),
            service: service_label(service),
            outcome,
        };
        self.requests.get_or_create(&labels).inc();
        self.durations
            .get_or_create(&labels)
            .observe(duration.as_secs_f64());
    }

    /// Counts a connection error.
    pub(crate) fn record_connection_error(&self, endpoint: Endpoint, error: ConnectionError) {
        let labels = ConnectionLabels {
            endpoint: endpoint.as_str(),
            reason: error.as_str(),
        };
        self.connection_errors.get_or_create(&labels).inc();
    }

    /// Counts a connection as open until the returned guard is dropped.
    pub(crate) fn open_connection(&self, endpoint: Endpoint) -> OpenConnectionGuard {
        let gauge = self
            .open_connections
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.as_str(),
            })
            .clone();
        gauge.inc();
        OpenConnectionGuard { gauge }
    }

    /// The OpenMetrics text exposition of every metric.
    pub(crate) fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// Answers an admin listener request: `GET /metrics` or 404/405.
    pub(crate) fn serve<B>(&self, request: &Request<B>) -> Response<Full<Bytes>> {
        if request.uri().path() != METRICS_PATH {
            return plain(StatusCode::NOT_FOUND, "not found\n");
        }
        if request.method() != Method::GET {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            response
                .headers_mut()
                .insert(ALLOW, hyper::header::HeaderValue::from_static("GET"));
            return response;
        }
        match self.render() {
            Ok(text) => {
                let mut response = Response::new(Full::new(Bytes::from(text)));
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static(OPENMETRICS_CONTENT_TYPE),
                );
                response
            }
            Err(error) => {
                tracing::error!(%error, "cannot encode metrics");
                plain(StatusCode::INTERNAL_SERVER_ERROR, "cannot encode metrics\n")
            }
        }
    }
}

/// Decrements the open-connection gauge when dropped.
pub(crate) struct OpenConnectionGuard {
    gauge: Gauge,
}

impl Drop for OpenConnectionGuard {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// A short `text/plain` response.
pub(crate) fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_without_a_service_is_labelled_none() {
        assert_eq!(service_label(Some("clientReg")), "clientReg");
        assert_eq!(
            service_label(Some(super::super::UNKNOWN_SERVICE)),
            "unknown"
        );
        assert_eq!(service_label(None), "none");
    }

    #[test]
    fn exposition_holds_the_recorded_samples() {
        let metrics = Metrics::new();
        metrics.record_request(
            Endpoint::Manage,
            Some("clientReg"),
            Cow::Borrowed("ok"),
            Duration::from_millis(3),
        );
        metrics.record_request(
            Endpoint::Manage,
            Some("clientReg"),
            Cow::Borrowed("ok"),
            Duration::from_millis(30),
        );
        metrics.record_connection_error(Endpoint::Registration, ConnectionError::HeaderTimeout);
        let open = metrics.open_connection(Endpoint::Manage);
        let text = metrics.render().unwrap();
        assert!(
            text.contains(
                r#"xroad_mserv_requests_total{endpoint="manage",service="clientReg",outcome="ok"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"xroad_mserv_request_duration_seconds_count{endpoint="manage",service="clientReg",outcome="ok"} 2"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="header_timeout"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"xroad_mserv_open_connections{endpoint="manage"} 1"#),
            "{text}"
        );
        drop(open);
        let text = metrics.render().unwrap();
        assert!(
            text.contains(r#"xroad_mserv_open_connections{endpoint="manage"} 0"#),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn admin_requests_are_routed() {
        let metrics = Metrics::new();
        let get = |method: Method, path: &str| {
            let request = Request::builder()
                .method(method)
                .uri(path)
                .body(())
                .unwrap();
            metrics.serve(&request)
        };
        let ok = get(Method::GET, "/metrics");
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(ok.headers()[CONTENT_TYPE], OPENMETRICS_CONTENT_TYPE);
        assert_eq!(get(Method::GET, "/other").status(), StatusCode::NOT_FOUND);
        let post = get(Method::POST, "/metrics");
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.headers()[ALLOW], "GET");
    }
}

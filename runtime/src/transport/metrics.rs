//! Prometheus metrics of the transport and the admin listener's `GET /metrics`.
//!
//! The exposition is the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, as the request's
//! `Accept` header asks (text 0.0.4 when it asks for neither). Every family is listed from
//! the start: the connection families with every endpoint and reason at zero, the request
//! families with every rejection of the transport (service `none`) and every service of the
//! handler ([`Handler::services`](super::Handler::services)) answered `ok` at zero; the
//! series of a fault code appear with its first request.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ACCEPT, ALLOW, CONTENT_TYPE, HeaderValue, VARY};
use hyper::{Method, Request, Response, StatusCode};

use super::config::Endpoint;
use super::rejection::rejection_labels;
use super::response::plain;

/// Content type of the OpenMetrics text exposition.
pub(crate) const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Content type of the Prometheus text exposition 0.0.4.
pub(crate) const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Path the admin listener serves the metrics at.
pub(crate) const METRICS_PATH: &str = "/metrics";

/// The endpoints, in the order their series are listed.
const ENDPOINTS: [Endpoint; 2] = [Endpoint::Registration, Endpoint::Manage];

/// Upper bounds of the request duration histogram, in seconds, as written in `le`.
const BUCKETS: [(f64, &str); 12] = [
    (0.005, "0.005"),
    (0.01, "0.01"),
    (0.025, "0.025"),
    (0.05, "0.05"),
    (0.1, "0.1"),
    (0.25, "0.25"),
    (0.5, "0.5"),
    (1.0, "1.0"),
    (2.5, "2.5"),
    (5.0, "5.0"),
    (10.0, "10.0"),
    (30.0, "30.0"),
];

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
    /// Every reason, in the order of its index.
    const ALL: [ConnectionError; 6] = [
        ConnectionError::ConnectionLimit,
        ConnectionError::AddressLimit,
        ConnectionError::SourceNotAllowed,
        ConnectionError::TlsHandshakeFailed,
        ConnectionError::TlsHandshakeTimeout,
        ConnectionError::HeaderTimeout,
    ];

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

    const fn index(self) -> usize {
        match self {
            ConnectionError::ConnectionLimit => 0,
            ConnectionError::AddressLimit => 1,
            ConnectionError::SourceNotAllowed => 2,
            ConnectionError::TlsHandshakeFailed => 3,
            ConnectionError::TlsHandshakeTimeout => 4,
            ConnectionError::HeaderTimeout => 5,
        }
    }
}

const fn endpoint_index(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::Registration => 0,
        Endpoint::Manage => 1,
    }
}

/// The service label: the operation's name as the handler set it (only names of operations
/// it serves, or [`UNKNOWN_SERVICE`](super::UNKNOWN_SERVICE), so the label set stays bounded
/// whatever clients send), or `none` when the request failed before its service was known.
fn service_label(service: Option<&'static str>) -> &'static str {
    service.unwrap_or("none")
}

/// The exposition format of a metrics response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// The Prometheus text format 0.0.4.
    Text,
    /// OpenMetrics 1.0.0 text.
    OpenMetrics,
}

impl Format {
    /// The format an `Accept` header value prefers: OpenMetrics when it weighs
    /// `application/openmetrics-text` at least as high as `text/plain` (or a wildcard), the
    /// text format otherwise and when there is no header.
    pub(crate) fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut openmetrics = 0.0f32;
        let mut text = 0.0f32;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut quality = 1.0f32;
            let mut version = None;
            for parameter in parts {
                let Some((name, value)) = parameter.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match name.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.parse().unwrap_or(0.0),
                    "version" => version = Some(value.to_owned()),
                    _ => {}
                }
            }
            let version = version.as_deref();
            match media.as_str() {
                "application/openmetrics-text"
                    if matches!(version, None | Some("1.0.0" | "0.0.1")) =>
                {
                    openmetrics = openmetrics.max(quality);
                }
                "text/plain" if matches!(version, None | Some("0.0.4")) => {
                    text = text.max(quality);
                }
                "*/*" | "text/*" => text = text.max(quality),
                _ => {}
            }
        }
        if openmetrics > 0.0 && openmetrics >= text {
            Format::OpenMetrics
        } else {
            Format::Text
        }
    }

    /// The `Content-Type` of the exposition.
    pub(crate) const fn content_type(self) -> &'static str {
        match self {
            Format::Text => TEXT_CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }
}

/// The kind of a metric family.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    const fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// The description of a metric family.
struct Family {
    /// The family name; counter samples add `_total`.
    name: &'static str,
    help: &'static str,
    kind: Kind,
    /// The unit, which ends the name (OpenMetrics `# UNIT`).
    unit: Option<&'static str>,
}

const REQUESTS: Family = Family {
    name: "xroad_mserv_requests",
    help: "Management requests answered, by endpoint, service and outcome (ok, a fault code or \
           the transport rejection)",
    kind: Kind::Counter,
    unit: None,
};

const REQUEST_DURATION: Family = Family {
    name: "xroad_mserv_request_duration_seconds",
    help: "Time from the request head to the response, by endpoint, service and outcome",
    kind: Kind::Histogram,
    unit: Some("seconds"),
};

const CONNECTION_ERRORS: Family = Family {
    name: "xroad_mserv_connection_errors",
    help: "Connections closed outside a request: connection limit, TLS handshake failure or \
           timeout, header timeout",
    kind: Kind::Counter,
    unit: None,
};

const OPEN_CONNECTIONS: Family = Family {
    name: "xroad_mserv_open_connections",
    help: "TLS connections open now",
    kind: Kind::Gauge,
    unit: None,
};

/// The labels of a request series: endpoint, service, outcome.
type RequestKey = (&'static str, &'static str, Cow<'static, str>);

/// The count and duration histogram of one request series.
#[derive(Default)]
struct RequestSeries {
    count: u64,
    sum: f64,
    /// Observations per bucket (not cumulative), the last for those above every bound.
    buckets: [u64; BUCKETS.len() + 1],
}

/// Counters, histograms and gauges of the server.
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, RequestSeries>>,
    connection_errors: [[AtomicU64; ConnectionError::ALL.len()]; ENDPOINTS.len()],
    open_connections: [AtomicI64; ENDPOINTS.len()],
}

impl Metrics {
    /// Metrics at zero, with the series known in advance listed: the transport's rejections
    /// (service `none`) on each endpoint, and each of `services` answered `ok` on its
    /// endpoint.
    pub(crate) fn new(services: &[(Endpoint, &'static str)]) -> Self {
        let mut requests = BTreeMap::new();
        for &(endpoint, service) in services {
            requests.insert(
                (endpoint.as_str(), service, Cow::Borrowed("ok")),
                RequestSeries::default(),
            );
        }
        for endpoint in ENDPOINTS {
            for outcome in rejection_labels() {
                requests.insert(
                    (
                        endpoint.as_str(),
                        service_label(None),
                        Cow::Borrowed(outcome),
                    ),
                    RequestSeries::default(),
                );
            }
        }
        Metrics {
            requests: Mutex::new(requests),
            connection_errors: Default::default(),
            open_connections: Default::default(),
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
        let seconds = duration.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|(bound, _)| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        let mut requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
        let series = requests
            .entry((endpoint.as_str(), service_label(service), outcome))
            .or_default();
        series.count += 1;
        series.sum += seconds;
        series.buckets[bucket] += 1;
    }

    /// Counts a connection error.
    pub(crate) fn record_connection_error(&self, endpoint: Endpoint, error: ConnectionError) {
        self.connection_errors[endpoint_index(endpoint)][error.index()]
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a connection as open until the returned guard is dropped.
    pub(crate) fn open_connection(self: &Arc<Self>, endpoint: Endpoint) -> OpenConnectionGuard {
        self.open_connections[endpoint_index(endpoint)].fetch_add(1, Ordering::Relaxed);
        OpenConnectionGuard {
            metrics: Arc::clone(self),
            endpoint,
        }
    }

    /// The exposition of every metric in `format`.
    pub(crate) fn render(&self, format: Format) -> String {
        let mut out = Exposition {
            text: String::new(),
            format,
        };
        out.family(&REQUESTS);
        {
            let requests = self.requests.lock().unwrap_or_else(PoisonError::into_inner);
            for ((endpoint, service, outcome), series) in requests.iter() {
                let labels = [
                    ("endpoint", *endpoint),
                    ("service", service),
                    ("outcome", outcome),
                ];
                out.sample(&REQUESTS, "_total", &labels, None, series.count);
            }
            out.family(&REQUEST_DURATION);
            for ((endpoint, service, outcome), series) in requests.iter() {
                let labels = [
                    ("endpoint", *endpoint),
                    ("service", service),
                    ("outcome", outcome),
                ];
                let mut cumulative = 0;
                for ((_, le), observed) in BUCKETS.iter().zip(series.buckets) {
                    cumulative += observed;
                    out.sample(&REQUEST_DURATION, "_bucket", &labels, Some(le), cumulative);
                }
                out.sample(
                    &REQUEST_DURATION,
                    "_bucket",
                    &labels,
                    Some("+Inf"),
                    series.count,
                );
                out.sample(&REQUEST_DURATION, "_sum", &labels, None, series.sum);
                out.sample(&REQUEST_DURATION, "_count", &labels, None, series.count);
            }
        }
        out.family(&CONNECTION_ERRORS);
        for endpoint in ENDPOINTS {
            for reason in ConnectionError::ALL {
                let count = self.connection_errors[endpoint_index(endpoint)][reason.index()]
                    .load(Ordering::Relaxed);
                let labels = [("endpoint", endpoint.as_str()), ("reason", reason.as_str())];
                out.sample(&CONNECTION_ERRORS, "_total", &labels, None, count);
            }
        }
        out.family(&OPEN_CONNECTIONS);
        for endpoint in ENDPOINTS {
            let open = self.open_connections[endpoint_index(endpoint)].load(Ordering::Relaxed);
            let labels = [("endpoint", endpoint.as_str())];
            out.sample(&OPEN_CONNECTIONS, "", &labels, None, open);
        }
        if format == Format::OpenMetrics {
            out.text.push_str("# EOF\n");
        }
        out.text
    }

    /// Answers an admin listener request: `GET /metrics` in the format its `Accept` header
    /// asks for, or 404/405.
    pub(crate) fn serve<B>(&self, request: &Request<B>) -> Response<Full<Bytes>> {
        if request.uri().path() != METRICS_PATH {
            return plain(StatusCode::NOT_FOUND, "not found\n");
        }
        if request.method() != Method::GET {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET"));
            return response;
        }
        let accept = request
            .headers()
            .get_all(ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let format = Format::negotiate((!accept.is_empty()).then_some(accept.as_str()));
        let mut response = Response::new(Full::new(Bytes::from(self.render(format))));
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        headers.insert(VARY, HeaderValue::from_static("Accept"));
        response
    }
}

/// A value written as a sample.
trait SampleValue {
    fn write(&self, text: &mut String);
}

impl SampleValue for u64 {
    fn write(&self, text: &mut String) {
        let _ = write!(text, "{self}");
    }
}

impl SampleValue for i64 {
    fn write(&self, text: &mut String) {
        let _ = write!(text, "{self}");
    }
}

impl SampleValue for f64 {
    fn write(&self, text: &mut String) {
        if self.is_finite() {
            let _ = write!(text, "{self}");
        } else if self.is_nan() {
            text.push_str("NaN");
        } else if *self > 0.0 {
            text.push_str("+Inf");
        } else {
            text.push_str("-Inf");
        }
    }
}

/// An exposition being written.
struct Exposition {
    text: String,
    format: Format,
}

impl Exposition {
    /// The `# HELP`, `# TYPE` (and in OpenMetrics `# UNIT`) lines of a family. The text
    /// format names a counter by its samples' name, with `_total`; OpenMetrics without.
    fn family(&mut self, family: &Family) {
        let suffix = match (self.format, family.kind) {
            (Format::Text, Kind::Counter) => "_total",
            _ => "",
        };
        let _ = write!(self.text, "# HELP {}{suffix} ", family.name);
        for c in family.help.chars() {
            match c {
                '\\' => self.text.push_str("\\\\"),
                '\n' => self.text.push_str("\\n"),
                '"' if self.format == Format::OpenMetrics => self.text.push_str("\\\""),
                c => self.text.push(c),
            }
        }
        let _ = writeln!(
            self.text,
            "\n# TYPE {}{suffix} {}",
            family.name,
            family.kind.as_str()
        );
        if let (Format::OpenMetrics, Some(unit)) = (self.format, family.unit) {
            let _ = writeln!(self.text, "# UNIT {} {unit}", family.name);
        }
    }

    /// One sample line: the family's name with `suffix`, the labels (and `le`), the value.
    fn sample(
        &mut self,
        family: &Family,
        suffix: &str,
        labels: &[(&str, &str)],
        le: Option<&str>,
        value: impl SampleValue,
    ) {
        self.text.push_str(family.name);
        self.text.push_str(suffix);
        let le = le.map(|le| ("le", le));
        let mut separator = '{';
        for (name, label) in labels.iter().copied().chain(le) {
            self.text.push(separator);
            separator = ',';
            self.text.push_str(name);
            self.text.push_str("=\"");
            escape_label_value(&mut self.text, label);
            self.text.push('"');
        }
        if separator == ',' {
            self.text.push('}');
        }
        self.text.push(' ');
        value.write(&mut self.text);
        self.text.push('\n');
    }
}

/// Appends `value` with `\`, `"` and line feeds escaped, as both formats write label values.
fn escape_label_value(text: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => text.push_str("\\\\"),
            '"' => text.push_str("\\\""),
            '\n' => text.push_str("\\n"),
            c => text.push(c),
        }
    }
}

/// Decrements the open-connection gauge when dropped.
pub(crate) struct OpenConnectionGuard {
    metrics: Arc<Metrics>,
    endpoint: Endpoint,
}

impl Drop for OpenConnectionGuard {
    fn drop(&mut self) {
        self.metrics.open_connections[endpoint_index(self.endpoint)]
            .fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded() -> Arc<Metrics> {
        let metrics = Arc::new(Metrics::new(&[]));
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
        metrics
    }

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
        let metrics = recorded();
        let open = metrics.open_connection(Endpoint::Manage);
        for format in [Format::Text, Format::OpenMetrics] {
            let text = metrics.render(format);
            for line in [
                r#"xroad_mserv_requests_total{endpoint="manage",service="clientReg",outcome="ok"} 2"#,
                r#"xroad_mserv_request_duration_seconds_bucket{endpoint="manage",service="clientReg",outcome="ok",le="0.005"} 1"#,
                r#"xroad_mserv_request_duration_seconds_bucket{endpoint="manage",service="clientReg",outcome="ok",le="0.025"} 1"#,
                r#"xroad_mserv_request_duration_seconds_bucket{endpoint="manage",service="clientReg",outcome="ok",le="0.05"} 2"#,
                r#"xroad_mserv_request_duration_seconds_bucket{endpoint="manage",service="clientReg",outcome="ok",le="+Inf"} 2"#,
                r#"xroad_mserv_request_duration_seconds_sum{endpoint="manage",service="clientReg",outcome="ok"} 0.033"#,
                r#"xroad_mserv_request_duration_seconds_count{endpoint="manage",service="clientReg",outcome="ok"} 2"#,
                r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="header_timeout"} 1"#,
                r#"xroad_mserv_open_connections{endpoint="manage"} 1"#,
            ] {
                assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
            }
        }
        drop(open);
        let text = metrics.render(Format::OpenMetrics);
        assert!(
            text.contains("\nxroad_mserv_open_connections{endpoint=\"manage\"} 0\n"),
            "{text}"
        );
        assert!(text.ends_with("# EOF\n"), "{text}");
        assert!(!metrics.render(Format::Text).contains("# EOF"));
    }

    #[test]
    fn counters_are_typed_by_sample_name_in_text_and_by_family_name_in_openmetrics() {
        let metrics = recorded();
        let text = metrics.render(Format::Text);
        assert!(
            text.contains("# TYPE xroad_mserv_requests_total counter\n"),
            "{text}"
        );
        assert!(
            text.contains("# HELP xroad_mserv_requests_total Management"),
            "{text}"
        );
        assert!(!text.contains("# UNIT"), "{text}");
        let open = metrics.render(Format::OpenMetrics);
        assert!(
            open.contains("# TYPE xroad_mserv_requests counter\n"),
            "{open}"
        );
        assert!(
            open.contains(
                "# TYPE xroad_mserv_request_duration_seconds histogram\n\
                 # UNIT xroad_mserv_request_duration_seconds seconds\n"
            ),
            "{open}"
        );
        for exposition in [&text, &open] {
            // One TYPE per family, each before the family's samples.
            let types: Vec<_> = exposition
                .lines()
                .filter(|line| line.starts_with("# TYPE "))
                .collect();
            assert_eq!(types.len(), 4, "{exposition}");
        }
    }

    #[test]
    fn an_idle_server_lists_every_family_and_known_series_at_zero() {
        let text = Metrics::new(&[]).render(Format::Text);
        for line in [
            r#"xroad_mserv_requests_total{endpoint="registration",service="none",outcome="rate_limited"} 0"#,
            r#"xroad_mserv_requests_total{endpoint="manage",service="none",outcome="not_found"} 0"#,
            r#"xroad_mserv_request_duration_seconds_count{endpoint="manage",service="none",outcome="payload_too_large"} 0"#,
            r#"xroad_mserv_connection_errors_total{endpoint="manage",reason="tls_handshake_failed"} 0"#,
            r#"xroad_mserv_connection_errors_total{endpoint="registration",reason="source_not_allowed"} 0"#,
            r#"xroad_mserv_open_connections{endpoint="registration"} 0"#,
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        let zero_series = text
            .lines()
            .filter(|line| line.starts_with("xroad_mserv_connection_errors_total{"))
            .count();
        assert_eq!(zero_series, 12, "{text}");
    }

    #[test]
    fn the_services_of_the_handler_are_listed_at_zero_on_their_endpoint() {
        let services = [
            (Endpoint::Registration, "authCertReg"),
            (Endpoint::Manage, "clientReg"),
        ];
        let metrics = Metrics::new(&services);
        for format in [Format::Text, Format::OpenMetrics] {
            let text = metrics.render(format);
            for line in [
                r#"xroad_mserv_requests_total{endpoint="registration",service="authCertReg",outcome="ok"} 0"#,
                r#"xroad_mserv_requests_total{endpoint="manage",service="clientReg",outcome="ok"} 0"#,
                r#"xroad_mserv_request_duration_seconds_bucket{endpoint="manage",service="clientReg",outcome="ok",le="+Inf"} 0"#,
                r#"xroad_mserv_request_duration_seconds_count{endpoint="registration",service="authCertReg",outcome="ok"} 0"#,
            ] {
                assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
            }
            // A service only on its own endpoint.
            assert!(
                !text.contains(r#"{endpoint="manage",service="authCertReg""#),
                "{text}"
            );
        }
        // The first request counts in the listed series, not in a second one.
        metrics.record_request(
            Endpoint::Manage,
            Some("clientReg"),
            Cow::Borrowed("ok"),
            Duration::from_millis(1),
        );
        let text = metrics.render(Format::Text);
        let series: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.starts_with(r#"xroad_mserv_requests_total{endpoint="manage",service="clientReg""#)
            })
            .collect();
        assert_eq!(
            series,
            [r#"xroad_mserv_requests_total{endpoint="manage",service="clientReg",outcome="ok"} 1"#],
            "{text}"
        );
    }

    #[test]
    fn label_values_and_help_are_escaped() {
        let metrics = Metrics::new(&[]);
        metrics.record_request(
            Endpoint::Manage,
            None,
            Cow::Owned("a\\b\"c\nd".to_owned()),
            Duration::ZERO,
        );
        let text = metrics.render(Format::Text);
        assert!(text.contains(r#"outcome="a\\b\"c\nd"} 1"#), "{text}");
        let mut exposition = Exposition {
            text: String::new(),
            format: Format::OpenMetrics,
        };
        exposition.family(&Family {
            name: "x",
            help: "a \\ \"b\"\nc",
            kind: Kind::Gauge,
            unit: None,
        });
        assert_eq!(
            exposition.text,
            "# HELP x a \\\\ \\\"b\\\"\\nc\n# TYPE x gauge\n"
        );
        exposition.text.clear();
        exposition.format = Format::Text;
        exposition.family(&Family {
            name: "x",
            help: "a \\ \"b\"\nc",
            kind: Kind::Gauge,
            unit: None,
        });
        assert_eq!(
            exposition.text,
            "# HELP x a \\\\ \"b\"\\nc\n# TYPE x gauge\n"
        );
    }

    #[test]
    fn accept_header_chooses_the_format() {
        let prometheus = "application/openmetrics-text;version=1.0.0,\
                          application/openmetrics-text;version=0.0.1;q=0.75,\
                          text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text")),
            Format::OpenMetrics
        );
        assert_eq!(Format::negotiate(None), Format::Text);
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        assert_eq!(
            Format::negotiate(Some("text/plain;version=0.0.4")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some(
                "text/plain;version=0.0.4,application/openmetrics-text;q=0.5"
            )),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;version=2.0.0")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0")),
            Format::Text
        );
    }

    #[test]
    fn admin_requests_are_routed() {
        let metrics = Metrics::new(&[]);
        let get = |method: Method, path: &str, accept: Option<&str>| {
            let mut request = Request::builder().method(method).uri(path);
            if let Some(accept) = accept {
                request = request.header(ACCEPT, accept);
            }
            metrics.serve(&request.body(()).unwrap())
        };
        let text = get(Method::GET, "/metrics", None);
        assert_eq!(text.status(), StatusCode::OK);
        assert_eq!(text.headers()[CONTENT_TYPE], TEXT_CONTENT_TYPE);
        assert_eq!(text.headers()[VARY], "Accept");
        let open = get(
            Method::GET,
            "/metrics",
            Some("application/openmetrics-text"),
        );
        assert_eq!(open.headers()[CONTENT_TYPE], OPENMETRICS_CONTENT_TYPE);
        assert_eq!(
            get(Method::GET, "/other", None).status(),
            StatusCode::NOT_FOUND
        );
        let post = get(Method::POST, "/metrics", None);
        assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post.headers()[ALLOW], "GET");
    }
}

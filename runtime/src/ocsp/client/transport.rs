//! One OCSP-over-HTTP exchange (RFC 6960 Appendix A.1): `POST` of the DER request on a fresh
//! HTTP/1.1 connection and a bounded read of the answer.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderMap};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::error::ResponderError;
use super::url::ResponderUrl;

/// Media type of the request body.
pub(super) const OCSP_REQUEST_MEDIA_TYPE: &str = "application/ocsp-request";
/// Media type the response body must have.
pub(super) const OCSP_RESPONSE_MEDIA_TYPE: &str = "application/ocsp-response";

/// Bounds on one exchange.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// Bound on establishing the TCP connection.
    pub(super) connect_timeout: Duration,
    /// Bound on the whole exchange, connecting included.
    pub(super) timeout: Duration,
    /// Largest accepted response body in bytes.
    pub(super) max_response_size: usize,
}

/// Posts `body` to `url` and returns the response body once the status is 200, the content
/// type `application/ocsp-response` and the body within the size limit.
pub(super) async fn post(
    url: &ResponderUrl,
    body: Bytes,
    limits: Limits,
) -> Result<Bytes, ResponderError> {
    tokio::time::timeout(limits.timeout, exchange(url, body, limits))
        .await
        .unwrap_or(Err(ResponderError::Timeout {
            timeout: limits.timeout,
        }))
}

/// [`post`] without the total timeout.
async fn exchange(
    url: &ResponderUrl,
    body: Bytes,
    limits: Limits,
) -> Result<Bytes, ResponderError> {
    let stream = tokio::time::timeout(
        limits.connect_timeout,
        TcpStream::connect((url.host(), url.port())),
    )
    .await
    .map_err(|_| ResponderError::ConnectTimeout {
        timeout: limits.connect_timeout,
    })?
    .map_err(|source| ResponderError::Connect {
        source: Arc::new(source),
    })?;
    // Latency matters more than packet count for one small request.
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!(%url, %err, "cannot disable Nagle's algorithm");
    }
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(http_error)?;
    let request = Request::post(url.target())
        .header(HOST, url.authority())
        .header(CONTENT_TYPE, OCSP_REQUEST_MEDIA_TYPE)
        .header(ACCEPT, OCSP_RESPONSE_MEDIA_TYPE)
        .body(Full::new(body))
        .map_err(|source| ResponderError::HttpRequest {
            source: Arc::new(source),
        })?;
    let answer = async {
        let response = sender.send_request(request).await.map_err(http_error)?;
        check_head(
            response.status(),
            response.headers(),
            limits.max_response_size,
        )?;
        read_body(response.into_body(), limits.max_response_size).await
    };
    // The connection is driven here rather than in a spawned task so that it cannot outlive
    // the exchange (a responder that never answers would otherwise keep it alive).
    let mut connection = std::pin::pin!(connection);
    let mut answer = std::pin::pin!(answer);
    tokio::select! {
        biased;
        result = &mut answer => result,
        finished = &mut connection => match finished {
            // The connection may close right after the last body bytes were queued.
            Ok(()) => answer.await,
            Err(err) => Err(http_error(err)),
        },
    }
}

/// Checks the status, the content type and a declared `Content-Length`.
fn check_head(status: StatusCode, headers: &HeaderMap, limit: usize) -> Result<(), ResponderError> {
    if status != StatusCode::OK {
        return Err(ResponderError::Status {
            status: status.as_u16(),
        });
    }
    let content_type = headers.get(CONTENT_TYPE);
    let media_type_matches = content_type
        .and_then(|value| value.to_str().ok())
        .map(|value| value.split(';').next().unwrap_or_default().trim())
        .is_some_and(|media_type| media_type.eq_ignore_ascii_case(OCSP_RESPONSE_MEDIA_TYPE));
    if !media_type_matches {
        return Err(ResponderError::ContentType {
            found: content_type.map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()),
        });
    }
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if let Some(length) = declared
        && usize::try_from(length).map_or(true, |length| length > limit)
    {
        return Err(ResponderError::TooLarge {
            limit,
            declared: Some(length),
        });
    }
    Ok(())
}

/// Reads the body, failing as soon as it grows beyond `limit` bytes.
async fn read_body(mut body: hyper::body::Incoming, limit: usize) -> Result<Bytes, ResponderError> {
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(http_error)?;
        if let Ok(data) = frame.into_data() {
            if data.len() > limit - buffer.len() {
                return Err(ResponderError::TooLarge {
                    limit,
                    declared: None,
                });
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer.freeze())
}

/// Wraps a `hyper` error.
fn http_error(source: hyper::Error) -> ResponderError {
    ResponderError::Http {
        source: Arc::new(source),
    }
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn ocsp_media_type_is_matched_ignoring_case_and_parameters() {
        for value in [
            "application/ocsp-response",
            "Application/OCSP-Response",
            "application/ocsp-response; charset=binary",
        ] {
            let head = headers(&[("content-type", value)]);
            assert!(check_head(StatusCode::OK, &head, 10).is_ok(), "{value}");
        }
    }

    #[test]
    fn other_or_missing_media_types_are_refused_with_the_value() {
        let head = headers(&[("content-type", "text/html")]);
        assert!(matches!(
            check_head(StatusCode::OK, &head, 10),
            Err(ResponderError::ContentType { found: Some(found) }) if found == "text/html"
        ));
        assert!(matches!(
            check_head(StatusCode::OK, &HeaderMap::new(), 10),
            Err(ResponderError::ContentType { found: None })
        ));
    }

    #[test]
    fn status_other_than_200_is_refused_first() {
        let head = headers(&[("content-type", "text/plain")]);
        assert!(matches!(
            check_head(StatusCode::NO_CONTENT, &head, 10),
            Err(ResponderError::Status { status: 204 })
        ));
    }

    #[test]
    fn declared_length_is_checked_against_the_limit() {
        let at_limit = headers(&[
            ("content-type", OCSP_RESPONSE_MEDIA_TYPE),
            ("content-length", "10"),
        ]);
        assert!(check_head(StatusCode::OK, &at_limit, 10).is_ok());
        let over = headers(&[
            ("content-type", OCSP_RESPONSE_MEDIA_TYPE),
            ("content-length", "11"),
        ]);
        assert!(matches!(
            check_head(StatusCode::OK, &over, 10),
            Err(ResponderError::TooLarge {
                limit: 10,
                declared: Some(11)
            })
        ));
    }
}

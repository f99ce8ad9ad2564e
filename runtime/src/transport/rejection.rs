//! Why the transport answers a request itself instead of the handler, and what it answers.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

use super::response::plain;

/// Why the transport answered a request itself instead of the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// The address sent too many requests; it may try again after `retry_after` seconds.
    RateLimited {
        retry_after: u64,
    },
    NotFound,
    MethodNotAllowed,
    DuplicateContentType,
    PayloadTooLarge,
    BodyTimeout,
    BodyError,
}

impl Rejection {
    /// One rejection of each kind.
    pub(crate) const ALL: [Rejection; 7] = [
        Rejection::RateLimited { retry_after: 0 },
        Rejection::NotFound,
        Rejection::MethodNotAllowed,
        Rejection::DuplicateContentType,
        Rejection::PayloadTooLarge,
        Rejection::BodyTimeout,
        Rejection::BodyError,
    ];

    pub(crate) const fn label(self) -> &'static str {
        match self {
            Rejection::RateLimited { .. } => "rate_limited",
            Rejection::NotFound => "not_found",
            Rejection::MethodNotAllowed => "method_not_allowed",
            Rejection::DuplicateContentType => "bad_request",
            Rejection::PayloadTooLarge => "payload_too_large",
            Rejection::BodyTimeout => "body_timeout",
            Rejection::BodyError => "body_error",
        }
    }

    /// Whether the client may still be sending the body when the response goes out.
    pub(crate) const fn leaves_body_unread(self) -> bool {
        matches!(
            self,
            Rejection::PayloadTooLarge | Rejection::BodyTimeout | Rejection::BodyError
        )
    }

    pub(crate) fn response(self) -> Response<Full<Bytes>> {
        let (status, text) = match self {
            Rejection::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too many requests from this address\n",
            ),
            Rejection::NotFound => (StatusCode::NOT_FOUND, "not found\n"),
            Rejection::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, "only POST is allowed\n")
            }
            Rejection::DuplicateContentType => (
                StatusCode::BAD_REQUEST,
                "more than one Content-Type header\n",
            ),
            Rejection::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body exceeds the size limit\n",
            ),
            Rejection::BodyTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request body not received in time\n",
            ),
            Rejection::BodyError => (StatusCode::BAD_REQUEST, "request body is incomplete\n"),
        };
        let mut response = plain(status, text);
        let headers = response.headers_mut();
        match self {
            Rejection::RateLimited { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            Rejection::MethodNotAllowed => {
                headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            Rejection::NotFound
            | Rejection::DuplicateContentType
            | Rejection::PayloadTooLarge
            | Rejection::BodyTimeout
            | Rejection::BodyError => {}
        }
        // The rest of the body is not read: the connection cannot carry another request.
        if self.leaves_body_unread() {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

/// The outcome labels of the requests the transport answers itself (with service `none`).
pub(crate) fn rejection_labels() -> impl Iterator<Item = &'static str> {
    Rejection::ALL.into_iter().map(Rejection::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rejection_kind_is_listed_once() {
        // A new variant fails this match until it is numbered here and listed in `ALL`.
        let kind = |rejection: Rejection| match rejection {
            Rejection::RateLimited { .. } => 0,
            Rejection::NotFound => 1,
            Rejection::MethodNotAllowed => 2,
            Rejection::DuplicateContentType => 3,
            Rejection::PayloadTooLarge => 4,
            Rejection::BodyTimeout => 5,
            Rejection::BodyError => 6,
        };
        let mut kinds: Vec<_> = Rejection::ALL.into_iter().map(kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds, (0..7).collect::<Vec<_>>());
        assert_eq!(rejection_labels().count(), 7);
    }
}

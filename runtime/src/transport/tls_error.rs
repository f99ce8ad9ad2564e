//! Keeping the TLS error that broke a client connection.
//!
//! When a server refuses a TLS 1.3 client after the handshake (alert `certificate
//! required`), the alert arrives as a read error inside the HTTP connection task; the HTTP
//! layer may then report only a later error (`channel closed`, or the failed TLS shutdown
//! of a connection in the error state). [`TlsErrorSlot`] keeps the first TLS error for
//! the error the caller gets.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The first TLS error seen on a connection, shared with its [`RecordTlsError`] transport.
#[derive(Debug, Clone, Default)]
pub(crate) struct TlsErrorSlot(Arc<Mutex<Option<io::Error>>>);

impl TlsErrorSlot {
    /// Takes the recorded error, if any.
    pub(crate) fn take(&self) -> Option<io::Error> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }

    /// Keeps `error` if it is the first TLS error and returns what to pass on: a copy
    /// with the same kind and message, or `error` itself.
    fn record(&self, error: io::Error) -> io::Error {
        if !is_tls_error(&error) {
            return error;
        }
        let Ok(mut slot) = self.0.lock() else {
            return error;
        };
        if slot.is_some() {
            return error;
        }
        let copy = io::Error::new(error.kind(), error.to_string());
        *slot = Some(error);
        copy
    }
}

/// Whether an I/O error carries an OpenSSL error (tokio-openssl wraps them so).
fn is_tls_error(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.is::<openssl::ssl::Error>())
}

/// A transport that records its first TLS read or write error in a [`TlsErrorSlot`].
/// Shutdown errors are not recorded: they follow the error that broke the connection.
#[derive(Debug)]
pub(crate) struct RecordTlsError<T> {
    inner: T,
    slot: TlsErrorSlot,
}

impl<T> RecordTlsError<T> {
    pub(crate) fn new(inner: T, slot: TlsErrorSlot) -> Self {
        RecordTlsError { inner, slot }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for RecordTlsError<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Err(error)) => Poll::Ready(Err(this.slot.record(error))),
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for RecordTlsError<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Err(error)) => Poll::Ready(Err(this.slot.record(error))),
            other => other,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_flush(cx) {
            Poll::Ready(Err(error)) => Poll::Ready(Err(this.slot.record(error))),
            other => other,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A transport whose reads and writes fail with `error()`.
    struct Failing(fn() -> io::Error);

    impl AsyncRead for Failing {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Err((self.0)()))
        }
    }

    impl AsyncWrite for Failing {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            _: &[u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Err((self.0)()))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Err((self.0)()))
        }
    }

    fn tls_error() -> io::Error {
        let stack = openssl::error::ErrorStack::get();
        io::Error::other(openssl::ssl::Error::from(stack))
    }

    #[tokio::test]
    async fn first_tls_error_is_kept_and_a_copy_passed_on() {
        let slot = TlsErrorSlot::default();
        let mut transport = RecordTlsError::new(Failing(tls_error), slot.clone());
        let passed_on = transport.read(&mut [0u8; 4]).await.unwrap_err();
        let _ = transport.write(b"x").await.unwrap_err();
        let _ = transport.shutdown().await.unwrap_err();
        let kept = slot.take().expect("recorded");
        assert!(is_tls_error(&kept));
        assert!(!is_tls_error(&passed_on));
        assert_eq!(passed_on.to_string(), kept.to_string());
        assert!(slot.take().is_none(), "only the first error is kept");
    }

    #[tokio::test]
    async fn plain_io_errors_are_not_recorded() {
        let slot = TlsErrorSlot::default();
        let mut transport = RecordTlsError::new(
            Failing(|| io::Error::from(io::ErrorKind::ConnectionReset)),
            slot.clone(),
        );
        let error = transport.read(&mut [0u8; 4]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
        assert!(slot.take().is_none());
    }
}

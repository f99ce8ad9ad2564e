//! Why the test PKI could not issue something.

use openssl::error::ErrorStack;
use thiserror::Error;

/// A failure of the test PKI.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TestPkiError {
    /// libcrypto failed.
    #[error("{operation} failed")]
    Openssl {
        /// What was being done.
        operation: &'static str,
        /// What libcrypto reported.
        source: ErrorStack,
    },
    /// A request is inconsistent (e.g. a TLS certificate without names).
    #[error("invalid test PKI request: {0}")]
    InvalidRequest(&'static str),
    /// A time does not fit libcrypto's `time_t`.
    #[error("time {0} s since the epoch is out of range")]
    TimeOutOfRange(i64),
}

/// `map_err` adapter naming the operation that failed.
pub(crate) fn openssl(operation: &'static str) -> impl FnOnce(ErrorStack) -> TestPkiError {
    move |source| TestPkiError::Openssl { operation, source }
}

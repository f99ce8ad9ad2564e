//! X-Road fault codes of the management services and the fault a request is refused with.

use std::fmt;
use std::str::FromStr;

/// The fault codes a management service answers a refused request with, as the X-Road
/// reference implementation writes them in `faultcode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultCode {
    /// The HTTP `Content-Type` is missing, malformed or not the one the service expects.
    InvalidContentType,
    /// The `multipart/related` body cannot be parsed, or its parts are not the expected ones.
    MimeParsingFailed,
    /// A mandatory SOAP header field is missing.
    MissingHeaderField,
    /// The SOAP message is malformed or does not fit the service.
    InvalidRequest,
    /// An identifier in the request is malformed or names the wrong member.
    InvalidClientIdentifier,
    /// A signature does not verify, or its algorithm is missing or not allowed.
    InvalidSignatureValue,
    /// A certificate is malformed, untrusted, expired or not fit for its use.
    IncorrectCertificate,
    /// A certificate's validation (chain, revocation status) fails.
    CertValidation,
    /// The OCSP response is malformed, stale, not authorised or does not match.
    IncorrectValidationInfo,
    /// The receiver failed for a reason of its own.
    InternalError,
}

impl FaultCode {
    /// Every fault code.
    pub const ALL: [FaultCode; 10] = [
        FaultCode::InvalidContentType,
        FaultCode::MimeParsingFailed,
        FaultCode::MissingHeaderField,
        FaultCode::InvalidRequest,
        FaultCode::InvalidClientIdentifier,
        FaultCode::InvalidSignatureValue,
        FaultCode::IncorrectCertificate,
        FaultCode::CertValidation,
        FaultCode::IncorrectValidationInfo,
        FaultCode::InternalError,
    ];

    /// The code as written in `faultcode`.
    pub const fn as_str(self) -> &'static str {
        match self {
            FaultCode::InvalidContentType => "invalid_content_type",
            FaultCode::MimeParsingFailed => "mime_parsing_failed",
            FaultCode::MissingHeaderField => "missing_header_field",
            FaultCode::InvalidRequest => "invalid_request",
            FaultCode::InvalidClientIdentifier => "invalid_client_identifier",
            FaultCode::InvalidSignatureValue => "invalid_signature_value",
            FaultCode::IncorrectCertificate => "incorrect_certificate",
            FaultCode::CertValidation => "cert_validation",
            FaultCode::IncorrectValidationInfo => "incorrect_validation_info",
            FaultCode::InternalError => "internal_error",
        }
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `faultcode` that is not one of the X-Road management service codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault code `{0}`")]
pub struct UnknownFaultCode(pub String);

impl FromStr for FaultCode {
    type Err = UnknownFaultCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultCode::ALL
            .into_iter()
            .find(|code| code.as_str() == s)
            .ok_or_else(|| UnknownFaultCode(s.to_owned()))
    }
}

/// A refused request: the fault code and a precise, human-readable reason (`faultstring`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {reason}")]
pub struct Fault {
    /// The X-Road fault code.
    pub code: FaultCode,
    /// What was wrong, for a person to read.
    pub reason: String,
}

impl Fault {
    /// A fault with `code` and `reason`.
    pub fn new(code: FaultCode, reason: impl Into<String>) -> Self {
        Fault {
            code,
            reason: reason.into(),
        }
    }

    /// A fault with `code` and `reason`, the words the sender reads, whose `cause` (with
    /// every error under it: library error codes, source locations) goes to the server's log
    /// only: at error level for an [`InternalError`](FaultCode::InternalError); otherwise at
    /// info level when the cause has details under it (sources), at debug level when it has
    /// none (its words are the reason's).
    pub fn with_cause(
        code: FaultCode,
        reason: impl Into<String>,
        cause: &(dyn std::error::Error + '_),
    ) -> Self {
        let fault = Fault::new(code, reason);
        let cause = ErrorChain(cause);
        if code == FaultCode::InternalError {
            tracing::error!(code = %code, reason = %fault.reason, %cause, "request failed");
        } else if cause.0.source().is_some() {
            tracing::info!(code = %code, reason = %fault.reason, %cause, "request refused");
        } else {
            tracing::debug!(code = %code, reason = %fault.reason, %cause, "request refused");
        }
        fault
    }
}

/// An error and each of its sources, separated by `: `. The errors of this crate say only
/// what they add and leave their cause to [`source`](std::error::Error::source); a source
/// whose text an error above it already shows (an error that also prints its cause) is not
/// written again.
pub struct ErrorChain<'a>(pub &'a (dyn std::error::Error + 'a));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut written = self.0.to_string();
        let mut source = self.0.source();
        while let Some(error) = source {
            let text = error.to_string();
            if !text.is_empty() && !written.contains(&text) {
                written.push_str(": ");
                written.push_str(&text);
            }
            source = error.source();
        }
        f.write_str(&written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_text() {
        for code in FaultCode::ALL {
            assert_eq!(code.as_str().parse::<FaultCode>(), Ok(code));
        }
        assert_eq!(
            "Server.internal_error".parse::<FaultCode>(),
            Err(UnknownFaultCode("Server.internal_error".to_owned()))
        );
    }

    #[test]
    fn an_error_chain_does_not_repeat_a_source_its_error_already_shows() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot listen on 127.0.0.1:1: {0}")]
        struct Repeats(#[source] std::io::Error);
        #[derive(Debug, thiserror::Error)]
        #[error("cannot start")]
        struct Top(#[source] Repeats);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let inner = refused.to_string();
        let error = Top(Repeats(refused));
        assert_eq!(
            ErrorChain(&error).to_string(),
            format!("cannot start: cannot listen on 127.0.0.1:1: {inner}")
        );
    }

    #[test]
    fn an_error_chain_shows_each_source_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("outer")]
        struct Outer(#[source] std::io::Error);
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(ErrorChain(&error).to_string(), "outer: inner");
        let fault = Fault::with_cause(FaultCode::CertValidation, "in words", &error);
        assert_eq!(fault, Fault::new(FaultCode::CertValidation, "in words"));
    }

    #[test]
    fn fault_displays_code_and_reason() {
        let fault = Fault::new(
            FaultCode::InvalidSignatureValue,
            "signature does not verify",
        );
        assert_eq!(
            fault.to_string(),
            "invalid_signature_value: signature does not verify"
        );
    }
}

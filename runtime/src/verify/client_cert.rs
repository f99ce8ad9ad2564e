//! The TLS client certificate of the manage endpoint, checked as the X-Road reference's
//! security servers check the authentication certificate of the security server they talk
//! to: it chains to an approved CA, it is valid now, its key usage allows authentication,
//! and its OCSP status is `good`.
//!
//! The OCSP response is fetched from the responder named in the certificate's authority
//! information access with the runtime's [`OcspClient`], and validated by the verifier's
//! [`OcspVerifier`](crate::ocsp::OcspVerifier) (responder authority, signature, freshness
//! under the OCSP policy). A certificate found good is remembered until the earlier of
//! its chain's end of validity and the end of its OCSP response's freshness, so that a
//! request on a known certificate costs one lookup. Before that end, within the OCSP
//! client's refresh margin, a newer status is fetched in the background; requests go on
//! being served on the status at hand while it is fresh, whether the responder answers or
//! not. Once no fresh status can be had, the certificate is refused until the responder
//! answers again. A `revoked` or `unknown` status is refused at once and not remembered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use openssl::x509::{X509, X509Ref};

use super::verifier::Verifier;
use crate::cert::{CertUse, Timestamp, TrustStore, subject_of};
use crate::fault::{Fault, FaultCode};
use crate::ocsp::{OcspClient, OcspError, OcspSummary, OcspVerifier};

/// How long after a failed background refresh the next one may start.
const REFRESH_RETRY: Duration = Duration::from_secs(30);

/// Checks TLS client certificates and remembers the ones found good while their status is
/// fresh. Cheap to clone; clones share what they remember.
#[derive(Clone)]
pub struct ClientCertVerifier {
    inner: Arc<Inner>,
}

struct Inner {
    /// Fetches (and caches) OCSP responses from the certificates' responders.
    ocsp: OcspClient,
    /// Certificates found good, by their DER encoding.
    good: Mutex<HashMap<Box<[u8]>, Verdict>>,
    /// Most certificates remembered.
    capacity: usize,
}

/// A certificate found good, and until when.
#[derive(Clone)]
struct Verdict {
    certificate: X509,
    issuer: X509,
    /// The span in which every certificate of the chain is valid.
    chain: Span,
    /// The span in which the OCSP status is fresh.
    status: Span,
    /// From when a newer status is fetched in the background.
    refresh_from: Timestamp,
    /// Whether a background refresh is under way.
    refreshing: bool,
}

/// From and until when (both included) something holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    from: Timestamp,
    until: Timestamp,
}

impl Span {
    fn holds_at(self, at: Timestamp) -> bool {
        self.from <= at && at <= self.until
    }
}

impl Verdict {
    fn holds_at(&self, at: Timestamp) -> bool {
        self.chain.holds_at(at) && self.status.holds_at(at)
    }
}

impl ClientCertVerifier {
    /// The default number of certificates remembered.
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// A verifier fetching OCSP responses with `ocsp`, remembering up to
    /// [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) certificates.
    pub fn new(ocsp: OcspClient) -> Self {
        Self::with_capacity(ocsp, Self::DEFAULT_CAPACITY)
    }

    /// A verifier remembering up to `capacity` certificates (0: none; every request then
    /// verifies the chain and the OCSP response again).
    pub fn with_capacity(ocsp: OcspClient, capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                ocsp,
                good: Mutex::new(HashMap::new()),
                capacity,
            }),
        }
    }

    /// The OCSP client.
    pub fn ocsp_client(&self) -> &OcspClient {
        &self.inner.ocsp
    }

    /// Checks `certificate` at `at` against the approved CAs and OCSP policy of `verifier`.
    /// Every refusal is a `cert_validation` fault saying what is wrong, except a failure of
    /// the server itself (`internal_error`).
    pub async fn check(
        &self,
        verifier: &Verifier,
        certificate: &X509Ref,
        at: SystemTime,
    ) -> Result<(), Fault> {
        let der = certificate.to_der().map_err(|error| {
            Fault::with_cause(
                FaultCode::InternalError,
                "the TLS client certificate cannot be encoded",
                &error,
            )
        })?;
        let now = Timestamp::from(at);
        if let Some(verdict) = self.remembered(&der, now) {
            if now >= verdict.refresh_from && !verdict.refreshing {
                self.refresh_in_background(der, verdict, verifier.ocsp().clone(), at);
            }
            return Ok(());
        }
        let (chain, issuer) = check_chain(verifier.trust(), certificate, at)?;
        let response = self
            .inner
            .ocsp
            .response_for(certificate, &issuer)
            .await
            .map_err(|error| {
                Fault::with_cause(
                    FaultCode::CertValidation,
                    format!(
                        "no fresh OCSP status of the TLS client certificate `{}` can be had from \
                         its OCSP responder",
                        subject_of(certificate)
                    ),
                    &error,
                )
            })?;
        let summary = verifier
            .ocsp()
            .verify(&response, certificate, &issuer, at)
            .map_err(|error| status_fault(certificate, &error))?;
        let status = status_span(&summary, verifier.ocsp());
        self.remember(
            der,
            Verdict {
                certificate: certificate.to_owned(),
                issuer,
                chain,
                status,
                refresh_from: self.refresh_from(status),
                refreshing: false,
            },
            now,
        );
        Ok(())
    }

    /// The verdict remembered for `der`, if it holds at `at`.
    fn remembered(&self, der: &[u8], at: Timestamp) -> Option<Verdict> {
        if self.inner.capacity == 0 {
            return None;
        }
        lock(&self.inner.good)
            .get(der)
            .filter(|verdict| verdict.holds_at(at))
            .cloned()
    }

    /// Remembers `verdict` for `der`; when full, forgets what no longer holds at `at`, then
    /// everything (a flood of distinct certificates must not grow memory).
    fn remember(&self, der: Vec<u8>, verdict: Verdict, at: Timestamp) {
        if self.inner.capacity == 0 {
            return;
        }
        let mut good = lock(&self.inner.good);
        if good.len() >= self.inner.capacity && !good.contains_key(der.as_slice()) {
            good.retain(|_, remembered| remembered.holds_at(at));
            if good.len() >= self.inner.capacity {
                good.clear();
            }
        }
        good.insert(der.into_boxed_slice(), verdict);
    }

    /// When to start fetching a newer status: the OCSP client's refresh margin before the
    /// status goes stale.
    fn refresh_from(&self, status: Span) -> Timestamp {
        let margin = self.inner.ocsp.config().effective_refresh_margin();
        status.until.saturating_sub(margin).max(status.from)
    }

    /// Marks the verdict for `der` as being refreshed and fetches a newer status, to be
    /// valid at `at`, on the current tokio runtime (without one, the status at hand is used
    /// until it is stale).
    fn refresh_in_background(
        &self,
        der: Vec<u8>,
        verdict: Verdict,
        ocsp_verifier: OcspVerifier,
        at: SystemTime,
    ) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        {
            let mut good = lock(&self.inner.good);
            match good.get_mut(der.as_slice()) {
                Some(remembered) if !remembered.refreshing => remembered.refreshing = true,
                _ => return,
            }
        }
        let this = self.clone();
        runtime.spawn(async move { this.refresh(der, verdict, ocsp_verifier, at).await });
    }

    /// Fetches a newer status for a remembered certificate and validates it at `at`; a good
    /// one extends the verdict, a refused one ends it, and a failed fetch leaves it as it is
    /// (the status at hand stays fresh until its end) for a retry after [`REFRESH_RETRY`].
    async fn refresh(
        &self,
        der: Vec<u8>,
        verdict: Verdict,
        ocsp_verifier: OcspVerifier,
        at: SystemTime,
    ) {
        let fetched = self
            .inner
            .ocsp
            .response_for(&verdict.certificate, &verdict.issuer)
            .await;
        let outcome = fetched.map(|response| {
            ocsp_verifier.verify(&response, &verdict.certificate, &verdict.issuer, at)
        });
        let mut good = lock(&self.inner.good);
        let Some(remembered) = good.get_mut(der.as_slice()) else {
            return;
        };
        remembered.refreshing = false;
        match outcome {
            Ok(Ok(summary)) => {
                let status = status_span(&summary, &ocsp_verifier);
                remembered.status = status;
                remembered.refresh_from = self.refresh_from(status);
            }
            Ok(Err(error)) => {
                tracing::warn!(
                    subject = %subject_of(&verdict.certificate),
                    %error,
                    "the newer OCSP status of a TLS client certificate is not good; it is refused from now on"
                );
                good.remove(der.as_slice());
            }
            Err(error) => {
                tracing::warn!(
                    subject = %subject_of(&verdict.certificate),
                    error = %crate::fault::ErrorChain(&error),
                    status_fresh_until = %remembered.status.until,
                    "cannot refresh the OCSP status of a TLS client certificate; the status at hand is used while it is fresh"
                );
                remembered.refresh_from = Timestamp::from(at).saturating_add(REFRESH_RETRY);
            }
        }
    }

    /// The number of certificates remembered.
    #[cfg(test)]
    fn remembered_count(&self) -> usize {
        lock(&self.inner.good).len()
    }
}

impl std::fmt::Debug for ClientCertVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertVerifier")
            .field("ocsp", &self.inner.ocsp)
            .field("capacity", &self.inner.capacity)
            .finish_non_exhaustive()
    }
}

/// The chain of `certificate` to an approved CA at `at`, and the authentication key usage:
/// the span in which the chain is valid, and the certificate's issuer.
fn check_chain(
    trust: &TrustStore,
    certificate: &X509Ref,
    at: SystemTime,
) -> Result<(Span, X509), Fault> {
    let not_valid = |error: &dyn std::error::Error, code| {
        Fault::with_cause(
            code,
            format!("the TLS client certificate is not valid: {error}"),
            error,
        )
    };
    let chain = trust
        .verify(certificate, &[], at)
        .map_err(|error| not_valid(&error, error.fault_code()))?;
    CertUse::Authentication
        .check(certificate)
        .map_err(|error| not_valid(&error, FaultCode::CertValidation))?;
    let mut span = Span {
        from: Timestamp::from_unix_seconds(i64::MIN),
        until: Timestamp::from_unix_seconds(i64::MAX),
    };
    for cert in chain.certificates() {
        let (Ok(not_before), Ok(not_after)) = (
            Timestamp::from_asn1(cert.not_before()),
            Timestamp::from_asn1(cert.not_after()),
        ) else {
            return Err(Fault::new(
                FaultCode::IncorrectCertificate,
                "a certificate of the TLS client certificate's chain has an unreadable validity",
            ));
        };
        span.from = span.from.max(not_before);
        span.until = span.until.min(not_after);
    }
    Ok((span, chain.issuer().to_owned()))
}

/// The span in which an accepted OCSP response is fresh under the verifier's policy.
fn status_span(summary: &OcspSummary, verifier: &OcspVerifier) -> Span {
    let policy = verifier.policy();
    Span {
        from: summary.this_update.saturating_sub(policy.clock_skew),
        until: summary.valid_until(policy),
    }
}

/// The fault for an OCSP response that does not show `certificate` good.
fn status_fault(certificate: &X509Ref, error: &OcspError) -> Fault {
    let code = match error.fault_code() {
        FaultCode::InternalError => FaultCode::InternalError,
        _ => FaultCode::CertValidation,
    };
    Fault::with_cause(
        code,
        format!(
            "the OCSP status of the TLS client certificate `{}` is not good: {error}",
            subject_of(certificate)
        ),
        error,
    )
}

/// Locks `mutex`; what it guards stays consistent if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;

//! Fetching OCSP responses from the responders named in a certificate, with a cache that
//! hands a response out again while it is fresh.
//!
//! [`OcspClient::response_for`] reads the `http://` responder URLs from the certificate's
//! Authority Information Access extension, posts an `OCSPRequest` with a SHA-1 CertID (as
//! the X-Road reference does) to each in turn until one answers, and returns the DER
//! `OCSPResponse` as received. It checks only what the transport and the cache need: HTTP
//! status, content type, size, `responseStatus`, a `SingleResponse` for the CertID and, if
//! configured, the nonce. Signature, responder authorisation and freshness at the receiver
//! are checked by the verifier; `revoked` and `unknown` statuses are returned as fetched.

mod error;
mod protocol;
mod transport;
mod url;

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::x509::X509Ref;

pub use error::{OcspFetchError, ResponderError, ResponderFailure, UrlError};

use protocol::{PreparedRequest, Validity};
use transport::Limits;
use url::ResponderUrl;

/// Settings of an [`OcspClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcspClientConfig {
    /// Bound on opening the TCP connection to one responder. Default 5 s.
    pub connect_timeout: Duration,
    /// Bound on the whole exchange with one responder, connecting included. Default 10 s.
    pub timeout: Duration,
    /// Largest accepted response body in bytes. Default 64 KiB.
    pub max_response_size: usize,
    /// How long after its `thisUpdate` a response counts as fresh (the X-Road global
    /// configuration's `ocspFreshnessSeconds`). Default 3,600 s.
    pub freshness: Duration,
    /// How long a cached response must still stay fresh to be handed out again, so that it
    /// is still fresh when the receiver checks it; `None` means a tenth of
    /// [`freshness`](Self::freshness).
    pub refresh_margin: Option<Duration>,
    /// Whether requests carry a random nonce that the response must echo. Default off, as
    /// in the X-Road reference.
    pub nonce: bool,
}

impl OcspClientConfig {
    /// The refresh margin in effect: [`refresh_margin`](Self::refresh_margin) or a tenth of
    /// [`freshness`](Self::freshness).
    pub fn effective_refresh_margin(&self) -> Duration {
        self.refresh_margin.unwrap_or(self.freshness / 10)
    }

    /// The per-exchange bounds.
    fn limits(&self) -> Limits {
        Limits {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            max_response_size: self.max_response_size,
        }
    }
}

impl Default for OcspClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_response_size: 64 * 1024,
            freshness: Duration::from_secs(3_600),
            refresh_margin: None,
            nonce: false,
        }
    }
}

/// Source of the current time, replaceable for tests.
type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Fetches OCSP responses and caches them while they are fresh.
///
/// Cheap to clone; clones share the cache. Concurrent calls for the same certificate share
/// one fetch: callers that arrive while a fetch is under way wait for it and receive its
/// outcome, error included. Errors are not kept for later callers.
///
/// The cache holds one entry per (certificate, issuer) pair asked for and is not bounded,
/// which suits the few certificates a server signs with; stale entries are replaced on the
/// next call for their certificate.
#[derive(Clone)]
pub struct OcspClient {
    /// State shared by the clones.
    inner: Arc<Inner>,
}

/// State shared by the clones of an [`OcspClient`].
struct Inner {
    /// Settings.
    config: OcspClientConfig,
    /// Current time.
    clock: Clock,
    /// One slot per (certificate, issuer) pair ever asked for.
    slots: Mutex<HashMap<CacheKey, Arc<Slot>>>,
}

/// SHA-256 fingerprints of the certificate and of its issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct CacheKey([u8; 32], [u8; 32]);

impl CacheKey {
    /// Fingerprints `cert` and `issuer`.
    fn new(cert: &X509Ref, issuer: &X509Ref) -> Result<Self, ErrorStack> {
        let fingerprint = |cert: &X509Ref| -> Result<[u8; 32], ErrorStack> {
            let digest = cert.digest(MessageDigest::sha256())?;
            let mut bytes = [0; 32];
            bytes.copy_from_slice(&digest);
            Ok(bytes)
        };
        Ok(Self(fingerprint(cert)?, fingerprint(issuer)?))
    }
}

/// Cache entry of one certificate; its lock is held for the duration of a fetch.
struct Slot {
    /// Number of finished fetches, readable without the lock so that a caller can tell
    /// whether a fetch finished while it was waiting.
    finished: AtomicU64,
    /// The cached response and the outcome of the last fetch.
    state: tokio::sync::Mutex<SlotState>,
}

/// What a slot remembers.
#[derive(Default)]
struct SlotState {
    /// Number of finished fetches; mirrored in [`Slot::finished`].
    finished: u64,
    /// The response of the last fetch, if it succeeded.
    cached: Option<CachedResponse>,
    /// The error of the last fetch, if it failed; only handed to callers that were already
    /// waiting for that fetch.
    last_error: Option<OcspFetchError>,
}

/// A fetched response.
struct CachedResponse {
    /// The DER `OCSPResponse`.
    der: Bytes,
    /// Its validity for the certificate.
    validity: Validity,
}

impl OcspClient {
    /// A client with `config` using the system clock.
    pub fn new(config: OcspClientConfig) -> Self {
        Self::with_clock(config, SystemTime::now)
    }

    /// A client with `config` that takes the current time from `clock` for cache freshness
    /// decisions.
    pub fn with_clock(
        config: OcspClientConfig,
        clock: impl Fn() -> SystemTime + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                clock: Arc::new(clock),
                slots: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &OcspClientConfig {
        &self.inner.config
    }

    /// The DER `OCSPResponse` for `cert` issued by `issuer`: the cached one while it stays
    /// fresh for the refresh margin, otherwise a newly fetched one.
    ///
    /// Fails when the certificate names no OCSP responder or when none of its responders
    /// gives a usable response (see [`OcspFetchError`]); `revoked` and `unknown` responses
    /// are returned like `good` ones.
    pub async fn response_for(
        &self,
        cert: &X509Ref,
        issuer: &X509Ref,
    ) -> Result<Bytes, OcspFetchError> {
        let key = CacheKey::new(cert, issuer).map_err(|source| OcspFetchError::Request {
            serial: serial_hex(cert),
            source,
        })?;
        let slot = self.slot(key);
        let finished_before_waiting = slot.finished.load(Ordering::Acquire);
        let mut state = slot.state.lock().await;
        if let Some(cached) = &state.cached {
            let config = &self.inner.config;
            let now = (self.inner.clock)();
            if cached
                .validity
                .is_fresh(now, config.freshness, config.effective_refresh_margin())
            {
                tracing::trace!(serial = %serial_hex(cert), "OCSP response served from cache");
                return Ok(cached.der.clone());
            }
        }
        if state.finished > finished_before_waiting {
            // A fetch finished while this caller waited for the lock: share its outcome.
            if let Some(err) = &state.last_error {
                return Err(err.clone());
            }
            if let Some(cached) = &state.cached {
                return Ok(cached.der.clone());
            }
        }
        let outcome = self.fetch(cert, issuer).await;
        state.finished += 1;
        slot.finished.store(state.finished, Ordering::Release);
        match outcome {
            Ok(fetched) => {
                let der = fetched.der.clone();
                state.cached = Some(fetched);
                state.last_error = None;
                Ok(der)
            }
            Err(err) => {
                state.cached = None;
                state.last_error = Some(err.clone());
                Err(err)
            }
        }
    }

    /// The slot for `key`, created on first use.
    fn slot(&self, key: CacheKey) -> Arc<Slot> {
        let mut slots = lock(&self.inner.slots);
        Arc::clone(slots.entry(key).or_insert_with(|| {
            Arc::new(Slot {
                finished: AtomicU64::new(0),
                state: tokio::sync::Mutex::new(SlotState::default()),
            })
        }))
    }

    /// Asks the certificate's responders in order until one gives a usable response.
    async fn fetch(
        &self,
        cert: &X509Ref,
        issuer: &X509Ref,
    ) -> Result<CachedResponse, OcspFetchError> {
        let urls = responder_urls(cert)?;
        let request =
            PreparedRequest::new(cert, issuer, self.inner.config.nonce).map_err(|source| {
                OcspFetchError::Request {
                    serial: serial_hex(cert),
                    source,
                }
            })?;
        let mut failures = Vec::with_capacity(urls.len());
        for url in urls {
            match self.fetch_from(&url, &request).await {
                Ok(fetched) => return Ok(fetched),
                Err(error) => {
                    tracing::warn!(%url, serial = %serial_hex(cert), %error, "OCSP responder failed");
                    failures.push(ResponderFailure { url, error });
                }
            }
        }
        Err(OcspFetchError::Responders {
            serial: serial_hex(cert),
            failures,
        })
    }

    /// One exchange with the responder at `url`.
    async fn fetch_from(
        &self,
        url: &str,
        request: &PreparedRequest,
    ) -> Result<CachedResponse, ResponderError> {
        let url = ResponderUrl::parse(url)?;
        let der = transport::post(&url, request.der().clone(), self.inner.config.limits()).await?;
        let inspection = request.inspect(&der)?;
        tracing::debug!(%url, status = inspection.status, "fetched OCSP response");
        Ok(CachedResponse {
            der,
            validity: inspection.validity,
        })
    }
}

impl fmt::Debug for OcspClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OcspClient")
            .field("config", &self.inner.config)
            .field("cached_certificates", &lock(&self.inner.slots).len())
            .finish_non_exhaustive()
    }
}

/// The OCSP responder URLs of `cert`'s Authority Information Access extension, in order.
fn responder_urls(cert: &X509Ref) -> Result<Vec<String>, OcspFetchError> {
    let urls: Vec<String> = match cert.ocsp_responders() {
        Ok(urls) => urls.iter().map(|url| url.to_string()).collect(),
        // OpenSSL returns no list and records no error when there is no extension or it
        // holds no OCSP entry.
        Err(errors) if errors.errors().is_empty() => Vec::new(),
        Err(source) => {
            return Err(OcspFetchError::InvalidAuthorityInfoAccess {
                serial: serial_hex(cert),
                source,
            });
        }
    };
    if urls.is_empty() {
        return Err(OcspFetchError::NoResponder {
            serial: serial_hex(cert),
        });
    }
    Ok(urls)
}

/// The serial number of `cert` in hexadecimal, for messages.
fn serial_hex(cert: &X509Ref) -> String {
    cert.serial_number()
        .to_bn()
        .and_then(|serial| serial.to_hex_str().map(|hex| hex.to_string()))
        .unwrap_or_else(|_| "(unreadable)".to_owned())
}

/// Locks `mutex`; a panic elsewhere cannot leave the slot map inconsistent, so poisoning
/// is ignored.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

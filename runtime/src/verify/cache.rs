//! Results of verifying a member's signing certificate and its OCSP response, kept while
//! they hold so that only the request signature is verified on every request.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use hashbrown::{Equivalent, HashMap};

use crate::cert::{MemberId, Timestamp};
use crate::signature::VerifyingKey;

/// A verified signing certificate: its key, its member, and the span of time in which the
/// verification holds (the certificate chain is valid and the OCSP response fresh).
#[derive(Debug)]
pub(crate) struct VerifiedSigner {
    /// The certificate's public key, ready to verify signatures.
    pub key: VerifyingKey,
    /// The member the certificate belongs to.
    pub member: MemberId,
    /// The earliest time the verification holds.
    pub valid_from: Timestamp,
    /// The last time the verification holds.
    pub valid_until: Timestamp,
}

impl VerifiedSigner {
    /// Does the verification hold at `at`?
    pub fn holds_at(&self, at: Timestamp) -> bool {
        self.valid_from <= at && at <= self.valid_until
    }
}

/// The bytes a cache entry was verified from: the DER certificate and the DER OCSP response.
///
/// An entry is found only by exactly these bytes: the hash (a fast, randomly keyed one) only
/// picks the bucket, and equality compares every byte. A cryptographic digest is not needed
/// for that, and hashing a few kilobytes with SHA-256 on every request cost more than parsing
/// the SOAP message.
#[derive(Debug, PartialEq, Eq)]
struct OwnedPair {
    certificate: Box<[u8]>,
    ocsp_response: Box<[u8]>,
}

/// The same pair, borrowed from a request, for lookups without copying.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SignerBytes<'a> {
    /// The DER signing certificate.
    pub certificate: &'a [u8],
    /// The DER OCSP response.
    pub ocsp_response: &'a [u8],
}

impl Hash for OwnedPair {
    fn hash<H: Hasher>(&self, state: &mut H) {
        SignerBytes {
            certificate: &self.certificate,
            ocsp_response: &self.ocsp_response,
        }
        .hash(state);
    }
}

impl Hash for SignerBytes<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Slices hash their length first, so the boundary between the two is part of the key.
        self.certificate.hash(state);
        self.ocsp_response.hash(state);
    }
}

impl Equivalent<OwnedPair> for SignerBytes<'_> {
    fn equivalent(&self, key: &OwnedPair) -> bool {
        *self.certificate == *key.certificate && *self.ocsp_response == *key.ocsp_response
    }
}

impl From<SignerBytes<'_>> for OwnedPair {
    fn from(bytes: SignerBytes<'_>) -> Self {
        Self {
            certificate: bytes.certificate.into(),
            ocsp_response: bytes.ocsp_response.into(),
        }
    }
}

/// A bounded map from (certificate, OCSP response) to the verified signer.
///
/// When full, entries that no longer hold are dropped; if none can be dropped, the whole
/// map is cleared (the entries are cheap to rebuild, and a flood of distinct certificates
/// must not grow memory).
#[derive(Debug)]
pub(crate) struct SignerCache {
    entries: RwLock<HashMap<OwnedPair, Arc<VerifiedSigner>>>,
    capacity: usize,
}

impl SignerCache {
    /// A cache of at most `capacity` entries (0 turns caching off).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity,
        }
    }

    /// The entry for exactly these bytes if its verification holds at `at`.
    pub fn get(&self, bytes: SignerBytes<'_>, at: Timestamp) -> Option<Arc<VerifiedSigner>> {
        if self.capacity == 0 {
            return None;
        }
        let entries = self.entries.read().ok()?;
        entries.get(&bytes).filter(|e| e.holds_at(at)).cloned()
    }

    /// Stores `signer` under `bytes`.
    pub fn insert(&self, bytes: SignerBytes<'_>, signer: Arc<VerifiedSigner>, at: Timestamp) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if let Some(entry) = entries.get_mut(&bytes) {
            *entry = signer;
            return;
        }
        if entries.len() >= self.capacity {
            entries.retain(|_, entry| entry.holds_at(at));
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(OwnedPair::from(bytes), signer);
    }

    /// The number of entries.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(from: i64, until: i64) -> Arc<VerifiedSigner> {
        static KEY: std::sync::LazyLock<openssl::pkey::PKey<openssl::pkey::Public>> =
            std::sync::LazyLock::new(|| {
                let key = openssl::rsa::Rsa::generate(1024).expect("key");
                let der = key.public_key_to_der().expect("public DER");
                openssl::pkey::PKey::public_key_from_der(&der).expect("public key")
            });
        let code = |text: &str| text.parse().expect("code");
        Arc::new(VerifiedSigner {
            key: VerifyingKey::from_public_key(KEY.clone()).expect("RSA key"),
            member: MemberId::new(code("EE"), code("COM"), code("a")),
            valid_from: Timestamp::from_unix_seconds(from),
            valid_until: Timestamp::from_unix_seconds(until),
        })
    }

    fn bytes<'a>(certificate: &'a [u8], ocsp_response: &'a [u8]) -> SignerBytes<'a> {
        SignerBytes {
            certificate,
            ocsp_response,
        }
    }

    #[test]
    fn only_the_exact_bytes_find_an_entry() {
        let cache = SignerCache::new(8);
        let at = Timestamp::from_unix_seconds(50);
        cache.insert(bytes(b"cert", b"ocsp"), signer(0, 100), at);
        assert!(cache.get(bytes(b"cert", b"ocsp"), at).is_some());
        assert!(cache.get(bytes(b"cert", b"ocsP"), at).is_none());
        assert!(cache.get(bytes(b"cerT", b"ocsp"), at).is_none());
        // The same concatenation split differently is another pair.
        assert!(cache.get(bytes(b"certo", b"csp"), at).is_none());
        assert!(cache.get(bytes(b"cer", b"tocsp"), at).is_none());
    }

    /// Equality alone (without the hash picking another bucket) tells pairs apart: the
    /// same certificate with another OCSP response (a revoked one, say) is another key.
    #[test]
    fn equality_compares_both_certificate_and_response() {
        let key = OwnedPair::from(bytes(b"cert", b"ocsp"));
        assert!(bytes(b"cert", b"ocsp").equivalent(&key));
        assert!(!bytes(b"cert", b"revoked").equivalent(&key));
        assert!(!bytes(b"other", b"ocsp").equivalent(&key));
    }

    #[test]
    fn an_entry_holds_only_within_its_span() {
        let cache = SignerCache::new(8);
        cache.insert(
            bytes(b"c", b"o"),
            signer(10, 20),
            Timestamp::from_unix_seconds(15),
        );
        assert!(
            cache
                .get(bytes(b"c", b"o"), Timestamp::from_unix_seconds(9))
                .is_none()
        );
        assert!(
            cache
                .get(bytes(b"c", b"o"), Timestamp::from_unix_seconds(10))
                .is_some()
        );
        assert!(
            cache
                .get(bytes(b"c", b"o"), Timestamp::from_unix_seconds(20))
                .is_some()
        );
        assert!(
            cache
                .get(bytes(b"c", b"o"), Timestamp::from_unix_seconds(21))
                .is_none()
        );
    }

    #[test]
    fn a_full_cache_drops_what_no_longer_holds_then_everything() {
        let cache = SignerCache::new(2);
        let at = Timestamp::from_unix_seconds(50);
        cache.insert(bytes(b"1", b""), signer(0, 40), at);
        cache.insert(bytes(b"2", b""), signer(0, 100), at);
        cache.insert(bytes(b"3", b""), signer(0, 100), at);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(bytes(b"2", b""), at).is_some());
        assert!(cache.get(bytes(b"3", b""), at).is_some());
        cache.insert(bytes(b"4", b""), signer(0, 100), at);
        assert_eq!(cache.len(), 1);
        assert!(cache.get(bytes(b"4", b""), at).is_some());
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        let cache = SignerCache::new(0);
        let at = Timestamp::from_unix_seconds(50);
        cache.insert(bytes(b"c", b"o"), signer(0, 100), at);
        assert!(cache.get(bytes(b"c", b"o"), at).is_none());
        assert_eq!(cache.len(), 0);
    }
}

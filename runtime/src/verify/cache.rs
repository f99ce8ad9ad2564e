//! Results of verifying a member's signing certificate and its OCSP response, kept while
//! they hold so that only the request signature is verified on every request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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

/// The cache key: SHA-256 over the certificate and the OCSP response, each preceded by its
/// length, so that exactly these bytes (and no others) find an entry.
pub(crate) type CacheKey = [u8; 32];

/// Computes the key of a (certificate, OCSP response) pair.
pub(crate) fn cache_key(certificate: &[u8], ocsp_response: &[u8]) -> CacheKey {
    let mut hasher = openssl::sha::Sha256::new();
    hasher.update(&(certificate.len() as u64).to_be_bytes());
    hasher.update(certificate);
    hasher.update(&(ocsp_response.len() as u64).to_be_bytes());
    hasher.update(ocsp_response);
    hasher.finish()
}

/// A bounded map from (certificate, OCSP response) to the verified signer.
///
/// When full, entries that no longer hold are dropped; if none can be dropped, the whole
/// map is cleared (the entries are cheap to rebuild, and a flood of distinct certificates
/// must not grow memory).
#[derive(Debug)]
pub(crate) struct SignerCache {
    entries: RwLock<HashMap<CacheKey, Arc<VerifiedSigner>>>,
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

    /// The entry for `key` if its verification holds at `at`.
    pub fn get(&self, key: &CacheKey, at: Timestamp) -> Option<Arc<VerifiedSigner>> {
        let entries = self.entries.read().ok()?;
        entries.get(key).filter(|e| e.holds_at(at)).cloned()
    }

    /// Stores `signer` under `key`.
    pub fn insert(&self, key: CacheKey, signer: Arc<VerifiedSigner>, at: Timestamp) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, entry| entry.holds_at(at));
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, signer);
    }

    /// The number of entries.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.read().map(|e| e.len()).unwrap_or(0)
    }
}

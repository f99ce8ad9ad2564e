//! Which connections a listener takes: from an allowed source, within its own connection
//! limit, and within the limit of the client's address.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ipnet::IpNet;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::metrics::ConnectionError;
use super::rate::rate_key;

/// The connections one listener admits. Each listener has its own, so that connections to
/// one endpoint (the unauthenticated registration endpoint, say) cannot use up another's.
pub(crate) struct Admission {
    /// One permit per open connection of the listener.
    total: Arc<Semaphore>,
    /// Most connections one client address (IPv6: its /64 prefix) may have open.
    per_address: usize,
    /// Open connections per client address; an address with none has no entry.
    open: Mutex<HashMap<IpAddr, usize>>,
    /// The sources connections may come from; `None` for any.
    allowed_sources: Option<Vec<IpNet>>,
}

/// Why a connection was closed at accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The listener has its most connections open.
    ConnectionLimit,
    /// The client's address has its most connections open.
    AddressLimit,
    /// The client's address is not an allowed source.
    SourceNotAllowed,
}

impl Refusal {
    /// The metric's reason.
    pub(crate) fn metric(self) -> ConnectionError {
        match self {
            Refusal::ConnectionLimit => ConnectionError::ConnectionLimit,
            Refusal::AddressLimit => ConnectionError::AddressLimit,
            Refusal::SourceNotAllowed => ConnectionError::SourceNotAllowed,
        }
    }
}

/// An admitted connection's place; given back when dropped.
pub(crate) struct Slot {
    admission: Arc<Admission>,
    address: IpAddr,
    _permit: OwnedSemaphorePermit,
}

impl Admission {
    /// At most `total` connections, `per_address` from one address, from `allowed_sources`
    /// only (any when `None`).
    pub(crate) fn new(
        total: usize,
        per_address: usize,
        allowed_sources: Option<Vec<IpNet>>,
    ) -> Arc<Self> {
        Arc::new(Admission {
            total: Arc::new(Semaphore::new(total)),
            per_address,
            open: Mutex::new(HashMap::new()),
            allowed_sources,
        })
    }

    /// Takes a place for a connection from `peer`, or says why there is none.
    pub(crate) fn admit(self: &Arc<Self>, peer: SocketAddr) -> Result<Slot, Refusal> {
        let source = peer.ip().to_canonical();
        if let Some(allowed) = &self.allowed_sources
            && !allowed.iter().any(|net| net.contains(&source))
        {
            return Err(Refusal::SourceNotAllowed);
        }
        let address = rate_key(source);
        let mut open = self.open();
        let count = open.entry(address).or_insert(0);
        if *count >= self.per_address {
            return Err(Refusal::AddressLimit);
        }
        let permit = Arc::clone(&self.total)
            .try_acquire_owned()
            .map_err(|_| Refusal::ConnectionLimit)?;
        *count += 1;
        Ok(Slot {
            admission: Arc::clone(self),
            address,
            _permit: permit,
        })
    }

    /// Connections open from `address` (canonical, as [`rate_key`] gives it).
    #[cfg(test)]
    fn open_from(&self, address: IpAddr) -> usize {
        self.open().get(&address).copied().unwrap_or(0)
    }

    fn open(&self) -> MutexGuard<'_, HashMap<IpAddr, usize>> {
        // Only counters are kept, each changed in one step: a panic cannot leave them torn.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.admission.open();
        if let Some(count) = open.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(text: &str) -> SocketAddr {
        SocketAddr::new(text.parse().unwrap(), 40_000)
    }

    #[test]
    fn each_address_has_its_own_cap_within_the_total() {
        let admission = Admission::new(3, 2, None);
        let first = admission.admit(peer("192.0.2.1")).unwrap();
        let _second = admission.admit(peer("192.0.2.1")).unwrap();
        assert_eq!(
            admission.admit(peer("192.0.2.1")).err(),
            Some(Refusal::AddressLimit)
        );
        let _other = admission.admit(peer("192.0.2.2")).unwrap();
        assert_eq!(
            admission.admit(peer("192.0.2.3")).err(),
            Some(Refusal::ConnectionLimit)
        );
        // A refused connection takes nothing.
        assert_eq!(admission.open_from("192.0.2.3".parse().unwrap()), 0);
        drop(first);
        assert_eq!(admission.open_from("192.0.2.1".parse().unwrap()), 1);
        let _again = admission.admit(peer("192.0.2.1")).unwrap();
    }

    #[test]
    fn ipv6_counts_per_64_prefix_and_mapped_ipv4_as_ipv4() {
        let admission = Admission::new(10, 1, None);
        let _v6 = admission.admit(peer("2001:db8:1:2::1")).unwrap();
        assert_eq!(
            admission.admit(peer("2001:db8:1:2::ffff")).err(),
            Some(Refusal::AddressLimit)
        );
        let _other_prefix = admission.admit(peer("2001:db8:1:3::1")).unwrap();
        let _v4 = admission.admit(peer("192.0.2.7")).unwrap();
        assert_eq!(
            admission.admit(peer("::ffff:192.0.2.7")).err(),
            Some(Refusal::AddressLimit)
        );
    }

    #[test]
    fn only_allowed_sources_are_admitted() {
        let allowed = vec![
            "192.0.2.10/32".parse().unwrap(),
            "10.1.0.0/16".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ];
        let admission = Admission::new(10, 10, Some(allowed));
        for admitted in ["192.0.2.10", "10.1.255.3", "::ffff:10.1.0.1", "2001:db8::5"] {
            assert!(admission.admit(peer(admitted)).is_ok(), "{admitted}");
        }
        for refused in ["192.0.2.11", "10.2.0.1", "127.0.0.1", "2001:db9::1"] {
            assert_eq!(
                admission.admit(peer(refused)).err(),
                Some(Refusal::SourceNotAllowed),
                "{refused}"
            );
        }
    }
}

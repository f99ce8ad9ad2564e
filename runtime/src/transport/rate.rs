//! Request rate limiting per client address.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::config::RateLimit;

/// A GCRA limiter keyed by client address. IPv6 clients are keyed by their /64 prefix, the
/// block one subscriber usually controls; IPv4-mapped IPv6 addresses count as IPv4.
pub(crate) struct PeerRateLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl PeerRateLimiter {
    pub(crate) fn new(rate: RateLimit) -> Self {
        let quota = Quota::per_second(rate.per_second).allow_burst(rate.burst);
        PeerRateLimiter {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
        }
    }

    /// Counts a request from `peer`; `Err` holds how long until one would be allowed.
    pub(crate) fn check(&self, peer: IpAddr) -> Result<(), Duration> {
        self.limiter
            .check_key(&rate_key(peer))
            .map_err(|not_until| not_until.wait_time_from(self.limiter.clock().now()))
    }

    /// Forgets addresses whose state is back to full capacity, bounding memory.
    pub(crate) fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Number of addresses with state.
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.limiter.len()
    }
}

/// The key an address is limited under: IPv4 as it is (IPv4-mapped IPv6 as IPv4), IPv6 by
/// its /64 prefix.
pub(crate) fn rate_key(peer: IpAddr) -> IpAddr {
    match peer.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !(u128::MAX >> 64);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
    }
}

/// `Retry-After` seconds for a wait: rounded up, at least 1.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::num::NonZeroU32;

    fn limiter(per_second: u32, burst: u32) -> PeerRateLimiter {
        PeerRateLimiter::new(RateLimit {
            per_second: NonZeroU32::new(per_second).unwrap(),
            burst: NonZeroU32::new(burst).unwrap(),
        })
    }

    #[test]
    fn burst_then_refusal_with_wait() {
        let limiter = limiter(1, 3);
        let peer = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        for attempt in 0..3 {
            assert!(limiter.check(peer).is_ok(), "attempt {attempt}");
        }
        let wait = limiter.check(peer).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        let other = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        assert!(
            limiter.check(other).is_ok(),
            "other addresses are not affected"
        );
    }

    #[test]
    fn ipv6_shares_the_64_prefix_and_mapped_ipv4_is_ipv4() {
        let limiter = limiter(1, 1);
        let first: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_prefix: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_prefix: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.check(first).is_ok());
        assert!(limiter.check(same_prefix).is_err());
        assert!(limiter.check(other_prefix).is_ok());

        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert!(limiter.check(v4).is_ok());
        assert!(limiter.check(mapped).is_err());
    }

    #[test]
    fn prune_forgets_idle_addresses() {
        let limiter = limiter(1000, 1);
        limiter
            .check(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)))
            .unwrap();
        assert_eq!(limiter.tracked(), 1);
        std::thread::sleep(Duration::from_millis(5));
        limiter.prune();
        assert_eq!(limiter.tracked(), 0);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(10)), 1);
        assert_eq!(retry_after_seconds(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_seconds(Duration::from_millis(2001)), 3);
    }
}

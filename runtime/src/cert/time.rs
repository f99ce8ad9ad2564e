//! Points in time of certificates and OCSP responses, in whole seconds (UTC).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use openssl::asn1::{Asn1GeneralizedTimeRef, Asn1Time, Asn1TimeRef};
use openssl::error::ErrorStack;

/// Seconds in a day.
const SECONDS_PER_DAY: i64 = 86_400;

/// A point in time in whole seconds since the Unix epoch (UTC), as certificates and OCSP
/// responses state them. Displays as ISO 8601 (`2015-10-05T11:27:43Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The time `seconds` after (or, if negative, before) the Unix epoch.
    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Self(seconds)
    }

    /// Seconds since the Unix epoch; negative before it.
    pub const fn unix_seconds(self) -> i64 {
        self.0
    }

    /// The whole second `time` falls in.
    pub fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Self(i64::try_from(after.as_secs()).unwrap_or(i64::MAX)),
            Err(before) => {
                let before = before.duration();
                // A time 0.5 s before the epoch lies in the second that starts at -1.
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                Self(if before.subsec_nanos() > 0 {
                    whole.saturating_neg().saturating_sub(1)
                } else {
                    whole.saturating_neg()
                })
            }
        }
    }

    /// The same point as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        let magnitude = Duration::from_secs(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }

    /// `self + duration`, saturating at the largest representable time.
    pub fn saturating_add(self, duration: Duration) -> Self {
        let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(seconds))
    }

    /// `self - duration`, saturating at the smallest representable time.
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let seconds = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        Self(self.0.saturating_sub(seconds))
    }

    /// Whole seconds from `earlier` to `self`; zero if `earlier` is not earlier.
    pub fn seconds_since(self, earlier: Timestamp) -> u64 {
        u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0)
    }

    /// Reads an ASN.1 `UTCTime` or `GeneralizedTime`.
    pub fn from_asn1(time: &Asn1TimeRef) -> Result<Self, ErrorStack> {
        let epoch = Asn1Time::from_unix(0)?;
        let diff = epoch.diff(time)?;
        Ok(Self(
            i64::from(diff.days) * SECONDS_PER_DAY + i64::from(diff.secs),
        ))
    }

    /// Reads an ASN.1 `GeneralizedTime` (the type of every time in an OCSP response).
    pub fn from_generalized(time: &Asn1GeneralizedTimeRef) -> Result<Self, ErrorStack> {
        use foreign_types::ForeignTypeRef;
        // SAFETY: `ASN1_GENERALIZEDTIME` and `ASN1_TIME` are both `ASN1_STRING` in
        // libcrypto; the `ASN1_TIME_*` functions accept a `GeneralizedTime`. The pointer is
        // valid for the lifetime of `time`, which bounds the reference created here.
        let time = unsafe { Asn1TimeRef::from_ptr(time.as_ptr().cast::<openssl_sys::ASN1_TIME>()) };
        Self::from_asn1(time)
    }

    /// The time as `time_t`, for libcrypto.
    pub(crate) fn to_time_t(self) -> Option<libc::time_t> {
        libc::time_t::try_from(self.0).ok()
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

impl From<Timestamp> for SystemTime {
    fn from(time: Timestamp) -> Self {
        time.to_system_time()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let second_of_day = self.0.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            second_of_day / 3600,
            second_of_day % 3600 / 60,
            second_of_day % 60
        )
    }
}

/// The proleptic Gregorian date of a day number counted from 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    // Both values are small and non-negative by construction.
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asn1_times_read_as_unix_seconds() {
        let utc = Asn1Time::from_str("20151005112743Z").unwrap();
        let read = Timestamp::from_asn1(&utc).unwrap();
        assert_eq!(read.unix_seconds(), 1_444_044_463);
        assert_eq!(read.to_string(), "2015-10-05T11:27:43Z");

        let generalized = openssl::asn1::Asn1GeneralizedTime::from_str("20500101000000Z").unwrap();
        let read = Timestamp::from_generalized(&generalized).unwrap();
        assert_eq!(read.to_string(), "2050-01-01T00:00:00Z");
    }

    #[test]
    fn display_agrees_with_openssl_for_many_days() {
        // Day numbers from 1950 to 2100, one every 97 days, against openssl's own rendering.
        for days in (-7305..47_482).step_by(97) {
            let seconds = days * SECONDS_PER_DAY + 3_723;
            let ours = Timestamp::from_unix_seconds(seconds).to_string();
            let theirs = Asn1Time::from_unix(seconds as libc::time_t).unwrap();
            let back = Timestamp::from_asn1(&theirs).unwrap();
            assert_eq!(back.unix_seconds(), seconds);
            // openssl prints e.g. "Oct  5 11:27:43 2015 GMT".
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month: usize = ours[5..7].parse().unwrap();
            let day: u32 = ours[8..10].parse().unwrap();
            let expected = format!("{} {day:>2} 01:02:03 {} GMT", MONTHS[month - 1], &ours[..4]);
            assert_eq!(theirs.to_string(), expected, "day {days}");
        }
    }

    /// 2000-02-29 is the last day of a 400-year era of the algorithm (the one day the
    /// `day_of_era / 146_096` term is not zero); the sampled days above miss it.
    #[test]
    fn the_leap_day_that_ends_a_400_year_era_is_displayed() {
        let leap_day = 11_016 * SECONDS_PER_DAY;
        for (seconds, text) in [
            (leap_day - SECONDS_PER_DAY, "2000-02-28T00:00:00Z"),
            (leap_day, "2000-02-29T00:00:00Z"),
            (leap_day + SECONDS_PER_DAY, "2000-03-01T00:00:00Z"),
        ] {
            assert_eq!(Timestamp::from_unix_seconds(seconds).to_string(), text);
        }
    }

    #[test]
    fn system_time_round_trips_on_both_sides_of_the_epoch() {
        for seconds in [-86_401, -1, 0, 1, 1_444_044_463] {
            let time = Timestamp::from_unix_seconds(seconds);
            assert_eq!(Timestamp::from(time.to_system_time()), time);
        }
        let half_before = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(Timestamp::from(half_before).unix_seconds(), -1);
        assert_eq!(
            Timestamp::from_unix_seconds(-1).to_string(),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn arithmetic_saturates_and_never_goes_negative_for_ages() {
        let time = Timestamp::from_unix_seconds(100);
        assert_eq!(
            time.saturating_add(Duration::from_secs(20)).unix_seconds(),
            120
        );
        assert_eq!(
            time.saturating_sub(Duration::from_secs(120)).unix_seconds(),
            -20
        );
        assert_eq!(time.seconds_since(Timestamp::from_unix_seconds(40)), 60);
        assert_eq!(time.seconds_since(Timestamp::from_unix_seconds(400)), 0);
        assert_eq!(
            Timestamp::from_unix_seconds(i64::MAX).saturating_add(Duration::from_secs(1)),
            Timestamp::from_unix_seconds(i64::MAX)
        );
    }
}

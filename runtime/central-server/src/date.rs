//! Calendar dates on the command line: `YYYY-MM-DD`, the start of that day in UTC.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why a date argument is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not `YYYY-MM-DD` with digits.
    #[error("`{0}` is not a date: expected YYYY-MM-DD (UTC), e.g. 2026-01-31")]
    Format(String),
    /// A month other than 1 to 12.
    #[error("`{text}`: month {month} is not 1 to 12")]
    Month {
        /// The argument.
        text: String,
        /// The month given.
        month: u32,
    },
    /// A day the month does not have.
    #[error("`{text}`: day {day} is not in {year}-{month:02}, which has {days} days")]
    Day {
        /// The argument.
        text: String,
        /// The year.
        year: i64,
        /// The month.
        month: u32,
        /// The day given.
        day: u32,
        /// Days in that month.
        days: u32,
    },
    /// A year before 1970 or after 2261 (the store keeps times as nanoseconds since 1970 in
    /// 64 bits, which end in April 2262).
    #[error("`{text}`: year {year} is not 1970 to 2261")]
    Year {
        /// The argument.
        text: String,
        /// The year given.
        year: i64,
    },
}

/// The start (00:00:00 UTC) of the day `text` names, as `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<SystemTime, DateError> {
    let format = || DateError::Format(text.to_owned());
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = bytes.get(range)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err(format());
    }
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(format());
    };
    let year = i64::from(year);
    if !(1970..=2261).contains(&year) {
        return Err(DateError::Year {
            text: text.to_owned(),
            year,
        });
    }
    if !(1..=12).contains(&month) {
        return Err(DateError::Month {
            text: text.to_owned(),
            month,
        });
    }
    let days = days_in_month(year, month);
    if !(1..=days).contains(&day) {
        return Err(DateError::Day {
            text: text.to_owned(),
            year,
            month,
            day,
            days,
        });
    }
    let since_epoch = days_from_civil(year, month, day);
    // Within 1970..=2261 the day count is positive and the seconds fit.
    let seconds = u64::try_from(since_epoch).map_err(|_| format())? * 86_400;
    Ok(UNIX_EPOCH + Duration::from_secs(seconds))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date (proleptic Gregorian calendar; H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> u64 {
        parse_date(text)
            .unwrap()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    #[test]
    fn dates_are_the_start_of_the_day_in_utc() {
        assert_eq!(seconds("1970-01-01"), 0);
        assert_eq!(seconds("2000-03-01"), 951_868_800);
        assert_eq!(seconds("2024-02-29"), 1_709_164_800);
        assert_eq!(seconds("2026-12-06"), 1_796_515_200);
    }

    #[test]
    fn bad_dates_say_what_is_wrong() {
        let error = |text| parse_date(text).unwrap_err().to_string();
        assert_eq!(error("2026-13-01"), "`2026-13-01`: month 13 is not 1 to 12");
        assert_eq!(
            error("2025-02-29"),
            "`2025-02-29`: day 29 is not in 2025-02, which has 28 days"
        );
        assert_eq!(
            error("1969-12-31"),
            "`1969-12-31`: year 1969 is not 1970 to 2261"
        );
        assert_eq!(
            error("2262-01-01"),
            "`2262-01-01`: year 2262 is not 1970 to 2261"
        );
        for text in [
            "2026-1-01",
            "yesterday",
            "2026/01/01",
            "2026-01-01T00:00",
            "+026-01-01",
            "",
        ] {
            assert_eq!(
                error(text),
                format!("`{text}` is not a date: expected YYYY-MM-DD (UTC), e.g. 2026-01-31")
            );
        }
    }
}

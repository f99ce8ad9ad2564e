//! `xs:dateTime`, `xs:date`, `xs:time` and `xs:duration`.
//!
//! The calendar values are `chrono`'s (`NaiveDateTime`, `NaiveDate`, `NaiveTime`), so that
//! they can be compared, converted and computed with; the timezone is an
//! `Option<chrono::FixedOffset>`, because XML Schema keeps a value without one apart from a
//! value in UTC. Years are numbered as in XML Schema 1.1 and chrono (`0000` is 1 BCE), from
//! -262143 to 262142; fractions of a second are kept to the nanosecond (digits beyond that
//! must be zeros). `24:00:00` is the first instant of the next day.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{
    Datelike, Duration as Span, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike,
};

use super::strings::collapse_whitespace;
use crate::xml::{TextError, XmlText};

/// `xs:dateTime`: a date and time of day, with or without a timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The date and time as written (in the timezone of `offset`, if any).
    pub date_time: NaiveDateTime,
    /// The timezone; `None` when the value has none.
    pub offset: Option<FixedOffset>,
}

/// `xs:date`: a calendar date, with or without a timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    /// The date.
    pub date: NaiveDate,
    /// The timezone; `None` when the value has none.
    pub offset: Option<FixedOffset>,
}

/// `xs:time`: a time of day, with or without a timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    /// The time.
    pub time: NaiveTime,
    /// The timezone; `None` when the value has none.
    pub offset: Option<FixedOffset>,
}

/// `xs:duration`: years, months, days, hours, minutes and seconds, as written (`P1Y2M`,
/// `-PT0.5S`). The components are kept apart: a month has no fixed number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Duration {
    /// Whether the duration is negative (`-P…`).
    pub negative: bool,
    /// Years.
    pub years: u64,
    /// Months.
    pub months: u64,
    /// Days.
    pub days: u64,
    /// Hours.
    pub hours: u64,
    /// Minutes.
    pub minutes: u64,
    /// Whole seconds.
    pub seconds: u64,
    /// Nanoseconds beyond the whole seconds.
    pub nanos: u32,
}

/// Orders by the value as written, then by the offset in seconds (values without a timezone
/// first): a total order for sorting, not the partial order of XML Schema, which compares
/// instants.
macro_rules! order_by {
    ($name:ident, $field:ident) => {
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                let key = |v: &Self| (v.$field, v.offset.map(|o| o.local_minus_utc()));
                key(self).cmp(&key(other))
            }
        }
    };
}

order_by!(DateTime, date_time);
order_by!(Date, date);
order_by!(Time, time);

impl DateTime {
    /// The instant, when the value has a timezone.
    pub fn to_chrono(&self) -> Option<chrono::DateTime<FixedOffset>> {
        self.offset
            .and_then(|offset| self.date_time.and_local_timezone(offset).single())
    }
}

/// A cursor over lexical text, for the date and duration grammars.
struct Lexer<'t> {
    text: &'t str,
    rest: &'t str,
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str) -> Self {
        Self { text, rest: text }
    }

    fn error(&self, what: &str) -> TextError {
        TextError::new(format!("`{}` is not {what}", self.text))
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), TextError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// A run of ASCII digits (possibly empty).
    fn digits(&mut self) -> &'t str {
        let end = self
            .rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.rest.len());
        let (digits, rest) = self.rest.split_at(end);
        self.rest = rest;
        digits
    }

    /// Exactly `n` digits as a number.
    fn fixed(&mut self, n: usize, what: &str) -> Result<u32, TextError> {
        let digits = self.digits();
        if digits.len() != n {
            return Err(self.error(what));
        }
        digits.parse().map_err(|_| self.error(what))
    }

    /// A year: an optional `-`, four digits or more (no leading zero beyond four).
    fn year(&mut self, what: &str) -> Result<i32, TextError> {
        let negative = self.eat('-');
        let digits = self.digits();
        if digits.len() < 4 || (digits.len() > 4 && digits.starts_with('0')) {
            return Err(self.error(what));
        }
        let year: i32 = digits.parse().map_err(|_| self.error(what))?;
        Ok(if negative { -year } else { year })
    }

    /// `.digits` after the seconds, as nanoseconds.
    fn fraction(&mut self, what: &str) -> Result<u32, TextError> {
        if !self.eat('.') {
            return Ok(0);
        }
        let digits = self.digits();
        if digits.is_empty() {
            return Err(self.error(what));
        }
        let (kept, beyond) = digits.split_at(digits.len().min(9));
        if beyond.bytes().any(|b| b != b'0') {
            return Err(TextError::new(format!(
                "`{}` has a fraction of a second finer than a nanosecond",
                self.text
            )));
        }
        let scale = 10u32.pow(9 - kept.len() as u32);
        Ok(kept.parse::<u32>().map_err(|_| self.error(what))? * scale)
    }

    /// An optional timezone at the end: `Z` or `±hh:mm` up to 14 hours.
    fn offset(&mut self, what: &str) -> Result<Option<FixedOffset>, TextError> {
        if self.eat('Z') {
            return Ok(Some(
                FixedOffset::east_opt(0).ok_or_else(|| self.error(what))?,
            ));
        }
        let sign = if self.eat('+') {
            1
        } else if self.eat('-') {
            -1
        } else {
            return Ok(None);
        };
        let hours = self.fixed(2, what)?;
        self.expect(':', what)?;
        let minutes = self.fixed(2, what)?;
        if minutes > 59 || hours * 60 + minutes > 14 * 60 {
            return Err(TextError::new(format!(
                "`{}` has a timezone beyond ±14:00",
                self.text
            )));
        }
        let seconds = sign * i32::try_from((hours * 60 + minutes) * 60).unwrap_or(0);
        Ok(FixedOffset::east_opt(seconds))
    }

    fn date(&mut self, what: &str) -> Result<NaiveDate, TextError> {
        let year = self.year(what)?;
        self.expect('-', what)?;
        let month = self.fixed(2, what)?;
        self.expect('-', what)?;
        let day = self.fixed(2, what)?;
        NaiveDate::from_ymd_opt(year, month, day)
            .ok_or_else(|| TextError::new(format!("`{}` is not a date of the calendar", self.text)))
    }

    /// `hh:mm:ss(.s+)?`; `true` with midnight for `24:00:00`.
    fn time(&mut self, what: &str) -> Result<(NaiveTime, bool), TextError> {
        let hour = self.fixed(2, what)?;
        self.expect(':', what)?;
        let minute = self.fixed(2, what)?;
        self.expect(':', what)?;
        let second = self.fixed(2, what)?;
        let nanos = self.fraction(what)?;
        if hour == 24 && minute == 0 && second == 0 && nanos == 0 {
            return Ok((NaiveTime::MIN, true));
        }
        if second > 59 {
            return Err(self.error(what));
        }
        NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
            .map(|t| (t, false))
            .ok_or_else(|| self.error(what))
    }

    fn end(&self, what: &str) -> Result<(), TextError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }
}

/// `hh:mm:ss` with the fraction of a second, if any, in as few digits as it needs.
fn write_time(out: &mut String, time: NaiveTime) {
    use fmt::Write as _;
    let _ = write!(
        out,
        "{:02}:{:02}:{:02}",
        time.hour(),
        time.minute(),
        time.second()
    );
    let nanos = time.nanosecond() % 1_000_000_000;
    if nanos > 0 {
        let fraction = format!("{nanos:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
}

fn write_date(out: &mut String, date: NaiveDate) {
    use fmt::Write as _;
    let year = date.year();
    if year < 0 {
        out.push('-');
    }
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        date.month(),
        date.day()
    );
}

fn write_offset(out: &mut String, offset: Option<FixedOffset>) {
    use fmt::Write as _;
    let Some(offset) = offset else { return };
    let seconds = offset.local_minus_utc();
    if seconds == 0 {
        out.push('Z');
    } else {
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
    }
}

macro_rules! text_traits {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_text())
            }
        }

        impl FromStr for $name {
            type Err = TextError;
            fn from_str(text: &str) -> Result<Self, TextError> {
                Self::from_text(text)
            }
        }
    };
}

impl XmlText for DateTime {
    fn from_text(text: &str) -> Result<Self, TextError> {
        const WHAT: &str = "a date and time (e.g. `2024-05-01T12:30:00Z`)";
        let text = collapse_whitespace(text);
        let mut lexer = Lexer::new(&text);
        let date = lexer.date(WHAT)?;
        lexer.expect('T', WHAT)?;
        let (time, next_day) = lexer.time(WHAT)?;
        let offset = lexer.offset(WHAT)?;
        lexer.end(WHAT)?;
        let mut date_time = date.and_time(time);
        if next_day {
            date_time = date_time
                .checked_add_signed(Span::days(1))
                .ok_or_else(|| lexer.error(WHAT))?;
        }
        Ok(Self { date_time, offset })
    }
    fn to_text(&self) -> Cow<'_, str> {
        let mut out = String::with_capacity(32);
        write_date(&mut out, self.date_time.date());
        out.push('T');
        write_time(&mut out, self.date_time.time());
        write_offset(&mut out, self.offset);
        Cow::Owned(out)
    }
}
text_traits!(DateTime);

impl XmlText for Date {
    fn from_text(text: &str) -> Result<Self, TextError> {
        const WHAT: &str = "a date (e.g. `2024-05-01`)";
        let text = collapse_whitespace(text);
        let mut lexer = Lexer::new(&text);
        let date = lexer.date(WHAT)?;
        let offset = lexer.offset(WHAT)?;
        lexer.end(WHAT)?;
        Ok(Self { date, offset })
    }
    fn to_text(&self) -> Cow<'_, str> {
        let mut out = String::with_capacity(16);
        write_date(&mut out, self.date);
        write_offset(&mut out, self.offset);
        Cow::Owned(out)
    }
}
text_traits!(Date);

impl XmlText for Time {
    fn from_text(text: &str) -> Result<Self, TextError> {
        const WHAT: &str = "a time of day (e.g. `12:30:00`)";
        let text = collapse_whitespace(text);
        let mut lexer = Lexer::new(&text);
        let (time, _) = lexer.time(WHAT)?;
        let offset = lexer.offset(WHAT)?;
        lexer.end(WHAT)?;
        Ok(Self { time, offset })
    }
    fn to_text(&self) -> Cow<'_, str> {
        let mut out = String::with_capacity(24);
        write_time(&mut out, self.time);
        write_offset(&mut out, self.offset);
        Cow::Owned(out)
    }
}
text_traits!(Time);

impl XmlText for Duration {
    fn from_text(text: &str) -> Result<Self, TextError> {
        const WHAT: &str = "a duration (e.g. `P1Y2M3DT4H5M6.7S`)";
        let text = collapse_whitespace(text);
        let mut lexer = Lexer::new(&text);
        let mut value = Duration {
            negative: lexer.eat('-'),
            ..Duration::default()
        };
        lexer.expect('P', WHAT)?;
        let mut any = false;
        let mut in_time = false;
        // The designators in the order the grammar allows them.
        let mut order = ['Y', 'M', 'D', 'T', 'H', 'm', 'S'].iter().peekable();
        while !lexer.rest.is_empty() {
            if lexer.eat('T') {
                if in_time || !order.any(|c| *c == 'T') {
                    return Err(lexer.error(WHAT));
                }
                in_time = true;
                if lexer.rest.is_empty() {
                    return Err(lexer.error(WHAT));
                }
                continue;
            }
            let digits = lexer.digits();
            if digits.is_empty() {
                return Err(lexer.error(WHAT));
            }
            let number: u64 = digits.parse().map_err(|_| lexer.error(WHAT))?;
            let nanos = if in_time { lexer.fraction(WHAT)? } else { 0 };
            let designator = match lexer.rest.chars().next() {
                Some('M') if in_time => 'm',
                Some(c) => c,
                None => return Err(lexer.error(WHAT)),
            };
            lexer.rest = &lexer.rest[1..];
            let allowed = if in_time { "HmS" } else { "YMD" };
            if !allowed.contains(designator) || !order.any(|c| *c == designator) {
                return Err(lexer.error(WHAT));
            }
            if nanos > 0 && designator != 'S' {
                return Err(lexer.error(WHAT));
            }
            match designator {
                'Y' => value.years = number,
                'M' => value.months = number,
                'D' => value.days = number,
                'H' => value.hours = number,
                'm' => value.minutes = number,
                _ => {
                    value.seconds = number;
                    value.nanos = nanos;
                }
            }
            any = true;
        }
        if !any {
            return Err(lexer.error(WHAT));
        }
        Ok(value)
    }
    fn to_text(&self) -> Cow<'_, str> {
        use fmt::Write as _;
        let mut out = String::with_capacity(16);
        if self.negative {
            out.push('-');
        }
        out.push('P');
        for (n, unit) in [(self.years, 'Y'), (self.months, 'M'), (self.days, 'D')] {
            if n > 0 {
                let _ = write!(out, "{n}{unit}");
            }
        }
        let time = self.hours > 0 || self.minutes > 0 || self.seconds > 0 || self.nanos > 0;
        if time || out.ends_with('P') {
            out.push('T');
        }
        for (n, unit) in [(self.hours, 'H'), (self.minutes, 'M')] {
            if n > 0 {
                let _ = write!(out, "{n}{unit}");
            }
        }
        if self.seconds > 0 || self.nanos > 0 || out.ends_with('T') {
            let _ = write!(out, "{}", self.seconds);
            if self.nanos > 0 {
                let fraction = format!("{:09}", self.nanos);
                out.push('.');
                out.push_str(fraction.trim_end_matches('0'));
            }
            out.push('S');
        }
        Cow::Owned(out)
    }
}
text_traits!(Duration);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: XmlText + PartialEq + fmt::Debug>(text: &str, written: &str) {
        let value = T::from_text(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(value.to_text(), written, "{text}");
        assert_eq!(T::from_text(&value.to_text()).unwrap(), value, "{text}");
    }

    #[test]
    fn date_times() {
        round_trip::<DateTime>("2024-02-29T12:30:00", "2024-02-29T12:30:00");
        round_trip::<DateTime>("2024-02-29T12:30:00Z", "2024-02-29T12:30:00Z");
        round_trip::<DateTime>("2024-02-29T12:30:00+00:00", "2024-02-29T12:30:00Z");
        round_trip::<DateTime>(
            "2024-02-29T12:30:00.500-05:30",
            "2024-02-29T12:30:00.5-05:30",
        );
        round_trip::<DateTime>("2024-12-31T24:00:00", "2025-01-01T00:00:00");
        round_trip::<DateTime>("-0044-03-15T12:00:00", "-0044-03-15T12:00:00");
        round_trip::<DateTime>(
            "12024-01-01T00:00:00.000000001",
            "12024-01-01T00:00:00.000000001",
        );
        let no_zone = DateTime::from_text("2024-01-01T00:00:00").unwrap();
        assert!(no_zone.to_chrono().is_none());
        let utc = DateTime::from_text("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(utc.to_chrono().map(|d| d.timestamp()), Some(1_704_067_200));
        assert_ne!(no_zone, utc, "a value without timezone is not one in UTC");
        for bad in [
            "2023-02-29T00:00:00",
            "2024-1-01T00:00:00",
            "02024-01-01T00:00:00",
            "2024-01-01",
            "2024-01-01T25:00:00",
            "2024-01-01T12:00",
            "2024-01-01T12:00:00+15:00",
            "2024-01-01T12:00:00.",
            "2024-01-01T12:00:00.0000000001",
            "2024-01-01T12:00:00z",
            "2024-01-01 12:00:00",
        ] {
            assert!(DateTime::from_text(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_and_times() {
        round_trip::<Date>("2024-05-01", "2024-05-01");
        round_trip::<Date>("2024-05-01+02:00", "2024-05-01+02:00");
        round_trip::<Time>("23:59:59.25Z", "23:59:59.25Z");
        round_trip::<Time>("24:00:00", "00:00:00");
        assert!(Date::from_text("2024-13-01").is_err());
        assert!(Time::from_text("12:60:00").is_err());
    }

    #[test]
    fn durations() {
        round_trip::<Duration>("P1Y2M3DT4H5M6.7S", "P1Y2M3DT4H5M6.7S");
        round_trip::<Duration>("-PT0.5S", "-PT0.5S");
        round_trip::<Duration>("P0D", "PT0S");
        round_trip::<Duration>("PT36H", "PT36H");
        round_trip::<Duration>("P1M", "P1M");
        round_trip::<Duration>("PT1M", "PT1M");
        let d = Duration::from_text("P1MT1M").unwrap();
        assert_eq!((d.months, d.minutes), (1, 1));
        for bad in [
            "P", "PT", "P1", "1Y", "P1S", "PT1Y", "P1D2Y", "P1.5Y", "P-1D", "PT1H1H",
        ] {
            assert!(Duration::from_text(bad).is_err(), "{bad}");
        }
    }
}

//! `xs:decimal` and the integer types without a Rust primitive of their own.
//!
//! `xs:decimal` is arbitrary precision: [`Decimal`] holds a `bigdecimal::BigDecimal`, which
//! keeps every digit of any literal (and its scale, so `1.50` is written back as `1.50`).

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;

use super::strings::collapse_whitespace;
use crate::xml::{TextError, XmlText};

/// `xs:decimal`: a decimal number of any precision, such as `-1.50` or `.5`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Decimal(pub BigDecimal);

/// Whether `text` is in the lexical space of `xs:decimal`: an optional sign, digits with an
/// optional fraction, no exponent.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (!whole.is_empty() || !fraction.is_empty()) && all_digits(whole) && all_digits(fraction)
}

impl XmlText for Decimal {
    fn from_text(text: &str) -> Result<Self, TextError> {
        let text = collapse_whitespace(text);
        if !is_decimal(&text) {
            return Err(TextError::new(format!(
                "`{text}` is not a decimal number (expected e.g. `12`, `-1.50` or `.5`)"
            )));
        }
        // A leading `+` or a bare trailing point are XSD, not Rust, syntax.
        let unsigned = text.strip_prefix('+').unwrap_or(&text);
        let plain = unsigned.strip_suffix('.').unwrap_or(unsigned);
        BigDecimal::from_str(plain)
            .map(Self)
            .map_err(|e| TextError::new(format!("`{text}` is not a decimal number: {e}")))
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.to_plain_string())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl FromStr for Decimal {
    type Err = TextError;
    fn from_str(text: &str) -> Result<Self, TextError> {
        Self::from_text(text)
    }
}

macro_rules! bounded_integer {
    ($(#[$doc:meta])* $name:ident, $xsd:literal, $ok:expr, $bound:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            #[doc = concat!("Wraps `value` if it is ", $bound, ".")]
            pub fn new(value: i64) -> Result<Self, TextError> {
                let ok: fn(i64) -> bool = $ok;
                if ok(value) {
                    Ok(Self(value))
                } else {
                    Err(TextError::new(format!(
                        concat!("{} is not ", $bound, " (", $xsd, ")"),
                        value
                    )))
                }
            }

            /// The value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl XmlText for $name {
            fn from_text(text: &str) -> Result<Self, TextError> {
                Self::new(i64::from_text(text)?)
            }
            fn to_text(&self) -> Cow<'_, str> {
                self.0.to_text()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

bounded_integer!(
    /// `xs:negativeInteger` (within the range of `i64`).
    NegativeInteger, "xs:negativeInteger", |v| v < 0, "negative"
);
bounded_integer!(
    /// `xs:nonPositiveInteger` (within the range of `i64`).
    NonPositiveInteger, "xs:nonPositiveInteger", |v| v <= 0, "zero or negative"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_every_digit() {
        for (text, written) in [
            ("1.50", "1.50"),
            ("+12", "12"),
            ("-0.001", "-0.001"),
            (".5", "0.5"),
            ("7.", "7"),
            (" 3 ", "3"),
            (
                "123456789012345678901234567890.123456789",
                "123456789012345678901234567890.123456789",
            ),
        ] {
            let value = Decimal::from_text(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(value.to_text(), written, "{text}");
            assert_eq!(Decimal::from_text(&value.to_text()).unwrap(), value);
        }
        for bad in ["", ".", "1e5", "1.2.3", "+-1", "INF", "1 2", "0x10"] {
            assert!(Decimal::from_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bounded_integers() {
        assert_eq!(NegativeInteger::from_text("-1").unwrap().get(), -1);
        assert!(NegativeInteger::from_text("0").is_err());
        assert_eq!(NonPositiveInteger::from_text("0").unwrap().get(), 0);
        assert_eq!(
            NonPositiveInteger::from_text("1").unwrap_err().0,
            "1 is not zero or negative (xs:nonPositiveInteger)"
        );
    }
}

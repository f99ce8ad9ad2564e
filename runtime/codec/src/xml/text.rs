//! [`XmlText`]: values written as XML text, and its implementations for built-in types.

use std::borrow::Cow;

use super::TextError;

/// A value that is written as XML text (element content or attribute value).
///
/// Implemented for `String` (kept verbatim), `bool`, the integer types (surrounding whitespace
/// is ignored; values out of the type's range are errors, never wrapped), `f32`/`f64`, and
/// `Vec<u8>` as `xs:base64Binary` (whitespace ignored, strict alphabet and padding).
pub trait XmlText: Sized {
    /// Parses the text.
    fn from_text(text: &str) -> Result<Self, TextError>;
    /// The text form.
    fn to_text(&self) -> Cow<'_, str>;
}

/// XML whitespace: space, tab, line feed, carriage return.
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn trim_xml(text: &str) -> &str {
    text.trim_matches(is_xml_space)
}

impl XmlText for String {
    fn from_text(text: &str) -> Result<Self, TextError> {
        Ok(text.to_owned())
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl XmlText for bool {
    fn from_text(text: &str) -> Result<Self, TextError> {
        match trim_xml(text) {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(TextError::new("expected `true`, `false`, `1` or `0`")),
        }
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

macro_rules! integer {
    ($($ty:ident)*) => {$(
        impl XmlText for $ty {
            fn from_text(text: &str) -> Result<Self, TextError> {
                let trimmed = trim_xml(text);
                let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
                if digits.is_empty() {
                    return Err(TextError::new(if trimmed.is_empty() {
                        "empty integer".to_owned()
                    } else {
                        format!("`{trimmed}` has no digits")
                    }));
                }
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(TextError::new(format!("`{trimmed}` is not an integer")));
                }
                trimmed.parse::<$ty>().map_err(|_| {
                    TextError::new(format!(
                        "integer {trimmed} is out of range for {}",
                        stringify!($ty)
                    ))
                })
            }
            fn to_text(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}

integer!(i8 i16 i32 i64 u8 u16 u32 u64);

macro_rules! float {
    ($($ty:ident)*) => {$(
        impl XmlText for $ty {
            fn from_text(text: &str) -> Result<Self, TextError> {
                let trimmed = trim_xml(text);
                match trimmed {
                    "INF" | "+INF" => return Ok($ty::INFINITY),
                    "-INF" => return Ok($ty::NEG_INFINITY),
                    "NaN" => return Ok($ty::NAN),
                    _ => {}
                }
                let lexical = trimmed
                    .bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
                if !lexical || !trimmed.bytes().any(|b| b.is_ascii_digit()) {
                    return Err(TextError::new(format!(
                        "`{trimmed}` is not a number (expected e.g. `1.5`, `-2E3`, `INF` or `NaN`)"
                    )));
                }
                trimmed
                    .parse::<$ty>()
                    .map_err(|e| TextError::new(format!("`{trimmed}` is not a number: {e}")))
            }
            fn to_text(&self) -> Cow<'_, str> {
                Cow::Owned(if self.is_nan() {
                    "NaN".to_owned()
                } else if self.is_infinite() {
                    if *self > 0.0 { "INF" } else { "-INF" }.to_owned()
                } else {
                    format!("{self:?}")
                })
            }
        }
    )*};
}

float!(f32 f64);

/// `xs:positiveInteger`.
impl XmlText for std::num::NonZeroU64 {
    fn from_text(text: &str) -> Result<Self, TextError> {
        let value = u64::from_text(text)?;
        Self::new(value).ok_or_else(|| TextError::new("0 is not positive (xs:positiveInteger)"))
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_string())
    }
}

impl XmlText for Vec<u8> {
    fn from_text(text: &str) -> Result<Self, TextError> {
        use base64::Engine as _;
        let engine = &base64::engine::general_purpose::STANDARD;
        let result = if text.contains(is_xml_space) {
            let compact: String = text.chars().filter(|&c| !is_xml_space(c)).collect();
            engine.decode(compact)
        } else {
            engine.decode(text)
        };
        result.map_err(|e| TextError::new(format!("invalid base64: {e}")))
    }
    fn to_text(&self) -> Cow<'_, str> {
        use base64::Engine as _;
        Cow::Owned(base64::engine::general_purpose::STANDARD.encode(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_verbatim() {
        assert_eq!(String::from_text("  a b \n").unwrap(), "  a b \n");
        assert_eq!("x".to_owned().to_text(), "x");
    }

    #[test]
    fn booleans() {
        for (text, value) in [
            ("true", true),
            (" 1 ", true),
            ("false", false),
            ("\n0\t", false),
        ] {
            assert_eq!(bool::from_text(text).unwrap(), value, "{text:?}");
        }
        for text in ["TRUE", "yes", "", "2", "t rue"] {
            assert!(bool::from_text(text).is_err(), "{text:?}");
        }
        assert_eq!(true.to_text(), "true");
        assert_eq!(false.to_text(), "false");
    }

    #[test]
    fn integers() {
        assert_eq!(i64::from_text(" 42 ").unwrap(), 42);
        assert_eq!(i64::from_text("+42").unwrap(), 42);
        assert_eq!(i64::from_text("-42").unwrap(), -42);
        assert_eq!(u8::from_text("255").unwrap(), 255);
        assert_eq!(i8::from_text("-128").unwrap(), -128);
        assert_eq!(i64::from_text("007").unwrap(), 7);
        let err = i64::from_text("99999999999999999999").unwrap_err();
        assert_eq!(
            err.0,
            "integer 99999999999999999999 is out of range for i64"
        );
        assert_eq!(
            u8::from_text("256").unwrap_err().0,
            "integer 256 is out of range for u8"
        );
        assert!(
            u32::from_text("-1")
                .unwrap_err()
                .0
                .contains("out of range for u32")
        );
        assert_eq!(i32::from_text("").unwrap_err().0, "empty integer");
        assert_eq!(i32::from_text("+").unwrap_err().0, "`+` has no digits");
        assert_eq!(
            i32::from_text("1.0").unwrap_err().0,
            "`1.0` is not an integer"
        );
        assert_eq!(
            i32::from_text("abc").unwrap_err().0,
            "`abc` is not an integer"
        );
        assert!(i32::from_text("+-1").is_err());
        assert!(i32::from_text("1 2").is_err());
        assert_eq!(i64::MIN.to_text(), "-9223372036854775808");
        assert_eq!(u64::MAX.to_text(), "18446744073709551615");
    }

    #[test]
    fn floats() {
        assert_eq!(f64::from_text("1.5").unwrap(), 1.5);
        assert_eq!(f64::from_text(" -2E3 ").unwrap(), -2000.0);
        assert_eq!(f64::from_text(".5").unwrap(), 0.5);
        assert_eq!(f64::from_text("INF").unwrap(), f64::INFINITY);
        assert_eq!(f64::from_text("-INF").unwrap(), f64::NEG_INFINITY);
        assert!(f64::from_text("NaN").unwrap().is_nan());
        assert_eq!(f32::from_text("0.25").unwrap(), 0.25);
        for text in ["inf", "infinity", "nan", "", "1.5.5", "abc", "e5", "0x10"] {
            assert!(f64::from_text(text).is_err(), "{text:?}");
        }
        assert_eq!(f64::INFINITY.to_text(), "INF");
        assert_eq!(f64::NEG_INFINITY.to_text(), "-INF");
        assert_eq!(f64::NAN.to_text(), "NaN");
        assert_eq!(1.0f64.to_text(), "1.0");
        for value in [0.1f64, 1e300, -1e-300, 123.456] {
            assert_eq!(f64::from_text(&value.to_text()).unwrap(), value);
        }
    }

    #[test]
    fn base64() {
        assert_eq!(Vec::<u8>::from_text("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(Vec::<u8>::from_text(" aGVs\n bG8=\r\n").unwrap(), b"hello");
        assert_eq!(Vec::<u8>::from_text("").unwrap(), b"");
        for text in [
            "aGVsbG8",
            "aGVsbG8==",
            "aGVs*G8=",
            "aGVsbG9=",
            "aGVsbG8=aGVs",
            "a",
        ] {
            let err = Vec::<u8>::from_text(text).unwrap_err();
            assert!(err.0.starts_with("invalid base64: "), "{text:?}: {err}");
        }
        let bytes: Vec<u8> = (0..=255).collect();
        let text = bytes.to_text();
        assert!(!text.contains('\n'));
        assert_eq!(Vec::<u8>::from_text(&text).unwrap(), bytes);
    }
}

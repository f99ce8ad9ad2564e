//! `xs:hexBinary` (`xs:base64Binary` is `Vec<u8>`).

use std::borrow::Cow;
use std::fmt;

use super::strings::collapse_whitespace;
use crate::xml::{TextError, XmlText};

/// `xs:hexBinary`: bytes written as hexadecimal digits (read in either case, written in upper
/// case, the canonical form).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct HexBinary(pub Vec<u8>);

impl XmlText for HexBinary {
    fn from_text(text: &str) -> Result<Self, TextError> {
        let text = collapse_whitespace(text);
        hex::decode(text.as_bytes())
            .map(Self)
            .map_err(|e| TextError::new(format!("invalid hexadecimal: {e}")))
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(hex::encode_upper(&self.0))
    }
}

impl fmt::Display for HexBinary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let value = HexBinary::from_text(" 0fA1 ").unwrap();
        assert_eq!(value.0, [0x0f, 0xa1]);
        assert_eq!(value.to_text(), "0FA1");
        assert_eq!(HexBinary::from_text("").unwrap().0, Vec::<u8>::new());
        for bad in ["0", "0g", "0 f"] {
            assert!(HexBinary::from_text(bad).is_err(), "{bad:?}");
        }
    }
}

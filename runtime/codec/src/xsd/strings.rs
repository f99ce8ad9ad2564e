//! The string types of XML Schema: whitespace-normalised and name-like strings, each a newtype
//! over `String` that holds the value after the type's whitespace processing and refuses text
//! outside its lexical space.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use crate::xml::{TextError, XmlText};

/// XML whitespace: space, tab, line feed, carriage return.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `whiteSpace="replace"`: every tab, line feed and carriage return becomes a space.
pub(crate) fn replace_whitespace(text: &str) -> Cow<'_, str> {
    if text.contains(['\t', '\n', '\r']) {
        Cow::Owned(text.replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(text)
    }
}

/// `whiteSpace="collapse"`: whitespace runs become one space, leading and trailing ones go.
pub(crate) fn collapse_whitespace(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim_matches(is_space);
    let collapsed = !trimmed.contains(['\t', '\n', '\r']) && !trimmed.contains("  ");
    if collapsed {
        Cow::Borrowed(trimmed)
    } else {
        Cow::Owned(
            trimmed
                .split(is_space)
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// XML 1.0 `NameStartChar`, without `:`.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 `NameChar`, without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `text` is an `NCName` (a name without a colon).
pub fn is_ncname(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// Whether `text` is an XML `Name` (colons allowed).
fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c == ':' || is_name_start(c))
        && chars.all(|c| c == ':' || is_name_char(c))
}

/// Whether `text` is an `NMTOKEN`.
fn is_nmtoken(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c == ':' || is_name_char(c))
}

/// Whether `text` is a `language` tag: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`.
fn is_language(text: &str) -> bool {
    let mut parts = text.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

macro_rules! string_type {
    ($(#[$doc:meta])* $name:ident, $xsd:literal, $whitespace:path, $check:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Checks `value` (after the whitespace processing of `xs:", $xsd, "`) and wraps it.")]
            pub fn new(value: impl AsRef<str>) -> Result<Self, TextError> {
                let value = $whitespace(value.as_ref());
                let check: fn(&str) -> bool = $check;
                if check(&value) {
                    Ok(Self(value.into_owned()))
                } else {
                    Err(TextError::new(format!(concat!("`{}` is not ", $what), value)))
                }
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl XmlText for $name {
            fn from_text(text: &str) -> Result<Self, TextError> {
                Self::new(text)
            }
            fn to_text(&self) -> Cow<'_, str> {
                Cow::Borrowed(&self.0)
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = TextError;
            fn from_str(text: &str) -> Result<Self, TextError> {
                Self::new(text)
            }
        }
    };
}

string_type!(
    /// `xs:normalizedString`: a string whose tabs and line breaks are read as spaces.
    NormalizedString, "normalizedString", replace_whitespace, |_| true, "a normalized string"
);
string_type!(
    /// `xs:token`: a string read with whitespace collapsed (no leading, trailing or repeated
    /// spaces).
    Token, "token", collapse_whitespace, |_| true, "a token"
);
string_type!(
    /// `xs:language`: a language tag such as `en` or `et-EE`.
    Language, "language", collapse_whitespace, is_language, "a language tag"
);
string_type!(
    /// `xs:Name`: an XML name.
    Name, "Name", collapse_whitespace, is_name, "an XML name"
);
string_type!(
    /// `xs:NCName`: an XML name without a colon.
    NcName, "NCName", collapse_whitespace, is_ncname, "an NCName (a name without colon)"
);
string_type!(
    /// `xs:NMTOKEN`: a name token.
    NmToken, "NMTOKEN", collapse_whitespace, is_nmtoken, "a name token"
);
string_type!(
    /// `xs:ID`: an identifier of an element, unique in its document (the uniqueness is the
    /// document's to keep; the type checks the NCName).
    Id, "ID", collapse_whitespace, is_ncname, "an ID (an NCName)"
);
string_type!(
    /// `xs:IDREF`: a reference to the `xs:ID` of an element of the same document.
    IdRef, "IDREF", collapse_whitespace, is_ncname, "an IDREF (an NCName)"
);
string_type!(
    /// `xs:ENTITY`: the name of an unparsed entity.
    Entity, "ENTITY", collapse_whitespace, is_ncname, "an ENTITY (an NCName)"
);
string_type!(
    /// `xs:anyURI`: a URI reference, kept as written (whitespace collapsed).
    AnyUri, "anyURI", collapse_whitespace, |_| true, "a URI"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_processing() {
        assert_eq!(
            NormalizedString::from_text("a\tb\nc").unwrap().as_str(),
            "a b c"
        );
        assert_eq!(Token::from_text("  a \t\n b  ").unwrap().as_str(), "a b");
        assert_eq!(Token::from_text("a b").unwrap().to_text(), "a b");
        assert_eq!(
            AnyUri::from_text(" http://x/ ").unwrap().as_str(),
            "http://x/"
        );
    }

    #[test]
    fn names_and_language_tags() {
        for ok in ["a", "_x.y-z", "é1", "ab·c"] {
            assert!(NcName::new(ok).is_ok(), "{ok}");
            assert!(Id::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1a", "a:b", "-a", "a b"] {
            assert!(NcName::new(bad).is_err(), "{bad:?}");
            assert!(IdRef::new(bad).is_err(), "{bad:?}");
        }
        assert!(Name::new("a:b").is_ok());
        assert!(Name::new(":").is_ok());
        assert!(NmToken::new("1a-b").is_ok());
        assert!(NmToken::new("").is_err());
        for ok in ["en", "et-EE", "x-private1", " de-1996 "] {
            assert!(Language::new(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a--b", "en_GB", "e1", "en-", "abcdefghi"] {
            assert!(Language::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Id::new("1x").unwrap_err().0,
            "`1x` is not an ID (an NCName)"
        );
    }
}

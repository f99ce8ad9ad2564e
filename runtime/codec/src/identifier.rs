//! X-Road identifier codes and the textual form of identifiers (`SUBSYSTEM:EE/COM/client/sub`).
//!
//! The identifier types themselves are generated from the identifier schema; they use
//! [`Code`] for every code, the helpers here for `Display`/`FromStr`, and a table of
//! [`Shape`]s with [`check_shape`] for `validate`.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use crate::xml::{TextError, XmlText};

/// Longest code allowed, in characters.
pub const MAX_CODE_LEN: usize = 255;

/// A validated identifier code (instance, member class, member code, subsystem code, …):
/// 1–255 characters, none of `: ; % / \`, no control characters, no U+FEFF or U+200B.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

/// Why a string is not a valid [`Code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The empty string.
    #[error("code is empty")]
    Empty,
    /// More than [`MAX_CODE_LEN`] characters.
    #[error("code is {0} characters long, at most 255 allowed")]
    TooLong(usize),
    /// A forbidden character at a character index.
    #[error("code contains forbidden character {ch:?} at position {position}")]
    ForbiddenChar {
        /// The character.
        ch: char,
        /// Its index in characters.
        position: usize,
    },
}

/// Why a string is not a valid identifier in textual form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// No `:` after the object type.
    #[error("identifier `{0}` has no `TYPE:` prefix")]
    MissingObjectType(String),
    /// An object type this identifier type does not allow.
    #[error("object type `{found}` is not allowed here, expected one of {expected}")]
    ObjectType {
        /// Object type found.
        found: String,
        /// Allowed object types, comma-separated.
        expected: String,
    },
    /// The codes present do not match the object type.
    #[error("object type `{object_type}` needs {expected}, found {found} code(s)")]
    Shape {
        /// The object type.
        object_type: String,
        /// Description of the codes needed.
        expected: String,
        /// Number of codes found.
        found: usize,
    },
    /// A code is invalid.
    #[error("code {index} of identifier: {source}")]
    Code {
        /// 1-based index of the code.
        index: usize,
        /// What is wrong with it.
        source: CodeError,
    },
}

impl Code {
    /// Validates and wraps a code.
    pub fn new(code: impl Into<String>) -> Result<Self, CodeError> {
        let code = code.into();
        // Fast path: printable ASCII without the forbidden characters. Every byte is one
        // character, so the length in characters is the length in bytes.
        if code.bytes().all(is_plain_ascii) {
            return match code.len() {
                0 => Err(CodeError::Empty),
                length if length > MAX_CODE_LEN => Err(CodeError::TooLong(length)),
                _ => Ok(Self(code)),
            };
        }
        let mut length = 0;
        for (position, ch) in code.chars().enumerate() {
            if is_forbidden(ch) {
                return Err(CodeError::ForbiddenChar { ch, position });
            }
            length = position + 1;
        }
        if length == 0 {
            return Err(CodeError::Empty);
        }
        if length > MAX_CODE_LEN {
            return Err(CodeError::TooLong(length));
        }
        Ok(Self(code))
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits `TYPE:code/code/…` into the object type and validated codes.
pub fn split(text: &str) -> Result<(&str, Vec<Code>), IdentifierError> {
    let (object_type, codes) = text
        .split_once(':')
        .ok_or_else(|| IdentifierError::MissingObjectType(text.to_owned()))?;
    let codes = codes
        .split('/')
        .enumerate()
        .map(|(index, code)| {
            Code::new(code).map_err(|source| IdentifierError::Code {
                index: index + 1,
                source,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((object_type, codes))
}

/// A combination of codes an object type allows: the object type as written (`MEMBER`) and
/// the names of the codes present, in the order of the identifier type's elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    /// The object type, as written in the `objectType` attribute.
    pub object_type: &'static str,
    /// The element names of the codes present.
    pub codes: &'static [&'static str],
}

impl Shape {
    /// The shape of `object_type` with `codes` present.
    pub const fn new(object_type: &'static str, codes: &'static [&'static str]) -> Self {
        Self { object_type, codes }
    }
}

/// Checks that the codes present (`present`: each code's element name and whether the value
/// has it, in element order) form one of the `shapes` of `object_type`.
///
/// An object type with no shape is an [`IdentifierError::ObjectType`]; codes that fit none of
/// its shapes are an [`IdentifierError::Shape`] that says how many codes it takes.
pub fn check_shape(
    object_type: &str,
    present: &[(&str, bool)],
    shapes: &[Shape],
) -> Result<(), IdentifierError> {
    let mut own = shapes
        .iter()
        .filter(|s| s.object_type == object_type)
        .peekable();
    if own.peek().is_none() {
        let mut types: Vec<&str> = Vec::new();
        for shape in shapes {
            if !types.contains(&shape.object_type) {
                types.push(shape.object_type);
            }
        }
        return Err(IdentifierError::ObjectType {
            found: object_type.to_owned(),
            expected: types.join(", "),
        });
    }
    let names = present
        .iter()
        .filter(|(_, there)| *there)
        .map(|(name, _)| *name);
    let mut counts: Vec<usize> = Vec::new();
    for shape in own {
        if shape.codes.iter().copied().eq(names.clone()) {
            return Ok(());
        }
        if !counts.contains(&shape.codes.len()) {
            counts.push(shape.codes.len());
        }
    }
    counts.sort_unstable();
    let plural = if counts == [1] { "code" } else { "codes" };
    let counts: Vec<String> = counts.iter().map(usize::to_string).collect();
    let expected = match counts.split_last() {
        Some((last, [])) => format!("{last} {plural}"),
        Some((last, rest)) => format!("{} or {last} {plural}", rest.join(", ")),
        None => format!("0 {plural}"),
    };
    Err(IdentifierError::Shape {
        object_type: object_type.to_owned(),
        expected,
        found: names.count(),
    })
}

/// Whether a byte is a printable ASCII character (U+0020–U+007E) allowed in a code.
fn is_plain_ascii(b: u8) -> bool {
    matches!(b, 0x20..=0x7E) && !matches!(b, b':' | b';' | b'%' | b'/' | b'\\')
}

/// Whether a character may not occur in a code: the reference's forbidden characters,
/// control characters, and U+FFFE and U+FFFF, which XML cannot carry.
fn is_forbidden(ch: char) -> bool {
    matches!(
        ch,
        ':' | ';' | '%' | '/' | '\\' | '\u{FEFF}' | '\u{200B}' | '\u{FFFE}' | '\u{FFFF}'
    ) || ch.is_control()
}

impl FromStr for Code {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for Code {
    type Error = CodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl TryFrom<&str> for Code {
    type Error = CodeError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> Self {
        code.0
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Deref for Code {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Code {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Code> for str {
    fn eq(&self, other: &Code) -> bool {
        self == other.0
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.0
    }
}

impl XmlText for Code {
    fn from_text(text: &str) -> Result<Self, TextError> {
        Self::new(text).map_err(TextError::new)
    }
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

#[cfg(test)]
mod tests {
    const SHAPES: &[Shape] = &[
        Shape::new("MEMBER", &["instance", "class", "code"]),
        Shape::new("SUBSYSTEM", &["instance", "class", "code", "subsystem"]),
        Shape::new("SERVICE", &["instance", "class", "code", "service"]),
        Shape::new(
            "SERVICE",
            &["instance", "class", "code", "subsystem", "service"],
        ),
    ];

    fn present(subsystem: bool, service: bool) -> [(&'static str, bool); 5] {
        [
            ("instance", true),
            ("class", true),
            ("code", true),
            ("subsystem", subsystem),
            ("service", service),
        ]
    }

    #[test]
    fn shapes_are_checked_against_the_table() {
        assert_eq!(
            check_shape("MEMBER", &present(false, false), SHAPES),
            Ok(())
        );
        assert_eq!(check_shape("SERVICE", &present(true, true), SHAPES), Ok(()));
        assert_eq!(
            check_shape("SERVICE", &present(false, true), SHAPES),
            Ok(())
        );
        assert_eq!(
            check_shape("MEMBER", &present(true, false), SHAPES),
            Err(IdentifierError::Shape {
                object_type: "MEMBER".to_owned(),
                expected: "3 codes".to_owned(),
                found: 4,
            })
        );
        assert_eq!(
            check_shape("SERVICE", &present(true, false), SHAPES),
            Err(IdentifierError::Shape {
                object_type: "SERVICE".to_owned(),
                expected: "4 or 5 codes".to_owned(),
                found: 4,
            })
        );
        assert_eq!(
            check_shape("SERVER", &present(false, false), SHAPES),
            Err(IdentifierError::ObjectType {
                found: "SERVER".to_owned(),
                expected: "MEMBER, SUBSYSTEM, SERVICE".to_owned(),
            })
        );
        let one = [Shape::new("X", &["a"])];
        let message = check_shape("X", &[("a", false)], &one)
            .unwrap_err()
            .to_string();
        assert_eq!(message, "object type `X` needs 1 code, found 0 code(s)");
    }

    use super::*;

    #[test]
    fn valid_codes() {
        for code in ["EE", "COM", "12345", "a b", "Ülo Õun", "日本", "x-y_z.1"] {
            assert_eq!(Code::new(code).unwrap(), code);
        }
    }

    #[test]
    fn empty_code() {
        assert_eq!(Code::new(""), Err(CodeError::Empty));
    }

    #[test]
    fn length_limit_counts_chars() {
        assert!(Code::new("a".repeat(255)).is_ok());
        assert_eq!(Code::new("a".repeat(256)), Err(CodeError::TooLong(256)));
        // 255 two-byte characters are 510 bytes but 255 characters.
        assert!(Code::new("ä".repeat(255)).is_ok());
        assert_eq!(Code::new("ä".repeat(256)), Err(CodeError::TooLong(256)));
        assert!(Code::new("日".repeat(255)).is_ok());
    }

    #[test]
    fn forbidden_characters() {
        for ch in [
            ':', ';', '%', '/', '\\', '\u{FEFF}', '\u{200B}', '\0', '\n', '\t', '\r', '\u{7F}',
            '\u{85}',
        ] {
            let code = format!("ab{ch}c");
            assert_eq!(
                Code::new(code.clone()),
                Err(CodeError::ForbiddenChar { ch, position: 2 }),
                "{code:?}"
            );
        }
        assert_eq!(
            Code::new("ää:"),
            Err(CodeError::ForbiddenChar {
                ch: ':',
                position: 2
            })
        );
        assert_eq!(
            Code::new("\u{FEFF}EE"),
            Err(CodeError::ForbiddenChar {
                ch: '\u{FEFF}',
                position: 0
            })
        );
        assert_eq!(
            Code::new("E\u{200B}E"),
            Err(CodeError::ForbiddenChar {
                ch: '\u{200B}',
                position: 1
            })
        );
        let message = Code::new("a/b").unwrap_err().to_string();
        assert_eq!(
            message,
            "code contains forbidden character '/' at position 1"
        );
    }

    #[test]
    fn conversions() {
        let code: Code = "EE".parse().unwrap();
        assert_eq!(code, "EE");
        assert_eq!(*"EE", code);
        assert_eq!(Code::try_from("EE").unwrap(), code);
        assert_eq!(Code::try_from("EE".to_owned()).unwrap(), code);
        assert!(Code::try_from("").is_err());
        assert_eq!(code.len(), 2);
        assert_eq!(code.as_ref() as &str, "EE");
        assert_eq!(code.to_string(), "EE");
        assert_eq!(String::from(code.clone()), "EE");
        let set: std::collections::HashSet<Code> = [code.clone()].into_iter().collect();
        assert!(set.contains("EE"));
    }

    #[test]
    fn xml_text() {
        assert_eq!(Code::from_text("EE").unwrap(), "EE");
        assert_eq!(Code::from_text("").unwrap_err().0, "code is empty");
        assert_eq!(Code::new("COM").unwrap().to_text(), "COM");
    }

    #[test]
    fn split_identifiers() {
        let (object_type, codes) = split("SUBSYSTEM:EE/COM/client/subsystem").unwrap();
        assert_eq!(object_type, "SUBSYSTEM");
        assert_eq!(codes, ["EE", "COM", "client", "subsystem"]);
        let (object_type, codes) = split("MEMBER:EE/COM/client").unwrap();
        assert_eq!((object_type, codes.len()), ("MEMBER", 3));
        assert_eq!(
            split("EE/COM/client"),
            Err(IdentifierError::MissingObjectType(
                "EE/COM/client".to_owned()
            ))
        );
        assert_eq!(
            split("MEMBER:EE//X"),
            Err(IdentifierError::Code {
                index: 2,
                source: CodeError::Empty
            })
        );
        assert_eq!(
            split("MEMBER:EE/COM/a;b"),
            Err(IdentifierError::Code {
                index: 3,
                source: CodeError::ForbiddenChar {
                    ch: ';',
                    position: 1
                }
            })
        );
        assert!(matches!(
            split("SERVER:EE/COM/x:y"),
            Err(IdentifierError::Code { index: 3, .. })
        ));
        assert_eq!(
            split("MEMBER:"),
            Err(IdentifierError::Code {
                index: 1,
                source: CodeError::Empty
            })
        );
    }
}

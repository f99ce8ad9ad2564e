//! Errors of XML reading and writing. Every error carries the path of the element it concerns.

use std::fmt;

/// An XML error at a path such as `/Envelope/Body/clientReg/client/memberCode`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct Error {
    /// Slash-separated local names from the root to the element concerned; an attribute is
    /// appended as `/@name`. `/` when no element has been read yet.
    pub path: String,
    /// Byte offset in the input where the problem was found (0 when writing).
    pub position: u64,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed XML (or not UTF-8).
    #[error("malformed XML: {0}")]
    Syntax(String),
    /// A document type declaration; DTDs are never processed.
    #[error("DTD declarations are not allowed")]
    Dtd,
    /// An entity reference other than the five predefined ones or a character reference.
    #[error("unknown entity `&{0};`")]
    UnknownEntity(String),
    /// A prefix without a namespace declaration in scope.
    #[error("undeclared namespace prefix `{0}`")]
    UnboundPrefix(String),
    /// An element with the expected local name but in another namespace.
    #[error("element `{name}` is in namespace `{found}`, expected `{expected}`")]
    WrongNamespace {
        /// Local name.
        name: String,
        /// Namespace found (empty for none).
        found: String,
        /// Namespace expected (empty for none).
        expected: String,
    },
    /// An element that is not allowed at this place.
    #[error("unexpected element `{found}`, expected {expected}")]
    UnexpectedElement {
        /// `{namespace}local` of the element found.
        found: String,
        /// What was allowed, e.g. `` `{ns}client` `` or `end of element`.
        expected: String,
    },
    /// A required element is missing.
    #[error("missing element `{expected}`{}", found.as_ref().map(|f| format!(", found `{f}`")).unwrap_or_default())]
    MissingElement {
        /// `{namespace}local` of the required element.
        expected: String,
        /// The element found instead, if any.
        found: Option<String>,
    },
    /// An element that may occur once occurs again (in content read in any order).
    #[error("element `{0}` occurs more than once")]
    DuplicateElement(String),
    /// An element occurs more often than `maxOccurs` allows.
    #[error("element `{name}` occurs more than {max} times")]
    TooMany {
        /// `{namespace}local`.
        name: String,
        /// `maxOccurs`.
        max: u32,
    },
    /// An element occurs less often than `minOccurs` requires.
    #[error("element `{name}` occurs {found} times, at least {min} required")]
    TooFew {
        /// `{namespace}local`.
        name: String,
        /// `minOccurs`.
        min: u32,
        /// Occurrences found.
        found: u32,
    },
    /// A required attribute is missing.
    #[error("missing attribute `{0}`")]
    MissingAttribute(String),
    /// An attribute that is not declared for this element.
    #[error("unexpected attribute `{0}`")]
    UnexpectedAttribute(String),
    /// An attribute occurs twice.
    #[error("duplicate attribute `{0}`")]
    DuplicateAttribute(String),
    /// A `fixed` attribute with another value.
    #[error("attribute `{name}` must be `{expected}`, found `{found}`")]
    FixedValue {
        /// `{namespace}local`.
        name: String,
        /// The fixed value.
        expected: String,
        /// The value found.
        found: String,
    },
    /// Non-whitespace text where only elements are allowed.
    #[error("unexpected text `{0}`")]
    UnexpectedText(String),
    /// A text or attribute value that does not parse as its type.
    #[error("invalid value `{value}`: {reason}")]
    InvalidValue {
        /// The value (cut to 64 characters).
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A value that parsed but violates a constraint of its type (e.g. identifier shape).
    #[error("{0}")]
    Invalid(String),
    /// Content after the root element.
    #[error("content after the root element")]
    TrailingContent,
    /// The input ended inside an element.
    #[error("unexpected end of input")]
    UnexpectedEof,
    /// A character that XML 1.0 cannot represent, found while writing.
    #[error("character U+{0:04X} cannot be written in XML 1.0")]
    UnwritableChar(u32),
}

/// Why a text value does not parse as its type; the reader adds the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TextError(pub String);

impl TextError {
    /// Creates an error with the given reason.
    pub fn new(reason: impl fmt::Display) -> Self {
        Self(reason.to_string())
    }
}

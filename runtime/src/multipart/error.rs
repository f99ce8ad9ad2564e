//! Error types of the `multipart/related` framing.

use thiserror::Error;

/// Why a boundary string is not valid per RFC 2046 §5.1.1.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BoundaryError {
    /// The boundary is empty.
    #[error("boundary is empty")]
    Empty,
    /// The boundary is longer than 70 characters.
    #[error("boundary is {len} characters long, at most 70 are allowed")]
    TooLong {
        /// Length of the rejected boundary.
        len: usize,
    },
    /// The boundary contains a character outside the RFC 2046 `bchars` set.
    #[error("boundary contains the invalid character {ch:?} at index {index}")]
    InvalidCharacter {
        /// The offending character.
        ch: char,
        /// Its byte index in the boundary.
        index: usize,
    },
    /// The boundary ends in a space.
    #[error("boundary ends in a space")]
    TrailingSpace,
}

/// Why a `Content-Type` header value could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ContentTypeError {
    /// The value contains non-ASCII characters.
    #[error("Content-Type contains non-ASCII characters")]
    NonAscii,
    /// The value does not start with a media type token.
    #[error("Content-Type has no media type")]
    MissingMediaType,
    /// The media type has no `/subtype`.
    #[error("Content-Type media type has no subtype")]
    MissingSubtype,
    /// An unexpected character was found where `;`, a token or `=` was expected.
    #[error("unexpected character {ch:?} at index {position} in Content-Type")]
    UnexpectedCharacter {
        /// The offending character.
        ch: char,
        /// Its byte index in the header value.
        position: usize,
    },
    /// A parameter has no `=value`.
    #[error("Content-Type parameter {name:?} has no value")]
    MissingParameterValue {
        /// Name of the parameter.
        name: String,
    },
    /// A quoted-string is not closed.
    #[error("unterminated quoted string starting at index {position} in Content-Type")]
    UnterminatedQuotedString {
        /// Byte index of the opening quote.
        position: usize,
    },
    /// A parameter occurs more than once (names compared case-insensitively).
    #[error("Content-Type parameter {name:?} occurs more than once")]
    DuplicateParameter {
        /// Name of the parameter.
        name: String,
    },
}

/// Why a `multipart/related` message could not be parsed.
///
/// Part indices are 0-based; header line numbers are 1-based within the part's header block.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MultipartError {
    /// The `Content-Type` header value is malformed.
    #[error(transparent)]
    ContentType(#[from] ContentTypeError),
    /// The media type is not `multipart/related`.
    #[error("expected multipart/related, got {media_type:?}")]
    NotMultipartRelated {
        /// The media type that was found.
        media_type: String,
    },
    /// The `Content-Type` has no `boundary` parameter.
    #[error("Content-Type has no boundary parameter")]
    MissingBoundary,
    /// The `boundary` parameter is not a valid RFC 2046 boundary.
    #[error("invalid boundary")]
    InvalidBoundary(#[from] BoundaryError),
    /// The body contains no delimiter line at all.
    #[error("body does not contain the first boundary delimiter")]
    MissingFirstDelimiter,
    /// The body has a preamble (bytes before the first delimiter other than one CRLF).
    #[error("body has a {len}-byte preamble before the first delimiter")]
    UnexpectedPreamble {
        /// Number of bytes before the first delimiter.
        len: usize,
    },
    /// The first delimiter is a closing delimiter: the message has no parts.
    #[error("message has no parts")]
    NoParts,
    /// No delimiter follows the part, so the body is not closed.
    #[error("part {part} is not followed by a delimiter (body not closed)")]
    UnclosedBody {
        /// Index of the unterminated part.
        part: usize,
    },
    /// Non-whitespace data follows the closing delimiter.
    #[error("data after the closing delimiter at byte offset {offset}")]
    TrailingData {
        /// Byte offset of the first non-whitespace byte of the epilogue.
        offset: usize,
    },
    /// The message has more parts than allowed.
    #[error("more than {limit} parts")]
    TooManyParts {
        /// The configured limit.
        limit: usize,
    },
    /// A part body is larger than allowed.
    #[error("part {part} is larger than {limit} bytes")]
    PartTooLarge {
        /// Index of the part.
        part: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A part's header block (including the blank line) is larger than allowed.
    #[error("header block of part {part} is larger than {limit} bytes")]
    HeaderBlockTooLarge {
        /// Index of the part.
        part: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A part has more header lines than allowed.
    #[error("part {part} has more than {limit} header lines")]
    TooManyHeaders {
        /// Index of the part.
        part: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A part's headers are not followed by a blank line.
    #[error("headers of part {part} are not followed by a blank line")]
    MissingBlankLine {
        /// Index of the part.
        part: usize,
    },
    /// A header line has no colon.
    #[error("header line {line} of part {part} has no colon")]
    HeaderWithoutColon {
        /// Index of the part.
        part: usize,
        /// 1-based line number within the header block.
        line: usize,
    },
    /// A header name is empty or not an RFC 7230 token.
    #[error("header line {line} of part {part} has an invalid name")]
    InvalidHeaderName {
        /// Index of the part.
        part: usize,
        /// 1-based line number within the header block.
        line: usize,
    },
    /// A header line contains control characters (e.g. a bare CR or LF).
    #[error("header line {line} of part {part} contains control characters")]
    InvalidHeaderValue {
        /// Index of the part.
        part: usize,
        /// 1-based line number within the header block.
        line: usize,
    },
    /// A header block contains non-ASCII bytes.
    #[error("headers of part {part} contain non-ASCII bytes")]
    NonAsciiHeader {
        /// Index of the part.
        part: usize,
    },
    /// A header line starts with whitespace (obsolete line folding, RFC 7230 §3.2.4).
    #[error("header line {line} of part {part} uses obsolete line folding")]
    ObsoleteLineFolding {
        /// Index of the part.
        part: usize,
        /// 1-based line number within the header block.
        line: usize,
    },
}

/// Why a message could not be written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A message needs at least one part.
    #[error("a multipart message needs at least one part")]
    NoParts,
    /// A header name is empty or not an RFC 7230 token.
    #[error("part {part} has an invalid header name {name:?}")]
    InvalidHeaderName {
        /// Index of the part.
        part: usize,
        /// The rejected name.
        name: String,
    },
    /// A header value contains non-ASCII or control characters other than tab.
    #[error("part {part} header {name:?} has an invalid value")]
    InvalidHeaderValue {
        /// Index of the part.
        part: usize,
        /// Name of the header.
        name: String,
    },
    /// A part body contains the delimiter, which would break the framing.
    #[error("part {part} body contains the boundary delimiter")]
    BoundaryInBody {
        /// Index of the part.
        part: usize,
    },
}

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

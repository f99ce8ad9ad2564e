//! [`Reader`]: a strict, namespace-aware pull reader over a byte slice.

use std::borrow::Cow;

use super::{Error, ErrorKind, XmlRead, XmlText};

/// A start tag the reader has returned. Names are resolved to namespace URIs.
#[derive(Debug, Clone)]
pub struct StartTag<'a> {
    _todo: std::marker::PhantomData<&'a ()>,
}

impl<'a> StartTag<'a> {
    /// Namespace URI of the element (empty for none).
    pub fn namespace(&self) -> &str {
        todo!()
    }
    /// Local name of the element.
    pub fn local_name(&self) -> &str {
        todo!()
    }
    /// The attributes, without namespace declarations, with names resolved.
    pub fn attributes(&self) -> impl Iterator<Item = Result<Attribute<'_>, Error>> + '_ {
        std::iter::empty()
    }
}

/// An attribute of a start tag.
#[derive(Debug, Clone)]
pub struct Attribute<'a> {
    _todo: std::marker::PhantomData<&'a ()>,
}

impl<'a> Attribute<'a> {
    /// Namespace URI (empty for unprefixed attributes).
    pub fn namespace(&self) -> &str {
        todo!()
    }
    /// Local name.
    pub fn local_name(&self) -> &str {
        todo!()
    }
    /// The unescaped value.
    pub fn value(&self) -> &str {
        todo!()
    }
}

/// A strict pull reader. Generated `XmlRead` implementations drive it; see the module docs.
pub struct Reader<'a> {
    _todo: std::marker::PhantomData<&'a ()>,
}

impl<'a> Reader<'a> {
    /// Creates a reader over UTF-8 input.
    pub fn new(input: &'a [u8]) -> Result<Self, Error> {
        let _ = input;
        todo!()
    }

    /// Reads the prolog (XML declaration, comments, processing instructions; a DTD is an error)
    /// and returns the root element's start tag.
    pub fn read_root(&mut self) -> Result<StartTag<'a>, Error> {
        todo!()
    }

    /// After the root element's end tag: only comments, processing instructions and
    /// whitespace may follow.
    pub fn finish(&mut self) -> Result<(), Error> {
        todo!()
    }

    /// Checks the name of a start tag; [`ErrorKind::WrongNamespace`] when only the namespace
    /// differs, [`ErrorKind::UnexpectedElement`] otherwise.
    pub fn expect_name(&self, start: &StartTag<'_>, namespace: &str, local: &str) -> Result<(), Error> {
        let _ = (start, namespace, local);
        todo!()
    }

    /// The name `(namespace, local)` of the next child element of the current element, without
    /// consuming it; `None` when the current element's end tag comes next. Whitespace, comments
    /// and processing instructions are skipped; other text is [`ErrorKind::UnexpectedText`].
    pub fn peek_child(&mut self) -> Result<Option<(&str, &str)>, Error> {
        todo!()
    }

    /// Consumes and returns the next child element's start tag (entering it), or `None` when
    /// the current element's end tag comes next (which is not consumed).
    pub fn next_child(&mut self) -> Result<Option<StartTag<'a>>, Error> {
        todo!()
    }

    /// Reads a required child element `{namespace}local` with `T::read`.
    pub fn required<T: XmlRead>(&mut self, namespace: &str, local: &str) -> Result<T, Error> {
        let _ = (namespace, local);
        todo!()
    }

    /// Reads an optional child element `{namespace}local` if it comes next.
    pub fn optional<T: XmlRead>(&mut self, namespace: &str, local: &str) -> Result<Option<T>, Error> {
        let _ = (namespace, local);
        todo!()
    }

    /// Reads consecutive child elements `{namespace}local`, at least `min` and (when `max` is
    /// `Some`) at most `max` of them.
    pub fn repeated<T: XmlRead>(
        &mut self,
        namespace: &str,
        local: &str,
        min: u32,
        max: Option<u32>,
    ) -> Result<Vec<T>, Error> {
        let _ = (namespace, local, min, max);
        todo!()
    }

    /// Consumes the end tag of the current element (leaving it); any child element still
    /// there is [`ErrorKind::UnexpectedElement`].
    pub fn end(&mut self) -> Result<(), Error> {
        todo!()
    }

    /// Reads the text content of the current element up to and including its end tag; a child
    /// element is an error. Character and predefined entity references are resolved, CDATA is
    /// taken as text, comments are skipped.
    pub fn read_text(&mut self) -> Result<Cow<'a, str>, Error> {
        todo!()
    }

    /// [`Reader::read_text`] parsed as `T`; a parse failure is [`ErrorKind::InvalidValue`].
    pub fn read_text_as<T: XmlText>(&mut self) -> Result<T, Error> {
        todo!()
    }

    /// Parses an attribute value as `T`; the error path ends in `/@name`.
    pub fn parse_attribute<T: XmlText>(&self, attribute: &Attribute<'_>) -> Result<T, Error> {
        let _ = attribute;
        todo!()
    }

    /// Checks that a `fixed` attribute has its value.
    pub fn check_fixed(&self, attribute: &Attribute<'_>, expected: &str) -> Result<(), Error> {
        let _ = (attribute, expected);
        todo!()
    }

    /// Fails with [`ErrorKind::UnexpectedAttribute`] if the start tag has any attribute
    /// (namespace declarations excepted).
    pub fn reject_attributes(&self, start: &StartTag<'_>) -> Result<(), Error> {
        let _ = start;
        todo!()
    }

    /// An error of the given kind at the current path and position.
    pub fn error(&self, kind: ErrorKind) -> Error {
        let _ = kind;
        todo!()
    }

    /// An error for an attribute: the path ends in `/@name`.
    pub fn attribute_error(&self, attribute: &Attribute<'_>, kind: ErrorKind) -> Error {
        let _ = (attribute, kind);
        todo!()
    }
}

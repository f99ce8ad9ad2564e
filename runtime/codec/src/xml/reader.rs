//! [`Reader`]: a strict, namespace-aware pull reader over a byte slice.
//!
//! The reader is built on quick-xml's borrowing slice reader and resolves namespaces itself, so
//! that names, namespace URIs, attribute values and text borrow from the input whenever no
//! unescaping is needed. The current element path is kept in one `String`; the reader never
//! recurses.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

use super::text::is_xml_space;
use super::{AnyContent, AnyElement, AnyNode, Error, ErrorKind, XmlRead, XmlText};

/// Namespace bound to the `xml` prefix.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// Namespace bound to the `xmlns` prefix.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// Deepest element nesting accepted; protects recursive `XmlRead` implementations.
const MAX_DEPTH: usize = 256;
/// Longest value quoted in error messages, in characters.
const MAX_QUOTED: usize = 64;

/// A start tag the reader has returned. Names are resolved to namespace URIs.
#[derive(Debug, Clone)]
pub struct StartTag<'a> {
    namespace: Cow<'a, str>,
    local: &'a str,
    attributes: Vec<Attribute<'a>>,
    position: u64,
    /// Length of the reader's bindings before this tag's namespace declarations.
    scope: usize,
}

impl<'a> StartTag<'a> {
    /// Namespace URI of the element (empty for none).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
    /// Local name of the element.
    pub fn local_name(&self) -> &str {
        self.local
    }
    /// The attributes, without namespace declarations, with names resolved.
    pub fn attributes(&self) -> impl Iterator<Item = Result<Attribute<'_>, Error>> + '_ {
        self.attributes
            .iter()
            .map(|attribute| Ok(attribute.clone()))
    }
    /// Byte offset of the start tag in the input.
    pub fn position(&self) -> u64 {
        self.position
    }
    /// The value of attribute `{namespace}local`, if the tag has it.
    pub fn attribute(&self, namespace: &str, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.local == local && a.namespace == namespace)
            .map(|a| &*a.value)
    }
    /// The same tag without attribute `{namespace}local`.
    pub fn without_attribute(&self, namespace: &str, local: &str) -> StartTag<'a> {
        let mut tag = self.clone();
        tag.attributes
            .retain(|a| !(a.local == local && a.namespace == namespace));
        tag
    }
    fn display_name(&self) -> String {
        display_name(&self.namespace, self.local)
    }
}

/// An attribute of a start tag.
#[derive(Debug, Clone)]
pub struct Attribute<'a> {
    namespace: Cow<'a, str>,
    qname: &'a str,
    local: &'a str,
    value: Cow<'a, str>,
    position: u64,
}

impl<'a> Attribute<'a> {
    /// Namespace URI (empty for unprefixed attributes).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }
    /// Local name.
    pub fn local_name(&self) -> &str {
        self.local
    }
    /// The unescaped value.
    pub fn value(&self) -> &str {
        &self.value
    }
    fn display_name(&self) -> String {
        display_name(&self.namespace, self.local)
    }
}

/// `{namespace}local`, or `local` for no namespace.
fn display_name(namespace: &str, local: &str) -> String {
    if namespace.is_empty() {
        local.to_owned()
    } else {
        format!("{{{namespace}}}{local}")
    }
}

/// The value cut to [`MAX_QUOTED`] characters for an error message.
fn quoted(value: &str) -> String {
    match value.char_indices().nth(MAX_QUOTED) {
        Some((index, _)) => format!("{}…", &value[..index]),
        None => value.to_owned(),
    }
}

/// A namespace binding in scope: `prefix` (empty for the default namespace) to `uri`.
#[derive(Debug)]
struct Binding<'a> {
    prefix: &'a str,
    uri: Cow<'a, str>,
}

/// What comes next in the current element, already read from the input.
#[derive(Debug)]
enum Peeked<'a> {
    /// A child's start tag; its namespace bindings are already in scope.
    Start(StartTag<'a>),
    /// The current element's end tag.
    End(u64),
}

/// Where the reader is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Prolog,
    Content,
    Epilog,
}

/// A strict pull reader. Generated `XmlRead` implementations drive it; see the module docs.
pub struct Reader<'a> {
    xml: quick_xml::Reader<&'a [u8]>,
    /// The whole input (after a byte order mark), validated as UTF-8.
    input: &'a str,
    /// Length of a skipped byte order mark, added to positions.
    offset: u64,
    /// The open elements, outermost first: local name (the path `/a/b/c` is only built for
    /// errors) and length of `bindings` before the element's declarations.
    frames: Vec<(&'a str, usize)>,
    /// Namespace bindings in scope, innermost last.
    bindings: Vec<Binding<'a>>,
    peeked: Option<Peeked<'a>>,
    /// Position of the last event read.
    position: u64,
    stage: Stage,
}

impl<'a> Reader<'a> {
    /// Creates a reader over UTF-8 input.
    pub fn new(input: &'a [u8]) -> Result<Self, Error> {
        let syntax = |position: usize, message: String| Error {
            path: "/".to_owned(),
            position: position as u64,
            kind: ErrorKind::Syntax(message),
        };
        let text = std::str::from_utf8(input)
            .map_err(|e| syntax(e.valid_up_to(), format!("input is not UTF-8: {e}")))?;
        if may_have_forbidden_chars(input) {
            Self::check_chars(text)?;
        }
        let (text, offset) = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => (rest, 3),
            None => (text, 0),
        };
        let mut xml = quick_xml::Reader::from_str(text);
        let config = xml.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.check_comments = true;
        config.allow_dangling_amp = false;
        config.allow_unmatched_ends = false;
        config.trim_text(false);
        Ok(Self {
            xml,
            input: text,
            offset,
            frames: Vec::with_capacity(16),
            bindings: Vec::with_capacity(8),
            peeked: None,
            position: offset,
            stage: Stage::Prolog,
        })
    }

    /// The exact check for characters XML 1.0 does not allow (C0 controls other than tab and
    /// line breaks, U+FFFE, U+FFFF), run when the fast scan found a candidate.
    fn check_chars(text: &str) -> Result<(), Error> {
        let syntax = |position: usize, message: String| Error {
            path: "/".to_owned(),
            position: position as u64,
            kind: ErrorKind::Syntax(message),
        };
        let input = text.as_bytes();
        if let Some(index) = text
            .bytes()
            .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        {
            return Err(syntax(
                index,
                format!("character U+{:04X} is not allowed in XML 1.0", input[index]),
            ));
        }
        if let Some((index, ch)) = text
            .char_indices()
            .find(|&(_, c)| matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        {
            return Err(syntax(
                index,
                format!("character U+{:04X} is not allowed in XML 1.0", ch as u32),
            ));
        }
        Ok(())
    }

    /// Reads the prolog (XML declaration, comments, processing instructions; a DTD is an error)
    /// and returns the root element's start tag.
    pub fn read_root(&mut self) -> Result<StartTag<'a>, Error> {
        if self.stage != Stage::Prolog {
            return Err(self.error(ErrorKind::Invalid(
                "the root element was already read".to_owned(),
            )));
        }
        let mut first = true;
        loop {
            let event = self.next_event()?;
            match event {
                Event::Decl(decl) => {
                    if !first {
                        return Err(self.syntax("XML declaration not at the start of the document"));
                    }
                    self.check_declaration(&decl)?;
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return Err(self.error(ErrorKind::Dtd)),
                Event::Text(text) => {
                    if !text
                        .iter()
                        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    {
                        return Err(self.syntax("text before the root element"));
                    }
                }
                Event::Start(start) => {
                    let tag = self.open_tag(&start)?;
                    self.enter(&tag);
                    self.stage = Stage::Content;
                    return Ok(tag);
                }
                Event::Eof => return Err(self.syntax("no root element")),
                _ => return Err(self.syntax("unexpected content before the root element")),
            }
            first = false;
        }
    }

    /// After the root element's end tag: only comments, processing instructions and
    /// whitespace may follow.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.stage != Stage::Epilog {
            return Err(self.error(ErrorKind::Invalid(
                "the root element has not been read to its end".to_owned(),
            )));
        }
        loop {
            match self.next_event()? {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(text)
                    if text
                        .iter()
                        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) => {}
                Event::DocType(_) => return Err(self.error(ErrorKind::Dtd)),
                _ => return Err(self.error(ErrorKind::TrailingContent)),
            }
        }
    }

    /// Checks the name of a start tag; [`ErrorKind::WrongNamespace`] when only the namespace
    /// differs, [`ErrorKind::UnexpectedElement`] otherwise.
    pub fn expect_name(
        &self,
        start: &StartTag<'_>,
        namespace: &str,
        local: &str,
    ) -> Result<(), Error> {
        if start.local == local && start.namespace == namespace {
            return Ok(());
        }
        let kind = if start.local == local {
            ErrorKind::WrongNamespace {
                name: local.to_owned(),
                found: start.namespace.clone().into_owned(),
                expected: namespace.to_owned(),
            }
        } else {
            ErrorKind::UnexpectedElement {
                found: start.display_name(),
                expected: format!("`{}`", display_name(namespace, local)),
            }
        };
        Err(Error {
            path: self.current_path(),
            position: start.position,
            kind,
        })
    }

    /// The name `(namespace, local)` of the next child element of the current element, without
    /// consuming it; `None` when the current element's end tag comes next. Whitespace, comments
    /// and processing instructions are skipped; other text is [`ErrorKind::UnexpectedText`].
    pub fn peek_child(&mut self) -> Result<Option<(&str, &str)>, Error> {
        self.fill()?;
        Ok(match &self.peeked {
            Some(Peeked::Start(tag)) => Some((&tag.namespace, tag.local)),
            _ => None,
        })
    }

    /// Consumes and returns the next child element's start tag (entering it), or `None` when
    /// the current element's end tag comes next (which is not consumed).
    pub fn next_child(&mut self) -> Result<Option<StartTag<'a>>, Error> {
        self.fill()?;
        match self.peeked.take() {
            Some(Peeked::Start(tag)) => {
                self.enter(&tag);
                Ok(Some(tag))
            }
            other => {
                self.peeked = other;
                Ok(None)
            }
        }
    }

    /// Reads a required child element `{namespace}local` with `T::read`.
    pub fn required<T: XmlRead>(&mut self, namespace: &str, local: &str) -> Result<T, Error> {
        match self.optional(namespace, local)? {
            Some(value) => Ok(value),
            None => {
                let found = match &self.peeked {
                    Some(Peeked::Start(tag)) => Some(tag.display_name()),
                    _ => None,
                };
                let position = self.peeked_position();
                Err(Error {
                    path: self.current_path(),
                    position,
                    kind: ErrorKind::MissingElement {
                        expected: display_name(namespace, local),
                        found,
                    },
                })
            }
        }
    }

    /// Reads an optional child element `{namespace}local` if it comes next.
    pub fn optional<T: XmlRead>(
        &mut self,
        namespace: &str,
        local: &str,
    ) -> Result<Option<T>, Error> {
        if !self.next_is(namespace, local)? {
            return Ok(None);
        }
        // `next_is` has filled `peeked` with the child's start tag.
        match self.peeked.take() {
            Some(Peeked::Start(tag)) => {
                self.enter(&tag);
                T::read(self, &tag).map(Some)
            }
            other => {
                self.peeked = other;
                Ok(None)
            }
        }
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
        let mut values = Vec::new();
        let mut count: u32 = 0;
        while self.next_is(namespace, local)? {
            if max.is_some_and(|max| count >= max) {
                let position = self.peeked_position();
                return Err(Error {
                    path: format!("{}/{local}", self.path()),
                    position,
                    kind: ErrorKind::TooMany {
                        name: display_name(namespace, local),
                        max: max.unwrap_or(count),
                    },
                });
            }
            // `next_is` has filled `peeked` with the child's start tag.
            if let Some(Peeked::Start(tag)) = self.peeked.take() {
                self.enter(&tag);
                values.push(T::read(self, &tag)?);
            }
            count = count.saturating_add(1);
        }
        if count < min {
            let position = self.peeked_position();
            return Err(Error {
                path: self.current_path(),
                position,
                kind: ErrorKind::TooFew {
                    name: display_name(namespace, local),
                    min,
                    found: count,
                },
            });
        }
        Ok(values)
    }

    /// Consumes the end tag of the current element (leaving it); any child element still
    /// there is [`ErrorKind::UnexpectedElement`].
    pub fn end(&mut self) -> Result<(), Error> {
        self.fill()?;
        match self.peeked.take() {
            Some(Peeked::End(_)) => {
                self.leave();
                Ok(())
            }
            Some(Peeked::Start(tag)) => Err(self.child_error(
                &tag,
                ErrorKind::UnexpectedElement {
                    found: tag.display_name(),
                    expected: "end of element".to_owned(),
                },
            )),
            None => Err(self.error(ErrorKind::UnexpectedEof)),
        }
    }

    /// Skips the rest of the current element — child elements, text, comments — up to and
    /// including its end tag (leaving it). The skipped content must still be well-formed,
    /// namespace-correct XML without DTDs or unknown entities.
    pub fn skip_content(&mut self) -> Result<(), Error> {
        let depth = self.frames.len();
        loop {
            match self.peeked.take() {
                Some(Peeked::Start(tag)) => self.enter(&tag),
                Some(Peeked::End(_)) => {
                    self.leave();
                    if self.frames.len() < depth {
                        return Ok(());
                    }
                }
                None => {}
            }
            if self.stage != Stage::Content {
                return Err(self.error(ErrorKind::Invalid("not inside an element".to_owned())));
            }
            match self.next_event()? {
                Event::Start(start) => {
                    let tag = self.open_tag(&start)?;
                    self.peeked = Some(Peeked::Start(tag));
                }
                Event::End(_) => self.peeked = Some(Peeked::End(self.position)),
                Event::GeneralRef(reference) => {
                    let name = self.borrow_str(&reference)?;
                    resolve_reference(name).map_err(|kind| self.error(kind))?;
                }
                Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return Err(self.error(ErrorKind::Dtd)),
                Event::Decl(_) => return Err(self.syntax("XML declaration inside an element")),
                Event::Eof => return Err(self.error(ErrorKind::UnexpectedEof)),
                Event::Empty(_) => return Err(self.syntax("unexpected empty element event")),
            }
        }
    }

    /// Reads the text content of the current element up to and including its end tag; a child
    /// element is an error. Character and predefined entity references are resolved, CDATA is
    /// taken as text, comments are skipped.
    pub fn read_text(&mut self) -> Result<Cow<'a, str>, Error> {
        let (text, _) = self.text_content()?;
        self.leave();
        Ok(text)
    }

    /// [`Reader::read_text`] parsed as `T`; a parse failure is [`ErrorKind::InvalidValue`].
    pub fn read_text_as<T: XmlText>(&mut self) -> Result<T, Error> {
        let (text, position) = self.text_content()?;
        match T::from_text(&text) {
            Ok(value) => {
                self.leave();
                Ok(value)
            }
            Err(e) => Err(Error {
                path: self.current_path(),
                position,
                kind: ErrorKind::InvalidValue {
                    value: quoted(&text),
                    reason: e.0,
                },
            }),
        }
    }

    /// The `(prefix, namespace)` declarations in scope (the default namespace has the empty
    /// prefix), outermost first.
    pub fn namespaces_in_scope(&self) -> Vec<(String, String)> {
        self.bindings
            .iter()
            .map(|b| (b.prefix.to_owned(), b.uri.clone().into_owned()))
            .collect()
    }

    /// Reads the rest of the current element, whatever it holds — child elements with their
    /// attributes, text, CDATA — as open content, up to and including its end tag (leaving
    /// it). Each element keeps the declarations it makes; comments and processing instructions
    /// are dropped.
    pub fn read_any_content(&mut self) -> Result<Vec<AnyNode>, Error> {
        let depth = self.frames.len();
        // The elements being read, innermost last, and the children of the current one.
        let mut open: Vec<AnyElement> = Vec::new();
        let mut top: Vec<AnyNode> = Vec::new();
        let mut pending = self.peeked.take();
        loop {
            let item = match pending.take() {
                Some(Peeked::Start(tag)) => Some(tag),
                Some(Peeked::End(_)) => None,
                None => match self.next_event()? {
                    Event::Start(start) => Some(self.open_tag(&start)?),
                    Event::End(_) => None,
                    Event::Text(raw) => {
                        let piece = self.borrow_str(&raw)?;
                        let children = open
                            .last_mut()
                            .map_or(&mut top, |e| &mut e.content.children);
                        push_text(children, &normalize_newlines(piece));
                        continue;
                    }
                    Event::CData(raw) => {
                        let piece = self.borrow_str(&raw)?;
                        let children = open
                            .last_mut()
                            .map_or(&mut top, |e| &mut e.content.children);
                        push_text(children, &normalize_newlines(piece));
                        continue;
                    }
                    Event::GeneralRef(reference) => {
                        let name = self.borrow_str(&reference)?;
                        let ch = resolve_reference(name).map_err(|kind| self.error(kind))?;
                        let children = open
                            .last_mut()
                            .map_or(&mut top, |e| &mut e.content.children);
                        push_text(children, ch.encode_utf8(&mut [0u8; 4]));
                        continue;
                    }
                    Event::Comment(_) | Event::PI(_) => continue,
                    Event::DocType(_) => return Err(self.error(ErrorKind::Dtd)),
                    Event::Decl(_) => return Err(self.syntax("XML declaration inside an element")),
                    Event::Eof => return Err(self.error(ErrorKind::UnexpectedEof)),
                    Event::Empty(_) => return Err(self.syntax("unexpected empty element event")),
                },
            };
            match item {
                Some(tag) => {
                    self.enter(&tag);
                    let namespaces = self.bindings[tag.scope..]
                        .iter()
                        .map(|b| (b.prefix.to_owned(), b.uri.clone().into_owned()))
                        .collect();
                    open.push(AnyElement {
                        namespace: tag.namespace.clone().into_owned(),
                        local: tag.local.to_owned(),
                        content: AnyContent {
                            attributes: super::any::any_attributes(&tag)?,
                            children: Vec::new(),
                            namespaces,
                        },
                    });
                }
                None => {
                    self.leave();
                    match open.pop() {
                        Some(element) => {
                            let children = open
                                .last_mut()
                                .map_or(&mut top, |e| &mut e.content.children);
                            children.push(AnyNode::Element(element));
                        }
                        None => {
                            debug_assert!(self.frames.len() < depth);
                            return Ok(top);
                        }
                    }
                }
            }
        }
    }

    /// Reads the text content of the current element as an `xs:QName` and resolves its
    /// prefix (or the default namespace, for an unprefixed name) with the namespace
    /// declarations in scope: `(namespace, local name)`.
    pub fn read_qname(&mut self) -> Result<(String, String), Error> {
        let (text, position) = self.text_content()?;
        let name = text.trim_matches(is_xml_space);
        let invalid = |reason: &str| Error {
            path: self.current_path(),
            position,
            kind: ErrorKind::InvalidValue {
                value: quoted(name),
                reason: reason.to_owned(),
            },
        };
        let (prefix, local) = match split_qname(name) {
            Some((prefix, local)) => (prefix, local),
            None => ("", name),
        };
        if local.is_empty() || local.contains(':') || name.contains(is_xml_space) {
            return Err(invalid("not a qualified name (prefix:local)"));
        }
        let namespace = match prefix {
            "xml" => XML_NS.to_owned(),
            _ => match self.bindings.iter().rev().find(|b| b.prefix == prefix) {
                Some(binding) => binding.uri.clone().into_owned(),
                None if prefix.is_empty() => String::new(),
                None => return Err(invalid(&format!("prefix `{prefix}` is not declared"))),
            },
        };
        let local = local.to_owned();
        self.leave();
        Ok((namespace, local))
    }

    /// Parses an attribute value as `T`; the error path ends in `/@name`.
    pub fn parse_attribute<T: XmlText>(&self, attribute: &Attribute<'_>) -> Result<T, Error> {
        T::from_text(&attribute.value).map_err(|e| {
            self.attribute_error(
                attribute,
                ErrorKind::InvalidValue {
                    value: quoted(&attribute.value),
                    reason: e.0,
                },
            )
        })
    }

    /// Checks that a `fixed` attribute has its value.
    pub fn check_fixed(&self, attribute: &Attribute<'_>, expected: &str) -> Result<(), Error> {
        if attribute.value == expected {
            return Ok(());
        }
        Err(self.attribute_error(
            attribute,
            ErrorKind::FixedValue {
                name: attribute.display_name(),
                expected: expected.to_owned(),
                found: quoted(&attribute.value),
            },
        ))
    }

    /// Fails with [`ErrorKind::UnexpectedAttribute`] if the start tag has any attribute
    /// (namespace declarations excepted).
    pub fn reject_attributes(&self, start: &StartTag<'_>) -> Result<(), Error> {
        match start.attributes.first() {
            None => Ok(()),
            Some(attribute) => Err(self.attribute_error(
                attribute,
                ErrorKind::UnexpectedAttribute(attribute.display_name()),
            )),
        }
    }

    /// An error of the given kind at the current path and position.
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error {
            path: self.current_path(),
            position: self.position,
            kind,
        }
    }

    /// An error for an attribute: the path ends in `/@name`.
    pub fn attribute_error(&self, attribute: &Attribute<'_>, kind: ErrorKind) -> Error {
        Error {
            path: format!("{}/@{}", self.path(), attribute.local),
            position: attribute.position,
            kind,
        }
    }

    /// The path of the current element, `/` before the root.
    fn current_path(&self) -> String {
        if self.frames.is_empty() {
            "/".to_owned()
        } else {
            self.path()
        }
    }

    /// `/a/b/c` for the open elements, empty before the root.
    fn path(&self) -> String {
        let mut path = String::new();
        for (name, _) in &self.frames {
            path.push('/');
            path.push_str(name);
        }
        path
    }

    fn syntax(&self, message: impl Into<String>) -> Error {
        self.error(ErrorKind::Syntax(message.into()))
    }

    /// An error about a child the reader has peeked at: the path names the child.
    fn child_error(&self, tag: &StartTag<'_>, kind: ErrorKind) -> Error {
        Error {
            path: format!("{}/{}", self.path(), tag.local),
            position: tag.position,
            kind,
        }
    }

    fn peeked_position(&self) -> u64 {
        match &self.peeked {
            Some(Peeked::Start(tag)) => tag.position,
            Some(Peeked::End(position)) => *position,
            None => self.position,
        }
    }

    /// Whether the next child is `{namespace}local`; [`ErrorKind::WrongNamespace`] when only
    /// its namespace differs.
    fn next_is(&mut self, namespace: &str, local: &str) -> Result<bool, Error> {
        self.fill()?;
        let Some(Peeked::Start(tag)) = &self.peeked else {
            return Ok(false);
        };
        if tag.local != local {
            return Ok(false);
        }
        if tag.namespace != namespace {
            return Err(self.child_error(
                tag,
                ErrorKind::WrongNamespace {
                    name: local.to_owned(),
                    found: tag.namespace.clone().into_owned(),
                    expected: namespace.to_owned(),
                },
            ));
        }
        Ok(true)
    }

    /// Reads the next raw event, recording its position and mapping errors.
    #[inline(always)]
    fn next_event(&mut self) -> Result<Event<'a>, Error> {
        self.position = self.xml.buffer_position() + self.offset;
        match self.xml.read_event() {
            Ok(event) => Ok(event),
            Err(e) => Err(self.event_error(&e)),
        }
    }

    /// The error for a syntax error quick-xml reported (kept out of the hot path).
    #[cold]
    #[inline(never)]
    fn event_error(&self, e: &quick_xml::Error) -> Error {
        let position = self.xml.error_position() + self.offset;
        Error {
            path: self.current_path(),
            position: position.max(self.position),
            kind: ErrorKind::Syntax(e.to_string()),
        }
    }

    /// Reads up to the next child start tag or the current element's end tag into `peeked`.
    fn fill(&mut self) -> Result<(), Error> {
        if self.peeked.is_some() {
            return Ok(());
        }
        if self.stage != Stage::Content {
            return Err(self.error(ErrorKind::Invalid("not inside an element".to_owned())));
        }
        loop {
            match self.next_event()? {
                Event::Start(start) => {
                    let tag = self.open_tag(&start)?;
                    self.peeked = Some(Peeked::Start(tag));
                    return Ok(());
                }
                Event::End(_) => {
                    self.peeked = Some(Peeked::End(self.position));
                    return Ok(());
                }
                Event::Text(text) => {
                    let text = self.borrow_str(&text)?;
                    if !is_xml_space_only(text) {
                        return Err(self.unexpected_text(text));
                    }
                }
                Event::CData(data) => {
                    let text = self.borrow_str(&data)?;
                    if !is_xml_space_only(text) {
                        return Err(self.unexpected_text(text));
                    }
                }
                Event::GeneralRef(reference) => {
                    let name = self.borrow_str(&reference)?;
                    let ch = resolve_reference(name).map_err(|kind| self.error(kind))?;
                    return Err(self.error(ErrorKind::UnexpectedText(ch.to_string())));
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return Err(self.error(ErrorKind::Dtd)),
                Event::Decl(_) => return Err(self.syntax("XML declaration inside an element")),
                Event::Eof => return Err(self.error(ErrorKind::UnexpectedEof)),
                Event::Empty(_) => return Err(self.syntax("unexpected empty element event")),
            }
        }
    }

    /// Reads the text content of the current element and its end tag, without leaving it.
    /// Returns the text and the position where it starts.
    fn text_content(&mut self) -> Result<(Cow<'a, str>, u64), Error> {
        let start_position = self.xml.buffer_position() + self.offset;
        match self.peeked.take() {
            Some(Peeked::End(position)) => return Ok((Cow::Borrowed(""), position)),
            Some(Peeked::Start(tag)) => return Err(self.text_child_error(&tag)),
            None => {}
        }
        if self.stage != Stage::Content {
            return Err(self.error(ErrorKind::Invalid("not inside an element".to_owned())));
        }
        let mut text: Option<Cow<'a, str>> = None;
        loop {
            match self.next_event()? {
                Event::Text(raw) => {
                    let piece = self.borrow_str(&raw)?;
                    append(&mut text, normalize_newlines(piece));
                }
                Event::CData(raw) => {
                    let piece = self.borrow_str(&raw)?;
                    append(&mut text, normalize_newlines(piece));
                }
                Event::GeneralRef(reference) => {
                    let name = self.borrow_str(&reference)?;
                    let ch = resolve_reference(name).map_err(|kind| self.error(kind))?;
                    let mut buffer = [0u8; 4];
                    append(
                        &mut text,
                        Cow::Owned(ch.encode_utf8(&mut buffer).to_owned()),
                    );
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::End(_) => return Ok((text.unwrap_or(Cow::Borrowed("")), start_position)),
                Event::Start(start) => {
                    let tag = self.open_tag(&start)?;
                    return Err(self.text_child_error(&tag));
                }
                Event::DocType(_) => return Err(self.error(ErrorKind::Dtd)),
                Event::Decl(_) => return Err(self.syntax("XML declaration inside an element")),
                Event::Eof => return Err(self.error(ErrorKind::UnexpectedEof)),
                Event::Empty(_) => return Err(self.syntax("unexpected empty element event")),
            }
        }
    }

    fn text_child_error(&self, tag: &StartTag<'_>) -> Error {
        self.child_error(
            tag,
            ErrorKind::UnexpectedElement {
                found: tag.display_name(),
                expected: "text".to_owned(),
            },
        )
    }

    /// [`ErrorKind::UnexpectedText`] for text in element-only content.
    #[cold]
    #[inline(never)]
    fn unexpected_text(&self, text: &str) -> Error {
        self.error(ErrorKind::UnexpectedText(quoted(
            text.trim_matches(is_xml_space),
        )))
    }

    /// The input text that `bytes` (a slice of an event borrowed from the input) covers.
    #[inline]
    fn borrow_str(&self, bytes: &[u8]) -> Result<&'a str, Error> {
        let start = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        match start
            .checked_add(bytes.len())
            .and_then(|end| self.input.get(start..end))
        {
            Some(text) => Ok(text),
            None => Err(self.not_borrowed()),
        }
    }

    #[cold]
    #[inline(never)]
    fn not_borrowed(&self) -> Error {
        self.syntax("internal error: event does not borrow from the input")
    }

    /// Enters an element whose start tag has been read: appends it to the path.
    fn enter(&mut self, tag: &StartTag<'a>) {
        self.frames.push((tag.local, tag.scope));
    }

    /// Leaves the current element after its end tag has been read.
    fn leave(&mut self) {
        if let Some((_, scope)) = self.frames.pop() {
            self.bindings.truncate(scope);
        }
        if self.frames.is_empty() {
            self.stage = Stage::Epilog;
        }
    }

    /// Processes a start tag: declares its namespaces and resolves its names.
    fn open_tag(&mut self, start: &BytesStart<'_>) -> Result<StartTag<'a>, Error> {
        let position = self.position;
        if self.frames.len() >= MAX_DEPTH {
            return Err(self.syntax(format!(
                "elements are nested deeper than {MAX_DEPTH} levels"
            )));
        }
        let content = self.borrow_str(start)?;
        let name_len = start.name().as_ref().len();
        let qname = content
            .get(..name_len)
            .ok_or_else(|| self.syntax("bad start tag"))?;
        let scope = self.bindings.len();
        let mut attributes = Vec::new();
        // Most tags have no attributes: the attribute parser only runs when something other
        // than whitespace follows the name.
        if !is_xml_space_only(&content[name_len..]) {
            self.read_attributes(content, name_len, qname, position, &mut attributes)?;
        }
        let (namespace, local) = self.resolve(qname, true, position)?;
        for index in 0..attributes.len() {
            if let Some((prefix, local)) = split_qname(attributes[index].qname) {
                let namespace = self.lookup(prefix, position)?;
                let attribute = &mut attributes[index];
                attribute.namespace = namespace;
                attribute.local = local;
                if attributes[..index].iter().any(|other| {
                    other.local == local && other.namespace == attributes[index].namespace
                }) {
                    let name = attributes[index].display_name();
                    return Err(Error {
                        path: format!("{}/{local}", self.path()),
                        position,
                        kind: ErrorKind::DuplicateAttribute(name),
                    });
                }
            }
        }
        Ok(StartTag {
            namespace,
            local,
            attributes,
            position,
            scope,
        })
    }

    /// Reads the attributes of a start tag: declares its namespaces and collects the other
    /// attributes (names not yet resolved).
    fn read_attributes(
        &mut self,
        content: &'a str,
        name_len: usize,
        qname: &'a str,
        position: u64,
        attributes: &mut Vec<Attribute<'a>>,
    ) -> Result<(), Error> {
        for attribute in quick_xml::events::attributes::Attributes::new(content, name_len) {
            let attribute = attribute.map_err(|e| Error {
                path: self.current_path(),
                position,
                kind: ErrorKind::Syntax(e.to_string()),
            })?;
            let key = self.borrow_str(attribute.key.as_ref())?;
            let raw = match &attribute.value {
                Cow::Borrowed(value) => self.borrow_str(value)?,
                Cow::Owned(_) => {
                    return Err(self.syntax("internal error: attribute value not borrowed"));
                }
            };
            let value = unescape_attribute(raw).map_err(|kind| Error {
                path: format!("{}/{qname}/@{key}", self.path()),
                position,
                kind,
            })?;
            if key == "xmlns" {
                if value == XML_NS || value == XMLNS_NS {
                    return Err(self.syntax(format!(
                        "namespace `{value}` cannot be the default namespace"
                    )));
                }
                self.bindings.push(Binding {
                    prefix: "",
                    uri: value,
                });
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                if prefix == "xmlns" || (prefix == "xml") != (value == XML_NS) || value == XMLNS_NS
                {
                    return Err(
                        self.syntax(format!("prefix `{prefix}` cannot be bound to `{value}`"))
                    );
                }
                if value.is_empty() {
                    return Err(
                        self.syntax(format!("prefix `{prefix}` cannot be undeclared in XML 1.0"))
                    );
                }
                self.bindings.push(Binding { prefix, uri: value });
            } else {
                attributes.push(Attribute {
                    namespace: Cow::Borrowed(""),
                    qname: key,
                    local: key,
                    value,
                    position,
                });
            }
        }
        Ok(())
    }

    /// Resolves a qualified name; unprefixed names take the default namespace if `default`.
    fn resolve(
        &self,
        qname: &'a str,
        default: bool,
        position: u64,
    ) -> Result<(Cow<'a, str>, &'a str), Error> {
        match split_qname(qname) {
            Some((prefix, local)) => Ok((self.lookup(prefix, position)?, local)),
            None if default => {
                let namespace = self
                    .bindings
                    .iter()
                    .rev()
                    .find(|binding| binding.prefix.is_empty())
                    .map_or(Cow::Borrowed(""), |binding| binding.uri.clone());
                Ok((namespace, qname))
            }
            None => Ok((Cow::Borrowed(""), qname)),
        }
    }

    /// The namespace bound to a (non-empty) prefix.
    fn lookup(&self, prefix: &str, position: u64) -> Result<Cow<'a, str>, Error> {
        if prefix == "xml" {
            return Ok(Cow::Borrowed(XML_NS));
        }
        self.bindings
            .iter()
            .rev()
            .find(|binding| short_eq(binding.prefix.as_bytes(), prefix.as_bytes()))
            .map(|binding| binding.uri.clone())
            .ok_or_else(|| Error {
                path: self.current_path(),
                position,
                kind: ErrorKind::UnboundPrefix(prefix.to_owned()),
            })
    }

    /// Checks the XML declaration: version 1.0 or 1.1 syntax, encoding UTF-8 if given.
    fn check_declaration(&self, decl: &quick_xml::events::BytesDecl<'_>) -> Result<(), Error> {
        let version = decl.version().map_err(|e| self.syntax(e.to_string()))?;
        if version.as_ref() != b"1.0" {
            return Err(self.syntax("only XML version 1.0 is supported"));
        }
        if let Some(encoding) = decl.encoding() {
            let encoding = encoding.map_err(|e| self.syntax(e.to_string()))?;
            if !encoding.eq_ignore_ascii_case(b"UTF-8") {
                return Err(self.syntax(format!(
                    "unsupported encoding `{}`, only UTF-8 is accepted",
                    String::from_utf8_lossy(&encoding)
                )));
            }
        }
        Ok(())
    }
}

/// Appends text to open content, joining it to text just before.
fn push_text(children: &mut Vec<AnyNode>, piece: &str) {
    if let Some(AnyNode::Text(text)) = children.last_mut() {
        text.push_str(piece);
    } else if !piece.is_empty() {
        children.push(AnyNode::Text(piece.to_owned()));
    }
}

/// Whether the input may hold a character XML 1.0 does not allow: a C0 control other than tab,
/// line feed and carriage return, or U+FFFE / U+FFFF (UTF-8 `EF BF BE` / `EF BF BF`). A fast,
/// vectorizable scan; `false` is exact, `true` calls for [`Reader::check_chars`].
fn may_have_forbidden_chars(input: &[u8]) -> bool {
    #[inline(always)]
    fn suspicious(b: u8) -> bool {
        (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
    }
    #[inline(always)]
    fn any_candidate(bytes: &[u8]) -> bool {
        let mut found = false;
        for &b in bytes {
            found |= suspicious(b) | (b == 0xEF);
        }
        found
    }
    const CHUNK: usize = 64;
    let mut start = 0;
    while start < input.len() {
        let end = (start + CHUNK).min(input.len());
        if any_candidate(&input[start..end]) {
            for index in start..end {
                let b = input[index];
                if suspicious(b)
                    || (b == 0xEF
                        && input.get(index + 1) == Some(&0xBF)
                        && matches!(input.get(index + 2), Some(0xBE | 0xBF)))
                {
                    return true;
                }
            }
        }
        start = end;
    }
    false
}

/// Splits `prefix:local` at its first colon.
fn split_qname(qname: &str) -> Option<(&str, &str)> {
    let index = qname.bytes().position(|b| b == b':')?;
    Some((&qname[..index], &qname[index + 1..]))
}

/// Whether the text is only XML whitespace (or empty).
fn is_xml_space_only(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Byte equality without a library call, for short strings such as prefixes.
#[inline]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Appends a piece of text, borrowing as long as there is only one piece.
#[inline]
fn append<'a>(text: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>) {
    match text {
        None => *text = Some(piece),
        Some(existing) => existing.to_mut().push_str(&piece),
    }
}

/// Resolves `name` of a reference `&name;`: a predefined entity or a character reference.
fn resolve_reference(name: &str) -> Result<char, ErrorKind> {
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => {
            let Some(number) = name.strip_prefix('#') else {
                return Err(ErrorKind::UnknownEntity(quoted(name)));
            };
            let (digits, radix) = match number.strip_prefix('x') {
                Some(hex) => (hex, 16),
                None => (number, 10),
            };
            let bad =
                || ErrorKind::Syntax(format!("invalid character reference `&{};`", quoted(name)));
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return Err(bad());
            }
            let code = u32::from_str_radix(digits, radix).map_err(|_| bad())?;
            char::from_u32(code)
                .filter(|&c| is_xml_char(c))
                .ok_or_else(bad)
        }
    }
}

/// Whether XML 1.0 allows the character in a document (the `Char` production: tab, line
/// breaks, and U+0020 upwards without surrogates, U+FFFE and U+FFFF).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Unescapes and normalizes an attribute value: references are resolved, literal tabs and
/// line breaks become spaces (`\r\n` one space), `<` is an error.
fn unescape_attribute(raw: &str) -> Result<Cow<'_, str>, ErrorKind> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'<' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(Cow::Borrowed(raw));
    }
    let mut value = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(index) = rest.find(['&', '<', '\t', '\n', '\r']) {
        value.push_str(&rest[..index]);
        let tail = &rest[index..];
        if tail.starts_with('<') {
            return Err(ErrorKind::Syntax("`<` in an attribute value".to_owned()));
        } else if let Some(after) = tail.strip_prefix("\r\n") {
            value.push(' ');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('&') {
            let end = after.find(';').ok_or_else(|| {
                ErrorKind::Syntax("unterminated reference in an attribute value".to_owned())
            })?;
            value.push(resolve_reference(&after[..end])?);
            rest = &after[end + 1..];
        } else {
            value.push(' ');
            rest = &tail[1..];
        }
    }
    value.push_str(rest);
    Ok(Cow::Owned(value))
}

/// Line ends as XML parsers report them: `\r\n` and lone `\r` become `\n`.
fn normalize_newlines(piece: &str) -> Cow<'_, str> {
    if piece.as_bytes().contains(&b'\r') {
        Cow::Owned(piece.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(piece)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::Code;
    use crate::xml::{Writer, XmlRoot, XmlWrite, from_slice, from_str, to_string, to_string_with};

    const XROAD: &str = "http://x-road.eu/xsd/xroad.xsd";
    const ID: &str = "http://x-road.eu/xsd/identifiers";

    const ANNEX_A: &str = r#"<xroad:client xmlns:xroad="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers" id:objectType="SUBSYSTEM"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>COM</id:memberClass><id:memberCode>client</id:memberCode><id:subsystemCode>subsystem</id:subsystemCode></xroad:client>"#;

    /// A hand-written stand-in for a generated client identifier.
    #[derive(Debug, Clone, PartialEq)]
    struct Client {
        object_type: String,
        instance: Code,
        member_class: Code,
        member_code: Code,
        subsystem_code: Option<Code>,
        numbers: Vec<u8>,
    }

    impl XmlRead for Client {
        fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
            let mut object_type = None;
            for attribute in start.attributes() {
                let attribute = attribute?;
                match (attribute.namespace(), attribute.local_name()) {
                    (ID, "objectType") => {
                        object_type = Some(reader.parse_attribute::<String>(&attribute)?)
                    }
                    _ => {
                        let name = attribute.display_name();
                        return Err(reader
                            .attribute_error(&attribute, ErrorKind::UnexpectedAttribute(name)));
                    }
                }
            }
            let object_type = object_type.ok_or_else(|| {
                reader.error(ErrorKind::MissingAttribute("objectType".to_owned()))
            })?;
            let value = Client {
                object_type,
                instance: reader.required(ID, "xRoadInstance")?,
                member_class: reader.required(ID, "memberClass")?,
                member_code: reader.required(ID, "memberCode")?,
                subsystem_code: reader.optional(ID, "subsystemCode")?,
                numbers: reader.repeated(ID, "number", 0, Some(3))?,
            };
            reader.end()?;
            Ok(value)
        }
    }

    impl XmlWrite for Client {
        fn write_attributes(&self, writer: &mut Writer) -> Result<(), Error> {
            writer.attribute(ID, "objectType", &self.object_type)
        }
        fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
            writer.element(ID, "xRoadInstance", &self.instance)?;
            writer.element(ID, "memberClass", &self.member_class)?;
            writer.element(ID, "memberCode", &self.member_code)?;
            if let Some(code) = &self.subsystem_code {
                writer.element(ID, "subsystemCode", code)?;
            }
            for number in &self.numbers {
                writer.element(ID, "number", number)?;
            }
            Ok(())
        }
    }

    impl XmlRoot for Client {
        const NAMESPACE: &'static str = XROAD;
        const NAME: &'static str = "client";
    }

    /// Simple content with an attribute.
    #[derive(Debug, PartialEq)]
    struct Labelled {
        lang: Option<String>,
        count: Option<i32>,
        text: String,
    }

    impl XmlRead for Labelled {
        fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
            let mut value = Labelled {
                lang: None,
                count: None,
                text: String::new(),
            };
            for attribute in start.attributes() {
                let attribute = attribute?;
                match (attribute.namespace(), attribute.local_name()) {
                    (XML_NS, "lang") => value.lang = Some(reader.parse_attribute(&attribute)?),
                    ("", "count") => value.count = Some(reader.parse_attribute(&attribute)?),
                    ("", "kind") => reader.check_fixed(&attribute, "SERVER")?,
                    _ => {
                        let name = attribute.display_name();
                        return Err(reader
                            .attribute_error(&attribute, ErrorKind::UnexpectedAttribute(name)));
                    }
                }
            }
            value.text = reader.read_text_as()?;
            Ok(value)
        }
    }

    impl XmlWrite for Labelled {
        fn write_attributes(&self, writer: &mut Writer) -> Result<(), Error> {
            if let Some(lang) = &self.lang {
                writer.attribute(XML_NS, "lang", lang)?;
            }
            if let Some(count) = &self.count {
                writer.attribute("", "count", &count.to_text())?;
            }
            Ok(())
        }
        fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
            writer.text(&self.text)
        }
    }

    impl XmlRoot for Labelled {
        const NAMESPACE: &'static str = "";
        const NAME: &'static str = "label";
    }

    fn client() -> Client {
        Client {
            object_type: "SUBSYSTEM".to_owned(),
            instance: Code::new("EE").unwrap(),
            member_class: Code::new("COM").unwrap(),
            member_code: Code::new("client").unwrap(),
            subsystem_code: Some(Code::new("subsystem").unwrap()),
            numbers: Vec::new(),
        }
    }

    fn err(xml: &str) -> Error {
        from_str::<Client>(xml).unwrap_err()
    }

    #[test]
    fn skip_content_leaves_the_element_and_checks_what_it_skips() {
        let xml = r#"<a><b x="1"><c>text &amp; <d/></c><!-- c --></b><e>after</e></a>"#;
        let mut reader = Reader::new(xml.as_bytes()).unwrap();
        reader.read_root().unwrap();
        let b = reader.next_child().unwrap().unwrap();
        assert_eq!(b.local_name(), "b");
        reader.skip_content().unwrap();
        let e: String = reader.required("", "e").unwrap();
        assert_eq!(e, "after");
        reader.end().unwrap();
        reader.finish().unwrap();

        for bad in [
            r#"<a><b><p:c/></b></a>"#,
            r#"<a><b>&unknown;</b></a>"#,
            r#"<a><b><c></b></a>"#,
        ] {
            let mut reader = Reader::new(bad.as_bytes()).unwrap();
            reader.read_root().unwrap();
            reader.next_child().unwrap().unwrap();
            assert!(reader.skip_content().is_err(), "{bad}");
        }
    }

    #[test]
    fn annex_a_fragment() {
        assert_eq!(from_str::<Client>(ANNEX_A).unwrap(), client());
    }

    #[test]
    fn prefixes_do_not_matter() {
        let variants = [
            // Default namespace for the identifier elements.
            r#"<xroad:client xmlns:xroad="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers" id:objectType="SUBSYSTEM"><xRoadInstance xmlns="http://x-road.eu/xsd/identifiers">EE</xRoadInstance><memberClass xmlns="http://x-road.eu/xsd/identifiers">COM</memberClass><memberCode xmlns="http://x-road.eu/xsd/identifiers">client</memberCode><subsystemCode xmlns="http://x-road.eu/xsd/identifiers">subsystem</subsystemCode></xroad:client>"#,
            // Default namespace on the root, other prefixes.
            r#"<client xmlns="http://x-road.eu/xsd/xroad.xsd" xmlns:a="http://x-road.eu/xsd/identifiers" a:objectType="SUBSYSTEM">
                <a:xRoadInstance>EE</a:xRoadInstance>
                <a:memberClass>COM</a:memberClass>
                <a:memberCode>client</a:memberCode>
                <a:subsystemCode>subsystem</a:subsystemCode>
            </client>"#,
            // Declarations on the children, prefix rebound, comments and PIs.
            r#"<?xml version="1.0" encoding="utf-8"?><!-- c --><x:client xmlns:x="http://x-road.eu/xsd/xroad.xsd" xmlns:y="http://x-road.eu/xsd/identifiers" y:objectType="SUBSYSTEM"><x:xRoadInstance xmlns:x="http://x-road.eu/xsd/identifiers">EE</x:xRoadInstance><?pi data?><y:memberClass>C<!-- c -->OM</y:memberClass><y:memberCode><![CDATA[client]]></y:memberCode><y:subsystemCode>sub&#115;y&#x73;tem</y:subsystemCode></x:client><!-- end -->
"#,
        ];
        for xml in variants {
            assert_eq!(from_str::<Client>(xml).unwrap(), client(), "{xml}");
        }
    }

    #[test]
    fn optional_and_repeated() {
        let xml = ANNEX_A.replace(
            "<id:subsystemCode>subsystem</id:subsystemCode>",
            "<id:number>1</id:number><id:number>2</id:number>",
        );
        let value = from_str::<Client>(&xml).unwrap();
        assert_eq!(value.subsystem_code, None);
        assert_eq!(value.numbers, [1, 2]);
        let xml = ANNEX_A.replace("</xroad:client>", "<id:number>1</id:number><id:number>2</id:number><id:number>3</id:number><id:number>4</id:number></xroad:client>");
        let e = err(&xml);
        assert_eq!(e.path, "/client/number");
        assert!(matches!(e.kind, ErrorKind::TooMany { max: 3, .. }), "{e}");
    }

    #[test]
    fn wrong_namespace() {
        let xml = ANNEX_A.replace(
            "<id:memberCode>client</id:memberCode>",
            "<xroad:memberCode>client</xroad:memberCode>",
        );
        let e = err(&xml);
        assert_eq!(e.path, "/client/memberCode");
        assert_eq!(
            e.kind,
            ErrorKind::WrongNamespace {
                name: "memberCode".to_owned(),
                found: XROAD.to_owned(),
                expected: ID.to_owned()
            }
        );
        assert_eq!(e.position as usize, xml.find("<xroad:memberCode").unwrap());
        // An unprefixed element without a default namespace is in no namespace.
        let xml = ANNEX_A.replace(
            "<id:memberCode>client</id:memberCode>",
            "<memberCode>client</memberCode>",
        );
        assert!(
            matches!(err(&xml).kind, ErrorKind::WrongNamespace { found, .. } if found.is_empty())
        );
        // The root.
        let xml = ANNEX_A.replace(
            "xmlns:xroad=\"http://x-road.eu/xsd/xroad.xsd\"",
            "xmlns:xroad=\"urn:other\"",
        );
        let e = err(&xml);
        assert_eq!(e.path, "/client");
        assert!(matches!(e.kind, ErrorKind::WrongNamespace { .. }));
    }

    #[test]
    fn missing_and_unexpected_elements() {
        let xml = ANNEX_A.replace("<id:memberClass>COM</id:memberClass>", "");
        let e = err(&xml);
        assert_eq!(e.path, "/client");
        assert_eq!(
            e.kind,
            ErrorKind::MissingElement {
                expected: format!("{{{ID}}}memberClass"),
                found: Some(format!("{{{ID}}}memberCode"))
            }
        );
        let xml = ANNEX_A.replace(
            "<id:memberCode>client</id:memberCode><id:subsystemCode>subsystem</id:subsystemCode>",
            "",
        );
        assert!(matches!(
            err(&xml).kind,
            ErrorKind::MissingElement { found: None, .. }
        ));
        let xml = ANNEX_A.replace("</xroad:client>", "<id:extra/></xroad:client>");
        let e = err(&xml);
        assert_eq!(e.path, "/client/extra");
        assert!(
            matches!(e.kind, ErrorKind::UnexpectedElement { ref expected, .. } if expected == "end of element"),
            "{e}"
        );
        // Out of order.
        let xml = ANNEX_A.replace(
            "<id:memberClass>COM</id:memberClass><id:memberCode>client</id:memberCode>",
            "<id:memberCode>client</id:memberCode><id:memberClass>COM</id:memberClass>",
        );
        assert!(matches!(err(&xml).kind, ErrorKind::MissingElement { .. }));
        // Wrong root.
        let e = from_str::<Client>("<server/>").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::UnexpectedElement { .. }), "{e}");
        // Child element inside text content.
        let xml = ANNEX_A.replace(">EE<", "><id:x/><");
        let e = err(&xml);
        assert_eq!(e.path, "/client/xRoadInstance/x");
        assert!(
            matches!(e.kind, ErrorKind::UnexpectedElement { ref expected, .. } if expected == "text")
        );
    }

    #[test]
    fn attributes() {
        let xml = ANNEX_A.replace(
            "id:objectType=\"SUBSYSTEM\"",
            "id:objectType=\"SUBSYSTEM\" other=\"1\"",
        );
        let e = err(&xml);
        assert_eq!(e.path, "/client/@other");
        assert_eq!(e.kind, ErrorKind::UnexpectedAttribute("other".to_owned()));
        // Unprefixed attributes are in no namespace, even with a default namespace.
        let xml = ANNEX_A.replace("id:objectType", "objectType");
        assert_eq!(
            err(&xml).kind,
            ErrorKind::UnexpectedAttribute("objectType".to_owned())
        );
        let xml = ANNEX_A.replace("id:objectType=\"SUBSYSTEM\"", "");
        assert_eq!(
            err(&xml).kind,
            ErrorKind::MissingAttribute("objectType".to_owned())
        );
        // Attributes on simple content.
        let xml = ANNEX_A.replace("<id:memberClass>", "<id:memberClass a=\"b\">");
        let e = err(&xml);
        assert_eq!(e.path, "/client/memberClass/@a");
        // Duplicates, also through different prefixes.
        let xml = ANNEX_A.replace(
            "id:objectType=\"SUBSYSTEM\"",
            "id:objectType=\"SUBSYSTEM\" id:objectType=\"MEMBER\"",
        );
        assert!(matches!(err(&xml).kind, ErrorKind::Syntax(_)));
        let xml = ANNEX_A.replace(
            "id:objectType=\"SUBSYSTEM\"",
            "xmlns:i2=\"http://x-road.eu/xsd/identifiers\" id:objectType=\"SUBSYSTEM\" i2:objectType=\"MEMBER\"",
        );
        assert!(matches!(err(&xml).kind, ErrorKind::DuplicateAttribute(_)));
        // Unbound prefix.
        let xml = ANNEX_A.replace("id:objectType", "zz:objectType");
        assert_eq!(err(&xml).kind, ErrorKind::UnboundPrefix("zz".to_owned()));
        let xml = ANNEX_A.replace(
            "<id:memberClass>COM</id:memberClass>",
            "<zz:memberClass>COM</zz:memberClass>",
        );
        assert_eq!(err(&xml).kind, ErrorKind::UnboundPrefix("zz".to_owned()));
        // Values are unescaped and normalized.
        let label: Labelled =
            from_str(r#"<label xml:lang="e&amp;t" count=" 7 " kind="SERVER">a &lt;&gt;&amp;&quot;&apos; b</label>"#).unwrap();
        assert_eq!(
            label,
            Labelled {
                lang: Some("e&t".to_owned()),
                count: Some(7),
                text: "a <>&\"' b".to_owned()
            }
        );
        let label: Labelled =
            from_str("<label xml:lang=\"a\tb\r\nc&#10;d\">x\r\ny\rz</label>").unwrap();
        assert_eq!(label.lang.as_deref(), Some("a b c\nd"));
        assert_eq!(label.text, "x\ny\nz");
        let e = from_str::<Labelled>(r#"<label kind="CLIENT"/>"#).unwrap_err();
        assert_eq!(e.path, "/label/@kind");
        assert!(matches!(e.kind, ErrorKind::FixedValue { .. }));
        let e = from_str::<Labelled>(r#"<label count="x"/>"#).unwrap_err();
        assert_eq!(e.path, "/label/@count");
        assert!(matches!(e.kind, ErrorKind::InvalidValue { .. }));
    }

    #[test]
    fn text_content() {
        let label: Labelled = from_str("<label/>").unwrap();
        assert_eq!(label.text, "");
        let label: Labelled = from_str("<label>  spaced  </label>").unwrap();
        assert_eq!(label.text, "  spaced  ");
        let mut reader = Reader::new(b"<a>plain</a>").unwrap();
        reader.read_root().unwrap();
        assert!(matches!(
            reader.read_text().unwrap(),
            Cow::Borrowed("plain")
        ));
        reader.finish().unwrap();
        // Unexpected text in element-only content.
        let xml = ANNEX_A.replace("<id:memberClass>", "oops<id:memberClass>");
        let e = err(&xml);
        assert_eq!(e.kind, ErrorKind::UnexpectedText("oops".to_owned()));
        assert_eq!(e.path, "/client");
        let xml = ANNEX_A.replace("<id:memberClass>", "&amp;<id:memberClass>");
        assert!(matches!(err(&xml).kind, ErrorKind::UnexpectedText(_)));
    }

    #[test]
    fn dtd_and_entities() {
        let xml = format!("<!DOCTYPE client [<!ENTITY e \"x\">]>{ANNEX_A}");
        assert_eq!(err(&xml).kind, ErrorKind::Dtd);
        let xml = ANNEX_A.replace(">EE<", ">&e;<");
        let e = err(&xml);
        assert_eq!(e.kind, ErrorKind::UnknownEntity("e".to_owned()));
        assert_eq!(e.path, "/client/xRoadInstance");
        let xml = ANNEX_A.replace("\"SUBSYSTEM\"", "\"&nbsp;\"");
        assert_eq!(err(&xml).kind, ErrorKind::UnknownEntity("nbsp".to_owned()));
        let xml = ANNEX_A.replace(">EE<", ">&#0;<");
        assert!(matches!(err(&xml).kind, ErrorKind::Syntax(_)));
        let xml = ANNEX_A.replace(">EE<", ">&#xD800;<");
        assert!(matches!(err(&xml).kind, ErrorKind::Syntax(_)));
    }

    #[test]
    fn malformed_input() {
        let mut bytes = ANNEX_A.as_bytes().to_vec();
        let index = ANNEX_A.find("EE<").unwrap();
        bytes[index] = 0xFF;
        let e = from_slice::<Client>(&bytes).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Syntax(_)));
        assert_eq!(e.position as usize, index);
        assert!(matches!(err("<a>\u{1}</a>").kind, ErrorKind::Syntax(_)));
        for end in [1, 10, 120, 200, ANNEX_A.len() - 1] {
            let e = err(&ANNEX_A[..end]);
            assert!(
                matches!(e.kind, ErrorKind::Syntax(_) | ErrorKind::UnexpectedEof),
                "{end}: {e}"
            );
        }
        assert!(matches!(err("").kind, ErrorKind::Syntax(_)));
        assert!(matches!(err("text").kind, ErrorKind::Syntax(_)));
        let xml = ANNEX_A.replace("</id:memberClass>", "</id:memberCode>");
        assert!(matches!(err(&xml).kind, ErrorKind::Syntax(_)));
        let xml = format!("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>{ANNEX_A}");
        assert!(matches!(err(&xml).kind, ErrorKind::Syntax(_)));
        let xml = format!("\u{FEFF}{ANNEX_A}");
        assert_eq!(from_str::<Client>(&xml).unwrap(), client());
    }

    #[test]
    fn trailing_content() {
        for tail in ["<x/>", "text", "<xroad:client/>"] {
            let xml = format!("{ANNEX_A}{tail}");
            assert_eq!(err(&xml).kind, ErrorKind::TrailingContent, "{tail}");
        }
        assert!(from_str::<Client>(&format!("{ANNEX_A} <!-- c --> <?pi?>\n")).is_ok());
    }

    #[test]
    fn deep_nesting() {
        let depth = 100_000;
        let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let e = from_str::<Labelled>(&xml).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::UnexpectedElement { .. }), "{e}");
        let mut reader = Reader::new(xml.as_bytes()).unwrap();
        let mut result = reader.read_root().map(|_| ());
        while result.is_ok() {
            result = reader
                .next_child()
                .map(|_| ())
                .and_then(|()| reader.peek_child().map(|_| ()));
        }
        let e = result.unwrap_err();
        assert!(e.to_string().contains("deeper than"), "{e}");
    }

    #[test]
    fn invalid_values() {
        let e = from_str::<Labelled>(r#"<label count="99999999999999999999"/>"#).unwrap_err();
        assert!(e.to_string().contains("out of range for i32"), "{e}");
        let xml = ANNEX_A.replace(
            "</xroad:client>",
            "<id:number>256</id:number></xroad:client>",
        );
        let e = err(&xml);
        assert_eq!(e.path, "/client/number");
        assert_eq!(
            e.kind,
            ErrorKind::InvalidValue {
                value: "256".to_owned(),
                reason: "integer 256 is out of range for u8".to_owned()
            }
        );
        let xml = ANNEX_A.replace(">client<", "><");
        let e = err(&xml);
        assert_eq!(e.path, "/client/memberCode");
        assert_eq!(
            e.kind,
            ErrorKind::InvalidValue {
                value: String::new(),
                reason: "code is empty".to_owned()
            }
        );

        #[derive(Debug)]
        struct Blob(Vec<u8>);
        impl XmlRead for Blob {
            fn read(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<Self, Error> {
                Ok(Blob(Vec::<u8>::read(reader, start)?))
            }
        }
        impl XmlWrite for Blob {
            fn write_content(&self, writer: &mut Writer) -> Result<(), Error> {
                self.0.write_content(writer)
            }
        }
        impl XmlRoot for Blob {
            const NAMESPACE: &'static str = "urn:b";
            const NAME: &'static str = "blob";
        }
        let blob: Blob = from_str("<b:blob xmlns:b=\"urn:b\">aGVs\n  bG8=</b:blob>").unwrap();
        assert_eq!(blob.0, b"hello");
        let e = from_str::<Blob>("<b:blob xmlns:b=\"urn:b\">aGVsbG8</b:blob>").unwrap_err();
        assert_eq!(e.path, "/blob");
        assert!(e.to_string().contains("invalid base64"), "{e}");
        assert_eq!(
            to_string(&blob).unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ns1:blob xmlns:ns1=\"urn:b\">aGVsbG8=</ns1:blob>"
        );
    }

    #[test]
    fn round_trip() {
        let mut value = client();
        value.member_code = Code::new("a&b<c>\"d' é").unwrap();
        value.object_type = "x\t\"y\"\nz".to_owned();
        value.numbers = vec![0, 255];
        let xml = to_string_with(&value, &[("xroad", XROAD), ("id", ID)]).unwrap();
        assert!(
            xml.starts_with(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xroad:client xmlns:xroad="
            ),
            "{xml}"
        );
        assert_eq!(from_str::<Client>(&xml).unwrap(), value);
        let xml = to_string(&value).unwrap();
        assert_eq!(from_str::<Client>(&xml).unwrap(), value);
        let mut writer = Writer::with_prefixes(&[("xroad", XROAD), ("id", ID)]).indent(2);
        writer.element(XROAD, "client", &client()).unwrap();
        let xml = writer.into_string().unwrap();
        assert!(
            xml.contains("\n  <id:xRoadInstance>EE</id:xRoadInstance>\n"),
            "{xml}"
        );
        assert_eq!(from_str::<Client>(&xml).unwrap(), client());
        let label = Labelled {
            lang: Some("et".to_owned()),
            count: Some(-3),
            text: "\r\n x ".to_owned(),
        };
        let xml = to_string(&label).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<label xml:lang=\"et\" count=\"-3\">&#13;\n x </label>"
        );
        assert_eq!(from_str::<Labelled>(&xml).unwrap(), label);
    }
}

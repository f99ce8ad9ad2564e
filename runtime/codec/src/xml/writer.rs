//! [`Writer`]: writes namespace-qualified XML into a buffer.

use super::reader::is_xml_char;
use super::{Error, ErrorKind, XmlWrite};

/// Namespace bound to the `xml` prefix, which is never declared.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// An element whose start tag has been written but not its end tag.
#[derive(Debug)]
struct Open {
    /// Where its qualified name starts in `Writer::names`.
    name_start: usize,
    /// Length of `Writer::bindings` before its declarations.
    bindings_len: usize,
    /// Whether it has child elements.
    has_children: bool,
    /// Whether it has text (then it is not indented).
    has_text: bool,
}

/// Writes XML. Prefixes given to [`Writer::with_prefixes`] are declared on the root element;
/// any other namespace gets a generated prefix (`ns1`, `ns2`, …) declared on the element where
/// it is first needed. Text and attribute values are escaped.
///
/// The default namespace is never used: every namespaced element and attribute has a prefix,
/// and elements without a namespace have none.
pub struct Writer {
    out: String,
    /// Preferred `(prefix, namespace)` pairs, declared on the root.
    preferred: Vec<(String, String)>,
    /// `(prefix, namespace)` bindings in scope, innermost last.
    bindings: Vec<(String, String)>,
    /// Qualified names of the open elements, concatenated.
    names: String,
    open: Vec<Open>,
    /// Whether the innermost start tag still lacks its `>`.
    tag_open: bool,
    /// Whether the root element has been written completely.
    root_done: bool,
    /// Counter for generated prefixes.
    generated: usize,
    indent: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// A writer without preferred prefixes.
    pub fn new() -> Self {
        Self::with_prefixes(&[])
    }

    /// A writer that binds these `(prefix, namespace)` pairs on the root element. Pairs with
    /// an empty prefix or namespace, or the reserved `xml`/`xmlns` prefixes, are ignored.
    pub fn with_prefixes(prefixes: &[(&str, &str)]) -> Self {
        let mut preferred: Vec<(String, String)> = Vec::with_capacity(prefixes.len());
        for &(prefix, namespace) in prefixes {
            let reserved =
                prefix.eq_ignore_ascii_case("xml") || prefix.eq_ignore_ascii_case("xmlns");
            if prefix.is_empty()
                || namespace.is_empty()
                || reserved
                || preferred.iter().any(|(p, _)| p == prefix)
            {
                continue;
            }
            preferred.push((prefix.to_owned(), namespace.to_owned()));
        }
        Self {
            out: String::with_capacity(1024),
            preferred,
            bindings: Vec::new(),
            names: String::new(),
            open: Vec::new(),
            tag_open: false,
            root_done: false,
            generated: 0,
            indent: 0,
        }
    }

    /// Indents element-only content by `width` spaces per level (off by default).
    pub fn indent(mut self, width: usize) -> Self {
        self.indent = width;
        self
    }

    /// Writes `<?xml version="1.0" encoding="UTF-8"?>` and a newline.
    pub fn xml_declaration(&mut self) {
        self.out
            .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    /// Opens a start tag `{namespace}local` (empty namespace: no namespace).
    pub fn start(&mut self, namespace: &str, local: &str) -> Result<(), Error> {
        if self.root_done {
            return Err(self.error(ErrorKind::Invalid(format!("second root element `{local}`"))));
        }
        check_name(local).map_err(|kind| self.error(kind))?;
        self.close_start_tag();
        let is_root = self.open.is_empty();
        if let Some(parent) = self.open.last_mut() {
            parent.has_children = true;
        }
        if self.indent > 0 && !is_root && !self.open.last().is_some_and(|parent| parent.has_text) {
            self.newline(self.open.len());
        }
        let bindings_len = self.bindings.len();
        if is_root {
            self.bindings.extend(self.preferred.iter().cloned());
        }
        let prefix_index = if namespace.is_empty() {
            None
        } else {
            Some(self.prefix_for(namespace))
        };
        let name_start = self.names.len();
        if let Some(index) = prefix_index {
            match index {
                Some(index) => self.names.push_str(&self.bindings[index].0),
                None => self.names.push_str("xml"),
            }
            self.names.push(':');
        }
        self.names.push_str(local);
        self.out.push('<');
        self.out.push_str(&self.names[name_start..]);
        for (prefix, uri) in &self.bindings[bindings_len..] {
            push_declaration(&mut self.out, prefix, uri);
        }
        self.open.push(Open {
            name_start,
            bindings_len,
            has_children: false,
            has_text: false,
        });
        self.tag_open = true;
        Ok(())
    }

    /// Adds an attribute to the start tag that is still open.
    pub fn attribute(&mut self, namespace: &str, local: &str, value: &str) -> Result<(), Error> {
        if !self.tag_open {
            return Err(self.error(ErrorKind::Invalid(format!(
                "attribute `{local}` outside a start tag"
            ))));
        }
        check_name(local).map_err(|kind| self.error(kind))?;
        let prefix_len = self.bindings.len();
        let prefix = if namespace.is_empty() {
            None
        } else {
            Some(self.prefix_for(namespace))
        };
        for (prefix, uri) in &self.bindings[prefix_len..] {
            push_declaration(&mut self.out, prefix, uri);
        }
        self.out.push(' ');
        match prefix {
            Some(Some(index)) => {
                self.out.push_str(&self.bindings[index].0);
                self.out.push(':');
            }
            Some(None) => self.out.push_str("xml:"),
            None => {}
        }
        self.out.push_str(local);
        self.out.push_str("=\"");
        let result = escape(&mut self.out, value, true);
        self.out.push('"');
        result.map_err(|kind| self.attribute_error(local, kind))
    }

    /// The text of the `xs:QName` `{namespace}local` in the current element: its prefix is
    /// the one bound to `namespace`, declared on the element's start tag (which must still be
    /// open) when none is in scope.
    pub fn qname(&mut self, namespace: &str, local: &str) -> Result<String, Error> {
        check_name(local).map_err(|kind| self.error(kind))?;
        if namespace.is_empty() {
            return Ok(local.to_owned());
        }
        let declared = self.bindings.len();
        let prefix = self.prefix_for(namespace);
        if self.bindings.len() > declared {
            if !self.tag_open {
                return Err(self.error(ErrorKind::Invalid(format!(
                    "namespace `{namespace}` of a QName value has no prefix in scope"
                ))));
            }
            for (prefix, uri) in &self.bindings[declared..] {
                push_declaration(&mut self.out, prefix, uri);
            }
        }
        Ok(match prefix {
            Some(index) => format!("{}:{local}", self.bindings[index].0),
            None => format!("xml:{local}"),
        })
    }

    /// Declares `prefix` for `namespace` on the start tag that is still open, unless the prefix
    /// is in scope already (prefixes are never rebound) or is the default namespace, which the
    /// writer does not use. Used to keep the prefixes of open content.
    pub fn declare(&mut self, prefix: &str, namespace: &str) -> Result<(), Error> {
        if !self.tag_open {
            return Err(self.error(ErrorKind::Invalid(format!(
                "declaration of `{prefix}` outside a start tag"
            ))));
        }
        let reserved = prefix.eq_ignore_ascii_case("xml") || prefix.eq_ignore_ascii_case("xmlns");
        if prefix.is_empty()
            || namespace.is_empty()
            || reserved
            || check_name(prefix).is_err()
            || self.bindings.iter().any(|(p, _)| p == prefix)
        {
            return Ok(());
        }
        self.bindings
            .push((prefix.to_owned(), namespace.to_owned()));
        push_declaration(&mut self.out, prefix, namespace);
        Ok(())
    }

    /// Writes escaped text.
    pub fn text(&mut self, text: &str) -> Result<(), Error> {
        let Some(current) = self.open.last_mut() else {
            return Err(self.error(ErrorKind::Invalid(
                "text outside the root element".to_owned(),
            )));
        };
        if text.is_empty() {
            return Ok(());
        }
        current.has_text = true;
        self.close_start_tag();
        escape(&mut self.out, text, false).map_err(|kind| self.error(kind))
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) -> Result<(), Error> {
        let Some(open) = self.open.pop() else {
            return Err(self.error(ErrorKind::Invalid("no element to end".to_owned())));
        };
        if self.tag_open {
            self.out.push_str("/>");
            self.tag_open = false;
        } else {
            if self.indent > 0 && open.has_children && !open.has_text {
                self.newline(self.open.len());
            }
            self.out.push_str("</");
            self.out.push_str(&self.names[open.name_start..]);
            self.out.push('>');
        }
        self.names.truncate(open.name_start);
        self.bindings.truncate(open.bindings_len);
        if self.open.is_empty() {
            self.root_done = true;
            if self.indent > 0 {
                self.out.push('\n');
            }
        }
        Ok(())
    }

    /// Writes a whole element: start tag, `value`'s attributes and content, end tag.
    pub fn element<T: XmlWrite + ?Sized>(
        &mut self,
        namespace: &str,
        local: &str,
        value: &T,
    ) -> Result<(), Error> {
        self.start(namespace, local)?;
        value.write_attributes(self)?;
        value.write_content(self)?;
        self.end()
    }

    /// The written bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }

    /// The written text; fails if an element is still open.
    pub fn into_string(self) -> Result<String, Error> {
        if !self.open.is_empty() {
            return Err(self.error(ErrorKind::Invalid("element not closed".to_owned())));
        }
        Ok(self.out)
    }

    /// The index in `bindings` of the innermost prefix bound to `namespace`, declaring a
    /// generated prefix on the current element if there is none; `None` for the `xml`
    /// namespace.
    fn prefix_for(&mut self, namespace: &str) -> Option<usize> {
        if namespace == XML_NS {
            return None;
        }
        // Prefixes are never rebound (generated ones avoid every prefix in scope), so the
        // innermost binding of the namespace is not shadowed.
        if let Some(index) = self.bindings.iter().rposition(|(_, uri)| uri == namespace) {
            return Some(index);
        }
        let prefix = loop {
            self.generated += 1;
            let candidate = format!("ns{}", self.generated);
            if !self.bindings.iter().any(|(p, _)| *p == candidate) {
                break candidate;
            }
        };
        self.bindings.push((prefix, namespace.to_owned()));
        Some(self.bindings.len() - 1)
    }

    fn close_start_tag(&mut self) {
        if self.tag_open {
            self.out.push('>');
            self.tag_open = false;
        }
    }

    fn newline(&mut self, depth: usize) {
        self.out.push('\n');
        for _ in 0..depth * self.indent {
            self.out.push(' ');
        }
    }

    /// `/a/b`: local names of the open elements.
    fn path(&self) -> String {
        if self.open.is_empty() {
            return "/".to_owned();
        }
        let mut path = String::new();
        for (index, open) in self.open.iter().enumerate() {
            let end = self
                .open
                .get(index + 1)
                .map_or(self.names.len(), |next| next.name_start);
            let name = &self.names[open.name_start..end];
            path.push('/');
            path.push_str(name.rsplit(':').next().unwrap_or(name));
        }
        path
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error {
            path: self.path(),
            position: 0,
            kind,
        }
    }

    fn attribute_error(&self, local: &str, kind: ErrorKind) -> Error {
        Error {
            path: format!("{}/@{local}", self.path()),
            position: 0,
            kind,
        }
    }
}

/// Writes ` xmlns:prefix="uri"`.
fn push_declaration(out: &mut String, prefix: &str, uri: &str) {
    out.push_str(" xmlns:");
    out.push_str(prefix);
    out.push_str("=\"");
    // Namespaces come from code, not input; escaping cannot fail for valid URIs, and an
    // unwritable character is replaced rather than producing broken XML.
    for c in uri.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out.push('"');
}

/// Checks that a local name is a plausible XML name (non-empty, no markup characters).
fn check_name(local: &str) -> Result<(), ErrorKind> {
    let bad = local.is_empty()
        || local.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
        || local.chars().any(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>' | '&' | '"' | '\'' | '=' | '/' | ':' | '!' | '?'
                )
        });
    if bad {
        return Err(ErrorKind::Invalid(format!(
            "`{local}` is not an XML local name"
        )));
    }
    Ok(())
}

/// Appends escaped text; in attributes also `"` and whitespace that would be normalized.
fn escape(out: &mut String, text: &str, attribute: bool) -> Result<(), ErrorKind> {
    let mut rest = text;
    while let Some(index) = rest.find(|c: char| needs_escape(c, attribute)) {
        out.push_str(&rest[..index]);
        let mut chars = rest[index..].chars();
        let Some(c) = chars.next() else { break };
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => return Err(ErrorKind::UnwritableChar(c as u32)),
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    Ok(())
}

fn needs_escape(c: char, attribute: bool) -> bool {
    match c {
        '&' | '<' | '>' | '\r' => true,
        '"' | '\n' | '\t' => attribute,
        c => !is_xml_char(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish(writer: Writer) -> String {
        writer.into_string().unwrap()
    }

    #[test]
    fn generated_prefixes_are_scoped() {
        let mut writer = Writer::with_prefixes(&[("a", "urn:a")]);
        writer.start("urn:a", "root").unwrap();
        writer.start("urn:b", "x").unwrap();
        writer.attribute("urn:b", "q", "1").unwrap();
        writer.attribute("", "u", "2").unwrap();
        writer.end().unwrap();
        writer.start("urn:b", "y").unwrap();
        writer.attribute("urn:c", "q", "3").unwrap();
        writer.end().unwrap();
        writer.start("", "plain").unwrap();
        writer.attribute("urn:a", "q", "4").unwrap();
        writer.text("t").unwrap();
        writer.end().unwrap();
        writer.end().unwrap();
        assert_eq!(
            finish(writer),
            concat!(
                r#"<a:root xmlns:a="urn:a">"#,
                r#"<ns1:x xmlns:ns1="urn:b" ns1:q="1" u="2"/>"#,
                r#"<ns2:y xmlns:ns2="urn:b" xmlns:ns3="urn:c" ns3:q="3"/>"#,
                r#"<plain a:q="4">t</plain>"#,
                "</a:root>"
            )
        );
    }

    #[test]
    fn escaping() {
        let mut writer = Writer::new();
        writer.start("", "e").unwrap();
        writer.attribute("", "v", "<&>\"'\t\n\r").unwrap();
        writer.text("<&>\"'\t\n\r]]>").unwrap();
        writer.end().unwrap();
        assert_eq!(
            finish(writer),
            "<e v=\"&lt;&amp;&gt;&quot;'&#9;&#10;&#13;\"><&amp;&gt;\"'\t\n&#13;]]&gt;</e>"
                .replacen("<&amp;", "&lt;&amp;", 1)
        );
    }

    #[test]
    fn unwritable_characters() {
        for c in ['\u{0}', '\u{1}', '\u{1F}', '\u{FFFE}', '\u{FFFF}'] {
            let mut writer = Writer::new();
            writer.start("", "root").unwrap();
            writer.start("", "e").unwrap();
            let e = writer.attribute("", "v", &format!("a{c}")).unwrap_err();
            assert_eq!(e.kind, ErrorKind::UnwritableChar(c as u32));
            assert_eq!(e.path, "/root/e/@v");
            let e = writer.text(&format!("a{c}")).unwrap_err();
            assert_eq!(e.kind, ErrorKind::UnwritableChar(c as u32));
            assert_eq!(e.path, "/root/e");
        }
        let mut writer = Writer::new();
        writer.start("urn:x", "e").unwrap();
        writer.text("\u{7F}\u{85}\u{10FFFF}").unwrap();
        writer.end().unwrap();
        assert!(finish(writer).contains('\u{10FFFF}'));
    }

    #[test]
    fn misuse_is_an_error() {
        let mut writer = Writer::new();
        assert!(writer.end().is_err());
        assert!(writer.text("x").is_err());
        assert!(writer.start("", "bad name").is_err());
        writer.start("", "a").unwrap();
        writer.text("x").unwrap();
        assert!(writer.attribute("", "late", "1").is_err());
        writer.end().unwrap();
        assert!(writer.start("", "second").is_err());
        let mut writer = Writer::new();
        writer.start("", "open").unwrap();
        assert!(writer.into_string().is_err());
    }

    #[test]
    fn indentation() {
        let mut writer = Writer::new().indent(2);
        writer.xml_declaration();
        writer.start("", "a").unwrap();
        writer.start("", "b").unwrap();
        writer.start("", "c").unwrap();
        writer.text("t").unwrap();
        writer.end().unwrap();
        writer.start("", "d").unwrap();
        writer.end().unwrap();
        writer.end().unwrap();
        writer.end().unwrap();
        assert_eq!(
            finish(writer),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\n  <b>\n    <c>t</c>\n    <d/>\n  </b>\n</a>\n"
        );
    }
}

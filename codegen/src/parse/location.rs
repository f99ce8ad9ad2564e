//! Source positions: roxmltree byte offsets turned into [`Location`]s.

use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node};

use crate::error::Error;
use crate::model::Location;

/// One parsed document together with the file name used in locations.
pub(crate) struct Source<'a, 'input> {
    /// The file as given to the generator.
    pub file: &'a Path,
    /// The parsed document.
    pub doc: &'a Document<'input>,
}

impl Source<'_, '_> {
    /// The location of a byte offset.
    pub fn at_pos(&self, pos: usize) -> Location {
        let p = self.doc.text_pos_at(pos);
        Location {
            file: Arc::from(self.file),
            line: p.row,
            column: p.col,
        }
    }

    /// The location of a node's start.
    pub fn at(&self, node: Node) -> Location {
        self.at_pos(node.range().start)
    }

    /// The location of attribute `name` of `node`, or of the node when it has no such
    /// attribute.
    pub fn attr_at(&self, node: Node, name: &str) -> Location {
        match node.attribute_node(name) {
            Some(a) => self.at_pos(a.range().start),
            None => self.at(node),
        }
    }

    /// An [`Error::Unexpected`] for `node`.
    pub fn unexpected(&self, node: Node, expected: &str) -> Error {
        Error::Unexpected {
            location: self.at(node),
            expected: expected.to_owned(),
            found: describe(node),
        }
    }

    /// An [`Error::Unsupported`] for `node`.
    pub fn unsupported(&self, node: Node, construct: &str, hint: &str) -> Error {
        Error::Unsupported {
            location: self.at(node),
            construct: construct.to_owned(),
            hint: hint.to_owned(),
        }
    }
}

/// Parses `text` with DTDs disallowed; a syntax error becomes [`Error::Xml`].
pub(crate) fn parse_xml<'input>(file: &Path, text: &'input str) -> Result<Document<'input>, Error> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|e| {
        let p = e.pos();
        Error::Xml {
            location: Location {
                file: Arc::from(file),
                line: p.row,
                column: p.col,
            },
            message: e.to_string(),
        }
    })
}

/// A short description of an element node for messages, e.g. `element <xs:choice>`.
pub(crate) fn describe(node: Node) -> String {
    let tag = node.tag_name();
    let prefix = tag
        .namespace()
        .and_then(|ns| node.lookup_prefix(ns))
        .filter(|p| !p.is_empty());
    match prefix {
        Some(p) => format!("<{p}:{}>", tag.name()),
        None => format!("<{}>", tag.name()),
    }
}

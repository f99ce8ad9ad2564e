//! Source positions: roxmltree byte offsets turned into [`Location`]s.

use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node};

use crate::error::Error;
use crate::model::Location;

/// One parsed document together with the file name used in locations.
pub(crate) struct Source<'a, 'input> {
    /// The file as given to the generator.
    pub file: Arc<Path>,
    /// The parsed document.
    pub doc: &'a Document<'input>,
    /// The target namespace a schema without one takes when it is included into a schema
    /// that has one (a chameleon include): names in no namespace resolve to it.
    pub chameleon: Option<String>,
    /// Byte offset of the start of every line, for turning offsets into line and column in
    /// logarithmic time (roxmltree's own lookup scans from the start of the text).
    line_starts: Vec<usize>,
}

impl<'a, 'input> Source<'a, 'input> {
    /// A source for `doc`, read from `file`.
    pub fn new(file: &Path, doc: &'a Document<'input>) -> Self {
        let text = doc.input_text();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            file: Arc::from(file),
            doc,
            chameleon: None,
            line_starts,
        }
    }

    /// The same document read as a chameleon include into namespace `target`.
    pub fn with_chameleon(&self, target: &str) -> Self {
        Self {
            file: Arc::clone(&self.file),
            doc: self.doc,
            chameleon: Some(target.to_owned()),
            line_starts: self.line_starts.clone(),
        }
    }

    /// The location of a byte offset (1-based line; 1-based column in characters).
    pub fn at_pos(&self, pos: usize) -> Location {
        let text = self.doc.input_text();
        let pos = pos.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= pos);
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = text.get(start..pos).map_or(0, |s| s.chars().count());
        Location {
            file: Arc::clone(&self.file),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
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

//! Reading XML documents: DTDs refused, a syntax error reported with its location.

use std::path::Path;
use std::sync::Arc;

use roxmltree::{Document, Node};

use super::location::Source;
use crate::error::{Error, Result};
use crate::model::Location;

/// Parses `text` with DTDs disallowed; a syntax error becomes [`Error::Xml`].
pub(crate) fn parse_xml<'input>(file: &Path, text: &'input str) -> Result<Document<'input>> {
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

/// Reads the XML file at `path` and runs `read` on its root element.
pub(crate) fn read_document<T>(
    path: &Path,
    read: impl FnOnce(&Source, Node) -> Result<T>,
) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let doc = parse_xml(path, &text)?;
    let src = Source::new(path, &doc);
    read(&src, doc.root_element())
}

/// Reads the file `path` that `node` of `src` names (an import or include), and runs `read`
/// on its root element; a file that cannot be read is reported at `node`.
pub(crate) fn read_named_file<T>(
    src: &Source,
    node: Node,
    path: &Path,
    read: impl FnOnce(&Source, Node) -> Result<T>,
) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Load {
        location: src.at(node),
        path: path.to_path_buf(),
        source,
    })?;
    let doc = parse_xml(path, &text)?;
    let doc_src = Source::new(path, &doc);
    read(&doc_src, doc.root_element())
}

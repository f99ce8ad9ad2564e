//! Errors of the generator. Every error that comes from an input file names the file, line and
//! column, and says what was expected.

use std::path::PathBuf;

use crate::model::{Location, QName};

/// Everything that can go wrong while generating bindings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("{path}: cannot read: {source}", path = path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("{path}: cannot write: {source}", path = path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file that a document names (an import, include or catalog) could not be read.
    #[error("{location}: cannot read `{path}`: {source}", path = path.display())]
    Load {
        /// Where the document names it.
        location: Location,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A remote location that no catalog maps to a local file.
    #[error(
        "{location}: `{uri}` is a remote location, which the generator does not download; \
         map it to a local copy with an OASIS XML catalog (`--catalog FILE` on the command \
         line, `Builder::catalog` or `Options::catalog`){}",
        if *catalog { "; the catalogs given have no entry for it" } else { "" }
    )]
    Remote {
        /// Where the location stands.
        location: Location,
        /// The location.
        uri: String,
        /// Whether catalogs were given (and none maps it).
        catalog: bool,
    },
    /// The input is not well-formed XML.
    #[error("{location}: malformed XML: {message}")]
    Xml {
        /// Where the parser stopped.
        location: Location,
        /// What the XML parser said.
        message: String,
    },
    /// A QName uses a prefix that no `xmlns:` declaration in scope binds.
    #[error("{location}: unresolved namespace prefix `{prefix}` in `{value}`")]
    UnresolvedPrefix {
        /// Where the QName stands.
        location: Location,
        /// The undeclared prefix.
        prefix: String,
        /// The whole attribute value.
        value: String,
    },
    /// A reference to something that is not defined.
    #[error("{location}: unresolved {kind} `{name}`")]
    Unresolved {
        /// Where the reference stands.
        location: Location,
        /// What kind of thing was referenced: `type`, `element`, `attribute`, `message`,
        /// `part`, `port type`, `binding`.
        kind: &'static str,
        /// The referenced name.
        name: QName,
    },
    /// A construct the generator does not support.
    #[error("{location}: unsupported {construct}: {hint}")]
    Unsupported {
        /// Where the construct stands.
        location: Location,
        /// The construct, e.g. `xs:choice`.
        construct: String,
        /// What to do instead, or why it is not supported.
        hint: String,
    },
    /// Something other than what the WSDL or schema grammar allows at this place.
    #[error("{location}: expected {expected}, found {found}")]
    Unexpected {
        /// Where the offending node stands.
        location: Location,
        /// What the grammar allows here.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A name is defined twice.
    #[error("{location}: duplicate {kind} `{name}` (first defined at {first})")]
    Duplicate {
        /// The second definition.
        location: Location,
        /// What kind of thing.
        kind: &'static str,
        /// Its name.
        name: QName,
        /// The first definition.
        first: Location,
    },
    /// A described operation whose body does not have what its profile needs.
    #[error("{location}: operation `{operation}`: {reason}")]
    Profile {
        /// Where the offending declaration stands (the body type or element, or the
        /// operation).
        location: Location,
        /// The operation.
        operation: String,
        /// What is missing or does not fit.
        reason: String,
    },
    /// The options refer to something the WSDL does not have, or are inconsistent.
    #[error("options: {0}")]
    Options(String),
    /// Two generated Rust items would get the same name.
    #[error("{location}: {what} would be generated as `{rust}`, which is already used by {other}")]
    NameClash {
        /// The item that clashes.
        location: Location,
        /// Description of the item.
        what: String,
        /// The Rust name.
        rust: String,
        /// Description of the item that already has the name.
        other: String,
    },
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

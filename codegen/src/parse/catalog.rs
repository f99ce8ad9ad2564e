//! OASIS XML Catalogs (the format xmllint and JAXB read): map the remote `schemaLocation`s
//! and namespace names of imports to local copies.
//!
//! Entries read: `uri`, `system`, `rewriteURI`, `rewriteSystem`, `uriSuffix`,
//! `systemSuffix`, `group` (with `xml:base`) and `nextCatalog`; `public` and `delegate*`
//! entries do not apply to schema locations and are ignored. A relative `uri` is relative
//! to the catalog file (or the `xml:base` in scope). Lookups try the catalog's own entries
//! in the order of the specification: exact `uri`/`system` matches, the longest rewrite
//! prefix, the longest suffix, then the next catalogs in order.

use std::path::{Path, PathBuf};

use roxmltree::Node;

use super::document::read_document;
use crate::error::{Error, Result};
use crate::model::Location;

/// The catalog namespace.
const CATALOG_NS: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";
/// The `xml:base` attribute.
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// Deepest chain of `nextCatalog`s followed.
const MAX_NEXT: usize = 16;

/// One mapping of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    /// `uri`/`system`: the whole identifier maps to a file.
    Exact { name: String, target: PathBuf },
    /// `rewriteURI`/`rewriteSystem`: an identifier starting with `prefix` maps to `target`
    /// followed by the rest.
    Rewrite { prefix: String, target: String },
    /// `uriSuffix`/`systemSuffix`: an identifier ending with `suffix` maps to a file.
    Suffix { suffix: String, target: PathBuf },
}

/// A loaded catalog with its `nextCatalog`s.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalog {
    entries: Vec<Entry>,
    next: Vec<Catalog>,
}

impl Catalog {
    /// Reads the catalog file at `path` and the catalogs it chains to.
    pub fn load(path: &Path) -> Result<Self> {
        Self::load_depth(path, 0)
    }

    fn load_depth(path: &Path, depth: usize) -> Result<Self> {
        read_document(path, |src, root| {
            let at = |node: Node| src.at(node);
            if root.tag_name().namespace() != Some(CATALOG_NS)
                || root.tag_name().name() != "catalog"
            {
                return Err(src.unexpected(root, "an OASIS XML catalog (<catalog>)"));
            }
            let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut catalog = Catalog::default();
            let mut next = Vec::new();
            collect(root, &base, &mut catalog.entries, &mut next, &at)?;
            for (file, location) in next {
                if depth >= MAX_NEXT {
                    return Err(Error::Unsupported {
                        location,
                        construct: "nextCatalog".to_owned(),
                        hint: format!("catalogs chain more than {MAX_NEXT} deep"),
                    });
                }
                catalog.next.push(Self::load_depth(&file, depth + 1)?);
            }
            Ok(catalog)
        })
    }

    /// The local file a schema location or namespace name maps to, if any.
    pub fn resolve(&self, identifier: &str) -> Option<PathBuf> {
        let exact = self.entries.iter().find_map(|e| match e {
            Entry::Exact { name, target } if name == identifier => Some(target.clone()),
            _ => None,
        });
        if exact.is_some() {
            return exact;
        }
        let rewrite = self
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Rewrite { prefix, target } => identifier
                    .strip_prefix(prefix.as_str())
                    .map(|rest| (prefix.len(), format!("{target}{rest}"))),
                _ => None,
            })
            .max_by_key(|(len, _)| *len);
        if let Some((_, target)) = rewrite {
            return Some(PathBuf::from(target));
        }
        let suffix = self
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Suffix { suffix, target } if identifier.ends_with(suffix.as_str()) => {
                    Some((suffix.len(), target.clone()))
                }
                _ => None,
            })
            .max_by_key(|(len, _)| *len);
        if let Some((_, target)) = suffix {
            return Some(target);
        }
        self.next.iter().find_map(|c| c.resolve(identifier))
    }

    /// Adds the entries of `other` after this catalog's own (as a `nextCatalog`).
    pub fn chain(&mut self, other: Catalog) {
        self.next.push(other);
    }
}

/// The catalog entries under `node` (a `catalog` or `group`), with `base` in scope.
fn collect(
    node: Node,
    base: &Path,
    entries: &mut Vec<Entry>,
    next: &mut Vec<(PathBuf, Location)>,
    at: &dyn Fn(Node) -> Location,
) -> Result<()> {
    let base = match node.attribute((XML_NS, "base")) {
        Some(b) => base.join(file_path(b)),
        None => base.to_path_buf(),
    };
    for child in node.children().filter(Node::is_element) {
        if child.tag_name().namespace() != Some(CATALOG_NS) {
            continue;
        }
        let attr = |name: &str| -> Result<&str> {
            child.attribute(name).ok_or_else(|| Error::Unexpected {
                location: at(child),
                expected: format!("attribute `{name}`"),
                found: "none".to_owned(),
            })
        };
        let local = |target: &str| base.join(file_path(target));
        match child.tag_name().name() {
            "uri" => entries.push(Entry::Exact {
                name: attr("name")?.to_owned(),
                target: local(attr("uri")?),
            }),
            "system" => entries.push(Entry::Exact {
                name: attr("systemId")?.to_owned(),
                target: local(attr("uri")?),
            }),
            "rewriteURI" => entries.push(Entry::Rewrite {
                prefix: attr("uriStartString")?.to_owned(),
                target: local(attr("rewritePrefix")?).to_string_lossy().into_owned(),
            }),
            "rewriteSystem" => entries.push(Entry::Rewrite {
                prefix: attr("systemIdStartString")?.to_owned(),
                target: local(attr("rewritePrefix")?).to_string_lossy().into_owned(),
            }),
            "uriSuffix" => entries.push(Entry::Suffix {
                suffix: attr("uriSuffix")?.to_owned(),
                target: local(attr("uri")?),
            }),
            "systemSuffix" => entries.push(Entry::Suffix {
                suffix: attr("systemIdSuffix")?.to_owned(),
                target: local(attr("uri")?),
            }),
            "nextCatalog" => next.push((local(attr("catalog")?), at(child))),
            "group" => collect(child, &base, entries, next, at)?,
            _ => {}
        }
    }
    Ok(())
}

/// A catalog's `uri` value as a path: `file:` URLs lose their scheme.
fn file_path(uri: &str) -> PathBuf {
    let path = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("file:"))
        .unwrap_or(uri);
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(xml: &str) -> (tempfile::TempDir, Catalog) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.xml");
        std::fs::write(&path, xml).unwrap();
        let catalog = Catalog::load(&path).unwrap();
        (dir, catalog)
    }

    #[test]
    fn maps_exact_rewrite_and_suffix_entries_relative_to_the_catalog() {
        let (dir, c) = catalog(
            r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
                 <uri name="http://a.example/a.xsd" uri="local/a.xsd"/>
                 <system systemId="http://b.example/b.xsd" uri="b.xsd"/>
                 <rewriteSystem systemIdStartString="http://c.example/" rewritePrefix="c/"/>
                 <rewriteSystem systemIdStartString="http://c.example/deep/" rewritePrefix="d/"/>
                 <group xml:base="g/"><systemSuffix systemIdSuffix="/e.xsd" uri="e.xsd"/></group>
               </catalog>"#,
        );
        let at = |p: &str| Some(dir.path().join(p));
        assert_eq!(c.resolve("http://a.example/a.xsd"), at("local/a.xsd"));
        assert_eq!(c.resolve("http://b.example/b.xsd"), at("b.xsd"));
        assert_eq!(c.resolve("http://c.example/x/y.xsd"), at("c/x/y.xsd"));
        assert_eq!(c.resolve("http://c.example/deep/z.xsd"), at("d/z.xsd"));
        assert_eq!(c.resolve("http://f.example/e.xsd"), at("g/e.xsd"));
        assert_eq!(c.resolve("http://nowhere.example/"), None);
    }

    #[test]
    fn follows_next_catalogs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(
            dir.path().join("sub/next.xml"),
            r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
                 <uri name="urn:x" uri="x.xsd"/></catalog>"#,
        )
        .unwrap();
        let path = dir.path().join("catalog.xml");
        std::fs::write(
            &path,
            r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
                 <nextCatalog catalog="sub/next.xml"/></catalog>"#,
        )
        .unwrap();
        let c = Catalog::load(&path).unwrap();
        assert_eq!(c.resolve("urn:x"), Some(dir.path().join("sub/x.xsd")));
    }

    #[test]
    fn refuses_what_is_not_a_catalog() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("catalog.xml");
        std::fs::write(&path, "<catalog/>").unwrap();
        let error = Catalog::load(&path).unwrap_err().to_string();
        assert!(error.contains("catalog.xml:1:1"), "{error}");
        assert!(error.contains("OASIS XML catalog"), "{error}");
        let missing = Catalog::load(&dir.path().join("none.xml")).unwrap_err();
        assert!(missing.to_string().contains("none.xml"), "{missing}");
    }
}

//! QName-valued attributes resolved by the namespace declarations in scope.

use roxmltree::Node;

use super::location::Source;
use super::ns::XML;
use crate::error::{Error, Result};
use crate::model::{Location, QName};

/// A resolved QName reference and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ref {
    /// The referenced name.
    pub name: QName,
    /// Where the reference stands.
    pub location: Location,
}

/// Resolves the QName in attribute `attr` of `node`, if present. An unprefixed name takes the
/// default namespace in scope (or no namespace), as XML Schema specifies for QName values; the
/// `xml` prefix is bound by definition; in a chameleon-included schema, a name in no namespace
/// takes the including schema's.
pub(crate) fn attr(src: &Source, node: Node, attr: &str) -> Result<Option<Ref>> {
    let Some(value) = node.attribute(attr) else {
        return Ok(None);
    };
    let location = src.attr_at(node, attr);
    let text = value.trim();
    let (prefix, local) = match text.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, text),
    };
    let namespace = match prefix {
        Some("xml") => XML,
        Some(p) => match node.lookup_namespace_uri(Some(p)) {
            Some(uri) => uri,
            None => {
                return Err(Error::UnresolvedPrefix {
                    location,
                    prefix: p.to_owned(),
                    value: value.to_owned(),
                });
            }
        },
        None => node.lookup_namespace_uri(None).unwrap_or(""),
    };
    let namespace = match (&src.chameleon, namespace) {
        (Some(target), "") => target.as_str(),
        _ => namespace,
    };
    if local.is_empty() || local.contains(':') || prefix.is_some_and(str::is_empty) {
        return Err(Error::Unexpected {
            location,
            expected: format!("a QName in `{attr}`"),
            found: format!("`{value}`"),
        });
    }
    Ok(Some(Ref {
        name: QName::new(namespace, local),
        location,
    }))
}

/// Like [`attr`], but the attribute must be present.
pub(crate) fn required(src: &Source, node: Node, name: &str) -> Result<Ref> {
    attr(src, node, name)?.ok_or_else(|| missing(src, node, name))
}

/// The value of attribute `name`, which must be present.
pub(crate) fn required_str<'a>(src: &Source, node: Node<'a, '_>, name: &str) -> Result<&'a str> {
    node.attribute(name).ok_or_else(|| missing(src, node, name))
}

fn missing(src: &Source, node: Node, name: &str) -> Error {
    src.unexpected(node, &format!("attribute `{name}`"))
}

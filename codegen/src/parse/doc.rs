//! Documentation text (`xs:documentation`, `wsdl:documentation`), whitespace-normalised.

use roxmltree::Node;

use super::ns::{self, WSDL, XS};

/// Normalises documentation text: whitespace runs inside a paragraph become one space,
/// paragraphs (separated by blank lines) are joined with `"\n\n"`. `None` when empty.
pub(crate) fn normalise(text: &str) -> Option<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else {
            current.extend(line.split_whitespace());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    if paragraphs.is_empty() {
        None
    } else {
        Some(paragraphs.join("\n\n"))
    }
}

fn text_of(node: Node) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|n| n.text())
        .collect()
}

fn join(parts: Vec<String>) -> Option<String> {
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("\n\n"))
    }
}

/// The documentation of a schema component: its `xs:annotation/xs:documentation` children.
pub(crate) fn xs_doc(node: Node) -> Option<String> {
    let parts = ns::children(node)
        .filter(|n| ns::is(*n, XS, "annotation"))
        .flat_map(ns::children)
        .filter(|n| ns::is(*n, XS, "documentation"))
        .filter_map(|n| normalise(&text_of(n)))
        .collect();
    join(parts)
}

/// The documentation of a WSDL component: its `wsdl:documentation` children.
pub(crate) fn wsdl_doc(node: Node) -> Option<String> {
    let parts = ns::children(node)
        .filter(|n| ns::is(*n, WSDL, "documentation"))
        .filter_map(|n| normalise(&text_of(n)))
        .collect();
    join(parts)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn collapses_lines_and_keeps_paragraphs() {
        assert_eq!(
            normalise("\nOne\n  two\tthree\n\n \nFour.\n").as_deref(),
            Some("One two three\n\nFour.")
        );
        assert_eq!(normalise(" \n \n"), None);
    }
}

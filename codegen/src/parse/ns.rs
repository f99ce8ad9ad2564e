//! Namespace URIs the parser recognises elements by.

use roxmltree::Node;

/// WSDL 1.1.
pub(crate) const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
/// WSDL 1.1 SOAP 1.1 binding.
pub(crate) const SOAP: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// WSDL 1.1 SOAP 1.2 binding.
pub(crate) const SOAP12: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
/// XML Schema.
pub(crate) const XS: &str = "http://www.w3.org/2001/XMLSchema";
/// The XML namespace, bound to the `xml` prefix by definition (Namespaces in XML 1.0,
/// section 3).
pub(crate) const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Whether `node` is the element `{ns}local`.
pub(crate) fn is(node: Node, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == local
}

/// Whether `node` is an element of one of the SOAP binding namespaces with local name `local`.
pub(crate) fn is_soap(node: Node, local: &str) -> bool {
    is(node, SOAP, local) || is(node, SOAP12, local)
}

/// Whether `node` is in namespace `ns`.
pub(crate) fn in_ns(node: Node, ns: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns)
}

/// The `targetNamespace` of a schema element (empty for none).
pub(crate) fn target_namespace(schema: Node) -> String {
    schema
        .attribute("targetNamespace")
        .unwrap_or_default()
        .to_owned()
}

/// The element children of `node`.
pub(crate) fn children<'a, 'input>(
    node: Node<'a, 'input>,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(Node::is_element)
}

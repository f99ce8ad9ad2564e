//! `wsdl:definitions` read into raw WSDL components; embedded schemas go to [`Declarations`].

use roxmltree::Node;

use super::doc::wsdl_doc;
use super::document::read_named_file;
use super::loader::Loader;
use super::location::Source;
use super::ns::{self, WSDL, XS, target_namespace};
use super::qname::{self, Ref};
use super::raw::Declarations;
use super::schema::read_schema;
use crate::error::{Error, Result};
use crate::model::{Location, QName};

/// The WSDL components of a document and the documents it imports.
#[derive(Debug, Default)]
pub(crate) struct Wsdl {
    /// `targetNamespace` of the definitions, then those of imported definitions.
    pub targets: Vec<String>,
    /// Messages in document order.
    pub messages: Vec<Message>,
    /// Port types in document order.
    pub port_types: Vec<PortType>,
    /// Bindings in document order.
    pub bindings: Vec<Binding>,
    /// Services in document order.
    pub services: Vec<Service>,
}

/// `wsdl:message`.
#[derive(Debug)]
pub(crate) struct Message {
    /// Name in the WSDL target namespace.
    pub name: QName,
    /// Where it is defined.
    pub location: Location,
    /// Its parts.
    pub parts: Vec<Part>,
}

/// `wsdl:part`.
#[derive(Debug)]
pub(crate) struct Part {
    /// Part name.
    pub name: String,
    /// What the part holds: `element=` or `type=`.
    pub content: PartContent,
    /// Where the part is declared.
    pub location: Location,
}

/// What a `wsdl:part` holds.
#[derive(Debug)]
pub(crate) enum PartContent {
    /// `element=`: a global element.
    Element(Ref),
    /// `type=`: a value of a type (in rpc style, the content of an element named after the
    /// part).
    Type(Ref),
}

impl Part {
    /// The global element of an `element=` part.
    pub fn element(&self) -> Option<&Ref> {
        match &self.content {
            PartContent::Element(r) => Some(r),
            PartContent::Type(_) => None,
        }
    }
}

/// `wsdl:portType`.
#[derive(Debug)]
pub(crate) struct PortType {
    /// Name in the WSDL target namespace.
    pub name: QName,
    /// Documentation.
    pub doc: Option<String>,
    /// Where it is defined.
    pub location: Location,
    /// Its operations.
    pub operations: Vec<AbstractOperation>,
}

/// `wsdl:portType/wsdl:operation`.
#[derive(Debug)]
pub(crate) struct AbstractOperation {
    /// Operation name.
    pub name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Where it is defined.
    pub location: Location,
    /// Input message.
    pub input: Option<Ref>,
    /// Output message.
    pub output: Option<Ref>,
    /// Where an input or output without a `message` stands (read as absent).
    pub without_message: Option<Location>,
}

/// `wsdl:binding` with a SOAP binding.
#[derive(Debug)]
pub(crate) struct Binding {
    /// Name in the WSDL target namespace.
    pub name: QName,
    /// Where it is defined.
    pub location: Location,
    /// The port type it binds.
    pub port_type: Ref,
    /// Whether it has a `soap:binding` (SOAP 1.1 or 1.2).
    pub soap: bool,
    /// `style="rpc"` on the `soap:binding` (the default of its operations).
    pub rpc: bool,
    /// Its operations.
    pub operations: Vec<BindingOperation>,
}

/// `wsdl:binding/wsdl:operation`.
#[derive(Debug)]
pub(crate) struct BindingOperation {
    /// Operation name.
    pub name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Where it is defined.
    pub location: Location,
    /// The operation's style is rpc (its own `soap:operation/@style`, else the binding's).
    pub rpc: bool,
    /// `soap:body/@namespace` of the input and the output: the namespace of rpc wrappers.
    pub body_namespace: Option<String>,
    /// `soap:header`s of the input.
    pub input_headers: Vec<SoapHeader>,
    /// `soap:header`s of the output.
    pub output_headers: Vec<SoapHeader>,
}

/// `soap:header`.
#[derive(Debug)]
pub(crate) struct SoapHeader {
    /// The message holding the part.
    pub message: Ref,
    /// Part name.
    pub part: String,
    /// Where it stands.
    pub location: Location,
}

/// `wsdl:service`.
#[derive(Debug)]
pub(crate) struct Service {
    /// Service name.
    pub name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Its ports.
    pub ports: Vec<Port>,
}

/// `wsdl:port`.
#[derive(Debug)]
pub(crate) struct Port {
    /// Port name.
    pub name: String,
    /// The binding it exposes.
    pub binding: Ref,
    /// `soap:address/@location`.
    pub address: Option<String>,
}

/// Reads the root `wsdl:definitions` element, its embedded schemas into `decls`.
pub(crate) fn read_definitions(
    src: &Source,
    root: Node,
    decls: &mut Declarations,
    loader: &mut Loader,
) -> Result<Wsdl> {
    if !ns::is(root, WSDL, "definitions") {
        return Err(src.unexpected(root, "<wsdl:definitions>"));
    }
    let mut wsdl = Wsdl {
        targets: vec![wsdl_target(root).to_owned()],
        ..Wsdl::default()
    };
    let name = |node: Node| -> Result<QName> {
        Ok(QName::new(
            wsdl_target(root),
            qname::required_str(src, node, "name")?,
        ))
    };
    for child in ns::children(root) {
        if !ns::in_ns(child, WSDL) {
            continue;
        }
        match child.tag_name().name() {
            "documentation" => {}
            "types" => read_types(src, child, decls, loader)?,
            "message" => {
                let mut parts = Vec::new();
                for part in ns::children(child).filter(|n| ns::is(*n, WSDL, "part")) {
                    let content = match (
                        qname::attr(src, part, "element")?,
                        qname::attr(src, part, "type")?,
                    ) {
                        (Some(element), None) => PartContent::Element(element),
                        (None, Some(ty)) => PartContent::Type(ty),
                        (Some(_), Some(_)) => {
                            return Err(src.unexpected(part, "`element` or `type`, not both"));
                        }
                        (None, None) => {
                            return Err(src.unexpected(part, "an `element` or a `type` attribute"));
                        }
                    };
                    parts.push(Part {
                        name: qname::required_str(src, part, "name")?.to_owned(),
                        content,
                        location: src.at(part),
                    });
                }
                wsdl.messages.push(Message {
                    name: name(child)?,
                    location: src.at(child),
                    parts,
                });
            }
            "portType" => {
                let mut operations = Vec::new();
                for op in ns::children(child).filter(|n| ns::is(*n, WSDL, "operation")) {
                    let mut without_message = None;
                    let mut io = |tag: &str| -> Result<Option<Ref>> {
                        match ns::children(op).find(|n| ns::is(*n, WSDL, tag)) {
                            Some(n) => {
                                let message = qname::attr(src, n, "message")?;
                                if message.is_none() {
                                    without_message.get_or_insert_with(|| src.at(n));
                                }
                                Ok(message)
                            }
                            None => Ok(None),
                        }
                    };
                    let input = io("input")?;
                    let output = io("output")?;
                    operations.push(AbstractOperation {
                        name: qname::required_str(src, op, "name")?.to_owned(),
                        doc: wsdl_doc(op),
                        location: src.at(op),
                        input,
                        output,
                        without_message,
                    });
                }
                wsdl.port_types.push(PortType {
                    name: name(child)?,
                    doc: wsdl_doc(child),
                    location: src.at(child),
                    operations,
                });
            }
            "binding" => wsdl.bindings.push(read_binding(src, child, name(child)?)?),
            "service" => {
                let mut ports = Vec::new();
                for port in ns::children(child).filter(|n| ns::is(*n, WSDL, "port")) {
                    ports.push(Port {
                        name: qname::required_str(src, port, "name")?.to_owned(),
                        binding: qname::required(src, port, "binding")?,
                        address: ns::children(port)
                            .find(|n| ns::is_soap(*n, "address"))
                            .and_then(|n| n.attribute("location"))
                            .map(str::to_owned),
                    });
                }
                wsdl.services.push(Service {
                    name: qname::required_str(src, child, "name")?.to_owned(),
                    doc: wsdl_doc(child),
                    ports,
                });
            }
            "import" => {
                if let Some(imported) = import(src, child, decls, loader)? {
                    wsdl.merge(imported);
                }
            }
            _ => return Err(src.unexpected(child, "a WSDL 1.1 definition")),
        }
    }
    Ok(wsdl)
}

/// `wsdl:import`: reads the imported WSDL (or schema) unless it was read already, and returns
/// its components.
fn import(
    src: &Source,
    node: Node,
    decls: &mut Declarations,
    loader: &mut Loader,
) -> Result<Option<Wsdl>> {
    let Some(path) = loader.wsdl_import(src, node)? else {
        return Ok(None);
    };
    read_named_file(src, node, &path, |doc_src, root| {
        loader.record_prefixes(doc_src.doc);
        if ns::is(root, XS, "schema") {
            loader.add_namespace(target_namespace(root));
            read_schema(doc_src, root, decls, loader, false)?;
            return Ok(None);
        }
        loader.register_input(&path, doc_src.doc);
        read_definitions(doc_src, root, decls, loader).map(Some)
    })
}

impl Wsdl {
    /// Adds the components of `other` (another document's) after this one's.
    pub fn merge(&mut self, other: Wsdl) {
        for target in other.targets {
            if !self.targets.contains(&target) {
                self.targets.push(target);
            }
        }
        self.messages.extend(other.messages);
        self.port_types.extend(other.port_types);
        self.bindings.extend(other.bindings);
        self.services.extend(other.services);
    }
}

fn wsdl_target<'a>(root: Node<'a, '_>) -> &'a str {
    root.attribute("targetNamespace").unwrap_or("")
}

fn read_types(
    src: &Source,
    types: Node,
    decls: &mut Declarations,
    loader: &mut Loader,
) -> Result<()> {
    for child in ns::children(types) {
        if ns::is(child, XS, "schema") {
            read_schema(src, child, decls, loader, false)?;
        } else if ns::in_ns(child, WSDL) && child.tag_name().name() == "documentation" {
        } else {
            return Err(src.unexpected(child, "<xs:schema>"));
        }
    }
    Ok(())
}

/// `style` of a `soap:binding` or `soap:operation`: `Some(true)` for rpc, `None` when absent.
fn style(src: &Source, node: Node) -> Result<Option<bool>> {
    match node.attribute("style") {
        None => Ok(None),
        Some("rpc") => Ok(Some(true)),
        Some("document") => Ok(Some(false)),
        Some(_) => Err(src.unexpected(node, "style `document` or `rpc`")),
    }
}

fn check_use(src: &Source, node: Node) -> Result<()> {
    match node.attribute("use") {
        Some("encoded") => Err(Error::Unsupported {
            location: src.attr_at(node, "use"),
            construct: "use=\"encoded\"".to_owned(),
            hint: "only literal bindings (document/literal and rpc/literal) are supported"
                .to_owned(),
        }),
        _ => Ok(()),
    }
}

fn read_binding(src: &Source, node: Node, name: QName) -> Result<Binding> {
    let mut binding = Binding {
        name,
        location: src.at(node),
        port_type: qname::required(src, node, "type")?,
        soap: false,
        rpc: false,
        operations: Vec::new(),
    };
    for child in ns::children(node).filter(|n| ns::is_soap(*n, "binding")) {
        binding.soap = true;
        binding.rpc = style(src, child)?.unwrap_or(false);
    }
    for child in ns::children(node) {
        if ns::is(child, WSDL, "operation") {
            let mut op = BindingOperation {
                name: qname::required_str(src, child, "name")?.to_owned(),
                doc: wsdl_doc(child),
                location: src.at(child),
                rpc: binding.rpc,
                body_namespace: None,
                input_headers: Vec::new(),
                output_headers: Vec::new(),
            };
            for part in ns::children(child) {
                if ns::is_soap(part, "operation") {
                    if let Some(rpc) = style(src, part)? {
                        op.rpc = rpc;
                    }
                    continue;
                }
                let headers = if ns::is(part, WSDL, "input") {
                    &mut op.input_headers
                } else if ns::is(part, WSDL, "output") {
                    &mut op.output_headers
                } else {
                    continue;
                };
                for ext in ns::children(part) {
                    if ns::is_soap(ext, "body") {
                        check_use(src, ext)?;
                        if let Some(namespace) = ext.attribute("namespace") {
                            op.body_namespace
                                .get_or_insert_with(|| namespace.to_owned());
                        }
                    } else if ns::is_soap(ext, "header") {
                        check_use(src, ext)?;
                        headers.push(SoapHeader {
                            message: qname::required(src, ext, "message")?,
                            part: qname::required_str(src, ext, "part")?.to_owned(),
                            location: src.at(ext),
                        });
                    }
                }
            }
            binding.operations.push(op);
        }
    }
    Ok(binding)
}

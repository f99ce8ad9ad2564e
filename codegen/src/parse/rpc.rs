//! rpc/literal operations: the wrapper elements their bodies stand in, declared as if a schema
//! had them, so that they resolve and generate like any other element.
//!
//! In rpc style (WSDL 1.1 section 3.5) the SOAP body holds one element named after the
//! operation, in the namespace of `soap:body/@namespace`; its children are the message parts
//! in order, each an unqualified element named after the part holding the part's type (or the
//! part's element itself). The response's wrapper is named after the operation with
//! `Response` appended.

use super::qname::Ref;
use super::raw::{Declarations, RawComplex, RawContent, RawElement, RawElementKind, RawType};
use super::wsdl::{Binding, BindingOperation, Message, PartContent, Wsdl};
use crate::model::QName;

/// The wrapper element of the input (`output == false`) or output of rpc operation `op`.
pub(crate) fn wrapper_name(binding: &Binding, op: &BindingOperation, output: bool) -> QName {
    let namespace = op
        .body_namespace
        .clone()
        .unwrap_or_else(|| binding.name.namespace.clone());
    let suffix = if output { "Response" } else { "" };
    QName::new(namespace, format!("{}{suffix}", op.name))
}

/// Declares the wrapper elements of every rpc operation of the SOAP bindings of `wsdl` whose
/// messages resolve, unless a schema declares an element of that name (then the operation is
/// left out by the services).
pub(crate) fn declare_wrappers(wsdl: &Wsdl, decls: &mut Declarations) {
    let declared: Vec<QName> = decls.elements.iter().map(|e| e.name.clone()).collect();
    for binding in wsdl.bindings.iter().filter(|b| b.soap) {
        let Some(port_type) = wsdl
            .port_types
            .iter()
            .find(|p| p.name == binding.port_type.name)
        else {
            continue;
        };
        for op in binding.operations.iter().filter(|o| o.rpc) {
            let Some(abstract_op) = port_type.operations.iter().find(|o| o.name == op.name) else {
                continue;
            };
            for (output, message) in [(false, &abstract_op.input), (true, &abstract_op.output)] {
                let Some(message) = message
                    .as_ref()
                    .and_then(|r| wsdl.messages.iter().find(|m| m.name == r.name))
                else {
                    continue;
                };
                let name = wrapper_name(binding, op, output);
                if declared.contains(&name) || decls.elements.iter().any(|e| e.name == name) {
                    continue;
                }
                declare(decls, name, message, &op.name, output);
            }
        }
    }
}

fn declare(decls: &mut Declarations, name: QName, message: &Message, op: &str, output: bool) {
    let particles = message
        .parts
        .iter()
        .map(|part| RawElement {
            name: match &part.content {
                PartContent::Type(_) => QName::new("", part.name.clone()),
                PartContent::Element(r) => r.name.clone(),
            },
            kind: match &part.content {
                PartContent::Type(r) => RawElementKind::Typed(r.clone()),
                PartContent::Element(r) => RawElementKind::Ref(r.clone()),
            },
            min_occurs: 1,
            max_occurs: Some(1),
            doc: match &part.content {
                PartContent::Type(_) => Some(format!(
                    "Part {} of message {}.",
                    part.name, message.name.local
                )),
                // The element's own documentation.
                PartContent::Element(_) => None,
            },
            location: part.location.clone(),
            nillable: false,
        })
        .collect();
    let what = if output { "response" } else { "request" };
    if !decls.namespaces.contains(&name.namespace) {
        decls.namespaces.push(name.namespace.clone());
    }
    decls.types.push(RawType::Complex(RawComplex {
        name: name.clone(),
        doc: Some(format!(
            "The rpc/literal {what} of operation {op}: the parts of message {}.",
            message.name.local
        )),
        location: message.location.clone(),
        content: RawContent::Sequence(particles),
        attributes: Vec::new(),
        any_attribute: None,
        attribute_groups: Vec::new(),
        mixed: false,
        all: false,
        is_abstract: false,
    }));
    decls.elements.push(RawElement {
        name: name.clone(),
        kind: RawElementKind::Typed(Ref {
            name,
            location: message.location.clone(),
        }),
        min_occurs: 1,
        max_occurs: Some(1),
        doc: None,
        location: message.location.clone(),
        nillable: false,
    });
}

//! WSDL bindings and services resolved into model [`Service`]s with their operations.

use std::collections::HashMap;

use super::qname::Ref;
use super::rpc;
use super::types::{Index, unresolved};
use super::wsdl::{
    AbstractOperation, Binding, BindingOperation, Message, PortType, SoapHeader, Wsdl,
};
use crate::error::{Error, Result};
use crate::model::{
    Element, Header, HeaderPart, Location, Operation, OperationSource, QName, Service, SkipKind,
    Skipped,
};
use crate::options::Options;

/// WSDL components by name.
struct Components<'w> {
    messages: HashMap<QName, &'w Message>,
    port_types: HashMap<QName, &'w PortType>,
    bindings: HashMap<QName, &'w Binding>,
}

fn by_name<'w, T>(
    items: &'w [T],
    kind: &'static str,
    name: impl Fn(&T) -> &QName,
    location: impl Fn(&T) -> Location,
) -> Result<HashMap<QName, &'w T>> {
    let mut map: HashMap<QName, &'w T> = HashMap::new();
    for item in items {
        if let Some(first) = map.get(name(item)) {
            return Err(Error::Duplicate {
                location: location(item),
                kind,
                name: name(item).clone(),
                first: location(first),
            });
        }
        map.insert(name(item).clone(), item);
    }
    Ok(map)
}

/// Builds the services of `wsdl`, and what it leaves out (bindings other than SOAP,
/// operations a typed call cannot be made of); extra operations of `options` go to the first
/// service.
pub(crate) fn services(
    wsdl: &Wsdl,
    index: &Index,
    options: &Options,
    elements: &[Element],
) -> Result<(Vec<Service>, Vec<Skipped>)> {
    let components = Components {
        messages: by_name(
            &wsdl.messages,
            "message",
            |m| &m.name,
            |m| m.location.clone(),
        )?,
        port_types: by_name(
            &wsdl.port_types,
            "port type",
            |p| &p.name,
            |p| p.location.clone(),
        )?,
        bindings: by_name(
            &wsdl.bindings,
            "binding",
            |b| &b.name,
            |b| b.location.clone(),
        )?,
    };
    // (service name, doc, address, binding) per exposed binding.
    let mut exposures: Vec<(String, Option<String>, Option<String>, &Binding)> = Vec::new();
    let mut skipped = Vec::new();
    // A binding other than SOAP is left out (once), before it could take a service's name.
    let soap = |binding: &Binding, skipped: &mut Vec<Skipped>| {
        if !binding.soap && !skipped.iter().any(|s| s.location == binding.location) {
            skipped.push(Skipped {
                location: binding.location.clone(),
                what: format!("binding `{}`", binding.name.local),
                kind: SkipKind::LeftOut,
                reason: "it is not a SOAP binding (no soap:binding), which X-Road does not carry"
                    .to_owned(),
            });
        }
        binding.soap
    };
    if wsdl.services.is_empty() {
        for b in &wsdl.bindings {
            if soap(b, &mut skipped) {
                exposures.push((b.name.local.clone(), None, None, b));
            }
        }
    } else {
        for s in &wsdl.services {
            let mut first = true;
            for port in &s.ports {
                let Some(binding) = components.bindings.get(&port.binding.name).copied() else {
                    return Err(unresolved("binding", &port.binding));
                };
                if !soap(binding, &mut skipped)
                    || exposures.iter().any(|e| std::ptr::eq(e.3, binding))
                {
                    continue;
                }
                let name = if first {
                    s.name.clone()
                } else {
                    port.name.clone()
                };
                first = false;
                exposures.push((name, s.doc.clone(), port.address.clone(), binding));
            }
        }
    }
    let mut out = Vec::new();
    for (name, doc, address, binding) in exposures {
        let extra = if out.is_empty() {
            options.extra_operations()
        } else {
            &[]
        };
        out.push(service(
            &components,
            index,
            elements,
            binding,
            name,
            doc,
            address,
            extra,
            &mut skipped,
        )?);
    }
    if out.is_empty()
        && let Some(extra) = options.extra_operations().first()
    {
        return Err(Error::Options(format!(
            "extra operation `{}` needs a SOAP binding in the WSDL",
            extra.name
        )));
    }
    Ok((out, skipped))
}

/// The body element of the input or output of `op`, `Err(reason)` when the operation cannot
/// be a typed call: no such message, or a document-style message that is not one `element=`
/// part.
fn body_element(
    components: &Components,
    binding: &Binding,
    op: &BindingOperation,
    abstract_op: &AbstractOperation,
    output: bool,
) -> Result<std::result::Result<QName, String>> {
    let what = if output { "output" } else { "input" };
    let Some(r) = (if output {
        &abstract_op.output
    } else {
        &abstract_op.input
    }) else {
        let reason = match &abstract_op.without_message {
            Some(at) => format!("its {what} names no message (at {at})"),
            None if output => format!(
                "it is a one-way operation (no output in its port type, at {}), and an X-Road \
                 service answers every request",
                abstract_op.location
            ),
            None => "it has no input (a notification or solicit-response operation)".to_owned(),
        };
        return Ok(Err(reason));
    };
    let m = message(components, r)?;
    if op.rpc {
        return Ok(Ok(rpc::wrapper_name(binding, op, output)));
    }
    match m.parts.as_slice() {
        [part] => match part.element() {
            Some(element) => Ok(Ok(element.name.clone())),
            None => Ok(Err(format!(
                "the part `{}` of its {what} message `{}` has a `type`, which a \
                 document/literal body cannot hold (use `element`, or rpc style)",
                part.name, m.name.local
            ))),
        },
        parts => Ok(Err(format!(
            "its {what} message `{}` has {} parts; a typed document/literal call has one body \
             element (its types are generated)",
            m.name.local,
            parts.len()
        ))),
    }
}

/// The message `r` names.
fn message<'w>(components: &Components<'w>, r: &Ref) -> Result<&'w Message> {
    components
        .messages
        .get(&r.name)
        .copied()
        .ok_or_else(|| unresolved("message", r))
}

#[allow(clippy::too_many_arguments)]
fn service(
    components: &Components,
    index: &Index,
    elements: &[Element],
    binding: &Binding,
    name: String,
    doc: Option<String>,
    address: Option<String>,
    extra: &[crate::options::ExtraOperation],
    skipped: &mut Vec<Skipped>,
) -> Result<Service> {
    let Some(port_type) = components.port_types.get(&binding.port_type.name).copied() else {
        return Err(unresolved("port type", &binding.port_type));
    };
    let mut header: Option<&Message> = None;
    let mut operations = Vec::new();
    for op in &binding.operations {
        let Some(abstract_op) = port_type.operations.iter().find(|o| o.name == op.name) else {
            return Err(Error::Unresolved {
                location: op.location.clone(),
                kind: "operation",
                name: QName::new(port_type.name.namespace.clone(), op.name.clone()),
            });
        };
        let bodies = (
            body_element(components, binding, op, abstract_op, false)?,
            body_element(components, binding, op, abstract_op, true)?,
        );
        let (input, output) = match bodies {
            (Ok(input), Ok(output)) => (input, output),
            (Err(reason), _) | (_, Err(reason)) => {
                skipped.push(Skipped {
                    location: op.location.clone(),
                    what: format!("operation `{}`", op.name),
                    kind: SkipKind::LeftOut,
                    reason: format!("{reason}; it is generated as types only"),
                });
                continue;
            }
        };
        let input_headers = header_parts(components, &mut header, &op.input_headers)?;
        let output_headers = header_parts(components, &mut header, &op.output_headers)?;
        operations.push(Operation {
            name: op.name.clone(),
            doc: abstract_op.doc.clone().or_else(|| op.doc.clone()),
            input,
            output,
            input_headers,
            output_headers,
            description: None,
            source: OperationSource::Wsdl(op.location.clone()),
        });
    }
    let (first_in, first_out) = operations
        .first()
        .map(|o| (o.input_headers.clone(), o.output_headers.clone()))
        .unwrap_or_default();
    for e in extra {
        if operations.iter().any(|o| o.name == e.name) {
            return Err(Error::Options(format!(
                "extra operation `{}` is already declared by binding `{}`",
                e.name, binding.name.local
            )));
        }
        for element in [&e.input, &e.output] {
            if index.element(element).is_none() {
                return Err(Error::Options(format!(
                    "extra operation `{}` refers to element `{element}`, which no schema of the \
                     WSDL declares",
                    e.name
                )));
            }
        }
        operations.push(Operation {
            name: e.name.clone(),
            doc: e.doc.clone(),
            input: e.input.clone(),
            output: e.output.clone(),
            input_headers: first_in.clone(),
            output_headers: first_out.clone(),
            description: None,
            source: OperationSource::Options,
        });
    }
    let header = match header {
        Some(m) => {
            let mut parts = Vec::new();
            for p in &m.parts {
                let in_input = operations.iter().any(|o| o.input_headers.contains(&p.name));
                let in_output = operations
                    .iter()
                    .any(|o| o.output_headers.contains(&p.name));
                if !(in_input || in_output) {
                    continue;
                }
                let always = operations.iter().all(|o| {
                    o.input_headers.contains(&p.name) && o.output_headers.contains(&p.name)
                });
                let Some(part_element) = p.element() else {
                    return Err(Error::Unsupported {
                        location: p.location.clone(),
                        construct: format!("soap:header part `{}` with a `type`", p.name),
                        hint: "a header part names its element with `element`".to_owned(),
                    });
                };
                // Header parts are message parts, whose elements are resolved already.
                let element = elements
                    .iter()
                    .find(|e| e.name == part_element.name)
                    .ok_or_else(|| unresolved("element", part_element))?;
                parts.push(HeaderPart {
                    name: p.name.clone(),
                    element: element.name.clone(),
                    ty: element.ty.clone(),
                    doc: element.doc.clone(),
                    profile_doc: None,
                    always,
                    in_input,
                    in_output,
                    protocol_version: false,
                    prefix: None,
                });
            }
            Some(Header {
                message: m.name.local.clone(),
                parts,
            })
        }
        None => None,
    };
    Ok(Service {
        name,
        namespace: binding.name.namespace.clone(),
        doc: doc.or_else(|| port_type.doc.clone()),
        address,
        header,
        operations,
        location: binding.location.clone(),
    })
}

/// Part names of `headers`, checking that all use one message (`header`).
fn header_parts<'w>(
    components: &Components<'w>,
    header: &mut Option<&'w Message>,
    headers: &[SoapHeader],
) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for h in headers {
        let m = message(components, &h.message)?;
        match header {
            Some(first) if !std::ptr::eq(*first, m) => {
                return Err(Error::Unsupported {
                    location: h.location.clone(),
                    construct: format!("soap:header parts from message `{}`", m.name.local),
                    hint: format!(
                        "all header parts of a binding must come from one message (`{}`)",
                        first.name.local
                    ),
                });
            }
            Some(_) => {}
            None => *header = Some(m),
        }
        if !m.parts.iter().any(|p| p.name == h.part) {
            return Err(Error::Unresolved {
                location: h.location.clone(),
                kind: "part",
                name: QName::new("", h.part.clone()),
            });
        }
        names.push(h.part.clone());
    }
    Ok(names)
}

//! Applies the X-Road profile of the options to a resolved model: merges the profile's header
//! elements into each service's header, and describes each operation the profile knows — its
//! MIME parts laid out as the reference implementation lays them out, and its bodies checked
//! for the elements its signers and the protocol need.

use crate::error::{Error, Result};
use crate::model::{
    Body, Builtin, ComplexType, Content, Description, ElementField, Header, HeaderPart, MimePart,
    Model, Operation, Role, Service, SimpleKind, TypeDef, TypeRef,
};
use crate::options::{BodyRoles, HeaderField, HeaderType, OperationProfile, Options, Signer};

/// Merges the header fields and describes the operations of `model`.
pub(crate) fn apply(model: &mut Model, options: &Options) -> Result<()> {
    let mut services = std::mem::take(&mut model.services);
    let result = services.iter_mut().try_for_each(|service| {
        if let Some(header) = &mut service.header {
            merge_header(model, header, options.header_fields())?;
        }
        let mut operations = std::mem::take(&mut service.operations);
        for operation in &mut operations {
            if let Some(profile) = options.operation_profile(&operation.name) {
                operation.description = Some(describe(
                    model,
                    service,
                    operation,
                    profile,
                    options.roles(),
                )?);
            }
        }
        service.operations = operations;
        Ok(())
    });
    model.services = services;
    result
}

/// The profile's fields in the WSDL's header: documented where the WSDL declares them, added
/// (optional) where it does not, each right after the profile field before it.
fn merge_header(model: &Model, header: &mut Header, fields: &[HeaderField]) -> Result<()> {
    let mut position = 0;
    for field in fields {
        if let Some(index) = header.parts.iter().position(|p| p.element == field.element) {
            let part = &mut header.parts[index];
            part.profile_doc = Some(field.doc.clone());
            part.protocol_version = field.protocol_version;
            part.prefix.clone_from(&field.prefix);
            position = index + 1;
            continue;
        }
        let Some(ty) = &field.ty else { continue };
        let ty = match ty {
            HeaderType::String => TypeRef::Builtin(Builtin::String),
            HeaderType::Rust(path) => TypeRef::Extern(path.clone()),
            HeaderType::Schema(name) => {
                if !model.types.iter().any(|t| t.name() == name) {
                    return Err(Error::Options(format!(
                        "header field `{}` has type `{name}`, which no schema of the WSDL \
                         declares",
                        field.element
                    )));
                }
                TypeRef::Named(name.clone())
            }
        };
        header.parts.insert(
            position,
            HeaderPart {
                name: field.element.local.clone(),
                element: field.element.clone(),
                ty,
                doc: None,
                profile_doc: Some(field.doc.clone()),
                always: false,
                in_input: true,
                in_output: true,
                protocol_version: field.protocol_version,
                prefix: field.prefix.clone(),
            },
        );
        position += 1;
    }
    Ok(())
}

/// The MIME parts of a request signed by `signers`, as the reference lays them out: the SOAP
/// message, every signature in order, their certificates in the same order, then the OCSP
/// responses of the signatures that have one.
pub(crate) fn layout(signers: &[Signer]) -> Vec<MimePart> {
    let first_certificate = 1 + signers.len();
    let mut next_ocsp = first_certificate + signers.len();
    let mut parts = vec![MimePart::Soap];
    for (i, signer) in signers.iter().enumerate() {
        let ocsp = signer.has_ocsp().then(|| {
            next_ocsp += 1;
            next_ocsp - 1
        });
        parts.push(MimePart::Signature {
            signer: *signer,
            certificate: first_certificate + i,
            ocsp,
        });
    }
    parts.extend(signers.iter().map(|_| MimePart::Certificate));
    parts.extend(
        signers
            .iter()
            .filter(|s| s.has_ocsp())
            .map(|_| MimePart::OcspResponse),
    );
    parts
}

fn describe(
    model: &Model,
    service: &Service,
    operation: &Operation,
    profile: &OperationProfile,
    roles: &BodyRoles,
) -> Result<Description> {
    let error = |location: &crate::model::Location, reason: String| Error::Profile {
        location: location.clone(),
        operation: operation.name.clone(),
        reason,
    };
    let at = operation.location(service);
    let signers = profile.signers();
    if let Some((i, signer)) = signers
        .iter()
        .enumerate()
        .find(|(i, s)| signers[..*i].contains(s))
    {
        return Err(error(
            at,
            format!(
                "the profile lists a signature by {} twice (signatures {} and {})",
                signer.description(),
                signers.iter().position(|s| s == signer).unwrap_or(0) + 1,
                i + 1
            ),
        ));
    }
    let request = body(model, operation, &operation.input, roles, "request")?;
    let response = body(model, operation, &operation.output, roles, "response")?;
    let request_type = complex(model, &request.ty);
    for signer in signers {
        let (needed, role) = match signer {
            Signer::ClientOwner | Signer::NewOwner => (request.client.is_none(), &roles.client),
            Signer::AuthenticationKey => (request.auth_cert.is_none(), &roles.auth_cert),
            Signer::ServerOwner => (false, &roles.server),
        };
        if needed {
            let location = request_type.map_or(at, |t| &t.location);
            return Err(error(
                location,
                format!(
                    "it is signed by {}, so its request body `{}` needs the element `{role}`",
                    signer.description(),
                    request.ty
                ),
            ));
        }
    }
    let echo = check_echo(model, operation, &request, &response, roles)?;
    for body in [&request, &response] {
        if body.client.is_none() && complex(model, &roles.client_type).is_none() {
            let location = complex(model, &body.ty).map_or(at, |t| &t.location);
            return Err(error(
                location,
                format!(
                    "its body `{}` has no `{}` element, and the client type of the profile, \
                     `{}`, which it would name instead, is not declared by the WSDL's schemas",
                    body.ty, roles.client, roles.client_type
                ),
            ));
        }
    }
    Ok(Description {
        endpoint: profile.endpoint(),
        parts: layout(signers),
        request_hash: profile.request_hash(),
        doc: profile.documentation().map(str::to_owned),
        request,
        response,
        echo,
    })
}

fn complex<'m>(model: &'m Model, name: &crate::model::QName) -> Option<&'m ComplexType> {
    model.types.iter().find_map(|t| match t {
        TypeDef::Complex(c) if c.name == *name => Some(c),
        _ => None,
    })
}

/// The management body of element `name`, with its roles checked.
fn body(
    model: &Model,
    operation: &Operation,
    name: &crate::model::QName,
    roles: &BodyRoles,
    what: &str,
) -> Result<Body> {
    let error = |location: &crate::model::Location, reason: String| Error::Profile {
        location: location.clone(),
        operation: operation.name.clone(),
        reason,
    };
    let Some(element) = model.elements.iter().find(|e| e.name == *name) else {
        return Err(Error::Unresolved {
            location: model_location(model),
            kind: "element",
            name: name.clone(),
        });
    };
    let ty = match &element.ty {
        TypeRef::Named(ty) => complex(model, ty),
        _ => None,
    };
    let Some(ty) = ty.filter(|t| matches!(t.content, Content::Sequence(_))) else {
        return Err(error(
            &element.location,
            format!(
                "its {what} element `{name}` needs a complex type with element content, to \
                 carry `{}` and the other elements of a management body",
                roles.server
            ),
        ));
    };
    if let Some(attribute) = ty.attributes.first() {
        return Err(error(
            &attribute.location,
            format!(
                "its {what} body `{}` has attribute `{}`; a management body has elements only",
                ty.name, attribute.name
            ),
        ));
    }
    let Content::Sequence(fields) = &ty.content else {
        unreachable!("filtered above")
    };
    let find = |local: &str| fields.iter().find(|f| f.name.local == local);
    let single = |field: &ElementField, role: &str| -> Result<Role> {
        if field.max_occurs != Some(1) {
            return Err(error(
                &field.location,
                format!(
                    "`{role}` of its {what} body `{}` may occur more than once",
                    ty.name
                ),
            ));
        }
        Ok(Role {
            local: field.name.local.clone(),
            ty: field.ty.clone(),
            optional: field.min_occurs == 0,
        })
    };
    let Some(server) = find(&roles.server) else {
        return Err(error(
            &ty.location,
            format!(
                "its {what} body `{}` has no `{}` element, which every described operation needs",
                ty.name, roles.server
            ),
        ));
    };
    let server = single(server, &roles.server)?;
    if server.optional {
        return Err(error(
            &ty.location,
            format!(
                "`{}` of its {what} body `{}` is optional; it must be required",
                roles.server, ty.name
            ),
        ));
    }
    let typed = |role: &str, expected: Builtin, label: &str| -> Result<Option<Role>> {
        let Some(field) = find(role) else {
            return Ok(None);
        };
        let found = single(field, role)?;
        if found.ty != TypeRef::Builtin(expected) {
            return Err(error(
                &field.location,
                format!("`{role}` of its {what} body `{}` must be {label}", ty.name),
            ));
        }
        Ok(Some(found))
    };
    let client = find(&roles.client)
        .map(|f| single(f, &roles.client))
        .transpose()?;
    let auth_cert = typed(&roles.auth_cert, Builtin::Base64Binary, "`base64Binary`")?;
    let address = typed(&roles.address, Builtin::String, "a `string`")?;
    let request_id = match find(&roles.request_id) {
        None => None,
        Some(field) => {
            let found = single(field, &roles.request_id)?;
            if !is_long(model, &found.ty) {
                return Err(error(
                    &field.location,
                    format!(
                        "`{}` of its {what} body `{}` must be an integer (`integer` or `long`, \
                         or a restriction of one without facets)",
                        roles.request_id, ty.name
                    ),
                ));
            }
            Some(found)
        }
    };
    // Checked once the bodies are known to fit each other (`check_client_type`).
    let client_type = match &client {
        Some(client) => client.ty.clone(),
        None => TypeRef::Named(roles.client_type.clone()),
    };
    Ok(Body {
        element: name.clone(),
        ty: ty.name.clone(),
        server,
        client,
        auth_cert,
        address,
        request_id,
        client_type,
    })
}

/// `integer`/`long`, or a restriction of one without facets (what the request id is read as).
pub(crate) fn is_long(model: &Model, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Builtin(Builtin::Long) => true,
        TypeRef::Named(name) => model.types.iter().any(|t| {
            matches!(t, TypeDef::Simple(s) if s.name == *name && matches!(&s.kind,
                SimpleKind::Restriction { base: TypeRef::Builtin(Builtin::Long), facets }
                    if *facets == Default::default()))
        }),
        _ => false,
    }
}

/// Checks that the response has exactly the request's elements (the request id aside) and an
/// optional request id; returns the echoed elements' local names in request order.
fn check_echo(
    model: &Model,
    operation: &Operation,
    request: &Body,
    response: &Body,
    roles: &BodyRoles,
) -> Result<Vec<String>> {
    let fields = |body: &Body| -> Vec<&ElementField> {
        match complex(model, &body.ty).map(|t| &t.content) {
            Some(Content::Sequence(fields)) => fields
                .iter()
                .filter(|f| f.name.local != roles.request_id)
                .collect(),
            _ => Vec::new(),
        }
    };
    let (asked, answered) = (fields(request), fields(response));
    let same = |a: &ElementField, b: &ElementField| {
        a.name == b.name
            && a.ty == b.ty
            && a.min_occurs == b.min_occurs
            && a.max_occurs == b.max_occurs
    };
    let location = complex(model, &response.ty).map(|t| t.location.clone());
    let error = |reason: String| Error::Profile {
        location: location.clone().unwrap_or_else(|| model_location(model)),
        operation: operation.name.clone(),
        reason: format!(
            "{reason}; the response must echo the request's elements and add an optional `{}`",
            roles.request_id
        ),
    };
    if let Some(missing) = asked.iter().find(|a| !answered.iter().any(|b| same(a, b))) {
        return Err(error(format!(
            "its response body `{}` has no element like the request's `{}`",
            response.ty, missing.name.local
        )));
    }
    if let Some(extra) = answered.iter().find(|b| !asked.iter().any(|a| same(a, b))) {
        return Err(error(format!(
            "its response body `{}` has `{}`, which its request body `{}` has not",
            response.ty, extra.name.local, request.ty
        )));
    }
    match &response.request_id {
        Some(id) if id.optional => {}
        Some(_) => {
            return Err(error(format!(
                "`{}` of its response body is required",
                roles.request_id
            )));
        }
        None => {
            return Err(error(format!(
                "its response body `{}` has no `{}`",
                response.ty, roles.request_id
            )));
        }
    }
    Ok(asked.iter().map(|f| f.name.local.clone()).collect())
}

/// The start of the WSDL, for errors about things without a location of their own.
fn model_location(model: &Model) -> crate::model::Location {
    crate::model::Location {
        file: std::sync::Arc::from(model.source.as_path()),
        line: 1,
        column: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_follows_the_reference() {
        assert_eq!(layout(&[]), [MimePart::Soap]);
        assert_eq!(
            layout(&[Signer::ClientOwner]),
            [
                MimePart::Soap,
                MimePart::Signature {
                    signer: Signer::ClientOwner,
                    certificate: 2,
                    ocsp: Some(3)
                },
                MimePart::Certificate,
                MimePart::OcspResponse,
            ]
        );
        assert_eq!(
            layout(&[Signer::AuthenticationKey, Signer::ServerOwner]),
            [
                MimePart::Soap,
                MimePart::Signature {
                    signer: Signer::AuthenticationKey,
                    certificate: 3,
                    ocsp: None
                },
                MimePart::Signature {
                    signer: Signer::ServerOwner,
                    certificate: 4,
                    ocsp: Some(5)
                },
                MimePart::Certificate,
                MimePart::Certificate,
                MimePart::OcspResponse,
            ]
        );
        // Two signatures with OCSP responses: the responses follow in signature order.
        assert_eq!(
            layout(&[Signer::ServerOwner, Signer::NewOwner])[2],
            MimePart::Signature {
                signer: Signer::NewOwner,
                certificate: 4,
                ocsp: Some(6)
            }
        );
    }
}

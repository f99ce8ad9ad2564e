//! Per service module: `ADDRESS`, the SOAP `Header`, and for every operation the profile
//! describes a unit struct with its `Operation` impl (description, `respond`, `check_echo`),
//! the `ManagementBody` impls of its bodies, and the `OperationName` enum.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::body::{check_echo, management_body, respond};
use super::context::Ctx;
use super::header::emit_header;
use super::imports::Imports;
use super::{doc, naming};
use crate::error::Result;
use crate::model::{Description, MimePart, Operation, Service};
use crate::options::Endpoint;

/// Emits the items of `service` into `module`: its `use` declarations and its items.
pub fn emit_service(
    ctx: &Ctx<'_>,
    module: usize,
    service: &Service,
) -> Result<(TokenStream, TokenStream)> {
    let address = service.address.as_ref().map(|a| {
        let d = doc::doc(&format!(
            "`soap:address` of the `{}` service's port.",
            service.name
        ));
        let name = naming::ident(&ctx.address_name(service));
        quote! {
            #d
            pub const #name: &str = #a;
        }
    });
    let header = match &service.header {
        Some(h) if ctx.extern_header.is_none() => Some(emit_header(ctx, module, service, h)?),
        _ => None,
    };
    let mut imports = Imports::new(|name| ctx.is_taken(module, name));
    let codec = ctx.rt_path(quote!(operation));
    let mut ops = Vec::new();
    let mut bodies = BTreeSet::new();
    for op in &service.operations {
        if let Some(description) = &op.description {
            ops.push(emit_operation(
                ctx,
                module,
                service,
                op,
                description,
                &mut imports,
                &codec,
                &mut bodies,
            )?);
        }
    }
    let names = emit_operation_name(ctx, service, &mut imports, &codec);
    Ok((
        imports.uses(),
        quote! {
            #address
            #header
            #(#ops)*
            #names
        },
    ))
}

/// The documentation of an operation: the profile's, else the WSDL's, else what its
/// description says.
pub fn operation_doc(op: &Operation, description: &Description) -> TokenStream {
    if let Some(text) = description.doc.as_deref() {
        return doc::doc(text);
    }
    if let Some(text) = op.doc.as_deref().filter(|d| !d.trim().is_empty()) {
        return doc::schema_doc(text);
    }
    let how = match description.endpoint {
        Endpoint::Manage => "an X-Road message to the management services",
        Endpoint::Registration => "a request posted to the central server directly",
    };
    let signers: Vec<&str> = description
        .parts
        .iter()
        .filter_map(|p| match p {
            MimePart::Signature { signer, .. } => Some(signer.description()),
            _ => None,
        })
        .collect();
    let signed = match signers.split_last() {
        None => String::new(),
        Some((last, [])) => format!(", signed by {last}"),
        Some((last, rest)) => format!(", signed by {} and {last}", rest.join(", ")),
    };
    doc::doc(&format!("The `{}` operation: {how}{signed}.", op.name))
}

#[allow(clippy::too_many_arguments)]
fn emit_operation(
    ctx: &Ctx<'_>,
    module: usize,
    service: &Service,
    op: &Operation,
    description: &Description,
    imports: &mut Imports<'_>,
    codec: &TokenStream,
    bodies: &mut BTreeSet<crate::model::QName>,
) -> Result<TokenStream> {
    let at = op.location(service);
    let ident = naming::ident(&ctx.operation_name(&service.name, &op.name));
    let mut name = |item: &str| imports.name(codec, item);
    let (operation, op_description, endpoint, mime, signer, fields, management, mismatch) = (
        name("Operation"),
        name("OperationDescription"),
        name("Endpoint"),
        name("MimePart"),
        name("Signer"),
        name("BodyFields"),
        name("ManagementBody"),
        name("EchoMismatch"),
    );
    let request = ctx.element_path(module, &op.input, at)?;
    let response = ctx.element_path(module, &op.output, at)?;
    let header = ctx.header_path(module, service)?;
    let endpoint_variant = naming::ident(description.endpoint.variant());
    let parts = description.parts.iter().map(|part| match part {
        MimePart::Soap => quote!(#mime::Soap),
        MimePart::Certificate => quote!(#mime::Certificate),
        MimePart::OcspResponse => quote!(#mime::OcspResponse),
        MimePart::Signature {
            signer: who,
            certificate,
            ocsp,
        } => {
            let who = naming::ident(who.variant());
            let certificate = Literal::usize_unsuffixed(*certificate);
            let ocsp = match ocsp {
                Some(index) => {
                    let index = Literal::usize_unsuffixed(*index);
                    quote!(Some(#index))
                }
                None => quote!(None),
            };
            quote!(#mime::Signature { signer: #signer::#who, certificate: #certificate, ocsp: #ocsp })
        }
    });
    let request_body = &description.request;
    let (has_client, has_auth_cert, has_address) = (
        request_body.client.is_some(),
        request_body.auth_cert.is_some(),
        request_body.address.is_some(),
    );
    let request_hash = description.request_hash;
    let echo = &description.echo;
    let op_name = &op.name;
    let respond = respond(ctx, module, description, at)?;
    let check = check_echo(ctx, module, &mismatch, description, at)?;
    let d = operation_doc(op, description);
    let mut body_impls = Vec::new();
    for body in [&description.request, &description.response] {
        if bodies.insert(body.element.clone()) {
            body_impls.push(management_body(ctx, module, &management, body, at)?);
        }
    }
    Ok(quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #ident;

        impl #operation for #ident {
            const NAME: &'static str = #op_name;
            const DESCRIPTION: &'static #op_description = &#op_description {
                name: #op_name,
                endpoint: #endpoint::#endpoint_variant,
                parts: &[#(#parts),*],
                fields: #fields {
                    client: #has_client,
                    auth_cert: #has_auth_cert,
                    address: #has_address,
                },
                request_hash: #request_hash,
                echo: &[#(#echo),*],
            };
            type Header = #header;
            type Request = #request;
            type Response = #response;

            fn respond(request: &Self::Request, request_id: i64) -> Self::Response {
                #respond
            }

            fn check_echo(request: &Self::Request, response: &Self::Response) -> Result<(), #mismatch> {
                #check
            }
        }

        #(#body_impls)*
    })
}

fn emit_operation_name(
    ctx: &Ctx<'_>,
    service: &Service,
    imports: &mut Imports<'_>,
    codec: &TokenStream,
) -> Option<TokenStream> {
    let described: Vec<&Operation> = service
        .operations
        .iter()
        .filter(|o| o.description.is_some())
        .collect();
    if described.is_empty() {
        return None;
    }
    let idents: Vec<_> = described
        .iter()
        .map(|op| naming::ident(&naming::type_name(&op.name)))
        .collect();
    let structs: Vec<_> = described
        .iter()
        .map(|op| naming::ident(&ctx.operation_name(&service.name, &op.name)))
        .collect();
    let names: Vec<&str> = described.iter().map(|o| o.name.as_str()).collect();
    let variant_names: Vec<String> = idents.iter().map(ToString::to_string).collect();
    let allow = naming::variants_need_allow("OperationName", &variant_names)
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let docs = described
        .iter()
        .map(|op| doc::doc(&format!("The `{}` operation.", op.name)));
    let n = Literal::usize_unsuffixed(idents.len());
    let operation = imports.name(codec, "Operation");
    let description = imports.name(codec, "OperationDescription");
    let unknown = imports.name(codec, "UnknownOperation");
    let enum_doc = doc::doc(
        "The operations of this service that the profile describes, for dispatching on a \
         service code.",
    );
    Some(quote! {
        #enum_doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #allow
        pub enum OperationName {
            #(#docs #idents,)*
        }

        impl OperationName {
            /// Every operation, in WSDL order (extra operations last).
            pub const ALL: [OperationName; #n] = [#(OperationName::#idents),*];

            /// The operation name, which is also the X-Road service code.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(Self::#idents => #names,)*
                }
            }

            /// What the runtime needs to know about the operation.
            pub const fn description(self) -> &'static #description {
                match self {
                    #(Self::#idents => <#structs as #operation>::DESCRIPTION,)*
                }
            }
        }

        impl ::std::fmt::Display for OperationName {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for OperationName {
            type Err = #unknown;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    #(#names => Ok(Self::#idents),)*
                    other => Err(#unknown(other.to_owned())),
                }
            }
        }
    })
}

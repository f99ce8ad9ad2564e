//! Per service: `ADDRESS`, the SOAP `Header`, one `Operation` struct per operation and the
//! `OperationName` enum.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::context::Ctx;
use super::types::{common_namespace, element_namespace_arg, struct_derives};
use super::{doc, naming};
use crate::error::{Error, Result};
use crate::model::{Header, Operation, OperationSource, Service};
use crate::options::MIME_PARTS;

/// Emits the items of `service` into `module`.
pub fn emit_service(ctx: &Ctx<'_>, module: usize, service: &Service) -> Result<TokenStream> {
    let address = service.address.as_ref().map(|a| {
        let d = doc::doc(&format!(
            "`soap:address` of the `{}` service's port.",
            service.name
        ));
        quote! {
            #d
            pub const ADDRESS: &str = #a;
        }
    });
    let header = match &service.header {
        Some(h) => Some(emit_header(ctx, module, service, h)?),
        None => None,
    };
    let mut ops = Vec::new();
    for op in &service.operations {
        ops.push(emit_operation(ctx, module, service, op)?);
    }
    let names = emit_operation_name(ctx, service);
    Ok(quote! {
        #address
        #header
        #(#ops)*
        #names
    })
}

fn emit_header(
    ctx: &Ctx<'_>,
    module: usize,
    service: &Service,
    header: &Header,
) -> Result<TokenStream> {
    let container = common_namespace(header.parts.iter().map(|p| p.element.namespace.as_str()))
        .filter(|ns| !ns.is_empty());
    let mut dedup = naming::Dedup::default();
    let mut fields = Vec::new();
    let mut float = false;
    for part in &header.parts {
        let element = ctx
            .model
            .elements
            .iter()
            .find(|e| e.name == part.element)
            .ok_or_else(|| Error::Unresolved {
                location: service.location.clone(),
                kind: "element",
                name: part.element.clone(),
            })?;
        float |= ctx.has_float(&element.ty);
        let ident = naming::ident(&dedup.take(naming::field_name(&part.name), true));
        let inner = ctx.rust_type(module, &element.ty, &element.location)?;
        let ty = if part.always {
            inner
        } else {
            quote!(Option<#inner>)
        };
        let local = &element.name.local;
        let ns = element_namespace_arg(&element.name.namespace, container).map(|n| quote!(, #n));
        let mut d = doc::doc_or(
            element.doc.as_deref(),
            &format!("Header element `{}`.", element.name),
        );
        let note = match (part.in_input, part.in_output) {
            (true, false) => Some("Requests only."),
            (false, true) => Some("Responses only."),
            _ => None,
        };
        if let Some(note) = note {
            let note = doc::doc(note);
            d = quote!(#d #[doc = ""] #note);
        }
        fields.push(quote! {
            #d
            #[xml(element = #local #ns)]
            pub #ident: #ty,
        });
    }
    let derives = struct_derives(ctx, float);
    let xml = ctx.xml_attr(
        container
            .map(|ns| quote!(namespace = #ns))
            .into_iter()
            .collect(),
    );
    let d = doc::doc(&format!(
        "SOAP header of the service (message `{}`). Parts not carried by every request and \
         response are optional.",
        header.message
    ));
    Ok(quote! {
        #d
        #derives
        #xml
        pub struct Header {
            #(#fields)*
        }
    })
}

fn emit_operation(
    ctx: &Ctx<'_>,
    module: usize,
    service: &Service,
    op: &Operation,
) -> Result<TokenStream> {
    let at = match &op.source {
        OperationSource::Wsdl(location) => location,
        OperationSource::Options => &service.location,
    };
    let ident = naming::ident(&ctx.operation_name(&service.name, &op.name));
    let request = ctx.element_path(module, &op.input, at)?;
    let response = ctx.element_path(module, &op.output, at)?;
    let mut parts = Vec::new();
    for part in &op.parts {
        if !MIME_PARTS.contains(&part.as_str()) {
            return Err(Error::Options(format!(
                "operation `{}` has MIME part `{part}`, expected one of {}",
                op.name,
                MIME_PARTS.join(", ")
            )));
        }
        let p = naming::ident(part);
        parts.push(quote!(#p));
    }
    if parts.is_empty() {
        parts.push(quote!(SoapMessage));
    }
    let name = &op.name;
    let mut args = vec![quote!(name = #name)];
    if service.header.is_some() {
        args.push(quote!(header = Header));
    }
    args.push(quote!(request = #request));
    args.push(quote!(response = #response));
    args.push(quote!(parts(#(#parts),*)));
    if let Some(c) = &ctx.crate_arg {
        args.push(c.clone());
    }
    let derive = ctx.rt_path(quote!(operation::Operation));
    let d = doc::doc_or(op.doc.as_deref(), &format!("The `{name}` operation."));
    Ok(quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, #derive)]
        #[operation(#(#args),*)]
        pub struct #ident;
    })
}

fn emit_operation_name(ctx: &Ctx<'_>, service: &Service) -> TokenStream {
    let idents: Vec<_> = service
        .operations
        .iter()
        .map(|op| naming::ident(&naming::type_name(&op.name)))
        .collect();
    let structs: Vec<_> = service
        .operations
        .iter()
        .map(|op| naming::ident(&ctx.operation_name(&service.name, &op.name)))
        .collect();
    let names: Vec<&str> = service.operations.iter().map(|o| o.name.as_str()).collect();
    let variant_names: Vec<String> = idents.iter().map(ToString::to_string).collect();
    let allow = naming::variants_need_allow("OperationName", &variant_names)
        .then(|| quote!(#[allow(clippy::enum_variant_names)]));
    let docs = service
        .operations
        .iter()
        .map(|op| doc::doc(&format!("The `{}` operation.", op.name)));
    let n = Literal::usize_unsuffixed(idents.len());
    let operation = ctx.rt_path(quote!(operation::Operation));
    let mime = ctx.rt_path(quote!(operation::MimePart));
    let unknown = ctx.rt_path(quote!(operation::UnknownOperation));
    let enum_doc = doc::doc("The operations of this service, for dispatching on a service code.");
    quote! {
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

            /// The MIME parts of the operation's request.
            pub const fn parts(self) -> &'static [#mime] {
                match self {
                    #(Self::#idents => <#structs as #operation>::PARTS,)*
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
    }
}

//! The SOAP `Header` of a service: the WSDL's header parts merged with the profile's header
//! elements, read in any order (as SOAP header blocks come), written in field order, with a
//! `request` constructor when the profile marks the protocol version element.

use proc_macro2::TokenStream;
use quote::quote;

use super::context::Ctx;
use super::types::{common_namespace, element_namespace_arg, struct_derives};
use super::{doc, naming};
use crate::error::Result;
use crate::model::{Builtin, Header, Service, TypeRef};

/// Emits the header struct of `service` into `module` (`Header`, unless another service of the
/// namespace has taken that name).
pub fn emit_header(
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
    // (field, type, required, whether it is the protocol version).
    let mut constructor = Vec::new();
    for part in &header.parts {
        float |= ctx.has_float(&part.ty);
        let ident = naming::ident(&dedup.take(naming::field_name(&part.name), true));
        let inner = ctx.rust_type(module, &part.ty, &service.location)?;
        let ty = if part.always {
            inner.clone()
        } else {
            quote!(Option<#inner>)
        };
        let local = &part.element.local;
        let ns = element_namespace_arg(&part.element.namespace, container).map(|n| quote!(, #n));
        let mut d = match &part.profile_doc {
            Some(text) => doc::doc(text),
            None => doc::doc_or(
                part.doc.as_deref(),
                &format!("The header element `{}`.", part.element),
            ),
        };
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
        constructor.push((ident, inner, part.always, part.protocol_version, &part.ty));
    }
    let derives = struct_derives(ctx, float);
    let mut args: Vec<TokenStream> = container
        .map(|ns| quote!(namespace = #ns))
        .into_iter()
        .collect();
    args.push(quote!(any_order));
    let xml = ctx.xml_attr(args);
    let d = doc::doc(&format!(
        "The SOAP header of the `{}` service. Its elements are read in any order, each at most \
         once, and written in field order; those that not every request and response carries \
         are optional.",
        service.name
    ));
    let name = naming::ident(&ctx.header_name(service));
    let request = request_constructor(ctx, &name, &constructor);
    Ok(quote! {
        #d
        #derives
        #xml
        pub struct #name {
            #(#fields)*
        }
        #request
    })
}

/// `Header::request(..)`: every required field but the protocol version as an argument (a
/// string as `impl Into<String>`), the protocol version `PROTOCOL_VERSION`, the optional
/// fields `None`. Only when the profile marks a required string field as the protocol version.
fn request_constructor(
    ctx: &Ctx<'_>,
    name: &proc_macro2::Ident,
    fields: &[(proc_macro2::Ident, TokenStream, bool, bool, &TypeRef)],
) -> Option<TokenStream> {
    let string = TypeRef::Builtin(Builtin::String);
    fields
        .iter()
        .find(|(_, _, required, version, ty)| *required && *version && **ty == string)?;
    let version = ctx.rt_path(quote!(header::PROTOCOL_VERSION));
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut names = Vec::new();
    for (ident, inner, required, is_version, ty) in fields {
        if *is_version && *required {
            inits.push(quote!(#ident: #version.to_owned()));
        } else if !required {
            inits.push(quote!(#ident: None));
        } else if **ty == string {
            params.push(quote!(#ident: impl Into<String>));
            inits.push(quote!(#ident: #ident.into()));
            names.push(format!("`{ident}`"));
        } else {
            params.push(quote!(#ident: #inner));
            inits.push(quote!(#ident));
            names.push(format!("`{ident}`"));
        }
    }
    let d = doc::doc(&format!(
        "The header of a request: {}, the protocol version this crate writes, and none of the \
         optional elements.",
        names.join(", ")
    ));
    Some(quote! {
        impl #name {
            #d
            pub fn request(#(#params),*) -> Self {
                Self {
                    #(#inits,)*
                }
            }
        }
    })
}

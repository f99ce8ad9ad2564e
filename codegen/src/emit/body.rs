//! What generated code does with a management body: `ManagementBody` impls, and the
//! `respond` and `check_echo` of an `Operation` impl, which copy and compare the request's
//! elements field by field.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::context::Ctx;
use super::naming;
use super::types::element_ident;
use crate::error::{Error, Result};
use crate::model::{Body, ComplexType, Content, Description, Location, Role, TypeDef, TypeRef};

/// A body as generated code sees it: the element's Rust type and how to reach its fields.
pub struct BodyItem<'m> {
    /// Path of the element's type.
    pub path: TokenStream,
    /// Path of the complex type, which is `path` itself for an element with an anonymous type.
    pub content_path: TokenStream,
    /// Whether the element is a newtype around the complex type (its fields are under `.0`).
    pub newtype: bool,
    /// The complex type.
    pub ty: &'m ComplexType,
}

impl<'m> BodyItem<'m> {
    /// Resolves `body` as seen from module `from`.
    pub fn new(ctx: &Ctx<'m>, from: usize, body: &Body, at: &Location) -> Result<Self> {
        let element = ctx
            .model
            .elements
            .iter()
            .find(|e| e.name == body.element)
            .ok_or_else(|| Error::Unresolved {
                location: at.clone(),
                kind: "element",
                name: body.element.clone(),
            })?;
        let Some(TypeDef::Complex(ty)) = ctx.type_def(&body.ty) else {
            return Err(Error::Unresolved {
                location: at.clone(),
                kind: "type",
                name: body.ty.clone(),
            });
        };
        Ok(Self {
            path: ctx.element_path(from, &body.element, at)?,
            content_path: ctx.rust_type(from, &TypeRef::Named(body.ty.clone()), at)?,
            newtype: !ctx.is_anonymous_complex(element),
            ty,
        })
    }

    /// The Rust field of element `local`.
    pub fn field(&self, local: &str) -> Result<Ident> {
        element_ident(self.ty, local).ok_or_else(|| Error::Unresolved {
            location: self.ty.location.clone(),
            kind: "element",
            name: crate::model::QName::new("", local),
        })
    }

    /// `self.0` or `self`: the expression holding the fields, for a receiver `base`.
    fn fields_of(&self, base: TokenStream) -> TokenStream {
        if self.newtype { quote!(#base.0) } else { base }
    }
}

/// `impl ManagementBody for <body element>`.
pub fn management_body(
    ctx: &Ctx<'_>,
    module: usize,
    trait_path: &TokenStream,
    body: &Body,
    at: &Location,
) -> Result<TokenStream> {
    let item = BodyItem::new(ctx, module, body, at)?;
    let path = &item.path;
    let fields = item.fields_of(quote!(self));
    let server_type = ctx.rust_type(module, &body.server.ty, at)?;
    let client_type = ctx.rust_type(module, &body.client_type, at)?;
    let server = item.field(&body.server.local)?;
    let mut methods = vec![quote! {
        fn server(&self) -> &Self::Server {
            &#fields.#server
        }
    }];
    let mut accessor = |role: &Option<Role>,
                        signature: TokenStream,
                        required: fn(&TokenStream) -> TokenStream,
                        optional: fn(&TokenStream) -> TokenStream|
     -> Result<()> {
        if let Some(role) = role {
            let field = item.field(&role.local)?;
            let place = quote!(#fields.#field);
            let value = if role.optional {
                optional(&place)
            } else {
                required(&place)
            };
            methods.push(quote! {
                #signature {
                    #value
                }
            });
        }
        Ok(())
    };
    accessor(
        &body.client,
        quote!(fn client(&self) -> Option<&Self::Client>),
        |place| quote!(Some(&#place)),
        |place| quote!(#place.as_ref()),
    )?;
    accessor(
        &body.auth_cert,
        quote!(fn auth_cert(&self) -> Option<&[u8]>),
        |place| quote!(Some(#place.as_slice())),
        |place| quote!(#place.as_deref()),
    )?;
    accessor(
        &body.address,
        quote!(fn address(&self) -> Option<&str>),
        |place| quote!(Some(#place.as_str())),
        |place| quote!(#place.as_deref()),
    )?;
    let request_id = match &body.request_id {
        Some(role) => {
            let field = item.field(&role.local)?;
            let place = quote!(#fields.#field);
            let value = match (&role.ty, role.optional) {
                (TypeRef::Named(_), true) => quote!(#place.map(|id| id.0)),
                (TypeRef::Named(_), false) => quote!(Some(#place.0)),
                (_, true) => quote!(#place),
                (_, false) => quote!(Some(#place)),
            };
            quote!(#value)
        }
        None => quote!(None),
    };
    methods.push(quote! {
        fn request_id(&self) -> Option<i64> {
            #request_id
        }
    });
    Ok(quote! {
        impl #trait_path for #path {
            type Server = #server_type;
            type Client = #client_type;

            #(#methods)*
        }
    })
}

/// The body of `respond`: the response with the request's elements cloned and the request id.
pub fn respond(
    ctx: &Ctx<'_>,
    module: usize,
    description: &Description,
    at: &Location,
) -> Result<TokenStream> {
    let request = BodyItem::new(ctx, module, &description.request, at)?;
    let response = BodyItem::new(ctx, module, &description.response, at)?;
    let Content::Sequence(elements) = &response.ty.content else {
        return Err(not_a_body(&response));
    };
    let source = request.fields_of(quote!(request));
    let id_role = description.response.request_id.as_ref();
    let mut inits = Vec::new();
    for element in elements {
        let field = response.field(&element.name.local)?;
        if id_role.is_some_and(|role| role.local == element.name.local) {
            let value = match &element.ty {
                TypeRef::Named(_) => {
                    let id_type = ctx.rust_type(module, &element.ty, at)?;
                    quote!(#id_type(request_id))
                }
                _ => quote!(request_id),
            };
            inits.push(quote!(#field: Some(#value)));
        } else {
            let from = request.field(&element.name.local)?;
            if element.max_occurs == Some(1) && ctx.is_copy(&element.ty) {
                inits.push(quote!(#field: #source.#from));
            } else {
                inits.push(quote!(#field: #source.#from.clone()));
            }
        }
    }
    let content = &response.content_path;
    let value = quote!(#content { #(#inits),* });
    Ok(if response.newtype {
        let path = &response.path;
        quote!(#path(#value))
    } else {
        value
    })
}

/// The body of `check_echo`: every echoed element compared, the first that differs named.
pub fn check_echo(
    ctx: &Ctx<'_>,
    module: usize,
    mismatch: &TokenStream,
    description: &Description,
    at: &Location,
) -> Result<TokenStream> {
    let request = BodyItem::new(ctx, module, &description.request, at)?;
    let response = BodyItem::new(ctx, module, &description.response, at)?;
    let (asked, answered) = (
        request.fields_of(quote!(request)),
        response.fields_of(quote!(response)),
    );
    let mut checks = Vec::new();
    for local in &description.echo {
        let (a, b) = (request.field(local)?, response.field(local)?);
        checks.push(quote! {
            if #answered.#b != #asked.#a {
                return Err(#mismatch { element: #local });
            }
        });
    }
    Ok(quote! {
        #(#checks)*
        Ok(())
    })
}

fn not_a_body(item: &BodyItem<'_>) -> Error {
    Error::Unsupported {
        location: item.ty.location.clone(),
        construct: format!("body type `{}` without element content", item.ty.name),
        hint: "a management body is a sequence of elements".into(),
    }
}

/// The snake-case method name of operation `name`.
pub fn method_ident(name: &str) -> Ident {
    naming::ident(&naming::field_name(name))
}

//! The client and server of a service, in the manner of `tonic-build`: `<service>_client`
//! holds a client with one async method per described operation, which sends through the
//! runtime's `ManagementClient`; `<service>_server` holds a trait with one method per
//! operation and the `Dispatch` impl that routes the runtime's calls to it by service code.
//!
//! The runtime items named here — `client::{ManagementClient, ManagementError}`,
//! `service::{Dispatch, Call, Incoming, Answer, Answered}`, `fault::Fault` — are under
//! [`crate::Options::service_runtime`] (default `::xroad_runtime`).

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::body::method_ident;
use super::context::{Ctx, TOP};
use super::imports::Imports;
use super::operations::operation_doc;
use super::{doc, naming};
use crate::error::{Error, Result};
use crate::model::{Description, Operation, Service};

/// A described operation as the client and server name it.
struct Method<'m> {
    op: &'m Operation,
    description: &'m Description,
    ident: Ident,
    /// Path of the operation's unit struct.
    marker: TokenStream,
    request: TokenStream,
    response: TokenStream,
}

/// Imports the namespace modules that the paths of the operation structs (and, with `bodies`,
/// of the request and response types) start with — those generated, not extern ones — in
/// module order.
fn import_modules(ctx: &Ctx<'_>, service: &Service, bodies: bool, imports: &mut Imports<'_>) {
    let home = ctx.modules_home();
    let mut uris: Vec<&str> = vec![service.namespace.as_str()];
    if bodies {
        for op in service
            .operations
            .iter()
            .filter(|o| o.description.is_some())
        {
            uris.extend([op.input.namespace.as_str(), op.output.namespace.as_str()]);
        }
    }
    for module in &ctx.modules {
        if module.extern_path.is_none() && uris.contains(&module.uri.as_str()) {
            imports.name(&home, &module.ident.to_string());
        }
    }
}

/// The described operations of `service` with their method names, checked for clashes with
/// each other and with `reserved`.
fn methods<'m>(ctx: &Ctx<'m>, service: &'m Service, reserved: &[&str]) -> Result<Vec<Method<'m>>> {
    let mut taken: BTreeMap<String, String> = reserved
        .iter()
        .map(|r| ((*r).to_owned(), format!("the generated method `{r}`")))
        .collect();
    let mut out = Vec::new();
    for op in &service.operations {
        let Some(description) = &op.description else {
            continue;
        };
        let at = op.location(service);
        let ident = method_ident(&op.name);
        let what = format!("the method of operation `{}`", op.name);
        if let Some(other) = taken.insert(ident.to_string(), what.clone()) {
            return Err(Error::NameClash {
                location: at.clone(),
                what,
                rust: ident.to_string(),
                other,
            });
        }
        out.push(Method {
            op,
            description,
            ident,
            marker: ctx.operation_path(TOP, service, &op.name)?,
            request: ctx.element_path(TOP, &op.input, at)?,
            response: ctx.element_path(TOP, &op.output, at)?,
        });
    }
    Ok(out)
}

/// `pub mod <service>_client`, or nothing when the profile describes none of its operations.
pub fn emit_client(ctx: &Ctx<'_>, service: &Service) -> Result<TokenStream> {
    let methods = methods(ctx, service, &["new", "inner", "into_inner"])?;
    if methods.is_empty() {
        return Ok(TokenStream::new());
    }
    let module = naming::ident(&format!("{}_client", naming::field_name(&service.name)));
    let client_name = format!("{}Client", naming::type_name(&service.name));
    let client = naming::ident(&client_name);
    let rt = &ctx.service_rt;
    let mut imports = Imports::new(|name| name == client_name);
    let runtime = quote!(#rt::client);
    let management = imports.name(&runtime, "ManagementClient");
    let error = imports.name(&runtime, "ManagementError");
    import_modules(ctx, service, true, &mut imports);
    let calls = methods.iter().map(|m| {
        let (ident, marker, request, response) = (&m.ident, &m.marker, &m.request, &m.response);
        let d = operation_doc(m.op, m.description);
        quote! {
            #d
            pub async fn #ident(&self, request: #request) -> Result<#response, #error> {
                self.inner.call::<#marker>(request).await
            }
        }
    });
    let uses = imports.uses();
    let module_doc = doc::doc(&format!("The client of the `{}` service.", service.name));
    let client_doc = doc::doc(&format!(
        "The client of the `{}` service: one method per operation, which sends the request \
         through the management client and returns the response once it is verified.",
        service.name
    ));
    Ok(quote! {
        #module_doc
        pub mod #module {
            #uses

            #client_doc
            #[derive(Debug, Clone)]
            pub struct #client {
                inner: #management,
            }

            impl #client {
                /// A client that sends its requests through `inner`.
                pub fn new(inner: #management) -> Self {
                    Self { inner }
                }

                /// The management client the requests go through.
                pub fn inner(&self) -> &#management {
                    &self.inner
                }

                /// Gives back the management client.
                pub fn into_inner(self) -> #management {
                    self.inner
                }

                #(#calls)*
            }
        }
    })
}

/// `pub mod <service>_server`, or nothing when the profile describes none of its operations.
pub fn emit_server(ctx: &Ctx<'_>, service: &Service) -> Result<TokenStream> {
    let methods = methods(ctx, service, &[])?;
    if methods.is_empty() {
        return Ok(TokenStream::new());
    }
    let module = naming::ident(&format!("{}_server", naming::field_name(&service.name)));
    let trait_name = naming::type_name(&service.name);
    let server_name = format!("{trait_name}Server");
    let (service_trait, server) = (naming::ident(&trait_name), naming::ident(&server_name));
    let rt = &ctx.service_rt;
    let mut imports = Imports::new(|name| name == trait_name || name == server_name);
    let (std_future, std_sync) = (quote!(::std::future), quote!(::std::sync));
    let (rt_service, rt_fault) = (quote!(#rt::service), quote!(#rt::fault));
    let codec = ctx.rt_path(quote!(operation));
    let future = imports.name(&std_future, "Future");
    let arc = imports.name(&std_sync, "Arc");
    let operation = imports.name(&codec, "Operation");
    let description = imports.name(&codec, "OperationDescription");
    let fault = imports.name(&rt_fault, "Fault");
    let (answer, answered, call, dispatch, incoming) = (
        imports.name(&rt_service, "Answer"),
        imports.name(&rt_service, "Answered"),
        imports.name(&rt_service, "Call"),
        imports.name(&rt_service, "Dispatch"),
        imports.name(&rt_service, "Incoming"),
    );
    import_modules(ctx, service, false, &mut imports);
    let trait_methods = methods.iter().map(|m| {
        let (ident, marker) = (&m.ident, &m.marker);
        let d = operation_doc(m.op, m.description);
        quote! {
            #d
            fn #ident(&self, request: #incoming<#marker>) -> impl #future<Output = Result<#answer, #fault>> + Send;
        }
    });
    let codes: Vec<&str> = methods.iter().map(|m| m.op.name.as_str()).collect();
    let idents: Vec<&Ident> = methods.iter().map(|m| &m.ident).collect();
    // `Marker::DESCRIPTION` needs the trait in scope, which it is unless a generated item
    // took its name.
    let descriptions: Vec<TokenStream> = methods
        .iter()
        .map(|m| {
            let marker = &m.marker;
            if operation.to_string() == "Operation" {
                quote!(#marker::DESCRIPTION)
            } else {
                quote!(<#marker as #operation>::DESCRIPTION)
            }
        })
        .collect();
    let uses = imports.uses();
    let module_doc = doc::doc(&format!("The server of the `{}` service.", service.name));
    let trait_doc = doc::doc(&format!(
        "The operations of the `{}` service as a server implements them: each method gets a \
         request that the runtime has verified and returns the answer, or a fault.",
        service.name
    ));
    let server_doc = doc::doc(&format!(
        "Dispatches requests to a [`{trait_name}`] by service code: what the runtime's HTTPS \
         server calls."
    ));
    let new_doc = doc::doc(&format!(
        "Serves the `{}` service with `inner`.",
        service.name
    ));
    Ok(quote! {
        #module_doc
        pub mod #module {
            #uses

            #trait_doc
            pub trait #service_trait: Send + Sync + 'static {
                #(#trait_methods)*
            }

            #server_doc
            #[derive(Debug)]
            pub struct #server<S> {
                inner: #arc<S>,
            }

            impl<S> #server<S> {
                #new_doc
                pub fn new(inner: S) -> Self {
                    Self::from_arc(#arc::new(inner))
                }

                /// Serves the service with an implementation that is shared already.
                pub fn from_arc(inner: #arc<S>) -> Self {
                    Self { inner }
                }

                /// The implementation.
                pub fn get_ref(&self) -> &S {
                    &self.inner
                }

                /// The descriptions of the operations the server serves: those of the port
                /// type in its order, then the profile's extra operations.
                pub const OPERATIONS: &'static [&'static #description] = &[#(#descriptions),*];
            }

            impl<S> Clone for #server<S> {
                fn clone(&self) -> Self {
                    Self {
                        inner: #arc::clone(&self.inner),
                    }
                }
            }

            impl<S: #service_trait> #dispatch for #server<S> {
                fn operations(&self) -> &'static [&'static #description] {
                    Self::OPERATIONS
                }

                fn operation(&self, service_code: &str) -> Option<&'static #description> {
                    match service_code {
                        #(#codes => Some(#descriptions),)*
                        _ => None,
                    }
                }

                async fn dispatch<'a>(&'a self, call: #call<'a>) -> Result<#answered, #fault> {
                    match call.service_code() {
                        #(#codes => call.serve(|request| self.inner.#idents(request)).await,)*
                        _ => Err(call.unknown()),
                    }
                }
            }
        }
    })
}

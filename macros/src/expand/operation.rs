//! `Operation` expansion.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::validate;

/// Expands `#[derive(Operation)]`.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let op = validate::operation(input)?;
    let (krate, name, header, request, response) =
        (&op.krate, &op.name, &op.header, &op.request, &op.response);
    let parts = &op.parts;
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::operation::Operation for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            type Header = #header;
            type Request = #request;
            type Response = #response;
            const PARTS: &'static [#krate::operation::MimePart] = &[#(#krate::operation::MimePart::#parts),*];
        }
    })
}

//! `XmlWrite` expansion.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::validate::{self, Body, ElementField, Occurs};

/// Expands `#[derive(XmlWrite)]`.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let model = validate::xml_struct(input, "XmlWrite")?;
    let krate = &model.krate;
    let ident = &input.ident;
    let generics = super::bounded(&input.generics, &syn::parse_quote!(#krate::xml::XmlWrite));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let result = quote!(::core::result::Result<(), #krate::xml::Error>);
    let text = quote!(#krate::xml::XmlText::to_text);

    let (attributes, content) = match &model.body {
        Body::Newtype(ty) => {
            let attributes = quote_spanned! {ty.span()=>
                <#ty as #krate::xml::XmlWrite>::write_attributes(&self.0, writer)
            };
            let content = quote_spanned! {ty.span()=>
                <#ty as #krate::xml::XmlWrite>::write_content(&self.0, writer)
            };
            (Some(attributes), content)
        }
        Body::Named {
            attributes,
            elements,
            text: text_field,
            any_attribute,
            content: content_field,
        } => {
            let mut statements = Vec::new();
            for fixed in &model.fixed {
                let (namespace, local, value) = (&fixed.namespace, &fixed.local, &fixed.value);
                statements.push(quote! { writer.attribute(#namespace, #local, #value)?; });
            }
            for field in attributes {
                let (member, namespace, local) = (field.member, &field.namespace, &field.local);
                statements.push(if field.optional {
                    quote! {
                        if let ::core::option::Option::Some(__value) = &self.#member {
                            writer.attribute(#namespace, #local, &#text(__value))?;
                        }
                    }
                } else {
                    quote! { writer.attribute(#namespace, #local, &#text(&self.#member))?; }
                });
            }
            if let Some((member, _)) = any_attribute {
                statements.push(quote! {
                    for __attribute in &self.#member {
                        __attribute.write(writer)?;
                    }
                });
            }
            let attributes = (!statements.is_empty()).then(|| {
                quote! {
                    #(#statements)*
                    ::core::result::Result::Ok(())
                }
            });

            let content = if let Some(member) = text_field {
                quote! { writer.text(&#text(&self.#member)) }
            } else if let Some(member) = content_field {
                quote! { #krate::xml::write_nodes(writer, &self.#member) }
            } else if elements.is_empty() {
                quote! {
                    let _ = writer;
                    ::core::result::Result::Ok(())
                }
            } else {
                let statements = element_statements(krate, elements);
                quote! {
                    #(#statements)*
                    ::core::result::Result::Ok(())
                }
            };
            (attributes, content)
        }
    };
    let attributes = attributes.map(|body| {
        quote! {
            fn write_attributes(&self, writer: &mut #krate::xml::Writer) -> #result {
                #body
            }
        }
    });
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::xml::XmlWrite for #ident #ty_generics #where_clause {
            #attributes
            fn write_content(&self, writer: &mut #krate::xml::Writer) -> #result {
                #content
            }
        }
    })
}

/// The statements writing each element field (elements, wildcards, groups) in field order.
pub fn element_statements(krate: &syn::Path, elements: &[ElementField<'_>]) -> Vec<TokenStream> {
    elements
        .iter()
        .map(|field| {
            let (member, namespace, local) = (field.member, &field.namespace, &field.local);
            let span = field.ty.span();
            if field.group {
                return match field.occurs {
                    Occurs::Required => quote_spanned! {span=> #krate::xml::XmlGroup::write_group(&self.#member, writer)?; },
                    Occurs::Optional => quote_spanned! {span=>
                        if let ::core::option::Option::Some(__value) = &self.#member {
                            #krate::xml::XmlGroup::write_group(__value, writer)?;
                        }
                    },
                    Occurs::Repeated { .. } => quote_spanned! {span=>
                        for __value in &self.#member {
                            #krate::xml::XmlGroup::write_group(__value, writer)?;
                        }
                    },
                };
            }
            if field.wildcard.is_some() {
                return match field.occurs {
                    Occurs::Required => quote_spanned! {span=> self.#member.write(writer)?; },
                    Occurs::Optional => quote_spanned! {span=>
                        if let ::core::option::Option::Some(__value) = &self.#member {
                            __value.write(writer)?;
                        }
                    },
                    Occurs::Repeated { .. } => quote_spanned! {span=>
                        for __value in &self.#member {
                            __value.write(writer)?;
                        }
                    },
                };
            }
            match field.occurs {
                Occurs::Required => quote_spanned! {span=> writer.element(#namespace, #local, &self.#member)?; },
                Occurs::Optional => quote_spanned! {span=>
                    if let ::core::option::Option::Some(__value) = &self.#member {
                        writer.element(#namespace, #local, __value)?;
                    }
                },
                Occurs::Repeated { .. } => quote_spanned! {span=>
                    for __value in &self.#member {
                        writer.element(#namespace, #local, __value)?;
                    }
                },
            }
        })
        .collect()
}

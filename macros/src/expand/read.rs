//! `XmlRead` (and `XmlRoot`) expansion.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident};

use crate::validate::{self, Body, Occurs, WildcardSpec, XmlStruct, qualified};

/// Expands `#[derive(XmlRead)]`.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let model = validate::xml_struct(input, "XmlRead")?;
    let krate = &model.krate;
    let ident = &input.ident;
    let generics = super::bounded(&input.generics, &syn::parse_quote!(#krate::xml::XmlRead));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let body = match &model.body {
        Body::Named { .. } => named(&model),
        Body::Newtype(ty) => {
            let read = quote_spanned! {ty.span()=>
                <#ty as #krate::xml::XmlRead>::read(reader, start)
            };
            validate_call(&model).map_or_else(
                || quote! { #read.map(Self) },
                |check| {
                    quote! {
                        let __value = Self(#read?);
                        #check
                        ::core::result::Result::Ok(__value)
                    }
                },
            )
        }
    };
    let root = model.root.as_ref().map(|(namespace, name)| {
        quote! {
            #[automatically_derived]
            impl #impl_generics #krate::xml::XmlRoot for #ident #ty_generics #where_clause {
                const NAMESPACE: &'static str = #namespace;
                const NAME: &'static str = #name;
            }
        }
    });
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::xml::XmlRead for #ident #ty_generics #where_clause {
            fn read(
                reader: &mut #krate::xml::Reader<'_>,
                start: &#krate::xml::StartTag<'_>,
            ) -> ::core::result::Result<Self, #krate::xml::Error> {
                #body
            }
        }
        #root
    })
}

/// `validate(&__value)` turned into an `Invalid` error at the reader's position.
fn validate_call(model: &XmlStruct<'_>) -> Option<TokenStream> {
    let krate = &model.krate;
    model.validate.as_ref().map(|path| {
        quote! {
            if let ::core::result::Result::Err(__error) = #path(&__value) {
                return ::core::result::Result::Err(reader.error(#krate::xml::ErrorKind::Invalid(
                    ::std::string::ToString::to_string(&__error),
                )));
            }
        }
    })
}

pub fn local(index: usize) -> Ident {
    format_ident!("__field{}", index)
}

fn named(model: &XmlStruct<'_>) -> TokenStream {
    let krate = &model.krate;
    let Body::Named {
        attributes,
        elements,
        text,
        any_attribute,
        content,
    } = &model.body
    else {
        unreachable!()
    };

    // Attributes: one pass over the start tag.
    let attributes_code = if attributes.is_empty()
        && model.fixed.is_empty()
        && any_attribute.is_none()
    {
        quote! { reader.reject_attributes(start)?; }
    } else {
        let mut declarations = Vec::new();
        let mut arms = Vec::new();
        let mut checks = Vec::new();
        let duplicate = |name: &str| {
            quote! {
                return ::core::result::Result::Err(reader.attribute_error(
                    &__attribute,
                    #krate::xml::ErrorKind::DuplicateAttribute(::std::string::String::from(#name)),
                ));
            }
        };
        let missing = |name: &str| {
            quote! {
                return ::core::result::Result::Err(reader.error(
                    #krate::xml::ErrorKind::MissingAttribute(::std::string::String::from(#name)),
                ))
            }
        };
        for (i, fixed) in model.fixed.iter().enumerate() {
            let seen = format_ident!("__fixed{}", i);
            let (namespace, local_name, value) = (&fixed.namespace, &fixed.local, &fixed.value);
            let name = qualified(namespace, local_name);
            let duplicate = duplicate(&name);
            let missing = missing(&name);
            declarations.push(quote! { let mut #seen = false; });
            arms.push(quote! {
                (#namespace, #local_name) => {
                    if #seen {
                        #duplicate
                    }
                    reader.check_fixed(&__attribute, #value)?;
                    #seen = true;
                }
            });
            checks.push(quote! {
                if !#seen {
                    #missing;
                }
            });
        }
        for field in attributes {
            let var = local(field.index);
            let ty = field.ty;
            let (namespace, local_name) = (&field.namespace, &field.local);
            let name = qualified(namespace, local_name);
            let duplicate = duplicate(&name);
            declarations.push(if field.optional {
                quote! { let mut #var: #ty = ::core::option::Option::None; }
            } else {
                quote! { let mut #var: ::core::option::Option<#ty> = ::core::option::Option::None; }
            });
            let parse = quote_spanned! {ty.span()=> reader.parse_attribute(&__attribute)? };
            arms.push(quote! {
                (#namespace, #local_name) => {
                    if #var.is_some() {
                        #duplicate
                    }
                    #var = ::core::option::Option::Some(#parse);
                }
            });
            if !field.optional {
                let missing = missing(&name);
                checks.push(quote! {
                    let ::core::option::Option::Some(#var) = #var else {
                        #missing
                    };
                });
            }
        }
        let other = any_attribute.as_ref().map(|(_, spec)| {
            let wildcard = wildcard_tokens(krate, spec);
            declarations.push(quote! {
                let mut __any_attributes: ::std::vec::Vec<#krate::xml::AnyAttribute> = ::std::vec::Vec::new();
            });
            quote! {
                (__namespace, __local) if #wildcard.allows(__namespace) => {
                    __any_attributes.push(#krate::xml::AnyAttribute {
                        namespace: ::std::borrow::ToOwned::to_owned(__namespace),
                        local: ::std::borrow::ToOwned::to_owned(__local),
                        value: ::std::borrow::ToOwned::to_owned(__attribute.value()),
                    });
                }
            }
        });
        quote! {
            #(#declarations)*
            for __attribute in start.attributes() {
                let __attribute = __attribute?;
                match (__attribute.namespace(), __attribute.local_name()) {
                    #(#arms)*
                    #other
                    (__namespace, __local) => {
                        let __name = if __namespace.is_empty() {
                            ::std::borrow::ToOwned::to_owned(__local)
                        } else {
                            ::std::format!("{{{}}}{}", __namespace, __local)
                        };
                        return ::core::result::Result::Err(reader.attribute_error(
                            &__attribute,
                            #krate::xml::ErrorKind::UnexpectedAttribute(__name),
                        ));
                    }
                }
            }
            #(#checks)*
        }
    };

    let elements_code = if model.any_order {
        any_order(model)
    } else {
        in_order(model)
    };

    let mut inits: Vec<(usize, TokenStream)> = Vec::new();
    inits.extend(
        attributes
            .iter()
            .map(|f| (f.index, field_init(f.member, &local(f.index)))),
    );
    inits.extend(
        elements
            .iter()
            .map(|f| (f.index, field_init(f.member, &local(f.index)))),
    );
    let text_code = text.map(|member| {
        let var = format_ident!("__text");
        inits.push((usize::MAX, field_init(member, &var)));
        quote! { let #var = reader.read_text_as()?; }
    });
    if let Some((member, _)) = any_attribute {
        inits.push((
            usize::MAX - 1,
            field_init(member, &format_ident!("__any_attributes")),
        ));
    }
    let content_code = content.map(|member| {
        let var = format_ident!("__content");
        inits.push((usize::MAX, field_init(member, &var)));
        quote! { let #var = reader.read_any_content()?; }
    });
    inits.sort_by_key(|(index, _)| *index);
    let inits = inits.into_iter().map(|(_, init)| init);

    let check = validate_call(model);
    let end = (text.is_none() && content.is_none()).then(|| quote! { reader.end()?; });
    quote! {
        #attributes_code
        #elements_code
        #text_code
        #content_code
        let __value = Self { #(#inits),* };
        #check
        #end
        ::core::result::Result::Ok(__value)
    }
}

fn field_init(member: &Ident, var: &Ident) -> TokenStream {
    quote! { #member: #var }
}

/// Child elements in field order: one reader call per field.
pub fn in_order(model: &XmlStruct<'_>) -> TokenStream {
    let Body::Named { elements, .. } = &model.body else {
        unreachable!()
    };
    let krate = &model.krate;
    let statements = elements.iter().map(|field| {
        let var = local(field.index);
        let ty = field.ty;
        if let Some(spec) = &field.wildcard {
            return wildcard_statement(krate, field, spec);
        }
        if field.group {
            return group_statement(krate, field);
        }
        let (namespace, local_name) = (&field.namespace, &field.local);
        let call = match field.occurs {
            Occurs::Required => {
                quote_spanned! {ty.span()=> reader.required(#namespace, #local_name)? }
            }
            Occurs::Optional => {
                quote_spanned! {ty.span()=> reader.optional(#namespace, #local_name)? }
            }
            Occurs::Repeated { min, max } => {
                let max = max.map_or_else(
                    || quote!(::core::option::Option::None),
                    |max| quote!(::core::option::Option::Some(#max)),
                );
                quote_spanned! {ty.span()=> reader.repeated(#namespace, #local_name, #min, #max)? }
            }
        };
        quote! { let #var: #ty = #call; }
    });
    quote! { #(#statements)* }
}

/// Reads a `group` field.
fn group_statement(krate: &syn::Path, field: &validate::ElementField<'_>) -> TokenStream {
    let var = local(field.index);
    let ty = field.ty;
    match field.occurs {
        Occurs::Required => quote_spanned! {ty.span()=>
            let #var: #ty = <#ty as #krate::xml::XmlGroup>::read_group(reader)?;
        },
        Occurs::Optional => quote_spanned! {ty.span()=>
            let #var: #ty = reader.optional_group()?;
        },
        Occurs::Repeated { min, max } => {
            let max = max.map_or_else(
                || quote!(::core::option::Option::None),
                |max| quote!(::core::option::Option::Some(#max)),
            );
            quote_spanned! {ty.span()=>
                let #var: #ty = reader.repeated_group(#min, #max)?;
            }
        }
    }
}

/// The `Wildcard` value of a wildcard field.
pub fn wildcard_tokens(krate: &syn::Path, spec: &WildcardSpec) -> TokenStream {
    match spec {
        WildcardSpec::Any => quote!(#krate::xml::Wildcard::Any),
        WildcardSpec::Not(namespaces) => quote!(#krate::xml::Wildcard::Not(&[#(#namespaces),*])),
        WildcardSpec::Only(namespaces) => quote!(#krate::xml::Wildcard::Only(&[#(#namespaces),*])),
    }
}

/// Reads the child elements of a wildcard (`any`) field.
fn wildcard_statement(
    krate: &syn::Path,
    field: &validate::ElementField<'_>,
    spec: &WildcardSpec,
) -> TokenStream {
    let var = local(field.index);
    let ty = field.ty;
    let wildcard = wildcard_tokens(krate, spec);
    let (min, max) = match field.occurs {
        Occurs::Required => (1, Some(1)),
        Occurs::Optional => (0, Some(1)),
        Occurs::Repeated { min, max } => (min, max),
    };
    let max_tokens = max.map_or_else(
        || quote!(::core::option::Option::None),
        |max| quote!(::core::option::Option::Some(#max)),
    );
    let call = quote_spanned! {ty.span()=> reader.wildcard(&#wildcard, #min, #max_tokens)? };
    match field.occurs {
        Occurs::Repeated { .. } => quote! { let #var: #ty = #call; },
        Occurs::Optional => quote! { let #var: #ty = #call.pop(); },
        Occurs::Required => quote! {
            let ::core::option::Option::Some(#var) = #call.pop() else {
                return ::core::result::Result::Err(reader.error(#krate::xml::ErrorKind::MissingElement {
                    expected: #wildcard.describe(),
                    found: ::core::option::Option::None,
                }));
            };
        },
    }
}

/// Child elements in any order, each at most once: a linear match on each child's name. A
/// repeated child is `DuplicateElement`, a child no field reads is `UnexpectedElement` (or
/// `WrongNamespace` when only its namespace differs from a field's), and a missing required
/// child is `MissingElement`, naming the first one in field order, at the parent's end tag.
fn any_order(model: &XmlStruct<'_>) -> TokenStream {
    let krate = &model.krate;
    let Body::Named { elements, .. } = &model.body else {
        unreachable!()
    };
    let declarations = elements.iter().map(|field| {
        let (var, ty) = (local(field.index), field.ty);
        match field.occurs {
            Occurs::Optional => quote! { let mut #var: #ty = ::core::option::Option::None; },
            _ => {
                quote! { let mut #var: ::core::option::Option<#ty> = ::core::option::Option::None; }
            }
        }
    });
    let arms = elements.iter().map(|field| {
        let var = local(field.index);
        let (namespace, local_name) = (&field.namespace, &field.local);
        let name = qualified(namespace, local_name);
        let read = quote_spanned! {field.ty.span()=>
            #krate::xml::XmlRead::read(reader, &__child)?
        };
        quote! {
            (#local_name, #namespace) => {
                if #var.is_some() {
                    return ::core::result::Result::Err(reader.error(
                        #krate::xml::ErrorKind::DuplicateElement(::std::string::String::from(#name)),
                    ));
                }
                #var = ::core::option::Option::Some(#read);
            }
        }
    });
    let expected = elements
        .iter()
        .map(|field| format!("`{}`", qualified(&field.namespace, &field.local)))
        .collect::<Vec<_>>()
        .join(", ");
    let expected = format!("one of {expected}");
    // The namespace of the first field with each local name, for `WrongNamespace`.
    let mut locals: Vec<&str> = Vec::new();
    let namespaces = elements
        .iter()
        .filter(|field| {
            let first = !locals.contains(&field.local.as_str());
            locals.push(&field.local);
            first
        })
        .map(|field| {
            let (namespace, local_name) = (&field.namespace, &field.local);
            quote! { #local_name => ::core::option::Option::Some(#namespace), }
        })
        .collect::<Vec<_>>();
    let checks = elements
        .iter()
        .filter(|field| !matches!(field.occurs, Occurs::Optional))
        .map(|field| {
            let var = local(field.index);
            let name = qualified(&field.namespace, &field.local);
            quote! {
                let ::core::option::Option::Some(#var) = #var else {
                    return ::core::result::Result::Err(reader.error(
                        #krate::xml::ErrorKind::MissingElement {
                            expected: ::std::string::String::from(#name),
                            found: ::core::option::Option::None,
                        },
                    ));
                };
            }
        });
    quote! {
        #(#declarations)*
        // Local name first: it tells most names apart without comparing namespace URIs.
        while let ::core::option::Option::Some(__child) = reader.next_child()? {
            match (__child.local_name(), __child.namespace()) {
                #(#arms)*
                (__local, __namespace) => {
                    let __expected: ::core::option::Option<&str> = match __local {
                        #(#namespaces)*
                        _ => ::core::option::Option::None,
                    };
                    let __kind = match __expected {
                        ::core::option::Option::Some(__expected) => #krate::xml::ErrorKind::WrongNamespace {
                            name: ::std::borrow::ToOwned::to_owned(__local),
                            found: ::std::borrow::ToOwned::to_owned(__namespace),
                            expected: ::std::borrow::ToOwned::to_owned(__expected),
                        },
                        ::core::option::Option::None => #krate::xml::ErrorKind::UnexpectedElement {
                            found: if __namespace.is_empty() {
                                ::std::borrow::ToOwned::to_owned(__local)
                            } else {
                                ::std::format!("{{{}}}{}", __namespace, __local)
                            },
                            expected: ::std::string::String::from(#expected),
                        },
                    };
                    return ::core::result::Result::Err(reader.error(__kind));
                }
            }
        }
        #(#checks)*
    }
}

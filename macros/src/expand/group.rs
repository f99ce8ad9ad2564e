//! `XmlGroup` expansion: a struct is a sequence of particles, an enum a choice between them.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

use super::read::{in_order, local, wildcard_tokens};
use super::write::element_statements;
use crate::attr::{self, Errors};
use crate::validate::{self, Body, ElementField, Occurs, WildcardSpec, crate_path, qualified};

/// Expands `#[derive(XmlGroup)]`.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    match &input.data {
        Data::Enum(_) => choice(input),
        _ => sequence(input),
    }
}

/// What a particle expects, for errors.
fn describe(field: &ElementField<'_>) -> String {
    if field.wildcard.is_some() {
        "an element of another namespace".to_owned()
    } else if field.group {
        format!("the elements of `{}`", field.member)
    } else {
        format!("`{}`", qualified(&field.namespace, &field.local))
    }
}

/// The condition under which a child `{__namespace}__local` can start `field`.
fn starts(krate: &syn::Path, field: &ElementField<'_>) -> TokenStream {
    if let Some(spec) = &field.wildcard {
        let wildcard = wildcard_tokens(krate, spec);
        return quote!(#wildcard.allows(__namespace));
    }
    if field.group {
        let inner = validate::inner_type(field.ty);
        return quote_spanned! {inner.span()=>
            <#inner as #krate::xml::XmlGroup>::starts_with(__namespace, __local)
        };
    }
    let (namespace, local_name) = (&field.namespace, &field.local);
    quote!((__local == #local_name && __namespace == #namespace))
}

fn sequence(input: &DeriveInput) -> syn::Result<TokenStream> {
    let model = validate::xml_struct(input, "XmlGroup")?;
    let krate = &model.krate;
    let ident = &input.ident;
    let Body::Named {
        attributes,
        elements,
        text,
        any_attribute,
        content,
    } = &model.body
    else {
        return Err(syn::Error::new(
            ident.span(),
            "`XmlGroup` needs named fields: the particles of the sequence",
        ));
    };
    if !attributes.is_empty()
        || !model.fixed.is_empty()
        || text.is_some()
        || any_attribute.is_some()
        || content.is_some()
        || model.root.is_some()
        || model.any_order
    {
        return Err(syn::Error::new(
            ident.span(),
            "a sequence group has element, `any` and `group` fields only: attributes, text, \
             `root` and `any_order` belong to the enclosing element",
        ));
    }
    // The first set: every particle up to the first one that must occur.
    let mut first = Vec::new();
    let mut expected = Vec::new();
    for field in elements {
        first.push(starts(krate, field));
        expected.push(describe(field));
        let required = match field.occurs {
            Occurs::Required => true,
            Occurs::Optional => false,
            Occurs::Repeated { min, .. } => min > 0,
        };
        if required {
            break;
        }
    }
    if first.is_empty() {
        first.push(quote!(false));
    }
    let expected = match expected.as_slice() {
        // The error message quotes a single name itself.
        [one] => one.trim_matches('`').to_owned(),
        _ => format!("one of {}", expected.join(", ")),
    };
    let read = in_order(&model);
    let inits = elements.iter().map(|f| {
        let (member, var) = (f.member, local(f.index));
        quote!(#member: #var)
    });
    let writes = element_statements(krate, elements);
    let check = model.validate.as_ref().map(|path| {
        quote! {
            if let ::core::result::Result::Err(__error) = #path(&__value) {
                return ::core::result::Result::Err(reader.error(#krate::xml::ErrorKind::Invalid(
                    ::std::string::ToString::to_string(&__error),
                )));
            }
        }
    });
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::xml::XmlGroup for #ident #ty_generics #where_clause {
            const EXPECTED: &'static str = #expected;

            fn starts_with(__namespace: &str, __local: &str) -> bool {
                let _ = (__namespace, __local);
                #(#first)||*
            }
            fn read_group(
                reader: &mut #krate::xml::Reader<'_>,
            ) -> ::core::result::Result<Self, #krate::xml::Error> {
                #read
                let __value = Self { #(#inits),* };
                #check
                ::core::result::Result::Ok(__value)
            }
            fn write_group(
                &self,
                writer: &mut #krate::xml::Writer,
            ) -> ::core::result::Result<(), #krate::xml::Error> {
                #(#writes)*
                ::core::result::Result::Ok(())
            }
        }
    })
}

/// One alternative of a choice.
struct Alternative<'a> {
    variant: &'a syn::Ident,
    ty: &'a syn::Type,
    kind: Kind,
}

enum Kind {
    Element { namespace: String, local: String },
    Group,
    Any(WildcardSpec),
}

fn choice(input: &DeriveInput) -> syn::Result<TokenStream> {
    let Data::Enum(data) = &input.data else {
        unreachable!("called for enums")
    };
    let mut errors = Errors::default();
    let container = attr::xml_container(&input.attrs, &mut errors);
    let default_namespace = container
        .namespace
        .as_ref()
        .map(|ns| ns.value.clone())
        .unwrap_or_default();
    let krate = crate_path(container.krate);
    let mut alternatives = Vec::new();
    for variant in &data.variants {
        let f = attr::xml_field(&variant.attrs, &mut errors);
        let ty = match &variant.fields {
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => &fields.unnamed[0].ty,
            _ => {
                errors.at(
                    variant.span(),
                    "each alternative of a choice holds one value: `Variant(Type)`",
                );
                continue;
            }
        };
        let kind = if let Some(element) = &f.element {
            let namespace = f
                .namespace
                .as_ref()
                .map_or_else(|| default_namespace.clone(), |ns| ns.value.clone());
            Kind::Element {
                namespace,
                local: element.value.clone(),
            }
        } else if f.group.is_some() {
            Kind::Group
        } else if f.wildcard.is_some() {
            Kind::Any(WildcardSpec::new(&f, &mut errors))
        } else {
            errors.at(
                variant.span(),
                format_args!(
                    "variant `{}` needs `#[xml(element = \"...\")]`, `#[xml(group)]` or `#[xml(any)]`",
                    variant.ident
                ),
            );
            continue;
        };
        alternatives.push(Alternative {
            variant: &variant.ident,
            ty,
            kind,
        });
    }
    if data.variants.is_empty() {
        errors.at(
            input.ident.span(),
            "a choice needs at least one alternative",
        );
    }
    errors.finish()?;

    let ident = &input.ident;
    let mut conditions = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut expected = Vec::new();
    for (index, alternative) in alternatives.iter().enumerate() {
        let (variant, ty) = (alternative.variant, alternative.ty);
        match &alternative.kind {
            Kind::Element { namespace, local } => {
                conditions.push(quote!(__local == #local && __namespace == #namespace));
                reads.push(quote_spanned! {ty.span()=>
                    #index => ::core::result::Result::Ok(Self::#variant(reader.required(#namespace, #local)?)),
                });
                writes.push(quote_spanned! {ty.span()=>
                    Self::#variant(__value) => writer.element(#namespace, #local, __value),
                });
                expected.push(format!("`{}`", qualified(namespace, local)));
            }
            Kind::Group => {
                conditions.push(quote_spanned! {ty.span()=>
                    <#ty as #krate::xml::XmlGroup>::starts_with(__namespace, __local)
                });
                reads.push(quote_spanned! {ty.span()=>
                    #index => ::core::result::Result::Ok(Self::#variant(
                        <#ty as #krate::xml::XmlGroup>::read_group(reader)?,
                    )),
                });
                writes.push(quote_spanned! {ty.span()=>
                    Self::#variant(__value) => #krate::xml::XmlGroup::write_group(__value, writer),
                });
                expected.push(format!("the elements of `{variant}`"));
            }
            Kind::Any(spec) => {
                let wildcard = wildcard_tokens(&krate, spec);
                conditions.push(quote!(#wildcard.allows(__namespace)));
                reads.push(quote_spanned! {ty.span()=>
                    #index => match reader.next_child()? {
                        ::core::option::Option::Some(__start) => ::core::result::Result::Ok(
                            Self::#variant(<#ty as #krate::xml::XmlRead>::read(reader, &__start)?),
                        ),
                        ::core::option::Option::None => ::core::result::Result::Err(
                            reader.error(#krate::xml::ErrorKind::UnexpectedEof),
                        ),
                    },
                });
                writes.push(quote_spanned! {ty.span()=>
                    Self::#variant(__value) => __value.write(writer),
                });
                expected.push("an element of another namespace".to_owned());
            }
        }
    }
    let expected = format!("one of {}", expected.join(", "));
    let indices = 0..conditions.len();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::xml::XmlGroup for #ident #ty_generics #where_clause {
            const EXPECTED: &'static str = #expected;

            fn starts_with(__namespace: &str, __local: &str) -> bool {
                #(#conditions)||*
            }
            fn read_group(
                reader: &mut #krate::xml::Reader<'_>,
            ) -> ::core::result::Result<Self, #krate::xml::Error> {
                let __which: usize = match reader.peek_child()? {
                    ::core::option::Option::Some((__namespace, __local)) => {
                        #(if #conditions { #indices } else)* { usize::MAX }
                    }
                    ::core::option::Option::None => usize::MAX,
                };
                match __which {
                    #(#reads)*
                    _ => {
                        let __found = reader.peek_child()?.map(|(__namespace, __local)| {
                            if __namespace.is_empty() {
                                ::std::borrow::ToOwned::to_owned(__local)
                            } else {
                                ::std::format!("{{{}}}{}", __namespace, __local)
                            }
                        });
                        ::core::result::Result::Err(reader.error(#krate::xml::ErrorKind::MissingElement {
                            expected: ::std::string::String::from(#expected),
                            found: __found,
                        }))
                    }
                }
            }
            fn write_group(
                &self,
                writer: &mut #krate::xml::Writer,
            ) -> ::core::result::Result<(), #krate::xml::Error> {
                match self {
                    #(#writes)*
                }
            }
        }
    })
}

//! `XmlText` expansion (plus `Display`, `FromStr` and, for enums, `as_str` and `ALL`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::validate::{self, TextInput};

/// Expands `#[derive(XmlText)]`.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let model = validate::xml_text(input)?;
    let ident = &input.ident;
    let krate = match &model {
        TextInput::Enum(e) => &e.krate,
        TextInput::Newtype(n) => &n.krate,
        TextInput::Union(u) => &u.krate,
    };
    let generics = super::bounded(&input.generics, &syn::parse_quote!(#krate::xml::XmlText));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let (krate, text_impl, extra) = match &model {
        TextInput::Enum(e) => {
            let krate = &e.krate;
            let names: Vec<_> = e.variants.iter().map(|(variant, _)| *variant).collect();
            let values: Vec<_> = e.variants.iter().map(|(_, value)| value.as_str()).collect();
            let count = names.len();
            let expected = format!(
                "expected one of {}",
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            let text_impl = quote! {
                fn from_text(text: &str) -> ::core::result::Result<Self, #krate::xml::TextError> {
                    match text.trim_matches(|c: char| ::core::matches!(c, ' ' | '\t' | '\r' | '\n')) {
                        #(#values => ::core::result::Result::Ok(Self::#names),)*
                        _ => ::core::result::Result::Err(#krate::xml::TextError::new(#expected)),
                    }
                }
                fn to_text(&self) -> ::std::borrow::Cow<'_, str> {
                    ::std::borrow::Cow::Borrowed(self.as_str())
                }
            };
            let extra = quote! {
                #[automatically_derived]
                impl #impl_generics #ident #ty_generics #where_clause {
                    /// Every value, in declaration order.
                    pub const ALL: [Self; #count] = [#(Self::#names),*];

                    /// The XML text of the value.
                    pub const fn as_str(&self) -> &'static str {
                        match self {
                            #(Self::#names => #values,)*
                        }
                    }
                }
            };
            (krate, text_impl, Some(extra))
        }
        TextInput::Union(u) => {
            let krate = &u.krate;
            let attempts = u.variants.iter().map(|(variant, ty)| {
                quote_spanned! {ty.span()=>
                    match <#ty as #krate::xml::XmlText>::from_text(text) {
                        ::core::result::Result::Ok(value) => {
                            return ::core::result::Result::Ok(Self::#variant(value));
                        }
                        ::core::result::Result::Err(error) => reasons.push(error.0),
                    }
                }
            });
            let writes = u.variants.iter().map(|(variant, ty)| {
                quote_spanned! {ty.span()=>
                    Self::#variant(value) => <#ty as #krate::xml::XmlText>::to_text(value),
                }
            });
            let text_impl = quote! {
                fn from_text(text: &str) -> ::core::result::Result<Self, #krate::xml::TextError> {
                    let mut reasons: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
                    #(#attempts)*
                    ::core::result::Result::Err(#krate::xml::TextError::new(::std::format!(
                        "no member type of the union reads it: {}",
                        reasons.join("; ")
                    )))
                }
                fn to_text(&self) -> ::std::borrow::Cow<'_, str> {
                    match self {
                        #(#writes)*
                    }
                }
            };
            (krate, text_impl, None)
        }
        TextInput::Newtype(n) => {
            let (krate, ty) = (&n.krate, n.ty);
            let check = n.validate.as_ref().map(|path| {
                quote! {
                    #path(&value).map_err(#krate::xml::TextError::new)?;
                }
            });
            let write = match &n.to_text {
                Some(path) => quote!(#path(self)),
                None => quote!(<#ty as #krate::xml::XmlText>::to_text(&self.0)),
            };
            let check_text = n.validate_text.as_ref().map(|path| {
                quote! {
                    #path(text).map_err(#krate::xml::TextError::new)?;
                }
            });
            let text_impl = quote_spanned! {ty.span()=>
                fn from_text(text: &str) -> ::core::result::Result<Self, #krate::xml::TextError> {
                    #check_text
                    let value = Self(<#ty as #krate::xml::XmlText>::from_text(text)?);
                    #check
                    ::core::result::Result::Ok(value)
                }
                fn to_text(&self) -> ::std::borrow::Cow<'_, str> {
                    #write
                }
            };
            (krate, text_impl, None)
        }
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #krate::xml::XmlText for #ident #ty_generics #where_clause {
            #text_impl
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Display for #ident #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&#krate::xml::XmlText::to_text(self))
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::str::FromStr for #ident #ty_generics #where_clause {
            type Err = #krate::xml::TextError;
            fn from_str(text: &str) -> ::core::result::Result<Self, Self::Err> {
                <Self as #krate::xml::XmlText>::from_text(text)
            }
        }

        #extra
    })
}

//! X-Road identifier semantics: `OBJECT_TYPES`/`OBJECT_TYPE`, `validate`, `Display` and
//! `FromStr` in the textual form `TYPE:code/code/…`.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::context::Ctx;
use super::naming;
use crate::error::{Error, Result};
use crate::model::{Builtin, ComplexType, Identifier, SimpleKind, TypeDef, TypeRef};

/// A generated struct field, as the identifier emitter needs to know it.
pub struct Field {
    /// Rust name.
    pub ident: Ident,
    /// XML local name of the element or attribute.
    pub local: String,
    /// Whether it is an attribute (else an element or the text).
    pub attribute: bool,
    /// `Option<T>`.
    pub optional: bool,
    /// `Vec<T>`.
    pub repeated: bool,
    /// The model type.
    pub ty: TypeRef,
}

/// A code field of an identifier type.
struct Code {
    ident: Ident,
    /// The element's local name.
    local: String,
    optional: bool,
    /// Converts a `&Code` binding `c` into the field's type.
    convert: fn(&Ident) -> TokenStream,
}

/// An object type with the code combinations it allows.
struct Allowed {
    value: String,
    variant: TokenStream,
    /// Allowed shapes as sets of indices into `codes`, in shape order, de-duplicated.
    shapes: Vec<BTreeSet<usize>>,
}

/// Everything needed to emit the identifier impls of one type.
pub struct Plan {
    enum_path: TokenStream,
    /// The object-type field, or `None` when the object type is fixed.
    field: Option<Ident>,
    /// Enum values that are not allowed here (only relevant with a field).
    others: usize,
    codes: Vec<Code>,
    allowed: Vec<Allowed>,
}

/// Works out the identifier semantics of `c`, whose fields have been generated as `fields`.
pub fn plan(
    ctx: &Ctx<'_>,
    module: usize,
    c: &ComplexType,
    id: &Identifier,
    fields: &[Field],
) -> Result<Plan> {
    let unsupported = |construct: String, hint: &str| Error::Unsupported {
        location: c.location.clone(),
        construct,
        hint: hint.to_owned(),
    };
    let attr = c
        .attributes
        .iter()
        .find(|a| a.name == id.object_type_attribute)
        .ok_or_else(|| Error::Unresolved {
            location: c.location.clone(),
            kind: "attribute",
            name: id.object_type_attribute.clone(),
        })?;
    let values = match &attr.ty {
        TypeRef::Named(q) => match ctx.type_def(q) {
            Some(TypeDef::Simple(s)) => match &s.kind {
                SimpleKind::Enumeration { values, .. } => values,
                SimpleKind::Restriction { .. }
                | SimpleKind::List { .. }
                | SimpleKind::Union { .. } => &Vec::new(),
            },
            _ => &Vec::new(),
        },
        _ => &Vec::new(),
    };
    if values.is_empty() {
        return Err(unsupported(
            format!("identifier object type attribute `{}`", attr.name),
            "the object type attribute must have an enumerated simple type",
        ));
    }
    let enum_path = ctx.rust_type(module, &attr.ty, &attr.location)?;
    let variants = naming::enum_variants(values);
    let variant_of = |value: &str| -> Result<TokenStream> {
        let i = values
            .iter()
            .position(|v| v.value == value)
            .ok_or_else(|| {
                unsupported(
                    format!("object type `{value}`"),
                    "object types must be values of the object type enumeration",
                )
            })?;
        let v = naming::ident(&variants[i]);
        Ok(quote!(#enum_path::#v))
    };

    let mut field = None;
    let mut codes = Vec::new();
    let mut locals = Vec::new();
    for f in fields {
        if f.attribute {
            if f.local == attr.name.local && id.fixed.is_none() {
                field = Some(f.ident.clone());
                continue;
            }
            return Err(unsupported(
                format!("attribute `{}` of an identifier type", f.local),
                "identifier types may only have the object type attribute",
            ));
        }
        if f.repeated {
            return Err(unsupported(
                format!("repeated code `{}`", f.local),
                "identifier codes occur at most once",
            ));
        }
        let convert: fn(&Ident) -> TokenStream = match &f.ty {
            TypeRef::Extern(_) => |c| quote!(#c.clone()),
            TypeRef::Builtin(Builtin::String) => |c| quote!(#c.as_str().to_owned()),
            _ => {
                return Err(unsupported(
                    format!("type of identifier code `{}`", f.local),
                    "codes must be strings or an extern code type such as \
                     `xroad_codec::identifier::Code`",
                ));
            }
        };
        locals.push(f.local.clone());
        codes.push(Code {
            ident: f.ident.clone(),
            local: f.local.clone(),
            optional: f.optional,
            convert,
        });
    }
    if matches!(c.content, crate::model::Content::Simple(_)) {
        return Err(unsupported(
            "simple content in an identifier type".into(),
            "identifier types have element content",
        ));
    }

    let mut allowed: Vec<Allowed> = Vec::new();
    for shape in &id.shapes {
        if let Some(fixed) = &id.fixed
            && *fixed != shape.object_type
        {
            continue;
        }
        let mut present = BTreeSet::new();
        for code in &shape.codes {
            let i = locals.iter().position(|l| l == code).ok_or_else(|| {
                unsupported(
                    format!("code `{code}` of object type `{}`", shape.object_type),
                    "every code of a shape must be an element of the identifier type",
                )
            })?;
            present.insert(i);
        }
        // A shape that leaves out a required code can never occur.
        if codes
            .iter()
            .enumerate()
            .any(|(i, c)| !c.optional && !present.contains(&i))
        {
            continue;
        }
        match allowed.iter_mut().find(|a| a.value == shape.object_type) {
            Some(a) => {
                if !a.shapes.contains(&present) {
                    a.shapes.push(present);
                }
            }
            None => allowed.push(Allowed {
                value: shape.object_type.clone(),
                variant: variant_of(&shape.object_type)?,
                shapes: vec![present],
            }),
        }
    }
    if allowed.is_empty() {
        return Err(unsupported(
            format!("identifier type `{}`", c.name),
            "no object type shape fits the codes of this type",
        ));
    }
    if field.is_none() && id.fixed.is_none() {
        return Err(unsupported(
            format!("identifier type `{}`", c.name),
            "the object type attribute must be a field or fixed",
        ));
    }
    Ok(Plan {
        enum_path,
        others: values.len() - allowed.len(),
        field,
        codes,
        allowed,
    })
}

impl Plan {
    fn optional(&self) -> Vec<usize> {
        (0..self.codes.len())
            .filter(|i| self.codes[*i].optional)
            .collect()
    }

    /// Whether some combination of optional codes is not a shape of its object type.
    fn has_invalid_shape(&self, allowed: &Allowed) -> bool {
        let n = self.optional().len();
        n >= 64 || (allowed.shapes.len() as u64) < (1u64 << n)
    }

    /// Whether a value can be invalid, so that a `validate` method is needed.
    pub fn needs_validate(&self) -> bool {
        (self.field.is_some() && self.others > 0)
            || self.allowed.iter().any(|a| self.has_invalid_shape(a))
    }

    fn expected_text(&self, allowed: &Allowed) -> String {
        let counts: BTreeSet<usize> = allowed.shapes.iter().map(BTreeSet::len).collect();
        let counts: Vec<String> = counts.iter().map(usize::to_string).collect();
        let plural = if counts.len() == 1 && counts[0] == "1" {
            "code"
        } else {
            "codes"
        };
        match counts.split_last() {
            Some((last, [])) => format!("{last} {plural}"),
            Some((last, rest)) => format!("{} or {last} {plural}", rest.join(", ")),
            None => format!("0 {plural}"),
        }
    }

    /// The identifier impls for struct `name`.
    pub fn impls(&self, ctx: &Ctx<'_>, name: &Ident) -> Result<TokenStream> {
        let enum_path = &self.enum_path;
        let error = ctx.rt_path(quote!(identifier::IdentifierError));
        let consts = match &self.field {
            Some(_) => {
                let variants = self.allowed.iter().map(|a| &a.variant);
                quote! {
                    /// Object types this identifier type allows.
                    pub const OBJECT_TYPES: &'static [#enum_path] = &[#(#variants),*];
                }
            }
            None => {
                let variant = &self.allowed[0].variant;
                quote! {
                    /// The object type of every identifier of this type.
                    pub const OBJECT_TYPE: #enum_path = #variant;
                }
            }
        };
        let validate = if self.needs_validate() {
            self.validate(ctx, &error)
        } else {
            TokenStream::new()
        };
        let display = self.display_impl(ctx, name);
        let from_str = self.parse_impl(ctx, name, &error);
        Ok(quote! {
            impl #name {
                #consts
                #validate
            }
            #display
            #from_str
        })
    }

    /// `SHAPES` (a table of the code combinations each object type allows) and `validate`,
    /// which checks a value against it with `identifier::check_shape`.
    fn validate(&self, ctx: &Ctx<'_>, error: &TokenStream) -> TokenStream {
        let shape = ctx.rt_path(quote!(identifier::Shape));
        let check = ctx.rt_path(quote!(identifier::check_shape));
        let shape_ref = &shape;
        let rows = self.allowed.iter().flat_map(|a| {
            a.shapes.iter().map(move |present| {
                let shape = shape_ref;
                let value = &a.value;
                let names = present.iter().map(|i| &self.codes[*i].local);
                quote!(#shape::new(#value, &[#(#names),*]),)
            })
        });
        let present = self.codes.iter().map(|c| {
            let (local, ident) = (&c.local, &c.ident);
            if c.optional {
                quote!((#local, self.#ident.is_some()),)
            } else {
                quote!((#local, true),)
            }
        });
        let object_type = match &self.field {
            Some(field) => {
                let text = ctx.rt_path(quote!(xml::XmlText));
                quote!(&#text::to_text(&self.#field))
            }
            None => {
                let value = &self.allowed[0].value;
                quote!(#value)
            }
        };
        quote! {
            /// The code combinations each object type allows, by element name.
            pub const SHAPES: &'static [#shape] = &[#(#rows)*];

            /// Checks that the codes present are exactly those the object type has.
            pub fn validate(&self) -> Result<(), #error> {
                #check(#object_type, &[#(#present)*], Self::SHAPES)
            }
        }
    }

    fn object_types_text(&self) -> String {
        let values: Vec<&str> = self.allowed.iter().map(|a| a.value.as_str()).collect();
        values.join(", ")
    }

    fn display_impl(&self, ctx: &Ctx<'_>, name: &Ident) -> TokenStream {
        let object_type = match &self.field {
            Some(field) => {
                let text = ctx.rt_path(quote!(xml::XmlText));
                quote!(f.write_str(&#text::to_text(&self.#field))?;)
            }
            None => {
                let value = &self.allowed[0].value;
                quote!(f.write_str(#value)?;)
            }
        };
        let n = Literal::usize_unsuffixed(self.codes.len());
        let codes = self.codes.iter().map(|c| {
            let f = &c.ident;
            if c.optional {
                quote!(self.#f.as_ref().map(|c| c as &dyn ::std::fmt::Display))
            } else {
                quote!(Some(&self.#f as &dyn ::std::fmt::Display))
            }
        });
        quote! {
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    #object_type
                    let codes: [Option<&dyn ::std::fmt::Display>; #n] = [#(#codes),*];
                    for (i, code) in codes.into_iter().flatten().enumerate() {
                        f.write_str(if i == 0 { ":" } else { "/" })?;
                        ::std::fmt::Display::fmt(code, f)?;
                    }
                    Ok(())
                }
            }
        }
    }

    fn parse_impl(&self, ctx: &Ctx<'_>, name: &Ident, error: &TokenStream) -> TokenStream {
        let split = ctx.rt_path(quote!(identifier::split));
        let mut arms = Vec::new();
        for a in &self.allowed {
            let value = &a.value;
            let mut lengths = BTreeSet::new();
            for shape in &a.shapes {
                // A later shape with as many codes as an earlier one is unreachable.
                if !lengths.insert(shape.len()) {
                    continue;
                }
                let bindings: Vec<Ident> =
                    (0..shape.len()).map(|i| format_ident!("c{i}")).collect();
                let mut next = bindings.iter();
                let inits = self.codes.iter().enumerate().map(|(i, c)| {
                    let f = &c.ident;
                    let value = match shape.contains(&i).then(|| next.next()).flatten() {
                        Some(b) => {
                            let v = (c.convert)(b);
                            if c.optional { quote!(Some(#v)) } else { v }
                        }
                        None => quote!(None),
                    };
                    quote!(#f: #value,)
                });
                let object_type = self.field.as_ref().map(|f| {
                    let variant = &a.variant;
                    quote!(#f: #variant,)
                });
                arms.push(quote! {
                    (#value, [#(#bindings),*]) => Ok(Self { #object_type #(#inits)* }),
                });
            }
            let expected = self.expected_text(a);
            arms.push(quote! {
                (#value, found) => Err(#error::Shape {
                    object_type: #value.to_owned(),
                    expected: #expected.to_owned(),
                    found: found.len(),
                }),
            });
        }
        let expected = self.object_types_text();
        quote! {
            impl ::std::str::FromStr for #name {
                type Err = #error;

                fn from_str(text: &str) -> Result<Self, Self::Err> {
                    let (object_type, codes) = #split(text)?;
                    match (object_type, codes.as_slice()) {
                        #(#arms)*
                        (other, _) => Err(#error::ObjectType {
                            found: other.to_owned(),
                            expected: #expected.to_owned(),
                        }),
                    }
                }
            }
        }
    }
}

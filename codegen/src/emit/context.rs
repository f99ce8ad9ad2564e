//! What every emitter needs: the Rust names of modules, types and root elements, type paths,
//! and facts about types (floats, `Copy`).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::graph::TypeFacts;
use super::naming;
use crate::error::{Error, Result};
use crate::model::{
    Builtin, ComplexType, Element, Location, Model, OperationSource, QName, SimpleKind, TypeDef,
    TypeRef,
};
use crate::options::Options;

/// A generated module.
pub struct ModuleInfo {
    /// Namespace URI.
    pub uri: String,
    /// Module identifier.
    pub ident: Ident,
}

/// The Rust item a type or root element becomes.
pub struct Item {
    /// Index into [`Ctx::modules`].
    pub module: usize,
    /// Rust name.
    pub name: String,
}

/// Shared state of one emission.
pub struct Ctx<'a> {
    /// The model.
    pub model: &'a Model,
    /// Modules, in namespace order.
    pub modules: Vec<ModuleInfo>,
    /// Path of the support crate, e.g. `::xroad_codec`.
    pub rt: TokenStream,
    /// `crate = "<path>"` for container attributes, when the support crate is not at its
    /// default path.
    pub crate_arg: Option<TokenStream>,
    types: BTreeMap<QName, (Item, &'a TypeDef)>,
    /// Root elements with a generated newtype (anonymous complex types have none).
    elements: BTreeMap<QName, Item>,
    /// Per module: Rust name → description of its owner, for clash detection.
    names: Vec<BTreeMap<String, String>>,
    /// (service name, operation name) → Rust name of the operation's unit struct.
    operations: BTreeMap<(String, String), String>,
    /// Whole-graph facts about the types.
    facts: TypeFacts,
}

/// The default support crate path.
const DEFAULT_RUNTIME: &str = "::xroad_codec";

impl<'a> Ctx<'a> {
    /// Assigns module, type and element names; fails on clashes.
    pub fn new(model: &'a Model, options: &Options) -> Result<Self> {
        let path = options.runtime_path();
        let rt_path: syn::Path = syn::parse_str(path).map_err(|e| {
            Error::Options(format!(
                "runtime crate path `{path}` is not a Rust path: {e}"
            ))
        })?;
        let crate_arg = (path != DEFAULT_RUNTIME).then(|| quote!(crate = #path));
        let mut modules = Vec::new();
        let mut module_names = BTreeSet::new();
        for ns in &model.namespaces {
            let name = naming::field_name(&ns.module);
            if !module_names.insert(name.clone()) {
                return Err(Error::NameClash {
                    location: Location {
                        file: std::sync::Arc::from(model.source.as_path()),
                        line: 1,
                        column: 1,
                    },
                    what: format!("the module of namespace `{}`", ns.uri),
                    rust: name,
                    other: "the module of another namespace".into(),
                });
            }
            modules.push(ModuleInfo {
                uri: ns.uri.clone(),
                ident: naming::ident(&name),
            });
        }
        let mut ctx = Ctx {
            model,
            names: modules.iter().map(|_| BTreeMap::new()).collect(),
            modules,
            rt: quote!(#rt_path),
            crate_arg,
            types: BTreeMap::new(),
            elements: BTreeMap::new(),
            operations: BTreeMap::new(),
            facts: TypeFacts::new(model),
        };
        for def in &model.types {
            let (location, kind) = match def {
                TypeDef::Complex(t) => (&t.location, "complex type"),
                TypeDef::Simple(t) => (&t.location, "simple type"),
            };
            let name = def.name();
            let module = ctx.module_index(&name.namespace, location)?;
            let rust = naming::type_name(&name.local);
            let what = format!("{kind} `{name}`");
            ctx.claim(module, &rust, &what, location)?;
            ctx.types
                .insert(name.clone(), (Item { module, name: rust }, def));
        }
        for element in &model.elements {
            if ctx.is_anonymous_complex(element) {
                continue;
            }
            let module = ctx.module_index(&element.name.namespace, &element.location)?;
            let mut rust = naming::type_name(&element.name.local);
            if ctx.names[module].contains_key(&rust) {
                rust.push_str("Element");
            }
            let what = format!("element `{}`", element.name);
            ctx.claim(module, &rust, &what, &element.location)?;
            ctx.elements
                .insert(element.name.clone(), Item { module, name: rust });
        }
        for service in &model.services {
            let module = ctx.module_index(&service.namespace, &service.location)?;
            let what = |item: &str| format!("{item} of service `{}`", service.name);
            if service.header.is_some() {
                ctx.claim(module, "Header", &what("the header"), &service.location)?;
            }
            ctx.claim(
                module,
                "OperationName",
                &what("the operation enum"),
                &service.location,
            )?;
            for op in &service.operations {
                let at = match &op.source {
                    OperationSource::Wsdl(location) => location,
                    OperationSource::Options => &service.location,
                };
                // A WSDL whose schema shares the WSDL's namespace has elements named like
                // the operations: the operation struct then takes a suffix.
                let mut rust = naming::type_name(&op.name);
                if ctx.names[module].contains_key(&rust) {
                    rust.push_str("Operation");
                }
                ctx.claim(module, &rust, &format!("operation `{}`", op.name), at)?;
                ctx.operations
                    .insert((service.name.clone(), op.name.clone()), rust);
            }
        }
        Ok(ctx)
    }

    /// Rust name of the unit struct of `operation` of `service`.
    pub fn operation_name(&self, service: &str, operation: &str) -> String {
        self.operations
            .get(&(service.to_owned(), operation.to_owned()))
            .cloned()
            .unwrap_or_else(|| naming::type_name(operation))
    }

    /// Records that `rust` in `module` belongs to `what`; fails when it is taken.
    pub fn claim(&mut self, module: usize, rust: &str, what: &str, at: &Location) -> Result<()> {
        let other = if naming::PRELUDE.contains(&rust) {
            Some("the Rust prelude item of that name".to_owned())
        } else {
            self.names[module].get(rust).cloned()
        };
        if let Some(other) = other {
            return Err(Error::NameClash {
                location: at.clone(),
                what: what.to_owned(),
                rust: rust.to_owned(),
                other,
            });
        }
        self.names[module].insert(rust.to_owned(), what.to_owned());
        Ok(())
    }

    /// Whether `element` has an anonymous complex type named after it: that struct is the
    /// root itself and no newtype is generated.
    pub fn is_anonymous_complex(&self, element: &Element) -> bool {
        matches!(&element.ty, TypeRef::Named(q) if *q == element.name
            && matches!(self.type_def(q), Some(TypeDef::Complex(_))))
    }

    /// The module index of namespace `uri`.
    pub fn module_index(&self, uri: &str, at: &Location) -> Result<usize> {
        self.modules
            .iter()
            .position(|m| m.uri == uri)
            .ok_or_else(|| Error::Unresolved {
                location: at.clone(),
                kind: "namespace",
                name: QName::new(uri, ""),
            })
    }

    /// The module a type is generated in.
    pub fn module_of_type(&self, name: &QName) -> Option<usize> {
        self.types.get(name).map(|(item, _)| item.module)
    }

    /// The definition of a named type.
    pub fn type_def(&self, name: &QName) -> Option<&'a TypeDef> {
        self.types.get(name).map(|(_, def)| *def)
    }

    /// The Rust name of a named type.
    pub fn type_name(&self, name: &QName, at: &Location) -> Result<Ident> {
        let (item, _) = self.types.get(name).ok_or_else(|| Error::Unresolved {
            location: at.clone(),
            kind: "type",
            name: name.clone(),
        })?;
        Ok(naming::ident(&item.name))
    }

    /// The Rust name of a root element's newtype, if it has one.
    pub fn element_name(&self, name: &QName) -> Option<Ident> {
        self.elements.get(name).map(|i| naming::ident(&i.name))
    }

    /// Path from `from` to an item in module `module` called `name`.
    fn item_path(&self, from: usize, module: usize, name: &str) -> TokenStream {
        let ident = naming::ident(name);
        if module == from {
            quote!(#ident)
        } else {
            let m = &self.modules[module].ident;
            quote!(super::#m::#ident)
        }
    }

    /// Path from module `from` to the Rust type of root element `name` (its newtype, or the
    /// struct of its anonymous type).
    pub fn element_path(&self, from: usize, name: &QName, at: &Location) -> Result<TokenStream> {
        if let Some(item) = self.elements.get(name) {
            return Ok(self.item_path(from, item.module, &item.name));
        }
        let element = self.model.elements.iter().find(|e| e.name == *name);
        match element {
            Some(e) => self.rust_type(from, &e.ty, at),
            None => Err(Error::Unresolved {
                location: at.clone(),
                kind: "element",
                name: name.clone(),
            }),
        }
    }

    /// The Rust type for `ty`, as seen from module `from`.
    pub fn rust_type(&self, from: usize, ty: &TypeRef, at: &Location) -> Result<TokenStream> {
        Ok(match ty {
            TypeRef::Builtin(b) => builtin_type(*b),
            TypeRef::Named(q) => {
                let (item, _) = self.types.get(q).ok_or_else(|| Error::Unresolved {
                    location: at.clone(),
                    kind: "type",
                    name: q.clone(),
                })?;
                self.item_path(from, item.module, &item.name)
            }
            TypeRef::Extern(path) => {
                let ty: syn::Type = syn::parse_str(path).map_err(|e| {
                    Error::Options(format!(
                        "extern type `{path}` (used at {at}) is not a Rust type: {e}"
                    ))
                })?;
                quote!(#ty)
            }
        })
    }

    /// Whether values of `ty` contain `f32`/`f64` (then `Eq`, `Hash` and `Ord` are not
    /// derivable).
    pub fn has_float(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Builtin(b) => matches!(b, Builtin::Double | Builtin::Float),
            TypeRef::Extern(_) => false,
            TypeRef::Named(q) => self.facts.has_float(q),
        }
    }

    /// Whether the fields of a complex type contain floats.
    pub fn complex_has_float(&self, c: &ComplexType) -> bool {
        self.facts.has_float(&c.name)
    }

    /// Whether a value of complex type `name` holds a value of itself inline, through
    /// elements that occur at most once (a `Vec` breaks the chain).
    pub fn is_recursive_inline(&self, name: &QName) -> bool {
        self.facts.is_recursive_inline(name)
    }

    /// Whether the Rust type of simple type `ty` is `Copy`.
    pub fn is_copy(&self, ty: &TypeRef) -> bool {
        self.is_copy_in(ty, 0)
    }

    fn is_copy_in(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::Builtin(b) => !matches!(b, Builtin::String | Builtin::Base64Binary),
            TypeRef::Extern(_) => false,
            TypeRef::Named(q) => match self.type_def(q) {
                Some(TypeDef::Simple(s)) => match &s.kind {
                    SimpleKind::Enumeration { .. } => true,
                    // A cyclic restriction chain is broken off as "not Copy".
                    SimpleKind::Restriction { base, .. } => {
                        depth < 64 && self.is_copy_in(base, depth + 1)
                    }
                },
                _ => false,
            },
        }
    }

    /// `#[xml(...)]` with `args` plus `crate = ...` when needed; nothing when empty.
    pub fn xml_attr(&self, mut args: Vec<TokenStream>) -> TokenStream {
        if let Some(c) = &self.crate_arg {
            args.push(c.clone());
        }
        if args.is_empty() {
            TokenStream::new()
        } else {
            quote!(#[xml(#(#args),*)])
        }
    }

    /// A path into the support crate, e.g. `rt_path(quote!(xml::XmlRead))`.
    pub fn rt_path(&self, rest: TokenStream) -> TokenStream {
        let rt = &self.rt;
        quote!(#rt::#rest)
    }
}

/// The Rust type of a built-in.
pub fn builtin_type(b: Builtin) -> TokenStream {
    match b {
        Builtin::String => quote!(String),
        Builtin::Boolean => quote!(bool),
        Builtin::Long => quote!(i64),
        Builtin::Int => quote!(i32),
        Builtin::Short => quote!(i16),
        Builtin::Byte => quote!(i8),
        Builtin::UnsignedLong => quote!(u64),
        Builtin::UnsignedInt => quote!(u32),
        Builtin::UnsignedShort => quote!(u16),
        Builtin::UnsignedByte => quote!(u8),
        Builtin::Double => quote!(f64),
        Builtin::Float => quote!(f32),
        Builtin::Base64Binary => quote!(Vec<u8>),
    }
}

//! What every emitter needs: the Rust names of modules, types and root elements, type paths,
//! and facts about types (floats, `Copy`).

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::graph::TypeFacts;
use super::naming;
use crate::error::{Error, Result};
use crate::model::{
    Builtin, ComplexType, Element, Location, Model, QName, Service, SimpleKind, TypeDef, TypeRef,
};
use crate::options::{Emit, Options};

/// A generated module.
pub struct ModuleInfo {
    /// Namespace URI.
    pub uri: String,
    /// Module identifier.
    pub ident: Ident,
    /// The Rust module that holds the namespace's items instead, when they are not generated
    /// ([`Options::extern_namespace`]).
    pub extern_path: Option<TokenStream>,
}

/// The `from` of [`Ctx::item_path`] for code outside every namespace module (the client and
/// server modules, which sit beside them and import the namespace modules they use, see
/// [`Ctx::modules_home`]).
pub const TOP: usize = usize::MAX;

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
    /// Path of the runtime the client and server call, e.g. `::xroad_runtime`.
    pub service_rt: TokenStream,
    /// The crate the types are taken from, when they are not generated.
    pub types_from: Option<TokenStream>,
    /// The shared header type, when it is not generated.
    pub extern_header: Option<TokenStream>,
    /// What is generated.
    pub emit: Emit,
    types: BTreeMap<QName, (Item, &'a TypeDef)>,
    /// Root elements with a generated newtype (anonymous complex types have none).
    elements: BTreeMap<QName, Item>,
    /// Per module: Rust name → description of its owner, for clash detection.
    names: Vec<BTreeMap<String, String>>,
    /// (service name, operation name) → Rust name of the operation's unit struct.
    operations: BTreeMap<(String, String), String>,
    /// Service name → Rust name of its header struct.
    headers: BTreeMap<String, String>,
    /// Service name → Rust name of its `ADDRESS` constant.
    addresses: BTreeMap<String, String>,
    /// Whole-graph facts about the types.
    facts: TypeFacts,
}

/// The default support crate path.
const DEFAULT_RUNTIME: &str = "::xroad_codec";

impl<'a> Ctx<'a> {
    /// Assigns module, type and element names; fails on clashes.
    pub fn new(model: &'a Model, options: &Options) -> Result<Self> {
        let path = options.runtime_path();
        let rt_path = rust_path(path, "runtime crate path")?;
        let crate_arg = (path != DEFAULT_RUNTIME).then(|| quote!(crate = #path));
        let service_rt = rust_path(options.service_runtime_path(), "service runtime path")?;
        let types_from = options
            .types_crate()
            .map(|path| rust_path(path, "crate path of `types_from`"))
            .transpose()?;
        let extern_header = options
            .extern_header_path()
            .map(|path| rust_path(path, "extern header path"))
            .transpose()?;
        let emit = options.emitted();
        if emit.types && types_from.is_some() {
            return Err(Error::Options(
                "the types are taken from another crate (`types_from`), so they cannot be                  emitted too: emit only the client and server"
                    .into(),
            ));
        }
        let file_start = Location {
            file: std::sync::Arc::from(model.source.as_path()),
            line: 1,
            column: 1,
        };
        let mut modules = Vec::new();
        let mut top_names = BTreeMap::new();
        for ns in &model.namespaces {
            let name = naming::field_name(&ns.module);
            let what = format!("the module of namespace `{}`", ns.uri);
            if let Some(other) = top_names.insert(name.clone(), what.clone()) {
                return Err(Error::NameClash {
                    location: file_start.clone(),
                    what,
                    rust: name,
                    other,
                });
            }
            let extern_path = options
                .extern_module(&ns.uri)
                .map(|path| rust_path(path, "extern namespace module"))
                .transpose()?;
            modules.push(ModuleInfo {
                uri: ns.uri.clone(),
                ident: naming::ident(&name),
                extern_path,
            });
        }
        for service in &model.services {
            for (suffix, on) in [("client", emit.client), ("server", emit.server)] {
                if !on || !service.operations.iter().any(|o| o.description.is_some()) {
                    continue;
                }
                let name = format!("{}_{suffix}", naming::field_name(&service.name));
                let what = format!("the {suffix} module of service `{}`", service.name);
                if let Some(other) = top_names.insert(name.clone(), what.clone()) {
                    return Err(Error::NameClash {
                        location: service.location.clone(),
                        what,
                        rust: name,
                        other,
                    });
                }
            }
        }
        let mut ctx = Ctx {
            model,
            names: modules.iter().map(|_| BTreeMap::new()).collect(),
            modules,
            rt: quote!(#rt_path),
            crate_arg,
            service_rt,
            types_from,
            extern_header,
            emit,
            types: BTreeMap::new(),
            elements: BTreeMap::new(),
            operations: BTreeMap::new(),
            headers: BTreeMap::new(),
            addresses: BTreeMap::new(),
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
            if service.address.is_some() {
                let mut rust = "ADDRESS".to_owned();
                if ctx.names[module].contains_key(&rust) {
                    rust = format!(
                        "{}_ADDRESS",
                        naming::field_name(&service.name).to_uppercase()
                    );
                }
                ctx.claim(module, &rust, &what("the address"), &service.location)?;
                ctx.addresses.insert(service.name.clone(), rust);
            }
            if service.header.is_some() && ctx.extern_header.is_none() {
                // Several services of one namespace each have a header of their own.
                let mut rust = "Header".to_owned();
                if ctx.names[module].contains_key(&rust) {
                    rust = format!("{}Header", naming::type_name(&service.name));
                }
                ctx.claim(module, &rust, &what("the header"), &service.location)?;
                ctx.headers.insert(service.name.clone(), rust);
            }
            let described: Vec<_> = service
                .operations
                .iter()
                .filter(|o| o.description.is_some())
                .collect();
            if !described.is_empty() {
                ctx.claim(
                    module,
                    "OperationName",
                    &what("the operation enum"),
                    &service.location,
                )?;
            }
            for op in described {
                let at = op.location(service);
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

    /// Rust name of the `ADDRESS` constant of `service`.
    pub fn address_name(&self, service: &Service) -> String {
        self.addresses
            .get(&service.name)
            .cloned()
            .unwrap_or_else(|| "ADDRESS".to_owned())
    }

    /// Rust name of the header struct of `service`.
    pub fn header_name(&self, service: &Service) -> String {
        self.headers
            .get(&service.name)
            .cloned()
            .unwrap_or_else(|| "Header".to_owned())
    }

    /// Whether a generated item of module `module` is called `rust`.
    pub fn is_taken(&self, module: usize, rust: &str) -> bool {
        self.names.get(module).is_some_and(|n| n.contains_key(rust))
    }

    /// Path from module `from` to the unit struct of `operation` of `service`.
    pub fn operation_path(
        &self,
        from: usize,
        service: &Service,
        operation: &str,
    ) -> Result<TokenStream> {
        let module = self.module_index(&service.namespace, &service.location)?;
        Ok(self.item_path(from, module, &self.operation_name(&service.name, operation)))
    }

    /// Path from module `from` to the header type of `service`, `()` when it has none.
    pub fn header_path(&self, from: usize, service: &Service) -> Result<TokenStream> {
        if service.header.is_none() {
            return Ok(quote!(()));
        }
        if let Some(path) = &self.extern_header {
            return Ok(path.clone());
        }
        let module = self.module_index(&service.namespace, &service.location)?;
        Ok(self.item_path(from, module, &self.header_name(service)))
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

    /// Path from `from` (a module index, or [`TOP`]) to an item in module `module` called
    /// `name`: through the extern module or the crate of `types_from` when the item is not
    /// generated here.
    pub fn item_path(&self, from: usize, module: usize, name: &str) -> TokenStream {
        let ident = naming::ident(name);
        let info = &self.modules[module];
        if let Some(path) = &info.extern_path {
            return quote!(#path::#ident);
        }
        let m = &info.ident;
        match &self.types_from {
            _ if from == TOP => quote!(#m::#ident),
            Some(krate) => quote!(#krate::#m::#ident),
            None if module == from => quote!(#ident),
            None => quote!(super::#m::#ident),
        }
    }

    /// Where code at [`TOP`] imports the namespace modules from: `super`, or the crate of
    /// `types_from`.
    pub fn modules_home(&self) -> TokenStream {
        match &self.types_from {
            Some(krate) => krate.clone(),
            None => quote!(super),
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
            TypeRef::Builtin(b) => builtin_type(*b, &self.rt),
            TypeRef::Named(q) | TypeRef::Group(q) => {
                let (item, _) = self.types.get(q).ok_or_else(|| Error::Unresolved {
                    location: at.clone(),
                    kind: "type",
                    name: q.clone(),
                })?;
                self.item_path(from, item.module, &item.name)
            }
            TypeRef::AnyType => self.rt_path(quote!(xml::AnyContent)),
            TypeRef::Wildcard(_) => self.rt_path(quote!(xml::AnyElement)),
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
            TypeRef::Extern(_) | TypeRef::AnyType | TypeRef::Wildcard(_) => false,
            TypeRef::Named(q) | TypeRef::Group(q) => self.facts.has_float(q),
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
            TypeRef::Builtin(b) => b.is_copy(),
            TypeRef::Extern(_) | TypeRef::AnyType | TypeRef::Wildcard(_) | TypeRef::Group(_) => {
                false
            }
            TypeRef::Named(q) => match self.type_def(q) {
                Some(TypeDef::Simple(s)) => match &s.kind {
                    SimpleKind::Enumeration { .. } => true,
                    // A cyclic restriction chain is broken off as "not Copy".
                    SimpleKind::Restriction { base, .. } => {
                        depth < 64 && self.is_copy_in(base, depth + 1)
                    }
                    SimpleKind::List { .. } => false,
                    SimpleKind::Union { members } => {
                        depth < 64 && members.iter().all(|m| self.is_copy_in(m, depth + 1))
                    }
                },
                _ => false,
            },
        }
    }

    /// Checks that a pattern of the schema at `at` can be matched by generated code.
    pub fn check_pattern(&self, pattern: &str, at: &Location) -> Result<()> {
        xroad_codec::xsd::check_pattern(pattern).map_err(|hint| Error::Unsupported {
            location: at.clone(),
            construct: format!("xs:pattern `{pattern}`"),
            hint,
        })
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

/// Parses a Rust path given in the options; `what` names it in the error.
fn rust_path(path: &str, what: &str) -> Result<TokenStream> {
    let parsed: syn::Path = syn::parse_str(path)
        .map_err(|e| Error::Options(format!("{what} `{path}` is not a Rust path: {e}")))?;
    Ok(quote!(#parsed))
}

/// The Rust type of a built-in; `rt` is the path of the support crate.
pub fn builtin_type(b: Builtin, rt: &TokenStream) -> TokenStream {
    let xsd = |name: TokenStream| quote!(#rt::xsd::#name);
    match b {
        Builtin::String => quote!(String),
        Builtin::NormalizedString => xsd(quote!(NormalizedString)),
        Builtin::Token => xsd(quote!(Token)),
        Builtin::Language => xsd(quote!(Language)),
        Builtin::Name => xsd(quote!(Name)),
        Builtin::NcName => xsd(quote!(NcName)),
        Builtin::NmToken => xsd(quote!(NmToken)),
        Builtin::NmTokens => xsd(quote!(List<#rt::xsd::NmToken>)),
        Builtin::Id => xsd(quote!(Id)),
        Builtin::IdRef => xsd(quote!(IdRef)),
        Builtin::IdRefs => xsd(quote!(List<#rt::xsd::IdRef>)),
        Builtin::Entity => xsd(quote!(Entity)),
        Builtin::Entities => xsd(quote!(List<#rt::xsd::Entity>)),
        Builtin::AnyUri => xsd(quote!(AnyUri)),
        Builtin::QName => xsd(quote!(QName)),
        Builtin::Boolean => quote!(bool),
        Builtin::Decimal => xsd(quote!(Decimal)),
        Builtin::Long => quote!(i64),
        Builtin::Int => quote!(i32),
        Builtin::Short => quote!(i16),
        Builtin::Byte => quote!(i8),
        Builtin::UnsignedLong => quote!(u64),
        Builtin::PositiveInteger => quote!(::std::num::NonZeroU64),
        Builtin::NegativeInteger => xsd(quote!(NegativeInteger)),
        Builtin::NonPositiveInteger => xsd(quote!(NonPositiveInteger)),
        Builtin::UnsignedInt => quote!(u32),
        Builtin::UnsignedShort => quote!(u16),
        Builtin::UnsignedByte => quote!(u8),
        Builtin::Double => quote!(f64),
        Builtin::Float => quote!(f32),
        Builtin::Base64Binary => quote!(Vec<u8>),
        Builtin::HexBinary => xsd(quote!(HexBinary)),
        Builtin::DateTime => xsd(quote!(DateTime)),
        Builtin::Date => xsd(quote!(Date)),
        Builtin::Time => xsd(quote!(Time)),
        Builtin::Duration => xsd(quote!(Duration)),
    }
}

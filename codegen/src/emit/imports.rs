//! `use` declarations for generated modules, so that the code names `Operation` rather than
//! `::xroad_codec::operation::Operation` — except where a generated item of the module has
//! the same name, which then keeps the full path.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::naming;

/// The imports of one module, collected while its code is emitted.
pub struct Imports<'t> {
    /// Whether a generated item of the module is called this.
    taken: Box<dyn Fn(&str) -> bool + 't>,
    /// Module path (as text, for order) → (path, names).
    used: BTreeMap<String, (TokenStream, Vec<String>)>,
}

impl<'t> Imports<'t> {
    /// Imports for a module whose own items are those `taken` accepts.
    pub fn new(taken: impl Fn(&str) -> bool + 't) -> Self {
        Self {
            taken: Box::new(taken),
            used: BTreeMap::new(),
        }
    }

    /// `name` of module `path`: the bare name, imported, or the full path when the module has
    /// an item of that name.
    pub fn name(&mut self, path: &TokenStream, name: &str) -> TokenStream {
        let ident = naming::ident(name);
        if (self.taken)(name) {
            return quote!(#path::#ident);
        }
        let (_, names) = self
            .used
            .entry(path.to_string())
            .or_insert_with(|| (path.clone(), Vec::new()));
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        quote!(#ident)
    }

    /// The `use` declarations, one per module path, names sorted.
    pub fn uses(&self) -> TokenStream {
        let uses = self.used.values().map(|(path, names)| {
            let mut names = names.clone();
            names.sort();
            let idents = names.iter().map(|n| naming::ident(n));
            if names.len() == 1 {
                quote!(use #path::#(#idents)*;)
            } else {
                quote!(use #path::{#(#idents),*};)
            }
        });
        quote!(#(#uses)*)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_unless_taken() {
        let mut imports = Imports::new(|name| name == "Signer");
        let path = quote!(::xroad_codec::operation);
        assert_eq!(imports.name(&path, "Operation").to_string(), "Operation");
        assert_eq!(imports.name(&path, "Endpoint").to_string(), "Endpoint");
        assert_eq!(imports.name(&path, "Operation").to_string(), "Operation");
        assert_eq!(
            imports.name(&path, "Signer").to_string(),
            quote!(::xroad_codec::operation::Signer).to_string()
        );
        let std = quote!(::std::sync);
        imports.name(&std, "Arc");
        assert_eq!(
            imports.uses().to_string(),
            quote!(
                use ::std::sync::Arc;
                use ::xroad_codec::operation::{Endpoint, Operation};
            )
            .to_string()
        );
    }
}

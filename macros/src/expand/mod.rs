//! Code generation for each derive, from the checked model of `validate`.

pub mod group;
pub mod read;
pub mod text;
pub mod write;

/// The generics with `bound` added to every type parameter, as the standard derives do.
pub fn bounded(generics: &syn::Generics, bound: &syn::Path) -> syn::Generics {
    let mut generics = generics.clone();
    for param in generics.type_params_mut() {
        param
            .bounds
            .push(syn::TypeParamBound::Trait(syn::TraitBound {
                paren_token: None,
                modifier: syn::TraitBoundModifier::None,
                lifetimes: None,
                path: bound.clone(),
            }));
    }
    generics
}

//! X-Road identifier semantics for complex types derived from the identifier base type.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{
    ComplexType, Content, Identifier, IdentifierShape, QName, SimpleKind, TypeDef, TypeRef,
};
use crate::options::identifier_shapes;

/// Object types in the order used when the object type attribute is not an enumeration.
const OBJECT_TYPES: &[&str] = &[
    "MEMBER",
    "SUBSYSTEM",
    "SERVER",
    "SERVICE",
    "GLOBALGROUP",
    "LOCALGROUP",
];

/// Sets [`ComplexType::identifier`] on `base` and every complex type derived from it.
pub(crate) fn apply(types: &mut [TypeDef], base: &QName) -> Result<()> {
    let bases: HashMap<QName, QName> = types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Complex(c) => c.base.as_ref().map(|d| (c.name.clone(), d.base.clone())),
            TypeDef::Simple(_) => None,
        })
        .collect();
    let enumerations: HashMap<QName, Vec<String>> = types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Simple(s) => match &s.kind {
                SimpleKind::Enumeration { values, .. } => Some((
                    s.name.clone(),
                    values.iter().map(|v| v.value.clone()).collect(),
                )),
                SimpleKind::Restriction { .. }
                | SimpleKind::List { .. }
                | SimpleKind::Union { .. } => None,
            },
            TypeDef::Complex(_) => None,
        })
        .collect();
    for t in types.iter_mut() {
        if let TypeDef::Complex(c) = t
            && derives(&c.name, base, &bases)
        {
            c.identifier = Some(identifier(c, &enumerations)?);
        }
    }
    Ok(())
}

fn derives(name: &QName, base: &QName, bases: &HashMap<QName, QName>) -> bool {
    let mut current = name;
    for _ in 0..=bases.len() {
        if current == base {
            return true;
        }
        match bases.get(current) {
            Some(next) => current = next,
            None => return false,
        }
    }
    false
}

fn identifier(c: &ComplexType, enumerations: &HashMap<QName, Vec<String>>) -> Result<Identifier> {
    let Some(attribute) = c.attributes.iter().find(|a| a.name.local == "objectType") else {
        return Err(Error::Unexpected {
            location: c.location.clone(),
            expected: format!("an `objectType` attribute on identifier type `{}`", c.name),
            found: "none".to_owned(),
        });
    };
    let allowed: Vec<String> = match (&attribute.fixed, &attribute.ty) {
        (Some(fixed), _) => vec![fixed.clone()],
        (None, TypeRef::Named(ty)) if enumerations.contains_key(ty) => {
            enumerations.get(ty).cloned().unwrap_or_default()
        }
        _ => OBJECT_TYPES.iter().map(|s| (*s).to_owned()).collect(),
    };
    let fields: Vec<(&str, bool)> = match &c.content {
        Content::Sequence(fields) => fields
            .iter()
            .map(|f| (f.name.local.as_str(), f.min_occurs >= 1))
            .collect(),
        Content::Empty | Content::Simple(_) | Content::Mixed | Content::Choice(_) => Vec::new(),
    };
    let position = |code: &str| fields.iter().position(|(name, _)| *name == code);
    let mut shapes = Vec::new();
    for object_type in &allowed {
        for shape in identifier_shapes(object_type) {
            let all_present = shape.iter().all(|code| position(code).is_some());
            let required_covered = fields
                .iter()
                .filter(|(_, required)| *required)
                .all(|(name, _)| shape.contains(name));
            if all_present && required_covered {
                let mut codes: Vec<&str> = shape;
                codes.sort_by_key(|code| position(code));
                shapes.push(IdentifierShape {
                    object_type: object_type.clone(),
                    codes: codes.into_iter().map(str::to_owned).collect(),
                });
            }
        }
    }
    Ok(Identifier {
        object_type_attribute: attribute.name.clone(),
        fixed: attribute.fixed.clone(),
        shapes,
    })
}

//! Reading WSDL 1.1 and XML Schema into the [`crate::model`].
//!
//! [`parse_str`] parses the document with roxmltree, reads the embedded `xs:schema`s into raw
//! declarations (`schema`) and the WSDL components (`wsdl`), then resolves them: types
//! and elements (`types`), identifier semantics (`identifier`), services and operations
//! (`services`) and namespaces (`namespaces`), and applies the X-Road profile of the options:
//! header elements and operation descriptions (`profile`). Elements are recognised by
//! namespace URI, never by prefix.

mod builtin;
mod doc;
mod identifier;
mod location;
mod namespaces;
mod ns;
mod profile;
mod qname;
mod raw;
mod schema;
mod services;
mod types;
mod wsdl;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::{Model, QName};
use crate::options::Options;

#[cfg(test)]
pub(crate) use profile::layout;

use location::{Source, parse_xml};
use raw::Declarations;
use schema::Loader;
use types::{Index, Resolver};

/// Reads and parses the WSDL file at `path`; [`Error::Read`] when it cannot be read.
pub fn parse_file(path: &Path, options: &Options) -> Result<Model> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_str(path, &text, options)
}

/// Parses WSDL text; `path` names the file in locations and is the base for schema locations.
pub fn parse_str(path: &Path, text: &str, options: &Options) -> Result<Model> {
    let doc = parse_xml(path, text)?;
    let src = Source::new(path, &doc);
    let mut decls = Declarations::default();
    let mut loader = Loader {
        base_dir: schema::base_dir(path),
        embedded: Vec::new(),
        loaded: HashSet::new(),
    };
    let wsdl = wsdl::read_definitions(&src, doc.root_element(), &mut decls, &mut loader)?;

    let mut resolver = Resolver::new(Index::new(&decls)?, options);
    let mut types = resolver.types(&decls)?;
    if let Some(base) = options.identifier_base_type() {
        identifier::apply(&mut types, base)?;
    }

    // Global elements referenced by message parts, in schema order.
    let mut referenced: HashMap<QName, usize> = HashMap::new();
    let mut elements = Vec::new();
    for part in wsdl.messages.iter().flat_map(|m| &m.parts) {
        if !referenced.contains_key(&part.element.name) {
            let element = resolver.element(&part.element)?;
            referenced.insert(part.element.name.clone(), elements.len());
            elements.push(element);
        }
    }
    let services = services::services(&wsdl, resolver.index(), options, &elements)?;
    for op in services.iter().flat_map(|s| &s.operations) {
        for name in [&op.input, &op.output] {
            if !referenced.contains_key(name) {
                let r = qname::Ref {
                    name: name.clone(),
                    location: src.at(doc.root_element()),
                };
                referenced.insert(name.clone(), elements.len());
                elements.push(resolver.element(&r)?);
            }
        }
    }
    let order: HashMap<&QName, usize> = decls
        .elements
        .iter()
        .enumerate()
        .map(|(i, e)| (&e.name, i))
        .collect();
    elements.sort_by_key(|e| order.get(&e.name).copied().unwrap_or(usize::MAX));

    let mut uris = decls.namespaces.clone();
    uris.push(wsdl.target.clone());
    let mut model = Model {
        source: path.to_path_buf(),
        namespaces: namespaces::namespaces(&uris, &doc, options),
        types,
        elements,
        services,
    };
    profile::apply(&mut model, options)?;
    Ok(model)
}

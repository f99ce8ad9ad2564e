//! Reading WSDL 1.1 and XML Schema into the [`crate::model`].
//!
//! [`parse_inputs`] parses each input (a WSDL or a schema) with roxmltree, reads the schemas
//! into raw declarations (`schema`) and the WSDL components (`wsdl`), loading what they import
//! and include (found by `loader`, with the catalogs of the options, and read with
//! `document`), then resolves them: types
//! and elements (`types`), identifier semantics (`identifier`), services and operations
//! (`services`) and namespaces (`namespaces`), and applies the X-Road profile of the options:
//! header elements and operation descriptions (`profile`). Elements are recognised by
//! namespace URI, never by prefix.

mod builtin;
mod catalog;
mod doc;
mod document;
mod identifier;
mod loader;
mod location;
mod namespaces;
mod ns;
mod profile;
mod qname;
mod raw;
mod rpc;
mod schema;
mod services;
mod types;
mod wsdl;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::{Model, QName};
use crate::options::Options;

#[cfg(test)]
pub(crate) use profile::layout;

use document::parse_xml;
use loader::Loader;
use location::Source;
use raw::Declarations;
use types::{Index, Resolver};
use wsdl::Wsdl;

/// Reads and parses the WSDL or schema file at `path`; [`Error::Read`] when it cannot be
/// read.
pub fn parse_file(path: &Path, options: &Options) -> Result<Model> {
    parse_files(&[path.to_path_buf()], options)
}

/// Reads and parses several WSDL and schema files into one model, in which they share their
/// types.
pub fn parse_files(paths: &[PathBuf], options: &Options) -> Result<Model> {
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        texts.push(std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?);
    }
    let inputs: Vec<(&Path, &str)> = paths
        .iter()
        .map(PathBuf::as_path)
        .zip(texts.iter().map(String::as_str))
        .collect();
    parse_inputs(&inputs, options)
}

/// Parses WSDL or schema text; `path` names the file in locations and is the base for
/// relative locations.
pub fn parse_str(path: &Path, text: &str, options: &Options) -> Result<Model> {
    parse_inputs(&[(path, text)], options)
}

/// Parses `(path, text)` inputs, each a WSDL (`wsdl:definitions`) or a schema (`xs:schema`),
/// into one model.
pub fn parse_inputs(inputs: &[(&Path, &str)], options: &Options) -> Result<Model> {
    let Some((first, _)) = inputs.first() else {
        return Err(Error::Options(
            "no input file: give a WSDL or schema file".into(),
        ));
    };
    let mut docs = Vec::with_capacity(inputs.len());
    for (path, text) in inputs {
        docs.push(parse_xml(path, text)?);
    }
    let mut loader = Loader::new(options)?;
    for ((path, _), doc) in inputs.iter().zip(&docs) {
        loader.register_input(path, doc);
    }
    let mut decls = Declarations::default();
    let mut wsdl = Wsdl::default();
    let mut has_wsdl = false;
    for ((path, _), doc) in inputs.iter().zip(&docs) {
        let src = Source::new(path, doc);
        loader.record_prefixes(doc);
        let root = doc.root_element();
        if ns::is(root, ns::XS, "schema") {
            schema::read_schema(&src, root, &mut decls, &mut loader, true)?;
        } else if ns::is(root, ns::WSDL, "definitions") {
            wsdl.merge(wsdl::read_definitions(&src, root, &mut decls, &mut loader)?);
            has_wsdl = true;
        } else {
            return Err(src.unexpected(root, "<wsdl:definitions> or <xs:schema>"));
        }
    }
    // `xml:lang` and its kin may be used without an import: the prefix is bound by
    // definition, and so is the namespace's schema.
    if decls.refers_to(ns::XML) {
        schema::load_xml_schema(&mut decls, &mut loader)?;
    }

    rpc::declare_wrappers(&wsdl, &mut decls);
    let mut resolver = Resolver::new(Index::new(&decls)?, options);
    let mut types = resolver.types(&decls)?;
    if let Some(base) = options.identifier_base_type() {
        identifier::apply(&mut types, base)?;
    }

    // Global elements referenced by message parts, and those of the schemas given as inputs,
    // in schema order.
    let mut referenced: HashMap<QName, usize> = HashMap::new();
    let mut elements = Vec::new();
    let root_refs = decls.roots.iter().filter_map(|name| {
        decls
            .elements
            .iter()
            .find(|e| e.name == *name)
            .map(|e| qname::Ref {
                name: e.name.clone(),
                location: e.location.clone(),
            })
    });
    let part_refs: Vec<qname::Ref> = wsdl
        .messages
        .iter()
        .flat_map(|m| &m.parts)
        .filter_map(|p| p.element().cloned())
        .collect();
    for r in part_refs.into_iter().chain(root_refs) {
        if !referenced.contains_key(&r.name) {
            let element = resolver.element(&r)?;
            referenced.insert(r.name.clone(), elements.len());
            elements.push(element);
        }
    }
    let (services, skipped) = services::services(&wsdl, resolver.index(), options, &elements)?;
    for op in services.iter().flat_map(|s| &s.operations) {
        for name in [&op.input, &op.output] {
            if !referenced.contains_key(name) {
                let r = qname::Ref {
                    name: name.clone(),
                    location: Source::new(first, &docs[0]).at(docs[0].root_element()),
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
    if has_wsdl {
        uris.extend(wsdl.targets.iter().cloned());
    }
    let mut model = Model {
        source: first.to_path_buf(),
        inputs: inputs.iter().map(|(p, _)| p.to_path_buf()).collect(),
        namespaces: namespaces::namespaces(&uris, |uri| loader.prefix(uri), options),
        types,
        elements,
        services,
        skipped: decls.unchecked.iter().cloned().chain(skipped).collect(),
    };
    profile::apply(&mut model, options)?;
    Ok(model)
}

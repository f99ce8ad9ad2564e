//! Finding the documents a run needs beyond its inputs: `xs:import`, `xs:include`
//! (chameleon included), `wsdl:import`, and the built-in schema of the XML namespace. The
//! readers (`schema`, `wsdl`) ask the [`Loader`] where a document is and whether it is still
//! to be read, and read it themselves.
//!
//! A relative location is resolved against the folder of the file that names it; a remote
//! one (any URL but `file:`) only through the [`Catalog`] of the options, which is also asked
//! for the namespace name of an import without a location. An import of a namespace whose
//! schema is already present is skipped, as Xerces and libxml2 do; a file is included at most
//! once per including namespace.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use roxmltree::{Document, Node};

use super::catalog::Catalog;
use super::location::Source;
use super::ns::{self, WSDL, XML, XS, target_namespace};
use crate::error::{Error, Result};
use crate::options::Options;

/// The schema of the XML namespace (`xml:lang`, `xml:space`, `xml:base`, `xml:id` and the
/// `xml:specialAttrs` group), as W3C publishes it, without its documentation.
const XML_SCHEMA: &str = include_str!("xml.xsd");
/// The name the built-in XML namespace schema has in locations.
const XML_SCHEMA_NAME: &str = "xml.xsd (built in)";

/// Where a location leads.
pub(crate) enum Target {
    /// A local file.
    File(PathBuf),
    /// The built-in schema of the XML namespace.
    XmlSchema,
}

/// The state of the loading of one run.
pub(crate) struct Loader {
    catalog: Option<Catalog>,
    /// Files read, with the namespace they were included into (none for imports and
    /// inputs).
    files: HashSet<(PathBuf, Option<String>)>,
    /// Namespaces whose schema is present: embedded, given as inputs, or imported.
    namespaces: HashSet<String>,
    /// `(namespace, prefix)`: the first prefix each document binds to a namespace, documents
    /// in the order they are read.
    prefixes: Vec<(String, String)>,
}

impl Loader {
    /// A loader with the catalogs of `options`.
    pub fn new(options: &Options) -> Result<Self> {
        let mut catalog: Option<Catalog> = None;
        for path in options.catalogs() {
            let loaded = Catalog::load(path)?;
            match &mut catalog {
                Some(first) => first.chain(loaded),
                None => catalog = Some(loaded),
            }
        }
        Ok(Self {
            catalog,
            files: HashSet::new(),
            namespaces: HashSet::new(),
            prefixes: Vec::new(),
        })
    }

    /// Marks the schemas of an input document as present, so that imports of their
    /// namespaces do not load them again, and its file as read.
    pub fn register_input(&mut self, path: &Path, doc: &Document) {
        self.files.insert((canonical(path), None));
        let root = doc.root_element();
        if ns::is(root, XS, "schema") {
            self.namespaces.insert(target_namespace(root));
        } else if ns::is(root, WSDL, "definitions") {
            let schemas = ns::children(root)
                .filter(|n| ns::is(*n, WSDL, "types"))
                .flat_map(ns::children)
                .filter(|n| ns::is(*n, XS, "schema"));
            for schema in schemas {
                self.namespaces.insert(target_namespace(schema));
            }
        }
    }

    /// Marks the schema of `namespace` as present.
    pub fn add_namespace(&mut self, namespace: String) {
        self.namespaces.insert(namespace);
    }

    /// Records the prefixes `doc` binds, for writing XML with the usual prefixes.
    pub fn record_prefixes(&mut self, doc: &Document) {
        for node in doc.descendants().filter(Node::is_element) {
            for binding in node.namespaces() {
                let Some(prefix) = binding.name().filter(|p| !p.is_empty() && *p != "xml") else {
                    continue;
                };
                if !self.prefixes.iter().any(|(uri, _)| uri == binding.uri()) {
                    self.prefixes
                        .push((binding.uri().to_owned(), prefix.to_owned()));
                }
            }
        }
    }

    /// The first prefix bound to `uri` in the documents read.
    pub fn prefix(&self, uri: &str) -> Option<String> {
        self.prefixes
            .iter()
            .find(|(u, _)| u == uri)
            .map(|(_, p)| p.clone())
    }

    /// `xs:import` (`node` of `src`): where the schema of the imported namespace is, unless
    /// it is present or read already, or nothing says where (references into the namespace
    /// are then reported as unresolved where they stand). From then on the namespace counts
    /// as present.
    pub fn import(&mut self, src: &Source, node: Node) -> Result<Option<Target>> {
        let namespace = node.attribute("namespace").unwrap_or("");
        if self.namespaces.contains(namespace) {
            return Ok(None);
        }
        let target = if namespace == XML {
            Target::XmlSchema
        } else {
            match node.attribute("schemaLocation") {
                Some(location) => self.locate(src, node, "schemaLocation", location)?,
                None => match self.catalog.as_ref().and_then(|c| c.resolve(namespace)) {
                    Some(file) => Target::File(file),
                    None => return Ok(None),
                },
            }
        };
        self.namespaces.insert(namespace.to_owned());
        if let Target::File(path) = &target
            && !self.files.insert((canonical(path), None))
        {
            return Ok(None);
        }
        Ok(Some(target))
    }

    /// `xs:include` or `xs:redefine` (`node` of `src`) into a schema of namespace `target`:
    /// the file to read, unless it was included into that namespace already or is the
    /// built-in XML schema.
    pub fn include(&mut self, src: &Source, node: Node, target: &str) -> Result<Option<PathBuf>> {
        let Some(location) = node.attribute("schemaLocation") else {
            return Err(src.unexpected(node, "attribute `schemaLocation`"));
        };
        let path = match self.locate(src, node, "schemaLocation", location)? {
            Target::File(path) => path,
            Target::XmlSchema => return Ok(None),
        };
        Ok(self
            .files
            .insert((canonical(&path), Some(target.to_owned())))
            .then_some(path))
    }

    /// `wsdl:import` (`node` of `src`): the file to read, unless it was read already or is
    /// the built-in XML schema.
    pub fn wsdl_import(&mut self, src: &Source, node: Node) -> Result<Option<PathBuf>> {
        let Some(location) = node.attribute("location") else {
            return Err(src.unexpected(node, "attribute `location`"));
        };
        let path = match self.locate(src, node, "location", location)? {
            Target::File(path) => path,
            Target::XmlSchema => return Ok(None),
        };
        Ok(self.files.insert((canonical(&path), None)).then_some(path))
    }

    /// The built-in schema of the XML namespace, its name in locations and its text, unless
    /// it was read already. From then on the namespace counts as present.
    pub fn xml_schema(&mut self) -> Option<(&'static Path, &'static str)> {
        if !self.files.insert((PathBuf::from(XML_SCHEMA_NAME), None)) {
            return None;
        }
        self.namespaces.insert(XML.to_owned());
        Some((Path::new(XML_SCHEMA_NAME), XML_SCHEMA))
    }

    /// Where `location` (attribute `attr` of `node`) leads: relative to the folder of the
    /// file that names it, or through the catalog for a remote location.
    fn locate(&self, src: &Source, node: Node, attr: &str, location: &str) -> Result<Target> {
        let location = location.trim();
        let Some(scheme) = scheme(location) else {
            let base = src.file.parent().unwrap_or(Path::new(""));
            return Ok(Target::File(base.join(location)));
        };
        if scheme.eq_ignore_ascii_case("file") {
            let path = location
                .strip_prefix("file://")
                .or_else(|| location.strip_prefix("file:"))
                .unwrap_or(location);
            return Ok(Target::File(PathBuf::from(path)));
        }
        match self.catalog.as_ref().and_then(|c| c.resolve(location)) {
            Some(file) => Ok(Target::File(file)),
            None => Err(Error::Remote {
                location: src.attr_at(node, attr),
                uri: location.to_owned(),
                catalog: self.catalog.is_some(),
            }),
        }
    }
}

/// The URL scheme of `location`, if it has one (a drive letter is none).
fn scheme(location: &str) -> Option<&str> {
    let (scheme, _) = location.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (scheme.len() > 1
        && first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// `path` made absolute and free of `..` when the file exists, for recognising a file named
/// two ways.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::scheme;
    use crate::error::Error;
    use crate::model::{Content, Model, QName, TypeDef, TypeRef};
    use crate::options::Options;
    use crate::parse::{parse_file, parse_files};

    const XS: &str = r#"xmlns:xs="http://www.w3.org/2001/XMLSchema""#;

    /// Writes `files` (relative path, content) into a new folder.
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    fn schema(target: &str, body: &str) -> String {
        let tns = if target.is_empty() {
            String::new()
        } else {
            format!(r#" targetNamespace="{target}" xmlns:t="{target}""#)
        };
        format!(r#"<xs:schema {XS}{tns} elementFormDefault="qualified">{body}</xs:schema>"#)
    }

    fn type_names(model: &Model) -> Vec<String> {
        model.types.iter().map(|t| t.name().to_string()).collect()
    }

    fn field_type(model: &Model, ty: &QName, field: &str) -> TypeRef {
        let Some(TypeDef::Complex(c)) = model.types.iter().find(|t| t.name() == ty) else {
            panic!("no complex type {ty}")
        };
        let Content::Sequence(fields) = &c.content else {
            panic!("{ty} has no sequence")
        };
        fields
            .iter()
            .find(|f| f.name.local == field)
            .map(|f| f.ty.clone())
            .unwrap_or_else(|| panic!("{ty} has no {field}"))
    }

    #[test]
    fn tells_urls_from_paths() {
        assert_eq!(scheme("http://x-road.eu/xsd/xroad.xsd"), Some("http"));
        assert_eq!(scheme("file:///tmp/a.xsd"), Some("file"));
        assert_eq!(scheme("urn:x"), Some("urn"));
        assert_eq!(scheme("xsd/xroad.xsd"), None);
        assert_eq!(scheme("../a:b.xsd"), None);
        assert_eq!(scheme("C:\\schemas\\a.xsd"), None);
    }

    #[test]
    fn a_relative_location_is_relative_to_the_file_that_names_it() {
        let dir = folder(&[
            (
                "main.xsd",
                &schema(
                    "urn:main",
                    r#"<xs:import namespace="urn:a" schemaLocation="lib/a.xsd"/>
                       <xs:element name="root" type="a:A" xmlns:a="urn:a"/>"#,
                ),
            ),
            (
                "lib/a.xsd",
                &schema(
                    "urn:a",
                    r#"<xs:import namespace="urn:b" schemaLocation="b.xsd"/>
                       <xs:complexType name="A"><xs:sequence>
                         <xs:element name="b" type="b:B" xmlns:b="urn:b"/>
                       </xs:sequence></xs:complexType>"#,
                ),
            ),
            (
                "lib/b.xsd",
                &schema(
                    "urn:b",
                    r#"<xs:simpleType name="B"><xs:restriction base="xs:string"/></xs:simpleType>"#,
                ),
            ),
        ]);
        let model = parse_file(&dir.path().join("main.xsd"), &Options::bare()).expect("parses");
        assert_eq!(type_names(&model), ["{urn:b}B", "{urn:a}A"]);
        assert_eq!(model.elements[0].name, QName::new("urn:main", "root"));
    }

    #[test]
    fn a_catalog_maps_remote_locations_and_namespace_names() {
        let dir = folder(&[
            (
                "main.xsd",
                &schema(
                    "urn:main",
                    r#"<xs:import namespace="urn:a" schemaLocation="http://example.com/a.xsd"/>
                       <xs:import namespace="urn:b"/>
                       <xs:complexType name="M"><xs:sequence>
                         <xs:element name="a" type="a:A" xmlns:a="urn:a"/>
                         <xs:element name="b" type="b:B" xmlns:b="urn:b"/>
                       </xs:sequence></xs:complexType>"#,
                ),
            ),
            (
                "copies/a.xsd",
                &schema(
                    "urn:a",
                    r#"<xs:simpleType name="A"><xs:restriction base="xs:int"/></xs:simpleType>"#,
                ),
            ),
            (
                "copies/b.xsd",
                &schema(
                    "urn:b",
                    r#"<xs:simpleType name="B"><xs:restriction base="xs:int"/></xs:simpleType>"#,
                ),
            ),
            (
                "catalog.xml",
                r#"<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
                     <system systemId="http://example.com/a.xsd" uri="copies/a.xsd"/>
                     <uri name="urn:b" uri="copies/b.xsd"/>
                   </catalog>"#,
            ),
        ]);
        let main = dir.path().join("main.xsd");
        let error = parse_file(&main, &Options::bare()).expect_err("remote without catalog");
        assert!(
            matches!(error, Error::Remote { catalog: false, .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("main.xsd:1:"), "{message}");
        assert!(message.contains("`http://example.com/a.xsd`"), "{message}");
        assert!(message.contains("--catalog FILE"), "{message}");

        let mut options = Options::bare();
        options.catalog(dir.path().join("catalog.xml"));
        let model = parse_file(&main, &options).expect("parses with the catalog");
        assert_eq!(type_names(&model), ["{urn:a}A", "{urn:b}B", "{urn:main}M"]);
    }

    #[test]
    fn a_chameleon_include_takes_the_including_namespace() {
        let dir = folder(&[
            (
                "main.xsd",
                &schema(
                    "urn:main",
                    r#"<xs:include schemaLocation="parts/common.xsd"/>
                       <xs:element name="root" type="t:Common"/>"#,
                ),
            ),
            (
                "parts/common.xsd",
                &schema(
                    "",
                    r#"<xs:complexType name="Common"><xs:sequence>
                         <xs:element name="code" type="Code"/>
                       </xs:sequence></xs:complexType>
                       <xs:simpleType name="Code"><xs:restriction base="xs:string"/></xs:simpleType>"#,
                ),
            ),
        ]);
        let model = parse_file(&dir.path().join("main.xsd"), &Options::bare()).expect("parses");
        assert_eq!(type_names(&model), ["{urn:main}Common", "{urn:main}Code"]);
        let common = QName::new("urn:main", "Common");
        assert_eq!(
            field_type(&model, &common, "code"),
            TypeRef::Named(QName::new("urn:main", "Code"))
        );
    }

    #[test]
    fn an_include_of_another_namespace_is_refused() {
        let dir = folder(&[
            (
                "main.xsd",
                &schema("urn:main", r#"<xs:include schemaLocation="other.xsd"/>"#),
            ),
            ("other.xsd", &schema("urn:other", "")),
        ]);
        let error = parse_file(&dir.path().join("main.xsd"), &Options::bare()).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("other.xsd:1:"), "{message}");
        assert!(message.contains("`urn:main` or none"), "{message}");
        assert!(message.contains("main.xsd:1:"), "{message}");
    }

    #[test]
    fn a_missing_file_names_the_import() {
        let dir = folder(&[(
            "main.xsd",
            &schema(
                "urn:main",
                r#"<xs:import namespace="urn:a" schemaLocation="nowhere.xsd"/>"#,
            ),
        )]);
        let error = parse_file(&dir.path().join("main.xsd"), &Options::bare()).unwrap_err();
        assert!(matches!(error, Error::Load { .. }), "{error:?}");
        assert!(error.to_string().contains("nowhere.xsd"), "{error}");
    }

    #[test]
    fn the_xml_namespace_needs_no_import_and_no_catalog() {
        let dir = folder(&[(
            "main.xsd",
            &schema(
                "urn:main",
                r#"<xs:element name="title"><xs:complexType><xs:simpleContent>
                     <xs:extension base="xs:string"><xs:attribute ref="xml:lang" default="en"/></xs:extension>
                   </xs:simpleContent></xs:complexType></xs:element>"#,
            ),
        )]);
        let model = parse_file(&dir.path().join("main.xsd"), &Options::bare()).expect("parses");
        let Some(TypeDef::Complex(title)) = model.types.first() else {
            panic!("{model:?}")
        };
        let lang = &title.attributes[0];
        assert_eq!(lang.name, QName::new(super::XML, "lang"));
        assert_eq!(lang.default.as_deref(), Some("en"));
        let xml = model.namespaces.iter().find(|n| n.uri == super::XML);
        assert_eq!(xml.map(|n| n.module.as_str()), Some("xml"));
    }

    /// A WSDL of namespace `urn:svc` with the given content.
    fn wsdl(content: &str) -> String {
        format!(
            r#"<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" {XS} xmlns:tns="urn:svc" xmlns:t="urn:t" targetNamespace="urn:svc">{content}</wsdl:definitions>"#
        )
    }

    const BINDING: &str = r#"<wsdl:binding name="b" type="tns:pt"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
        <wsdl:operation name="op"><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding>"#;

    #[test]
    fn wsdl_import_brings_the_abstract_definitions() {
        let abstract_wsdl = wsdl(
            r#"<wsdl:import namespace="urn:t" location="types.xsd"/>
               <wsdl:message name="req"><wsdl:part name="p" element="t:req"/></wsdl:message>
               <wsdl:message name="resp"><wsdl:part name="p" element="t:resp"/></wsdl:message>
               <wsdl:portType name="pt"><wsdl:operation name="op"><wsdl:input message="tns:req"/><wsdl:output message="tns:resp"/></wsdl:operation></wsdl:portType>"#,
        );
        let concrete = wsdl(&format!(
            r#"<wsdl:import namespace="urn:svc" location="abstract/service.wsdl"/>{BINDING}"#
        ));
        let dir = folder(&[
            ("main.wsdl", &concrete),
            ("abstract/service.wsdl", &abstract_wsdl),
            (
                "abstract/types.xsd",
                &schema(
                    "urn:t",
                    r#"<xs:element name="req" type="xs:string"/><xs:element name="resp" type="xs:int"/>"#,
                ),
            ),
        ]);
        let model = parse_file(&dir.path().join("main.wsdl"), &Options::bare()).expect("parses");
        let operation = &model.services[0].operations[0];
        assert_eq!(operation.input, QName::new("urn:t", "req"));
        assert_eq!(operation.output, QName::new("urn:t", "resp"));
    }

    #[test]
    fn several_inputs_share_their_types() {
        let service = wsdl(&format!(
            r#"<wsdl:types><xs:schema targetNamespace="urn:svc"><xs:import namespace="urn:t"/></xs:schema></wsdl:types>
               <wsdl:message name="req"><wsdl:part name="p" element="t:req"/></wsdl:message>
               <wsdl:message name="resp"><wsdl:part name="p" element="t:resp"/></wsdl:message>
               <wsdl:portType name="pt"><wsdl:operation name="op"><wsdl:input message="tns:req"/><wsdl:output message="tns:resp"/></wsdl:operation></wsdl:portType>
               {BINDING}"#
        ));
        let dir = folder(&[
            ("service.wsdl", &service),
            (
                "types.xsd",
                &schema(
                    "urn:t",
                    r#"<xs:element name="req" type="xs:string"/><xs:element name="resp" type="xs:int"/><xs:element name="extra" type="xs:int"/>"#,
                ),
            ),
        ]);
        let files: Vec<PathBuf> = ["types.xsd", "service.wsdl"]
            .iter()
            .map(|f| dir.path().join(f))
            .collect();
        let model = parse_files(&files, &Options::bare()).expect("parses");
        let elements: Vec<&str> = model
            .elements
            .iter()
            .map(|e| e.name.local.as_str())
            .collect();
        assert_eq!(elements, ["req", "resp", "extra"]);
        assert_eq!(model.services[0].operations[0].input.local, "req");
        assert_eq!(model.inputs, files);
        // Alone, the WSDL cannot find the elements.
        let error = parse_file(Path::new(&files[1]), &Options::bare()).unwrap_err();
        assert!(matches!(error, Error::Unresolved { .. }), "{error:?}");
    }
}

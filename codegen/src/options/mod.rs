//! Generator options, shared by the [`crate::Builder`] (for `build.rs`) and the command line.
//!
//! [`Options::default`] is the X-Road management services profile of PR-MSERV 1.20 (see
//! [`xroad`]): it knows the facts that a WSDL cannot express — the `authCertReg` operation that
//! the specification keeps out of the port type; for each of the eleven services its endpoint,
//! whose keys sign it and whether its response carries `requestHash` ([`OperationProfile`]);
//! the X-Road header elements the WSDL does not declare ([`HeaderField`]); the validated
//! identifier codes and the textual form of identifiers; and that the identifier types and the
//! header are those of `xroad-mserv`, as `prost-build` maps the well-known types to
//! `prost-types`. [`Options::bare`] knows none of them and generates exactly what the WSDL
//! says, as types only.

mod header;
mod identifiers;
mod profile;
pub mod xroad;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::QName;

pub use header::{HeaderField, HeaderType};
pub use identifiers::{identifier_shapes, object_type_codes};
pub use profile::{BodyRoles, Endpoint, OperationProfile, ProfileSyntaxError, Signer};

/// Namespace of the X-Road identifier schema.
pub const IDENTIFIERS_NS: &str = "http://x-road.eu/xsd/identifiers";
/// Namespace of the X-Road message schema (headers and management service bodies).
pub const XROAD_NS: &str = "http://x-road.eu/xsd/xroad.xsd";

/// Code elements of the identifier schema, in the order the X-Road textual form uses.
pub const IDENTIFIER_CODES: &[&str] = &[
    "xRoadInstance",
    "memberClass",
    "memberCode",
    "subsystemCode",
    "groupCode",
    "serviceCode",
    "serviceVersion",
    "serverCode",
];

/// An operation that the WSDL port type does not declare but whose elements the schema has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraOperation {
    /// Operation name (service code).
    pub name: String,
    /// Request body element.
    pub input: QName,
    /// Response body element.
    pub output: QName,
    /// Documentation, in the place of the WSDL's (a profile's documentation comes first).
    pub doc: Option<String>,
}

/// Which parts of the bindings to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Emit {
    /// The types, header, operations and `OperationName` of each namespace's module.
    pub types: bool,
    /// A client per service (`<service>_client`), as `tonic-build` does; it calls
    /// `xroad-runtime`.
    pub client: bool,
    /// A server trait and its dispatch per service (`<service>_server`); they call
    /// `xroad-runtime`.
    pub server: bool,
}

impl Default for Emit {
    /// Everything, as `tonic-build` does.
    fn default() -> Self {
        Self {
            types: true,
            client: true,
            server: true,
        }
    }
}

/// What to generate and how. See the module documentation for the default profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub(crate) extra_operations: Vec<ExtraOperation>,
    pub(crate) operations: BTreeMap<String, OperationProfile>,
    pub(crate) body_roles: BodyRoles,
    pub(crate) header_fields: Vec<HeaderField>,
    pub(crate) extern_elements: BTreeMap<QName, String>,
    pub(crate) extern_namespaces: BTreeMap<String, String>,
    pub(crate) extern_header: Option<String>,
    pub(crate) types_from: Option<String>,
    pub(crate) emit: Emit,
    pub(crate) identifier_base: Option<QName>,
    pub(crate) modules: BTreeMap<String, String>,
    pub(crate) runtime_crate: String,
    pub(crate) service_runtime: String,
    pub(crate) catalogs: Vec<PathBuf>,
}

impl Default for Options {
    /// The X-Road management services profile (PR-MSERV 1.20).
    fn default() -> Self {
        let mut options = Self::bare();
        xroad::apply(&mut options);
        options
    }
}

impl Options {
    /// Options without any X-Road knowledge: only what the WSDL declares is generated. They
    /// describe no operation, so every operation is generated as types only, without a
    /// warning: the user opted out of the profile.
    pub fn bare() -> Self {
        Self {
            extra_operations: Vec::new(),
            operations: BTreeMap::new(),
            body_roles: BodyRoles::default(),
            header_fields: Vec::new(),
            extern_elements: BTreeMap::new(),
            extern_namespaces: BTreeMap::new(),
            extern_header: None,
            types_from: None,
            emit: Emit::default(),
            identifier_base: None,
            modules: BTreeMap::new(),
            runtime_crate: "::xroad_codec".into(),
            service_runtime: "::xroad_runtime".into(),
            catalogs: Vec::new(),
        }
    }

    /// Adds an operation that is not in the port type. It uses the same SOAP headers as the
    /// binding's operations (the first binding, when there are several).
    pub fn extra_operation(&mut self, operation: ExtraOperation) -> &mut Self {
        self.extra_operations.retain(|o| o.name != operation.name);
        self.extra_operations.push(operation);
        self
    }

    /// Describes operation `name` (of the WSDL or an extra one), replacing any description it
    /// had. A described operation gets an `Operation` impl, its description, and a client and
    /// server method; the generator checks that its body has the elements its signers need.
    /// When the options describe any operation, one of the WSDL that they do not describe is
    /// a warning, and it is generated as types only. A description of an operation that the
    /// WSDL does not have is not used.
    pub fn operation(&mut self, name: impl Into<String>, profile: OperationProfile) -> &mut Self {
        self.operations.insert(name.into(), profile);
        self
    }

    /// The local names of the body elements with a meaning in the protocol (default: the
    /// X-Road names).
    pub fn body_roles(&mut self, roles: BodyRoles) -> &mut Self {
        self.body_roles = roles;
        self
    }

    /// Adds a header element to the profile, after those already added (see [`HeaderField`]
    /// for how the profile's and the WSDL's header elements are merged). A field for an
    /// element already in the profile replaces it.
    pub fn header_field(&mut self, field: HeaderField) -> &mut Self {
        match self
            .header_fields
            .iter_mut()
            .find(|f| f.element == field.element)
        {
            Some(existing) => *existing = field,
            None => self.header_fields.push(field),
        }
        self
    }

    /// Uses an existing Rust type (given as a path) for every field that refers to `element`.
    pub fn extern_element(&mut self, element: QName, rust_type: &str) -> &mut Self {
        self.extern_elements.insert(element, rust_type.to_owned());
        self
    }

    /// Does not generate the types and elements of namespace `uri`: references to them use
    /// `rust_module::TypeName` instead (`prost-build`'s `extern_path`).
    pub fn extern_namespace(&mut self, uri: &str, rust_module: &str) -> &mut Self {
        self.extern_namespaces
            .insert(uri.to_owned(), rust_module.to_owned());
        self
    }

    /// Uses the Rust type at `rust_path` as every service's SOAP header instead of generating
    /// one; `None` generates it.
    pub fn extern_header(&mut self, rust_path: Option<&str>) -> &mut Self {
        self.extern_header = rust_path.map(str::to_owned);
        self
    }

    /// Generates the X-Road identifier types and the header instead of taking them from
    /// `xroad-mserv`: what `xroad-mserv` itself is generated with.
    pub fn compile_xroad_types(&mut self) -> &mut Self {
        self.extern_namespaces.remove(IDENTIFIERS_NS);
        self.extern_header = None;
        self
    }

    /// Takes every type, element, header and operation from the crate at `crate_path`,
    /// generated from the same WSDL with the same module options, and generates no types: for
    /// a crate that holds only the client and server (`--emit client,server`). Turns
    /// [`emit_types`](Self::emit_types) off.
    pub fn types_from(&mut self, crate_path: &str) -> &mut Self {
        self.types_from = Some(crate_path.to_owned());
        self.emit.types = false;
        self
    }

    /// Whether to generate the types (default on).
    pub fn emit_types(&mut self, on: bool) -> &mut Self {
        self.emit.types = on;
        self
    }

    /// Whether to generate a client per service (default on).
    pub fn emit_client(&mut self, on: bool) -> &mut Self {
        self.emit.client = on;
        self
    }

    /// Whether to generate a server trait and dispatch per service (default on).
    pub fn emit_server(&mut self, on: bool) -> &mut Self {
        self.emit.server = on;
        self
    }

    /// Complex types derived from this type get X-Road identifier semantics (validation of the
    /// object type against the codes present, `Display` and `FromStr` in the textual form).
    pub fn identifier_base(&mut self, base: Option<QName>) -> &mut Self {
        self.identifier_base = base;
        self
    }

    /// Puts the items of namespace `uri` into the Rust module `module` instead of the name
    /// derived from the URI's last path segment.
    pub fn module(&mut self, uri: &str, module: &str) -> &mut Self {
        self.modules.insert(uri.to_owned(), module.to_owned());
        self
    }

    /// Adds an OASIS XML catalog (the format xmllint and JAXB read) that maps remote schema
    /// locations, and the namespace names of imports without a location, to local files.
    /// Catalogs are asked in the order added.
    pub fn catalog(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.catalogs.push(path.as_ref().to_path_buf());
        self
    }

    /// The path under which generated code finds the support crate (default `::xroad_codec`).
    pub fn runtime_crate(&mut self, path: &str) -> &mut Self {
        self.runtime_crate = path.to_owned();
        self
    }

    /// The path under which the generated client and server find the runtime (default
    /// `::xroad_runtime`).
    pub fn service_runtime(&mut self, path: &str) -> &mut Self {
        self.service_runtime = path.to_owned();
        self
    }

    /// Extra operations, in the order they were added.
    pub fn extra_operations(&self) -> &[ExtraOperation] {
        &self.extra_operations
    }

    /// The description of operation `name`, if the options have one.
    pub fn operation_profile(&self, name: &str) -> Option<&OperationProfile> {
        self.operations.get(name)
    }

    /// Whether the options describe any operation (then an undescribed one is a warning).
    pub fn describes_operations(&self) -> bool {
        !self.operations.is_empty()
    }

    /// The body roles.
    pub fn roles(&self) -> &BodyRoles {
        &self.body_roles
    }

    /// The header elements of the profile, in order.
    pub fn header_fields(&self) -> &[HeaderField] {
        &self.header_fields
    }

    /// The Rust type configured for fields referring to `element`, if any.
    pub fn extern_type(&self, element: &QName) -> Option<&str> {
        self.extern_elements.get(element).map(String::as_str)
    }

    /// The Rust module of namespace `uri` when its items are not generated.
    pub fn extern_module(&self, uri: &str) -> Option<&str> {
        self.extern_namespaces.get(uri).map(String::as_str)
    }

    /// The Rust path of the shared header type, when it is not generated.
    pub fn extern_header_path(&self) -> Option<&str> {
        self.extern_header.as_deref()
    }

    /// The crate the types are taken from, if they are not generated.
    pub fn types_crate(&self) -> Option<&str> {
        self.types_from.as_deref()
    }

    /// What is generated.
    pub fn emitted(&self) -> Emit {
        self.emit
    }

    /// The identifier base type, if identifier semantics are on.
    pub fn identifier_base_type(&self) -> Option<&QName> {
        self.identifier_base.as_ref()
    }

    /// The configured module for namespace `uri`, if any.
    pub fn module_of(&self, uri: &str) -> Option<&str> {
        self.modules.get(uri).map(String::as_str)
    }

    /// The catalogs, in the order added.
    pub fn catalogs(&self) -> &[PathBuf] {
        &self.catalogs
    }

    /// The support crate path.
    pub fn runtime_path(&self) -> &str {
        &self.runtime_crate
    }

    /// The runtime path of the client and server.
    pub fn service_runtime_path(&self) -> &str {
        &self.service_runtime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_describes_the_eleven_services() {
        let options = Options::default();
        assert_eq!(options.operations.len(), 11);
        let reg = options.operation_profile("authCertReg").unwrap();
        assert_eq!(reg.endpoint(), Endpoint::Registration);
        assert_eq!(
            reg.signers(),
            [Signer::AuthenticationKey, Signer::ServerOwner]
        );
        assert!(!reg.request_hash());
        for (name, profile) in &options.operations {
            assert!(profile.documentation().is_some(), "{name}");
            if name != "authCertReg" {
                assert_eq!(profile.endpoint(), Endpoint::Manage, "{name}");
                assert!(profile.request_hash(), "{name}");
            }
        }
        assert_eq!(
            options.operation_profile("ownerChange").unwrap().signers(),
            [Signer::NewOwner]
        );
        assert!(
            options
                .operation_profile("clientDeletion")
                .unwrap()
                .signers()
                .is_empty()
        );
        assert_eq!(options.extra_operations()[0].name, "authCertReg");
        let header: Vec<&str> = options
            .header_fields()
            .iter()
            .map(|f| f.element().local.as_str())
            .collect();
        assert_eq!(
            header,
            [
                "client",
                "service",
                "securityServer",
                "id",
                "userId",
                "representedParty",
                "issue",
                "protocolVersion",
                "requestHash"
            ]
        );
        assert_eq!(
            options.extern_module(IDENTIFIERS_NS),
            Some("::xroad_mserv::identifiers")
        );
        assert_eq!(
            options.extern_header_path(),
            Some("::xroad_mserv::centralservice::Header")
        );
    }

    #[test]
    fn compile_xroad_types_generates_what_xroad_mserv_holds() {
        let mut options = Options::default();
        options.compile_xroad_types();
        assert_eq!(options.extern_module(IDENTIFIERS_NS), None);
        assert_eq!(options.extern_header_path(), None);
        assert_eq!(options.operations.len(), 11);
    }

    #[test]
    fn bare_knows_nothing() {
        let options = Options::bare();
        assert!(!options.describes_operations());
        assert!(options.header_fields().is_empty());
        assert!(options.extra_operations().is_empty());
        assert_eq!(options.extern_header_path(), None);
    }

    #[test]
    fn types_from_turns_type_emission_off() {
        let mut options = Options::default();
        options.types_from("::xroad_mserv");
        assert!(!options.emitted().types);
        assert!(options.emitted().client && options.emitted().server);
    }
}

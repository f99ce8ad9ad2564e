//! The intermediate model between parsing and emission.
//!
//! [`crate::parse`] turns a WSDL document and its embedded schemas into a [`Model`] in which
//! every reference is already resolved: QNames carry namespace URIs (never prefixes), element
//! and attribute references are replaced by what they point at, `elementFormDefault` has been
//! applied, restrictions carry their effective content, and anonymous types have been given
//! names. [`crate::emit`] turns a `Model` into Rust source without looking at XML again.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A namespace-qualified XML name. An empty `namespace` means "no namespace".
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    /// Namespace URI, or the empty string for names in no namespace.
    pub namespace: String,
    /// Local part of the name.
    pub local: String,
}

impl QName {
    /// Creates a name from a namespace URI and a local part.
    pub fn new(namespace: impl Into<String>, local: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            local: local.into(),
        }
    }
}

impl fmt::Display for QName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.local)
        } else {
            write!(f, "{{{}}}{}", self.namespace, self.local)
        }
    }
}

/// Where a construct stands in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file as it was given to the generator (shared: every location of a file points to
    /// the same name).
    pub file: Arc<Path>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Everything a WSDL document defines, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The first input file, which locations without a place of their own name.
    pub source: PathBuf,
    /// Every input file (WSDL or schema), in the order given.
    pub inputs: Vec<PathBuf>,
    /// Every namespace that owns generated items, in document order (schemas first, then the
    /// WSDL target namespace).
    pub namespaces: Vec<Namespace>,
    /// Named complex and simple types, including anonymous types that were given names.
    pub types: Vec<TypeDef>,
    /// Global elements that are used as message parts (SOAP body or header roots).
    pub elements: Vec<Element>,
    /// The services: one per WSDL binding that the document's services expose.
    pub services: Vec<Service>,
    /// Parts of the WSDL that are not turned into services or operations, and why (their
    /// types are generated all the same).
    pub skipped: Vec<Skipped>,
}

/// A part of the input that the generated code does not carry out in full, with the reason:
/// a binding or operation of the WSDL left out, or a constraint of a schema not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is declared.
    pub location: Location,
    /// What (`binding `B``, `operation `op``, `the facets of …`).
    pub what: String,
    /// Whether it is left out or only not checked.
    pub kind: SkipKind,
    /// Why.
    pub reason: String,
}

/// How much of a [`Skipped`] item is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipKind {
    /// No service or operation is generated for it (its types are).
    LeftOut,
    /// It is generated, but a constraint it states is not checked when reading.
    NotChecked,
}

/// A namespace and the Rust module its items go into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// Namespace URI.
    pub uri: String,
    /// Rust module name (snake case, unique in the model).
    pub module: String,
    /// Prefix to use when writing XML in this namespace (the first prefix the WSDL binds to it),
    /// if any.
    pub prefix: Option<String>,
}

/// A named type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeDef {
    /// `xs:complexType`.
    Complex(ComplexType),
    /// `xs:simpleType`.
    Simple(SimpleType),
}

impl TypeDef {
    /// The type's qualified name.
    pub fn name(&self) -> &QName {
        match self {
            TypeDef::Complex(t) => &t.name,
            TypeDef::Simple(t) => &t.name,
        }
    }
}

/// A complex type with its effective content (derivations already applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplexType {
    /// Type name; for an anonymous type, the name of the element that holds it.
    pub name: QName,
    /// `xs:documentation`, whitespace-normalised into paragraphs.
    pub doc: Option<String>,
    /// Where the type is defined.
    pub location: Location,
    /// The base type when the type is derived by restriction or extension.
    pub base: Option<Derivation>,
    /// Child elements or simple content.
    pub content: Content,
    /// Attributes, in declaration order, including inherited ones.
    pub attributes: Vec<Attribute>,
    /// `xs:anyAttribute`: the attributes it lets in besides the declared ones.
    pub any_attribute: Option<Wildcard>,
    /// A model group (a choice, a repeated sequence, a named `xs:group`): its particles
    /// stand in the content of the elements that use it; it has no element or attributes of
    /// its own.
    pub group: bool,
    /// The content is an `xs:all`: its elements come in any order.
    pub all: bool,
    /// `abstract="true"`: elements of this type carry a derived type in instances.
    pub is_abstract: bool,
    /// X-Road identifier semantics, when the type derives from the identifier base type of
    /// [`crate::Options::identifier_base`].
    pub identifier: Option<Identifier>,
}

/// How a complex type derives from its base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    /// Restriction or extension.
    pub kind: DerivationKind,
    /// The base type.
    pub base: QName,
}

/// `xs:restriction` or `xs:extension`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DerivationKind {
    /// `xs:complexContent/xs:restriction`.
    Restriction,
    /// `xs:complexContent/xs:extension` or `xs:simpleContent/xs:extension`.
    Extension,
}

/// The content model of a complex type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// No content (attributes only).
    Empty,
    /// An `xs:sequence` of child elements.
    Sequence(Vec<ElementField>),
    /// Text of the given simple type (`xs:simpleContent`).
    Simple(TypeRef),
    /// Mixed content (`mixed="true"`): text and elements interleaved, read as open content.
    Mixed,
    /// The alternatives of an `xs:choice` (of a [`ComplexType::group`]); each is one value.
    Choice(Vec<ElementField>),
}

/// A child element inside a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementField {
    /// Element name, qualified according to `elementFormDefault`/`form`, or the referenced
    /// global element's name.
    pub name: QName,
    /// Element type.
    pub ty: TypeRef,
    /// `minOccurs`.
    pub min_occurs: u32,
    /// `maxOccurs`; `None` means `unbounded`.
    pub max_occurs: Option<u32>,
    /// Documentation of the local declaration, or else of the referenced global element.
    pub doc: Option<String>,
    /// Where the particle is declared.
    pub location: Location,
    /// `nillable="true"`: the element may be `xsi:nil` (its value is a `Nillable`).
    pub nillable: bool,
}

/// An attribute use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name; qualified for global attributes and `form="qualified"`, else in no
    /// namespace.
    pub name: QName,
    /// Attribute type (always simple).
    pub ty: TypeRef,
    /// `use="required"`.
    pub required: bool,
    /// `fixed` value, if any.
    pub fixed: Option<String>,
    /// `default` value, if any.
    pub default: Option<String>,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the attribute use is declared.
    pub location: Location,
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeRef {
    /// An XML Schema built-in type.
    Builtin(Builtin),
    /// A type defined in the model (see [`Model::types`]).
    Named(QName),
    /// A Rust type given by [`crate::Options::extern_element`], as a path.
    Extern(String),
    /// `xs:anyType`, and elements declared without a type: open content.
    AnyType,
    /// An element a wildcard (`xs:any`) matches, with its name: open content.
    Wildcard(Wildcard),
    /// A model group (a [`ComplexType::group`] of the model): its particles stand in place.
    Group(QName),
}

/// The namespace constraint of `xs:any` and `xs:anyAttribute`, resolved: `##targetNamespace`
/// is the schema's namespace, `##local` (and the other half of `##other`) the empty string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Wildcard {
    /// `##any`.
    Any,
    /// `##other`: any namespace but these.
    Not(Vec<String>),
    /// A list of namespaces.
    Only(Vec<String>),
}

/// The XML Schema built-in types the generator maps to Rust (see `xroad_codec::xsd` for the
/// types that are not Rust primitives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `xs:string` (and `xs:anySimpleType`) → `String`.
    String,
    /// `xs:normalizedString` → `xsd::NormalizedString`.
    NormalizedString,
    /// `xs:token` → `xsd::Token`.
    Token,
    /// `xs:language` → `xsd::Language`.
    Language,
    /// `xs:Name` → `xsd::Name`.
    Name,
    /// `xs:NCName` → `xsd::NcName`.
    NcName,
    /// `xs:NMTOKEN` → `xsd::NmToken`.
    NmToken,
    /// `xs:NMTOKENS` → `xsd::List<xsd::NmToken>`.
    NmTokens,
    /// `xs:ID` → `xsd::Id`.
    Id,
    /// `xs:IDREF` → `xsd::IdRef`.
    IdRef,
    /// `xs:IDREFS` → `xsd::List<xsd::IdRef>`.
    IdRefs,
    /// `xs:ENTITY` → `xsd::Entity`.
    Entity,
    /// `xs:ENTITIES` → `xsd::List<xsd::Entity>`.
    Entities,
    /// `xs:anyURI` → `xsd::AnyUri`.
    AnyUri,
    /// `xs:QName` → `xsd::QName` (element content only).
    QName,
    /// `xs:boolean` → `bool`.
    Boolean,
    /// `xs:decimal` → `xsd::Decimal`.
    Decimal,
    /// `xs:integer`, `xs:long` → `i64` (values that do not fit are rejected).
    Long,
    /// `xs:int` → `i32`.
    Int,
    /// `xs:short` → `i16`.
    Short,
    /// `xs:byte` → `i8`.
    Byte,
    /// `xs:unsignedLong`, `xs:nonNegativeInteger` → `u64`.
    UnsignedLong,
    /// `xs:positiveInteger` → `NonZeroU64`.
    PositiveInteger,
    /// `xs:negativeInteger` → `xsd::NegativeInteger`.
    NegativeInteger,
    /// `xs:nonPositiveInteger` → `xsd::NonPositiveInteger`.
    NonPositiveInteger,
    /// `xs:unsignedInt` → `u32`.
    UnsignedInt,
    /// `xs:unsignedShort` → `u16`.
    UnsignedShort,
    /// `xs:unsignedByte` → `u8`.
    UnsignedByte,
    /// `xs:double` → `f64`.
    Double,
    /// `xs:float` → `f32`.
    Float,
    /// `xs:base64Binary` → `Vec<u8>`.
    Base64Binary,
    /// `xs:hexBinary` → `xsd::HexBinary`.
    HexBinary,
    /// `xs:dateTime` → `xsd::DateTime`.
    DateTime,
    /// `xs:date` → `xsd::Date`.
    Date,
    /// `xs:time` → `xsd::Time`.
    Time,
    /// `xs:duration` → `xsd::Duration`.
    Duration,
}

impl Builtin {
    /// Whether the value is text whose length facets count characters (`AsRef<str>`).
    pub fn is_textual(self) -> bool {
        matches!(
            self,
            Builtin::String
                | Builtin::NormalizedString
                | Builtin::Token
                | Builtin::Language
                | Builtin::Name
                | Builtin::NcName
                | Builtin::NmToken
                | Builtin::Id
                | Builtin::IdRef
                | Builtin::Entity
                | Builtin::AnyUri
        )
    }

    /// Whether the Rust type is `Copy`.
    pub fn is_copy(self) -> bool {
        matches!(
            self,
            Builtin::Boolean
                | Builtin::Long
                | Builtin::Int
                | Builtin::Short
                | Builtin::Byte
                | Builtin::UnsignedLong
                | Builtin::PositiveInteger
                | Builtin::NegativeInteger
                | Builtin::NonPositiveInteger
                | Builtin::UnsignedInt
                | Builtin::UnsignedShort
                | Builtin::UnsignedByte
                | Builtin::Double
                | Builtin::Float
                | Builtin::DateTime
                | Builtin::Date
                | Builtin::Time
                | Builtin::Duration
        )
    }
}

/// A named simple type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleType {
    /// Type name.
    pub name: QName,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the type is defined.
    pub location: Location,
    /// What the type is.
    pub kind: SimpleKind,
}

/// The shapes of simple type the generator supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimpleKind {
    /// A restriction with `xs:enumeration` facets → a Rust enum.
    Enumeration {
        /// The restricted base type.
        base: TypeRef,
        /// Allowed values in declaration order.
        values: Vec<EnumValue>,
    },
    /// A restriction without enumeration → a Rust newtype over the base.
    Restriction {
        /// The restricted base type.
        base: TypeRef,
        /// Supported facets.
        facets: Facets,
    },
    /// `xs:list` → a newtype over `xsd::List` of the item type.
    List {
        /// The item type.
        item: TypeRef,
    },
    /// `xs:union` → an enum with one variant per member type, tried in order.
    Union {
        /// The member types, in declaration order.
        members: Vec<TypeRef>,
    },
}

/// One `xs:enumeration` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// The literal value.
    pub value: String,
    /// Documentation of the facet.
    pub doc: Option<String>,
}

/// Facets of a non-enumerated simple-type restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// `xs:length`.
    pub length: Option<u64>,
    /// `xs:pattern`s (a value must match one of those of a restriction step).
    pub patterns: Vec<String>,
    /// `xs:minExclusive` literal.
    pub min_exclusive: Option<String>,
    /// `xs:maxExclusive` literal.
    pub max_exclusive: Option<String>,
    /// `xs:minLength`.
    pub min_length: Option<u64>,
    /// `xs:maxLength`.
    pub max_length: Option<u64>,
    /// `xs:minInclusive` literal.
    pub min_inclusive: Option<String>,
    /// `xs:maxInclusive` literal.
    pub max_inclusive: Option<String>,
}

/// A global element that is used as a message part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Element name.
    pub name: QName,
    /// Element type (an anonymous type has been named after the element).
    pub ty: TypeRef,
    /// Documentation.
    pub doc: Option<String>,
    /// Where the element is declared.
    pub location: Location,
}

/// X-Road identifier semantics of a complex type: which object types it may carry and which
/// codes each object type has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    /// The attribute that holds the object type.
    pub object_type_attribute: QName,
    /// `Some(value)` when the attribute is `fixed`; `None` when it is a field.
    pub fixed: Option<String>,
    /// Allowed shapes, in the order `FromStr` tries them.
    pub shapes: Vec<IdentifierShape>,
}

/// One allowed combination of object type and codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierShape {
    /// The object type value, e.g. `SUBSYSTEM`.
    pub object_type: String,
    /// Local names of the code elements present, in sequence order.
    pub codes: Vec<String>,
}

/// One service binding with its operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The `wsdl:service` name (or the binding name when no service exposes it).
    pub name: String,
    /// WSDL target namespace.
    pub namespace: String,
    /// Documentation of the service or port type.
    pub doc: Option<String>,
    /// `soap:address/@location` of the port, if any.
    pub address: Option<String>,
    /// SOAP header parts used by the binding's operations, if any.
    pub header: Option<Header>,
    /// Operations: the binding's, then extra ones from [`crate::Options`].
    pub operations: Vec<Operation>,
    /// Where the binding is defined.
    pub location: Location,
}

/// The SOAP header of a binding: the union of the `soap:header` parts its operations use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The WSDL message that holds the header parts.
    pub message: String,
    /// Parts in message order.
    pub parts: Vec<HeaderPart>,
}

/// One header part: a WSDL header part, or a header element of the profile that the WSDL
/// does not declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderPart {
    /// Part name (for a profile element, its local name).
    pub name: String,
    /// The element the part refers to.
    pub element: QName,
    /// The element's type.
    pub ty: TypeRef,
    /// The element's documentation in the schema.
    pub doc: Option<String>,
    /// The profile's documentation (Markdown), which comes first.
    pub profile_doc: Option<String>,
    /// Whether every input and every output of every operation carries this part.
    pub always: bool,
    /// Whether any operation's input carries it.
    pub in_input: bool,
    /// Whether any operation's output carries it.
    pub in_output: bool,
    /// Whether it is the element that carries the protocol version (see
    /// [`crate::options::HeaderField::protocol_version`]).
    pub protocol_version: bool,
    /// The prefix the profile gives its namespace, if any.
    pub prefix: Option<String>,
}

/// A typed operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Operation name (the X-Road service code).
    pub name: String,
    /// Documentation.
    pub doc: Option<String>,
    /// Request body element.
    pub input: QName,
    /// Response body element.
    pub output: QName,
    /// Header parts (by part name) the request carries.
    pub input_headers: Vec<String>,
    /// Header parts (by part name) the response carries.
    pub output_headers: Vec<String>,
    /// What the profile says about the operation; `None` when it does not describe it (then
    /// only its types are generated).
    pub description: Option<Description>,
    /// Where the operation comes from.
    pub source: OperationSource,
}

impl Operation {
    /// Where the operation is declared: its binding operation, or the service's binding for
    /// an extra operation.
    pub fn location<'s>(&'s self, service: &'s Service) -> &'s Location {
        match &self.source {
            OperationSource::Wsdl(location) => location,
            OperationSource::Options => &service.location,
        }
    }
}

/// A described operation: what the runtime needs beyond its types, checked against its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// The endpoint that serves it.
    pub endpoint: Endpoint,
    /// The MIME parts of the request, in order.
    pub parts: Vec<MimePart>,
    /// Whether the response carries `requestHash`.
    pub request_hash: bool,
    /// The profile's documentation, if any.
    pub doc: Option<String>,
    /// The request body: its type and the elements that play a part.
    pub request: Body,
    /// The response body.
    pub response: Body,
    /// The request's elements the response echoes, in order (all but the request id).
    pub echo: Vec<String>,
}

/// A MIME part of a request; the variants of `xroad_codec::operation::MimePart`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MimePart {
    /// The SOAP message, always part 0.
    Soap,
    /// A signature of the SOAP message.
    Signature {
        /// Whose key made it.
        signer: Signer,
        /// The index of its certificate part.
        certificate: usize,
        /// The index of the OCSP response for that certificate, if it has one.
        ocsp: Option<usize>,
    },
    /// A certificate.
    Certificate,
    /// An OCSP response.
    OcspResponse,
}

/// A management body: the complex type of a request or response element, and its elements
/// that play a part in the protocol, by local name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// The body element.
    pub element: QName,
    /// Its complex type.
    pub ty: QName,
    /// `server` (required).
    pub server: Role,
    /// `client`, if the body has it.
    pub client: Option<Role>,
    /// `authCert`, if the body has it.
    pub auth_cert: Option<Role>,
    /// `address`, if the body has it.
    pub address: Option<Role>,
    /// `requestId`, if the body has it.
    pub request_id: Option<Role>,
    /// The type the body names as its client type: its `client` element's, or the profile's.
    pub client_type: TypeRef,
}

/// A body element with a part in the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Local name.
    pub local: String,
    /// Its type.
    pub ty: TypeRef,
    /// Whether it may be absent (`Option`).
    pub optional: bool,
}

/// Where an operation was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationSource {
    /// The WSDL port type and binding, at this location.
    Wsdl(Location),
    /// [`crate::Options::extra_operation`].
    Options,
}

/// The endpoint of a central server that serves an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// Posted to the central server directly (`authCertReg`): no X-Road message, so no
    /// `requestHash` in the response.
    Registration,
    /// An X-Road message to the management services: the response carries `requestHash`.
    Manage,
}

impl Endpoint {
    /// The spelling on the command line and in messages: `registration` or `manage`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Endpoint::Registration => "registration",
            Endpoint::Manage => "manage",
        }
    }

    /// The name of the `xroad_codec::operation::Endpoint` variant.
    pub const fn variant(self) -> &'static str {
        match self {
            Endpoint::Registration => "Registration",
            Endpoint::Manage => "Manage",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose key signs a signature part of a request, named by the request's own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signer {
    /// The member that owns the client the body's `client` names.
    ClientOwner,
    /// The member that owns the security server the body's `server` names.
    ServerOwner,
    /// The member the body's `client` names: the new owner.
    NewOwner,
    /// The key of the authentication certificate in the body's `authCert` (proof of
    /// possession); its certificate is the one being registered, so it has no OCSP part.
    AuthenticationKey,
}

impl Signer {
    /// Every signer, in the order of the command line's documentation.
    pub const ALL: [Signer; 4] = [
        Signer::ClientOwner,
        Signer::ServerOwner,
        Signer::NewOwner,
        Signer::AuthenticationKey,
    ];

    /// The spelling on the command line: `client-owner`, `server-owner`, `new-owner`,
    /// `auth-key`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Signer::ClientOwner => "client-owner",
            Signer::ServerOwner => "server-owner",
            Signer::NewOwner => "new-owner",
            Signer::AuthenticationKey => "auth-key",
        }
    }

    /// The name of the `xroad_codec::operation::Signer` variant.
    pub const fn variant(self) -> &'static str {
        match self {
            Signer::ClientOwner => "ClientOwner",
            Signer::ServerOwner => "ServerOwner",
            Signer::NewOwner => "NewOwner",
            Signer::AuthenticationKey => "AuthenticationKey",
        }
    }

    /// Who signs, for documentation and messages: `the client's owner`, ….
    pub const fn description(self) -> &'static str {
        match self {
            Signer::ClientOwner => "the client's owner",
            Signer::ServerOwner => "the security server's owner",
            Signer::NewOwner => "the new owner",
            Signer::AuthenticationKey => "the authentication key",
        }
    }

    /// Whether the signature comes with an OCSP response for its certificate (every signer
    /// but the authentication key, whose certificate is the one being registered).
    pub const fn has_ocsp(self) -> bool {
        !matches!(self, Signer::AuthenticationKey)
    }
}

impl fmt::Display for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

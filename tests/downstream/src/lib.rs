//! Bindings for a management services WSDL extended with an `addressChange` operation and a
//! `comment` field, generated at build time.

include!(concat!(env!("OUT_DIR"), "/centralservice.rs"));

//! Bindings for a management services WSDL extended with a `contactChange` operation and a
//! `comment` field — types, a client and a server — generated at build time. The X-Road
//! identifiers and header are those of `xroad-mserv`, so that `xroad-runtime` serves and sends
//! them.

xroad_codec::include_bindings!("centralservice");

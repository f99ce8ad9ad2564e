//! The X-Road SOAP header, read by the generated [`Header`] and checked for what its schema
//! cannot say: a supported protocol version, and `requestHash` in responses only.

use xroad_codec::header::is_supported_protocol_version;
use xroad_codec::soap::ENVELOPE_NS;
use xroad_codec::xml::{self, Reader, StartTag, Writer, XmlRead};
use xroad_mserv::centralservice::Header;

use super::classify::header_error;
use super::error::EnvelopeError;
use super::frame::HEADER_PATH;

/// Which message the header belongs to: only responses carry `requestHash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderKind {
    /// A request.
    Request,
    /// A response.
    Response,
}

/// Reads `SOAP-ENV:Header`, whose start tag the reader has just returned (and entered), up to
/// and including its end tag.
pub(crate) fn read_header(
    reader: &mut Reader<'_>,
    start: &StartTag<'_>,
    kind: HeaderKind,
) -> Result<Header, EnvelopeError> {
    let header = Header::read(reader, start).map_err(header_error)?;
    if !is_supported_protocol_version(&header.protocol_version) {
        return Err(EnvelopeError::UnsupportedProtocolVersion {
            path: format!("{HEADER_PATH}/protocolVersion"),
            found: header.protocol_version,
        });
    }
    if kind == HeaderKind::Request && header.request_hash.is_some() {
        return Err(EnvelopeError::RequestHashInRequest {
            path: format!("{HEADER_PATH}/requestHash"),
        });
    }
    Ok(header)
}

/// Writes `SOAP-ENV:Header` with the header's fields in the order the generated type declares
/// them (absent optional fields left out).
pub(crate) fn write_header(writer: &mut Writer, header: &Header) -> Result<(), xml::Error> {
    writer.element(ENVELOPE_NS, "Header", header)
}

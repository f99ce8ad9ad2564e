//! The X-Road SOAP header: read with its fields in any order (as the reference implementation
//! accepts), each at most once; written in the reference order.

use xroad_codec::soap::ENVELOPE_NS;
use xroad_codec::xml::{self, Reader, StartTag, Writer, XmlRead};
use xroad_mserv::centralservice::{Header, OperationName};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadServiceIdentifierType};
use xroad_mserv::xroad::{self, RequestHash};

use super::error::EnvelopeError;
use super::frame::{HEADER_PATH, display_name};
use super::identifier::read_identifier;

/// The protocol version written in requests.
pub const PROTOCOL_VERSION: &str = "4.0";

/// Whether `version` is `4.x` with `x` one or more ASCII digits, the versions accepted.
pub fn is_supported_protocol_version(version: &str) -> bool {
    version
        .strip_prefix("4.")
        .is_some_and(|minor| !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit()))
}

/// The operation the service code of `service` names; [`EnvelopeError::UnknownService`]
/// when it names none.
pub(crate) fn operation_of(
    service: &XRoadServiceIdentifierType,
) -> Result<OperationName, EnvelopeError> {
    service
        .service_code
        .parse()
        .map_err(|_| EnvelopeError::UnknownService {
            path: format!("{HEADER_PATH}/service/serviceCode"),
            code: service.service_code.to_string(),
        })
}

/// [`EnvelopeError::UnknownService`] for an operation of the bindings that this runtime does
/// not serve yet.
pub(crate) fn not_served(operation: OperationName) -> EnvelopeError {
    EnvelopeError::UnknownService {
        path: format!("{HEADER_PATH}/service/serviceCode"),
        code: operation.as_str().to_owned(),
    }
}

/// Which message the header belongs to: only responses carry `requestHash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderKind {
    /// A request.
    Request,
    /// A response (or a fault).
    Response,
}

/// The X-Road header fields found, before the mandatory ones are checked.
#[derive(Debug, Default)]
pub(crate) struct HeaderFields {
    client: Option<XRoadClientIdentifierType>,
    service: Option<XRoadServiceIdentifierType>,
    id: Option<String>,
    protocol_version: Option<String>,
    user_id: Option<String>,
    issue: Option<String>,
    request_hash: Option<RequestHash>,
}

/// A complete X-Road header.
#[derive(Debug)]
pub(crate) struct MessageHeader {
    /// The mandatory fields and `requestHash`.
    pub header: Header,
    /// The optional `userId`.
    pub user_id: Option<String>,
    /// The optional `issue`.
    pub issue: Option<String>,
}

/// Fails with [`EnvelopeError::DuplicateHeaderField`] if the field was already read.
fn once<T>(slot: &Option<T>, field: &'static str) -> Result<(), EnvelopeError> {
    match slot {
        Some(_) => Err(EnvelopeError::DuplicateHeaderField {
            path: format!("{HEADER_PATH}/{field}"),
            field,
        }),
        None => Ok(()),
    }
}

/// Reads a text field whose start tag the reader has just returned.
fn text(reader: &mut Reader<'_>, start: &StartTag<'_>) -> Result<String, xml::Error> {
    String::read(reader, start)
}

impl HeaderFields {
    /// Reads the content of `SOAP-ENV:Header` (already entered) up to and including its end
    /// tag.
    pub(crate) fn read(reader: &mut Reader<'_>, kind: HeaderKind) -> Result<Self, EnvelopeError> {
        let mut fields = HeaderFields::default();
        while let Some(start) = reader.next_child()? {
            let local = start.local_name();
            if start.namespace() != xroad::NAMESPACE {
                return Err(EnvelopeError::UnexpectedHeaderField {
                    path: format!("{HEADER_PATH}/{local}"),
                    name: display_name(start.namespace(), local),
                });
            }
            match local {
                "client" => {
                    once(&fields.client, "client")?;
                    let path = format!("{HEADER_PATH}/client");
                    fields.client = Some(read_identifier(reader, &start, &path)?);
                }
                "service" => {
                    once(&fields.service, "service")?;
                    let path = format!("{HEADER_PATH}/service");
                    fields.service = Some(read_identifier(reader, &start, &path)?);
                }
                "id" => {
                    once(&fields.id, "id")?;
                    fields.id = Some(text(reader, &start)?);
                }
                "protocolVersion" => {
                    once(&fields.protocol_version, "protocolVersion")?;
                    let version = text(reader, &start)?;
                    if !is_supported_protocol_version(&version) {
                        return Err(EnvelopeError::UnsupportedProtocolVersion {
                            path: format!("{HEADER_PATH}/protocolVersion"),
                            found: version,
                        });
                    }
                    fields.protocol_version = Some(version);
                }
                "userId" => {
                    once(&fields.user_id, "userId")?;
                    fields.user_id = Some(text(reader, &start)?);
                }
                "issue" => {
                    once(&fields.issue, "issue")?;
                    fields.issue = Some(text(reader, &start)?);
                }
                "requestHash" if kind == HeaderKind::Response => {
                    once(&fields.request_hash, "requestHash")?;
                    fields.request_hash = Some(RequestHash::read(reader, &start)?);
                }
                "requestHash" => {
                    return Err(EnvelopeError::RequestHashInRequest {
                        path: format!("{HEADER_PATH}/requestHash"),
                    });
                }
                other => {
                    return Err(EnvelopeError::UnexpectedHeaderField {
                        path: format!("{HEADER_PATH}/{other}"),
                        name: display_name(xroad::NAMESPACE, other),
                    });
                }
            }
        }
        reader.end()?;
        Ok(fields)
    }

    /// The complete header; [`EnvelopeError::MissingHeaderField`] names the first mandatory
    /// field missing (in the order `client`, `service`, `id`, `protocolVersion`).
    pub(crate) fn complete(self) -> Result<MessageHeader, EnvelopeError> {
        let missing = |field: &'static str| EnvelopeError::MissingHeaderField {
            path: HEADER_PATH.to_owned(),
            field,
        };
        Ok(MessageHeader {
            header: Header {
                client: self.client.ok_or_else(|| missing("client"))?,
                service: self.service.ok_or_else(|| missing("service"))?,
                id: self.id.ok_or_else(|| missing("id"))?,
                protocol_version: self
                    .protocol_version
                    .ok_or_else(|| missing("protocolVersion"))?,
                request_hash: self.request_hash,
            },
            user_id: self.user_id,
            issue: self.issue,
        })
    }
}

/// Writes `SOAP-ENV:Header` in the reference order: `client`, `service`, `id`, `userId`,
/// `requestHash`, `issue`, `protocolVersion` (absent optional fields left out).
pub(crate) fn write_header(
    writer: &mut Writer,
    header: &Header,
    user_id: Option<&String>,
    issue: Option<&String>,
) -> Result<(), xml::Error> {
    writer.start(ENVELOPE_NS, "Header")?;
    writer.element(xroad::NAMESPACE, "client", &header.client)?;
    writer.element(xroad::NAMESPACE, "service", &header.service)?;
    writer.element(xroad::NAMESPACE, "id", &header.id)?;
    if let Some(user_id) = user_id {
        writer.element(xroad::NAMESPACE, "userId", user_id)?;
    }
    if let Some(hash) = &header.request_hash {
        writer.element(xroad::NAMESPACE, "requestHash", hash)?;
    }
    if let Some(issue) = issue {
        writer.element(xroad::NAMESPACE, "issue", issue)?;
    }
    writer.element(
        xroad::NAMESPACE,
        "protocolVersion",
        &header.protocol_version,
    )?;
    writer.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_versions() {
        for version in ["4.0", "4.1", "4.10", "4.007"] {
            assert!(is_supported_protocol_version(version), "{version}");
        }
        for version in [
            "3.1", "4", "4.", "4.x", "4.0.1", " 4.0", "4.0 ", "5.0", "", "4.-1",
        ] {
            assert!(!is_supported_protocol_version(version), "{version:?}");
        }
        assert!(is_supported_protocol_version(PROTOCOL_VERSION));
    }
}

//! Reading the content of body elements (`clientReg`, `authCertRegResponse`, …) field by field,
//! so that malformed identifiers are told apart and `requestId` is refused in requests.

use xroad_codec::xml::{ErrorKind, Reader, StartTag, XmlRead};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad::{
    self, AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRegRequestType,
    ClientRequestType, RequestIdType,
};

use super::error::EnvelopeError;
use super::frame::{BODY_PATH, display_name};
use super::identifier::read_identifier;

/// Whether a body may carry `requestId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequestIdRule {
    /// Requests: the central server assigns the id.
    Forbidden,
    /// Responses: optional in the schema; the client-side checks require it.
    Optional,
}

/// Enters the body element, which must be `{xroad}local`; returns its start tag and path.
pub(crate) fn enter_body_element<'a>(
    reader: &mut Reader<'a>,
    local: &str,
) -> Result<(StartTag<'a>, String), EnvelopeError> {
    let Some(start) = reader.next_child()? else {
        return Err(reader
            .error(ErrorKind::MissingElement {
                expected: display_name(xroad::NAMESPACE, local),
                found: None,
            })
            .into());
    };
    let path = format!("{BODY_PATH}/{}", start.local_name());
    if start.namespace() != xroad::NAMESPACE || start.local_name() != local {
        return Err(EnvelopeError::BodyMismatch {
            path,
            expected: display_name(xroad::NAMESPACE, local),
            found: display_name(start.namespace(), start.local_name()),
        });
    }
    Ok((start, path))
}

/// Reads the content of a body element of type `ClientRequestType` (`clientReg`,
/// `clientDeletion`, `ownerChange` and their responses). `path` is the element's path.
pub(crate) fn read_client_request(
    reader: &mut Reader<'_>,
    start: &StartTag<'_>,
    path: &str,
    rule: RequestIdRule,
) -> Result<ClientRequestType, EnvelopeError> {
    reader.reject_attributes(start)?;
    let server = identifier::<XRoadSecurityServerIdentifierType>(reader, path, "server")?;
    let client = identifier::<XRoadClientIdentifierType>(reader, path, "client")?;
    let request_id = request_id(reader, path, rule)?;
    reader.end()?;
    Ok(ClientRequestType {
        server,
        client,
        request_id,
    })
}

/// A `ClientRequestType` body as the `ClientRegRequestType` of `clientReg`, without a
/// `subsystemName`.
pub(crate) fn client_reg_body(body: ClientRequestType) -> ClientRegRequestType {
    ClientRegRequestType {
        server: body.server,
        client: body.client,
        subsystem_name: None,
        request_id: body.request_id,
    }
}

/// Reads the content of an `authCertReg` or `authCertRegResponse` element.
pub(crate) fn read_auth_cert_reg(
    reader: &mut Reader<'_>,
    start: &StartTag<'_>,
    path: &str,
    rule: RequestIdRule,
) -> Result<AuthCertRegRequestType, EnvelopeError> {
    reader.reject_attributes(start)?;
    let server = identifier::<XRoadSecurityServerIdentifierType>(reader, path, "server")?;
    let address = reader.optional::<String>(xroad::NAMESPACE, "address")?;
    let auth_cert = reader.required::<Vec<u8>>(xroad::NAMESPACE, "authCert")?;
    let request_id = request_id(reader, path, rule)?;
    reader.end()?;
    Ok(AuthCertRegRequestType {
        server,
        address,
        auth_cert,
        request_id,
    })
}

/// Reads the content of an `authCertDeletion` or `authCertDeletionResponse` element.
pub(crate) fn read_auth_cert_deletion(
    reader: &mut Reader<'_>,
    start: &StartTag<'_>,
    path: &str,
    rule: RequestIdRule,
) -> Result<AuthCertDeletionRequestType, EnvelopeError> {
    reader.reject_attributes(start)?;
    let server = identifier::<XRoadSecurityServerIdentifierType>(reader, path, "server")?;
    let auth_cert = reader.required::<Vec<u8>>(xroad::NAMESPACE, "authCert")?;
    let request_id = request_id(reader, path, rule)?;
    reader.end()?;
    Ok(AuthCertDeletionRequestType {
        server,
        auth_cert,
        request_id,
    })
}

/// Whether the next child of the current element is `{xroad}local`.
fn next_is(reader: &mut Reader<'_>, local: &str) -> Result<bool, EnvelopeError> {
    Ok(reader
        .peek_child()?
        .is_some_and(|(namespace, name)| namespace == xroad::NAMESPACE && name == local))
}

/// Reads the required identifier child `{xroad}local` of the element at `parent`.
fn identifier<T: XmlRead>(
    reader: &mut Reader<'_>,
    parent: &str,
    local: &str,
) -> Result<T, EnvelopeError> {
    if next_is(reader, local)? {
        if let Some(start) = reader.next_child()? {
            return read_identifier(reader, &start, &format!("{parent}/{local}"));
        }
    }
    let found = reader
        .peek_child()?
        .map(|(namespace, name)| display_name(namespace, name));
    Err(reader
        .error(ErrorKind::MissingElement {
            expected: display_name(xroad::NAMESPACE, local),
            found,
        })
        .into())
}

/// Reads the optional `requestId` child, refused by [`RequestIdRule::Forbidden`].
fn request_id(
    reader: &mut Reader<'_>,
    parent: &str,
    rule: RequestIdRule,
) -> Result<Option<RequestIdType>, EnvelopeError> {
    if rule == RequestIdRule::Forbidden && next_is(reader, "requestId")? {
        return Err(EnvelopeError::RequestIdInRequest {
            path: format!("{parent}/requestId"),
        });
    }
    Ok(reader.optional::<RequestIdType>(xroad::NAMESPACE, "requestId")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"<x:clientReg xmlns:x="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers"><x:server id:objectType="SERVER"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>O</id:memberCode><id:serverCode>S</id:serverCode></x:server><x:client id:objectType="MEMBER"><id:xRoadInstance>EE</id:xRoadInstance><id:memberClass>COM</id:memberClass><id:memberCode>C</id:memberCode></x:client><x:requestId>12</x:requestId></x:clientReg>"#;

    fn read(xml: &str, rule: RequestIdRule) -> Result<ClientRequestType, EnvelopeError> {
        let mut reader = Reader::new(xml.as_bytes())?;
        let start = reader.read_root()?;
        read_client_request(&mut reader, &start, "/clientReg", rule)
    }

    #[test]
    fn request_id_is_refused_in_requests_only() {
        assert_eq!(
            read(BODY, RequestIdRule::Forbidden),
            Err(EnvelopeError::RequestIdInRequest {
                path: "/clientReg/requestId".to_owned()
            })
        );
        let body = read(BODY, RequestIdRule::Optional).unwrap();
        assert_eq!(body.request_id, Some(RequestIdType(12)));
        assert_eq!(body.client.to_string(), "MEMBER:EE/COM/C");
        let without = BODY.replace("<x:requestId>12</x:requestId>", "");
        assert_eq!(
            read(&without, RequestIdRule::Forbidden).unwrap().request_id,
            None
        );
    }

    #[test]
    fn missing_identifiers_are_missing_elements() {
        let start = BODY.find("<x:server").unwrap();
        let end = BODY.find("</x:server>").unwrap() + "</x:server>".len();
        let without = format!("{}{}", &BODY[..start], &BODY[end..]);
        let error = read(&without, RequestIdRule::Optional).unwrap_err();
        let EnvelopeError::Xml(error) = error else {
            panic!("{error:?}");
        };
        assert_eq!(error.path, "/clientReg");
        assert_eq!(
            error.kind,
            ErrorKind::MissingElement {
                expected: "{http://x-road.eu/xsd/xroad.xsd}server".to_owned(),
                found: Some("{http://x-road.eu/xsd/xroad.xsd}client".to_owned())
            }
        );
    }
}

//! Management service requests: built by the security server, parsed by the central server.

use xroad_codec::identifier::{Code, IdentifierError};
use xroad_codec::soap::ENVELOPE_NS;
use xroad_codec::xml::{self, Reader, Writer};
use xroad_mserv::centralservice::{Header, OperationName};
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadServiceIdentifierType,
};
use xroad_mserv::xroad;

use super::body::{
    RequestIdRule, client_reg_body, enter_body_element, read_auth_cert_deletion,
    read_auth_cert_reg, read_client_request,
};
use super::error::{BuildError, EnvelopeError};
use super::frame::{
    ENVELOPE_PATH, MESSAGE_PREFIXES, Section, close_envelope, enter_body, enter_first_section,
    finish_envelope, open_envelope, start_envelope,
};
use super::header::{
    HeaderFields, HeaderKind, MessageHeader, PROTOCOL_VERSION, not_served, operation_of,
    write_header,
};

/// The body of a request: one of the five management service requests.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestBody {
    /// Registers a client of a security server.
    ClientReg(xroad::ClientReg),
    /// Removes a client from a security server.
    ClientDeletion(xroad::ClientDeletion),
    /// Registers an authentication certificate of a security server.
    AuthCertReg(xroad::AuthCertReg),
    /// Removes an authentication certificate from a security server.
    AuthCertDeletion(xroad::AuthCertDeletion),
    /// Changes the owner of a security server.
    OwnerChange(xroad::OwnerChange),
}

impl RequestBody {
    /// The operation, whose name is the service code and the body element's name.
    pub fn operation(&self) -> OperationName {
        match self {
            RequestBody::ClientReg(_) => OperationName::ClientReg,
            RequestBody::ClientDeletion(_) => OperationName::ClientDeletion,
            RequestBody::AuthCertReg(_) => OperationName::AuthCertReg,
            RequestBody::AuthCertDeletion(_) => OperationName::AuthCertDeletion,
            RequestBody::OwnerChange(_) => OperationName::OwnerChange,
        }
    }

    /// Checks what the schema cannot: the body client's codes fit its object type, and no
    /// `requestId` is set.
    fn validate(&self) -> Result<(), BuildError> {
        let (client, request_id) = match self {
            RequestBody::ClientReg(body) => (Some(&body.0.client), body.0.request_id),
            RequestBody::ClientDeletion(body) => (Some(&body.0.client), body.0.request_id),
            RequestBody::OwnerChange(body) => (Some(&body.0.client), body.0.request_id),
            RequestBody::AuthCertReg(body) => (None, body.0.request_id),
            RequestBody::AuthCertDeletion(body) => (None, body.0.request_id),
        };
        if let Some(client) = client {
            client.validate().map_err(|source| BuildError::Identifier {
                field: "body client",
                source,
            })?;
        }
        match request_id {
            Some(id) => Err(BuildError::RequestIdInRequest(id.0)),
            None => Ok(()),
        }
    }

    /// Reads the body element (still to be entered), which must be the one `operation` names.
    fn read(reader: &mut Reader<'_>, operation: OperationName) -> Result<Self, EnvelopeError> {
        let (start, path) = enter_body_element(reader, operation.as_str())?;
        let rule = RequestIdRule::Forbidden;
        Ok(match operation {
            OperationName::ClientReg => RequestBody::ClientReg(xroad::ClientReg(client_reg_body(
                read_client_request(reader, &start, &path, rule)?,
            ))),
            OperationName::ClientDeletion => RequestBody::ClientDeletion(xroad::ClientDeletion(
                read_client_request(reader, &start, &path, rule)?,
            )),
            OperationName::OwnerChange => RequestBody::OwnerChange(xroad::OwnerChange(
                read_client_request(reader, &start, &path, rule)?,
            )),
            OperationName::AuthCertReg => RequestBody::AuthCertReg(xroad::AuthCertReg(
                read_auth_cert_reg(reader, &start, &path, rule)?,
            )),
            OperationName::AuthCertDeletion => RequestBody::AuthCertDeletion(
                xroad::AuthCertDeletion(read_auth_cert_deletion(reader, &start, &path, rule)?),
            ),
            other => return Err(not_served(other)),
        })
    }

    /// Writes the body element.
    fn write(&self, writer: &mut Writer) -> Result<(), xml::Error> {
        let name = self.operation().as_str();
        match self {
            RequestBody::ClientReg(body) => writer.element(xroad::NAMESPACE, name, body),
            RequestBody::ClientDeletion(body) => writer.element(xroad::NAMESPACE, name, body),
            RequestBody::AuthCertReg(body) => writer.element(xroad::NAMESPACE, name, body),
            RequestBody::AuthCertDeletion(body) => writer.element(xroad::NAMESPACE, name, body),
            RequestBody::OwnerChange(body) => writer.element(xroad::NAMESPACE, name, body),
        }
    }
}

impl From<xroad::ClientReg> for RequestBody {
    fn from(body: xroad::ClientReg) -> Self {
        RequestBody::ClientReg(body)
    }
}

impl From<xroad::ClientDeletion> for RequestBody {
    fn from(body: xroad::ClientDeletion) -> Self {
        RequestBody::ClientDeletion(body)
    }
}

impl From<xroad::AuthCertReg> for RequestBody {
    fn from(body: xroad::AuthCertReg) -> Self {
        RequestBody::AuthCertReg(body)
    }
}

impl From<xroad::AuthCertDeletion> for RequestBody {
    fn from(body: xroad::AuthCertDeletion) -> Self {
        RequestBody::AuthCertDeletion(body)
    }
}

impl From<xroad::OwnerChange> for RequestBody {
    fn from(body: xroad::OwnerChange) -> Self {
        RequestBody::OwnerChange(body)
    }
}

/// A management service request: the X-Road header and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The mandatory X-Road header fields; `request_hash` is always `None` in a request.
    pub header: Header,
    /// The optional `userId` header field (never set by [`Request::new`]).
    pub user_id: Option<String>,
    /// The optional `issue` header field (never set by [`Request::new`]).
    pub issue: Option<String>,
    /// The body.
    pub body: RequestBody,
}

impl Request {
    /// A request from the security server's owner `client` to the management service
    /// `provider` (a member or subsystem), with a fresh UUID (version 4) as `id`.
    pub fn new(
        client: XRoadClientIdentifierType,
        provider: &XRoadClientIdentifierType,
        body: impl Into<RequestBody>,
    ) -> Result<Self, BuildError> {
        Self::with_id(client, provider, body, uuid::Uuid::new_v4().to_string())
    }

    /// Like [`Request::new`] with the given `id`.
    pub fn with_id(
        client: XRoadClientIdentifierType,
        provider: &XRoadClientIdentifierType,
        body: impl Into<RequestBody>,
        id: impl Into<String>,
    ) -> Result<Self, BuildError> {
        client.validate().map_err(|source| BuildError::Identifier {
            field: "client",
            source,
        })?;
        if client.object_type != XRoadObjectType::Member {
            return Err(BuildError::ClientNotMember {
                found: client.object_type,
            });
        }
        provider
            .validate()
            .map_err(|source| BuildError::Identifier {
                field: "service provider",
                source,
            })?;
        let body = body.into();
        body.validate()?;
        let operation = body.operation();
        // Operation names are valid codes; the error only keeps this free of panics.
        let service_code =
            Code::new(operation.as_str()).map_err(|source| BuildError::Identifier {
                field: "service",
                source: IdentifierError::Code {
                    index: if provider.subsystem_code.is_some() {
                        5
                    } else {
                        4
                    },
                    source,
                },
            })?;
        let service = XRoadServiceIdentifierType {
            object_type: XRoadObjectType::Service,
            x_road_instance: provider.x_road_instance.clone(),
            member_class: provider.member_class.clone(),
            member_code: provider.member_code.clone(),
            subsystem_code: provider.subsystem_code.clone(),
            service_code,
            service_version: None,
        };
        Ok(Request {
            header: Header {
                client,
                service,
                id: id.into(),
                protocol_version: PROTOCOL_VERSION.to_owned(),
                request_hash: None,
            },
            user_id: None,
            issue: None,
            body,
        })
    }

    /// The operation the request is for.
    pub fn operation(&self) -> OperationName {
        self.body.operation()
    }

    /// The SOAP message: XML declaration, `SOAP-ENV`, `id` and `xroad` prefixes on the
    /// envelope, no indentation.
    pub fn to_soap(&self) -> Result<Vec<u8>, BuildError> {
        let mut writer = start_envelope(MESSAGE_PREFIXES)?;
        write_header(
            &mut writer,
            &self.header,
            self.user_id.as_ref(),
            self.issue.as_ref(),
        )?;
        writer.start(ENVELOPE_NS, "Body")?;
        self.body.write(&mut writer)?;
        writer.end()?;
        Ok(finish_envelope(writer)?)
    }
}

/// A request and its SOAP message, kept together because the response is checked against
/// both (the echoed fields and the hash of the exact bytes sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRequest {
    /// The request.
    pub request: Request,
    /// Its SOAP message, to be sent as is.
    pub soap: Vec<u8>,
}

/// Builds a request (see [`Request::new`]) and its SOAP message.
pub fn build_request(
    client: XRoadClientIdentifierType,
    provider: &XRoadClientIdentifierType,
    body: impl Into<RequestBody>,
) -> Result<EncodedRequest, BuildError> {
    let request = Request::new(client, provider, body)?;
    let soap = request.to_soap()?;
    Ok(EncodedRequest { request, soap })
}

/// Parses a request's SOAP message strictly: header fields in any order, each at most once
/// (`client`, `service`, `id`, `protocolVersion` mandatory, `userId` and `issue` optional),
/// `protocolVersion` `4.x`, a service code naming one of the five services, and the body
/// element that service code names, without `requestId`.
pub fn parse_request(soap: &[u8]) -> Result<Request, EnvelopeError> {
    let mut reader = open_envelope(soap)?;
    if enter_first_section(&mut reader)? == Section::Body {
        return Err(EnvelopeError::MissingHeader {
            path: ENVELOPE_PATH.to_owned(),
        });
    }
    let MessageHeader {
        header,
        user_id,
        issue,
    } = HeaderFields::read(&mut reader, HeaderKind::Request)?.complete()?;
    let operation = operation_of(&header.service)?;
    enter_body(&mut reader)?;
    let body = RequestBody::read(&mut reader, operation)?;
    close_envelope(&mut reader)?;
    Ok(Request {
        header,
        user_id,
        issue,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;

    fn owner() -> XRoadClientIdentifierType {
        "MEMBER:EE/GOV/TS1OWNER".parse().unwrap()
    }

    fn client_reg(client: &str) -> xroad::ClientReg {
        let server: XRoadSecurityServerIdentifierType =
            "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap();
        xroad::ClientReg(xroad::ClientRegRequestType {
            server,
            client: client.parse().unwrap(),
            subsystem_name: None,
            request_id: None,
        })
    }

    #[test]
    fn service_is_the_provider_and_the_operation() {
        let provider: XRoadClientIdentifierType = "SUBSYSTEM:EE/GOV/CS/management".parse().unwrap();
        let request =
            Request::with_id(owner(), &provider, client_reg("SUBSYSTEM:EE/COM/c/s"), "1").unwrap();
        assert_eq!(request.operation(), OperationName::ClientReg);
        assert_eq!(
            request.header.service.to_string(),
            "SERVICE:EE/GOV/CS/management/clientReg"
        );
        assert_eq!(request.header.protocol_version, PROTOCOL_VERSION);
        assert_eq!(request.header.request_hash, None);
        let fresh = Request::new(owner(), &provider, client_reg("SUBSYSTEM:EE/COM/c/s")).unwrap();
        assert!(uuid::Uuid::parse_str(&fresh.header.id).is_ok());
    }

    #[test]
    fn operations_of_bodies() {
        let registration = client_reg("MEMBER:EE/COM/c").0;
        let request = xroad::ClientRequestType {
            server: registration.server.clone(),
            client: registration.client.clone(),
            request_id: None,
        };
        let auth = xroad::AuthCertRegRequestType {
            server: request.server.clone(),
            address: None,
            auth_cert: vec![1],
            request_id: None,
        };
        let deletion = xroad::AuthCertDeletionRequestType {
            server: request.server.clone(),
            auth_cert: vec![1],
            request_id: None,
        };
        let bodies: [(RequestBody, OperationName); 5] = [
            (
                xroad::ClientReg(registration).into(),
                OperationName::ClientReg,
            ),
            (
                xroad::ClientDeletion(request.clone()).into(),
                OperationName::ClientDeletion,
            ),
            (
                xroad::OwnerChange(request).into(),
                OperationName::OwnerChange,
            ),
            (xroad::AuthCertReg(auth).into(), OperationName::AuthCertReg),
            (
                xroad::AuthCertDeletion(deletion).into(),
                OperationName::AuthCertDeletion,
            ),
        ];
        for (body, operation) in bodies {
            assert_eq!(body.operation(), operation);
        }
    }

    #[test]
    fn invalid_requests_are_not_built() {
        let provider = owner();
        let subsystem: XRoadClientIdentifierType = "SUBSYSTEM:EE/GOV/TS1OWNER/sub".parse().unwrap();
        assert_eq!(
            Request::new(subsystem, &provider, client_reg("MEMBER:EE/COM/c")),
            Err(BuildError::ClientNotMember {
                found: XRoadObjectType::Subsystem
            })
        );
        let mut shapeless = owner();
        shapeless.subsystem_code = Some(Code::new("sub").unwrap());
        assert!(matches!(
            Request::new(shapeless.clone(), &provider, client_reg("MEMBER:EE/COM/c")),
            Err(BuildError::Identifier {
                field: "client",
                ..
            })
        ));
        assert!(matches!(
            Request::new(owner(), &shapeless, client_reg("MEMBER:EE/COM/c")),
            Err(BuildError::Identifier {
                field: "service provider",
                ..
            })
        ));
        let mut body = client_reg("MEMBER:EE/COM/c");
        body.0.client.object_type = XRoadObjectType::Server;
        assert!(matches!(
            Request::new(owner(), &provider, body),
            Err(BuildError::Identifier {
                field: "body client",
                ..
            })
        ));
        let mut body = client_reg("MEMBER:EE/COM/c");
        body.0.request_id = Some(xroad::RequestIdType(5));
        assert_eq!(
            Request::new(owner(), &provider, body),
            Err(BuildError::RequestIdInRequest(5))
        );
    }

    #[test]
    fn unwritable_text_is_a_build_error() {
        let request =
            Request::with_id(owner(), &owner(), client_reg("MEMBER:EE/COM/c"), "a\u{1}b").unwrap();
        assert!(matches!(request.to_soap(), Err(BuildError::Xml(_))));
    }

    #[test]
    fn written_requests_parse_back() {
        let mut request =
            Request::with_id(owner(), &owner(), client_reg("MEMBER:EE/COM/c"), "x<&>").unwrap();
        request.user_id = Some("EE1".to_owned());
        request.issue = Some(" issue ".to_owned());
        let soap = request.to_soap().unwrap();
        assert_eq!(parse_request(&soap).unwrap(), request);
        let encoded = build_request(owner(), &owner(), client_reg("MEMBER:EE/COM/c")).unwrap();
        assert_eq!(parse_request(&encoded.soap).unwrap(), encoded.request);
    }
}

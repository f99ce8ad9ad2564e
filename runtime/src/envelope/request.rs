//! Management service requests: built by the security server, parsed by the central server.

use std::fmt;

use bytes::Bytes;

use xroad_codec::identifier::{Code, IdentifierError};
use xroad_codec::soap::ENVELOPE_NS;
use xroad_codec::xml::{ErrorKind, Reader, XmlRoot};
use xroad_mserv::centralservice::Header;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadServiceIdentifierType,
};

use super::classify::body_error;
use super::error::{BuildError, EnvelopeError};
use super::frame::{
    BODY_PATH, ENVELOPE_PATH, HEADER_PATH, MESSAGE_PREFIXES, Section, close_envelope, display_name,
    enter_body, enter_first_section, finish_envelope, open_envelope, start_envelope,
};
use super::header::{HeaderKind, read_header, write_header};
use crate::operation::{ManagementBody, ManagementOperation, Operation};

/// A management service request of operation `O`: the X-Road header and the body.
pub struct Request<O: Operation> {
    /// The X-Road header; `request_hash` is always `None` in a request.
    pub header: Header,
    /// The body.
    pub body: O::Request,
}

impl<O: Operation> Clone for Request<O> {
    fn clone(&self) -> Self {
        Self {
            header: self.header.clone(),
            body: self.body.clone(),
        }
    }
}

impl<O: Operation> fmt::Debug for Request<O>
where
    O::Request: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation", &O::NAME)
            .field("header", &self.header)
            .field("body", &self.body)
            .finish()
    }
}

impl<O: Operation> PartialEq for Request<O>
where
    O::Request: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.header == other.header && self.body == other.body
    }
}

impl<O: ManagementOperation> Request<O> {
    /// A request from the security server's owner `client` to the management service
    /// `provider` (a member or subsystem), with a fresh UUID (version 4) as `id`.
    pub fn new(
        client: XRoadClientIdentifierType,
        provider: &XRoadClientIdentifierType,
        body: O::Request,
    ) -> Result<Self, BuildError> {
        Self::with_id(client, provider, body, uuid::Uuid::new_v4().to_string())
    }

    /// Like [`Request::new`] with the given `id`.
    pub fn with_id(
        client: XRoadClientIdentifierType,
        provider: &XRoadClientIdentifierType,
        body: O::Request,
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
        if let Some(body_client) = body.client() {
            body_client
                .validate()
                .map_err(|source| BuildError::Identifier {
                    field: "body client",
                    source,
                })?;
        }
        if let Some(id) = body.request_id() {
            return Err(BuildError::RequestIdInRequest(id));
        }
        let service = service_of::<O>(provider)?;
        Ok(Request {
            header: Header::request(client, service, id),
            body,
        })
    }

    /// The SOAP message: XML declaration, `SOAP-ENV`, `id` and `xroad` prefixes on the
    /// envelope, no indentation.
    pub fn to_soap(&self) -> Result<Vec<u8>, BuildError> {
        let mut writer = start_envelope(MESSAGE_PREFIXES)?;
        write_header(&mut writer, &self.header)?;
        writer.start(ENVELOPE_NS, "Body")?;
        writer.element(
            <O::Request as XmlRoot>::NAMESPACE,
            <O::Request as XmlRoot>::NAME,
            &self.body,
        )?;
        writer.end()?;
        Ok(finish_envelope(writer)?)
    }

    /// The request and its SOAP message.
    pub fn encode(self) -> Result<EncodedRequest<O>, BuildError> {
        let soap = Bytes::from(self.to_soap()?);
        Ok(EncodedRequest {
            request: self,
            soap,
        })
    }
}

/// `SERVICE:<provider>/<operation>`.
fn service_of<O: Operation>(
    provider: &XRoadClientIdentifierType,
) -> Result<XRoadServiceIdentifierType, BuildError> {
    let service_code = Code::new(O::NAME).map_err(|source| BuildError::Identifier {
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
    Ok(XRoadServiceIdentifierType {
        object_type: XRoadObjectType::Service,
        x_road_instance: provider.x_road_instance.clone(),
        member_class: provider.member_class.clone(),
        member_code: provider.member_code.clone(),
        subsystem_code: provider.subsystem_code.clone(),
        service_code,
        service_version: None,
    })
}

/// A request and its SOAP message, kept together because the response is checked against
/// both (the echoed fields and the hash of the exact bytes sent).
pub struct EncodedRequest<O: Operation> {
    /// The request.
    pub request: Request<O>,
    /// Its SOAP message, to be sent as is.
    pub soap: Bytes,
}

impl<O: Operation> Clone for EncodedRequest<O> {
    fn clone(&self) -> Self {
        Self {
            request: self.request.clone(),
            soap: self.soap.clone(),
        }
    }
}

impl<O: Operation> fmt::Debug for EncodedRequest<O>
where
    O::Request: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncodedRequest")
            .field("request", &self.request)
            .field("soap", &String::from_utf8_lossy(&self.soap))
            .finish()
    }
}

/// A request envelope read up to its body: the header is read and checked, the body not yet,
/// because which operation's body it holds is known only from the header's service code.
/// The central server reads the header once, picks the operation, and reads on.
pub struct OpenRequest<'a> {
    reader: Reader<'a>,
    header: Header,
}

impl fmt::Debug for OpenRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenRequest")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl<'a> OpenRequest<'a> {
    /// Reads the envelope of a request up to its body, strictly: header fields in any order,
    /// each at most once (`client`, `service`, `id`, `protocolVersion` mandatory), no
    /// `requestHash`, `protocolVersion` `4.x`.
    pub fn parse(soap: &'a [u8]) -> Result<Self, EnvelopeError> {
        let mut reader = open_envelope(soap)?;
        let Section::Header(start) = enter_first_section(&mut reader)? else {
            return Err(EnvelopeError::MissingHeader {
                path: ENVELOPE_PATH.to_owned(),
            });
        };
        let header = read_header(&mut reader, &start, HeaderKind::Request)?;
        Ok(Self { reader, header })
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The service code the header names.
    pub fn service_code(&self) -> &str {
        self.header.service.service_code.as_str()
    }

    /// [`EnvelopeError::UnknownService`]: the service code names no operation served here.
    pub fn unknown_service(&self) -> EnvelopeError {
        EnvelopeError::UnknownService {
            path: format!("{HEADER_PATH}/service/serviceCode"),
            code: self.service_code().to_owned(),
        }
    }

    /// Checks that the service code names operation `O`;
    /// [`EnvelopeError::ServiceMismatch`] otherwise.
    pub fn expect_operation<O: Operation>(&self) -> Result<(), EnvelopeError> {
        if self.service_code() == O::NAME {
            return Ok(());
        }
        Err(EnvelopeError::ServiceMismatch {
            path: format!("{HEADER_PATH}/service/serviceCode"),
            code: self.service_code().to_owned(),
            expected: O::NAME,
        })
    }

    /// Reads the body, which must be the request element of operation `O` (the one the
    /// service code names) without `requestId`, and the end of the envelope.
    pub fn into_request<O: ManagementOperation>(mut self) -> Result<Request<O>, EnvelopeError> {
        enter_body(&mut self.reader)?;
        let body = read_body::<O::Request>(&mut self.reader)?;
        if body.request_id().is_some() {
            return Err(EnvelopeError::RequestIdInRequest {
                path: format!("{BODY_PATH}/{}/requestId", <O::Request as XmlRoot>::NAME),
            });
        }
        close_envelope(&mut self.reader)?;
        Ok(Request {
            header: self.header,
            body,
        })
    }
}

/// Reads the body element (still to be entered), which must be `B`'s element.
pub(crate) fn read_body<B: XmlRoot>(reader: &mut Reader<'_>) -> Result<B, EnvelopeError> {
    let Some(start) = reader.next_child()? else {
        return Err(reader
            .error(ErrorKind::MissingElement {
                expected: display_name(B::NAMESPACE, B::NAME),
                found: None,
            })
            .into());
    };
    if start.local_name() != B::NAME || start.namespace() != B::NAMESPACE {
        return Err(EnvelopeError::BodyMismatch {
            path: format!("{BODY_PATH}/{}", start.local_name()),
            expected: display_name(B::NAMESPACE, B::NAME),
            found: display_name(start.namespace(), start.local_name()),
        });
    }
    B::read(reader, &start).map_err(body_error)
}

/// Parses a request's SOAP message whose service code must name operation `O`: the header
/// as [`OpenRequest::parse`] reads it, then the body.
pub fn parse_request<O: ManagementOperation>(soap: &[u8]) -> Result<Request<O>, EnvelopeError> {
    let open = OpenRequest::parse(soap)?;
    open.expect_operation::<O>()?;
    open.into_request()
}

#[cfg(test)]
mod tests {
    use super::*;
    use xroad_mserv::centralservice::ClientReg;
    use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
    use xroad_mserv::xroad;

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
        let request = Request::<ClientReg>::with_id(
            owner(),
            &provider,
            client_reg("SUBSYSTEM:EE/COM/c/s"),
            "1",
        )
        .unwrap();
        assert_eq!(
            request.header.service.to_string(),
            "SERVICE:EE/GOV/CS/management/clientReg"
        );
        assert_eq!(request.header.protocol_version, "4.0");
        assert_eq!(request.header.request_hash, None);
        let fresh =
            Request::<ClientReg>::new(owner(), &provider, client_reg("SUBSYSTEM:EE/COM/c/s"))
                .unwrap();
        assert!(uuid::Uuid::parse_str(&fresh.header.id).is_ok());
    }

    #[test]
    fn invalid_requests_are_not_built() {
        let provider = owner();
        let subsystem: XRoadClientIdentifierType = "SUBSYSTEM:EE/GOV/TS1OWNER/sub".parse().unwrap();
        assert_eq!(
            Request::<ClientReg>::new(subsystem, &provider, client_reg("MEMBER:EE/COM/c"))
                .unwrap_err(),
            BuildError::ClientNotMember {
                found: XRoadObjectType::Subsystem
            }
        );
        let mut shapeless = owner();
        shapeless.subsystem_code = Some(Code::new("sub").unwrap());
        assert!(matches!(
            Request::<ClientReg>::new(shapeless.clone(), &provider, client_reg("MEMBER:EE/COM/c")),
            Err(BuildError::Identifier {
                field: "client",
                ..
            })
        ));
        assert!(matches!(
            Request::<ClientReg>::new(owner(), &shapeless, client_reg("MEMBER:EE/COM/c")),
            Err(BuildError::Identifier {
                field: "service provider",
                ..
            })
        ));
        let mut body = client_reg("MEMBER:EE/COM/c");
        body.0.client.object_type = XRoadObjectType::Server;
        assert!(matches!(
            Request::<ClientReg>::new(owner(), &provider, body),
            Err(BuildError::Identifier {
                field: "body client",
                ..
            })
        ));
        let mut body = client_reg("MEMBER:EE/COM/c");
        body.0.request_id = Some(xroad::RequestIdType(5));
        assert_eq!(
            Request::<ClientReg>::new(owner(), &provider, body).unwrap_err(),
            BuildError::RequestIdInRequest(5)
        );
    }

    #[test]
    fn unwritable_text_is_a_build_error() {
        let request = Request::<ClientReg>::with_id(
            owner(),
            &owner(),
            client_reg("MEMBER:EE/COM/c"),
            "a\u{1}b",
        )
        .unwrap();
        assert!(matches!(request.to_soap(), Err(BuildError::Xml(_))));
    }

    #[test]
    fn written_requests_parse_back() {
        let mut request =
            Request::<ClientReg>::with_id(owner(), &owner(), client_reg("MEMBER:EE/COM/c"), "x<&>")
                .unwrap();
        request.header.user_id = Some("EE1".to_owned());
        request.header.issue = Some(" issue ".to_owned());
        let soap = request.to_soap().unwrap();
        assert_eq!(parse_request::<ClientReg>(&soap).unwrap(), request);
        let open = OpenRequest::parse(&soap).unwrap();
        assert_eq!(open.service_code(), "clientReg");
        assert_eq!(open.header(), &request.header);
        let encoded = Request::<ClientReg>::new(owner(), &owner(), client_reg("MEMBER:EE/COM/c"))
            .unwrap()
            .encode()
            .unwrap();
        assert_eq!(
            parse_request::<ClientReg>(&encoded.soap).unwrap(),
            encoded.request
        );
    }
}

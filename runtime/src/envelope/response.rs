//! Management service responses: the request echoed with `requestId` (and the request's hash),
//! built by the central server and checked by the security server against what it sent.

use base64::Engine as _;
use xroad_codec::soap::ENVELOPE_NS;
use xroad_codec::xml::{self, Reader, Writer, XmlText};
use xroad_mserv::centralservice::{Header, OperationName};
use xroad_mserv::xroad::{
    self, AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRegRequestType,
    ClientRequestType, RequestHash, RequestIdType,
};

use super::body::{
    RequestIdRule, client_reg_body, enter_body_element, read_auth_cert_deletion,
    read_auth_cert_reg, read_client_request,
};
use super::error::{BuildError, EnvelopeError, ResponseError};
use super::fault::{SoapFault, is_fault_next, read_fault};
use super::frame::{
    BODY_PATH, ENVELOPE_PATH, HEADER_PATH, MESSAGE_PREFIXES, Section, close_envelope, enter_body,
    enter_first_section, finish_envelope, open_envelope, start_envelope,
};
use super::header::{
    HeaderFields, HeaderKind, MessageHeader, not_served, operation_of, write_header,
};
use super::request::{Request, RequestBody};

/// `algorithmId` of `requestHash`: SHA-512, as the reference implementation writes it.
pub const SHA512_ALGORITHM_ID: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

const CLIENT_PATH: &str = "/Envelope/Header/client";
const SERVICE_PATH: &str = "/Envelope/Header/service";
const ID_PATH: &str = "/Envelope/Header/id";
const PROTOCOL_VERSION_PATH: &str = "/Envelope/Header/protocolVersion";
const USER_ID_PATH: &str = "/Envelope/Header/userId";
const ISSUE_PATH: &str = "/Envelope/Header/issue";
const REQUEST_HASH_PATH: &str = "/Envelope/Header/requestHash";
const REQUEST_HASH_ALGORITHM_PATH: &str = "/Envelope/Header/requestHash/@algorithmId";

/// The `requestHash` of a response to the request whose SOAP message is `soap` (exactly the
/// bytes sent or received): base64 of its SHA-512 hash, on one line.
pub fn request_hash(soap: &[u8]) -> RequestHash {
    let digest = openssl::sha::sha512(soap);
    RequestHash {
        algorithm_id: SHA512_ALGORITHM_ID.to_owned(),
        value: base64::engine::general_purpose::STANDARD.encode(digest),
    }
}

/// The body of a response: the request's fields and `requestId`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseBody {
    /// Answers `clientReg`.
    ClientReg(xroad::ClientRegResponse),
    /// Answers `clientDeletion`.
    ClientDeletion(xroad::ClientDeletionResponse),
    /// Answers `authCertReg`.
    AuthCertReg(xroad::AuthCertRegResponse),
    /// Answers `authCertDeletion`.
    AuthCertDeletion(xroad::AuthCertDeletionResponse),
    /// Answers `ownerChange`.
    OwnerChange(xroad::OwnerChangeResponse),
}

impl ResponseBody {
    /// The operation answered.
    pub fn operation(&self) -> OperationName {
        match self {
            ResponseBody::ClientReg(_) => OperationName::ClientReg,
            ResponseBody::ClientDeletion(_) => OperationName::ClientDeletion,
            ResponseBody::AuthCertReg(_) => OperationName::AuthCertReg,
            ResponseBody::AuthCertDeletion(_) => OperationName::AuthCertDeletion,
            ResponseBody::OwnerChange(_) => OperationName::OwnerChange,
        }
    }

    /// The `requestId` the central server assigned, if present.
    pub fn request_id(&self) -> Option<i64> {
        let id = match self {
            ResponseBody::ClientReg(body) => body.0.request_id,
            ResponseBody::ClientDeletion(body) => body.0.request_id,
            ResponseBody::AuthCertReg(body) => body.0.request_id,
            ResponseBody::AuthCertDeletion(body) => body.0.request_id,
            ResponseBody::OwnerChange(body) => body.0.request_id,
        };
        id.map(|id| id.0)
    }

    /// The request's fields with `requestId` set.
    fn echo(request: &RequestBody, request_id: RequestIdType) -> Self {
        let client = |body: &ClientRequestType| ClientRequestType {
            request_id: Some(request_id),
            ..body.clone()
        };
        match request {
            RequestBody::ClientReg(body) => {
                ResponseBody::ClientReg(xroad::ClientRegResponse(ClientRegRequestType {
                    request_id: Some(request_id),
                    ..body.0.clone()
                }))
            }
            RequestBody::ClientDeletion(body) => {
                ResponseBody::ClientDeletion(xroad::ClientDeletionResponse(client(&body.0)))
            }
            RequestBody::OwnerChange(body) => {
                ResponseBody::OwnerChange(xroad::OwnerChangeResponse(client(&body.0)))
            }
            RequestBody::AuthCertReg(body) => {
                ResponseBody::AuthCertReg(xroad::AuthCertRegResponse(AuthCertRegRequestType {
                    request_id: Some(request_id),
                    ..body.0.clone()
                }))
            }
            RequestBody::AuthCertDeletion(body) => ResponseBody::AuthCertDeletion(
                xroad::AuthCertDeletionResponse(AuthCertDeletionRequestType {
                    request_id: Some(request_id),
                    ..body.0.clone()
                }),
            ),
        }
    }

    /// Name of the body element: `<serviceCode>Response`.
    fn element_name(operation: OperationName) -> String {
        format!("{}Response", operation.as_str())
    }

    /// Reads the body element (still to be entered), which must answer `operation`.
    fn read(reader: &mut Reader<'_>, operation: OperationName) -> Result<Self, EnvelopeError> {
        let (start, path) = enter_body_element(reader, &Self::element_name(operation))?;
        let rule = RequestIdRule::Optional;
        Ok(match operation {
            OperationName::ClientReg => ResponseBody::ClientReg(xroad::ClientRegResponse(
                client_reg_body(read_client_request(reader, &start, &path, rule)?),
            )),
            OperationName::ClientDeletion => ResponseBody::ClientDeletion(
                xroad::ClientDeletionResponse(read_client_request(reader, &start, &path, rule)?),
            ),
            OperationName::OwnerChange => ResponseBody::OwnerChange(xroad::OwnerChangeResponse(
                read_client_request(reader, &start, &path, rule)?,
            )),
            OperationName::AuthCertReg => ResponseBody::AuthCertReg(xroad::AuthCertRegResponse(
                read_auth_cert_reg(reader, &start, &path, rule)?,
            )),
            OperationName::AuthCertDeletion => {
                ResponseBody::AuthCertDeletion(xroad::AuthCertDeletionResponse(
                    read_auth_cert_deletion(reader, &start, &path, rule)?,
                ))
            }
            other => return Err(not_served(other)),
        })
    }

    /// Writes the body element.
    fn write(&self, writer: &mut Writer) -> Result<(), xml::Error> {
        let name = Self::element_name(self.operation());
        match self {
            ResponseBody::ClientReg(body) => writer.element(xroad::NAMESPACE, &name, body),
            ResponseBody::ClientDeletion(body) => writer.element(xroad::NAMESPACE, &name, body),
            ResponseBody::AuthCertReg(body) => writer.element(xroad::NAMESPACE, &name, body),
            ResponseBody::AuthCertDeletion(body) => writer.element(xroad::NAMESPACE, &name, body),
            ResponseBody::OwnerChange(body) => writer.element(xroad::NAMESPACE, &name, body),
        }
    }
}

/// A management service response: the request's header (with `requestHash`, except for
/// `authCertReg`) and the response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The request's header fields and `requestHash`.
    pub header: Header,
    /// The request's `userId`, echoed.
    pub user_id: Option<String>,
    /// The request's `issue`, echoed.
    pub issue: Option<String>,
    /// The body.
    pub body: ResponseBody,
}

impl Response {
    /// The response to `request`, whose SOAP message was `request_soap` (exactly the bytes
    /// received), recorded by the central server as `request_id`.
    ///
    /// `authCertReg` is not an X-Road message (it is posted to the central server directly)
    /// and its response carries no `requestHash`; every other response does.
    pub fn answer(
        request: &Request,
        request_soap: &[u8],
        request_id: i64,
    ) -> Result<Self, BuildError> {
        if request_id <= 0 {
            return Err(BuildError::NonPositiveRequestId(request_id));
        }
        let request_hash = match request.operation() {
            OperationName::AuthCertReg => None,
            _ => Some(request_hash(request_soap)),
        };
        Ok(Response {
            header: Header {
                request_hash,
                ..request.header.clone()
            },
            user_id: request.user_id.clone(),
            issue: request.issue.clone(),
            body: ResponseBody::echo(&request.body, RequestIdType(request_id)),
        })
    }

    /// The SOAP message, with the prefixes of requests.
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

/// What a management service answers: a response or a SOAP fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The request was accepted (boxed: a response is much larger than a fault).
    Response(Box<Response>),
    /// The request was refused.
    Fault(SoapFault),
}

/// Builds the SOAP message of the response to `request` (see [`Response::answer`]).
pub fn build_response(
    request: &Request,
    request_soap: &[u8],
    request_id: i64,
) -> Result<Vec<u8>, BuildError> {
    Response::answer(request, request_soap, request_id)?.to_soap()
}

/// Parses a reply without comparing it to a request: a SOAP fault (the header, if any, is
/// read and ignored), or a response whose header fields come in any order and whose body is
/// the `<serviceCode>Response` element of its service code.
pub fn parse_reply(soap: &[u8]) -> Result<Reply, EnvelopeError> {
    let mut reader = open_envelope(soap)?;
    let fields = match enter_first_section(&mut reader)? {
        Section::Header => {
            let fields = HeaderFields::read(&mut reader, HeaderKind::Response)?;
            enter_body(&mut reader)?;
            Some(fields)
        }
        Section::Body => None,
    };
    if is_fault_next(&mut reader)? {
        let fault = read_fault(&mut reader)?;
        close_envelope(&mut reader)?;
        return Ok(Reply::Fault(fault));
    }
    let Some(fields) = fields else {
        return Err(EnvelopeError::MissingHeader {
            path: ENVELOPE_PATH.to_owned(),
        });
    };
    let MessageHeader {
        header,
        user_id,
        issue,
    } = fields.complete()?;
    let operation = operation_of(&header.service)?;
    let body = ResponseBody::read(&mut reader, operation)?;
    close_envelope(&mut reader)?;
    Ok(Reply::Response(Box::new(Response {
        header,
        user_id,
        issue,
        body,
    })))
}

/// Parses the reply to `request`, sent as `request_soap`, and checks that it answers it:
/// `client`, `service`, `id`, `protocolVersion` (and `userId`, `issue`) as sent, the body
/// `<serviceCode>Response` with the request's fields, `requestHash` the SHA-512 hash of
/// `request_soap` (absent for `authCertReg`), and a positive `requestId`, which is returned.
///
/// A SOAP fault is [`ResponseError::Fault`].
pub fn parse_response(
    request: &Request,
    request_soap: &[u8],
    response_soap: &[u8],
) -> Result<i64, ResponseError> {
    let response = match parse_reply(response_soap)? {
        Reply::Response(response) => *response,
        Reply::Fault(fault) => return Err(ResponseError::Fault(fault)),
    };
    check_header(request, &response)?;
    check_request_hash(
        request.operation(),
        response.header.request_hash.as_ref(),
        request_soap,
    )?;
    let request_id = check_body(&request.body, &response.body)?;
    let body_path = format!(
        "{BODY_PATH}/{}",
        ResponseBody::element_name(request.operation())
    );
    match request_id {
        None => Err(ResponseError::MissingRequestId { path: body_path }),
        Some(RequestIdType(id)) if id <= 0 => Err(ResponseError::NonPositiveRequestId {
            path: format!("{body_path}/requestId"),
            found: id,
        }),
        Some(RequestIdType(id)) => Ok(id),
    }
}

/// Fails with [`ResponseError::HeaderMismatch`] unless `sent == received`.
fn same<T: PartialEq>(
    path: &'static str,
    sent: &T,
    received: &T,
    text: impl Fn(&T) -> String,
) -> Result<(), ResponseError> {
    if sent == received {
        return Ok(());
    }
    Err(ResponseError::HeaderMismatch {
        path,
        sent: text(sent),
        received: text(received),
    })
}

fn optional_text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// The header fields the response echoes.
fn check_header(request: &Request, response: &Response) -> Result<(), ResponseError> {
    let (sent, received) = (&request.header, &response.header);
    same(CLIENT_PATH, &sent.client, &received.client, |id| {
        id.to_string()
    })?;
    same(SERVICE_PATH, &sent.service, &received.service, |id| {
        id.to_string()
    })?;
    same(ID_PATH, &sent.id, &received.id, String::clone)?;
    same(
        PROTOCOL_VERSION_PATH,
        &sent.protocol_version,
        &received.protocol_version,
        String::clone,
    )?;
    same(
        USER_ID_PATH,
        &request.user_id,
        &response.user_id,
        optional_text,
    )?;
    same(ISSUE_PATH, &request.issue, &response.issue, optional_text)
}

/// `requestHash`: absent for `authCertReg`, otherwise SHA-512 of the bytes sent.
fn check_request_hash(
    operation: OperationName,
    hash: Option<&RequestHash>,
    request_soap: &[u8],
) -> Result<(), ResponseError> {
    let hash = match (operation, hash) {
        (OperationName::AuthCertReg, None) => return Ok(()),
        (OperationName::AuthCertReg, Some(_)) => {
            return Err(ResponseError::UnexpectedRequestHash {
                path: REQUEST_HASH_PATH,
            });
        }
        (_, None) => return Err(ResponseError::MissingRequestHash { path: HEADER_PATH }),
        (_, Some(hash)) => hash,
    };
    if hash.algorithm_id != SHA512_ALGORITHM_ID {
        return Err(ResponseError::RequestHashAlgorithm {
            path: REQUEST_HASH_ALGORITHM_PATH,
            found: hash.algorithm_id.clone(),
            expected: SHA512_ALGORITHM_ID,
        });
    }
    // The value may be line-wrapped (Annex A): base64 with XML whitespace ignored.
    let digest =
        Vec::<u8>::from_text(&hash.value).map_err(|e| ResponseError::RequestHashEncoding {
            path: REQUEST_HASH_PATH,
            reason: e.0,
        })?;
    if digest[..] != openssl::sha::sha512(request_soap)[..] {
        return Err(ResponseError::RequestHashMismatch {
            path: REQUEST_HASH_PATH,
        });
    }
    Ok(())
}

/// The body fields the response echoes; returns its `requestId`.
fn check_body(
    request: &RequestBody,
    response: &ResponseBody,
) -> Result<Option<RequestIdType>, ResponseError> {
    let path = format!(
        "{BODY_PATH}/{}",
        ResponseBody::element_name(request.operation())
    );
    let field = |name: &str| ResponseError::BodyMismatch {
        path: format!("{path}/{name}"),
    };
    let client = |sent: &ClientRequestType, received: &ClientRequestType| {
        if sent.server != received.server {
            return Err(field("server"));
        }
        if sent.client != received.client {
            return Err(field("client"));
        }
        Ok(received.request_id)
    };
    match (request, response) {
        (RequestBody::ClientReg(sent), ResponseBody::ClientReg(received)) => {
            let (sent, received) = (&sent.0, &received.0);
            if sent.server != received.server {
                return Err(field("server"));
            }
            if sent.client != received.client {
                return Err(field("client"));
            }
            Ok(received.request_id)
        }
        (RequestBody::ClientDeletion(sent), ResponseBody::ClientDeletion(received)) => {
            client(&sent.0, &received.0)
        }
        (RequestBody::OwnerChange(sent), ResponseBody::OwnerChange(received)) => {
            client(&sent.0, &received.0)
        }
        (RequestBody::AuthCertReg(sent), ResponseBody::AuthCertReg(received)) => {
            let (sent, received) = (&sent.0, &received.0);
            if sent.server != received.server {
                return Err(field("server"));
            }
            if sent.address != received.address {
                return Err(field("address"));
            }
            if sent.auth_cert != received.auth_cert {
                return Err(field("authCert"));
            }
            Ok(received.request_id)
        }
        (RequestBody::AuthCertDeletion(sent), ResponseBody::AuthCertDeletion(received)) => {
            let (sent, received) = (&sent.0, &received.0);
            if sent.server != received.server {
                return Err(field("server"));
            }
            if sent.auth_cert != received.auth_cert {
                return Err(field("authCert"));
            }
            Ok(received.request_id)
        }
        // The header check has compared the service codes, which name the body element; a
        // different operation here means the caller's request is inconsistent.
        _ => Err(ResponseError::BodyMismatch { path }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

    fn request(body: RequestBody) -> Request {
        let owner: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
        let mut request = Request::with_id(owner.clone(), &owner, body, "id-1").unwrap();
        request.user_id = Some("EE1".to_owned());
        request
    }

    fn server() -> XRoadSecurityServerIdentifierType {
        "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap()
    }

    #[test]
    fn request_hash_is_base64_sha512() {
        // SHA-512 of the empty string (FIPS 180-2 test vector).
        let hash = request_hash(b"");
        assert_eq!(hash.algorithm_id, SHA512_ALGORITHM_ID);
        assert_eq!(
            hash.value,
            "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
        );
    }

    #[test]
    fn answers_echo_the_request() {
        let body = xroad::ClientDeletion(ClientRequestType {
            server: server(),
            client: "MEMBER:EE/COM/c".parse().unwrap(),
            request_id: None,
        });
        let request = request(body.clone().into());
        let response = Response::answer(&request, b"soap", 7).unwrap();
        assert_eq!(response.header.request_hash, Some(request_hash(b"soap")));
        assert_eq!(response.header.id, request.header.id);
        assert_eq!(response.user_id, request.user_id);
        assert_eq!(response.body.operation(), OperationName::ClientDeletion);
        assert_eq!(response.body.request_id(), Some(7));
        let ResponseBody::ClientDeletion(echoed) = &response.body else {
            panic!("{response:?}");
        };
        assert_eq!(echoed.0.client, body.0.client);
        assert_eq!(echoed.0.server, body.0.server);
    }

    #[test]
    fn auth_cert_reg_answers_carry_no_hash() {
        let body = xroad::AuthCertReg(AuthCertRegRequestType {
            server: server(),
            address: Some("10.0.0.1".to_owned()),
            auth_cert: vec![0x30, 0x00],
            request_id: None,
        });
        let response = Response::answer(&request(body.into()), b"soap", 1).unwrap();
        assert_eq!(response.header.request_hash, None);
        assert_eq!(response.body.request_id(), Some(1));
        let soap = response.to_soap().unwrap();
        assert_eq!(
            parse_reply(&soap).unwrap(),
            Reply::Response(Box::new(response))
        );
    }

    #[test]
    fn hash_follows_user_id_and_precedes_protocol_version() {
        let body = xroad::OwnerChange(ClientRequestType {
            server: server(),
            client: "MEMBER:EE/COM/new".parse().unwrap(),
            request_id: None,
        });
        let soap = build_response(&request(body.into()), b"soap", 3).unwrap();
        let text = String::from_utf8(soap).unwrap();
        let position = |needle: &str| text.find(needle).unwrap();
        assert!(position("<xroad:id>") < position("<xroad:userId>"));
        assert!(position("<xroad:userId>") < position("<xroad:requestHash "));
        assert!(position("<xroad:requestHash ") < position("<xroad:protocolVersion>"));
        assert!(text.contains("<xroad:requestId>3</xroad:requestId></xroad:ownerChangeResponse>"));
    }
}

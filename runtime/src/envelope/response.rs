//! Management service responses: the request's header echoed (with the request's hash where
//! the operation asks for it) and the body the operation builds from the request, built by
//! the central server and checked by the security server against what it sent.

use std::fmt;

use base64::Engine as _;
use xroad_codec::soap::ENVELOPE_NS;
use xroad_codec::xml::{XmlRoot, XmlText};
use xroad_mserv::centralservice::Header;
use xroad_mserv::xroad::RequestHash;

use super::error::{BuildError, EnvelopeError};
use super::fault::{SoapFault, is_fault_next, read_fault};
use super::frame::{
    BODY_PATH, ENVELOPE_PATH, HEADER_PATH, MESSAGE_PREFIXES, Section, close_envelope, enter_body,
    enter_first_section, finish_envelope, open_envelope, start_envelope,
};
use super::header::{HeaderKind, read_header, write_header};
use super::request::{Request, read_body};
use super::response_error::ResponseError;
use crate::operation::{ManagementBody, ManagementOperation, Operation};

/// `algorithmId` of `requestHash`: SHA-512, as the reference implementation writes it.
pub const SHA512_ALGORITHM_ID: &str = "http://www.w3.org/2001/04/xmlenc#sha512";

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

/// A management service response of operation `O`: the request's header (with
/// `requestHash`, where it is carried) and the response body.
pub struct Response<O: Operation> {
    /// The request's header fields and `requestHash`.
    pub header: Header,
    /// The body.
    pub body: O::Response,
}

impl<O: Operation> Clone for Response<O> {
    fn clone(&self) -> Self {
        Self {
            header: self.header.clone(),
            body: self.body.clone(),
        }
    }
}

impl<O: Operation> fmt::Debug for Response<O>
where
    O::Response: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("operation", &O::NAME)
            .field("header", &self.header)
            .field("body", &self.body)
            .finish()
    }
}

impl<O: Operation> PartialEq for Response<O>
where
    O::Response: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        self.header == other.header && self.body == other.body
    }
}

impl<O: ManagementOperation> Response<O> {
    /// The response to `request`, whose SOAP message was `request_soap` (exactly the bytes
    /// received), recorded by the central server as `request_id`. With `request_hash`, the
    /// header carries the SHA-512 hash of `request_soap`: a central server answering security
    /// servers directly adds it to every X-Road message's response; behind a management
    /// service provider's security server, which adds it itself, it does not.
    pub fn answer(
        request: &Request<O>,
        request_soap: &[u8],
        request_id: i64,
        request_hash: bool,
    ) -> Result<Self, BuildError> {
        if request_id <= 0 {
            return Err(BuildError::NonPositiveRequestId(request_id));
        }
        let mut header = request.header.clone();
        header.request_hash = request_hash.then(|| self::request_hash(request_soap));
        Ok(Response {
            header,
            body: O::respond(&request.body, request_id),
        })
    }

    /// The SOAP message, with the prefixes of requests.
    pub fn to_soap(&self) -> Result<Vec<u8>, BuildError> {
        let mut writer = start_envelope(MESSAGE_PREFIXES)?;
        write_header(&mut writer, &self.header)?;
        writer.start(ENVELOPE_NS, "Body")?;
        writer.element(
            <O::Response as XmlRoot>::NAMESPACE,
            <O::Response as XmlRoot>::NAME,
            &self.body,
        )?;
        writer.end()?;
        Ok(finish_envelope(writer)?)
    }

    /// The `requestId` the central server assigned, if present.
    pub fn request_id(&self) -> Option<i64> {
        self.body.request_id()
    }
}

/// What a management service answers: a response or a SOAP fault.
pub enum Reply<O: Operation> {
    /// The request was accepted (boxed: a response is much larger than a fault).
    Response(Box<Response<O>>),
    /// The request was refused.
    Fault(SoapFault),
}

impl<O: Operation> fmt::Debug for Reply<O>
where
    O::Response: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Response(response) => f.debug_tuple("Response").field(response).finish(),
            Reply::Fault(fault) => f.debug_tuple("Fault").field(fault).finish(),
        }
    }
}

impl<O: Operation> PartialEq for Reply<O>
where
    O::Response: PartialEq,
{
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Reply::Response(a), Reply::Response(b)) => a == b,
            (Reply::Fault(a), Reply::Fault(b)) => a == b,
            _ => false,
        }
    }
}

/// Parses a reply of operation `O` without comparing it to a request: a SOAP fault (a header,
/// if any, is skipped, as the reference does for faults), or a response whose header fields
/// come in any order and whose body is `O`'s response element.
pub fn parse_reply<O: ManagementOperation>(soap: &[u8]) -> Result<Reply<O>, EnvelopeError> {
    let mut reader = open_envelope(soap)?;
    let header = match enter_first_section(&mut reader)? {
        Section::Header(start) => match read_header(&mut reader, &start, HeaderKind::Response) {
            Ok(header) => {
                enter_body(&mut reader)?;
                Some(header)
            }
            // A fault's header is not read; read the envelope again to see whether this is
            // one (only on this error path).
            Err(error) => return fault_after_header(soap).ok_or(error).map(Reply::Fault),
        },
        Section::Body => None,
    };
    if is_fault_next(&mut reader)? {
        let fault = read_fault(&mut reader)?;
        close_envelope(&mut reader)?;
        return Ok(Reply::Fault(fault));
    }
    let Some(header) = header else {
        return Err(EnvelopeError::MissingHeader {
            path: ENVELOPE_PATH.to_owned(),
        });
    };
    let body = read_body::<O::Response>(&mut reader)?;
    close_envelope(&mut reader)?;
    Ok(Reply::Response(Box::new(Response { header, body })))
}

/// The fault of an envelope whose header is skipped, if it is a well-formed fault.
fn fault_after_header(soap: &[u8]) -> Option<SoapFault> {
    let mut reader = open_envelope(soap).ok()?;
    let Section::Header(_) = enter_first_section(&mut reader).ok()? else {
        return None;
    };
    reader.skip_content().ok()?;
    enter_body(&mut reader).ok()?;
    if !is_fault_next(&mut reader).ok()? {
        return None;
    }
    let fault = read_fault(&mut reader).ok()?;
    close_envelope(&mut reader).ok()?;
    Some(fault)
}

/// Parses the reply to `request`, sent as `request_soap`, and checks that it answers it: every
/// header field as sent, `requestHash` the SHA-512 hash of `request_soap` (required where the
/// operation's description says responses carry it, checked where present otherwise), the body
/// echoing the request, and a positive `requestId`. Returns the response body.
///
/// A SOAP fault is [`ResponseError::Fault`].
pub fn parse_response<O: ManagementOperation>(
    request: &Request<O>,
    request_soap: &[u8],
    response_soap: &[u8],
) -> Result<O::Response, ResponseError> {
    let response = match parse_reply::<O>(response_soap)? {
        Reply::Response(response) => *response,
        Reply::Fault(fault) => return Err(ResponseError::Fault(fault)),
    };
    check_header(&request.header, &response.header)?;
    check_request_hash(
        O::DESCRIPTION.request_hash,
        response.header.request_hash.as_ref(),
        request_soap,
    )?;
    let body_path = format!("{BODY_PATH}/{}", <O::Response as XmlRoot>::NAME);
    O::check_echo(&request.body, &response.body).map_err(|mismatch| {
        ResponseError::BodyMismatch {
            path: format!("{body_path}/{}", mismatch.element),
        }
    })?;
    match response.body.request_id() {
        None => Err(ResponseError::MissingRequestId { path: body_path }),
        Some(id) if id <= 0 => Err(ResponseError::NonPositiveRequestId {
            path: format!("{body_path}/requestId"),
            found: id,
        }),
        Some(_) => Ok(response.body),
    }
}

/// Fails with [`ResponseError::HeaderMismatch`] unless `sent == received`.
fn same<T: PartialEq>(
    field: &'static str,
    sent: &T,
    received: &T,
    text: impl Fn(&T) -> String,
) -> Result<(), ResponseError> {
    if sent == received {
        return Ok(());
    }
    Err(ResponseError::HeaderMismatch {
        path: format!("{HEADER_PATH}/{field}"),
        sent: text(sent),
        received: text(received),
    })
}

fn optional<T>(value: &Option<T>, text: impl Fn(&T) -> String) -> String {
    value.as_ref().map(text).unwrap_or_default()
}

/// The header fields the response echoes: all but `requestHash`.
fn check_header(sent: &Header, received: &Header) -> Result<(), ResponseError> {
    same("client", &sent.client, &received.client, |id| {
        id.to_string()
    })?;
    same("service", &sent.service, &received.service, |id| {
        id.to_string()
    })?;
    same(
        "securityServer",
        &sent.security_server,
        &received.security_server,
        |id| optional(id, ToString::to_string),
    )?;
    same("id", &sent.id, &received.id, String::clone)?;
    same("userId", &sent.user_id, &received.user_id, |v| {
        optional(v, String::clone)
    })?;
    same(
        "representedParty",
        &sent.represented_party,
        &received.represented_party,
        |party| {
            optional(party, |p| match &p.party_class {
                Some(class) => format!("{class}/{}", p.party_code),
                None => p.party_code.clone(),
            })
        },
    )?;
    same("issue", &sent.issue, &received.issue, |v| {
        optional(v, String::clone)
    })?;
    same(
        "protocolVersion",
        &sent.protocol_version,
        &received.protocol_version,
        String::clone,
    )
}

/// `requestHash`: required when `carried`, and whenever present the SHA-512 hash of the
/// bytes sent.
fn check_request_hash(
    carried: bool,
    hash: Option<&RequestHash>,
    request_soap: &[u8],
) -> Result<(), ResponseError> {
    let hash = match (carried, hash) {
        (false, None) => return Ok(()),
        (true, None) => return Err(ResponseError::MissingRequestHash { path: HEADER_PATH }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use xroad_mserv::centralservice::{AuthCertReg, ClientDeletion, OwnerChange};
    use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
    use xroad_mserv::xroad;

    fn request<O: ManagementOperation>(body: O::Request) -> Request<O> {
        let owner: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
        let mut request = Request::<O>::with_id(owner.clone(), &owner, body, "id-1").unwrap();
        request.header.user_id = Some("EE1".to_owned());
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
        let body = xroad::ClientDeletion(xroad::ClientRequestType {
            server: server(),
            client: "MEMBER:EE/COM/c".parse().unwrap(),
            request_id: None,
        });
        let request = request::<ClientDeletion>(body.clone());
        let response = Response::answer(&request, b"soap", 7, true).unwrap();
        assert_eq!(response.header.request_hash, Some(request_hash(b"soap")));
        assert_eq!(response.header.id, request.header.id);
        assert_eq!(response.header.user_id, request.header.user_id);
        assert_eq!(response.request_id(), Some(7));
        assert_eq!(response.body.0.client, body.0.client);
        assert_eq!(response.body.0.server, body.0.server);
        let without = Response::answer(&request, b"soap", 7, false).unwrap();
        assert_eq!(without.header.request_hash, None);
        assert_eq!(
            Response::answer(&request, b"soap", 0, true).unwrap_err(),
            BuildError::NonPositiveRequestId(0)
        );
    }

    #[test]
    fn auth_cert_reg_answers_parse_back() {
        let body = xroad::AuthCertReg(xroad::AuthCertRegRequestType {
            server: server(),
            address: Some("10.0.0.1".to_owned()),
            auth_cert: vec![0x30, 0x00],
            request_id: None,
        });
        let response = Response::answer(&request::<AuthCertReg>(body), b"soap", 1, false).unwrap();
        assert_eq!(response.request_id(), Some(1));
        let soap = response.to_soap().unwrap();
        assert_eq!(
            parse_reply::<AuthCertReg>(&soap).unwrap(),
            Reply::Response(Box::new(response))
        );
    }

    #[test]
    fn request_hash_follows_protocol_version() {
        let body = xroad::OwnerChange(xroad::ClientRequestType {
            server: server(),
            client: "MEMBER:EE/COM/new".parse().unwrap(),
            request_id: None,
        });
        let soap = Response::answer(&request::<OwnerChange>(body), b"soap", 3, true)
            .unwrap()
            .to_soap()
            .unwrap();
        let text = String::from_utf8(soap).unwrap();
        let position = |needle: &str| text.find(needle).unwrap();
        assert!(position("<xroad:id>") < position("<xroad:userId>"));
        assert!(position("<xroad:userId>") < position("<xroad:protocolVersion>"));
        assert!(position("<xroad:protocolVersion>") < position("<xroad:requestHash "));
        assert!(text.contains("<xroad:requestId>3</xroad:requestId></xroad:ownerChangeResponse>"));
    }
}

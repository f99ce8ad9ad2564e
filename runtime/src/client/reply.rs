//! Reading the central server's answer to a request: the response that answers it, or why
//! there is none.

use hyper::StatusCode;

use super::error::ManagementError;
use crate::envelope::{
    EncodedRequest, EnvelopeError, ReceivedFault, ResponseError, parse_any_fault, parse_response,
};
use crate::multipart::ContentType;
use crate::operation::ManagementOperation;
use crate::transport::{ClientResponse, Endpoint};

/// The response body in `answer` to `sent`, received from `endpoint`.
///
/// - HTTP 200 with `text/xml`: the response must echo the request and carry the hash of
///   the SOAP bytes sent (see [`parse_response`]); a SOAP fault is taken as a refusal too.
/// - HTTP 500 with `text/xml`: a SOAP 1.1 fault, [`ManagementError::Fault`] with an X-Road
///   fault code, [`ManagementError::OtherFault`] with any other code.
/// - Any other 2xx status, or another content type: refused as not a management answer.
pub(super) fn response<O: ManagementOperation>(
    sent: &EncodedRequest<O>,
    answer: &ClientResponse,
    endpoint: Endpoint,
) -> Result<O::Response, ManagementError> {
    let status = answer.status;
    if status != StatusCode::OK && status != StatusCode::INTERNAL_SERVER_ERROR {
        return Err(ManagementError::UnexpectedStatus { endpoint, status });
    }
    if !is_soap_content_type(answer.content_type.as_deref()) {
        return Err(ManagementError::UnexpectedContentType {
            status,
            found: answer.content_type.clone(),
        });
    }
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        let fault = parse_any_fault(&answer.body).map_err(ManagementError::MalformedFault)?;
        return Err(refusal(fault));
    }
    parse_response(&sent.request, &sent.soap, &answer.body).map_err(|error| match error {
        ResponseError::Fault(fault) => ManagementError::Fault(fault.fault),
        // A fault with another code in a 200 answer: reported as a refusal too.
        ResponseError::Malformed(EnvelopeError::UnknownFaultCode { .. }) => {
            match parse_any_fault(&answer.body) {
                Ok(fault) => refusal(fault),
                Err(source) => ManagementError::Response {
                    operation: O::NAME,
                    source: Box::new(ResponseError::Malformed(source)),
                },
            }
        }
        source => ManagementError::Response {
            operation: O::NAME,
            source: Box::new(source),
        },
    })
}

/// The refusal `fault` says: typed when its code is an X-Road code.
fn refusal(fault: ReceivedFault) -> ManagementError {
    match fault.x_road() {
        Ok(fault) => ManagementError::Fault(fault.fault),
        Err(_) => ManagementError::OtherFault(fault),
    }
}

/// Whether `content_type` is `text/xml`, with a UTF-8 charset if it names one.
fn is_soap_content_type(content_type: Option<&str>) -> bool {
    let Some(parsed) = content_type.and_then(|value| ContentType::parse(value).ok()) else {
        return false;
    };
    parsed.is("text", "xml")
        && parsed
            .charset()
            .is_none_or(|charset| charset.eq_ignore_ascii_case("utf-8"))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use xroad_mserv::centralservice::ClientDeletion;
    use xroad_mserv::identifiers::XRoadClientIdentifierType;
    use xroad_mserv::xroad;

    use super::*;
    use crate::envelope::{Request, Response, SoapFault, build_fault};
    use crate::fault::{Fault, FaultCode};
    use crate::operation::ManagementBody;

    fn deletion() -> EncodedRequest<ClientDeletion> {
        let owner: XRoadClientIdentifierType = "MEMBER:EE/GOV/TS1OWNER".parse().unwrap();
        let provider: XRoadClientIdentifierType =
            "SUBSYSTEM:EE/GOV/CENTRAL/management".parse().unwrap();
        let body = xroad::ClientDeletion(xroad::ClientRequestType {
            server: "SERVER:EE/GOV/TS1OWNER/TS1".parse().unwrap(),
            client: "SUBSYSTEM:EE/COM/client/sub".parse().unwrap(),
            request_id: None,
        });
        Request::<ClientDeletion>::new(owner, &provider, body)
            .unwrap()
            .encode()
            .unwrap()
    }

    fn answer(status: StatusCode, content_type: Option<&str>, body: Vec<u8>) -> ClientResponse {
        ClientResponse {
            status,
            content_type: content_type.map(str::to_owned),
            body: Bytes::from(body),
        }
    }

    fn response_to(sent: &EncodedRequest<ClientDeletion>, id: i64) -> Vec<u8> {
        Response::answer(&sent.request, &sent.soap, id, true)
            .unwrap()
            .to_soap()
            .unwrap()
    }

    #[test]
    fn a_matching_response_gives_its_body() {
        let sent = deletion();
        for content_type in [
            "text/xml",
            "text/xml; charset=UTF-8",
            "Text/XML;charset=utf-8",
        ] {
            let ok = answer(StatusCode::OK, Some(content_type), response_to(&sent, 42));
            let body = response(&sent, &ok, Endpoint::Manage).unwrap();
            assert_eq!(body.request_id(), Some(42));
        }
    }

    #[test]
    fn faults_are_typed() {
        let sent = deletion();
        let fault = Fault::new(FaultCode::InvalidClientIdentifier, "no such client");
        let body = build_fault(&fault).unwrap();
        for status in [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::OK] {
            let refused = answer(status, Some("text/xml; charset=UTF-8"), body.clone());
            match response(&sent, &refused, Endpoint::Manage) {
                Err(ManagementError::Fault(found)) => assert_eq!(found, fault),
                other => panic!("{status}: {other:?}"),
            }
        }
        let prefixed = SoapFault {
            code_prefix: Some("Server.ServerProxy".to_owned()),
            ..SoapFault::from(fault.clone())
        };
        let refused = answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("text/xml"),
            prefixed.to_soap().unwrap(),
        );
        let error = response(&sent, &refused, Endpoint::Manage).unwrap_err();
        assert_eq!(error.fault(), Some(&fault));
    }

    #[test]
    fn other_answers_are_refused_with_what_was_wrong() {
        let sent = deletion();
        let ok = response_to(&sent, 7);
        let error = response(
            &sent,
            &answer(StatusCode::ACCEPTED, Some("text/xml"), ok.clone()),
            Endpoint::Registration,
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                ManagementError::UnexpectedStatus {
                    endpoint: Endpoint::Registration,
                    status: StatusCode::ACCEPTED
                }
            ),
            "{error:?}"
        );
        for content_type in [
            None,
            Some("application/json"),
            Some("text/xml; charset=latin1"),
        ] {
            let error = response(
                &sent,
                &answer(StatusCode::OK, content_type, ok.clone()),
                Endpoint::Manage,
            )
            .unwrap_err();
            match error {
                ManagementError::UnexpectedContentType { status, found } => {
                    assert_eq!(status, StatusCode::OK);
                    assert_eq!(found.as_deref(), content_type);
                }
                other => panic!("{content_type:?}: {other:?}"),
            }
        }
        let error = response(
            &sent,
            &answer(StatusCode::INTERNAL_SERVER_ERROR, Some("text/xml"), ok),
            Endpoint::Manage,
        )
        .unwrap_err();
        assert!(
            matches!(error, ManagementError::MalformedFault(_)),
            "{error:?}"
        );
    }

    /// A SOAP 1.1 fault written by something other than an X-Road management service.
    fn soap_fault(faultcode: &str, faultstring: &str) -> Vec<u8> {
        format!(
            "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>{faultcode}</faultcode>\
             <faultstring>{faultstring}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body>\
             </SOAP-ENV:Envelope>"
        )
        .into_bytes()
    }

    #[test]
    fn any_soap_fault_is_reported_with_its_code_and_string() {
        let sent = deletion();
        for faultcode in [
            "SOAP-ENV:Server",
            "SOAP-ENV:Client.Authentication",
            "Server.ClientProxy.NetworkError",
            "custom_code",
        ] {
            for status in [StatusCode::INTERNAL_SERVER_ERROR, StatusCode::OK] {
                let refused = answer(
                    status,
                    Some("text/xml"),
                    soap_fault(faultcode, "Service temporarily unavailable"),
                );
                let error = response(&sent, &refused, Endpoint::Manage).unwrap_err();
                assert_eq!(
                    error.soap_fault(),
                    Some((faultcode, "Service temporarily unavailable")),
                    "{status} {faultcode}: {error:?}"
                );
                assert_eq!(error.fault(), None);
                assert_eq!(
                    error.to_string(),
                    format!("request refused: {faultcode}: Service temporarily unavailable")
                );
            }
        }
        // An X-Road code is still typed, and reported the same way.
        let fault = Fault::new(FaultCode::InternalError, "database is locked");
        let refused = answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("text/xml"),
            build_fault(&fault).unwrap(),
        );
        let error = response(&sent, &refused, Endpoint::Manage).unwrap_err();
        assert_eq!(error.fault(), Some(&fault));
        assert_eq!(
            error.soap_fault(),
            Some(("internal_error", "database is locked"))
        );
        // A fault without faultstring is not a SOAP 1.1 fault.
        let malformed = String::from_utf8(soap_fault("SOAP-ENV:Server", "x"))
            .unwrap()
            .replace("<faultstring>x</faultstring>", "");
        let error = response(
            &sent,
            &answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                Some("text/xml"),
                malformed.into_bytes(),
            ),
            Endpoint::Manage,
        )
        .unwrap_err();
        assert!(
            matches!(error, ManagementError::MalformedFault(_)),
            "{error:?}"
        );
    }

    #[test]
    fn a_response_to_another_request_is_refused_naming_the_field() {
        let sent = deletion();
        let other = deletion();
        let error = response(
            &sent,
            &answer(StatusCode::OK, Some("text/xml"), response_to(&other, 3)),
            Endpoint::Manage,
        )
        .unwrap_err();
        match error {
            ManagementError::Response { operation, source } => {
                let ResponseError::HeaderMismatch { path, sent: id, .. } = *source else {
                    panic!("{source:?}");
                };
                assert_eq!(operation, "clientDeletion");
                assert_eq!(path, "/Envelope/Header/id");
                assert_eq!(id, sent.request.header.id);
            }
            other => panic!("{other:?}"),
        }
    }
}

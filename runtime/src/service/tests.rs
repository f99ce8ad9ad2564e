//! The handler in process: routing, transport trust, answers and faults.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use bytes::Bytes;
use openssl::x509::{X509, X509Ref};
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
use xroad_mserv::xroad::{
    AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRegRequestType, ClientRequestType,
};

use super::*;
use crate::envelope::{Reply, parse_reply, parse_response};
use crate::fault::FaultCode;
use crate::message::HttpMessage;
use crate::test_support::*;
use crate::transport::{Endpoint, Handler, IncomingRequest};

/// Answers with increasing ids, refuses the client `refused`, knows one auth cert.
struct Registry {
    next: AtomicI64,
    calls: Mutex<Vec<&'static str>>,
    registered: X509,
    stored: Option<Bytes>,
}

impl Registry {
    fn new() -> Self {
        Self {
            next: AtomicI64::new(100),
            calls: Mutex::new(Vec::new()),
            registered: members().auth.cert().clone(),
            stored: None,
        }
    }

    fn answer(&self, call: &'static str) -> Result<Answer, Fault> {
        self.calls.lock().unwrap().push(call);
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        Ok(match &self.stored {
            Some(response) => Answer::Stored {
                request_id: id,
                response: response.clone(),
            },
            None => Answer::RequestId(id),
        })
    }
}

impl ManagementService for Registry {
    async fn client_reg(&self, request: Incoming<ClientRegRequestType>) -> Result<Answer, Fault> {
        if request.body.client.to_string().contains("refused") {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                "client already registered",
            ));
        }
        assert_eq!(request.signer.unwrap().to_string(), "EE/COM/client");
        assert!(request.parts.signature.is_some());
        self.answer("clientReg")
    }

    async fn client_deletion(&self, _: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        self.answer("clientDeletion")
    }

    async fn auth_cert_reg(
        &self,
        request: Incoming<AuthCertRegRequestType>,
    ) -> Result<Answer, Fault> {
        assert_eq!(
            request.parts.auth_certificate.as_deref(),
            Some(request.body.auth_cert.as_slice())
        );
        self.answer("authCertReg")
    }

    async fn auth_cert_deletion(
        &self,
        _: Incoming<AuthCertDeletionRequestType>,
    ) -> Result<Answer, Fault> {
        self.answer("authCertDeletion")
    }

    async fn owner_change(&self, _: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        self.answer("ownerChange")
    }

    async fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> Result<bool, Fault> {
        Ok(server.to_string() == SERVER
            && certificate.to_der().ok() == self.registered.to_der().ok())
    }
}

fn handler(trust: ManageTrust) -> ServiceHandler<Registry> {
    ServiceHandler::new(Registry::new(), verifier(), trust)
}

fn incoming(endpoint: Endpoint, message: &HttpMessage, cert: Option<&X509>) -> IncomingRequest {
    IncomingRequest {
        endpoint,
        peer: SocketAddr::from(([127, 0, 0, 1], 40000)),
        client_certificate: cert.cloned(),
        content_type: Some(message.content_type.clone()),
        body: Bytes::from(message.body.clone()),
    }
}

fn auth() -> Option<&'static X509> {
    Some(members().auth.cert())
}

fn deletion() -> crate::compose::ComposedRequest {
    crate::compose::compose(
        request(xroad_mserv::xroad::ClientDeletion(client_body())),
        None,
        None,
    )
    .unwrap()
}

#[track_caller]
fn fault_of(response: &crate::transport::HandlerResponse) -> Fault {
    assert_eq!(response.status.as_u16(), 500);
    match parse_reply(&response.body).unwrap() {
        Reply::Fault(fault) => fault.into(),
        Reply::Response(_) => panic!("a response, not a fault"),
    }
}

#[tokio::test]
async fn accepted_requests_get_their_request_id() {
    let handler = handler(ManageTrust::RegisteredAuthCert);
    let composed = deletion();
    let response = handler
        .handle(incoming(Endpoint::Manage, &composed.message, auth()))
        .await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(
        response.content_type.as_deref(),
        Some("text/xml; charset=UTF-8")
    );
    let id = parse_response(
        &composed.request.request,
        &composed.request.soap,
        &response.body,
    )
    .unwrap();
    assert_eq!(id, 100);
    assert_eq!(response.outcome.service.as_deref(), Some("clientDeletion"));
    assert_eq!(response.outcome.sender.as_deref(), Some(OWNER));
    assert_eq!(
        response.outcome.message_id.as_deref(),
        Some(composed.request.request.header.id.as_str())
    );
    assert_eq!(response.outcome.fault_code, None);

    let message = client_reg();
    let response = handler
        .handle(incoming(Endpoint::Manage, &message, auth()))
        .await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.body);
    let message = auth_cert_reg_with(
        auth_cert_reg_body("ss1.example.org"),
        crate::signature::SignatureAlgorithm::Sha256WithRsa,
    );
    let response = handler
        .handle(incoming(Endpoint::Registration, &message, None))
        .await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(
        *handler.service().calls.lock().unwrap(),
        ["clientDeletion", "clientReg", "authCertReg"]
    );
}

#[tokio::test]
async fn stored_answers_are_sent_as_they_are() {
    let mut registry = Registry::new();
    registry.stored = Some(Bytes::from_static(b"<stored/>"));
    let handler = ServiceHandler::new(registry, verifier(), ManageTrust::Off);
    let response = handler
        .handle(incoming(Endpoint::Manage, &deletion().message, None))
        .await;
    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(&response.body[..], b"<stored/>");
}

#[tokio::test]
async fn each_service_has_its_endpoint() {
    let handler = handler(ManageTrust::Off);
    let fault = fault_of(
        &handler
            .handle(incoming(Endpoint::Registration, &deletion().message, None))
            .await,
    );
    assert_eq!(fault.code, FaultCode::InvalidRequest);
    assert_eq!(
        fault.reason,
        "clientDeletion requests are served at /managementservice/manage/, not at /managementservice/"
    );
    let message = auth_cert_reg_with(
        auth_cert_reg_body("ss1.example.org"),
        crate::signature::SignatureAlgorithm::Sha256WithRsa,
    );
    let fault = fault_of(
        &handler
            .handle(incoming(Endpoint::Manage, &message, None))
            .await,
    );
    assert_eq!(fault.code, FaultCode::InvalidRequest);
    assert!(
        fault.reason.contains("served at /managementservice/,"),
        "{fault}"
    );
    assert!(handler.service().calls.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_manage_endpoint_needs_a_registered_auth_cert() {
    let handler = handler(ManageTrust::RegisteredAuthCert);
    let message = deletion().message;
    let fault = fault_of(
        &handler
            .handle(incoming(Endpoint::Manage, &message, None))
            .await,
    );
    assert_eq!(fault.code, FaultCode::IncorrectCertificate);
    assert!(fault.reason.contains("none was presented"), "{fault}");
    let other = members().owner.cert();
    let response = handler
        .handle(incoming(Endpoint::Manage, &message, Some(other)))
        .await;
    let fault = fault_of(&response);
    assert_eq!(
        fault.reason,
        format!(
            "the TLS client certificate is not a registered authentication certificate of {SERVER}"
        )
    );
    assert_eq!(
        response.outcome.fault_code,
        Some(FaultCode::IncorrectCertificate)
    );
    assert!(handler.service().calls.lock().unwrap().is_empty());
    // Turned off, the same request passes without a certificate.
    let open = self::handler(ManageTrust::Off);
    let response = open
        .handle(incoming(Endpoint::Manage, &message, None))
        .await;
    assert_eq!(response.status.as_u16(), 200);
}

#[tokio::test]
async fn refusals_are_soap_faults() {
    let handler = handler(ManageTrust::Off);
    let message = HttpMessage {
        content_type: "text/plain".to_owned(),
        body: b"hello".to_vec(),
    };
    let response = handler
        .handle(incoming(Endpoint::Manage, &message, None))
        .await;
    let fault = fault_of(&response);
    assert_eq!(fault.code, FaultCode::InvalidContentType);
    assert_eq!(response.outcome.service, None);
    assert_eq!(
        response.outcome.fault_code,
        Some(FaultCode::InvalidContentType)
    );

    // A fault from the service itself.
    let refused = ClientRequestType {
        client: "SUBSYSTEM:EE/COM/client/refused".parse().unwrap(),
        ..client_body()
    };
    let composed = crate::compose::compose(
        request(xroad_mserv::xroad::ClientDeletion(refused)),
        None,
        None,
    )
    .unwrap();
    let service_handler = ServiceHandler::new(Registry::new(), verifier(), ManageTrust::Off);
    let composed_reg = {
        let m = members();
        let der = m.client.cert_der().unwrap();
        let ocsp = good_ocsp(&m.client);
        let signer = signer(&m.client);
        let body = ClientRegRequestType {
            client: "SUBSYSTEM:EE/COM/client/refused".parse().unwrap(),
            ..client_reg_body()
        };
        crate::compose::compose(
            request(xroad_mserv::xroad::ClientReg(body)),
            Some(crate::compose::MemberSignature {
                signer: &signer,
                algorithm: crate::signature::SignatureAlgorithm::Sha256WithRsa,
                certificate: &der,
                ocsp_response: &ocsp,
            }),
            None,
        )
        .unwrap()
    };
    let response = service_handler
        .handle(incoming(Endpoint::Manage, &composed_reg.message, None))
        .await;
    let fault = fault_of(&response);
    assert_eq!(
        fault,
        Fault::new(FaultCode::InvalidRequest, "client already registered")
    );
    assert_eq!(response.outcome.service.as_deref(), Some("clientReg"));
    // The deletion of the same client is answered: the service decides per request.
    let response = service_handler
        .handle(incoming(Endpoint::Manage, &composed.message, None))
        .await;
    assert_eq!(response.status.as_u16(), 200);
}

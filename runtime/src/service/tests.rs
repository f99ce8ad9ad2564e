//! The handler in process: routing, transport trust, answers and faults, through a
//! hand-written stand-in of a generated server for the five operations.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use bytes::Bytes;
use openssl::x509::{X509, X509Ref};
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
use xroad_mserv::xroad::{self, ClientRequestType};

use super::*;
use crate::compose::{ComposedRequest, SignatureInput, compose};
use crate::envelope::{Reply, parse_reply, parse_response};
use crate::fault::FaultCode;
use crate::message::HttpMessage;
use crate::operation::{ManagementBody, Operation};
use crate::test_support::*;
use crate::testpki::{CertRequest, CertStatus};
use crate::transport::{Endpoint, Handler, HandlerResponse, IncomingRequest, UNKNOWN_SERVICE};

/// The service trait a generated server of the five operations declares: one method per
/// operation, each on a verified request of that operation.
trait CentralService: Send + Sync + 'static {
    fn client_reg(
        &self,
        request: Incoming<ClientReg>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    fn client_deletion(
        &self,
        request: Incoming<ClientDeletion>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    fn auth_cert_reg(
        &self,
        request: Incoming<AuthCertReg>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    fn auth_cert_deletion(
        &self,
        request: Incoming<AuthCertDeletion>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;

    fn owner_change(
        &self,
        request: Incoming<OwnerChange>,
    ) -> impl Future<Output = Result<Answer, Fault>> + Send;
}

/// The generated server around a [`CentralService`], as the generator emits it: the
/// operations it serves, and a dispatch on the service code.
struct CentralServer<S>(S);

impl<S: CentralService> Dispatch for CentralServer<S> {
    fn operations(&self) -> &'static [&'static OperationDescription] {
        &[
            ClientReg::DESCRIPTION,
            ClientDeletion::DESCRIPTION,
            AuthCertReg::DESCRIPTION,
            AuthCertDeletion::DESCRIPTION,
            OwnerChange::DESCRIPTION,
        ]
    }

    fn operation(&self, service_code: &str) -> Option<&'static OperationDescription> {
        match service_code {
            ClientReg::NAME => Some(ClientReg::DESCRIPTION),
            ClientDeletion::NAME => Some(ClientDeletion::DESCRIPTION),
            AuthCertReg::NAME => Some(AuthCertReg::DESCRIPTION),
            AuthCertDeletion::NAME => Some(AuthCertDeletion::DESCRIPTION),
            OwnerChange::NAME => Some(OwnerChange::DESCRIPTION),
            _ => None,
        }
    }

    async fn dispatch<'a>(&'a self, call: Call<'a>) -> Result<Answered, Fault> {
        let service = &self.0;
        match call.service_code() {
            ClientReg::NAME => {
                call.serve::<ClientReg, _, _>(|incoming| service.client_reg(incoming))
                    .await
            }
            ClientDeletion::NAME => {
                call.serve::<ClientDeletion, _, _>(|incoming| service.client_deletion(incoming))
                    .await
            }
            AuthCertReg::NAME => {
                call.serve::<AuthCertReg, _, _>(|incoming| service.auth_cert_reg(incoming))
                    .await
            }
            AuthCertDeletion::NAME => {
                call.serve::<AuthCertDeletion, _, _>(|incoming| {
                    service.auth_cert_deletion(incoming)
                })
                .await
            }
            OwnerChange::NAME => {
                call.serve::<OwnerChange, _, _>(|incoming| service.owner_change(incoming))
                    .await
            }
            _ => Err(call.unknown()),
        }
    }
}

/// Answers with increasing ids, refuses the client `refused`.
struct Registry {
    next: AtomicI64,
    calls: Mutex<Vec<&'static str>>,
    stored: Option<Bytes>,
}

impl Registry {
    fn new() -> Self {
        Self {
            next: AtomicI64::new(100),
            calls: Mutex::new(Vec::new()),
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

impl CentralService for Registry {
    async fn client_reg(&self, request: Incoming<ClientReg>) -> Result<Answer, Fault> {
        if request.body().0.client.to_string().contains("refused") {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                "client already registered",
            ));
        }
        assert_eq!(request.signer.unwrap().to_string(), "EE/COM/client");
        assert!(
            request
                .parts
                .attachment(1)
                .is_some_and(|signature| signature.signature_algorithm_id.is_some())
        );
        self.answer("clientReg")
    }

    async fn client_deletion(&self, _: Incoming<ClientDeletion>) -> Result<Answer, Fault> {
        self.answer("clientDeletion")
    }

    async fn auth_cert_reg(&self, request: Incoming<AuthCertReg>) -> Result<Answer, Fault> {
        // Part 3 is the certificate of the proof of possession.
        assert_eq!(
            request.parts.body(3).map(|b| &b[..]),
            Some(request.body().0.auth_cert.as_slice())
        );
        self.answer("authCertReg")
    }

    async fn auth_cert_deletion(&self, _: Incoming<AuthCertDeletion>) -> Result<Answer, Fault> {
        self.answer("authCertDeletion")
    }

    async fn owner_change(&self, _: Incoming<OwnerChange>) -> Result<Answer, Fault> {
        self.answer("ownerChange")
    }
}

/// Knows authentication certificates of [`SERVER`]: its own, and any added.
struct AuthCerts {
    registered: Vec<X509>,
}

impl AuthCerts {
    fn new() -> Self {
        Self {
            registered: vec![members().auth.cert().clone()],
        }
    }

    /// Also registers `certificate`, as a registry that never looked at it would.
    fn with(mut self, certificate: &X509) -> Self {
        self.registered.push(certificate.clone());
        self
    }
}

impl AuthCertRegistry for AuthCerts {
    async fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> Result<bool, Fault> {
        let der = certificate.to_der().ok();
        Ok(server.to_string() == SERVER
            && self
                .registered
                .iter()
                .any(|registered| registered.to_der().ok() == der))
    }
}

type TestHandler = ServiceHandler<CentralServer<Registry>, AuthCerts>;

fn handler_with(registry: Registry, trust: ManageTrust) -> TestHandler {
    ServiceHandler::new(CentralServer(registry), AuthCerts::new(), verifier(), trust)
}

/// The calls the service received.
fn calls(handler: &TestHandler) -> Vec<&'static str> {
    handler.service().0.calls.lock().unwrap().clone()
}

fn handler(trust: ManageTrust) -> TestHandler {
    handler_with(Registry::new(), trust)
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

fn deletion() -> ComposedRequest<ClientDeletion> {
    compose(
        request::<ClientDeletion>(xroad::ClientDeletion(client_body())),
        &[],
    )
    .unwrap()
}

#[track_caller]
fn fault_of(response: &HandlerResponse) -> Fault {
    assert_eq!(response.status.as_u16(), 500);
    // A fault has no header: any operation reads it.
    match parse_reply::<ClientDeletion>(&response.body).unwrap() {
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
    let body = parse_response(
        &composed.request.request,
        &composed.request.soap,
        &response.body,
    )
    .unwrap();
    assert_eq!(body.request_id(), Some(100));
    assert_eq!(response.outcome.service, Some("clientDeletion"));
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
        calls(&handler),
        ["clientDeletion", "clientReg", "authCertReg"]
    );
}

#[tokio::test]
async fn stored_answers_are_sent_as_they_are() {
    let mut registry = Registry::new();
    registry.stored = Some(Bytes::from_static(b"<stored/>"));
    let handler = handler_with(registry, ManageTrust::Off);
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
    assert!(calls(&handler).is_empty());
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
    assert!(calls(&handler).is_empty());
    // Turned off, the same request passes without a certificate.
    let open = self::handler(ManageTrust::Off);
    let response = open
        .handle(incoming(Endpoint::Manage, &message, None))
        .await;
    assert_eq!(response.status.as_u16(), 200);
}

/// A registered authentication certificate is checked as a security server checks its
/// peer's: an expired one and a revoked one are refused before the service is called.
#[tokio::test]
async fn the_manage_endpoint_refuses_expired_and_revoked_auth_certs() {
    let m = members();
    let request = || CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1");
    let expired = m.pki.issue(&request().expired()).unwrap();
    let revoked = m.pki.issue(&request()).unwrap();
    let revoked_at = std::time::SystemTime::now() - std::time::Duration::from_secs(3_600);
    m.ocsp.set_status(
        &revoked.cert().serial_number().to_bn().unwrap(),
        CertStatus::Revoked {
            time: revoked_at,
            reason: Some(crate::ocsp::RevocationReason::KeyCompromise),
        },
    );
    let handler = ServiceHandler::new(
        CentralServer(Registry::new()),
        AuthCerts::new().with(expired.cert()).with(revoked.cert()),
        verifier(),
        ManageTrust::RegisteredAuthCert,
    );
    let message = deletion().message;

    let response = handler
        .handle(incoming(Endpoint::Manage, &message, Some(expired.cert())))
        .await;
    let fault = fault_of(&response);
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault
            .reason
            .starts_with("the TLS client certificate is not valid: ")
            && fault.reason.contains("expired at"),
        "{fault}"
    );

    let response = handler
        .handle(incoming(Endpoint::Manage, &message, Some(revoked.cert())))
        .await;
    let fault = fault_of(&response);
    assert_eq!(fault.code, FaultCode::CertValidation, "{fault}");
    assert!(
        fault.reason.contains("revoked at") && fault.reason.contains("keyCompromise"),
        "{fault}"
    );
    assert!(calls(&handler).is_empty());

    // The server's good certificate still passes.
    let response = handler
        .handle(incoming(Endpoint::Manage, &message, auth()))
        .await;
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.body);
    assert_eq!(calls(&handler), ["clientDeletion"]);
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
    let composed = compose(
        request::<ClientDeletion>(xroad::ClientDeletion(refused)),
        &[],
    )
    .unwrap();
    let service_handler = handler_with(Registry::new(), ManageTrust::Off);
    let composed_reg = {
        let m = members();
        let der = m.client.cert_der().unwrap();
        let ocsp = good_ocsp(&m.client);
        let signer = signer(&m.client);
        let body = ClientRequestType {
            client: "SUBSYSTEM:EE/COM/client/refused".parse().unwrap(),
            ..client_body()
        };
        compose(
            request::<ClientReg>(registration(body)),
            &[SignatureInput {
                signer: &signer,
                algorithm: crate::signature::SignatureAlgorithm::Sha256WithRsa,
                certificate: &der,
                ocsp_response: Some(&ocsp),
            }],
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
    assert_eq!(response.outcome.service, Some("clientReg"));
    // The deletion of the same client is answered: the service decides per request.
    let response = service_handler
        .handle(incoming(Endpoint::Manage, &composed.message, None))
        .await;
    assert_eq!(response.status.as_u16(), 200);
}

#[tokio::test]
async fn unknown_service_codes_are_refused_and_labelled_unknown() {
    let handler = handler(ManageTrust::Off);
    let message = deletion().message;
    let body = String::from_utf8(message.body.clone()).unwrap();
    assert_eq!(body.matches(">clientDeletion</").count(), 1, "{body}");
    let unknown = HttpMessage {
        content_type: message.content_type.clone(),
        body: body
            .replace(">clientDeletion</", ">dropTables</")
            .into_bytes(),
    };
    let response = handler
        .handle(incoming(Endpoint::Manage, &unknown, None))
        .await;
    let fault = fault_of(&response);
    assert_eq!(fault.code, FaultCode::InvalidRequest);
    assert!(
        fault
            .reason
            .contains("service code `dropTables` names no management service"),
        "{fault}"
    );
    // Metrics label every unknown code alike, whatever clients send.
    assert_eq!(response.outcome.service, Some(UNKNOWN_SERVICE));
    assert_eq!(response.outcome.sender.as_deref(), Some(OWNER));
    assert_eq!(response.outcome.fault_code, Some(FaultCode::InvalidRequest));
    assert!(calls(&handler).is_empty());
}

/// The `requestHash` of the response `response` carries, as operation `O`'s response.
#[track_caller]
fn request_hash_of<O: crate::ManagementOperation>(
    response: &HandlerResponse,
) -> Option<xroad::RequestHash> {
    assert_eq!(response.status.as_u16(), 200, "{:?}", response.body);
    match parse_reply::<O>(&response.body).unwrap() {
        Reply::Response(response) => response.header.request_hash,
        Reply::Fault(fault) => panic!("{fault}"),
    }
}

#[tokio::test]
async fn responses_carry_the_request_hash_where_the_central_server_answers_directly() {
    let composed = deletion();
    let expected = crate::envelope::request_hash(&composed.request.soap);
    // Answering security servers directly: X-Road messages' responses carry the hash.
    let direct = handler(ManageTrust::RegisteredAuthCert);
    let response = direct
        .handle(incoming(Endpoint::Manage, &composed.message, auth()))
        .await;
    assert_eq!(request_hash_of::<ClientDeletion>(&response), Some(expected));
    // Behind a management service provider's security server, which adds it itself: none.
    let behind = handler(ManageTrust::Off);
    let response = behind
        .handle(incoming(Endpoint::Manage, &composed.message, None))
        .await;
    assert_eq!(request_hash_of::<ClientDeletion>(&response), None);
    // authCertReg is posted to the central server directly: its response carries none.
    let message = auth_cert_reg_with(
        auth_cert_reg_body("ss1.example.org"),
        crate::signature::SignatureAlgorithm::Sha256WithRsa,
    );
    let response = direct
        .handle(incoming(Endpoint::Registration, &message, None))
        .await;
    assert_eq!(request_hash_of::<AuthCertReg>(&response), None);
}

/// Stores the response it would answer with, as a service that keeps it with the request.
struct StoringRegistry {
    stored: Mutex<Vec<(i64, Vec<u8>)>>,
}

impl CentralService for StoringRegistry {
    async fn client_reg(&self, _: Incoming<ClientReg>) -> Result<Answer, Fault> {
        Err(Fault::new(FaultCode::InternalError, "not served"))
    }

    async fn client_deletion(&self, request: Incoming<ClientDeletion>) -> Result<Answer, Fault> {
        assert_eq!(request.header().client.to_string(), OWNER);
        assert_eq!(request.body().0.client.to_string(), CLIENT);
        let response = request.response(7).unwrap();
        self.stored.lock().unwrap().push((7, response.clone()));
        Ok(Answer::Stored {
            request_id: 7,
            response: Bytes::from(response),
        })
    }

    async fn auth_cert_reg(&self, _: Incoming<AuthCertReg>) -> Result<Answer, Fault> {
        Err(Fault::new(FaultCode::InternalError, "not served"))
    }

    async fn auth_cert_deletion(&self, _: Incoming<AuthCertDeletion>) -> Result<Answer, Fault> {
        Err(Fault::new(FaultCode::InternalError, "not served"))
    }

    async fn owner_change(&self, _: Incoming<OwnerChange>) -> Result<Answer, Fault> {
        Err(Fault::new(FaultCode::InternalError, "not served"))
    }
}

#[tokio::test]
async fn a_stored_response_is_the_one_the_runtime_would_build() {
    let handler = ServiceHandler::new(
        CentralServer(StoringRegistry {
            stored: Mutex::new(Vec::new()),
        }),
        AuthCerts::new(),
        verifier(),
        ManageTrust::RegisteredAuthCert,
    );
    let composed = deletion();
    let response = handler
        .handle(incoming(Endpoint::Manage, &composed.message, auth()))
        .await;
    assert_eq!(response.status.as_u16(), 200);
    let stored = handler.service().0.stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert_eq!(&response.body[..], stored[0].1.as_slice());
    // It answers the request, with the hash of the request the central server received.
    let body = parse_response(
        &composed.request.request,
        &composed.request.soap,
        &response.body,
    )
    .unwrap();
    assert_eq!(body.request_id(), Some(7));
    assert_eq!(Answer::RequestId(7).request_id(), 7);
}

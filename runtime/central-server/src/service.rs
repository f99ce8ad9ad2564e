//! The management services of the central server: the generated `Centralservice` trait
//! implemented over the [`Store`]. Every accepted request becomes one durable record before
//! its response is sent.

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv_service::centralservice_server::Centralservice;
use xroad_runtime::ManagementOperation;
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::message::Parts;
use xroad_runtime::service::{Answer, AuthCertRegistry, Incoming};

use crate::store::{MessageLog, NewRequest, Store, StoreError};

/// The central server's services over its store.
#[derive(Debug, Clone)]
pub struct CentralService {
    store: Store,
    auto_approve: bool,
}

impl CentralService {
    /// Services storing into `store`; `auto_approve` approves registrations on receipt.
    pub fn new(store: Store, auto_approve: bool) -> Self {
        Self {
            store,
            auto_approve,
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stores `request` (with the fields of its service) and answers with its response.
    async fn submit<O: ManagementOperation>(
        &self,
        request: Incoming<O>,
        client: Option<XRoadClientIdentifierType>,
        auth_cert: Option<Vec<u8>>,
        address: Option<String>,
        server: XRoadSecurityServerIdentifierType,
    ) -> Result<Answer, Fault> {
        let new = NewRequest {
            service: O::NAME.parse().map_err(|_| {
                Fault::new(
                    FaultCode::InternalError,
                    format!("{} requests cannot be stored", O::NAME),
                )
            })?,
            server,
            client,
            auth_cert,
            address,
            message_id: request.header().id.clone(),
            sender: request.header().client.clone(),
            received_at: request.received_at,
            log: message_log(O::NAME, &request.parts),
        };
        // The response is built inside the store's transaction, once the id is known.
        let respond = move |id: i64| request.response(id).unwrap_or_default();
        let submitted = self
            .store
            .submit_async(new, self.auto_approve, respond)
            .await
            .map_err(store_fault)?;
        let request_id = submitted.request_id();
        let response = Bytes::from(submitted.into_response());
        if response.is_empty() {
            return Err(Fault::new(
                FaultCode::InternalError,
                format!("no response could be built for request {request_id}"),
            ));
        }
        Ok(Answer::Stored {
            request_id,
            response,
        })
    }
}

impl Centralservice for CentralService {
    async fn client_reg(&self, request: Incoming<ClientReg>) -> Result<Answer, Fault> {
        let body = request.body().0.clone();
        self.submit(request, Some(body.client), None, None, body.server)
            .await
    }

    async fn client_deletion(&self, request: Incoming<ClientDeletion>) -> Result<Answer, Fault> {
        let body = request.body().0.clone();
        self.submit(request, Some(body.client), None, None, body.server)
            .await
    }

    async fn auth_cert_deletion(
        &self,
        request: Incoming<AuthCertDeletion>,
    ) -> Result<Answer, Fault> {
        let body = request.body().0.clone();
        self.submit(request, None, Some(body.auth_cert), None, body.server)
            .await
    }

    async fn owner_change(&self, request: Incoming<OwnerChange>) -> Result<Answer, Fault> {
        let body = request.body().0.clone();
        self.submit(request, Some(body.client), None, None, body.server)
            .await
    }

    async fn auth_cert_reg(&self, request: Incoming<AuthCertReg>) -> Result<Answer, Fault> {
        let body = request.body().0.clone();
        self.submit(
            request,
            None,
            Some(body.auth_cert),
            body.address,
            body.server,
        )
        .await
    }
}

impl AuthCertRegistry for CentralService {
    async fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> Result<bool, Fault> {
        let der = certificate.to_der().map_err(|e| {
            Fault::new(
                FaultCode::IncorrectCertificate,
                format!("the TLS client certificate cannot be encoded: {e}"),
            )
        })?;
        // One indexed read on the WAL reader, which never waits for the writer: cheaper in
        // place than a hand-off to the blocking pool.
        self.store
            .is_auth_cert_of(server, &der)
            .map_err(store_fault)
    }
}

/// The message log of a request: its parts, copied out of the HTTP body.
fn message_log(operation: &str, parts: &Parts) -> MessageLog {
    let part = |index: usize| parts.body(index).map(|b| b.to_vec());
    let signature = |index: usize| {
        parts.attachment(index).and_then(|a| {
            a.signature_algorithm_id
                .clone()
                .map(|id| (id, a.body.to_vec()))
        })
    };
    let mut log = MessageLog {
        soap: parts.soap.to_vec(),
        ..MessageLog::default()
    };
    match operation {
        "authCertReg" => {
            log.auth_key_signature = signature(1);
            log.signature = signature(2);
            log.auth_certificate = part(3);
            log.signing_certificate = part(4);
            log.ocsp_response = part(5);
        }
        _ if parts.len() == 4 => {
            log.signature = signature(1);
            log.signing_certificate = part(2);
            log.ocsp_response = part(3);
        }
        _ => {}
    }
    log
}

/// A business rule is the sender's problem (`invalid_request`, naming the rule); anything
/// else is the server's (`internal_error`, logged with its cause).
fn store_fault(error: StoreError) -> Fault {
    match error {
        StoreError::Rule(rule) => Fault::new(FaultCode::InvalidRequest, rule.to_string()),
        StoreError::Malformed { .. } => Fault::new(FaultCode::InvalidRequest, error.to_string()),
        other => internal("the request could not be stored", &other),
    }
}

fn internal(what: &str, error: &dyn std::fmt::Display) -> Fault {
    tracing::error!(%error, "{what}");
    Fault::new(FaultCode::InternalError, what)
}

//! The management services of the example central server: every accepted request becomes
//! one durable record in the [`Store`] before its response is sent.

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad::{AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRequestType};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::service::{Answer, Incoming, ManagementService, OwnedParts, OwnedSignature};

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
    async fn submit<B>(
        &self,
        request: &Incoming<B>,
        client: Option<XRoadClientIdentifierType>,
        auth_cert: Option<Vec<u8>>,
        address: Option<String>,
        server: XRoadSecurityServerIdentifierType,
    ) -> Result<Answer, Fault> {
        let new = NewRequest {
            service: request.operation(),
            server,
            client,
            auth_cert,
            address,
            message_id: request.header.id.clone(),
            sender: request.header.client.clone(),
            received_at: request.received_at,
            log: message_log(&request.parts),
        };
        // The response is built inside the store's transaction, once the id is known.
        let parsed = request.request().clone();
        let soap = request.parts.soap.clone();
        let respond = move |id: i64| {
            xroad_runtime::envelope::build_response(&parsed, &soap, id).unwrap_or_default()
        };
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

impl ManagementService for CentralService {
    async fn client_reg(&self, request: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        let body = request.body.clone();
        self.submit(&request, Some(body.client), None, None, body.server)
            .await
    }

    async fn client_deletion(&self, request: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        let body = request.body.clone();
        self.submit(&request, Some(body.client), None, None, body.server)
            .await
    }

    async fn auth_cert_reg(
        &self,
        request: Incoming<AuthCertRegRequestType>,
    ) -> Result<Answer, Fault> {
        let body = request.body.clone();
        self.submit(
            &request,
            None,
            Some(body.auth_cert),
            body.address,
            body.server,
        )
        .await
    }

    async fn auth_cert_deletion(
        &self,
        request: Incoming<AuthCertDeletionRequestType>,
    ) -> Result<Answer, Fault> {
        let body = request.body.clone();
        self.submit(&request, None, Some(body.auth_cert), None, body.server)
            .await
    }

    async fn owner_change(&self, request: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        let body = request.body.clone();
        self.submit(&request, Some(body.client), None, None, body.server)
            .await
    }

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
fn message_log(parts: &OwnedParts) -> MessageLog {
    let signature = |s: &Option<OwnedSignature>| {
        s.as_ref()
            .map(|s| (s.algorithm_id.clone(), s.value.to_vec()))
    };
    MessageLog {
        soap: parts.soap.to_vec(),
        signature: signature(&parts.signature),
        auth_key_signature: signature(&parts.auth_key_signature),
        auth_certificate: parts.auth_certificate.as_ref().map(|b| b.to_vec()),
        signing_certificate: parts.signing_certificate.as_ref().map(|b| b.to_vec()),
        ocsp_response: parts.ocsp_response.as_ref().map(|b| b.to_vec()),
    }
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

//! The management services of the example central server: every accepted request becomes
//! one durable record in the [`Store`] before its response is sent.

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_codec::operation::MimePart;
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
use xroad_mserv::xroad::{
    AuthCertDeletionRequestType, AuthCertRegRequestType, ClientRegRequestType, ClientRequestType,
};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::message::{Attachment, Parts};
use xroad_runtime::service::{Answer, Incoming, ManagementService, OwnedParts, OwnedSignature};

use crate::store::{ManagementRequest, NewRequest, Store, StoreError};

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

    /// Stores `typed`, the request `incoming` carries, and answers with its response.
    async fn submit<B>(
        &self,
        incoming: &Incoming<B>,
        typed: ManagementRequest,
    ) -> Result<Answer, Fault> {
        let new = NewRequest {
            request: typed,
            message_id: incoming.header.id.clone(),
            sender: incoming.header.client.clone(),
            received_at: incoming.received_at,
            log: message_log(incoming),
        };
        // The response is built inside the store's transaction, once the id is known.
        let parsed = incoming.request().clone();
        let soap = incoming.parts.soap.clone();
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
    async fn client_reg(&self, request: Incoming<ClientRegRequestType>) -> Result<Answer, Fault> {
        let ClientRegRequestType {
            server,
            client,
            subsystem_name,
            ..
        } = request.body.clone();
        let typed = ManagementRequest::ClientReg {
            server,
            client,
            subsystem_name,
        };
        self.submit(&request, typed).await
    }

    async fn client_deletion(&self, request: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        let ClientRequestType { server, client, .. } = request.body.clone();
        let typed = ManagementRequest::ClientDeletion { server, client };
        self.submit(&request, typed).await
    }

    async fn auth_cert_reg(
        &self,
        request: Incoming<AuthCertRegRequestType>,
    ) -> Result<Answer, Fault> {
        let AuthCertRegRequestType {
            server,
            address,
            auth_cert,
            ..
        } = request.body.clone();
        // The verifier refuses an authCertReg without an address; this only keeps the
        // store's request whole should that change.
        let address = address.ok_or_else(|| {
            Fault::new(
                FaultCode::InvalidRequest,
                "invalid server address: the request has no address",
            )
        })?;
        let typed = ManagementRequest::AuthCertReg {
            server,
            auth_cert,
            address,
        };
        self.submit(&request, typed).await
    }

    async fn auth_cert_deletion(
        &self,
        request: Incoming<AuthCertDeletionRequestType>,
    ) -> Result<Answer, Fault> {
        let AuthCertDeletionRequestType {
            server, auth_cert, ..
        } = request.body.clone();
        let typed = ManagementRequest::AuthCertDeletion { server, auth_cert };
        self.submit(&request, typed).await
    }

    async fn owner_change(&self, request: Incoming<ClientRequestType>) -> Result<Answer, Fault> {
        let ClientRequestType { server, client, .. } = request.body.clone();
        let typed = ManagementRequest::OwnerChange {
            server,
            new_owner: client,
        };
        self.submit(&request, typed).await
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

/// The message log of a request: its parts in the order of the operation's description,
/// sharing the HTTP body's buffer.
fn message_log<B>(incoming: &Incoming<B>) -> Parts {
    let parts: &OwnedParts = &incoming.parts;
    let signature = |s: &Option<OwnedSignature>| {
        s.as_ref().map(|s| Attachment {
            signature_algorithm_id: Some(s.algorithm_id.clone()),
            body: s.value.clone(),
        })
    };
    let plain = |b: &Option<Bytes>| {
        b.as_ref().map(|body| Attachment {
            signature_algorithm_id: None,
            body: body.clone(),
        })
    };
    let attachments = incoming
        .operation()
        .parts()
        .iter()
        .filter_map(|part| match part {
            MimePart::SoapMessage => None,
            MimePart::Signature => signature(&parts.signature),
            MimePart::AuthKeySignature => signature(&parts.auth_key_signature),
            MimePart::AuthCertificate => plain(&parts.auth_certificate),
            MimePart::SigningCertificate => plain(&parts.signing_certificate),
            MimePart::OcspResponse => plain(&parts.ocsp_response),
        })
        .collect();
    Parts {
        soap: parts.soap.clone(),
        attachments,
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

//! The management services of the central server: the generated `Centralservice` trait
//! implemented over the [`Store`]. Each verified request goes to the store in its typed shape,
//! and becomes one durable record with its message log before its response is sent.

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_mserv::centralservice::{
    AddressChange, AuthCertDeletion, AuthCertReg, ClientDeletion, ClientDisable, ClientEnable,
    ClientReg, ClientRename, MaintenanceModeDisable, MaintenanceModeEnable, OwnerChange,
};
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
use xroad_mserv_service::centralservice_server::Centralservice;
use xroad_runtime::fault::{ErrorChain, Fault, FaultCode};
use xroad_runtime::service::{Answer, AuthCertRegistry, Incoming};

use crate::store::{NewRequest, Store, StoreError, Transport};
use crate::typed::StoredOperation;

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

    /// Stores the request `incoming` carries, with where it came from, and answers with its
    /// response.
    async fn submit<O: StoredOperation>(&self, incoming: Incoming<O>) -> Result<Answer, Fault> {
        let new = NewRequest {
            request: O::typed(incoming.body())?,
            message_id: incoming.header().id.clone(),
            sender: incoming.header().client.clone(),
            received_at: incoming.received_at,
            log: incoming.parts.clone(),
            transport: Transport {
                peer: Some(incoming.peer),
                client_certificate: match &incoming.client_certificate {
                    Some(certificate) => Some(certificate.to_der().map_err(|e| {
                        Fault::new(
                            FaultCode::IncorrectCertificate,
                            format!("the TLS client certificate cannot be encoded: {e}"),
                        )
                    })?),
                    None => None,
                },
            },
        };
        // The response is built inside the store's transaction, once the id is known; for a
        // repeat, again for the first id.
        let respond = move |id: i64| incoming.response(id).unwrap_or_default();
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
        self.submit(request).await
    }

    async fn client_deletion(&self, request: Incoming<ClientDeletion>) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn client_disable(&self, request: Incoming<ClientDisable>) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn client_enable(&self, request: Incoming<ClientEnable>) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn client_rename(&self, request: Incoming<ClientRename>) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn auth_cert_deletion(
        &self,
        request: Incoming<AuthCertDeletion>,
    ) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn owner_change(&self, request: Incoming<OwnerChange>) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn address_change(&self, request: Incoming<AddressChange>) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn maintenance_mode_enable(
        &self,
        request: Incoming<MaintenanceModeEnable>,
    ) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn maintenance_mode_disable(
        &self,
        request: Incoming<MaintenanceModeDisable>,
    ) -> Result<Answer, Fault> {
        self.submit(request).await
    }

    async fn auth_cert_reg(&self, request: Incoming<AuthCertReg>) -> Result<Answer, Fault> {
        self.submit(request).await
    }
}

impl AuthCertRegistry for CentralService {
    async fn is_registered_auth_cert(
        &self,
        server: &XRoadSecurityServerIdentifierType,
        certificate: &X509Ref,
    ) -> Result<bool, Fault> {
        let der = certificate.to_der().map_err(|e| {
            Fault::with_cause(
                FaultCode::IncorrectCertificate,
                "the TLS client certificate cannot be encoded",
                &e,
            )
        })?;
        self.store
            .is_auth_cert_of_async(server, der)
            .await
            .map_err(store_fault)
    }
}

/// A business rule is the sender's problem (`invalid_request`, naming the rule); anything
/// else is the server's (`internal_error`, logged with its cause).
fn store_fault(error: StoreError) -> Fault {
    match error {
        StoreError::Rule(rule) => Fault::new(FaultCode::InvalidRequest, rule.to_string()),
        StoreError::Malformed { .. } | StoreError::DailyLimit { .. } => {
            Fault::new(FaultCode::InvalidRequest, error.to_string())
        }
        other => internal("the request could not be stored", &other),
    }
}

fn internal(what: &str, error: &(dyn std::error::Error + '_)) -> Fault {
    let error = ErrorChain(error);
    tracing::error!(%error, "{what}");
    Fault::new(FaultCode::InternalError, what)
}

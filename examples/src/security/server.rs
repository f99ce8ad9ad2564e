//! [`SecurityServer`]: the requests a security server sends about itself, through the
//! generated client of the management services.

use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OwnerChange,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_mserv::xroad;
use xroad_mserv::xroad::{
    AddressChangeRequestType, ClientRegRequestType, ClientRenameRequestType,
    MaintenanceModeDisableRequestType, MaintenanceModeEnableRequestType,
};
use xroad_mserv_service::centralservice_client::CentralserviceClient;
use xroad_runtime::client::{ManagementClient, ManagementError};
use xroad_runtime::compose::ComposedRequest;
use xroad_runtime::operation::ManagementBody;

/// A security server sending management requests about itself: each method builds the body
/// from the server's identity and its arguments, and returns the request id the central
/// server assigned. The keys that sign are the management client's.
#[derive(Debug, Clone)]
pub struct SecurityServer {
    client: CentralserviceClient,
    auth_cert: Vec<u8>,
}

impl SecurityServer {
    /// The security server of `client`, whose authentication certificate (DER) is
    /// `auth_cert`.
    pub fn new(client: ManagementClient, auth_cert: Vec<u8>) -> Self {
        Self {
            client: CentralserviceClient::new(client),
            auth_cert,
        }
    }

    /// The generated client.
    pub fn client(&self) -> &CentralserviceClient {
        &self.client
    }

    /// The security server.
    pub fn server(&self) -> &XRoadSecurityServerIdentifierType {
        self.client.inner().server()
    }

    fn client_request(&self, client: &XRoadClientIdentifierType) -> xroad::ClientRequestType {
        xroad::ClientRequestType {
            server: self.server().clone(),
            client: client.clone(),
            request_id: None,
        }
    }

    /// The authCertReg body for the security server at `address`.
    pub fn auth_cert_reg_body(&self, address: &str) -> xroad::AuthCertReg {
        xroad::AuthCertReg(xroad::AuthCertRegRequestType {
            server: self.server().clone(),
            address: Some(address.to_owned()),
            auth_cert: self.auth_cert.clone(),
            request_id: None,
        })
    }

    /// The clientReg body for `client`, without a subsystem name.
    pub fn client_reg_body(&self, client: &XRoadClientIdentifierType) -> xroad::ClientReg {
        xroad::ClientReg(ClientRegRequestType {
            server: self.server().clone(),
            client: client.clone(),
            subsystem_name: None,
            request_id: None,
        })
    }

    /// Registers the authentication certificate for the security server at `address` (its
    /// host name or IP address): signed with the authentication key and by the owner, sent
    /// to the registration endpoint.
    pub async fn auth_cert_reg(&self, address: &str) -> Result<i64, ManagementError> {
        let response = self
            .client
            .auth_cert_reg(self.auth_cert_reg_body(address))
            .await?;
        Ok(request_id(&response))
    }

    /// Registers `client` (a subsystem, or a member), signed by the client's member.
    pub async fn client_reg(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<i64, ManagementError> {
        let response = self.client.client_reg(self.client_reg_body(client)).await?;
        Ok(request_id(&response))
    }

    /// Registers the subsystem `client` with the name `subsystem_name` (PR-MSERV 1.18),
    /// signed by the client's member.
    pub async fn client_reg_named(
        &self,
        client: &XRoadClientIdentifierType,
        subsystem_name: &str,
    ) -> Result<i64, ManagementError> {
        let mut body = self.client_reg_body(client);
        body.0.subsystem_name = Some(subsystem_name.to_owned());
        Ok(request_id(&self.client.client_reg(body).await?))
    }

    /// Changes the security server's address, signed by the owner.
    pub async fn address_change(&self, address: &str) -> Result<i64, ManagementError> {
        let body = xroad::AddressChange(AddressChangeRequestType {
            server: self.server().clone(),
            address: address.to_owned(),
            request_id: None,
        });
        Ok(request_id(&self.client.address_change(body).await?))
    }

    /// Disables the client `client` temporarily, signed by the client's member.
    pub async fn client_disable(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<i64, ManagementError> {
        let body = xroad::ClientDisable(self.client_request(client));
        Ok(request_id(&self.client.client_disable(body).await?))
    }

    /// Enables the disabled client `client`, signed by the client's member.
    pub async fn client_enable(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<i64, ManagementError> {
        let body = xroad::ClientEnable(self.client_request(client));
        Ok(request_id(&self.client.client_enable(body).await?))
    }

    /// Renames the subsystem `client` to `subsystem_name`, signed by the client's member.
    pub async fn client_rename(
        &self,
        client: &XRoadClientIdentifierType,
        subsystem_name: &str,
    ) -> Result<i64, ManagementError> {
        let body = xroad::ClientRename(ClientRenameRequestType {
            server: self.server().clone(),
            client: client.clone(),
            subsystem_name: subsystem_name.to_owned(),
            request_id: None,
        });
        Ok(request_id(&self.client.client_rename(body).await?))
    }

    /// Puts the security server into maintenance mode, with an optional `message` for its
    /// clients, signed by the owner.
    pub async fn maintenance_mode_enable(
        &self,
        message: Option<&str>,
    ) -> Result<i64, ManagementError> {
        let body = xroad::MaintenanceModeEnable(MaintenanceModeEnableRequestType {
            server: self.server().clone(),
            message: message.map(str::to_owned),
            request_id: None,
        });
        Ok(request_id(
            &self.client.maintenance_mode_enable(body).await?,
        ))
    }

    /// Takes the security server out of maintenance mode, signed by the owner.
    pub async fn maintenance_mode_disable(&self) -> Result<i64, ManagementError> {
        let body = xroad::MaintenanceModeDisable(MaintenanceModeDisableRequestType {
            server: self.server().clone(),
            request_id: None,
        });
        Ok(request_id(
            &self.client.maintenance_mode_disable(body).await?,
        ))
    }

    /// Removes `client` from the security server's clients.
    pub async fn client_deletion(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<i64, ManagementError> {
        let body = xroad::ClientDeletion(self.client_request(client));
        Ok(request_id(&self.client.client_deletion(body).await?))
    }

    /// Changes the owner to the member `new_owner`, signed by it.
    pub async fn owner_change(
        &self,
        new_owner: &XRoadClientIdentifierType,
    ) -> Result<i64, ManagementError> {
        let body = xroad::OwnerChange(self.client_request(new_owner));
        Ok(request_id(&self.client.owner_change(body).await?))
    }

    /// Removes the authentication certificate.
    pub async fn auth_cert_deletion(&self) -> Result<i64, ManagementError> {
        let body = xroad::AuthCertDeletion(xroad::AuthCertDeletionRequestType {
            server: self.server().clone(),
            auth_cert: self.auth_cert.clone(),
            request_id: None,
        });
        Ok(request_id(&self.client.auth_cert_deletion(body).await?))
    }

    /// The authCertReg request of [`SecurityServer::auth_cert_reg`], signed and framed, not
    /// sent.
    pub async fn prepare_auth_cert_reg(
        &self,
        address: &str,
    ) -> Result<ComposedRequest<AuthCertReg>, ManagementError> {
        self.client
            .inner()
            .prepare::<AuthCertReg>(self.auth_cert_reg_body(address))
            .await
    }

    /// The clientReg request of [`SecurityServer::client_reg`], signed and framed, not sent.
    pub async fn prepare_client_reg(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<ComposedRequest<ClientReg>, ManagementError> {
        self.client
            .inner()
            .prepare::<ClientReg>(self.client_reg_body(client))
            .await
    }

    /// The clientDeletion request of [`SecurityServer::client_deletion`], not sent.
    pub async fn prepare_client_deletion(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<ComposedRequest<ClientDeletion>, ManagementError> {
        let body = xroad::ClientDeletion(self.client_request(client));
        self.client.inner().prepare::<ClientDeletion>(body).await
    }

    /// The ownerChange request of [`SecurityServer::owner_change`], not sent.
    pub async fn prepare_owner_change(
        &self,
        new_owner: &XRoadClientIdentifierType,
    ) -> Result<ComposedRequest<OwnerChange>, ManagementError> {
        let body = xroad::OwnerChange(self.client_request(new_owner));
        self.client.inner().prepare::<OwnerChange>(body).await
    }

    /// The authCertDeletion request of [`SecurityServer::auth_cert_deletion`], not sent.
    pub async fn prepare_auth_cert_deletion(
        &self,
    ) -> Result<ComposedRequest<AuthCertDeletion>, ManagementError> {
        let body = xroad::AuthCertDeletion(xroad::AuthCertDeletionRequestType {
            server: self.server().clone(),
            auth_cert: self.auth_cert.clone(),
            request_id: None,
        });
        self.client.inner().prepare::<AuthCertDeletion>(body).await
    }
}

/// The request id of a response the client has checked (it has a positive one).
fn request_id(response: &impl ManagementBody) -> i64 {
    response.request_id().unwrap_or_default()
}

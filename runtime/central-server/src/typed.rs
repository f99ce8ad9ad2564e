//! The typed request the store keeps, read from each operation's request body: what the
//! services store, and what `verify-log` compares a stored request with.

use xroad_mserv::centralservice::{
    AddressChange, AuthCertDeletion, AuthCertReg, ClientDeletion, ClientDisable, ClientEnable,
    ClientReg, ClientRename, MaintenanceModeDisable, MaintenanceModeEnable, OwnerChange,
};
use xroad_runtime::ManagementOperation;
use xroad_runtime::fault::{Fault, FaultCode};

use crate::store::ManagementRequest;

/// An operation whose request the store keeps as a [`ManagementRequest`].
pub trait StoredOperation: ManagementOperation {
    /// The typed request `body` carries.
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault>;
}

impl StoredOperation for ClientReg {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::ClientReg {
            server: body.server.clone(),
            client: body.client.clone(),
            subsystem_name: body.subsystem_name.clone(),
        })
    }
}

impl StoredOperation for ClientDeletion {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::ClientDeletion {
            server: body.server.clone(),
            client: body.client.clone(),
        })
    }
}

impl StoredOperation for ClientDisable {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::ClientDisable {
            server: body.server.clone(),
            client: body.client.clone(),
        })
    }
}

impl StoredOperation for ClientEnable {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::ClientEnable {
            server: body.server.clone(),
            client: body.client.clone(),
        })
    }
}

impl StoredOperation for ClientRename {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::ClientRename {
            server: body.server.clone(),
            client: body.client.clone(),
            subsystem_name: body.subsystem_name.clone(),
        })
    }
}

impl StoredOperation for AuthCertDeletion {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::AuthCertDeletion {
            server: body.server.clone(),
            auth_cert: body.auth_cert.clone(),
        })
    }
}

impl StoredOperation for OwnerChange {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::OwnerChange {
            server: body.server.clone(),
            new_owner: body.client.clone(),
        })
    }
}

impl StoredOperation for AddressChange {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::AddressChange {
            server: body.server.clone(),
            address: body.address.clone(),
        })
    }
}

impl StoredOperation for MaintenanceModeEnable {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        Ok(ManagementRequest::MaintenanceModeEnable {
            server: body.server.clone(),
            message: body.message.clone(),
        })
    }
}

impl StoredOperation for MaintenanceModeDisable {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        Ok(ManagementRequest::MaintenanceModeDisable {
            server: body.0.server.clone(),
        })
    }
}

impl StoredOperation for AuthCertReg {
    fn typed(body: &Self::Request) -> Result<ManagementRequest, Fault> {
        let body = &body.0;
        // The verifier refuses an authCertReg without an address; this keeps the store's
        // shape total should that ever change.
        let Some(address) = body.address.clone() else {
            return Err(Fault::new(
                FaultCode::InvalidRequest,
                "invalid server address: the request has no address",
            ));
        };
        Ok(ManagementRequest::AuthCertReg {
            server: body.server.clone(),
            auth_cert: body.auth_cert.clone(),
            address,
        })
    }
}

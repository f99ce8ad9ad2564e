//! How a [`ManagementRequest`] is kept in the `requests` table: the service and server
//! columns, and one nullable column per field that some service has. The schema's
//! `fields_of_service` check holds each service to its columns; reading a row back checks
//! them again, and a row that does not fit its service is [`StoreError::Corrupt`].

use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

use super::error::StoreError;
use super::model::{ManagementRequest, Service};

/// The field columns of a request, borrowed from it for an insert.
#[derive(Debug, Default)]
pub(super) struct FieldColumns<'a> {
    /// `client`: the client, or the new owner of ownerChange.
    pub(super) client: Option<&'a XRoadClientIdentifierType>,
    /// `auth_cert`: authCertReg, authCertDeletion.
    pub(super) auth_cert: Option<&'a [u8]>,
    /// `address`: authCertReg, addressChange.
    pub(super) address: Option<&'a str>,
    /// `subsystem_name`: clientReg (optional), clientRename.
    pub(super) subsystem_name: Option<&'a str>,
    /// `message`: maintenanceModeEnable (optional).
    pub(super) message: Option<&'a str>,
}

impl<'a> FieldColumns<'a> {
    /// The columns `request` fills.
    pub(super) fn of(request: &'a ManagementRequest) -> Self {
        use ManagementRequest as R;
        match request {
            R::ClientReg {
                client,
                subsystem_name,
                ..
            } => Self {
                client: Some(client),
                subsystem_name: subsystem_name.as_deref(),
                ..Self::default()
            },
            R::ClientDeletion { client, .. }
            | R::ClientDisable { client, .. }
            | R::ClientEnable { client, .. }
            | R::OwnerChange {
                new_owner: client, ..
            } => Self {
                client: Some(client),
                ..Self::default()
            },
            R::ClientRename {
                client,
                subsystem_name,
                ..
            } => Self {
                client: Some(client),
                subsystem_name: Some(subsystem_name),
                ..Self::default()
            },
            R::AuthCertReg {
                auth_cert, address, ..
            } => Self {
                auth_cert: Some(auth_cert),
                address: Some(address),
                ..Self::default()
            },
            R::AuthCertDeletion { auth_cert, .. } => Self {
                auth_cert: Some(auth_cert),
                ..Self::default()
            },
            R::AddressChange { address, .. } => Self {
                address: Some(address),
                ..Self::default()
            },
            R::MaintenanceModeEnable { message, .. } => Self {
                message: message.as_deref(),
                ..Self::default()
            },
            R::MaintenanceModeDisable { .. } => Self::default(),
        }
    }
}

/// The columns of a stored request row, as read.
#[derive(Debug)]
pub(super) struct StoredRequest {
    /// The row id (the request id).
    pub(super) id: i64,
    /// `service`.
    pub(super) service: String,
    /// `server`.
    pub(super) server: String,
    /// `client`.
    pub(super) client: Option<String>,
    /// `auth_cert`.
    pub(super) auth_cert: Option<Vec<u8>>,
    /// `address`.
    pub(super) address: Option<String>,
    /// `subsystem_name`.
    pub(super) subsystem_name: Option<String>,
    /// `message`.
    pub(super) message: Option<String>,
}

impl StoredRequest {
    /// The request the row holds; [`StoreError::Corrupt`] naming the first column that does
    /// not parse or does not fit the service.
    pub(super) fn into_request(self) -> Result<ManagementRequest, StoreError> {
        use ManagementRequest as R;
        let Self {
            id,
            service,
            server,
            client,
            auth_cert,
            address,
            subsystem_name,
            message,
        } = self;
        let service: Service = parse(id, "service", &service)?;
        let server: XRoadSecurityServerIdentifierType = parse(id, "server", &server)?;
        let mut fields = Fields {
            id,
            service,
            client,
            auth_cert,
            address,
            subsystem_name,
            message,
        };
        let request = match service {
            Service::ClientReg => R::ClientReg {
                server,
                client: fields.client()?,
                subsystem_name: fields.subsystem_name.take(),
            },
            Service::ClientDeletion => R::ClientDeletion {
                server,
                client: fields.client()?,
            },
            Service::ClientDisable => R::ClientDisable {
                server,
                client: fields.client()?,
            },
            Service::ClientEnable => R::ClientEnable {
                server,
                client: fields.client()?,
            },
            Service::ClientRename => R::ClientRename {
                server,
                client: fields.client()?,
                subsystem_name: fields.required("subsystem_name", |f| f.subsystem_name.take())?,
            },
            Service::OwnerChange => R::OwnerChange {
                server,
                new_owner: fields.client()?,
            },
            Service::AuthCertReg => R::AuthCertReg {
                server,
                auth_cert: fields.required("auth_cert", |f| f.auth_cert.take())?,
                address: fields.required("address", |f| f.address.take())?,
            },
            Service::AuthCertDeletion => R::AuthCertDeletion {
                server,
                auth_cert: fields.required("auth_cert", |f| f.auth_cert.take())?,
            },
            Service::AddressChange => R::AddressChange {
                server,
                address: fields.required("address", |f| f.address.take())?,
            },
            Service::MaintenanceModeEnable => R::MaintenanceModeEnable {
                server,
                message: fields.message.take(),
            },
            Service::MaintenanceModeDisable => R::MaintenanceModeDisable { server },
        };
        fields.nothing_left()?;
        Ok(request)
    }
}

/// The field columns of a row while its request is built: each is taken by the field that
/// uses it, and any left over does not belong to the service.
struct Fields {
    id: i64,
    service: Service,
    client: Option<String>,
    auth_cert: Option<Vec<u8>>,
    address: Option<String>,
    subsystem_name: Option<String>,
    message: Option<String>,
}

impl Fields {
    /// Takes the `client` column, which must be present and parse.
    fn client(&mut self) -> Result<XRoadClientIdentifierType, StoreError> {
        let text = self.required("client", |f| f.client.take())?;
        parse(self.id, "client", &text)
    }

    /// Takes a column that the service requires.
    fn required<T>(
        &mut self,
        column: &'static str,
        take: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Result<T, StoreError> {
        take(self).ok_or_else(|| self.misfit(column, "is missing"))
    }

    /// Fails if a column that the service does not use is set.
    fn nothing_left(&self) -> Result<(), StoreError> {
        let left = [
            ("client", self.client.is_some()),
            ("auth_cert", self.auth_cert.is_some()),
            ("address", self.address.is_some()),
            ("subsystem_name", self.subsystem_name.is_some()),
            ("message", self.message.is_some()),
        ];
        match left.into_iter().find(|(_, set)| *set) {
            Some((column, _)) => Err(self.misfit(column, "is set")),
            None => Ok(()),
        }
    }

    /// A column that does not fit the service.
    fn misfit(&self, column: &'static str, problem: &str) -> StoreError {
        StoreError::Corrupt {
            table: "requests",
            column,
            row: self.id,
            source: format!("{problem} for service {}", self.service).into(),
        }
    }
}

/// Parses a textual column of request `id`.
fn parse<T>(id: i64, column: &'static str, text: &str) -> Result<T, StoreError>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|source| StoreError::Corrupt {
        table: "requests",
        column,
        row: id,
        source: Box::new(source),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(request: &ManagementRequest) -> StoredRequest {
        let columns = FieldColumns::of(request);
        StoredRequest {
            id: 7,
            service: request.service().as_str().to_owned(),
            server: request.server().to_string(),
            client: columns.client.map(ToString::to_string),
            auth_cert: columns.auth_cert.map(<[u8]>::to_vec),
            address: columns.address.map(str::to_owned),
            subsystem_name: columns.subsystem_name.map(str::to_owned),
            message: columns.message.map(str::to_owned),
        }
    }

    fn every_service() -> Vec<ManagementRequest> {
        let server: XRoadSecurityServerIdentifierType = "SERVER:EE/GOV/O/SS".parse().unwrap();
        let client: XRoadClientIdentifierType = "SUBSYSTEM:EE/COM/C/sub".parse().unwrap();
        let member: XRoadClientIdentifierType = "MEMBER:EE/COM/N".parse().unwrap();
        use ManagementRequest as R;
        vec![
            R::ClientReg {
                server: server.clone(),
                client: client.clone(),
                subsystem_name: Some("Name".to_owned()),
            },
            R::ClientReg {
                server: server.clone(),
                client: member.clone(),
                subsystem_name: None,
            },
            R::ClientDeletion {
                server: server.clone(),
                client: client.clone(),
            },
            R::AuthCertReg {
                server: server.clone(),
                auth_cert: vec![0x30, 1],
                address: "ss.example.org".to_owned(),
            },
            R::AuthCertDeletion {
                server: server.clone(),
                auth_cert: vec![0x30, 1],
            },
            R::OwnerChange {
                server: server.clone(),
                new_owner: member,
            },
            R::AddressChange {
                server: server.clone(),
                address: "10.0.0.1".to_owned(),
            },
            R::ClientDisable {
                server: server.clone(),
                client: client.clone(),
            },
            R::ClientEnable {
                server: server.clone(),
                client: client.clone(),
            },
            R::ClientRename {
                server: server.clone(),
                client,
                subsystem_name: String::new(),
            },
            R::MaintenanceModeEnable {
                server: server.clone(),
                message: Some("back at noon".to_owned()),
            },
            R::MaintenanceModeEnable {
                server: server.clone(),
                message: None,
            },
            R::MaintenanceModeDisable { server },
        ]
    }

    #[test]
    fn every_service_round_trips_through_its_columns() {
        let requests = every_service();
        let services: std::collections::BTreeSet<_> =
            requests.iter().map(ManagementRequest::service).collect();
        assert_eq!(services.len(), Service::ALL.len());
        for request in requests {
            assert_eq!(stored(&request).into_request().unwrap(), request);
        }
    }

    #[test]
    fn a_row_that_does_not_fit_its_service_is_corrupt() {
        let corrupt = |row: StoredRequest| match row.into_request() {
            Err(StoreError::Corrupt {
                table: "requests",
                column,
                row: 7,
                source,
            }) => format!("{column}: {source}"),
            other => panic!("expected corruption, got {other:?}"),
        };
        let [reg, _, deletion, auth, ..] = &every_service()[..] else {
            unreachable!()
        };
        let mut row = stored(deletion);
        row.address = Some("x".to_owned());
        assert_eq!(corrupt(row), "address: is set for service clientDeletion");
        let mut row = stored(auth);
        row.address = None;
        assert_eq!(corrupt(row), "address: is missing for service authCertReg");
        let mut row = stored(reg);
        row.client = Some("MEMBER:EE".to_owned());
        assert!(corrupt(row).starts_with("client: "));
        let mut row = stored(reg);
        row.service = "getRandom".to_owned();
        assert!(corrupt(row).starts_with("service: "));
    }
}

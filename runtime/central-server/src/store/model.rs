//! What the store holds: requests, their message log, statuses and registry records.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_runtime::message::Parts;

/// One of the eleven management services; [`Service::as_str`] is the X-Road service code.
pub use xroad_mserv::centralservice::OperationName as Service;

/// Status of a stored request, as in the X-Road central server data model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// `WAITING`: received, waiting for a complementary request.
    Waiting,
    /// `SUBMITTED FOR APPROVAL`: waiting for the central server administrator.
    SubmittedForApproval,
    /// `APPROVED`: applied to the registry.
    Approved,
    /// `DECLINED`: refused by the administrator.
    Declined,
    /// `REVOKED`: withdrawn before a decision.
    Revoked,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 5] = [
        Self::Waiting,
        Self::SubmittedForApproval,
        Self::Approved,
        Self::Declined,
        Self::Revoked,
    ];

    /// The status as stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "WAITING",
            Self::SubmittedForApproval => "SUBMITTED FOR APPROVAL",
            Self::Approved => "APPROVED",
            Self::Declined => "DECLINED",
            Self::Revoked => "REVOKED",
        }
    }

    /// Whether the request still awaits a decision.
    pub const fn is_pending(self) -> bool {
        matches!(self, Self::Waiting | Self::SubmittedForApproval)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the five statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown request status `{0}`")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

/// A decision taken on a stored request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Apply the request to the registry; status `APPROVED`.
    Approve,
    /// Refuse the request; status `DECLINED`.
    Decline,
    /// Withdraw the request; status `REVOKED`.
    Revoke,
}

impl Action {
    /// Statuses the action may be taken from.
    pub const fn allowed_from(self) -> &'static [Status] {
        match self {
            Self::Approve | Self::Decline => &[Status::SubmittedForApproval, Status::Waiting],
            Self::Revoke => &[Status::SubmittedForApproval],
        }
    }

    /// Status the request has after the action.
    pub const fn target(self) -> Status {
        match self {
            Self::Approve => Status::Approved,
            Self::Decline => Status::Declined,
            Self::Revoke => Status::Revoked,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Approve => "approve",
            Self::Decline => "decline",
            Self::Revoke => "revoke",
        })
    }
}

/// A management request as the store takes it: one variant per service, with exactly the
/// fields of that service's body (without `requestId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagementRequest {
    /// clientReg: register `client` on `server`; `subsystem_name` names the subsystem.
    ClientReg {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client (a member or one of its subsystems).
        client: XRoadClientIdentifierType,
        /// The subsystem's new name, applied on approval if not empty.
        subsystem_name: Option<String>,
    },
    /// clientDeletion: remove `client` from `server`.
    ClientDeletion {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// authCertReg: add `auth_cert` to `server` (registering the server if new).
    AuthCertReg {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The authentication certificate (DER).
        auth_cert: Vec<u8>,
        /// The security server's address.
        address: String,
    },
    /// authCertDeletion: remove `auth_cert` from `server`.
    AuthCertDeletion {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The authentication certificate (DER).
        auth_cert: Vec<u8>,
    },
    /// ownerChange: make `new_owner` the owner of `server`.
    OwnerChange {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The new owner member.
        new_owner: XRoadClientIdentifierType,
    },
    /// addressChange: give `server` a new address.
    AddressChange {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// Its new address.
        address: String,
    },
    /// clientDisable: disable `client` on `server` for the time being.
    ClientDisable {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// clientEnable: enable `client` on `server` again.
    ClientEnable {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The client.
        client: XRoadClientIdentifierType,
    },
    /// clientRename: give the subsystem `client` of `server` a new name.
    ClientRename {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// The subsystem.
        client: XRoadClientIdentifierType,
        /// Its new name.
        subsystem_name: String,
    },
    /// maintenanceModeEnable: put `server` into maintenance mode.
    MaintenanceModeEnable {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
        /// What clients of the server are told while it is in maintenance mode.
        message: Option<String>,
    },
    /// maintenanceModeDisable: take `server` out of maintenance mode.
    MaintenanceModeDisable {
        /// The security server.
        server: XRoadSecurityServerIdentifierType,
    },
}

impl ManagementRequest {
    /// The management service.
    pub fn service(&self) -> Service {
        match self {
            Self::ClientReg { .. } => Service::ClientReg,
            Self::ClientDeletion { .. } => Service::ClientDeletion,
            Self::AuthCertReg { .. } => Service::AuthCertReg,
            Self::AuthCertDeletion { .. } => Service::AuthCertDeletion,
            Self::OwnerChange { .. } => Service::OwnerChange,
            Self::AddressChange { .. } => Service::AddressChange,
            Self::ClientDisable { .. } => Service::ClientDisable,
            Self::ClientEnable { .. } => Service::ClientEnable,
            Self::ClientRename { .. } => Service::ClientRename,
            Self::MaintenanceModeEnable { .. } => Service::MaintenanceModeEnable,
            Self::MaintenanceModeDisable { .. } => Service::MaintenanceModeDisable,
        }
    }

    /// The security server the request is about.
    pub fn server(&self) -> &XRoadSecurityServerIdentifierType {
        match self {
            Self::ClientReg { server, .. }
            | Self::ClientDeletion { server, .. }
            | Self::AuthCertReg { server, .. }
            | Self::AuthCertDeletion { server, .. }
            | Self::OwnerChange { server, .. }
            | Self::AddressChange { server, .. }
            | Self::ClientDisable { server, .. }
            | Self::ClientEnable { server, .. }
            | Self::ClientRename { server, .. }
            | Self::MaintenanceModeEnable { server, .. }
            | Self::MaintenanceModeDisable { server } => server,
        }
    }

    /// Whether the central server applies the request on receipt (all but the
    /// registrations) rather than on approval (clientReg, authCertReg, ownerChange).
    pub fn applies_on_receipt(&self) -> bool {
        !matches!(
            self,
            Self::ClientReg { .. } | Self::AuthCertReg { .. } | Self::OwnerChange { .. }
        )
    }

    /// What the request changes on its security server, for listings: the client, the new
    /// owner, the address, the new name or the maintenance message.
    pub fn subject(&self) -> String {
        match self {
            Self::ClientReg {
                client,
                subsystem_name: Some(name),
                ..
            } => format!("{client} named {name:?}"),
            Self::ClientReg { client, .. }
            | Self::ClientDeletion { client, .. }
            | Self::ClientDisable { client, .. }
            | Self::ClientEnable { client, .. } => client.to_string(),
            Self::ClientRename {
                client,
                subsystem_name,
                ..
            } => format!("{client} renamed {subsystem_name:?}"),
            Self::AuthCertReg { address, .. } => {
                format!("authentication certificate, address {address}")
            }
            Self::AuthCertDeletion { .. } => "authentication certificate".to_owned(),
            Self::OwnerChange { new_owner, .. } => format!("new owner {new_owner}"),
            Self::AddressChange { address, .. } => format!("address {address}"),
            Self::MaintenanceModeEnable {
                message: Some(message),
                ..
            } => format!("message {message:?}"),
            Self::MaintenanceModeEnable { message: None, .. } => "no message".to_owned(),
            Self::MaintenanceModeDisable { .. } => String::new(),
        }
    }
}

/// A request the central server has accepted for processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    /// The service and its fields.
    pub request: ManagementRequest,
    /// The X-Road message id (`xroad:id`).
    pub message_id: String,
    /// The sender (`xroad:client` of the header).
    pub sender: XRoadClientIdentifierType,
    /// When the request was received.
    pub received_at: SystemTime,
    /// The message log: the MIME parts exactly as received, to verify the request again.
    pub log: Parts,
    /// Where the request came from: the TCP peer and the TLS client certificate.
    pub transport: Transport,
}

/// Where a request came from, kept with its message log so that a request, signed or not,
/// can be traced to the connection that sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transport {
    /// The TCP peer (address and port).
    pub peer: Option<std::net::SocketAddr>,
    /// The TLS client certificate (DER), if the client presented one; the store keeps its
    /// SHA-256 hash.
    pub client_certificate: Option<Vec<u8>>,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The request id (`requestId` of the response).
    pub id: i64,
    /// The service and its fields.
    pub request: ManagementRequest,
    /// Current status.
    pub status: Status,
    /// The X-Road message id (`xroad:id`).
    pub message_id: String,
    /// The sender.
    pub sender: XRoadClientIdentifierType,
    /// When the request was received.
    pub received_at: SystemTime,
}

impl RequestRecord {
    /// The management service.
    pub fn service(&self) -> Service {
        self.request.service()
    }
}

/// The message log of a stored request and the hash of the response that was sent for it
/// (the response repeats the request: it is built again from it, and must match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMessage {
    /// The request's MIME parts as received.
    pub parts: Parts,
    /// SHA-256 of the response bytes exactly as sent.
    pub response_sha256: [u8; 32],
    /// The TCP peer, as text (`address:port`), if known.
    pub peer: Option<String>,
    /// SHA-256 of the TLS client certificate (DER), if the client presented one.
    pub client_certificate_sha256: Option<[u8; 32]>,
}

/// Outcome of [`Store::submit`](super::Store::submit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// The request was stored under a new id.
    Accepted {
        /// The new request id.
        request_id: i64,
        /// The response built for it.
        response: Vec<u8>,
    },
    /// The sender already sent a request with this message id; nothing was stored.
    Repeated {
        /// Id of the first request.
        request_id: i64,
        /// The response sent for the first request.
        response: Vec<u8>,
    },
}

impl Submitted {
    /// The request id, new or first.
    pub fn request_id(&self) -> i64 {
        match self {
            Self::Accepted { request_id, .. } | Self::Repeated { request_id, .. } => *request_id,
        }
    }

    /// The response to send.
    pub fn response(&self) -> &[u8] {
        match self {
            Self::Accepted { response, .. } | Self::Repeated { response, .. } => response,
        }
    }

    /// Takes the response to send.
    pub fn into_response(self) -> Vec<u8> {
        match self {
            Self::Accepted { response, .. } | Self::Repeated { response, .. } => response,
        }
    }
}

/// A registered security server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRecord {
    /// Its identifier: the owner's member codes and the server code.
    pub id: XRoadSecurityServerIdentifierType,
    /// The owner member.
    pub owner: XRoadClientIdentifierType,
    /// Its address, if one was given.
    pub address: Option<String>,
    /// Its maintenance mode, while it is in maintenance mode.
    pub maintenance: Option<MaintenanceMode>,
    /// Its authentication certificates (DER), sorted.
    pub auth_certs: Vec<Vec<u8>>,
    /// Its clients, sorted by textual form.
    pub clients: Vec<ClientRecord>,
}

/// A security server's maintenance mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaintenanceMode {
    /// What the server's clients are told, if maintenanceModeEnable gave a message.
    pub message: Option<String>,
}

/// A client registered on a security server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// The client: a member or a subsystem.
    pub id: XRoadClientIdentifierType,
    /// Whether it is enabled (clientDisable and clientEnable switch it).
    pub enabled: bool,
    /// The subsystem's name, if clientReg or clientRename gave it one. The name belongs to
    /// the subsystem: it is the same on every server that has the subsystem as a client.
    pub subsystem_name: Option<String>,
}

/// Which requests [`Store::requests`](super::Store::requests) lists; the default lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Only requests of this service.
    pub service: Option<Service>,
    /// Only requests with this status.
    pub status: Option<Status>,
    /// Only requests about this security server.
    pub server: Option<XRoadSecurityServerIdentifierType>,
}

/// Nanoseconds since the Unix epoch, negative before it; `None` outside the `i64` range.
pub(super) fn to_unix_nanos(time: SystemTime) -> Option<i64> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).ok(),
        Err(before) => i64::try_from(before.duration().as_nanos())
            .ok()
            .map(|nanos| -nanos),
    }
}

/// The time `nanos` nanoseconds after (or before, if negative) the Unix epoch.
pub(super) fn from_unix_nanos(nanos: i64) -> Option<SystemTime> {
    let offset = Duration::from_nanos(nanos.unsigned_abs());
    if nanos >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    }
}

/// The member that owns a security server, from the server's identifier.
pub(super) fn owner_of(server: &XRoadSecurityServerIdentifierType) -> XRoadClientIdentifierType {
    XRoadClientIdentifierType {
        object_type: XRoadObjectType::Member,
        x_road_instance: server.x_road_instance.clone(),
        member_class: server.member_class.clone(),
        member_code: server.member_code.clone(),
        subsystem_code: None,
    }
}

/// The identifier a security server has when `owner` owns it.
pub(super) fn server_owned_by(
    server: &XRoadSecurityServerIdentifierType,
    owner: &XRoadClientIdentifierType,
) -> XRoadSecurityServerIdentifierType {
    XRoadSecurityServerIdentifierType {
        object_type: XRoadObjectType::Server,
        x_road_instance: owner.x_road_instance.clone(),
        member_class: owner.member_class.clone(),
        member_code: owner.member_code.clone(),
        server_code: server.server_code.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_round_trips_and_unknown_text_is_refused() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert_eq!(
            "approved".parse::<Status>(),
            Err(UnknownStatus("approved".to_owned()))
        );
    }

    #[test]
    fn unix_nanos_round_trip_on_both_sides_of_the_epoch() {
        for nanos in [
            0,
            1,
            -1,
            1_700_000_000_123_456_789,
            -86_400_000_000_007,
            i64::MAX,
        ] {
            let time = from_unix_nanos(nanos).unwrap();
            assert_eq!(to_unix_nanos(time), Some(nanos));
        }
        let too_late = UNIX_EPOCH + Duration::from_secs(400 * 366 * 86_400);
        assert_eq!(to_unix_nanos(too_late), None);
    }

    #[test]
    fn owner_change_keeps_the_server_code() {
        let server: XRoadSecurityServerIdentifierType = "SERVER:EE/GOV/OLD/SS1".parse().unwrap();
        let owner: XRoadClientIdentifierType = "MEMBER:EE/COM/NEW".parse().unwrap();
        assert_eq!(owner_of(&server).to_string(), "MEMBER:EE/GOV/OLD");
        assert_eq!(
            server_owned_by(&server, &owner).to_string(),
            "SERVER:EE/COM/NEW/SS1"
        );
    }
}

//! What the store holds: requests, their message log, statuses and registry records.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

/// One of the five management services; [`Service::as_str`] is the X-Road service code.
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

/// Everything needed to verify a request again later: the SOAP part exactly as received and
/// the signatures, certificates and OCSP response that came with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageLog {
    /// The SOAP part, byte for byte.
    pub soap: Vec<u8>,
    /// Signature of the member (signature algorithm id, signature value).
    pub signature: Option<(String, Vec<u8>)>,
    /// authCertReg proof of possession of the authentication key (algorithm id, value).
    pub auth_key_signature: Option<(String, Vec<u8>)>,
    /// authCertReg: the authentication certificate part (DER).
    pub auth_certificate: Option<Vec<u8>>,
    /// Signing certificate of the member that signed (DER).
    pub signing_certificate: Option<Vec<u8>>,
    /// OCSP response for the signing certificate (DER).
    pub ocsp_response: Option<Vec<u8>>,
}

/// A request the central server has accepted for processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    /// The management service.
    pub service: Service,
    /// The security server the request is about.
    pub server: XRoadSecurityServerIdentifierType,
    /// clientReg/clientDeletion: the client; ownerChange: the new owner member.
    pub client: Option<XRoadClientIdentifierType>,
    /// authCertReg/authCertDeletion: the authentication certificate (DER).
    pub auth_cert: Option<Vec<u8>>,
    /// authCertReg: the security server's address.
    pub address: Option<String>,
    /// The X-Road message id (`xroad:id`).
    pub message_id: String,
    /// The sender (`xroad:client` of the header).
    pub sender: XRoadClientIdentifierType,
    /// When the request was received.
    pub received_at: SystemTime,
    /// The message log entry.
    pub log: MessageLog,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The request id (`requestId` of the response).
    pub id: i64,
    /// The management service.
    pub service: Service,
    /// Current status.
    pub status: Status,
    /// The security server the request is about.
    pub server: XRoadSecurityServerIdentifierType,
    /// clientReg/clientDeletion: the client; ownerChange: the new owner member.
    pub client: Option<XRoadClientIdentifierType>,
    /// authCertReg/authCertDeletion: the authentication certificate (DER).
    pub auth_cert: Option<Vec<u8>>,
    /// authCertReg: the security server's address.
    pub address: Option<String>,
    /// The X-Road message id (`xroad:id`).
    pub message_id: String,
    /// The sender.
    pub sender: XRoadClientIdentifierType,
    /// When the request was received.
    pub received_at: SystemTime,
}

/// The message log of a stored request and the response that was sent for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMessage {
    /// The request's message log.
    pub log: MessageLog,
    /// The response bytes exactly as sent.
    pub response: Vec<u8>,
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
    /// Its authentication certificates (DER), sorted.
    pub auth_certs: Vec<Vec<u8>>,
    /// Its clients, sorted by textual form.
    pub clients: Vec<XRoadClientIdentifierType>,
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
        object_type: xroad_mserv::identifiers::XRoadObjectType::Member,
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

//! Storing a received request with its message log, and deciding on stored requests. Every
//! function here runs inside the writer's transaction.

use std::panic::{self, AssertUnwindSafe};
use std::time::SystemTime;

use xroad_mserv::identifiers::XRoadClientIdentifierType;
use xroad_runtime::message::Parts;

use super::chain::{self, Kind};
use super::columns::FieldColumns;
use super::error::{DbContext, RuleViolation, StoreError};
use super::model::{Action, NewRequest, Status, Submitted, to_unix_nanos};
use super::queries;
use super::rules;
use super::sql::{Db, params};
use super::usage::{self, StoreSettings};

/// A received request that the store can hold, ready to store.
#[derive(Debug)]
pub(super) struct Checked {
    request: NewRequest,
    received_at: i64,
}

impl Checked {
    /// Checks the message id and timestamp; no database access.
    pub(super) fn new(request: NewRequest) -> Result<Self, StoreError> {
        if request.message_id.is_empty() {
            return Err(StoreError::Malformed {
                service: request.request.service(),
                field: "message_id",
                problem: "must not be empty",
            });
        }
        let received_at = to_unix_nanos(request.received_at).ok_or(StoreError::TimeOutOfRange)?;
        Ok(Self {
            request,
            received_at,
        })
    }
}

/// Stores `checked` unless it repeats an earlier request, breaks a rule or goes over the
/// daily limit of its server. Every check runs before the first write. `provider` is the
/// management service provider.
pub(super) fn submit(
    db: Db<'_>,
    checked: Checked,
    provider: &XRoadClientIdentifierType,
    settings: &StoreSettings,
    auto_approve: bool,
    respond: impl FnOnce(i64) -> Vec<u8>,
) -> Result<Submitted, StoreError> {
    let Checked {
        request: new,
        received_at,
    } = checked;
    let sender = new.sender.to_string();
    let earlier: Option<(i64, Vec<u8>, Option<Vec<u8>>)> = db
        .query_opt(
            "SELECT r.id, m.soap, m.response_sha256 FROM requests AS r
             JOIN message_log AS m ON m.request = r.id
             WHERE r.sender = ?1 AND r.message_id = ?2",
            params![&sender, &new.message_id],
            |found| Ok((found.get(0)?, found.get(1)?, found.get(2)?)),
        )
        .during("looking for an earlier request with the same message id")?;
    if let Some((request_id, soap, response_sha256)) = earlier {
        // A repeat is the same SOAP part byte for byte: what the signature covers, and all
        // that the request says. Anything else under a used id is refused.
        if soap != new.log.soap[..] {
            return Err(RuleViolation::MessageIdUsed {
                sender: new.sender,
                message_id: new.message_id,
                request: request_id,
            }
            .into());
        }
        // The response is built again for the first id, as the first one was; only the
        // same bytes are sent.
        let response = build_response(respond, request_id)?;
        if response_sha256.as_deref() != Some(&openssl::sha::sha256(&response)[..]) {
            return Err(StoreError::RepeatNotRebuilt { request_id });
        }
        return Ok(Submitted::Repeated {
            request_id,
            response,
        });
    }

    let day = received_at.div_euclid(NANOS_PER_DAY);
    let size = stored_size(&new.log);
    usage::check(db, &new.request, day, size, settings)?;

    let request = &new.request;
    rules::check(db, request, provider, None)?;
    let status = if request.applies_on_receipt() || auto_approve {
        rules::apply(db, request)?;
        Status::Approved
    } else {
        Status::SubmittedForApproval
    };

    let fields = FieldColumns::of(request);
    let request_id: i64 = db
        .query_one(
            "INSERT INTO requests
                (id, service, server, client, auth_cert, address, subsystem_name, message,
                 status, message_id, sender, received_at)
             VALUES (?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
            params![
                request.service().as_str(),
                request.server().to_string(),
                fields.client.map(ToString::to_string),
                fields.auth_cert,
                fields.address,
                fields.subsystem_name,
                fields.message,
                status.as_str(),
                &new.message_id,
                &sender,
                received_at,
                next_request_id(db)?,
            ],
            |inserted| inserted.get(0),
        )
        .during("storing the request")?;

    let response = build_response(respond, request_id)?;
    store_log(db, request_id, &new, &response)?;
    usage::add(db, request.server(), day, size)?;
    chain::append(
        db,
        Kind::Received,
        Some(request_id),
        Some(status),
        received_at,
    )?;
    Ok(Submitted::Accepted {
        request_id,
        response,
    })
}

/// The id of the next request on PostgreSQL: one more than any given so far, stored or
/// archived (an archive checkpoint records the last id it took away). The caller holds the
/// chain lock, so no other node assigns one meanwhile, and a rolled-back insert leaves no
/// gap. `None` on SQLite, whose `AUTOINCREMENT` does the same for its one writer.
fn next_request_id(db: Db<'_>) -> Result<Option<i64>, StoreError> {
    if let Db::Sqlite(_) = db {
        return Ok(None);
    }
    db.query_one(
        "SELECT GREATEST(
             COALESCE((SELECT max(id) FROM requests), 0),
             COALESCE((SELECT max(last_request) FROM checkpoints), 0)) + 1",
        params![],
        |row| row.get(0),
    )
    .map(Some)
    .during("assigning the request id")
}

/// Nanoseconds in a day: the daily limit counts by UTC day.
const NANOS_PER_DAY: i64 = 86_400 * 1_000_000_000;

/// The bytes a message log takes: every part, with the signature algorithm ids.
fn stored_size(parts: &Parts) -> u64 {
    let attachments: usize = parts
        .attachments
        .iter()
        .map(|a| a.body.len() + a.signature_algorithm_id.as_ref().map_or(0, String::len))
        .sum();
    (parts.soap.len() + attachments) as u64
}

/// Calls `respond`; a panic in it is [`StoreError::ResponsePanicked`].
fn build_response(
    respond: impl FnOnce(i64) -> Vec<u8>,
    request_id: i64,
) -> Result<Vec<u8>, StoreError> {
    panic::catch_unwind(AssertUnwindSafe(|| respond(request_id)))
        .map_err(|_| StoreError::ResponsePanicked)
}

/// Stores the message log of request `request_id`: the SOAP part, the hash of the response
/// and where the request came from in `message_log`, each later part in
/// `message_attachments` under its MIME part number.
fn store_log(
    db: Db<'_>,
    request_id: i64,
    new: &NewRequest,
    response: &[u8],
) -> Result<(), StoreError> {
    let parts = &new.log;
    let response_sha256 = openssl::sha::sha256(response);
    let peer = new.transport.peer.map(|peer| peer.to_string());
    let certificate = new
        .transport
        .client_certificate
        .as_deref()
        .map(openssl::sha::sha256);
    db.execute(
        "INSERT INTO message_log (request, soap, response_sha256, peer, tls_client_cert_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            request_id,
            &parts.soap[..],
            &response_sha256,
            peer,
            certificate.as_ref()
        ],
    )
    .during("storing the message log")?;
    if parts.attachments.is_empty() {
        return Ok(());
    }
    for (position, attachment) in (1_i64..).zip(&parts.attachments) {
        db.execute(
            "INSERT INTO message_attachments (request, position, signature_algorithm_id, body)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                request_id,
                position,
                attachment.signature_algorithm_id.as_ref(),
                &attachment.body[..]
            ],
        )
        .during("storing the message log's parts")?;
    }
    Ok(())
}

/// Takes `action` on request `id`: approval re-checks the rules and applies the request to
/// the registry.
pub(super) fn decide(
    db: Db<'_>,
    id: i64,
    action: Action,
    provider: &XRoadClientIdentifierType,
) -> Result<(), StoreError> {
    let record = queries::request(db, id)?.ok_or(StoreError::UnknownRequest(id))?;
    if !action.allowed_from().contains(&record.status) {
        return Err(StoreError::Transition {
            id,
            action,
            status: record.status,
        });
    }
    if action == Action::Approve {
        rules::check(db, &record.request, provider, Some(id))?;
        rules::apply(db, &record.request)?;
    }
    db.execute(
        "UPDATE requests SET status = ?2 WHERE id = ?1",
        params![id, action.target().as_str()],
    )
    .during("updating the request status")?;
    let at = to_unix_nanos(SystemTime::now()).ok_or(StoreError::TimeOutOfRange)?;
    chain::append(db, Kind::Decided, Some(id), Some(action.target()), at)?;
    Ok(())
}

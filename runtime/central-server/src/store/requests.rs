//! Storing a received request with its message log, and deciding on stored requests. Every
//! function here runs inside the writer's transaction.

use std::panic::{self, AssertUnwindSafe};

use rusqlite::{Connection, OptionalExtension, params};

use super::error::{SqliteContext, StoreError};
use super::model::{Action, NewRequest, Status, Submitted, to_unix_nanos};
use super::queries;
use super::rules::{self, Subject};

/// A received request whose fields fit its service, ready to store.
#[derive(Debug)]
pub(super) struct Checked {
    request: NewRequest,
    received_at: i64,
}

impl Checked {
    /// Checks the request's shape and timestamp; no database access.
    pub(super) fn new(request: NewRequest) -> Result<Self, StoreError> {
        subject_of(&request)?;
        if request.message_id.is_empty() {
            return Err(StoreError::Malformed {
                service: request.service,
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

/// What `request` is about; an error if its fields do not fit its service.
fn subject_of(request: &NewRequest) -> Result<Subject<'_>, StoreError> {
    Subject::of(
        request.service,
        &request.server,
        request.client.as_ref(),
        request.auth_cert.as_deref(),
        request.address.as_deref(),
    )
}

/// Stores `checked` unless it repeats an earlier request or breaks a rule. Every check runs
/// before the first write.
pub(super) fn submit(
    conn: &Connection,
    checked: Checked,
    auto_approve: bool,
    respond: impl FnOnce(i64) -> Vec<u8>,
) -> Result<Submitted, StoreError> {
    let Checked {
        request,
        received_at,
    } = checked;
    let sender = request.sender.to_string();
    let repeated = conn
        .prepare_cached(
            "SELECT r.id, m.response FROM requests AS r JOIN message_log AS m ON m.request = r.id
             WHERE r.sender = ?1 AND r.message_id = ?2",
        )
        .and_then(|mut select| {
            select
                .query_row(params![sender, request.message_id], |found| {
                    Ok((found.get(0)?, found.get(1)?))
                })
                .optional()
        })
        .during("looking for an earlier request with the same message id")?;
    if let Some((request_id, response)) = repeated {
        return Ok(Submitted::Repeated {
            request_id,
            response,
        });
    }

    let subject = subject_of(&request)?;
    rules::check(conn, subject, None)?;
    let status = if subject.applies_on_receipt() || auto_approve {
        rules::apply(conn, subject)?;
        Status::Approved
    } else {
        Status::SubmittedForApproval
    };

    let request_id: i64 = conn
        .prepare_cached(
            "INSERT INTO requests
                (service, server, client, auth_cert, address, status, message_id, sender,
                 received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )
        .and_then(|mut insert| {
            insert.query_row(
                params![
                    request.service.as_str(),
                    request.server.to_string(),
                    request.client.as_ref().map(ToString::to_string),
                    request.auth_cert,
                    request.address,
                    status.as_str(),
                    request.message_id,
                    sender,
                    received_at,
                ],
                |inserted| inserted.get(0),
            )
        })
        .during("storing the request")?;

    let response = panic::catch_unwind(AssertUnwindSafe(|| respond(request_id)))
        .map_err(|_| StoreError::ResponsePanicked)?;
    let log = &request.log;
    let (signature_algorithm, signature) = split_signature(log.signature.as_ref());
    let (auth_key_algorithm, auth_key_signature) = split_signature(log.auth_key_signature.as_ref());
    conn.prepare_cached(
        "INSERT INTO message_log
            (request, soap, signature_algorithm, signature, auth_key_signature_algorithm,
             auth_key_signature, auth_certificate, signing_certificate, ocsp_response, response)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut insert| {
        insert.execute(params![
            request_id,
            log.soap,
            signature_algorithm,
            signature,
            auth_key_algorithm,
            auth_key_signature,
            log.auth_certificate,
            log.signing_certificate,
            log.ocsp_response,
            response,
        ])
    })
    .during("storing the message log")?;
    Ok(Submitted::Accepted {
        request_id,
        response,
    })
}

/// Algorithm id and value of an optional signature, as two nullable columns.
fn split_signature(signature: Option<&(String, Vec<u8>)>) -> (Option<&str>, Option<&[u8]>) {
    match signature {
        Some((algorithm, value)) => (Some(algorithm), Some(value)),
        None => (None, None),
    }
}

/// Takes `action` on request `id`: approval re-checks the rules and applies the request to
/// the registry.
pub(super) fn decide(conn: &Connection, id: i64, action: Action) -> Result<(), StoreError> {
    let record = queries::request(conn, id)?.ok_or(StoreError::UnknownRequest(id))?;
    if !action.allowed_from().contains(&record.status) {
        return Err(StoreError::Transition {
            id,
            action,
            status: record.status,
        });
    }
    if action == Action::Approve {
        let subject = Subject::of(
            record.service,
            &record.server,
            record.client.as_ref(),
            record.auth_cert.as_deref(),
            record.address.as_deref(),
        )?;
        rules::check(conn, subject, Some(id))?;
        rules::apply(conn, subject)?;
    }
    conn.prepare_cached("UPDATE requests SET status = ?2 WHERE id = ?1")
        .and_then(|mut update| update.execute(params![id, action.target().as_str()]))
        .during("updating the request status")?;
    Ok(())
}

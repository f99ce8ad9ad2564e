//! Reading requests, message logs and the registry back.

use std::str::FromStr;

use bytes::Bytes;

use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
use xroad_runtime::message::{Attachment, Parts};

use super::columns::StoredRequest;
use super::error::{DbContext, StoreError};
use super::model::{
    ClientRecord, LoggedMessage, MaintenanceMode, RequestFilter, RequestRecord, ServerRecord,
    Service, Status, from_unix_nanos,
};
use super::sql::{DatabaseError, Db, Row, params};

/// Columns [`read_request`] reads, in its order.
const REQUEST_COLUMNS: &str = "id, service, status, server, client, auth_cert, address, \
                               subsystem_name, message, message_id, sender, received_at";

/// Requests that match `filter`, by increasing id.
pub(super) fn requests(
    db: Db<'_>,
    filter: &RequestFilter,
) -> Result<Vec<RequestRecord>, StoreError> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM requests
         WHERE (CAST(?1 AS TEXT) IS NULL OR service = ?1)
           AND (CAST(?2 AS TEXT) IS NULL OR status = ?2)
           AND (CAST(?3 AS TEXT) IS NULL OR server = ?3)
         ORDER BY id"
    );
    db.query_all(
        &sql,
        params![
            filter.service.map(Service::as_str),
            filter.status.map(Status::as_str),
            filter.server.as_ref().map(ToString::to_string),
        ],
        read_request,
    )
    .during("listing requests")?
    .into_iter()
    .collect()
}

/// The request with id `id`.
pub(super) fn request(db: Db<'_>, id: i64) -> Result<Option<RequestRecord>, StoreError> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1");
    db.query_opt(&sql, params![id], read_request)
        .during("reading the request")?
        .transpose()
}

/// Reads a request row; the outer error is the database's, the inner one a stored value
/// that does not parse or does not fit its service.
fn read_request(row: &Row<'_>) -> Result<Result<RequestRecord, StoreError>, DatabaseError> {
    let stored = StoredRequest {
        id: row.get(0)?,
        service: row.get(1)?,
        server: row.get(3)?,
        client: row.get(4)?,
        auth_cert: row.get(5)?,
        address: row.get(6)?,
        subsystem_name: row.get(7)?,
        message: row.get(8)?,
    };
    let id = stored.id;
    let status: String = row.get(2)?;
    let message_id = row.get(9)?;
    let sender: String = row.get(10)?;
    let received_at: i64 = row.get(11)?;
    Ok((|| {
        Ok(RequestRecord {
            id,
            request: stored.into_request()?,
            status: parse("requests", "status", id, &status)?,
            message_id,
            sender: parse("requests", "sender", id, &sender)?,
            received_at: from_unix_nanos(received_at).ok_or_else(|| StoreError::Corrupt {
                table: "requests",
                column: "received_at",
                row: id,
                source: "time out of the system clock's range".into(),
            })?,
        })
    })())
}

/// The message log and response of request `id`: the SOAP part and the attachments in
/// MIME part order, which must be numbered 1, 2, … without a gap.
pub(super) fn message_log(db: Db<'_>, id: i64) -> Result<Option<LoggedMessage>, StoreError> {
    type Logged = (Vec<u8>, Option<Vec<u8>>, Option<String>, Option<Vec<u8>>);
    let logged: Option<Logged> = db
        .query_opt(
            "SELECT soap, response_sha256, peer, tls_client_cert_sha256 FROM message_log
             WHERE request = ?1",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .during("reading the message log")?;
    let Some((soap, response_sha256, peer, certificate)) = logged else {
        return Ok(None);
    };
    let hash = |column, value: Option<Vec<u8>>| -> Result<Option<[u8; 32]>, StoreError> {
        value
            .map(|bytes| {
                <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| StoreError::Corrupt {
                    table: "message_log",
                    column,
                    row: id,
                    source: format!("{} bytes, not a SHA-256 hash", bytes.len()).into(),
                })
            })
            .transpose()
    };
    let response_sha256 =
        hash("response_sha256", response_sha256)?.ok_or_else(|| StoreError::Corrupt {
            table: "message_log",
            column: "response_sha256",
            row: id,
            source: "missing".into(),
        })?;
    let client_certificate_sha256 = hash("tls_client_cert_sha256", certificate)?;
    let rows: Vec<(i64, Option<String>, Vec<u8>)> = db
        .query_all(
            "SELECT position, signature_algorithm_id, body FROM message_attachments
             WHERE request = ?1 ORDER BY position",
            params![id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .during("reading the message log's parts")?;
    let mut attachments = Vec::with_capacity(rows.len());
    for (expected, (position, signature_algorithm_id, body)) in (1_i64..).zip(rows) {
        if position != expected {
            return Err(StoreError::Corrupt {
                table: "message_attachments",
                column: "position",
                row: id,
                source: format!("part {expected} is missing (the next one is {position})").into(),
            });
        }
        attachments.push(Attachment {
            signature_algorithm_id,
            body: Bytes::from(body),
        });
    }
    Ok(Some(LoggedMessage {
        parts: Parts {
            soap: Bytes::from(soap),
            attachments,
        },
        response_sha256,
        peer,
        client_certificate_sha256,
    }))
}

/// A row of `security_servers` as [`registry`] reads it.
struct ServerRow {
    row: i64,
    id: String,
    owner: String,
    address: Option<String>,
    in_maintenance_mode: bool,
    maintenance_message: Option<String>,
}

/// Every registered security server with its certificates and clients, by identifier.
pub(super) fn registry(db: Db<'_>) -> Result<Vec<ServerRecord>, StoreError> {
    let rows = db
        .query_all(
            "SELECT id, server_id, owner, address, maintenance_mode, maintenance_message
             FROM security_servers ORDER BY server_id",
            params![],
            |row| {
                Ok(ServerRow {
                    row: row.get(0)?,
                    id: row.get(1)?,
                    owner: row.get(2)?,
                    address: row.get(3)?,
                    in_maintenance_mode: row.get(4)?,
                    maintenance_message: row.get(5)?,
                })
            },
        )
        .during("listing security servers")?;
    rows.into_iter()
        .map(|server| {
            let row = server.row;
            let auth_certs = db
                .query_all(
                    "SELECT cert FROM auth_certs WHERE server = ?1 ORDER BY cert",
                    params![row],
                    |cert| cert.get(0),
                )
                .during("listing auth certificates")?;
            let clients = db
                .query_all(
                    "SELECT c.client, c.enabled, s.name FROM server_clients AS c
                     LEFT JOIN subsystems AS s ON s.subsystem = c.client
                     WHERE c.server = ?1 ORDER BY c.client",
                    params![row],
                    |client| {
                        Ok((
                            client.get::<String>(0)?,
                            client.get::<bool>(1)?,
                            client.get::<Option<String>>(2)?,
                        ))
                    },
                )
                .during("listing clients")?
                .into_iter()
                .map(|(client, enabled, subsystem_name)| {
                    Ok(ClientRecord {
                        id: parse("server_clients", "client", row, &client)?,
                        enabled,
                        subsystem_name,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(ServerRecord {
                id: parse("security_servers", "server_id", row, &server.id)?,
                owner: parse("security_servers", "owner", row, &server.owner)?,
                address: server.address,
                maintenance: server.in_maintenance_mode.then_some(MaintenanceMode {
                    message: server.maintenance_message,
                }),
                auth_certs,
                clients,
            })
        })
        .collect()
}

/// Whether `cert` is a registered (hence approved) authentication certificate of `server`.
pub(super) fn is_auth_cert_of(
    db: Db<'_>,
    server: &XRoadSecurityServerIdentifierType,
    cert: &[u8],
) -> Result<bool, StoreError> {
    db.exists(
        "SELECT 1 FROM auth_certs AS a JOIN security_servers AS s ON s.id = a.server
         WHERE a.cert = ?1 AND s.server_id = ?2",
        params![cert, server.to_string()],
    )
    .during("looking up the auth certificate")
}

/// The highest stored request id.
pub(super) fn max_request_id(db: Db<'_>) -> Result<Option<i64>, StoreError> {
    db.query_one("SELECT max(id) FROM requests", params![], |row| row.get(0))
        .during("reading the highest request id")
}

/// Parses a stored textual value, naming where it came from if it does not parse.
fn parse<T>(
    table: &'static str,
    column: &'static str,
    row: i64,
    text: &str,
) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|source| StoreError::Corrupt {
        table,
        column,
        row,
        source: Box::new(source),
    })
}

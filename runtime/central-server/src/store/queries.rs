//! Reading requests, message logs and the registry back.

use std::str::FromStr;

use rusqlite::{Connection, OptionalExtension, Row, params};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

use super::error::{SqliteContext, StoreError};
use super::model::{
    LoggedMessage, MessageLog, RequestFilter, RequestRecord, ServerRecord, Service, Status,
    from_unix_nanos,
};

/// Columns [`read_request`] reads, in its order.
const REQUEST_COLUMNS: &str = "id, service, status, server, client, auth_cert, address, \
                               message_id, sender, received_at";

/// Requests that match `filter`, by increasing id.
pub(super) fn requests(
    conn: &Connection,
    filter: &RequestFilter,
) -> Result<Vec<RequestRecord>, StoreError> {
    let sql = format!(
        "SELECT {REQUEST_COLUMNS} FROM requests
         WHERE (?1 IS NULL OR service = ?1) AND (?2 IS NULL OR status = ?2)
           AND (?3 IS NULL OR server = ?3)
         ORDER BY id"
    );
    let mut select = conn.prepare_cached(&sql).during("listing requests")?;
    let rows = select
        .query_map(
            params![
                filter.service.map(Service::as_str),
                filter.status.map(Status::as_str),
                filter.server.as_ref().map(ToString::to_string),
            ],
            read_request,
        )
        .during("listing requests")?;
    rows.map(|row| row.during("listing requests")?).collect()
}

/// The request with id `id`.
pub(super) fn request(conn: &Connection, id: i64) -> Result<Option<RequestRecord>, StoreError> {
    let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut select| select.query_row([id], read_request).optional())
        .during("reading the request")?
        .transpose()
}

/// Reads a request row; the outer error is SQLite's, the inner one a stored value that does
/// not parse.
fn read_request(row: &Row<'_>) -> rusqlite::Result<Result<RequestRecord, StoreError>> {
    let id: i64 = row.get(0)?;
    let service: String = row.get(1)?;
    let status: String = row.get(2)?;
    let server: String = row.get(3)?;
    let client: Option<String> = row.get(4)?;
    let sender: String = row.get(8)?;
    let received_at: i64 = row.get(9)?;
    let auth_cert = row.get(5)?;
    let address = row.get(6)?;
    let message_id = row.get(7)?;
    Ok((|| {
        Ok(RequestRecord {
            id,
            service: parse("requests", "service", id, &service)?,
            status: parse("requests", "status", id, &status)?,
            server: parse("requests", "server", id, &server)?,
            client: client
                .map(|client| parse("requests", "client", id, &client))
                .transpose()?,
            auth_cert,
            address,
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

/// The message log and response of request `id`.
pub(super) fn message_log(conn: &Connection, id: i64) -> Result<Option<LoggedMessage>, StoreError> {
    conn.prepare_cached(
        "SELECT soap, signature_algorithm, signature, auth_key_signature_algorithm,
                auth_key_signature, auth_certificate, signing_certificate, ocsp_response,
                response
         FROM message_log WHERE request = ?1",
    )
    .and_then(|mut select| {
        select
            .query_row([id], |row| {
                Ok(LoggedMessage {
                    log: MessageLog {
                        soap: row.get(0)?,
                        signature: pair(row.get(1)?, row.get(2)?),
                        auth_key_signature: pair(row.get(3)?, row.get(4)?),
                        auth_certificate: row.get(5)?,
                        signing_certificate: row.get(6)?,
                        ocsp_response: row.get(7)?,
                    },
                    response: row.get(8)?,
                })
            })
            .optional()
    })
    .during("reading the message log")
}

/// Algorithm id and signature; the schema makes both present or both absent.
fn pair(algorithm: Option<String>, signature: Option<Vec<u8>>) -> Option<(String, Vec<u8>)> {
    algorithm.zip(signature)
}

/// Every registered security server with its certificates and clients, by identifier.
pub(super) fn registry(conn: &Connection) -> Result<Vec<ServerRecord>, StoreError> {
    let mut servers = conn
        .prepare_cached(
            "SELECT id, server_id, owner, address FROM security_servers ORDER BY server_id",
        )
        .during("listing security servers")?;
    let mut certs = conn
        .prepare_cached("SELECT cert FROM auth_certs WHERE server = ?1 ORDER BY cert")
        .during("listing auth certificates")?;
    let mut clients = conn
        .prepare_cached("SELECT client FROM server_clients WHERE server = ?1 ORDER BY client")
        .during("listing clients")?;
    let rows = servers
        .query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .during("listing security servers")?
        .collect::<Result<Vec<_>, _>>()
        .during("listing security servers")?;
    rows.into_iter()
        .map(|(row, id, owner, address)| {
            let auth_certs = certs
                .query_map([row], |cert| cert.get(0))
                .and_then(Iterator::collect)
                .during("listing auth certificates")?;
            let clients = clients
                .query_map([row], |client| client.get::<_, String>(0))
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .during("listing clients")?
                .iter()
                .map(|client| {
                    parse::<XRoadClientIdentifierType>("server_clients", "client", row, client)
                })
                .collect::<Result<_, _>>()?;
            Ok(ServerRecord {
                id: parse("security_servers", "server_id", row, &id)?,
                owner: parse("security_servers", "owner", row, &owner)?,
                address,
                auth_certs,
                clients,
            })
        })
        .collect()
}

/// Whether `cert` is a registered (hence approved) authentication certificate of `server`.
pub(super) fn is_auth_cert_of(
    conn: &Connection,
    server: &XRoadSecurityServerIdentifierType,
    cert: &[u8],
) -> Result<bool, StoreError> {
    conn.prepare_cached(
        "SELECT 1 FROM auth_certs AS a JOIN security_servers AS s ON s.id = a.server
         WHERE a.cert = ?1 AND s.server_id = ?2",
    )
    .and_then(|mut select| select.exists(params![cert, server.to_string()]))
    .during("looking up the auth certificate")
}

/// The highest stored request id.
pub(super) fn max_request_id(conn: &Connection) -> Result<Option<i64>, StoreError> {
    conn.query_row("SELECT max(id) FROM requests", [], |row| row.get(0))
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

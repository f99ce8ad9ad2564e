//! The business rules checked when a request is received or approved, and how an approved
//! request changes the registry.

use rusqlite::{Connection, OptionalExtension, params};
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};

use super::error::{RuleViolation, SqliteContext, StoreError};
use super::model::{Service, owner_of, server_owned_by};

/// What a request is about, with the fields its service needs.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject<'a> {
    /// clientReg: register `client` on `server`.
    ClientReg {
        server: &'a XRoadSecurityServerIdentifierType,
        client: &'a XRoadClientIdentifierType,
    },
    /// clientDeletion: remove `client` from `server`.
    ClientDeletion {
        server: &'a XRoadSecurityServerIdentifierType,
        client: &'a XRoadClientIdentifierType,
    },
    /// authCertReg: add `cert` to `server` (creating the server if new).
    AuthCertReg {
        server: &'a XRoadSecurityServerIdentifierType,
        cert: &'a [u8],
        address: Option<&'a str>,
    },
    /// authCertDeletion: remove `cert` from `server`.
    AuthCertDeletion {
        server: &'a XRoadSecurityServerIdentifierType,
        cert: &'a [u8],
    },
    /// ownerChange: make `new_owner` the owner of `server`.
    OwnerChange {
        server: &'a XRoadSecurityServerIdentifierType,
        new_owner: &'a XRoadClientIdentifierType,
    },
}

impl<'a> Subject<'a> {
    /// Checks that the request has exactly the fields its service uses.
    pub(super) fn of(
        service: Service,
        server: &'a XRoadSecurityServerIdentifierType,
        client: Option<&'a XRoadClientIdentifierType>,
        auth_cert: Option<&'a [u8]>,
        address: Option<&'a str>,
    ) -> Result<Self, StoreError> {
        let malformed = |field, problem| StoreError::Malformed {
            service,
            field,
            problem,
        };
        let absent = |present: bool, field| {
            if present {
                Err(malformed(field, "must be absent for this service"))
            } else {
                Ok(())
            }
        };
        let needs_client = || client.ok_or_else(|| malformed("client", "is required"));
        let needs_cert = || match auth_cert {
            None => Err(malformed("auth_cert", "is required")),
            Some([]) => Err(malformed("auth_cert", "must not be empty")),
            Some(cert) => Ok(cert),
        };
        match service {
            Service::ClientReg | Service::ClientDeletion | Service::OwnerChange => {
                absent(auth_cert.is_some(), "auth_cert")?;
                absent(address.is_some(), "address")?;
                let client = needs_client()?;
                match service {
                    Service::ClientReg => Ok(Self::ClientReg { server, client }),
                    Service::ClientDeletion => Ok(Self::ClientDeletion { server, client }),
                    _ if client.object_type == XRoadObjectType::Member => Ok(Self::OwnerChange {
                        server,
                        new_owner: client,
                    }),
                    _ => Err(malformed(
                        "client",
                        "must be a MEMBER identifier (the new owner)",
                    )),
                }
            }
            Service::AuthCertReg => {
                absent(client.is_some(), "client")?;
                Ok(Self::AuthCertReg {
                    server,
                    cert: needs_cert()?,
                    address,
                })
            }
            Service::AuthCertDeletion => {
                absent(client.is_some(), "client")?;
                absent(address.is_some(), "address")?;
                Ok(Self::AuthCertDeletion {
                    server,
                    cert: needs_cert()?,
                })
            }
        }
    }

    /// The service of the request.
    pub(super) fn service(self) -> Service {
        match self {
            Self::ClientReg { .. } => Service::ClientReg,
            Self::ClientDeletion { .. } => Service::ClientDeletion,
            Self::AuthCertReg { .. } => Service::AuthCertReg,
            Self::AuthCertDeletion { .. } => Service::AuthCertDeletion,
            Self::OwnerChange { .. } => Service::OwnerChange,
        }
    }

    /// Whether the central server applies the request on receipt (deletions) rather than
    /// after approval (registrations).
    pub(super) fn applies_on_receipt(self) -> bool {
        matches!(
            self,
            Self::ClientDeletion { .. } | Self::AuthCertDeletion { .. }
        )
    }

    /// The security server the request names.
    fn server(self) -> &'a XRoadSecurityServerIdentifierType {
        match self {
            Self::ClientReg { server, .. }
            | Self::ClientDeletion { server, .. }
            | Self::AuthCertReg { server, .. }
            | Self::AuthCertDeletion { server, .. }
            | Self::OwnerChange { server, .. } => server,
        }
    }
}

/// A registered security server as the rules need it.
struct RegisteredServer {
    /// Its row id in `security_servers`.
    row: i64,
    /// Its owner in textual form.
    owner: String,
}

/// Checks every rule for `subject`. `this_request` is the stored request being approved,
/// which does not count as a pending duplicate of itself.
pub(super) fn check(
    conn: &Connection,
    subject: Subject<'_>,
    this_request: Option<i64>,
) -> Result<(), StoreError> {
    let server = subject.server();
    let registered = registered_server(conn, server)?;
    let unknown = || RuleViolation::UnknownServer {
        service: subject.service(),
        server: server.clone(),
    };
    match subject {
        Subject::ClientReg { client, .. } => {
            let row = registered.ok_or_else(unknown)?.row;
            check_not_pending(conn, subject, this_request)?;
            if has_client(conn, row, client)? {
                return Err(RuleViolation::ClientAlreadyRegistered {
                    server: server.clone(),
                    client: client.clone(),
                }
                .into());
            }
        }
        Subject::ClientDeletion { client, .. } => {
            let row = registered.ok_or_else(unknown)?.row;
            check_not_pending(conn, subject, this_request)?;
            if !has_client(conn, row, client)? {
                return Err(RuleViolation::ClientNotRegistered {
                    server: server.clone(),
                    client: client.clone(),
                }
                .into());
            }
        }
        Subject::AuthCertReg { cert, .. } => {
            check_not_pending(conn, subject, this_request)?;
            if let Some(registered_to) = cert_holder(conn, cert)? {
                return Err(RuleViolation::AuthCertAlreadyRegistered {
                    server: server.clone(),
                    registered_to,
                }
                .into());
            }
        }
        Subject::AuthCertDeletion { cert, .. } => {
            registered.ok_or_else(unknown)?;
            check_not_pending(conn, subject, this_request)?;
            match cert_holder(conn, cert)? {
                Some(holder) if holder == *server => {}
                registered_to => {
                    return Err(RuleViolation::AuthCertNotRegistered {
                        server: server.clone(),
                        registered_to,
                    }
                    .into());
                }
            }
        }
        Subject::OwnerChange { new_owner, .. } => {
            let current = registered.ok_or_else(unknown)?;
            check_not_pending(conn, subject, this_request)?;
            if current.owner == new_owner.to_string() {
                return Err(RuleViolation::AlreadyOwner {
                    server: server.clone(),
                    owner: new_owner.clone(),
                }
                .into());
            }
            let renamed = server_owned_by(server, new_owner);
            if registered_server(conn, &renamed)?.is_some() {
                return Err(RuleViolation::ServerIdTaken {
                    server: server.clone(),
                    taken: renamed,
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Applies `subject` to the registry; [`check`] must have passed in the same transaction.
pub(super) fn apply(conn: &Connection, subject: Subject<'_>) -> Result<(), StoreError> {
    let server = subject.server();
    let row = registered_server(conn, server)?.map(|registered| registered.row);
    match (subject, row) {
        (Subject::ClientReg { client, .. }, Some(row)) => {
            conn.prepare_cached("INSERT INTO server_clients (server, client) VALUES (?1, ?2)")
                .and_then(|mut insert| insert.execute(params![row, client.to_string()]))
                .during("registering the client")?;
        }
        (Subject::ClientDeletion { client, .. }, Some(row)) => {
            conn.prepare_cached("DELETE FROM server_clients WHERE server = ?1 AND client = ?2")
                .and_then(|mut delete| delete.execute(params![row, client.to_string()]))
                .during("deleting the client")?;
        }
        (Subject::AuthCertReg { cert, address, .. }, row) => {
            let row = match row {
                Some(row) => {
                    if let Some(address) = address {
                        conn.prepare_cached(
                            "UPDATE security_servers SET address = ?2 WHERE id = ?1",
                        )
                        .and_then(|mut update| update.execute(params![row, address]))
                        .during("updating the server address")?;
                    }
                    row
                }
                None => conn
                    .prepare_cached(
                        "INSERT INTO security_servers (server_id, owner, server_code, address)
                         VALUES (?1, ?2, ?3, ?4) RETURNING id",
                    )
                    .and_then(|mut insert| {
                        insert.query_row(
                            params![
                                server.to_string(),
                                owner_of(server).to_string(),
                                server.server_code.as_str(),
                                address
                            ],
                            |found| found.get(0),
                        )
                    })
                    .during("registering the security server")?,
            };
            conn.prepare_cached("INSERT INTO auth_certs (server, cert) VALUES (?1, ?2)")
                .and_then(|mut insert| insert.execute(params![row, cert]))
                .during("registering the auth certificate")?;
        }
        (Subject::AuthCertDeletion { cert, .. }, Some(row)) => {
            conn.prepare_cached("DELETE FROM auth_certs WHERE server = ?1 AND cert = ?2")
                .and_then(|mut delete| delete.execute(params![row, cert]))
                .during("deleting the auth certificate")?;
        }
        (Subject::OwnerChange { new_owner, .. }, Some(row)) => {
            conn.prepare_cached(
                "UPDATE security_servers SET owner = ?2, server_id = ?3 WHERE id = ?1",
            )
            .and_then(|mut update| {
                update.execute(params![
                    row,
                    new_owner.to_string(),
                    server_owned_by(server, new_owner).to_string()
                ])
            })
            .during("changing the owner")?;
        }
        (_, None) => {
            return Err(RuleViolation::UnknownServer {
                service: subject.service(),
                server: server.clone(),
            }
            .into());
        }
    }
    Ok(())
}

// The status conditions repeat the partial indexes' WHERE so that SQLite uses them.

/// A pending request of a service for a server and client, other than request `?4`.
const PENDING_BY_CLIENT: &str = "SELECT id FROM requests
    WHERE service = ?1 AND server = ?2 AND client = ?3
      AND status IN ('SUBMITTED FOR APPROVAL', 'WAITING') AND id IS NOT ?4
    LIMIT 1";

/// A pending request of a service for an auth certificate, other than request `?3`.
const PENDING_BY_CERT: &str = "SELECT id FROM requests
    WHERE service = ?1 AND auth_cert = ?2
      AND status IN ('SUBMITTED FOR APPROVAL', 'WAITING') AND id IS NOT ?3
    LIMIT 1";

/// Refuses a second pending request of the same service for the same thing.
fn check_not_pending(
    conn: &Connection,
    subject: Subject<'_>,
    this_request: Option<i64>,
) -> Result<(), StoreError> {
    let service = subject.service();
    let server = subject.server();
    let (pending, client) = match subject {
        Subject::ClientReg { client, .. }
        | Subject::ClientDeletion { client, .. }
        | Subject::OwnerChange {
            new_owner: client, ..
        } => {
            let pending = conn
                .prepare_cached(PENDING_BY_CLIENT)
                .and_then(|mut select| {
                    select
                        .query_row(
                            params![
                                service.as_str(),
                                server.to_string(),
                                client.to_string(),
                                this_request
                            ],
                            |found| found.get(0),
                        )
                        .optional()
                })
                .during("looking for pending requests")?;
            (pending, Some(client.clone()))
        }
        Subject::AuthCertReg { cert, .. } | Subject::AuthCertDeletion { cert, .. } => {
            let pending = conn
                .prepare_cached(PENDING_BY_CERT)
                .and_then(|mut select| {
                    select
                        .query_row(params![service.as_str(), cert, this_request], |found| {
                            found.get(0)
                        })
                        .optional()
                })
                .during("looking for pending requests")?;
            (pending, None)
        }
    };
    match pending {
        Some(pending) => Err(RuleViolation::AlreadyPending {
            service,
            server: server.clone(),
            client,
            pending,
        }
        .into()),
        None => Ok(()),
    }
}

/// The registry row of `server`, if it is registered.
fn registered_server(
    conn: &Connection,
    server: &XRoadSecurityServerIdentifierType,
) -> Result<Option<RegisteredServer>, StoreError> {
    conn.prepare_cached("SELECT id, owner FROM security_servers WHERE server_id = ?1")
        .and_then(|mut select| {
            select
                .query_row([server.to_string()], |found| {
                    Ok(RegisteredServer {
                        row: found.get(0)?,
                        owner: found.get(1)?,
                    })
                })
                .optional()
        })
        .during("looking up the security server")
}

/// Whether `client` is registered on the server in row `server_row`.
fn has_client(
    conn: &Connection,
    server_row: i64,
    client: &XRoadClientIdentifierType,
) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT 1 FROM server_clients WHERE server = ?1 AND client = ?2")
        .and_then(|mut select| select.exists(params![server_row, client.to_string()]))
        .during("looking up the client")
}

/// The security server an authentication certificate is registered to.
fn cert_holder(
    conn: &Connection,
    cert: &[u8],
) -> Result<Option<XRoadSecurityServerIdentifierType>, StoreError> {
    let holder: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT s.id, s.server_id FROM auth_certs AS a
             JOIN security_servers AS s ON s.id = a.server WHERE a.cert = ?1",
        )
        .and_then(|mut select| {
            select
                .query_row([cert], |found| Ok((found.get(0)?, found.get(1)?)))
                .optional()
        })
        .during("looking up the auth certificate")?;
    holder
        .map(|(row, text)| {
            text.parse().map_err(|source| StoreError::Corrupt {
                table: "security_servers",
                column: "server_id",
                row,
                source: Box::new(source),
            })
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str) -> String {
        let mut explain = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let unbound = vec![rusqlite::types::Null; explain.parameter_count()];
        let details = explain
            .query_map(rusqlite::params_from_iter(unbound), |row| {
                row.get::<_, String>(3)
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        details.join("; ")
    }

    #[test]
    fn pending_lookups_use_the_partial_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let conn = super::super::schema::open_writer(&dir.path().join("plan.db")).unwrap();
        let by_client = plan(&conn, PENDING_BY_CLIENT);
        assert!(
            by_client.contains("USING INDEX requests_pending_by_client"),
            "{by_client}"
        );
        let by_cert = plan(&conn, PENDING_BY_CERT);
        assert!(
            by_cert.contains("USING INDEX requests_pending_by_cert"),
            "{by_cert}"
        );
    }
}

//! The business rules checked when a request is received or approved, and how an accepted
//! request changes the registry.

use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};

use super::error::{DbContext, RuleViolation, StoreError};
use super::model::{ManagementRequest, owner_of, server_owned_by};
use super::sql::{Db, params};

/// A registered security server as the rules need it.
struct RegisteredServer {
    /// Its row id in `security_servers`.
    row: i64,
    /// Its owner in textual form.
    owner: String,
    /// Whether it is in maintenance mode.
    in_maintenance_mode: bool,
}

/// Checks every rule for `request`. `provider` is the management service provider;
/// `this_request` is the stored request being approved, which does not count as a pending
/// duplicate of itself.
pub(super) fn check(
    db: Db<'_>,
    request: &ManagementRequest,
    provider: &XRoadClientIdentifierType,
    this_request: Option<i64>,
) -> Result<(), StoreError> {
    use ManagementRequest as R;
    let service = request.service();
    let server = request.server();
    let violation = |violation: RuleViolation| Err(StoreError::from(violation));
    // Rules on the request alone come first, as the reference's decoders check them.
    match request {
        R::ClientReg {
            client,
            subsystem_name: Some(name),
            ..
        } if !name.trim().is_empty() && !is_subsystem(client) => {
            return violation(RuleViolation::NotASubsystem {
                service,
                server: server.clone(),
                client: client.clone(),
            });
        }
        R::ClientRename { client, .. } if !is_subsystem(client) => {
            return violation(RuleViolation::NotASubsystem {
                service,
                server: server.clone(),
                client: client.clone(),
            });
        }
        R::ClientRename {
            client,
            subsystem_name,
            ..
        } if subsystem_name.trim().is_empty() => {
            return violation(RuleViolation::BlankSubsystemName {
                server: server.clone(),
                client: client.clone(),
            });
        }
        R::OwnerChange { new_owner, .. } if new_owner.object_type != XRoadObjectType::Member => {
            return violation(RuleViolation::NewOwnerNotAMember {
                server: server.clone(),
                new_owner: new_owner.clone(),
            });
        }
        _ => {}
    }

    let registered = registered_server(db, server)?;
    // authCertReg registers the server if it is new; every other request needs it.
    let registered = match (request, registered) {
        (R::AuthCertReg { .. }, registered) => registered,
        (_, Some(registered)) => Some(registered),
        (_, None) => {
            return violation(RuleViolation::UnknownServer {
                service,
                server: server.clone(),
            });
        }
    };
    let row = registered.as_ref().map(|registered| registered.row);
    let not_registered = |client: &XRoadClientIdentifierType| {
        violation(RuleViolation::ClientNotRegistered {
            service,
            server: server.clone(),
            client: client.clone(),
        })
    };
    match request {
        R::ClientReg { client, .. } => {
            // The owner of a security server is not one of its clients: ownerChange makes
            // the old owner a client and takes the new owner off the clients.
            if registered
                .as_ref()
                .is_some_and(|r| r.owner == client.to_string())
            {
                return violation(RuleViolation::CannotRegisterOwner {
                    server: server.clone(),
                    owner: client.clone(),
                });
            }
            check_not_pending(db, request, this_request)?;
            if has_client(db, row, client)? {
                return violation(RuleViolation::ClientAlreadyRegistered {
                    server: server.clone(),
                    client: client.clone(),
                });
            }
        }
        R::ClientDeletion { client, .. } => {
            check_not_pending(db, request, this_request)?;
            if !has_client(db, row, client)? {
                return not_registered(client);
            }
        }
        R::AuthCertReg { auth_cert, .. } => {
            check_not_pending(db, request, this_request)?;
            if let Some(registered_to) = cert_holder(db, auth_cert)? {
                return violation(RuleViolation::AuthCertAlreadyRegistered {
                    server: server.clone(),
                    registered_to,
                });
            }
        }
        R::AuthCertDeletion { auth_cert, .. } => {
            check_not_pending(db, request, this_request)?;
            match cert_holder(db, auth_cert)? {
                Some(holder) if holder == *server => {}
                registered_to => {
                    return violation(RuleViolation::AuthCertNotRegistered {
                        server: server.clone(),
                        registered_to,
                    });
                }
            }
        }
        R::OwnerChange { new_owner, .. } => {
            check_not_pending(db, request, this_request)?;
            if registered.as_ref().map(|r| r.owner.as_str()) == Some(&new_owner.to_string()) {
                return violation(RuleViolation::AlreadyOwner {
                    server: server.clone(),
                    owner: new_owner.clone(),
                });
            }
            if !has_client(db, row, new_owner)? {
                return violation(RuleViolation::NewOwnerNotAClient {
                    server: server.clone(),
                    new_owner: new_owner.clone(),
                });
            }
            let renamed = server_owned_by(server, new_owner);
            if registered_server(db, &renamed)?.is_some() {
                return violation(RuleViolation::ServerIdTaken {
                    server: server.clone(),
                    taken: renamed,
                });
            }
        }
        R::AddressChange { .. } => {}
        R::ClientDisable { client, .. } => {
            if !has_client(db, row, client)? {
                return not_registered(client);
            }
            if client == provider {
                return violation(RuleViolation::ProviderCannotBeDisabled {
                    server: server.clone(),
                    client: client.clone(),
                });
            }
        }
        R::ClientEnable { client, .. } | R::ClientRename { client, .. } => {
            if !has_client(db, row, client)? {
                return not_registered(client);
            }
        }
        R::MaintenanceModeEnable { .. } => {
            if has_client(db, row, provider)? {
                return violation(RuleViolation::ServerHostsProvider {
                    server: server.clone(),
                    provider: provider.clone(),
                });
            }
            if registered.is_some_and(|r| r.in_maintenance_mode) {
                return violation(RuleViolation::AlreadyInMaintenanceMode {
                    server: server.clone(),
                });
            }
        }
        R::MaintenanceModeDisable { .. } => {
            if !registered.is_some_and(|r| r.in_maintenance_mode) {
                return violation(RuleViolation::NotInMaintenanceMode {
                    server: server.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Applies `request` to the registry; [`check`] must have passed in the same transaction.
pub(super) fn apply(db: Db<'_>, request: &ManagementRequest) -> Result<(), StoreError> {
    use ManagementRequest as R;
    let server = request.server();
    let row = registered_server(db, server)?.map(|registered| registered.row);
    match (request, row) {
        (
            R::ClientReg {
                client,
                subsystem_name,
                ..
            },
            Some(row),
        ) => {
            db.execute(
                "INSERT INTO server_clients (server, client) VALUES (?1, ?2)",
                params![row, client.to_string()],
            )
            .during("registering the client")?;
            // An absent or blank name keeps the subsystem's name, as in the reference (which
            // also refuses a blank name in clientRename).
            if let Some(name) = subsystem_name
                .as_deref()
                .filter(|name| !name.trim().is_empty())
            {
                name_subsystem(db, client, name)?;
            }
        }
        (R::ClientDeletion { client, .. }, Some(row)) => {
            db.execute(
                "DELETE FROM server_clients WHERE server = ?1 AND client = ?2",
                params![row, client.to_string()],
            )
            .during("deleting the client")?;
        }
        (
            R::AuthCertReg {
                auth_cert, address, ..
            },
            row,
        ) => {
            let row = match row {
                Some(row) => {
                    set_address(db, row, address)?;
                    row
                }
                None => db
                    .query_one(
                        "INSERT INTO security_servers (server_id, owner, server_code, address)
                         VALUES (?1, ?2, ?3, ?4) RETURNING id",
                        params![
                            server.to_string(),
                            owner_of(server).to_string(),
                            server.server_code.as_str(),
                            address
                        ],
                        |found| found.get(0),
                    )
                    .during("registering the security server")?,
            };
            db.execute(
                "INSERT INTO auth_certs (server, cert) VALUES (?1, ?2)",
                params![row, auth_cert],
            )
            .during("registering the auth certificate")?;
        }
        (R::AuthCertDeletion { auth_cert, .. }, Some(row)) => {
            db.execute(
                "DELETE FROM auth_certs WHERE server = ?1 AND cert = ?2",
                params![row, auth_cert],
            )
            .during("deleting the auth certificate")?;
        }
        (R::OwnerChange { new_owner, .. }, Some(row)) => {
            // As in the reference: the old owner becomes a client (enabled), and the new
            // owner is a client no more.
            db.execute(
                "INSERT INTO server_clients (server, client) VALUES (?1, ?2)
                 ON CONFLICT (server, client) DO NOTHING",
                params![row, owner_of(server).to_string()],
            )
            .during("making the old owner a client")?;
            db.execute(
                "DELETE FROM server_clients WHERE server = ?1 AND client = ?2",
                params![row, new_owner.to_string()],
            )
            .during("taking the new owner off the clients")?;
            db.execute(
                "UPDATE security_servers SET owner = ?2, server_id = ?3 WHERE id = ?1",
                params![
                    row,
                    new_owner.to_string(),
                    server_owned_by(server, new_owner).to_string()
                ],
            )
            .during("changing the owner")?;
        }
        (R::AddressChange { address, .. }, Some(row)) => set_address(db, row, address)?,
        (R::ClientDisable { client, .. }, Some(row)) => set_enabled(db, row, client, false)?,
        (R::ClientEnable { client, .. }, Some(row)) => set_enabled(db, row, client, true)?,
        (
            R::ClientRename {
                client,
                subsystem_name,
                ..
            },
            Some(_),
        ) => name_subsystem(db, client, subsystem_name)?,
        (R::MaintenanceModeEnable { message, .. }, Some(row)) => {
            // An empty message is no message.
            let message = message.as_deref().filter(|message| !message.is_empty());
            set_maintenance_mode(db, row, Some(message))?;
        }
        (R::MaintenanceModeDisable { .. }, Some(row)) => set_maintenance_mode(db, row, None)?,
        (_, None) => {
            return Err(RuleViolation::UnknownServer {
                service: request.service(),
                server: server.clone(),
            }
            .into());
        }
    }
    Ok(())
}

/// Whether `client` is a subsystem (and so can have a name).
fn is_subsystem(client: &XRoadClientIdentifierType) -> bool {
    client.object_type == XRoadObjectType::Subsystem
}

/// Sets the address of the server in row `row`.
fn set_address(db: Db<'_>, row: i64, address: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE security_servers SET address = ?2 WHERE id = ?1",
        params![row, address],
    )
    .during("updating the server address")?;
    Ok(())
}

/// Enables or disables `client` on the server in row `row`.
fn set_enabled(
    db: Db<'_>,
    row: i64,
    client: &XRoadClientIdentifierType,
    enabled: bool,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE server_clients SET enabled = ?3 WHERE server = ?1 AND client = ?2",
        params![row, client.to_string(), enabled],
    )
    .during("enabling or disabling the client")?;
    Ok(())
}

/// Puts the server in row `row` into maintenance mode with a message (`Some`), or takes it
/// out (`None`).
fn set_maintenance_mode(
    db: Db<'_>,
    row: i64,
    mode: Option<Option<&str>>,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE security_servers SET maintenance_mode = ?2, maintenance_message = ?3
         WHERE id = ?1",
        params![row, mode.is_some(), mode.flatten()],
    )
    .during("setting the maintenance mode")?;
    Ok(())
}

/// Gives the subsystem `client` the name `name`, on every server it is a client of.
fn name_subsystem(
    db: Db<'_>,
    client: &XRoadClientIdentifierType,
    name: &str,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO subsystems (subsystem, name) VALUES (?1, ?2)
         ON CONFLICT (subsystem) DO UPDATE SET name = excluded.name",
        params![client.to_string(), name],
    )
    .during("naming the subsystem")?;
    Ok(())
}

// The status conditions repeat the partial indexes' WHERE so that SQLite uses them.

/// A pending request of a service for a server and client, other than request `?4`.
const PENDING_BY_CLIENT: &str = "SELECT id FROM requests
    WHERE service = ?1 AND server = ?2 AND client = ?3
      AND status IN ('SUBMITTED FOR APPROVAL', 'WAITING') AND id IS DISTINCT FROM ?4
    LIMIT 1";

/// A pending request of a service for an auth certificate, other than request `?3`.
const PENDING_BY_CERT: &str = "SELECT id FROM requests
    WHERE service = ?1 AND auth_cert = ?2
      AND status IN ('SUBMITTED FOR APPROVAL', 'WAITING') AND id IS DISTINCT FROM ?3
    LIMIT 1";

/// Refuses a second pending request of the same service for the same thing. Only the
/// services of the 1.15 protocol are checked; the others never wait for approval.
fn check_not_pending(
    db: Db<'_>,
    request: &ManagementRequest,
    this_request: Option<i64>,
) -> Result<(), StoreError> {
    use ManagementRequest as R;
    let service = request.service();
    let server = request.server();
    let (pending, client) = match request {
        R::ClientReg { client, .. }
        | R::ClientDeletion { client, .. }
        | R::OwnerChange {
            new_owner: client, ..
        } => {
            let pending = db
                .query_opt(
                    PENDING_BY_CLIENT,
                    params![
                        service.as_str(),
                        server.to_string(),
                        client.to_string(),
                        this_request
                    ],
                    |found| found.get(0),
                )
                .during("looking for pending requests")?;
            (pending, Some(client.clone()))
        }
        R::AuthCertReg { auth_cert, .. } | R::AuthCertDeletion { auth_cert, .. } => {
            let pending = db
                .query_opt(
                    PENDING_BY_CERT,
                    params![service.as_str(), auth_cert, this_request],
                    |found| found.get(0),
                )
                .during("looking for pending requests")?;
            (pending, None)
        }
        _ => (None, None),
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
    db: Db<'_>,
    server: &XRoadSecurityServerIdentifierType,
) -> Result<Option<RegisteredServer>, StoreError> {
    db.query_opt(
        "SELECT id, owner, maintenance_mode FROM security_servers WHERE server_id = ?1",
        params![server.to_string()],
        |found| {
            Ok(RegisteredServer {
                row: found.get(0)?,
                owner: found.get(1)?,
                in_maintenance_mode: found.get(2)?,
            })
        },
    )
    .during("looking up the security server")
}

/// Whether `client` is registered on the server in row `server_row` (none while the server
/// is not registered).
fn has_client(
    db: Db<'_>,
    server_row: Option<i64>,
    client: &XRoadClientIdentifierType,
) -> Result<bool, StoreError> {
    let Some(server_row) = server_row else {
        return Ok(false);
    };
    db.exists(
        "SELECT 1 FROM server_clients WHERE server = ?1 AND client = ?2",
        params![server_row, client.to_string()],
    )
    .during("looking up the client")
}

/// The security server an authentication certificate is registered to.
fn cert_holder(
    db: Db<'_>,
    cert: &[u8],
) -> Result<Option<XRoadSecurityServerIdentifierType>, StoreError> {
    let holder: Option<(i64, String)> = db
        .query_opt(
            "SELECT s.id, s.server_id FROM auth_certs AS a
             JOIN security_servers AS s ON s.id = a.server WHERE a.cert = ?1",
            params![cert],
            |found| Ok((found.get(0)?, found.get(1)?)),
        )
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

    fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
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

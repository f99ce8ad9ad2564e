//! The registry as one value: read from the live tables or from a checkpoint, written to a
//! checkpoint, and loaded into the registry tables of another database (where the log is
//! replayed to derive the registry again).

use std::collections::BTreeMap;

use super::error::{DbContext, StoreError};
use super::model::{ClientRecord, MaintenanceMode, ServerRecord};
use super::queries;
use super::sql::{Db, params};

/// Every registered server and every subsystem name (a name outlives the subsystem's
/// registrations).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryState {
    /// The servers, by identifier, as [`Store::registry`](super::Store::registry) lists them.
    pub servers: Vec<ServerRecord>,
    /// Subsystem names, by subsystem.
    pub subsystem_names: Vec<(String, String)>,
}

/// The registry the live tables hold.
pub(super) fn read_live(db: Db<'_>) -> Result<RegistryState, StoreError> {
    let servers = queries::registry(db)?;
    let subsystem_names = db
        .query_all(
            "SELECT subsystem, name FROM subsystems ORDER BY subsystem",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .during("listing subsystem names")?;
    Ok(RegistryState {
        servers,
        subsystem_names,
    })
}

/// The registry checkpoint `position` holds.
pub(super) fn read_checkpoint(db: Db<'_>, position: i64) -> Result<RegistryState, StoreError> {
    let corrupt = |column, text: &str, source: String| StoreError::Corrupt {
        table: "checkpoint_servers",
        column,
        row: position,
        source: format!("{text}: {source}").into(),
    };
    let names: Vec<(String, String)> = db
        .query_all(
            "SELECT subsystem, name FROM checkpoint_subsystems WHERE checkpoint = ?1
             ORDER BY subsystem",
            params![position],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .during("reading a checkpoint's subsystem names")?;
    let named: BTreeMap<&str, &str> = names
        .iter()
        .map(|(subsystem, name)| (subsystem.as_str(), name.as_str()))
        .collect();
    type ServerRow = (String, String, Option<String>, bool, Option<String>);
    let rows: Vec<ServerRow> = db
        .query_all(
            "SELECT server_id, owner, address, maintenance_mode, maintenance_message
             FROM checkpoint_servers WHERE checkpoint = ?1 ORDER BY server_id",
            params![position],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .during("reading a checkpoint's servers")?;
    let mut servers = Vec::with_capacity(rows.len());
    for (server_id, owner, address, maintenance_mode, message) in rows {
        let auth_certs = db
            .query_all(
                "SELECT cert FROM checkpoint_certs WHERE checkpoint = ?1 AND server_id = ?2
                 ORDER BY cert",
                params![position, &server_id],
                |row| row.get(0),
            )
            .during("reading a checkpoint's certificates")?;
        let clients: Vec<(String, bool)> = db
            .query_all(
                "SELECT client, enabled FROM checkpoint_clients
                 WHERE checkpoint = ?1 AND server_id = ?2 ORDER BY client",
                params![position, &server_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .during("reading a checkpoint's clients")?;
        let clients = clients
            .into_iter()
            .map(|(client, enabled)| {
                Ok(ClientRecord {
                    id: client
                        .parse()
                        .map_err(|e| corrupt("client", &client, format!("{e}")))?,
                    enabled,
                    subsystem_name: named.get(client.as_str()).map(|name| (*name).to_owned()),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        servers.push(ServerRecord {
            id: server_id
                .parse()
                .map_err(|e| corrupt("server_id", &server_id, format!("{e}")))?,
            owner: owner
                .parse()
                .map_err(|e| corrupt("owner", &owner, format!("{e}")))?,
            address,
            maintenance: maintenance_mode.then_some(MaintenanceMode { message }),
            auth_certs,
            clients,
        });
    }
    Ok(RegistryState {
        servers,
        subsystem_names: names,
    })
}

/// Stores `state` as the registry of checkpoint `position`.
pub(super) fn write_checkpoint(
    db: Db<'_>,
    position: i64,
    state: &RegistryState,
) -> Result<(), StoreError> {
    for server in &state.servers {
        let id = server.id.to_string();
        db.execute(
            "INSERT INTO checkpoint_servers (checkpoint, server_id, owner, address,
                 maintenance_mode, maintenance_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                position,
                &id,
                server.owner.to_string(),
                server.address.as_ref(),
                server.maintenance.is_some(),
                server
                    .maintenance
                    .as_ref()
                    .and_then(|m| m.message.as_deref())
            ],
        )
        .during("storing a checkpoint's server")?;
        for cert in &server.auth_certs {
            db.execute(
                "INSERT INTO checkpoint_certs (checkpoint, server_id, cert) VALUES (?1, ?2, ?3)",
                params![position, &id, cert],
            )
            .during("storing a checkpoint's certificate")?;
        }
        for client in &server.clients {
            db.execute(
                "INSERT INTO checkpoint_clients (checkpoint, server_id, client, enabled)
                 VALUES (?1, ?2, ?3, ?4)",
                params![position, &id, client.id.to_string(), client.enabled],
            )
            .during("storing a checkpoint's client")?;
        }
    }
    for (subsystem, name) in &state.subsystem_names {
        db.execute(
            "INSERT INTO checkpoint_subsystems (checkpoint, subsystem, name) VALUES (?1, ?2, ?3)",
            params![position, subsystem, name],
        )
        .during("storing a checkpoint's subsystem name")?;
    }
    Ok(())
}

/// Loads `state` into the (empty) registry tables of `db`.
pub(super) fn load(db: Db<'_>, state: &RegistryState) -> Result<(), StoreError> {
    for server in &state.servers {
        let row: i64 = db
            .query_one(
                "INSERT INTO security_servers (server_id, owner, server_code, address,
                     maintenance_mode, maintenance_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 RETURNING id",
                params![
                    server.id.to_string(),
                    server.owner.to_string(),
                    server.id.server_code.as_str(),
                    server.address.as_ref(),
                    server.maintenance.is_some(),
                    server
                        .maintenance
                        .as_ref()
                        .and_then(|m| m.message.as_deref())
                ],
                |row| row.get(0),
            )
            .during("loading a server")?;
        for cert in &server.auth_certs {
            db.execute(
                "INSERT INTO auth_certs (server, cert) VALUES (?1, ?2)",
                params![row, cert],
            )
            .during("loading a certificate")?;
        }
        for client in &server.clients {
            db.execute(
                "INSERT INTO server_clients (server, client, enabled) VALUES (?1, ?2, ?3)",
                params![row, client.id.to_string(), client.enabled],
            )
            .during("loading a client")?;
        }
    }
    for (subsystem, name) in &state.subsystem_names {
        db.execute(
            "INSERT INTO subsystems (subsystem, name) VALUES (?1, ?2)",
            params![subsystem, name],
        )
        .during("loading a subsystem name")?;
    }
    Ok(())
}

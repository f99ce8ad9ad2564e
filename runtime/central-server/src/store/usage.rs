//! The store's settings, and the bytes stored per security server and UTC day, held to a
//! daily limit.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;

use super::error::{SqliteContext, StoreError};
use super::model::ManagementRequest;

/// `[store]` of `central.toml`; every key optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// Bytes of message log (all MIME parts) stored per security server per UTC day; a
    /// request that would go over it is refused. 0 turns the limit off.
    pub max_bytes_per_server_per_day: u64,
}

impl StoreSettings {
    /// 64 MiB: over 1,300 requests of the largest size the server takes (50 KiB), where a
    /// security server sends a few a day.
    pub const DEFAULT_MAX_BYTES_PER_SERVER_PER_DAY: u64 = 64 * 1024 * 1024;
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            max_bytes_per_server_per_day: Self::DEFAULT_MAX_BYTES_PER_SERVER_PER_DAY,
        }
    }
}

/// Refuses a request of `size` bytes for the server `request` names if the server's bytes
/// of day `day` would go over the limit.
pub(super) fn check(
    conn: &Connection,
    request: &ManagementRequest,
    day: i64,
    size: u64,
    settings: &StoreSettings,
) -> Result<(), StoreError> {
    let limit = settings.max_bytes_per_server_per_day;
    if limit == 0 {
        return Ok(());
    }
    let server = request.server();
    let stored: i64 = conn
        .prepare_cached("SELECT bytes FROM daily_usage WHERE server = ?1 AND day = ?2")
        .and_then(|mut select| {
            select
                .query_row(params![server.to_string(), day], |row| row.get(0))
                .optional()
        })
        .during("reading the day's stored bytes")?
        .unwrap_or(0);
    let stored = u64::try_from(stored).unwrap_or(0);
    if stored.saturating_add(size) > limit {
        return Err(StoreError::DailyLimit {
            server: Box::new(server.clone()),
            stored,
            size,
            limit,
        });
    }
    Ok(())
}

/// Adds `size` bytes to the server's count of day `day`.
pub(super) fn add(
    conn: &Connection,
    server: &XRoadSecurityServerIdentifierType,
    day: i64,
    size: u64,
) -> Result<(), StoreError> {
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "INSERT INTO daily_usage (server, day, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (server, day) DO UPDATE SET bytes = bytes + excluded.bytes",
    )
    .and_then(|mut upsert| upsert.execute(params![server.to_string(), day, size]))
    .during("counting the day's stored bytes")?;
    Ok(())
}

//! The store's settings, and the bytes stored per security server and UTC day, held to a
//! daily limit.

use serde::Deserialize;
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;

use super::error::{DbContext, StoreError};
use super::model::ManagementRequest;
use super::sql::{Db, params};

/// `[store]` of `central.toml`; every key optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// Bytes of message log (all MIME parts) stored per security server per UTC day; a
    /// request that would go over it is refused. 0 turns the limit off.
    pub max_bytes_per_server_per_day: u64,
    /// Connections to PostgreSQL per node: the writer's, the readers' and the certificate
    /// lookups'. Not used with SQLite.
    pub postgres_pool_size: u32,
}

impl StoreSettings {
    /// 64 MiB: over 1,300 requests of the largest size the server takes (50 KiB), where a
    /// security server sends a few a day.
    pub const DEFAULT_MAX_BYTES_PER_SERVER_PER_DAY: u64 = 64 * 1024 * 1024;

    /// 8: one writer, and readers for the manage endpoint's certificate lookups and the
    /// operator's commands.
    pub const DEFAULT_POSTGRES_POOL_SIZE: u32 = 8;
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            max_bytes_per_server_per_day: Self::DEFAULT_MAX_BYTES_PER_SERVER_PER_DAY,
            postgres_pool_size: Self::DEFAULT_POSTGRES_POOL_SIZE,
        }
    }
}

/// Refuses a request of `size` bytes for the server `request` names if the server's bytes
/// of day `day` would go over the limit.
pub(super) fn check(
    db: Db<'_>,
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
    let stored: i64 = db
        .query_opt(
            "SELECT bytes FROM daily_usage WHERE server = ?1 AND day = ?2",
            params![server.to_string(), day],
            |row| row.get(0),
        )
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
    db: Db<'_>,
    server: &XRoadSecurityServerIdentifierType,
    day: i64,
    size: u64,
) -> Result<(), StoreError> {
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    db.execute(
        "INSERT INTO daily_usage (server, day, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (server, day) DO UPDATE SET bytes = daily_usage.bytes + excluded.bytes",
        params![server.to_string(), day, size],
    )
    .during("counting the day's stored bytes")?;
    Ok(())
}

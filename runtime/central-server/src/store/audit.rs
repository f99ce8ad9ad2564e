//! The message log checked as a whole: the hash chain, the request ids, the statuses, and
//! the registry derived again from the log.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use super::chain::{self, Entry, GENESIS, Kind};
use super::error::{DbContext, StoreError};
use super::model::{ServerRecord, Status};
use super::snapshot::{self, RegistryState};
use super::sql::{Db, params};
use super::{queries, rules, schema};

/// What the audit found, and the head of the chain it checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// Each change found; none when the log is intact.
    pub findings: Vec<Finding>,
    /// Entries in the chain.
    pub entries: usize,
    /// Position and hash of the last entry: recorded elsewhere, they let a later audit tell
    /// that the chain was not written anew.
    pub head: (i64, [u8; 32]),
}

impl Audit {
    /// The head hash in hex.
    pub fn head_hex(&self) -> String {
        self.head.1.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One change the audit found in the stored log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The entry's hash does not match what is stored for it now: the request, its message
    /// parts, the status or time it records, or the entry itself changed.
    Changed {
        /// Position in the chain.
        position: i64,
        /// What the entry records.
        what: String,
    },
    /// An entry records a request that is not stored, or is of no known kind.
    Dangling {
        /// Position in the chain.
        position: i64,
        /// What the entry records.
        what: String,
    },
    /// Entries are missing from the chain.
    EntriesMissing {
        /// First missing position.
        from: i64,
        /// Last missing position.
        to: i64,
    },
    /// The chain does not start at 1, and no archive checkpoint says where it went on from.
    NoStart {
        /// The first position stored.
        first: i64,
    },
    /// A stored request that the chain does not record: inserted.
    NotLogged {
        /// The request id.
        request: i64,
    },
    /// Request ids missing between two logged requests: deleted.
    RequestsMissing {
        /// First missing id.
        from: i64,
        /// Last missing id.
        to: i64,
    },
    /// A request's stored status is not the one its logged decisions give.
    Status {
        /// The request id.
        request: i64,
        /// The stored status.
        stored: String,
        /// The status the log gives.
        logged: Status,
    },
    /// The registry derived from the log differs from the stored one.
    Registry {
        /// What differs.
        difference: String,
    },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Changed { position, what } => write!(
                f,
                "log entry {position} ({what}) does not match what is stored: it was changed \
                 after it was logged"
            ),
            Self::Dangling { position, what } => {
                write!(
                    f,
                    "log entry {position} ({what}) records nothing that is stored"
                )
            }
            Self::EntriesMissing { from, to } if from == to => {
                write!(f, "log entry {from} is missing: deleted")
            }
            Self::EntriesMissing { from, to } => {
                write!(f, "log entries {from} to {to} are missing: deleted")
            }
            Self::NoStart { first } => write!(
                f,
                "the log starts at entry {first}, and no archive checkpoint says what came before"
            ),
            Self::NotLogged { request } => write!(
                f,
                "request {request} is stored but not in the log: inserted afterwards"
            ),
            Self::RequestsMissing { from, to } if from == to => {
                write!(f, "request {from} is missing: deleted")
            }
            Self::RequestsMissing { from, to } => {
                write!(f, "requests {from} to {to} are missing: deleted")
            }
            Self::Status {
                request,
                stored,
                logged,
            } => write!(
                f,
                "request {request} has status {stored}, but the log gives it {logged}"
            ),
            Self::Registry { difference } => write!(f, "registry: {difference}"),
        }
    }
}

/// What a chain entry records, for findings.
fn describe(entry: &Entry) -> String {
    match (Kind::parse(&entry.kind), entry.request, &entry.status) {
        (Some(Kind::Received), Some(request), _) => format!("request {request} received"),
        (Some(Kind::Decided), Some(request), Some(status)) => {
            format!("request {request} set to {status}")
        }
        (Some(Kind::Checkpoint), None, _) => "registry checkpoint".to_owned(),
        _ => format!("unknown kind {:?}", entry.kind),
    }
}

/// A checkpoint row.
pub(super) struct Checkpoint {
    /// Its chain entry.
    pub(super) position: i64,
    /// The entry whose registry it holds.
    pub(super) as_of: i64,
    /// That entry's hash.
    pub(super) as_of_hash: Vec<u8>,
    /// The highest request id received up to `as_of`.
    pub(super) last_request: i64,
    /// `migration` or `archive`.
    pub(super) reason: String,
}

/// Every checkpoint, by position.
pub(super) fn checkpoints(db: Db<'_>) -> Result<Vec<Checkpoint>, StoreError> {
    db.query_all(
        "SELECT position, as_of, as_of_hash, last_request, reason FROM checkpoints
         ORDER BY position",
        params![],
        |row| {
            Ok(Checkpoint {
                position: row.get(0)?,
                as_of: row.get(1)?,
                as_of_hash: row.get(2)?,
                last_request: row.get(3)?,
                reason: row.get(4)?,
            })
        },
    )
    .during("reading checkpoints")
}

/// The checkpoint whose registry the log's derivation starts from, for a log whose first
/// entry is `first`: the archive checkpoint just before it, or the migration's, or none.
pub(super) fn base_checkpoint(checkpoints: &[Checkpoint], first: i64) -> Option<&Checkpoint> {
    checkpoints
        .iter()
        .filter(|c| c.reason == "migration" || c.as_of == first - 1)
        .filter(|c| c.as_of >= first - 1)
        .min_by_key(|c| c.as_of)
}

/// Audits the database `db` reads, inside a (snapshot) transaction the caller holds.
pub(super) fn audit_snapshot(db: Db<'_>) -> Result<Audit, StoreError> {
    let mut findings = Vec::new();
    let entries = chain::entries(db)?;
    let checkpoints = checkpoints(db)?;
    let first = entries.first().map_or(1, |entry| entry.position);
    // Where the chain starts: from nothing, or after an archived part.
    let start = checkpoints
        .iter()
        .filter(|c| c.reason == "archive")
        .find(|c| c.as_of == first - 1);
    let mut previous = match start {
        _ if first == 1 => GENESIS,
        Some(checkpoint) => chain::to_hash(checkpoint.as_of, &checkpoint.as_of_hash)?,
        None => {
            findings.push(Finding::NoStart { first });
            GENESIS
        }
    };

    // The chain: each entry's hash from the one before and what is stored for it now.
    let mut expected = first;
    for entry in &entries {
        if entry.position != expected {
            findings.push(Finding::EntriesMissing {
                from: expected,
                to: entry.position - 1,
            });
        }
        match chain::entry_hash(db, &previous, entry)? {
            None => findings.push(Finding::Dangling {
                position: entry.position,
                what: describe(entry),
            }),
            Some(hash) if hash[..] != entry.hash[..] => findings.push(Finding::Changed {
                position: entry.position,
                what: describe(entry),
            }),
            Some(_) => {}
        }
        // Go on from the stored hash, so that one change is one finding.
        previous = chain::to_hash(entry.position, &entry.hash)?;
        expected = entry.position + 1;
    }

    // Requests: each logged once, ids without gaps, statuses as the decisions leave them.
    let mut logged: BTreeMap<i64, String> = BTreeMap::new();
    let mut received_ids = Vec::new();
    for entry in &entries {
        match (Kind::parse(&entry.kind), entry.request, &entry.status) {
            (Some(Kind::Received), Some(request), Some(status)) => {
                received_ids.push(request);
                logged.insert(request, status.clone());
            }
            (Some(Kind::Decided), Some(request), Some(status)) => {
                logged.insert(request, status.clone());
            }
            _ => {}
        }
    }
    let mut next_id = match start {
        Some(checkpoint) if first > 1 => checkpoint.last_request + 1,
        _ => 1,
    };
    for &id in &received_ids {
        if id > next_id {
            findings.push(Finding::RequestsMissing {
                from: next_id,
                to: id - 1,
            });
        }
        next_id = next_id.max(id + 1);
    }
    let stored: Vec<(i64, String)> = db
        .query_all(
            "SELECT id, status FROM requests ORDER BY id",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .during("listing request statuses")?;
    for (id, status) in &stored {
        match logged.get(id) {
            None => findings.push(Finding::NotLogged { request: *id }),
            Some(from_log) if from_log != status => {
                if let Ok(logged) = from_log.parse::<Status>() {
                    findings.push(Finding::Status {
                        request: *id,
                        stored: status.clone(),
                        logged,
                    });
                }
            }
            Some(_) => {}
        }
    }

    // The registry, derived again: from the checkpoint the log starts from (a migration's,
    // whose requests' approval times were not recorded, or an archive's), or from nothing.
    let base = base_checkpoint(&checkpoints, first);
    let (base_state, replay_after) = match base {
        Some(checkpoint) => (
            snapshot::read_checkpoint(db, checkpoint.position)?,
            checkpoint.as_of,
        ),
        None => (RegistryState::default(), 0),
    };
    let live = snapshot::read_live(db)?;
    let derived = replay(db, &entries, &base_state, replay_after, &mut findings)?;
    compare(&derived, &live, &mut findings);

    let head = match entries.last() {
        Some(entry) => (entry.position, chain::to_hash(entry.position, &entry.hash)?),
        None => (0, GENESIS),
    };
    Ok(Audit {
        findings,
        entries: entries.len(),
        head,
    })
}

/// Applies every request the log shows applied after position `after` to `base`, in a
/// database of its own, and returns the registry that results.
pub(super) fn replay(
    db: Db<'_>,
    entries: &[Entry],
    base: &RegistryState,
    after: i64,
    findings: &mut Vec<Finding>,
) -> Result<RegistryState, StoreError> {
    let replayed = schema::open_memory(Path::new(":memory:"))?;
    let scratch = Db::Sqlite(&replayed);
    snapshot::load(scratch, base)?;
    for entry in entries.iter().filter(|e| e.position > after) {
        let applied = matches!(
            (Kind::parse(&entry.kind), entry.status.as_deref()),
            (Some(Kind::Received | Kind::Decided), Some(status)) if status == Status::Approved.as_str()
        );
        let (true, Some(id)) = (applied, entry.request) else {
            continue;
        };
        let Some(record) = queries::request(db, id)? else {
            continue;
        };
        if let Err(error) = rules::apply(scratch, &record.request) {
            findings.push(Finding::Registry {
                difference: format!(
                    "request {id} (log entry {}) cannot be applied to the registry the log \
                     gives before it: {error}",
                    entry.position
                ),
            });
        }
    }
    snapshot::read_live(scratch)
}

/// Reports each difference between the registry the log gives and the stored one.
fn compare(derived: &RegistryState, stored: &RegistryState, findings: &mut Vec<Finding>) {
    let by_id = |state: &RegistryState| -> BTreeMap<String, ServerRecord> {
        state
            .servers
            .iter()
            .map(|server| (server.id.to_string(), server.clone()))
            .collect()
    };
    let (derived_servers, stored_servers) = (by_id(derived), by_id(stored));
    let mut differ = |difference: String| findings.push(Finding::Registry { difference });
    let ids: BTreeSet<&String> = derived_servers
        .keys()
        .chain(stored_servers.keys())
        .collect();
    for id in ids {
        match (derived_servers.get(id), stored_servers.get(id)) {
            (Some(_), None) => differ(format!("security server {id} is missing")),
            (None, Some(_)) => differ(format!(
                "security server {id} is registered, but no logged request registered it"
            )),
            (Some(logged), Some(found)) => {
                if logged.owner != found.owner {
                    differ(format!(
                        "security server {id} has owner {}, the log gives {}",
                        found.owner, logged.owner
                    ));
                }
                if logged.address != found.address {
                    differ(format!(
                        "security server {id} has address {:?}, the log gives {:?}",
                        found.address, logged.address
                    ));
                }
                if logged.maintenance != found.maintenance {
                    differ(format!(
                        "security server {id} has maintenance mode {:?}, the log gives {:?}",
                        found.maintenance, logged.maintenance
                    ));
                }
                if logged.auth_certs != found.auth_certs {
                    differ(format!(
                        "security server {id} has {} authentication certificates, not the {} \
                         the log gives, or other ones",
                        found.auth_certs.len(),
                        logged.auth_certs.len()
                    ));
                }
                let clients = |server: &ServerRecord| -> BTreeMap<String, bool> {
                    server
                        .clients
                        .iter()
                        .map(|c| (c.id.to_string(), c.enabled))
                        .collect()
                };
                let (logged_clients, found_clients) = (clients(logged), clients(found));
                let all: BTreeSet<&String> =
                    logged_clients.keys().chain(found_clients.keys()).collect();
                for client in all {
                    match (logged_clients.get(client), found_clients.get(client)) {
                        (Some(_), None) => {
                            differ(format!("client {client} of {id} is missing"));
                        }
                        (None, Some(_)) => differ(format!(
                            "client {client} of {id} is registered, but no logged request \
                             registered it"
                        )),
                        (Some(a), Some(b)) if a != b => differ(format!(
                            "client {client} of {id} is {}, the log gives {}",
                            enabled(*b),
                            enabled(*a)
                        )),
                        _ => {}
                    }
                }
            }
            (None, None) => {}
        }
    }
    if derived.subsystem_names != stored.subsystem_names {
        let logged: BTreeSet<_> = derived.subsystem_names.iter().collect();
        let found: BTreeSet<_> = stored.subsystem_names.iter().collect();
        for (subsystem, name) in found.difference(&logged) {
            differ(format!(
                "subsystem {subsystem} is named {name:?}, which no logged request gave it"
            ));
        }
        for (subsystem, name) in logged.difference(&found) {
            differ(format!(
                "subsystem {subsystem} should be named {name:?}, as the log gives"
            ));
        }
    }
}

fn enabled(enabled: bool) -> &'static str {
    if enabled { "enabled" } else { "disabled" }
}

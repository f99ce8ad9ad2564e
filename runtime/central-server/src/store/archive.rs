//! Archiving the message log up to a date: the requests, their MIME parts, decisions and
//! chain entries before it move to a file of their own, and the live log goes on from a
//! checkpoint.
//!
//! The archive is a SQLite database with the store's schema, in one file (rollback journal,
//! not write-ahead log, so nothing lies beside it once written): the same tables, the same
//! chain, checked by the same audit (`central-server verify-log --database FILE`), readable
//! with any SQLite tool, and a prefix of the log that can itself be archived again. Its
//! registry tables hold the registry as the log leaves it at the cut, which its audit derives
//! again from its own log.
//!
//! The cut is the last chain entry before the date after which no request it holds is still
//! open: every request up to it is decided (approved, declined or revoked), and none of its
//! decisions comes later. The live log keeps everything after the cut and gains a checkpoint
//! entry (reason `archive`) that holds the position and hash of the cut, the highest request
//! id archived and the registry at the cut; the audit of the live log starts its chain from
//! that hash and derives the registry from that state, and the checkpoint entry's own hash
//! covers all of it.
//!
//! One connection of its own does the work in one write transaction on the live database:
//! audit (the log must verify, or nothing happens), copy into the archive, commit and sync
//! the archive, then record the checkpoint and delete what was archived, and commit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::Value;

use super::audit::{self, Checkpoint};
use super::chain::{self, Entry, Kind};
use super::error::{DbContext, StoreError};
use super::model::Status;
use super::sql::{Db, params, sqlite_values};
use super::writer::BEGIN_POSTGRES;
use super::{schema, snapshot};

/// What [`Store::archive`](super::Store::archive) moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    /// The first and last chain positions moved to the archive (the last is the cut).
    pub entries: (i64, i64),
    /// Requests moved, with their message logs.
    pub requests: usize,
    /// The highest request id moved; 0 if none.
    pub last_request: i64,
    /// Position of the live log's checkpoint entry that records the cut.
    pub checkpoint: i64,
}

/// What bounds the rows of a table that go.
#[derive(Clone, Copy)]
enum Bound {
    /// A chain position: the cut.
    Cut,
    /// A request id: the highest one archived.
    Request,
}

/// The tables copied, in an order their foreign keys allow, each with the column whose value
/// is at most its bound in the rows that go.
const TABLES: [(&str, &str, Bound); 9] = [
    ("requests", "id", Bound::Request),
    ("message_log", "request", Bound::Request),
    ("message_attachments", "request", Bound::Request),
    ("log_chain", "position", Bound::Cut),
    ("checkpoints", "position", Bound::Cut),
    ("checkpoint_servers", "checkpoint", Bound::Cut),
    ("checkpoint_certs", "checkpoint", Bound::Cut),
    ("checkpoint_clients", "checkpoint", Bound::Cut),
    ("checkpoint_subsystems", "checkpoint", Bound::Cut),
];

/// Moves the log of the store at `live` before `before` (nanoseconds since the Unix epoch,
/// UTC) to a new archive file `file`, as the module says. `at` is the time of the checkpoint
/// entry. On any error the live database is left as it was and no archive file is left.
pub(super) fn archive(
    live: Db<'_>,
    before: i64,
    file: &Path,
    at: i64,
) -> Result<Archived, StoreError> {
    let archive = schema::create_archive(file)?;
    let begin = match live {
        Db::Sqlite(_) => "BEGIN IMMEDIATE",
        Db::Postgres(_) => BEGIN_POSTGRES,
    };
    let result = live
        .batch(begin)
        .during("starting the archive transaction")
        .and_then(|()| {
            let moved = archive_in(live, &archive, before, file, at);
            let end = if moved.is_ok() { "COMMIT" } else { "ROLLBACK" };
            live.batch(end).during("ending the archive transaction")?;
            moved
        });
    if result.is_err() {
        drop(archive);
        // Nothing was taken from the live log; an archive of it would only mislead.
        let _ = std::fs::remove_file(file);
        let _ = std::fs::remove_file(journal_of(file));
    }
    result
}

/// The rollback journal SQLite keeps beside `file` during a transaction.
fn journal_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push("-journal");
    PathBuf::from(name)
}

/// The work of [`archive`] inside the live transaction.
fn archive_in(
    db: Db<'_>,
    archive: &Connection,
    before: i64,
    file: &Path,
    at: i64,
) -> Result<Archived, StoreError> {
    let audit = audit::audit_snapshot(db)?;
    if let Some(first) = audit.findings.first() {
        return Err(StoreError::LogDoesNotVerify {
            changes: audit.findings.len(),
            first: first.to_string(),
        });
    }
    let entries = chain::entries(db)?;
    let checkpoints = audit::checkpoints(db)?;
    let cut = find_cut(db, &entries, &checkpoints, before)?;
    let first = entries.first().map_or(1, |entry| entry.position);
    let base = audit::base_checkpoint(&checkpoints, first);
    let last_request = entries
        .iter()
        .filter(|e| e.position <= cut && Kind::parse(&e.kind) == Some(Kind::Received))
        .filter_map(|e| e.request)
        .max()
        .or_else(|| base.map(|c| c.last_request))
        .unwrap_or(0);

    // The registry at the cut, derived as the audit derives it.
    let (base_state, after) = match base {
        Some(checkpoint) => (
            snapshot::read_checkpoint(db, checkpoint.position)?,
            checkpoint.as_of,
        ),
        None => (snapshot::RegistryState::default(), 0),
    };
    let upto: Vec<Entry> = entries
        .iter()
        .filter(|e| e.position <= cut)
        .cloned()
        .collect();
    let mut findings = Vec::new();
    let at_cut = audit::replay(db, &upto, &base_state, after, &mut findings)?;
    if let Some(first) = findings.first() {
        return Err(StoreError::LogDoesNotVerify {
            changes: findings.len(),
            first: first.to_string(),
        });
    }

    // The archive, written and made durable before anything leaves the live log.
    archive
        .execute_batch("BEGIN IMMEDIATE")
        .during("starting the archive file's transaction")?;
    let bound = |bound| match bound {
        Bound::Cut => cut,
        Bound::Request => last_request,
    };
    let mut requests = 0;
    for (table, column, limit) in TABLES {
        let copied = copy_rows(db, archive, table, column, bound(limit))?;
        if table == "requests" {
            requests = copied;
        }
    }
    snapshot::load(Db::Sqlite(archive), &at_cut)?;
    archive
        .execute_batch("COMMIT")
        .during("committing the archive file")?;
    sync(file)?;

    // The checkpoint after the live head, then the archived rows out of the live tables.
    let cut_hash = entries
        .iter()
        .find(|e| e.position == cut)
        .map(|e| chain::to_hash(e.position, &e.hash))
        .transpose()?
        .ok_or(StoreError::NothingToArchive {
            reason: "the cut is not in the log",
        })?;
    let (head, _) = chain::head(db)?;
    let checkpoint = head + 1;
    db.execute(
        "INSERT INTO checkpoints (position, as_of, as_of_hash, last_request, reason)
         VALUES (?1, ?2, ?3, ?4, 'archive')",
        params![checkpoint, cut, &cut_hash, last_request],
    )
    .during("storing the archive checkpoint")?;
    snapshot::write_checkpoint(db, checkpoint, &at_cut)?;
    chain::append(db, Kind::Checkpoint, None, None, at)?;
    for (table, column, limit) in TABLES.iter().rev() {
        db.execute(
            &format!("DELETE FROM {table} WHERE {column} <= ?1"),
            params![bound(*limit)],
        )
        .during("removing archived rows from the live log")?;
    }
    Ok(Archived {
        entries: (first, cut),
        requests,
        last_request,
        checkpoint,
    })
}

/// The hash an archive checkpoint of `db` records for the cut at `as_of`, if any.
pub(super) fn recorded_cut(db: Db<'_>, as_of: i64) -> Result<Option<[u8; 32]>, StoreError> {
    let recorded: Option<Vec<u8>> = db
        .query_opt(
            "SELECT as_of_hash FROM checkpoints WHERE reason = 'archive' AND as_of = ?1
             ORDER BY position DESC LIMIT 1",
            params![as_of],
            |row| row.get(0),
        )
        .during("reading the archive checkpoint")?;
    recorded
        .map(|hash| chain::to_hash(as_of, &hash))
        .transpose()
}

/// The last chain position before `before` up to which no request is open, and not before
/// the checkpoint the live log starts from (its registry state is where the derivation
/// starts).
fn find_cut(
    db: Db<'_>,
    entries: &[Entry],
    checkpoints: &[Checkpoint],
    before: i64,
) -> Result<i64, StoreError> {
    let first = entries.first().map_or(1, |entry| entry.position);
    let not_before = checkpoints
        .iter()
        .filter(|c| c.as_of >= first - 1)
        .map(|c| c.position)
        .max()
        .unwrap_or(first);
    let open: Vec<i64> = db
        .query_all(
            "SELECT id FROM requests WHERE status IN (?1, ?2)",
            params![
                Status::Waiting.as_str(),
                Status::SubmittedForApproval.as_str(),
            ],
            |row| row.get(0),
        )
        .during("listing open requests")?;
    // The last entry of each request; an open request stays open for ever.
    let mut last_of: BTreeMap<i64, i64> = BTreeMap::new();
    for entry in entries {
        if let Some(request) = entry.request {
            last_of.insert(request, entry.position);
        }
    }
    for id in open {
        last_of.insert(id, i64::MAX);
    }
    let mut cut = None;
    let mut busy_until = 0;
    for entry in entries {
        if entry.at >= before {
            break;
        }
        if let (Some(Kind::Received), Some(request)) = (Kind::parse(&entry.kind), entry.request) {
            busy_until = busy_until.max(last_of.get(&request).copied().unwrap_or(0));
        }
        if busy_until <= entry.position && entry.position >= not_before {
            cut = Some(entry.position);
        }
    }
    match (cut, entries.first()) {
        (Some(cut), _) => Ok(cut),
        (None, Some(entry)) if entry.at >= before => Err(StoreError::NothingToArchive {
            reason: "the log's first entry is not before that date",
        }),
        (None, Some(_)) => Err(StoreError::NothingToArchive {
            reason: "every request before that date is still waiting for a decision, or is \
                     decided only after it",
        }),
        (None, None) => Err(StoreError::NothingToArchive {
            reason: "the log is empty",
        }),
    }
}

/// Copies the rows of `table` whose `column` is at most `bound` from the live database to
/// the archive, column by column by name; returns how many.
fn copy_rows(
    db: Db<'_>,
    archive: &Connection,
    table: &str,
    column: &str,
    bound: i64,
) -> Result<usize, StoreError> {
    let select = format!("SELECT * FROM {table} WHERE {column} <= ?1 ORDER BY {column}");
    let (columns, rows) = match db {
        Db::Sqlite(conn) => {
            let mut select = conn.prepare(&select).during("reading rows to archive")?;
            let columns: Vec<String> = select
                .column_names()
                .into_iter()
                .map(str::to_owned)
                .collect();
            let rows = select
                .query_map([bound], |row| {
                    (0..columns.len())
                        .map(|index| row.get::<_, Value>(index))
                        .collect::<Result<Vec<Value>, _>>()
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .during("reading rows to archive")?;
            (columns, rows)
        }
        Db::Postgres(session) => {
            let rows = session
                .query(&select, params![bound])
                .during("reading rows to archive")?;
            let columns = rows.first().map_or_else(Vec::new, |row| {
                row.columns().iter().map(|c| c.name().to_owned()).collect()
            });
            let values = rows
                .iter()
                .map(sqlite_values)
                .collect::<Result<Vec<_>, _>>()
                .during("reading rows to archive")?;
            (columns, values)
        }
    };
    if rows.is_empty() {
        return Ok(0);
    }
    let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("?{n}")).collect();
    let mut insert = archive
        .prepare(&format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        ))
        .during("preparing the archive's rows")?;
    for values in &rows {
        insert
            .execute(rusqlite::params_from_iter(values))
            .during("writing rows to the archive")?;
    }
    Ok(rows.len())
}

/// Syncs `file` and the directory that names it, so that the archive survives a crash
/// before the live rows are deleted.
fn sync(file: &Path) -> Result<(), StoreError> {
    let failed = |source| StoreError::ArchiveSync {
        path: file.to_owned(),
        source,
    };
    std::fs::File::open(file)
        .and_then(|f| f.sync_all())
        .map_err(failed)?;
    let directory = match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::File::open(directory)
        .and_then(|d| d.sync_all())
        .map_err(failed)
}

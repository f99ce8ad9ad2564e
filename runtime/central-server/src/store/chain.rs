//! The message log's hash chain: every event of the log — a request received, a decision on
//! it, a checkpoint of the registry — is an entry of `log_chain` whose hash covers the hash
//! of the entry before it and everything the event recorded. Changing, deleting or inserting
//! a stored request, message part or decision breaks the chain from that entry on.
//!
//! An entry's hash is SHA-256 over a fixed encoding, written out here rather than left to a
//! serialisation crate whose output could change between versions: the domain tag
//! [`DOMAIN`], the previous hash, then each field as `0x00` (absent) or `0x01`, its length
//! as 8 bytes big-endian, and its bytes (integers as 8 bytes big-endian).

use super::error::{DbContext, StoreError};
use super::model::{ClientRecord, ServerRecord, Status};
use super::sql::{DatabaseError, Db, params};
use openssl::sha::Sha256;

/// The hash before the first entry.
pub(super) const GENESIS: [u8; 32] = [0; 32];

/// Tag at the start of every hashed entry, naming the encoding.
const DOMAIN: &[u8] = b"xroad-central-server message log chain 1";

/// What a chain entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A request was received and stored, with its status then.
    Received,
    /// A request was approved, declined or revoked.
    Decided,
    /// The registry as it stood after an earlier entry (`checkpoints`).
    Checkpoint,
}

impl Kind {
    pub(super) const fn as_str(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::Decided => "decided",
            Self::Checkpoint => "checkpoint",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Self> {
        [Self::Received, Self::Decided, Self::Checkpoint]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// A row of `log_chain`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) position: i64,
    pub(super) kind: String,
    pub(super) request: Option<i64>,
    pub(super) status: Option<String>,
    pub(super) at: i64,
    pub(super) hash: Vec<u8>,
}

/// The fixed encoding fed to SHA-256.
struct Hasher(Sha256);

impl Hasher {
    fn new(previous: &[u8; 32]) -> Self {
        let mut sha = Sha256::new();
        sha.update(DOMAIN);
        sha.update(previous);
        Self(sha)
    }

    fn bytes(&mut self, value: Option<&[u8]>) {
        match value {
            None => self.0.update(&[0]),
            Some(bytes) => {
                self.0.update(&[1]);
                self.0.update(&(bytes.len() as u64).to_be_bytes());
                self.0.update(bytes);
            }
        }
    }

    fn text(&mut self, value: Option<&str>) {
        self.bytes(value.map(str::as_bytes));
    }

    fn int(&mut self, value: i64) {
        self.bytes(Some(&value.to_be_bytes()));
    }

    fn finish(self) -> [u8; 32] {
        self.0.finish()
    }
}

/// The columns of a request and its message log that a `received` entry covers, in order.
const RECEIVED_CONTENT: &str = "SELECT r.id, r.service, r.server, r.client, r.auth_cert, r.address,
        r.subsystem_name, r.message, r.message_id, r.sender, r.received_at,
        m.soap, m.response_sha256, m.peer, m.tls_client_cert_sha256
    FROM requests AS r LEFT JOIN message_log AS m ON m.request = r.id WHERE r.id = ?1";

/// The hash of `entry` after `previous`, from what the database holds now for it; `None`
/// when the entry is of no known kind or its request is missing.
pub(super) fn entry_hash(
    db: Db<'_>,
    previous: &[u8; 32],
    entry: &Entry,
) -> Result<Option<[u8; 32]>, StoreError> {
    let Some(kind) = Kind::parse(&entry.kind) else {
        return Ok(None);
    };
    let mut hasher = Hasher::new(previous);
    hasher.int(entry.position);
    hasher.text(Some(kind.as_str()));
    hasher.bytes(entry.request.map(i64::to_be_bytes).as_ref().map(|b| &b[..]));
    hasher.text(entry.status.as_deref());
    hasher.int(entry.at);
    let complete = match (kind, entry.request) {
        (Kind::Received, Some(request)) => hash_received(db, &mut hasher, request)?,
        (Kind::Decided, Some(_)) => true,
        (Kind::Checkpoint, None) => hash_checkpoint(db, &mut hasher, entry.position)?,
        _ => false,
    };
    Ok(complete.then(|| hasher.finish()))
}

/// Feeds a request, its message log and its parts to `hasher`; false if the request or its
/// message log is missing.
fn hash_received(db: Db<'_>, hasher: &mut Hasher, request: i64) -> Result<bool, StoreError> {
    type Received = (
        [Option<Vec<u8>>; 8],
        (String, String, i64),
        Option<Vec<u8>>,
        Option<Vec<u8>>,
        Option<String>,
        Option<Vec<u8>>,
    );
    let row: Option<Received> = db
        .query_opt(RECEIVED_CONTENT, params![request], |row| {
            let text = |index| -> Result<Option<Vec<u8>>, DatabaseError> {
                Ok(row.get::<Option<String>>(index)?.map(String::into_bytes))
            };
            Ok((
                [
                    Some(row.get::<i64>(0)?.to_be_bytes().to_vec()),
                    text(1)?,
                    text(2)?,
                    text(3)?,
                    row.get(4)?,
                    text(5)?,
                    text(6)?,
                    text(7)?,
                ],
                (row.get(8)?, row.get(9)?, row.get(10)?),
                row.get(11)?,
                row.get(12)?,
                row.get(13)?,
                row.get(14)?,
            ))
        })
        .during("reading a request for the log chain")?;
    let Some((fields, (message_id, sender, received_at), soap, response, peer, cert)) = row else {
        return Ok(false);
    };
    for field in &fields {
        hasher.bytes(field.as_deref());
    }
    hasher.text(Some(&message_id));
    hasher.text(Some(&sender));
    hasher.int(received_at);
    let Some(soap) = soap else {
        return Ok(false);
    };
    hasher.bytes(Some(&soap));
    hasher.bytes(response.as_deref());
    hasher.text(peer.as_deref());
    hasher.bytes(cert.as_deref());
    let parts = db
        .query_all(
            "SELECT position, signature_algorithm_id, body FROM message_attachments
             WHERE request = ?1 ORDER BY position",
            params![request],
            |row| {
                Ok((
                    row.get::<i64>(0)?,
                    row.get::<Option<String>>(1)?,
                    row.get::<Vec<u8>>(2)?,
                ))
            },
        )
        .during("reading message parts for the log chain")?;
    hasher.int(parts.len() as i64);
    for (position, algorithm, body) in &parts {
        hasher.int(*position);
        hasher.text(algorithm.as_deref());
        hasher.bytes(Some(body));
    }
    Ok(true)
}

/// Feeds a checkpoint and its registry snapshot to `hasher`; false if it is missing.
fn hash_checkpoint(db: Db<'_>, hasher: &mut Hasher, position: i64) -> Result<bool, StoreError> {
    let checkpoint: Option<(i64, Vec<u8>, i64, String)> = db
        .query_opt(
            "SELECT as_of, as_of_hash, last_request, reason FROM checkpoints WHERE position = ?1",
            params![position],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .during("reading a checkpoint for the log chain")?;
    let Some((as_of, as_of_hash, last_request, reason)) = checkpoint else {
        return Ok(false);
    };
    hasher.int(as_of);
    hasher.bytes(Some(&as_of_hash));
    hasher.int(last_request);
    hasher.text(Some(&reason));
    let snapshot = super::snapshot::read_checkpoint(db, position)?;
    hash_registry(hasher, &snapshot);
    Ok(true)
}

/// Feeds a registry state to `hasher`, every server, client, certificate and name in order.
fn hash_registry(hasher: &mut Hasher, state: &super::snapshot::RegistryState) {
    hasher.int(state.servers.len() as i64);
    for ServerRecord {
        id,
        owner,
        address,
        maintenance,
        auth_certs,
        clients,
    } in &state.servers
    {
        hasher.text(Some(&id.to_string()));
        hasher.text(Some(&owner.to_string()));
        hasher.text(address.as_deref());
        hasher.int(i64::from(maintenance.is_some()));
        hasher.text(maintenance.as_ref().and_then(|m| m.message.as_deref()));
        hasher.int(auth_certs.len() as i64);
        for cert in auth_certs {
            hasher.bytes(Some(cert));
        }
        hasher.int(clients.len() as i64);
        for ClientRecord { id, enabled, .. } in clients {
            hasher.text(Some(&id.to_string()));
            hasher.int(i64::from(*enabled));
        }
    }
    hasher.int(state.subsystem_names.len() as i64);
    for (subsystem, name) in &state.subsystem_names {
        hasher.text(Some(subsystem));
        hasher.text(Some(name));
    }
}

/// The last entry's position and hash; position 0 and [`GENESIS`] while the chain is empty.
pub(super) fn head(db: Db<'_>) -> Result<(i64, [u8; 32]), StoreError> {
    let last: Option<(i64, Vec<u8>)> = db
        .query_opt(
            "SELECT position, hash FROM log_chain ORDER BY position DESC LIMIT 1",
            params![],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .during("reading the head of the log chain")?;
    match last {
        None => Ok((0, GENESIS)),
        Some((position, hash)) => Ok((position, to_hash(position, &hash)?)),
    }
}

/// A stored hash as 32 bytes.
pub(super) fn to_hash(position: i64, hash: &[u8]) -> Result<[u8; 32], StoreError> {
    hash.try_into().map_err(|_| StoreError::Corrupt {
        table: "log_chain",
        column: "hash",
        row: position,
        source: format!("{} bytes, not 32", hash.len()).into(),
    })
}

/// Appends an entry after the head of the chain: `request` received with `status`, or a
/// decision giving it `status`, or (with no request) the checkpoint stored under the next
/// position. Returns its position.
pub(super) fn append(
    db: Db<'_>,
    kind: Kind,
    request: Option<i64>,
    status: Option<Status>,
    at: i64,
) -> Result<i64, StoreError> {
    let (last, previous) = head(db)?;
    let mut entry = Entry {
        position: last + 1,
        kind: kind.as_str().to_owned(),
        request,
        status: status.map(|s| s.as_str().to_owned()),
        at,
        hash: Vec::new(),
    };
    let hash = entry_hash(db, &previous, &entry)?.ok_or(StoreError::Corrupt {
        table: "log_chain",
        column: "request",
        row: entry.position,
        source: "what the entry records is not stored".into(),
    })?;
    entry.hash = hash.to_vec();
    db.execute(
        "INSERT INTO log_chain (position, kind, request, status, at, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            entry.position,
            &entry.kind,
            entry.request,
            entry.status.as_ref(),
            entry.at,
            &entry.hash
        ],
    )
    .during("appending to the log chain")?;
    Ok(entry.position)
}

/// Every entry of the chain, by position.
pub(super) fn entries(db: Db<'_>) -> Result<Vec<Entry>, StoreError> {
    db.query_all(
        "SELECT position, kind, request, status, at, hash FROM log_chain ORDER BY position",
        params![],
        |row| {
            Ok(Entry {
                position: row.get(0)?,
                kind: row.get(1)?,
                request: row.get(2)?,
                status: row.get(3)?,
                at: row.get(4)?,
                hash: row.get(5)?,
            })
        },
    )
    .during("reading the log chain")
}

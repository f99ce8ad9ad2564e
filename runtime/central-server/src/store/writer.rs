//! The writer thread: it owns the writing connection and runs write operations with group
//! commit. Operations that arrive while a commit is under way are run together in the next
//! transaction, each in its own savepoint, and committed with one fsync. An operation that
//! fails is rolled back to its savepoint and leaves the others alone; an operation's caller
//! gets its result only after the transaction holding it is durable.
//!
//! On PostgreSQL every transaction first takes the advisory lock [`CHAIN_LOCK`]: the nodes
//! of a cluster append to one hash chain and check the rules against one registry, so their
//! writes are serialised as a single SQLite writer's are, while each node still commits
//! whatever it has queued in one transaction. A node that loses its connection takes a new
//! one from the pool for its next transaction.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::thread::{self, JoinHandle, ThreadId};

use rusqlite::Connection;

use super::error::{StoreError, TransactionStep};
use super::postgres::PostgresPool;
use super::sql::{DatabaseError, Db, PgSession};

/// The key of the PostgreSQL advisory lock every write transaction takes first (the bytes
/// of `xroadlog`).
pub const CHAIN_LOCK: i64 = i64::from_be_bytes(*b"xroadlog");

/// Operations waiting for the writer before callers block.
const QUEUE_CAPACITY: usize = 1024;

/// Most operations in one transaction.
const MAX_BATCH: usize = 256;

/// A failure of the shared transaction, given to every operation that had succeeded in it.
type BatchFailure = (TransactionStep, Arc<DatabaseError>);

/// An operation queued for the writer.
trait Job: Send {
    /// Runs the operation inside the open transaction, in a savepoint. An error means the
    /// savepoint itself failed and the transaction cannot go on.
    fn run(&mut self, db: Db<'_>) -> Result<(), DatabaseError>;

    /// Hands the outcome to the caller once the transaction has ended.
    fn finish(self: Box<Self>, failure: Option<&BatchFailure>);
}

/// Where the outcome of an operation goes: a thread blocked on it, or a task awaiting it.
enum Reply<R> {
    /// A blocking caller ([`Writer::run`]).
    Blocking(SyncSender<Result<R, StoreError>>),
    /// An async caller ([`Writer::run_async`]).
    Async(tokio::sync::oneshot::Sender<Result<R, StoreError>>),
}

/// A caller's operation, its outcome once run, and where to send it.
struct Pending<R, F> {
    work: Option<F>,
    outcome: Option<Result<R, StoreError>>,
    reply: Reply<R>,
}

impl<R, F> Job for Pending<R, F>
where
    R: Send,
    F: FnOnce(Db<'_>) -> Result<R, StoreError> + Send,
{
    fn run(&mut self, db: Db<'_>) -> Result<(), DatabaseError> {
        let Some(work) = self.work.take() else {
            return Ok(());
        };
        db.batch("SAVEPOINT operation")?;
        let outcome =
            panic::catch_unwind(AssertUnwindSafe(|| work(db))).unwrap_or(Err(StoreError::Panicked));
        if outcome.is_err() {
            db.batch("ROLLBACK TO operation")?;
        }
        db.batch("RELEASE operation")?;
        self.outcome = Some(outcome);
        Ok(())
    }

    fn finish(self: Box<Self>, failure: Option<&BatchFailure>) {
        let result = match (self.outcome, failure) {
            (Some(Err(error)), _) => Err(error),
            (Some(Ok(value)), None) => Ok(value),
            (_, Some((step, source))) => Err(StoreError::Transaction {
                step: *step,
                source: Arc::clone(source),
            }),
            (None, None) => Err(StoreError::WriterGone),
        };
        // The caller may have stopped waiting; the outcome is then of no use to anyone.
        match self.reply {
            Reply::Blocking(reply) => drop(reply.send(result)),
            Reply::Async(reply) => drop(reply.send(result)),
        }
    }
}

/// Handle on the writer thread; dropping it lets the thread finish and joins it.
pub(super) struct Writer {
    jobs: Option<SyncSender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

impl Writer {
    /// Starts the writer thread on the SQLite connection `conn`.
    pub(super) fn spawn(conn: Connection) -> Result<Self, StoreError> {
        Self::spawn_on(Session::Sqlite(conn))
    }

    /// Starts the writer thread on connections from `pool`.
    pub(super) fn spawn_postgres(pool: PostgresPool) -> Result<Self, StoreError> {
        Self::spawn_on(Session::Postgres {
            pool,
            session: None,
        })
    }

    fn spawn_on(mut session: Session) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::sync_channel(QUEUE_CAPACITY);
        let thread = thread::Builder::new()
            .name("xroad-store-writer".to_owned())
            .spawn(move || serve(&mut session, &queue))
            .map_err(StoreError::WriterThread)?;
        Ok(Self {
            jobs: Some(jobs),
            thread_id: thread.thread().id(),
            thread: Some(thread),
        })
    }

    /// Runs `work` in a write transaction and returns its result once that transaction is
    /// committed. If `work` fails, or the transaction does, nothing `work` wrote is kept.
    /// Blocks the calling thread; refused on the writer thread itself, where it would wait
    /// for itself.
    pub(super) fn run<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(Db<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        if thread::current().id() == self.thread_id {
            return Err(StoreError::Reentrant);
        }
        let (reply, outcome) = mpsc::sync_channel(1);
        let job: Box<dyn Job> = Box::new(Pending {
            work: Some(work),
            outcome: None,
            reply: Reply::Blocking(reply),
        });
        self.queue()?
            .send(job)
            .map_err(|_| StoreError::WriterGone)?;
        outcome.recv().map_err(|_| StoreError::WriterGone)?
    }

    /// [`run`](Self::run) for async callers: the task waits for the commit without holding
    /// a thread. Only when the queue is full does handing the operation over take a
    /// blocking-pool thread, which waits for room (back-pressure).
    pub(super) async fn run_async<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(Db<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let (reply, outcome) = tokio::sync::oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending {
            work: Some(work),
            outcome: None,
            reply: Reply::Async(reply),
        });
        match self.queue()?.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Disconnected(_)) => return Err(StoreError::WriterGone),
            Err(TrySendError::Full(job)) => {
                let queue = self.queue()?.clone();
                tokio::task::spawn_blocking(move || queue.send(job))
                    .await
                    .map_err(|_| StoreError::WriterGone)?
                    .map_err(|_| StoreError::WriterGone)?;
            }
        }
        outcome.await.map_err(|_| StoreError::WriterGone)?
    }

    /// The queue to the writer thread, while it is open.
    fn queue(&self) -> Result<&SyncSender<Box<dyn Job>>, StoreError> {
        self.jobs.as_ref().ok_or(StoreError::WriterGone)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the queue ends the thread once it has finished what is queued.
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            // The last handle may be dropped by an operation on the writer thread itself.
            if self.thread_id != thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

/// The connection the writer thread writes with.
enum Session {
    /// The store's SQLite database.
    Sqlite(Connection),
    /// A connection from the pool, taken again when the last one was lost.
    Postgres {
        /// The pool.
        pool: PostgresPool,
        /// The connection in use (boxed: it is much larger than SQLite's).
        session: Option<Box<PgSession>>,
    },
}

impl Session {
    /// Begins a write transaction and returns the connection it runs on.
    fn begin(&mut self) -> Result<Db<'_>, DatabaseError> {
        match self {
            Self::Sqlite(conn) => {
                let db = Db::Sqlite(conn);
                db.batch("BEGIN IMMEDIATE")?;
                Ok(db)
            }
            Self::Postgres { pool, session } => {
                let open = match session.take() {
                    Some(open) if !open.is_closed() => open,
                    _ => Box::new(PgSession::new(pool.get().map_err(DatabaseError::Pool)?)),
                };
                let db = Db::Postgres(session.insert(open));
                db.batch(BEGIN_POSTGRES)?;
                Ok(db)
            }
        }
    }

    /// Rolls back what is left of a failed transaction. If even this fails, the next
    /// begin fails too and reports it.
    fn roll_back(&mut self) {
        match self {
            Self::Sqlite(conn) => {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
            }
            Self::Postgres { session, .. } => {
                if let Some(session) = session {
                    let _ = Db::Postgres(session).batch("ROLLBACK");
                }
            }
        }
    }
}

/// Begins a PostgreSQL write transaction under the chain lock ([`CHAIN_LOCK`], spelled out
/// here; a test checks that the two agree), in one round trip.
pub(super) const BEGIN_POSTGRES: &str = "BEGIN; SELECT pg_advisory_xact_lock(8679121895983705959)";

/// The writer thread: takes whatever operations are queued, up to [`MAX_BATCH`], and runs
/// them in one transaction, until the queue is closed.
fn serve(session: &mut Session, queue: &Receiver<Box<dyn Job>>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let failure = run_batch(session, &mut batch).err();
        if failure.is_some() {
            session.roll_back();
        }
        for job in batch.drain(..) {
            job.finish(failure.as_ref());
        }
    }
}

/// Runs `batch` in one transaction and commits it; on error the transaction may still be
/// open and must be rolled back.
fn run_batch(session: &mut Session, batch: &mut [Box<dyn Job>]) -> Result<(), BatchFailure> {
    let fail = |step| move |source| (step, Arc::new(source));
    let db = session.begin().map_err(fail(TransactionStep::Begin))?;
    for job in batch.iter_mut() {
        job.run(db).map_err(fail(TransactionStep::Savepoint))?;
    }
    db.batch("COMMIT").map_err(fail(TransactionStep::Commit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer_on_table() -> (tempfile::TempDir, Writer, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("writer.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER NOT NULL UNIQUE) STRICT;",
        )
        .unwrap();
        let writer = Writer::spawn(conn).unwrap();
        (dir, writer, Connection::open(&path).unwrap())
    }

    fn values(conn: &Connection) -> Vec<i64> {
        let mut select = conn.prepare("SELECT v FROM t ORDER BY v").unwrap();
        select
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn insert(db: Db<'_>, value: i64) -> Result<(), StoreError> {
        db.execute("INSERT INTO t (v) VALUES (?1)", &[value.into()])
            .map(drop)
            .map_err(|source| StoreError::Database {
                operation: "inserting",
                source,
            })
    }

    #[test]
    fn the_postgres_transaction_takes_the_chain_lock() {
        assert_eq!(
            BEGIN_POSTGRES,
            format!("BEGIN; SELECT pg_advisory_xact_lock({CHAIN_LOCK})")
        );
    }

    #[test]
    fn a_failing_operation_keeps_none_of_its_writes() {
        let (_dir, writer, reader) = writer_on_table();
        writer.run(|conn| insert(conn, 1)).unwrap();
        let failed = writer.run(|conn| {
            insert(conn, 2)?;
            insert(conn, 1)
        });
        assert!(
            matches!(failed, Err(StoreError::Database { .. })),
            "{failed:?}"
        );
        assert_eq!(values(&reader), [1]);
    }

    #[test]
    fn a_panicking_operation_is_rolled_back_and_the_writer_goes_on() {
        let (_dir, writer, reader) = writer_on_table();
        let panicked = writer.run(|conn| -> Result<(), StoreError> {
            insert(conn, 5)?;
            panic!("operation panics after writing")
        });
        assert!(
            matches!(panicked, Err(StoreError::Panicked)),
            "{panicked:?}"
        );
        writer.run(|conn| insert(conn, 6)).unwrap();
        assert_eq!(values(&reader), [6]);
    }

    #[test]
    fn concurrent_operations_each_get_their_own_outcome() {
        let (_dir, writer, reader) = writer_on_table();
        let writer = Arc::new(writer);
        // Values 0..40 with every value sent twice: exactly one of each pair succeeds,
        // whichever batch the two land in.
        let threads: Vec<_> = (0..8)
            .map(|thread| {
                let writer = Arc::clone(&writer);
                thread::spawn(move || {
                    (0..10)
                        .map(|i| {
                            let value = (thread % 4) * 10 + i;
                            writer.run(move |conn| insert(conn, value)).is_ok()
                        })
                        .filter(|&ok| ok)
                        .count()
                })
            })
            .collect();
        let successes: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(successes, 40);
        assert_eq!(values(&reader), (0..40).collect::<Vec<_>>());
    }

    #[test]
    fn an_operation_cannot_wait_for_another_one() {
        let (_dir, writer, reader) = writer_on_table();
        let writer = Arc::new(writer);
        let inner = Arc::clone(&writer);
        let nested = writer
            .run(move |conn| {
                insert(conn, 1)?;
                Ok(inner.run(|conn| insert(conn, 2)))
            })
            .unwrap();
        assert!(matches!(nested, Err(StoreError::Reentrant)), "{nested:?}");
        assert_eq!(values(&reader), [1]);
    }

    #[test]
    fn dropping_the_writer_closes_its_connection() {
        let (dir, writer, reader) = writer_on_table();
        writer.run(|conn| insert(conn, 1)).unwrap();
        drop(reader);
        let wal = dir.path().join("writer.db-wal");
        assert!(wal.exists());
        // The last connection to close checkpoints and removes the WAL: the drop has joined
        // the thread, which closed the writing connection.
        drop(writer);
        assert!(!wal.exists());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn async_callers_get_their_outcome_after_the_commit() {
        let (_dir, writer, reader) = writer_on_table();
        let writer = Arc::new(writer);
        // More callers than the queue holds: when the writer falls behind, some take the
        // blocking hand-over.
        let tasks: Vec<_> = (0..(QUEUE_CAPACITY as i64 + 200))
            .map(|value| {
                let writer = Arc::clone(&writer);
                tokio::spawn(async move {
                    writer
                        .run_async(move |conn| insert(conn, value % 1000))
                        .await
                })
            })
            .collect();
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => ok += 1,
                Err(StoreError::Database { .. }) => {}
                Err(other) => panic!("unexpected outcome {other:?}"),
            }
        }
        // Values 0..1000 once each succeed; the repeats hit the UNIQUE constraint.
        assert_eq!(ok, 1000);
        assert_eq!(values(&reader), (0..1000).collect::<Vec<_>>());
        let failed = writer.run_async(|conn| insert(conn, 1)).await;
        assert!(
            matches!(failed, Err(StoreError::Database { .. })),
            "{failed:?}"
        );
    }
}

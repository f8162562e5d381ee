//! The writer: every write of this process goes through one queue.
//!
//! Whatever is queued while a batch commits becomes the next batch: one transaction, one fsync,
//! for all of it (group commit). SQLite has one worker, as it allows one writer at a time;
//! PostgreSQL has a few, each with its own connection, so round trips overlap. Each job runs
//! inside its own savepoint, so a job that fails is rolled back alone and answered with its own
//! error while the rest of its batch commits. No job is answered `Ok` before the transaction
//! holding it has committed. A batch holding a job that appends to the audit log takes the log's
//! head before anything else (see [`JobKind::Audited`]).

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use sqlx::{AnyConnection, AnyPool, Connection};
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use super::StoreError;

pub type Conn = AnyConnection;
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Called once the batch's fate is known: `Ok` after commit, `Err` when it did not commit.
type Answer = Box<dyn FnOnce(Result<(), StoreError>) + Send>;
type RunJob = Box<dyn for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, (bool, Answer)> + Send>;

/// What a job does, as far as the writer must know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Any number of statements, none of them in the audit log.
    Several,
    /// Exactly one writing statement (it may read before or after).
    SingleStatement,
    /// Appends to the audit log (through `services::audit::record`), among other writes.
    Audited,
}

tokio::task_local! {
    /// Whether the batch now running took the audit log's head first (it holds an audited job).
    static AUDIT_HEAD_TAKEN: bool;
}

/// Whether the write running now was queued as [`JobKind::Audited`], so that its batch took
/// the audit log's head before anything else. `services::audit::record` checks it.
pub fn audit_head_taken() -> bool {
    AUDIT_HEAD_TAKEN.try_with(|taken| *taken).unwrap_or(false)
}

/// A queued write.
///
/// Limitation: a one-statement job skips its savepoint on SQLite, so when one fails its whole
/// batch is refused (see `run_batch`): a rare failing statement costs its batch-mates a retry.
struct Job {
    run: RunJob,
    /// A single statement, which SQLite undoes by itself if it fails, needs no savepoint there.
    /// PostgreSQL aborts the whole transaction on any error, so there every job gets one.
    kind: JobKind,
}

/// Most jobs in one transaction; more wait for the next batch.
const MAX_BATCH: usize = 512;

/// A handle to the writer task.
#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
    pool: AnyPool,
}

/// Whether a job that writes with one statement may skip its savepoint (SQLite only).
#[derive(Debug, Clone, Copy)]
pub struct SingleStatementsAtomic(pub bool);

impl Writer {
    /// Starts `workers` writer tasks on `pool` (a pool of as many connections).
    pub fn start(pool: AnyPool, workers: usize, atomic: SingleStatementsAtomic) -> Writer {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..workers.max(1) {
            tokio::spawn(run(pool.clone(), jobs.clone(), atomic));
        }
        Writer { queue, pool }
    }

    /// Queues `job` and waits until its batch has committed (or failed).
    pub async fn write<T, F>(&self, job: F, kind: JobKind) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        let (tell, told) = oneshot::channel::<Result<T, StoreError>>();
        let run: RunJob = Box::new(move |conn| {
            Box::pin(async move {
                let outcome = AssertUnwindSafe(job(conn)).catch_unwind().await;
                match outcome {
                    Ok(Ok(value)) => {
                        let answer: Answer = Box::new(move |committed| {
                            let _ = tell.send(committed.map(|()| value));
                        });
                        (true, answer)
                    }
                    Ok(Err(err)) => (false, refuse(tell, err)),
                    Err(_) => {
                        tracing::error!("a write job panicked; it was rolled back");
                        (false, refuse(tell, StoreError::Unavailable))
                    }
                }
            })
        });
        self.queue
            .send(Job { run, kind })
            .await
            .map_err(|_| StoreError::Unavailable)?;
        told.await.map_err(|_| StoreError::Unavailable)?
    }

    /// Closes the connections once the batch being written has finished; jobs still queued
    /// are answered `Unavailable`, never `Ok`.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn refuse<T: Send + 'static>(
    tell: oneshot::Sender<Result<T, StoreError>>,
    err: StoreError,
) -> Answer {
    Box::new(move |_| {
        let _ = tell.send(Err(err));
    })
}

async fn run(pool: AnyPool, jobs: Arc<Mutex<mpsc::Receiver<Job>>>, atomic: SingleStatementsAtomic) {
    loop {
        let batch = {
            let mut jobs = jobs.lock().await;
            let Some(first) = jobs.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            batch
        };
        run_batch(&pool, batch, atomic).await;
    }
}

async fn run_batch(pool: &AnyPool, batch: Vec<Job>, atomic: SingleStatementsAtomic) {
    let started = std::time::Instant::now();
    let size = batch.len();
    let audited = batch.iter().any(|job| job.kind == JobKind::Audited);
    let mut answers = Vec::with_capacity(size);
    let committed = AUDIT_HEAD_TAKEN
        .scope(audited, async {
            let mut conn = pool.acquire().await?;
            let mut tx = conn.begin().await?;
            if audited && !atomic.0 {
                // On PostgreSQL several batches run at once. One that appends to the audit log
                // takes the log's head before any row, so two batches never hold a row and the
                // head crosswise (a deadlock): auditing batches take turns from their first
                // statement, and batches that audit nothing never wait for the head.
                //
                // Limitation: two batches that take the same two rows in opposite orders can
                // still deadlock on PostgreSQL; it then fails one job, whose sender is told the
                // service is busy and to try again (StoreError::Unavailable), nothing of it
                // acknowledged. Retrying that job here would need jobs that can run twice, which
                // `write` does not ask for.
                sqlx::query("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")
                    .fetch_one(&mut *tx)
                    .await?;
            }
            for job in batch {
                if job.kind == JobKind::SingleStatement && atomic.0 {
                    let (ok, answer) = (job.run)(&mut tx).await;
                    answers.push((ok, answer));
                    if !ok {
                        // Without a savepoint nothing can undo this job alone, and on SQLite some
                        // failures (disk full, I/O) undo the whole transaction. The batch fails
                        // whole: nothing in it is acknowledged.
                        return Err(StoreError::Unavailable);
                    }
                    continue;
                }
                let mut savepoint = tx.begin().await?;
                let (ok, answer) = (job.run)(&mut savepoint).await;
                if ok {
                    savepoint.commit().await?;
                } else {
                    savepoint.rollback().await?;
                }
                answers.push((ok, answer));
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })
        .await;
    if let Err(err) = &committed {
        let cause = anyhow::Error::from(err.clone());
        tracing::error!(
            batch.size = size,
            error = format!("{cause:#}"),
            "a write batch did not commit"
        );
    }
    tracing::trace!(
        batch.size = size,
        duration_ms = started.elapsed().as_millis() as u64,
        "write batch"
    );
    for (_, answer) in answers {
        answer(committed.clone());
    }
}

//! The writer: every write of this process goes through one queue.
//!
//! Whatever is queued while a batch commits becomes the next batch: one transaction, one fsync,
//! for all of it (group commit). SQLite has one worker, as it allows one writer at a time;
//! PostgreSQL has a few, each with its own connection, so round trips overlap. Each job runs inside its own savepoint, so a job that fails is
//! rolled back alone and answered with its own error while the rest of its batch commits. No job
//! is answered `Ok` before the transaction holding it has committed.

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

/// A queued write.
///
/// Limitation: a one-statement job skips its savepoint on SQLite, so when one fails its whole
/// batch is refused (see `run_batch`): a rare failing statement costs its batch-mates a retry.
struct Job {
    run: RunJob,
    /// The job writes with a single statement, which SQLite undoes by itself if it fails, so it
    /// needs no savepoint there. PostgreSQL aborts the whole transaction on any error, so there
    /// every job gets one.
    single_statement: bool,
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
    pub async fn write<T, F>(&self, job: F, single_statement: bool) -> Result<T, StoreError>
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
            .send(Job {
                run,
                single_statement,
            })
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
    let mut answers = Vec::with_capacity(size);
    let committed = async {
        let mut conn = pool.acquire().await?;
        let mut tx = conn.begin().await?;
        for job in batch {
            if job.single_statement && atomic.0 {
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
    }
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

//! The store: one interface over SQLite (the embedded default) and PostgreSQL.
//!
//! The same SQL text serves both engines wherever they agree (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT`); each engine has its own migrations folder. Reads use a small fixed pool;
//! every write goes through the [`writer`], which commits queued writes together.

pub mod error;
pub mod seed;
pub mod writer;

use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use error::StoreError;
pub use writer::{BoxFuture, Conn, JobKind, SingleStatementsAtomic, Writer, audit_head_taken};

/// Which database engine is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Pools for reading and the single writer, shared by every handler.
#[derive(Clone)]
pub struct Store {
    read: AnyPool,
    writer: Writer,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({:?})", self.backend)
    }
}

impl Store {
    /// Connects, applies migrations and starts the writer.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let (readers, writers) = match backend {
            Backend::Sqlite => (4, 1),
            Backend::Postgres => (8, 4),
        };
        let read = pool(backend, readers)
            .connect(url)
            .await
            .context("opening the database")?;
        migrate(&read, backend).await?;
        let write = pool(backend, writers)
            .connect(url)
            .await
            .context("opening the database")?;
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoint_regularly(read.clone()));
        }
        let atomic = SingleStatementsAtomic(backend == Backend::Sqlite);
        Ok(Store {
            read,
            writer: Writer::start(write, writers as usize, atomic),
            backend,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool for reads. Never write through it: writes go through [`Store::write`].
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Runs `job` as one atomic unit, committed durably before this returns `Ok`.
    pub async fn write<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.writer.write(job, JobKind::Several).await
    }

    /// As [`Store::write`], for a job that appends to the audit log. Its batch takes the log's
    /// head first (see `writer::run_batch`); `services::audit::record` refuses, in debug builds,
    /// to run in a job not queued this way.
    pub async fn write_audited<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.writer.write(job, JobKind::Audited).await
    }

    /// As [`Store::write`], for a job that writes with exactly one statement (it may read
    /// before or after). On SQLite such a job skips its savepoint.
    pub async fn write_one<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static,
    {
        self.writer.write(job, JobKind::SingleStatement).await
    }

    /// Closes the pools after in-flight writes have finished.
    pub async fn close(&self) {
        self.writer.close().await;
        self.read.close().await;
    }
}

fn pool(backend: Backend, max: u32) -> AnyPoolOptions {
    let options = AnyPoolOptions::new()
        .max_connections(max)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10));
    match backend {
        Backend::Postgres => options,
        Backend::Sqlite => options.after_connect(|conn, _| {
            Box::pin(async move {
                // WAL lets readers go on while the writer commits; FULL makes a commit durable
                // before the receipt is shown.
                for pragma in [
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA synchronous = FULL",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA busy_timeout = 5000",
                    // Checkpoints run beside the writer (`checkpoint_regularly`); this is only
                    // the backstop, so that a commit rarely pays for one.
                    "PRAGMA wal_autocheckpoint = 20000",
                ] {
                    conn.execute(pragma).await?;
                }
                Ok(())
            })
        }),
    }
}

/// Copies the SQLite write-ahead log back into the database every second, from a reader's
/// connection, so that the writer's commits do not stall on it. A passive checkpoint never
/// blocks the writer or readers.
async fn checkpoint_regularly(read: AnyPool) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while !read.is_closed() {
        tick.tick().await;
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&read)
            .await
        {
            if read.is_closed() {
                return;
            }
            tracing::warn!(error = %err, "a WAL checkpoint failed");
        }
    }
}

async fn migrate(pool: &AnyPool, backend: Backend) -> anyhow::Result<()> {
    let migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("migrations/postgres"),
    };
    migrator
        .run(pool)
        .await
        .context("applying database migrations")?;
    Ok(())
}

/// The time now, in unix seconds, as every table stores it.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

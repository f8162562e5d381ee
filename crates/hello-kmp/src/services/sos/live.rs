//! Live updates of the SOS board, across every `serve` process sharing the database.
//!
//! Every change to an alert takes the next number from `sos_head.version` and stamps the alert
//! with it (`change_seq`). A process learns that the number moved in one of three ways: its own
//! writes tell it at once ([`Hub::publish`]); on PostgreSQL a dedicated connection LISTENs for
//! the NOTIFY each change sends when it commits (with a slow poll as a safety net for anything
//! missed while that connection was down); on SQLite, where several processes may share one file
//! but there is no NOTIFY, it reads the number every second. Each open board then fetches the
//! alerts whose `change_seq` is newer than the last it showed. The watcher runs only while a
//! board is open in this process.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::store::{Backend, Store};

/// The PostgreSQL channel changes are announced on. Channels span the whole database, so a
/// server in another schema of the same database may wake ours; it then finds nothing new.
pub const CHANNEL: &str = "hello_kmp_sos";
/// The statement that announces a change (no payload: the number is read from the database).
pub(crate) const NOTIFY_SQL: &str = "NOTIFY hello_kmp_sos";
/// How often SQLite's servers read the change number.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// How often PostgreSQL's servers read it anyway, in case a notification was missed.
const SAFETY_POLL: Duration = Duration::from_secs(30);
/// How long to wait before connecting the listener again after it failed.
const RECONNECT_AFTER: Duration = Duration::from_secs(2);

/// One per process: the latest change number it knows of, and whether the server is closing.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    version: watch::Sender<i64>,
    closing: watch::Sender<bool>,
    /// Whether the watcher task runs; it stops when no board is open.
    running: Mutex<bool>,
    source: Source,
}

enum Source {
    Poll,
    /// The database URL, for the listener's own connection (the store's pools are sqlx Any,
    /// which has no LISTEN).
    Notify(String),
}

// The database URL may hold a password.
impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.inner.source {
            Source::Poll => "poll",
            Source::Notify(_) => "notify",
        };
        write!(f, "Hub({how})")
    }
}

/// What an open board holds: it wakes when the change number moves or the server closes.
pub struct Subscription {
    pub version: watch::Receiver<i64>,
    pub closing: watch::Receiver<bool>,
}

impl Hub {
    pub fn new(backend: Backend, database_url: &str) -> Hub {
        let source = match backend {
            Backend::Sqlite => Source::Poll,
            Backend::Postgres => Source::Notify(database_url.to_string()),
        };
        Hub {
            inner: Arc::new(Inner {
                version: watch::channel(0).0,
                closing: watch::channel(false).0,
                running: Mutex::new(false),
                source,
            }),
        }
    }

    /// Starts listening for changes (if no board in this process did already).
    pub fn subscribe(&self, store: &Store) -> Subscription {
        let mut running = self.inner.running.lock().unwrap_or_else(|p| p.into_inner());
        let subscription = Subscription {
            version: self.inner.version.subscribe(),
            closing: self.inner.closing.subscribe(),
        };
        if !*running {
            *running = true;
            tokio::spawn(watch_changes(self.inner.clone(), store.clone()));
        }
        subscription
    }

    /// A change committed by this process: its boards hear of it at once.
    pub fn publish(&self, version: i64) {
        self.inner.publish(version);
    }

    /// The server is stopping: every open board's stream ends, so that the server can drain.
    pub fn close(&self) {
        self.inner.closing.send_replace(true);
    }
}

impl Inner {
    fn publish(&self, version: i64) {
        self.version.send_if_modified(|known| {
            let newer = version > *known;
            if newer {
                *known = version;
            }
            newer
        });
    }

    /// Whether the watcher should end: no board open, the server closing or the store closed.
    /// Decided under the lock [`Hub::subscribe`] takes, so that a board opening now either is
    /// counted here or starts a new watcher.
    fn should_stop(&self, store: &Store) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let stop = self.version.receiver_count() == 0
            || *self.closing.borrow()
            || store.reader().is_closed();
        if stop {
            *running = false;
        }
        stop
    }

    /// Reads the change number and tells the boards if it moved.
    async fn refresh(&self, store: &Store) {
        match super::current_version(store).await {
            Ok(version) => self.publish(version),
            Err(err) => {
                if !store.reader().is_closed() {
                    tracing::warn!(error = %err, "the SOS board's change number could not be read");
                }
            }
        }
    }
}

async fn watch_changes(inner: Arc<Inner>, store: Store) {
    match &inner.source {
        Source::Poll => poll(&inner, &store).await,
        Source::Notify(url) => listen(&inner, &store, url).await,
    }
}

async fn poll(inner: &Inner, store: &Store) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        if inner.should_stop(store) {
            return;
        }
        inner.refresh(store).await;
    }
}

/// Why the listener woke the watcher.
enum Heard {
    Notified,
    /// The connection dropped and was made again: notifications may have been missed.
    Reconnected,
    Failed,
}

async fn listen(inner: &Inner, store: &Store, url: &str) {
    loop {
        if inner.should_stop(store) {
            return;
        }
        // The listener runs in a task of its own, because waiting for a notification cannot be
        // given up half-way without losing the connection's place; it is simply ended.
        let (heard, mut hear) = mpsc::channel(16);
        let listener = tokio::spawn(run_listener(url.to_string(), heard));
        let mut safety = tokio::time::interval(SAFETY_POLL);
        let mut closing = inner.closing.subscribe();
        let failed = loop {
            tokio::select! {
                got = hear.recv() => match got {
                    Some(Heard::Notified | Heard::Reconnected) => inner.refresh(store).await,
                    Some(Heard::Failed) | None => break true,
                },
                _ = safety.tick() => inner.refresh(store).await,
                // The last board closed: `should_stop` below sees it.
                () = inner.version.closed() => {}
                _ = closing.changed() => {}
            }
            if inner.should_stop(store) {
                break false;
            }
        };
        listener.abort();
        if !failed {
            return;
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

async fn run_listener(url: String, heard: mpsc::Sender<Heard>) {
    let mut listener = match sqlx::postgres::PgListener::connect(&url).await {
        Ok(listener) => listener,
        Err(err) => {
            tracing::warn!(error = %err, "the SOS board's listener could not connect");
            let _ = heard.send(Heard::Failed).await;
            return;
        }
    };
    if let Err(err) = listener.listen(CHANNEL).await {
        tracing::warn!(error = %err, "the SOS board's listener could not listen");
        let _ = heard.send(Heard::Failed).await;
        return;
    }
    // Whatever changed before the listener was listening.
    if heard.send(Heard::Reconnected).await.is_err() {
        return;
    }
    loop {
        let what = match listener.try_recv().await {
            Ok(Some(_)) => Heard::Notified,
            Ok(None) => Heard::Reconnected,
            Err(err) => {
                tracing::warn!(error = %err, "the SOS board's listener lost its connection");
                Heard::Failed
            }
        };
        let failed = matches!(what, Heard::Failed);
        if heard.send(what).await.is_err() || failed {
            return;
        }
    }
}

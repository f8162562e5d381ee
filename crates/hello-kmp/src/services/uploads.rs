//! Files sent a piece at a time, so that a tipster on a poor connection loses only the piece in
//! flight when the connection drops, and the page carries on from where the server stopped.
//!
//! The page opens an upload with the file's size and gets a random id, which only it holds (the
//! database keeps its SHA-256). It then sends pieces of at most [`PIECE_MAX`] bytes, each at the
//! offset the server expects; each piece is sealed in the blob store under its own key. When the
//! form is sent it names its finished uploads, and the tip's service reads them, in order,
//! through the same cleaning as a file sent with the form. After the tip is kept the pieces are
//! deleted; an upload left idle for [`IDLE_SECONDS`] is swept with its pieces.
//!
//! Nothing here records who sends: no address, no device, only sizes and times.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::blobs::Blobs;
use crate::domain::InputError;
use crate::domain::media::{self, FileLimits};
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::services::attachments::ChunkSource;
use crate::store::{Store, StoreError, now};

/// Largest piece one request may carry.
pub const PIECE_MAX: usize = 1024 * 1024;
/// An upload nobody has added to for this long is deleted.
pub const IDLE_SECONDS: i64 = 24 * 3600;
/// Uploads open at once, across every sender.
const OPEN_MAX: i64 = 200;
/// Bytes that open uploads may announce together.
const ANNOUNCED_MAX: i64 = 4 * 1024 * 1024 * 1024;
// Limitation: the two bounds above are shared by every anonymous sender: one sender opening
// many uploads can make others wait (they are told to try again shortly) until theirs finish
// or are swept. A per-sender bound would need to know who sends, which we refuse to record.

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub received: i64,
    pub size: i64,
}

impl Progress {
    pub fn is_complete(self) -> bool {
        self.received == self.size
    }
}

/// Why a piece was not taken.
#[derive(Debug)]
pub enum PieceRefused {
    /// The piece was not at the offset the server has reached; the page should resume there.
    WrongOffset(Progress),
    Refused(ServiceError),
}

impl<E: Into<ServiceError>> From<E> for PieceRefused {
    fn from(err: E) -> PieceRefused {
        PieceRefused::Refused(err.into())
    }
}

fn id_hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// An id the page may hold: 32 hex characters.
fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Opens an upload of `size` bytes and answers its id.
pub async fn open(store: &Store, limits: &FileLimits, size: i64) -> Result<String, ServiceError> {
    if size <= 0 {
        return Err(InputError::FileEmpty.into());
    }
    if size > limits.largest() as i64 {
        return Err(limits.too_large(None).into());
    }
    let id = random_hex(16);
    let hash = id_hash(&id);
    let opened = store
        .write(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(
                    // PostgreSQL sums BIGINTs as NUMERIC, which the Any driver cannot read.
                    "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes \
                     FROM uploads",
                )
                .fetch_one(&mut *conn)
                .await?;
                let (open, announced): (i64, i64) = (row.try_get("n")?, row.try_get("bytes")?);
                if open >= OPEN_MAX || announced + size > ANNOUNCED_MAX {
                    return Ok(false);
                }
                let at = now();
                sqlx::query(
                    "INSERT INTO uploads (id_hash, size, received, created_at, touched_at) \
                     VALUES ($1, $2, 0, $3, $3)",
                )
                .bind(&hash)
                .bind(size)
                .bind(at)
                .execute(&mut *conn)
                .await?;
                Ok(true)
            })
        })
        .await?;
    if !opened {
        return Err(InputError::UploadsBusy.into());
    }
    Ok(id)
}

/// How far an upload has got.
pub async fn progress(store: &Store, id: &str) -> Result<Progress, ServiceError> {
    if !well_formed(id) {
        return Err(InputError::UploadUnknown.into());
    }
    let row = sqlx::query("SELECT received, size FROM uploads WHERE id_hash = $1")
        .bind(id_hash(id))
        .fetch_optional(store.reader())
        .await?
        .ok_or(InputError::UploadUnknown)?;
    Ok(Progress {
        received: row.try_get("received")?,
        size: row.try_get("size")?,
    })
}

/// Adds one piece at `offset`. The first piece must show a kind of file we take, within that
/// kind's limit; a refused first piece closes the upload.
pub async fn add_piece(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    limits: &FileLimits,
    id: &str,
    offset: i64,
    piece: &[u8],
) -> Result<Progress, PieceRefused> {
    let at = progress(store, id).await?;
    if offset != at.received {
        return Err(PieceRefused::WrongOffset(at));
    }
    if piece.is_empty() || piece.len() > PIECE_MAX {
        return Err(InputError::RequestMalformed.into());
    }
    let end = offset + piece.len() as i64;
    if end > at.size {
        // More bytes than the upload announced.
        return Err(limits.too_large(None).into());
    }
    if offset == 0 {
        // The kind is known from the first bytes; a short file must come whole.
        let enough = piece.len() >= 512 || end == at.size;
        let checked = if enough {
            media::sniff(piece).and_then(|kind| {
                if at.size > limits.max_bytes(kind) as i64 {
                    Err(limits.too_large(Some(kind)))
                } else {
                    Ok(kind)
                }
            })
        } else {
            Err(InputError::RequestMalformed)
        };
        if let Err(err) = checked {
            abandon(store, blobs, id).await;
            return Err(err.into());
        }
    }
    let uid = format!("upload-{}", random_hex(16));
    let sealed = blobs.put(keys, &uid, piece).await?;
    let hash = id_hash(id);
    let piece_uid = uid.clone();
    let len = piece.len() as i64;
    let taken = store
        .write(move |conn| {
            Box::pin(async move {
                // Only the request that finds the offset unchanged adds its piece.
                let moved = sqlx::query(
                    "UPDATE uploads SET received = $1, touched_at = $2 \
                     WHERE id_hash = $3 AND received = $4",
                )
                .bind(end)
                .bind(now())
                .bind(&hash)
                .bind(offset)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if moved == 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO upload_pieces (id_hash, start_at, len, uid, key_sealed) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&hash)
                .bind(offset)
                .bind(len)
                .bind(&piece_uid)
                .bind(&sealed.key_sealed)
                .execute(&mut *conn)
                .await?;
                Ok(true)
            })
        })
        .await;
    match taken {
        Ok(true) => Ok(Progress {
            received: end,
            size: at.size,
        }),
        Ok(false) => {
            delete_blob(blobs, &uid).await;
            Err(PieceRefused::WrongOffset(progress(store, id).await?))
        }
        Err(err) => {
            delete_blob(blobs, &uid).await;
            Err(err.into())
        }
    }
}

/// The pieces of a finished upload, read in order, for the attachments service to clean.
pub async fn source<'a>(
    store: &Store,
    blobs: &'a Blobs,
    keys: &'a Keys,
    id: &str,
) -> Result<Staged<'a>, ServiceError> {
    let at = progress(store, id).await?;
    if !at.is_complete() {
        return Err(InputError::UploadIncomplete.into());
    }
    let rows = sqlx::query(
        "SELECT start_at, len, uid, key_sealed FROM upload_pieces WHERE id_hash = $1 \
         ORDER BY start_at",
    )
    .bind(id_hash(id))
    .fetch_all(store.reader())
    .await?;
    let mut pieces = Vec::with_capacity(rows.len());
    let mut expected = 0i64;
    for row in rows {
        let start: i64 = row.try_get("start_at")?;
        if start != expected {
            return Err(StoreError::Sealing.into());
        }
        expected += row.try_get::<i64, _>("len")?;
        pieces.push((row.try_get("uid")?, row.try_get("key_sealed")?));
    }
    if expected != at.size {
        return Err(StoreError::Sealing.into());
    }
    pieces.reverse();
    Ok(Staged {
        blobs,
        keys,
        pieces,
    })
}

/// A finished upload being read a piece at a time.
pub struct Staged<'a> {
    blobs: &'a Blobs,
    keys: &'a Keys,
    /// `(uid, sealed key)` of the pieces still to read, the next one last.
    pieces: Vec<(String, Vec<u8>)>,
}

impl ChunkSource for Staged<'_> {
    async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, InputError> {
        let Some((uid, key_sealed)) = self.pieces.pop() else {
            return Ok(None);
        };
        match self.blobs.open(self.keys, &uid, &key_sealed).await {
            Ok(plain) => Ok(Some(plain.into())),
            Err(err) => {
                tracing::warn!(error = %err, "a piece of an upload could not be opened");
                Err(InputError::UploadIncomplete)
            }
        }
    }
}

/// Deletes an upload and its pieces (sent with a tip, refused, or given up by the page).
pub async fn abandon(store: &Store, blobs: &Blobs, id: &str) {
    if !well_formed(id) {
        return;
    }
    if let Err(err) = delete(store, blobs, id_hash(id)).await {
        tracing::warn!(error = %err, "an upload could not be deleted");
    }
}

async fn delete(store: &Store, blobs: &Blobs, hash: String) -> Result<(), ServiceError> {
    let uids: Vec<String> = sqlx::query_scalar("SELECT uid FROM upload_pieces WHERE id_hash = $1")
        .bind(&hash)
        .fetch_all(store.reader())
        .await?;
    // The pieces go first: a row without its blob is never left, only (for a moment) the
    // reverse, which the next sweep clears.
    for uid in &uids {
        blobs.delete(uid).await?;
    }
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM upload_pieces WHERE id_hash = $1")
                    .bind(&hash)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM uploads WHERE id_hash = $1")
                    .bind(&hash)
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await?;
    Ok(())
}

/// Deletes uploads idle since before `cutoff` (a time in seconds), with their pieces; answers
/// how many. Safe to run from several servers at once.
pub async fn sweep(store: &Store, blobs: &Blobs, cutoff: i64) -> Result<usize, ServiceError> {
    let idle: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM uploads WHERE touched_at < $1")
        .bind(cutoff)
        .fetch_all(store.reader())
        .await?;
    for hash in &idle {
        delete(store, blobs, hash.clone()).await?;
    }
    Ok(idle.len())
}

/// Sweeps idle uploads every ten minutes, for as long as the server runs.
pub fn spawn_sweeper(store: Store, blobs: Blobs) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match sweep(&store, &blobs, now() - IDLE_SECONDS).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(uploads = n, "idle uploads deleted"),
                Err(err) => tracing::warn!(error = %err, "idle uploads could not be swept"),
            }
        }
    });
}

async fn delete_blob(blobs: &Blobs, uid: &str) {
    if let Err(err) = blobs.delete(uid).await {
        tracing::warn!(error = %err, "a piece of an upload could not be deleted");
    }
}

/// Most uploads one form may name (more are ignored: a tip carries at most five files).
pub const PER_FORM_MAX: usize = 8;

/// Cleans the finished uploads a form names into files ready to record, at most `room` files
/// in all with those already in `prepared`. An upload that is refused is deleted and taken out
/// of `ids`, so that the form shown again names only those still to send.
pub async fn prepare_named(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    limits: &FileLimits,
    ids: &mut Vec<String>,
    prepared: &mut Vec<crate::services::attachments::Prepared>,
    room: usize,
) -> Result<(), ServiceError> {
    if prepared.len() + ids.len() > room {
        return Err(limits.too_many().into());
    }
    let mut at = 0;
    while at < ids.len() {
        let id = ids[at].clone();
        let file = match source(store, blobs, keys, &id).await {
            Ok(mut staged) => {
                crate::services::attachments::prepare_upload(blobs, keys, limits, &mut staged).await
            }
            Err(err) => Err(err),
        };
        match file {
            Ok(file) => prepared.push(file),
            Err(err) => {
                match err {
                    // Its page may still be sending it; the sweep takes it if it never ends.
                    ServiceError::Input(InputError::UploadIncomplete) => {
                        ids.remove(at);
                    }
                    ServiceError::Input(_) => {
                        abandon(store, blobs, &id).await;
                        ids.remove(at);
                    }
                    _ => {}
                }
                return Err(err);
            }
        }
        at += 1;
    }
    Ok(())
}

/// Deletes the uploads of a form whose files are now recorded (or were already).
pub async fn release(store: &Store, blobs: &Blobs, ids: &[String]) {
    for id in ids {
        abandon(store, blobs, id).await;
    }
}

/// Whether a form's `upload` field could name an upload (kept for the form shown again).
pub fn plausible(id: &str) -> bool {
    well_formed(id)
}

//! Files sent with a tip: checked, cleaned and sealed before anything about them is stored.
//!
//! A file is prepared (recognised by content, cleaned, hashed, sealed into the blob store) while
//! the upload is read; its row is written in the tip's own transaction. A refused or failed
//! submission deletes the blobs it prepared, so nothing is left behind without a record, and no
//! record points at a missing file.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::blobs::Blobs;
use crate::domain::InputError;
use crate::domain::media::{self, FileLimits, MediaKind};
use crate::domain::{audio, heif, isobmff, ogg, pdf};
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::store::{Conn, Store, StoreError, now};

/// One photo decoded (or document cleaned) at a time: decoding takes up to about 100 MB.
static CLEANING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
// Limitation: nothing bounds how many uploads run at once, how fast they must arrive, or how
// many bytes a day anonymous senders may store; blobs of a request dropped mid-way (the sender
// gone) are not swept, and an S3 bucket needs a lifecycle rule that aborts unfinished
// multipart uploads. Each needs its own work (a sweeper of unreferenced blobs, a byte budget).

/// A file cleaned and sealed into the blob store, not yet recorded.
#[derive(Clone)]
pub struct Prepared {
    pub uid: String,
    pub kind: MediaKind,
    pub size: i64,
    pub sha256: String,
    key_sealed: Vec<u8>,
    thumb_key_sealed: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Where an upload's bytes come from, a piece at a time (the web layer's multipart field).
pub trait ChunkSource: Send {
    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<bytes::Bytes>, InputError>> + Send;
}

/// Bytes read before deciding a file's kind (enough for every signature we know).
const SNIFF_BYTES: usize = 512;

/// Reads one uploaded file and prepares it: a photo or document whole (at most 25 MB), a video
/// or voice note as it streams in, cleaned and sealed piece by piece so that it is never held
/// whole.
pub async fn prepare_upload(
    blobs: &Blobs,
    keys: &Keys,
    limits: &FileLimits,
    source: &mut impl ChunkSource,
) -> Result<Prepared, ServiceError> {
    let mut head = Vec::new();
    while head.len() < SNIFF_BYTES {
        match source.next_chunk().await? {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => break,
        }
    }
    let kind = media::sniff(&head)?;
    let max = limits.max_bytes(kind);
    if head.len() > max {
        return Err(limits.too_large(Some(kind)).into());
    }
    if kind.is_read_whole() {
        let mut bytes = head;
        while let Some(chunk) = source.next_chunk().await? {
            if bytes.len() + chunk.len() > max {
                return Err(limits.too_large(Some(kind)).into());
            }
            bytes.extend_from_slice(&chunk);
        }
        return prepare(blobs, keys, limits, bytes).await;
    }
    let uid = random_hex(16);
    let mut writer = blobs.writer(&uid).await?;
    match stream_clean(kind, limits, head, source, &mut writer).await {
        Ok((sha256, size)) => {
            let sealed = writer.finish(keys).await?;
            Ok(Prepared {
                uid,
                kind,
                size,
                sha256,
                key_sealed: sealed.key_sealed,
                thumb_key_sealed: None,
                width: None,
                height: None,
            })
        }
        Err(err) => {
            writer.abort().await;
            Err(err)
        }
    }
}

/// The streaming cleaner for a kind of video or voice note.
enum Streaming {
    Iso(isobmff::Cleaner),
    Mp3(audio::Mp3Cleaner),
    /// AMR carries no metadata: its frames are walked and passed through.
    Amr(audio::AmrChecker),
    Ogg(ogg::OggOpusCleaner),
}

impl Streaming {
    fn for_kind(kind: MediaKind, head: &[u8]) -> Result<Streaming, InputError> {
        match kind {
            MediaKind::Mp3 => Ok(Streaming::Mp3(audio::Mp3Cleaner::default())),
            MediaKind::Amr if audio::amr_header_ok(head) => {
                Ok(Streaming::Amr(audio::AmrChecker::default()))
            }
            MediaKind::Amr => Err(InputError::FileDamaged),
            MediaKind::Ogg => Ok(Streaming::Ogg(ogg::OggOpusCleaner::default())),
            _ => Ok(Streaming::Iso(isobmff::Cleaner::default())),
        }
    }

    fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), InputError> {
        match self {
            Streaming::Iso(cleaner) => cleaner.push(input, out),
            Streaming::Mp3(cleaner) => cleaner.push(input, out),
            Streaming::Ogg(cleaner) => cleaner.push(input, out),
            Streaming::Amr(checker) => checker.push(input, out),
        }
    }

    fn finish(self, out: &mut Vec<u8>) -> Result<(), InputError> {
        match self {
            Streaming::Iso(cleaner) => cleaner.finish(),
            Streaming::Mp3(cleaner) => cleaner.finish(out),
            Streaming::Ogg(cleaner) => cleaner.finish(out),
            Streaming::Amr(checker) => checker.finish(),
        }
    }
}

/// Cleans a video or voice note piece by piece into the writer; answers its SHA-256 and size.
async fn stream_clean(
    kind: MediaKind,
    limits: &FileLimits,
    head: Vec<u8>,
    source: &mut impl ChunkSource,
    writer: &mut crate::blobs::Writer,
) -> Result<(String, i64), ServiceError> {
    let mut cleaner = Streaming::for_kind(kind, &head)?;
    let mut hasher = Sha256::new();
    let (mut read, mut written) = (0usize, 0i64);
    let mut out = Vec::new();
    let mut piece = Some(bytes::Bytes::from(head));
    while let Some(chunk) = piece {
        read += chunk.len();
        if read > limits.max_bytes(kind) {
            return Err(limits.too_large(Some(kind)).into());
        }
        out.clear();
        cleaner.push(&chunk, &mut out)?;
        hasher.update(&out);
        written += out.len() as i64;
        writer.write(&out).await?;
        piece = source.next_chunk().await?;
    }
    out.clear();
    cleaner.finish(&mut out)?;
    hasher.update(&out);
    written += out.len() as i64;
    writer.write(&out).await?;
    Ok((hex::encode(hasher.finalize()), written))
}

/// A photo or document cleaned whole, before it is sealed.
struct CleanWhole {
    kind: MediaKind,
    bytes: Vec<u8>,
    thumbnail: Option<Vec<u8>>,
    width: Option<u32>,
    height: Option<u32>,
}

/// Cleans one photo or document read whole (slow: runs off the async threads).
fn clean_whole(kind: MediaKind, bytes: &[u8]) -> Result<CleanWhole, InputError> {
    match kind {
        MediaKind::Heic => heif::clean_heif(bytes).map(|clean| CleanWhole {
            kind,
            bytes: clean.bytes,
            thumbnail: None,
            width: clean.width,
            height: clean.height,
        }),
        MediaKind::Pdf => pdf::clean_pdf(bytes).map(|clean| CleanWhole {
            kind,
            bytes: clean,
            thumbnail: None,
            width: None,
            height: None,
        }),
        _ => media::clean_image(kind, bytes).map(|clean| CleanWhole {
            kind: clean.kind,
            bytes: clean.bytes,
            thumbnail: Some(clean.thumbnail),
            width: Some(clean.width),
            height: Some(clean.height),
        }),
    }
}

/// Runs a cleaner off the async threads, one at a time: decoding a photo takes up to about
/// 100 MB. Tip files and news pictures wait in the same line.
pub(crate) async fn clean_off_thread<T, F>(clean: F) -> Result<T, ServiceError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, InputError> + Send + 'static,
{
    let permit = CLEANING
        .acquire()
        .await
        .map_err(|e| anyhow::anyhow!("cleaning closed: {e}"))?;
    // The permit goes with the work: a request given up while the photo decodes still holds it
    // until the decode ends, so decodes never overlap.
    let clean = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        clean()
    })
    .await
    .map_err(|e| anyhow::anyhow!("cleaning a file: {e}"))??;
    Ok(clean)
}

/// Recognises, checks and cleans one photo or document, then seals the clean copy (and a
/// photo's thumbnail) into the store.
pub async fn prepare(
    blobs: &Blobs,
    keys: &Keys,
    limits: &FileLimits,
    bytes: Vec<u8>,
) -> Result<Prepared, ServiceError> {
    let kind = media::sniff(&bytes)?;
    if !kind.is_read_whole() {
        return Err(InputError::FileKindRefused.into());
    }
    if bytes.len() > limits.max_bytes(kind) {
        return Err(limits.too_large(Some(kind)).into());
    }
    let clean = clean_off_thread(move || clean_whole(kind, &bytes)).await?;
    let sha256 = hex::encode(Sha256::digest(&clean.bytes));
    let uid = random_hex(16);
    let sealed = blobs.put(keys, &uid, &clean.bytes).await?;
    let thumb_key_sealed = match &clean.thumbnail {
        None => None,
        Some(thumbnail) => match blobs.put(keys, &thumb_uid(&uid), thumbnail).await {
            Ok(thumb) => Some(thumb.key_sealed),
            Err(err) => {
                let _ = blobs.delete(&uid).await;
                return Err(err.into());
            }
        },
    };
    Ok(Prepared {
        uid,
        kind: clean.kind,
        size: clean.bytes.len() as i64,
        sha256,
        key_sealed: sealed.key_sealed,
        thumb_key_sealed,
        width: clean.width,
        height: clean.height,
    })
}

/// Deletes prepared files that will not be recorded (a refused form, a failed commit, a resent
/// form whose tip already exists).
pub async fn discard(blobs: &Blobs, files: &[Prepared]) {
    for file in files {
        for uid in [file.uid.clone(), thumb_uid(&file.uid)] {
            if let Err(err) = blobs.delete(&uid).await {
                tracing::warn!(error = %err, "a prepared file could not be deleted");
            }
        }
    }
}

/// Where a photo's thumbnail is kept in the blob store.
fn thumb_uid(uid: &str) -> String {
    format!("{uid}-thumb")
}

/// Records prepared files for a tip, inside the tip's transaction.
pub(crate) async fn insert_rows(
    conn: &mut Conn,
    tip_id: i64,
    files: &[Prepared],
) -> Result<(), StoreError> {
    for file in files {
        sqlx::query(
            "INSERT INTO attachments (uid, tip_id, kind, size, sha256, key_sealed, width, height, \
             metadata_removed, created_at, thumb_key_sealed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
        )
        .bind(&file.uid)
        .bind(tip_id)
        .bind(file.kind.key())
        .bind(file.size)
        .bind(&file.sha256)
        .bind(&file.key_sealed)
        .bind(file.width.map(i64::from))
        .bind(file.height.map(i64::from))
        .bind(now())
        .bind(&file.thumb_key_sealed)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A file as an officer's tip page lists it.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub uid: String,
    pub number: usize,
    pub kind: MediaKind,
    pub size: i64,
    pub sha256: String,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub metadata_removed: bool,
}

/// The files of a tip, in the order they were sent. The caller has checked the officer may read
/// the tip.
pub(crate) async fn of_tip(store: &Store, tip_id: i64) -> Result<Vec<Attachment>, StoreError> {
    let rows = sqlx::query(
        "SELECT uid, kind, size, sha256, width, height, metadata_removed FROM attachments \
         WHERE tip_id = $1 ORDER BY id",
    )
    .bind(tip_id)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(Attachment {
                uid: r.try_get("uid")?,
                number: i + 1,
                kind: MediaKind::parse(&r.try_get::<String, _>("kind")?)
                    .ok_or(StoreError::Sealing)?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                width: r.try_get("width")?,
                height: r.try_get("height")?,
                metadata_removed: r.try_get::<i64, _>("metadata_removed")? != 0,
            })
        })
        .collect()
}

/// A file opened for download.
pub struct Download {
    pub kind: MediaKind,
    /// The file's plain bytes, opened as they are read.
    pub body: crate::blobs::PlainStream,
    pub sha256: String,
    pub number: usize,
}

/// Opens one file of a tip. The caller has checked the officer may read the tip, and audits.
pub(crate) async fn open(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    tip_id: i64,
    uid: &str,
) -> Result<Download, ServiceError> {
    let files = of_tip(store, tip_id).await?;
    let file = files
        .iter()
        .find(|f| f.uid == uid)
        .ok_or(ServiceError::NotFound)?;
    let key_sealed: Vec<u8> =
        sqlx::query_scalar("SELECT key_sealed FROM attachments WHERE uid = $1 AND tip_id = $2")
            .bind(uid)
            .bind(tip_id)
            .fetch_one(store.reader())
            .await?;
    let body = blobs.open_stream(keys, uid, &key_sealed).await?;
    Ok(Download {
        kind: file.kind,
        body,
        sha256: file.sha256.clone(),
        number: file.number,
    })
}

/// The thumbnail of one photo of a tip, a JPEG. The caller has checked the officer may read the
/// tip, and audits.
pub(crate) async fn open_thumbnail(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    tip_id: i64,
    uid: &str,
) -> Result<Vec<u8>, ServiceError> {
    let key_sealed: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT thumb_key_sealed FROM attachments WHERE uid = $1 AND tip_id = $2",
    )
    .bind(uid)
    .bind(tip_id)
    .fetch_optional(store.reader())
    .await?
    .flatten();
    let key_sealed = key_sealed.ok_or(ServiceError::NotFound)?;
    Ok(blobs.open(keys, &thumb_uid(uid), &key_sealed).await?)
}

//! The blob store: attachments, sealed, in a folder of the data directory or in S3-compatible
//! storage (both through `object_store`, chosen by the settings).
//!
//! Every file has its own random key, itself sealed with the installation's keys and kept in
//! the database. The file is sealed with the STREAM construction over XChaCha20-Poly1305 in
//! chunks of 64 KiB, each bound to the file's uid, so a chunk cannot be moved, dropped or
//! reordered, and a file cut short does not open.
//!
//! Layout of a stored blob: one version byte, the 19-byte STREAM nonce, then the sealed chunks
//! (64 KiB of plain text and a 16-byte tag each, the last one shorter and marked last).

use std::sync::Arc;

use aead_stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::KeyInit;
use object_store::local::LocalFileSystem;
use object_store::path::Path as BlobPath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use rand::RngExt;
use zeroize::Zeroizing;

use crate::sealing::Keys;
use crate::store::StoreError;

const VERSION: u8 = 1;
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const NONCE: usize = 19;

/// Where attachments live.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blobs")
    }
}

/// A file written to the store: its sealed key, to keep in the database.
pub struct Sealed {
    pub key_sealed: Vec<u8>,
}

impl Blobs {
    /// The folder `dir` (created if missing, readable by the service's user only).
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Blobs> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
        let store = LocalFileSystem::new_with_prefix(dir)?.with_automatic_cleanup(true);
        Ok(Blobs {
            store: Arc::new(store),
        })
    }

    /// The store the settings name: S3-compatible storage when configured, else `blobs/` in the
    /// data folder.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Blobs> {
        let b = &settings.blobs;
        if !b.is_s3() {
            return Blobs::local(&settings.data_dir.join("blobs"));
        }
        let endpoint = b.s3_endpoint.clone().unwrap_or_default();
        let store = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(endpoint.trim())
            .with_allow_http(endpoint.trim().starts_with("http://"))
            .with_virtual_hosted_style_request(false)
            .with_bucket_name(b.s3_bucket.clone().unwrap_or_default())
            .with_region(b.s3_region.clone().unwrap_or_else(|| "us-east-1".into()))
            .with_access_key_id(b.s3_access_key.clone().unwrap_or_default())
            .with_secret_access_key(b.s3_secret_key.clone().unwrap_or_default())
            .build()?;
        Ok(Blobs {
            store: Arc::new(store),
        })
    }

    /// Seals `plain` under a fresh key and writes it whole, or not at all.
    pub async fn put(&self, keys: &Keys, uid: &str, plain: &[u8]) -> Result<Sealed, StoreError> {
        let key = Zeroizing::new(rand::rng().random::<[u8; 32]>());
        let nonce = rand::rng().random::<[u8; NONCE]>();
        let mut out = Vec::with_capacity(1 + NONCE + plain.len() + plain.len() / CHUNK * TAG + TAG);
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        let cipher = XChaCha20Poly1305::new((&*key).into());
        let mut stream = EncryptorBE32::from_aead(cipher, (&nonce).into());
        let aad = uid.as_bytes();
        let mut chunks = plain.chunks(CHUNK).peekable();
        loop {
            let chunk = chunks.next().unwrap_or_default();
            if chunks.peek().is_none() {
                let last = stream
                    .encrypt_last(aead_payload(chunk, aad))
                    .map_err(|_| StoreError::Sealing)?;
                out.extend_from_slice(&last);
                break;
            }
            let sealed = stream
                .encrypt_next(aead_payload(chunk, aad))
                .map_err(|_| StoreError::Sealing)?;
            out.extend_from_slice(&sealed);
        }
        self.store
            .put(&location(uid), out.into())
            .await
            .map_err(blob_error)?;
        Ok(Sealed {
            key_sealed: keys.seal(&key_context(uid), &*key),
        })
    }

    /// Starts a file written piece by piece: at most one chunk and the parts in flight are held.
    /// Nothing is visible under `uid` until [`Writer::finish`]; [`Writer::abort`] leaves
    /// nothing.
    pub async fn writer(&self, uid: &str) -> Result<Writer, StoreError> {
        let upload = self
            .store
            .put_multipart(&location(uid))
            .await
            .map_err(blob_error)?;
        let mut upload = WriteMultipart::new(upload);
        let key = Zeroizing::new(rand::rng().random::<[u8; 32]>());
        let nonce = rand::rng().random::<[u8; NONCE]>();
        upload.write(&[VERSION]);
        upload.write(&nonce);
        let cipher = XChaCha20Poly1305::new((&*key).into());
        Ok(Writer {
            upload,
            stream: EncryptorBE32::from_aead(cipher, (&nonce).into()),
            pending: Vec::with_capacity(2 * CHUNK),
            key,
            uid: uid.to_string(),
        })
    }

    /// Opens a file as a stream of plain pieces, read and opened a chunk at a time (a video is
    /// never held whole). A changed, reordered or cut file ends the stream with an error.
    pub async fn open_stream(
        &self,
        keys: &Keys,
        uid: &str,
        key_sealed: &[u8],
    ) -> Result<PlainStream, StoreError> {
        let key = Zeroizing::new(keys.open(&key_context(uid), key_sealed)?);
        let cipher = XChaCha20Poly1305::new_from_slice(&key).map_err(|_| StoreError::Sealing)?;
        let source = self
            .store
            .get(&location(uid))
            .await
            .map_err(blob_error)?
            .into_stream();
        let state = Opening {
            source,
            buf: Vec::new(),
            cipher: Some(cipher),
            stream: None,
            aad: uid.as_bytes().to_vec(),
            ended: false,
        };
        Ok(Box::pin(futures_util::stream::try_unfold(
            state, next_plain,
        )))
    }

    /// Reads and opens a whole file (photos and their thumbnails; the tests); refuses one
    /// changed, reordered or cut short.
    pub async fn open(
        &self,
        keys: &Keys,
        uid: &str,
        key_sealed: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let key = Zeroizing::new(keys.open(&key_context(uid), key_sealed)?);
        let stored = self
            .store
            .get(&location(uid))
            .await
            .map_err(blob_error)?
            .bytes()
            .await
            .map_err(blob_error)?;
        if stored.len() < 1 + NONCE + TAG || stored[0] != VERSION {
            return Err(StoreError::Sealing);
        }
        let nonce: [u8; NONCE] = stored[1..1 + NONCE]
            .try_into()
            .map_err(|_| StoreError::Sealing)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&key).map_err(|_| StoreError::Sealing)?;
        let mut stream = DecryptorBE32::from_aead(cipher, (&nonce).into());
        let aad = uid.as_bytes();
        let body = &stored[1 + NONCE..];
        let mut plain = Vec::with_capacity(body.len());
        let mut chunks = body.chunks(CHUNK + TAG).peekable();
        while let Some(chunk) = chunks.next() {
            if chunks.peek().is_none() {
                let last = stream
                    .decrypt_last(aead_payload(chunk, aad))
                    .map_err(|_| StoreError::Sealing)?;
                plain.extend_from_slice(&last);
                return Ok(plain);
            }
            let opened = stream
                .decrypt_next(aead_payload(chunk, aad))
                .map_err(|_| StoreError::Sealing)?;
            plain.extend_from_slice(&opened);
        }
        Err(StoreError::Sealing)
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, uid: &str) -> Result<(), StoreError> {
        match self.store.delete(&location(uid)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(blob_error(other)),
        }
    }
}

/// Plain pieces of a file being read.
pub type PlainStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = std::io::Result<bytes::Bytes>> + Send>>;

/// Where a stream of a file has got to.
struct Opening {
    source: futures_util::stream::BoxStream<'static, object_store::Result<bytes::Bytes>>,
    buf: Vec<u8>,
    /// The cipher until the header is read, then the stream it opens.
    cipher: Option<XChaCha20Poly1305>,
    stream: Option<DecryptorBE32<XChaCha20Poly1305>>,
    aad: Vec<u8>,
    ended: bool,
}

fn broken() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, "sealed file refused")
}

/// The next plain piece: one sealed chunk is opened once the next one has begun (or the file
/// ended), so that the last is opened as last.
async fn next_plain(mut at: Opening) -> std::io::Result<Option<(bytes::Bytes, Opening)>> {
    use futures_util::StreamExt;
    let piece = CHUNK + TAG;
    loop {
        let header_needed = at.stream.is_none() && at.cipher.is_some();
        let wanted = if header_needed { 1 + NONCE } else { piece + 1 };
        while !at.ended && at.buf.len() < wanted {
            match at.source.next().await {
                Some(Ok(bytes)) => at.buf.extend_from_slice(&bytes),
                Some(Err(err)) => return Err(std::io::Error::other(err)),
                None => at.ended = true,
            }
        }
        if header_needed {
            if at.buf.len() < 1 + NONCE || at.buf[0] != VERSION {
                return Err(broken());
            }
            let nonce: [u8; NONCE] = at.buf[1..1 + NONCE].try_into().map_err(|_| broken())?;
            let cipher = at.cipher.take().ok_or_else(broken)?;
            at.stream = Some(DecryptorBE32::from_aead(cipher, (&nonce).into()));
            at.buf.drain(..1 + NONCE);
            continue;
        }
        let Some(stream) = at.stream.as_mut() else {
            // The last piece was given out.
            return Ok(None);
        };
        if at.buf.len() > piece {
            let plain = stream
                .decrypt_next(aead_payload(&at.buf[..piece], &at.aad))
                .map_err(|_| broken())?;
            at.buf.drain(..piece);
            return Ok(Some((bytes::Bytes::from(plain), at)));
        }
        let last = at.stream.take().ok_or_else(broken)?;
        let plain = last
            .decrypt_last(aead_payload(&at.buf, &at.aad))
            .map_err(|_| broken())?;
        at.buf.clear();
        return Ok(Some((bytes::Bytes::from(plain), at)));
    }
}

/// A file being written: plain bytes in, sealed chunks out to the store.
pub struct Writer {
    upload: WriteMultipart,
    stream: EncryptorBE32<XChaCha20Poly1305>,
    pending: Vec<u8>,
    key: Zeroizing<[u8; 32]>,
    uid: String,
}

impl Writer {
    /// Adds plain bytes. A chunk is sealed once more bytes follow it (the last one is sealed as
    /// last by `finish`).
    pub async fn write(&mut self, plain: &[u8]) -> Result<(), StoreError> {
        self.pending.extend_from_slice(plain);
        let mut sealed_up_to = 0;
        while self.pending.len() - sealed_up_to > CHUNK {
            let chunk = &self.pending[sealed_up_to..sealed_up_to + CHUNK];
            let sealed = self
                .stream
                .encrypt_next(aead_payload(chunk, self.uid.as_bytes()))
                .map_err(|_| StoreError::Sealing)?;
            sealed_up_to += CHUNK;
            self.upload.wait_for_capacity(2).await.map_err(blob_error)?;
            self.upload.write(&sealed);
        }
        // One move of what is left, however many chunks were sealed.
        self.pending.drain(..sealed_up_to);
        Ok(())
    }

    /// Seals the last chunk and makes the file visible; answers its sealed key.
    pub async fn finish(self, keys: &Keys) -> Result<Sealed, StoreError> {
        let Writer {
            mut upload,
            stream,
            pending,
            key,
            uid,
        } = self;
        let last = stream
            .encrypt_last(aead_payload(&pending, uid.as_bytes()))
            .map_err(|_| StoreError::Sealing)?;
        upload.write(&last);
        upload.finish().await.map_err(blob_error)?;
        Ok(Sealed {
            key_sealed: keys.seal(&key_context(&uid), &*key),
        })
    }

    /// Gives up the file; nothing of it stays in the store.
    pub async fn abort(self) {
        if let Err(err) = self.upload.abort().await {
            tracing::warn!(error = %err, "an unfinished file could not be removed");
        }
    }
}

fn aead_payload<'a>(msg: &'a [u8], aad: &'a [u8]) -> chacha20poly1305::aead::Payload<'a, 'a> {
    chacha20poly1305::aead::Payload { msg, aad }
}

fn location(uid: &str) -> BlobPath {
    BlobPath::from(format!("attachments/{uid}"))
}

fn key_context(uid: &str) -> String {
    format!("attachment-key:{uid}")
}

fn blob_error(err: object_store::Error) -> StoreError {
    match err {
        object_store::Error::NotFound { .. } => StoreError::NotFound,
        other => {
            tracing::warn!(error = %other, "blob store failed");
            StoreError::Unavailable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_and_tampering_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let blobs = Blobs::local(dir.path()).expect("blobs");
        let keys = Keys::ephemeral();
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let uid = format!("f{size}");
            let sealed = blobs.put(&keys, &uid, &plain).await.expect("put");
            let opened = blobs
                .open(&keys, &uid, &sealed.key_sealed)
                .await
                .expect("open");
            assert_eq!(opened, plain, "size {size}");
            let on_disk = std::fs::read(dir.path().join("attachments").join(&uid)).expect("file");
            if size > 64 {
                assert!(
                    !on_disk.windows(64).any(|w| w == &plain[..64]),
                    "nothing in the clear"
                );
            }
            // Cut short by one chunk, or one byte changed: refused.
            if size > CHUNK {
                std::fs::write(
                    dir.path().join("attachments").join(&uid),
                    &on_disk[..1 + NONCE + CHUNK + TAG],
                )
                .expect("cut");
                assert!(blobs.open(&keys, &uid, &sealed.key_sealed).await.is_err());
            }
            let mut changed = on_disk.clone();
            let at = changed.len() - 1;
            changed[at] ^= 1;
            std::fs::write(dir.path().join("attachments").join(&uid), &changed).expect("change");
            assert!(blobs.open(&keys, &uid, &sealed.key_sealed).await.is_err());
            blobs.delete(&uid).await.expect("delete");
            blobs.delete(&uid).await.expect("deleting twice is fine");
        }
    }

    #[tokio::test]
    async fn files_written_in_pieces_open_like_whole_ones() {
        let dir = tempfile::tempdir().expect("dir");
        let blobs = Blobs::local(dir.path()).expect("blobs");
        let keys = Keys::ephemeral();
        for size in [0, 10, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 3] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
            let uid = format!("w{size}");
            let mut writer = blobs.writer(&uid).await.expect("writer");
            for piece in plain.chunks(7_777) {
                writer.write(piece).await.expect("write");
            }
            let sealed = writer.finish(&keys).await.expect("finish");
            let opened = blobs
                .open(&keys, &uid, &sealed.key_sealed)
                .await
                .expect("open");
            assert_eq!(opened, plain, "size {size}");
        }
        // Read back as a stream too, whole and refused when cut.
        use futures_util::TryStreamExt;
        let plain: Vec<u8> = (0..3 * CHUNK + 5).map(|i| (i % 241) as u8).collect();
        let sealed = blobs.put(&keys, "streamed", &plain).await.expect("put");
        let pieces: Vec<bytes::Bytes> = blobs
            .open_stream(&keys, "streamed", &sealed.key_sealed)
            .await
            .expect("stream")
            .try_collect()
            .await
            .expect("opens");
        assert_eq!(pieces.concat(), plain);
        let path = dir.path().join("attachments").join("streamed");
        let whole = std::fs::read(&path).expect("file");
        std::fs::write(&path, &whole[..whole.len() - (CHUNK + TAG)]).expect("cut");
        let cut: Result<Vec<bytes::Bytes>, _> = blobs
            .open_stream(&keys, "streamed", &sealed.key_sealed)
            .await
            .expect("stream")
            .try_collect()
            .await;
        assert!(cut.is_err(), "a file cut at a chunk boundary is refused");
        let mut writer = blobs.writer("gone").await.expect("writer");
        writer.write(&[1; 100_000]).await.expect("write");
        writer.abort().await;
        assert!(!dir.path().join("attachments").join("gone").exists());
    }
}

//! Encryption at rest and keyed hashes.
//!
//! Keys live in a key file in the data folder (owner-only permissions), never in the database.
//! Each line of the file is `<key id> <64 hex digits>`; the highest id seals new records and every
//! id can still open old ones, so a key can be rotated by adding a line.
//!
//! A sealed record is `[format 1][key id 1][nonce 24][ciphertext + tag]`, sealed with
//! XChaCha20-Poly1305 under a fresh random nonce and bound to its record by associated data, so a
//! sealed body moved to another row no longer opens.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::Rng;
use zeroize::Zeroizing;

const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;

/// The keys of one installation. `Debug` prints nothing secret.
#[derive(Clone)]
pub struct Keys {
    sealing: BTreeMap<u8, [u8; 32]>,
    lookup: [u8; 32],
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keys({} sealing key(s), redacted)", self.sealing.len())
    }
}

/// Opening a sealed record failed: a wrong key, a damaged record or one moved between rows.
#[derive(Debug, thiserror::Error)]
#[error("a sealed record could not be opened")]
pub struct OpenError;

impl Keys {
    /// Reads the key file, creating it with one fresh key (mode 0600) when it does not exist.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Keys> {
        if !path.exists() {
            create_key_file(path)?;
        }
        warn_if_readable_by_others(path);
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading key file {}", path.display()))?,
        );
        Self::parse(&text).with_context(|| format!("key file {} is not valid", path.display()))
    }

    fn parse(text: &str) -> anyhow::Result<Keys> {
        let mut masters = BTreeMap::new();
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (id, hex_key) = line.split_once(' ').context("a line lacks a key id")?;
            let id: u8 = id
                .parse()
                .context("a key id is not a number from 0 to 255")?;
            let mut key = [0u8; 32];
            hex::decode_to_slice(hex_key.trim(), &mut key).context("a key is not 64 hex digits")?;
            masters.insert(id, key);
        }
        let Some(first) = masters.values().next() else {
            bail!("the file holds no key")
        };
        // Receipts are looked up by a hash under the first key, so it must never change.
        let lookup = blake3::derive_key("hello-kmp 2026 receipt lookup v1", first);
        let sealing = masters
            .iter()
            .map(|(id, master)| (*id, blake3::derive_key("hello-kmp 2026 sealing v1", master)))
            .collect();
        Ok(Keys { sealing, lookup })
    }

    /// Keys made up on the spot, for tests and benchmarks that need no file.
    pub fn ephemeral() -> Keys {
        let mut master = [0u8; 32];
        rand::rng().fill_bytes(&mut master);
        Self::parse(&format!("1 {}", hex::encode(master))).expect("a fresh key parses")
    }

    /// Encrypts `plain`, bound to `context` (for example `tip:<uid>`), under the newest key.
    pub fn seal(&self, context: &str, plain: &[u8]) -> Vec<u8> {
        let (id, key) = self
            .sealing
            .iter()
            .next_back()
            .expect("at least one key is loaded");
        [&[FORMAT, *id][..], &Self::seal_with(key, context, plain)].concat()
    }

    /// Decrypts a record sealed by [`Keys::seal`] with the same `context`.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        let [format, id, rest @ ..] = sealed else {
            return Err(OpenError);
        };
        if *format != FORMAT {
            return Err(OpenError);
        }
        let key = self.sealing.get(id).ok_or(OpenError)?;
        Self::open_with(key, context, rest)
    }

    /// A keyed hash for looking up a secret (a receipt) without storing it.
    pub fn lookup_hash(&self, purpose: &str, secret: &str) -> String {
        let mut hasher = blake3::Hasher::new_keyed(&self.lookup);
        hasher.update(purpose.as_bytes());
        hasher.update(&[0]);
        hasher.update(secret.as_bytes());
        hasher.finalize().to_hex().to_string()
    }
}

/// A key derived from a secret the client holds (a form token), bound to this installation: it
/// opens only with both the token and the key file.
impl Keys {
    pub fn token_key(&self, purpose: &str, token: &str) -> [u8; 32] {
        // Its own subkey, so that no lookup hash can ever equal a token key.
        let subkey = blake3::derive_key("hello-kmp 2026 token keys v1", &self.lookup);
        let mut hasher = blake3::Hasher::new_keyed(&subkey);
        hasher.update(purpose.as_bytes());
        hasher.update(&[0]);
        hasher.update(token.as_bytes());
        *hasher.finalize().as_bytes()
    }

    /// Encrypts `plain` under `key` with a fresh random nonce: `[nonce 24][ciphertext + tag]`.
    pub fn seal_with(key: &[u8; 32], context: &str, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = XChaCha20Poly1305::new(key.into());
        let sealed = cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
        [&nonce[..], &sealed].concat()
    }

    /// Decrypts what [`Keys::seal_with`] sealed under the same key and context.
    pub fn open_with(key: &[u8; 32], context: &str, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let nonce: [u8; NONCE_LEN] = sealed[..NONCE_LEN].try_into().map_err(|_| OpenError)?;
        let cipher = XChaCha20Poly1305::new(key.into());
        let payload = Payload {
            msg: &sealed[NONCE_LEN..],
            aad: context.as_bytes(),
        };
        cipher
            .decrypt(&XNonce::from(nonce), payload)
            .map_err(|_| OpenError)
    }
}

/// A plain, unkeyed hash for secrets that already carry 256 bits of randomness (session tokens).
pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// A random value of `bytes` bytes, as lowercase hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

fn create_key_file(path: &Path) -> anyhow::Result<()> {
    let mut master = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(master.as_mut());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating key file {}", path.display()))?;
    let line = Zeroizing::new(format!(
        "# Hello KMP sealing keys. Keep a copy apart from the backups: without it no tip opens.\n1 {}\n",
        hex::encode(master.as_ref())
    ));
    file.write_all(line.as_bytes())?;
    file.sync_all()?;
    tracing::info!(key.file = %path.display(), "created a new key file");
    Ok(())
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(key.file = %path.display(), "the key file can be read by other users; chmod 600 it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_record_opens_only_in_its_own_context() {
        let keys = Keys::ephemeral();
        let sealed = keys.seal("tip:a", b"a drug den behind the market");
        assert_eq!(
            keys.open("tip:a", &sealed).expect("opens"),
            b"a drug den behind the market"
        );
        assert!(keys.open("tip:b", &sealed).is_err());
        assert!(!sealed.windows(8).any(|w| w == b"drug den"));
    }

    #[test]
    fn two_seals_of_the_same_text_differ() {
        let keys = Keys::ephemeral();
        assert_ne!(keys.seal("x", b"same"), keys.seal("x", b"same"));
    }

    #[test]
    fn key_file_is_created_owner_only_and_reloads_the_same_keys() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k");
        let keys = Keys::load_or_create(&path).expect("created");
        let again = Keys::load_or_create(&path).expect("reloaded");
        assert_eq!(keys.lookup_hash("r", "1"), again.lookup_hash("r", "1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

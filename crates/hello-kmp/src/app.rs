//! The application's shared state and how it is opened: data folder, keys, database, seed data.

use std::ops::Deref;
use std::sync::Arc;

use anyhow::Context;

use crate::config::Settings;
use crate::sealing::Keys;
use crate::services::accounts::{self, Secret};
use crate::services::reference::Reference;
use crate::store::{Store, seed};
use crate::throttle::GuessThrottle;
use crate::web::assets::Assets;

/// Everything a handler may need, cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub settings: Settings,
    pub store: Store,
    pub keys: Keys,
    pub reference: Reference,
    pub throttle: GuessThrottle,
    /// Slows repeated failed officer log-ins from one address.
    pub login_throttle: GuessThrottle,
    pub assets: Assets,
    /// Attachments, sealed.
    pub blobs: crate::blobs::Blobs,
    /// Jurisdiction boundaries, read again from the database after each import.
    pub jurisdictions: crate::services::jurisdictions::Jurisdictions,
    /// Tells this process's open SOS boards that an alert changed, on any server.
    pub sos_hub: crate::services::sos::live::Hub,
    /// Held while the server runs on a SQLite data folder, so that a second server on the same
    /// folder stops at start instead of sharing it.
    _folder_lock: Option<std::fs::File>,
}

impl Shared {
    /// How many files a tip may carry and how large each may be, from the settings.
    pub fn file_limits(&self) -> crate::domain::media::FileLimits {
        self.settings.attachments.limits()
    }

    /// What an SOS alert is placed and capped by, from the settings.
    pub fn sos_rules(&self) -> crate::services::sos::citizen::SendRules<'_> {
        crate::services::sos::citizen::SendRules {
            area: self.settings.area,
            caps: self.settings.sos,
            jurisdictions: &self.jurisdictions,
        }
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The administrator made at first start, to be printed once to the terminal.
pub struct FirstAdmin {
    pub username: String,
    pub password: Secret,
}

impl AppState {
    /// Opens (and at first start creates) the data folder, key file and database.
    pub async fn open(settings: Settings) -> anyhow::Result<(AppState, Option<FirstAdmin>)> {
        create_private_dir(&settings.data_dir)?;
        let folder_lock = match settings.is_sqlite() {
            true => Some(lock_folder(&settings.data_dir)?),
            false => None,
        };
        let keys = Keys::load_or_create(&settings.key_file())?;
        let blobs =
            crate::blobs::Blobs::from_settings(&settings).context("opening the blob store")?;
        let store = Store::open(&settings.database_url()).await?;
        let sos_hub =
            crate::services::sos::live::Hub::new(store.backend(), &settings.database_url());
        check_key_file(&store, &keys).await?;
        seed::seed_reference(&store)
            .await
            .context("seeding reference data")?;
        crate::services::faq::seed_defaults(&store)
            .await
            .context("seeding the FAQ")?;
        let reference = Reference::load(&store)
            .await
            .context("reading reference data")?;
        let first_admin = accounts::create_first_admin(&store)
            .await
            .map_err(|e| anyhow::anyhow!("creating the first administrator: {e}"))?
            .map(|(username, password)| FirstAdmin { username, password });
        let jurisdictions =
            crate::services::jurisdictions::Jurisdictions::new(settings.jurisdiction_margin_m);
        let shared = Shared {
            settings,
            store,
            keys,
            reference,
            throttle: GuessThrottle::default(),
            login_throttle: GuessThrottle::with_free_misses(crate::throttle::LOGIN_FREE_MISSES),
            assets: Assets::new(),
            blobs,
            jurisdictions,
            sos_hub,
            _folder_lock: folder_lock,
        };
        Ok((AppState(Arc::new(shared)), first_admin))
    }
}

/// Creates the data folder readable by the service's user only; an existing one is left as is.
fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating the data folder {}", dir.display()))
}

fn lock_folder(dir: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let path = dir.join("hello-kmp.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", path.display()))?;
    file.try_lock().map_err(|_| {
        anyhow::anyhow!(
            "another hello-kmp server is using the data folder {}; with SQLite, one server per \
             data folder",
            dir.display()
        )
    })?;
    Ok(file)
}

/// Ties the database to the key file at first start, and refuses a different key file later.
async fn check_key_file(store: &Store, keys: &Keys) -> anyhow::Result<()> {
    let check = keys.lookup_hash("key-check", "hello-kmp installation");
    let mine = check.clone();
    store
        .write_one(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO installation (id, key_check, created_at) VALUES (1, $1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&mine)
                .bind(crate::store::now())
                .execute(&mut *conn)
                .await?;
                Ok(())
            })
        })
        .await
        .context("recording the key file's check value")?;
    let stored: String = sqlx::query_scalar("SELECT key_check FROM installation WHERE id = 1")
        .fetch_one(store.reader())
        .await
        .context("reading the key file's check value")?;
    if stored != check {
        anyhow::bail!(
            "the key file does not belong to this database: every server sharing a database \
             must use the key file of the server that first used it (setting `key_file`)"
        );
    }
    Ok(())
}

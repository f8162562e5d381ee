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
    pub assets: Assets,
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
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating the data folder {}", settings.data_dir.display()))?;
        let keys = Keys::load_or_create(&settings.data_dir.join("hello-kmp.key"))?;
        Self::open_with_keys(settings, keys).await
    }

    /// As [`AppState::open`], with keys given (tests and benchmarks).
    pub async fn open_with_keys(
        settings: Settings,
        keys: Keys,
    ) -> anyhow::Result<(AppState, Option<FirstAdmin>)> {
        let store = Store::open(&settings.database_url()).await?;
        seed::seed_reference(&store)
            .await
            .context("seeding reference data")?;
        let reference = Reference::load(&store)
            .await
            .context("reading reference data")?;
        let first_admin = accounts::create_first_admin(&store)
            .await
            .map_err(|e| anyhow::anyhow!("creating the first administrator: {e}"))?
            .map(|(username, password)| FirstAdmin { username, password });
        let shared = Shared {
            settings,
            store,
            keys,
            reference,
            throttle: GuessThrottle::default(),
            assets: Assets::new(),
        };
        Ok((AppState(Arc::new(shared)), first_admin))
    }
}

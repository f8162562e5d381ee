//! Settings: built-in defaults, then an optional TOML file, then `HELLO_KMP_*` environment
//! variables, then command-line flags. A misspelt or malformed setting stops start-up with a
//! message that names it.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::domain::media::FileLimits;

/// Everything `serve` needs to know, already checked. `Debug` leaves out the database URL,
/// which may hold a password.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Folder for the SQLite database, the file store and the key file.
    pub data_dir: PathBuf,
    /// The key file; by default `hello-kmp.key` in `data_dir`. Every server sharing one
    /// PostgreSQL database must use the same key file.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; empty means the SQLite file in `data_dir`.
    #[serde(default)]
    pub database_url: Option<String>,
    /// The address citizens use, such as `https://hello.kmp.police.gov.bd`. Used for CSRF origin
    /// checks and to mark cookies `Secure`.
    #[serde(default)]
    pub public_origin: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed when slowing receipt guessers.
    #[serde(default)]
    pub trusted_proxies: Vec<IpAddr>,
    /// `tracing` filter, such as `info` or `hello_kmp=debug`.
    pub log: String,
    pub area: ServiceArea,
    /// How long a tip is kept after its last change before the purge may remove it.
    pub retention_days: i64,
    /// Console sessions end after this long without a request.
    pub session_idle_minutes: i64,
    /// Console sessions end this long after log-in, however busy.
    pub session_max_hours: i64,
    /// How long an officer's account stays locked after ten failed log-ins in a row, unless an
    /// administrator unlocks it sooner.
    pub account_lock_minutes: i64,
    /// Where attachments are kept: `blobs/` in the data folder unless S3 is configured.
    #[serde(default)]
    pub blobs: BlobSettings,
    /// How many files a tip may carry and how large each may be.
    #[serde(default)]
    pub attachments: AttachmentSettings,
    /// A point closer than this to a jurisdiction boundary (metres, on the ground) is not
    /// routed by the boundaries alone: an officer confirms the thana.
    pub jurisdiction_margin_m: f64,
    /// SOS alerts: how many may come, how long they are kept, how often a board hears from us.
    #[serde(default)]
    pub sos: SosSettings,
    /// KMP's own pages elsewhere, shown with the news.
    #[serde(default)]
    pub links: LinkSettings,
}

/// Limits on a tipster's files. Every server sharing one database should use the same.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentSettings {
    /// Files per tip, on the tip form and in the follow-up together.
    pub max_files: usize,
    /// Largest photo, in megabytes (MiB).
    pub image_max_mb: usize,
    /// Largest voice note or other recording, in megabytes.
    pub audio_max_mb: usize,
    /// Largest video, in megabytes.
    pub video_max_mb: usize,
    /// Largest PDF, in megabytes.
    pub document_max_mb: usize,
}

impl Default for AttachmentSettings {
    fn default() -> AttachmentSettings {
        let d = FileLimits::default();
        AttachmentSettings {
            max_files: d.max_files,
            image_max_mb: d.image_bytes / MIB,
            audio_max_mb: d.audio_bytes / MIB,
            video_max_mb: d.video_bytes / MIB,
            document_max_mb: d.document_bytes / MIB,
        }
    }
}

const MIB: usize = 1024 * 1024;

/// The most files a tip may be allowed to carry, and the largest size allowed for any kind:
/// uploads in flight are bounded to 4 GB in all.
const MAX_FILES_ALLOWED: usize = 20;
const MAX_MB_ALLOWED: usize = 1024;

impl AttachmentSettings {
    /// The limits the services apply.
    pub fn limits(&self) -> FileLimits {
        FileLimits {
            max_files: self.max_files,
            image_bytes: self.image_max_mb * MIB,
            audio_bytes: self.audio_max_mb * MIB,
            video_bytes: self.video_max_mb * MIB,
            document_bytes: self.document_max_mb * MIB,
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        if !(1..=MAX_FILES_ALLOWED).contains(&self.max_files) {
            anyhow::bail!("setting `attachments.max_files` must be from 1 to {MAX_FILES_ALLOWED}");
        }
        for (name, mb) in [
            ("image_max_mb", self.image_max_mb),
            ("audio_max_mb", self.audio_max_mb),
            ("video_max_mb", self.video_max_mb),
            ("document_max_mb", self.document_max_mb),
        ] {
            if !(1..=MAX_MB_ALLOWED).contains(&mb) {
                anyhow::bail!("setting `attachments.{name}` must be from 1 to {MAX_MB_ALLOWED}");
            }
        }
        Ok(())
    }
}

/// Limits and timings of SOS alerts (`[sos]` in the settings file).
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SosSettings {
    /// Alerts the whole installation takes in any one minute; more are told to call 999.
    pub alerts_per_minute: i64,
    /// Alerts taken from any one square of about a kilometre (or without a location, all
    /// together) in ten minutes; more are told to call 999.
    pub alerts_per_area: i64,
    /// How often an open board gets a heartbeat, and its officer's session is checked again.
    pub heartbeat_seconds: u64,
    /// How long an alert is kept after its last change before it is deleted.
    pub retention_days: i64,
}

impl Default for SosSettings {
    fn default() -> Self {
        SosSettings {
            alerts_per_minute: 12,
            alerts_per_area: 3,
            heartbeat_seconds: 15,
            retention_days: 180,
        }
    }
}

/// Links to KMP's web portal and its official Facebook page; an empty one is not shown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkSettings {
    pub portal: String,
    /// Empty by default: the page's address is not confirmed (FACTS.md).
    pub facebook: String,
}

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings {
            portal: "https://kmp.police.gov.bd".into(),
            facebook: String::new(),
        }
    }
}

/// S3-compatible storage for attachments. Every server sharing one database must use the same.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlobSettings {
    /// Such as `https://s3.ap-south-1.amazonaws.com` or `http://127.0.0.1:8014`; unset keeps
    /// attachments in the data folder.
    #[serde(default)]
    pub s3_endpoint: Option<String>,
    #[serde(default)]
    pub s3_bucket: Option<String>,
    #[serde(default)]
    pub s3_region: Option<String>,
    #[serde(default)]
    pub s3_access_key: Option<String>,
    #[serde(default)]
    pub s3_secret_key: Option<String>,
}

impl BlobSettings {
    /// Whether S3 is configured.
    pub fn is_s3(&self) -> bool {
        self.s3_endpoint
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty())
    }
}

/// The rectangle a point must fall in to count as inside KMP's area. Points outside are kept and
/// marked for an officer to check, never routed.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceArea {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database",
                &if self.is_sqlite() {
                    "sqlite"
                } else {
                    "postgres"
                },
            )
            .field("public_origin", &self.public_origin)
            .field("blobs", &if self.blobs.is_s3() { "s3" } else { "folder" })
            .finish_non_exhaustive()
    }
}

impl ServiceArea {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

/// Values given on the command line; they win over the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub database_url: Option<String>,
}

impl Settings {
    /// Reads the settings in their order of precedence.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Settings> {
        let mut builder = config::Config::builder()
            .set_default("data_dir", "./data")?
            .set_default("listen", "127.0.0.1:8080")?
            .set_default("log", "info,sqlx=warn")?
            .set_default("retention_days", 3 * 365)?
            .set_default("session_idle_minutes", 30)?
            .set_default("session_max_hours", 12)?
            .set_default("account_lock_minutes", 60)?
            // The census boundaries are generalised by 100 to 400 m; a point nearer than that
            // to a boundary may lie on either side.
            .set_default("jurisdiction_margin_m", 400.0)?
            // The census boundaries of Khulna city's five older thanas span lon 89.4603–89.5849,
            // lat 22.7691–22.9494 (BBS). The box is widened by about 5 km on every side so that
            // Labanchara, Harintana and Aranghata, carved out later, fall inside. Operators with
            // their own jurisdiction data should set their own.
            .set_default("area.min_lat", 22.72)?
            .set_default("area.min_lon", 89.41)?
            .set_default("area.max_lat", 22.99)?
            .set_default("area.max_lon", 89.64)?;
        if let Some(file) = &overrides.config_file {
            builder = builder.add_source(config::File::from(file.as_path()).required(true));
        } else if Path::new("hello-kmp.toml").exists() {
            builder = builder.add_source(config::File::with_name("hello-kmp.toml"));
        }
        builder = builder
            .add_source(
                config::Environment::with_prefix("HELLO_KMP")
                    .prefix_separator("_")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("trusted_proxies")
                    .try_parsing(true)
                    .source(Some(setting_variables())),
            )
            .set_override_option("data_dir", path_string(&overrides.data_dir))?
            .set_override_option("listen", overrides.listen.clone())?
            .set_override_option("database_url", overrides.database_url.clone())?;
        let settings: Settings = builder
            .build()
            .context("reading settings")?
            .try_deserialize()
            .context("a setting is not valid")?;
        settings.check()?;
        Ok(settings)
    }

    /// Settings for tests and tools: defaults with the given data folder and database.
    pub fn for_data_dir(data_dir: &Path, database_url: Option<String>) -> Settings {
        Settings {
            data_dir: data_dir.to_path_buf(),
            key_file: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url,
            public_origin: None,
            trusted_proxies: Vec::new(),
            log: "info,sqlx=warn".into(),
            area: ServiceArea {
                min_lat: 22.72,
                min_lon: 89.41,
                max_lat: 22.99,
                max_lon: 89.64,
            },
            retention_days: 3 * 365,
            session_idle_minutes: 30,
            session_max_hours: 12,
            account_lock_minutes: 60,
            blobs: BlobSettings::default(),
            attachments: AttachmentSettings::default(),
            jurisdiction_margin_m: 400.0,
            sos: SosSettings::default(),
            links: LinkSettings::default(),
        }
    }

    /// The database to open: the configured URL, or the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match self.database_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => url.to_string(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("hello-kmp.db").display()
            ),
        }
    }

    pub fn key_file(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("hello-kmp.key"))
    }

    /// Whether the database is the embedded SQLite file (one server per data folder).
    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// The console's session and lock-out lengths, in seconds.
    pub fn session_policy(&self) -> crate::services::accounts::Policy {
        crate::services::accounts::Policy {
            idle_secs: self.session_idle_minutes * 60,
            max_secs: self.session_max_hours * 3600,
            lock_secs: self.account_lock_minutes * 60,
        }
    }

    /// The origin of the absolute links the server writes (the news feed, the sharing tags):
    /// `public_origin`, else the listen address, which only works on the machine itself.
    pub fn link_origin(&self) -> String {
        match self.public_origin.as_deref().map(str::trim) {
            Some(origin) if !origin.is_empty() => origin.trim_end_matches('/').to_string(),
            _ => format!("http://{}", self.listen),
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }

    fn check(&self) -> anyhow::Result<()> {
        if let Some(url) = self
            .database_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            && !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
        {
            anyhow::bail!("setting `database_url` must start with sqlite: or postgres://");
        }
        if let Some(origin) = &self.public_origin
            && !(origin.starts_with("https://") || origin.starts_with("http://"))
        {
            anyhow::bail!("setting `public_origin` must look like https://host");
        }
        let a = self.area;
        if !(a.min_lat < a.max_lat && a.min_lon < a.max_lon) {
            anyhow::bail!("setting `area` must have min_lat < max_lat and min_lon < max_lon");
        }
        self.attachments.check()?;
        if self.retention_days < 1 {
            anyhow::bail!("setting `retention_days` must be at least 1");
        }
        if self.blobs.is_s3() {
            let b = &self.blobs;
            let endpoint = b.s3_endpoint.as_deref().unwrap_or_default();
            if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
                anyhow::bail!("setting `blobs.s3_endpoint` must look like https://host");
            }
            for (name, value) in [
                ("blobs.s3_bucket", &b.s3_bucket),
                ("blobs.s3_access_key", &b.s3_access_key),
                ("blobs.s3_secret_key", &b.s3_secret_key),
            ] {
                if value.as_deref().is_none_or(|v| v.trim().is_empty()) {
                    anyhow::bail!("setting `{name}` is needed with `blobs.s3_endpoint`");
                }
            }
        }
        for (name, value) in [
            ("links.portal", &self.links.portal),
            ("links.facebook", &self.links.facebook),
        ] {
            let value = value.trim();
            if !value.is_empty() && !value.starts_with("https://") && !value.starts_with("http://")
            {
                anyhow::bail!("setting `{name}` must look like https://host/page, or be empty");
            }
        }
        if !(1..=24 * 60).contains(&self.session_idle_minutes) {
            anyhow::bail!("setting `session_idle_minutes` must be between 1 and 1440");
        }
        if !(1..=24 * 7).contains(&self.session_max_hours) {
            anyhow::bail!("setting `session_max_hours` must be between 1 and 168");
        }
        if !(1..=24 * 60 * 30).contains(&self.account_lock_minutes) {
            anyhow::bail!("setting `account_lock_minutes` must be between 1 and 43200");
        }
        if !(0.0..=5_000.0).contains(&self.jurisdiction_margin_m) {
            anyhow::bail!("setting `jurisdiction_margin_m` must be between 0 and 5000 (metres)");
        }
        let sos = self.sos;
        if !(1..=10_000).contains(&sos.alerts_per_minute)
            || !(1..=10_000).contains(&sos.alerts_per_area)
        {
            anyhow::bail!(
                "settings `sos.alerts_per_minute` and `sos.alerts_per_area` must be between 1 and 10000"
            );
        }
        if !(1..=300).contains(&sos.heartbeat_seconds) {
            anyhow::bail!("setting `sos.heartbeat_seconds` must be between 1 and 300");
        }
        if sos.retention_days < 1 {
            anyhow::bail!("setting `sos.retention_days` must be at least 1");
        }
        tracing_subscriber::EnvFilter::try_new(&self.log)
            .with_context(|| format!("setting `log` is not a valid filter: {}", self.log))?;
        Ok(())
    }
}

/// The `HELLO_KMP_*` variables that carry settings: all but `HELLO_KMP_CONFIG`, which names the
/// file. A misspelt one becomes an unknown setting, which stops start-up.
fn setting_variables() -> config::Map<String, String> {
    std::env::vars()
        .filter(|(name, _)| name.starts_with("HELLO_KMP_") && name != "HELLO_KMP_CONFIG")
        .collect()
}

fn path_string(path: &Option<PathBuf>) -> Option<String> {
    path.as_ref().map(|p| p.display().to_string())
}

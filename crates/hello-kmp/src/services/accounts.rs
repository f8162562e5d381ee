//! Officer accounts and console sessions.
//!
//! Passwords are argon2id PHC strings. A session is a random token in an HttpOnly cookie; the
//! database keeps only its hash, so several `serve` processes share sessions and a stolen
//! database holds no usable token.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngExt;
use sqlx::Row;

use crate::domain::InputError;
use crate::domain::officer::Role;
use crate::sealing::{random_hex, token_hash};
use crate::services::ServiceError;
use crate::services::audit::{self, Action};
use crate::services::officers::{self, NewOfficer};
use crate::store::{Store, StoreError, now};
use crate::throttle::{ClientKey, GuessThrottle};

/// Idle time after which a session ends.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
/// Longest a session lasts, however busy.
pub const SESSION_MAX_SECS: i64 = 12 * 3600;

/// A signed-in officer.
#[derive(Debug, Clone)]
pub struct Officer {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// A password or session token; `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// Argon2 takes about 19 MiB per hash: at most this many run at once, so a flood of log-ins
/// cannot exhaust memory.
const ARGON2_AT_ONCE: usize = 2;
static ARGON2_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(ARGON2_AT_ONCE);

/// Hashes a password with argon2id off the async threads.
pub async fn hash_password(password: Secret) -> anyhow::Result<String> {
    let _permit = ARGON2_PERMITS.acquire().await?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.0.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

async fn verify_password(password: Secret, hash: String) -> bool {
    let Ok(_permit) = ARGON2_PERMITS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.0.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// At first start with no officer: an administrator with a one-time password, returned so the
/// caller can print it once to the terminal (never to the log).
pub async fn create_first_admin(store: &Store) -> Result<Option<(String, Secret)>, ServiceError> {
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM officers")
        .fetch_one(store.reader())
        .await?;
    if existing > 0 {
        return Ok(None);
    }
    let admin = NewOfficer {
        username: "admin".into(),
        display_name: "Administrator".into(),
        role: Role::Administrator,
        place: "kmp_hq".into(),
    };
    match officers::add(store, admin).await {
        Ok(password) => Ok(Some(("admin".to_string(), password))),
        // Another server made it between the count and the insert.
        Err(ServiceError::Input(InputError::UsernameTaken)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Twenty letters and digits without look-alikes (no 0/O, 1/l/I).
pub(crate) fn readable_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// A session token to put in the officer's cookie.
pub struct NewSession {
    pub token: Secret,
    pub officer_id: i64,
}

/// Checks a username and password. Unknown users and wrong passwords get the same answer, after
/// the same argon2 work.
// Limitation: repeated failures slow the address only; per-account delays and locks come with
// the console issue.
pub async fn log_in(
    store: &Store,
    throttle: &GuessThrottle,
    client: ClientKey,
    username: &str,
    password: Secret,
) -> Result<NewSession, ServiceError> {
    if throttle.wait(client).is_some() {
        return Err(InputError::TooManyLogins.into());
    }
    let outcome = check_and_open_session(store, username, password).await;
    if matches!(outcome, Err(ServiceError::Input(InputError::LoginFailed))) {
        throttle.miss(client);
    }
    outcome
}

async fn check_and_open_session(
    store: &Store,
    username: &str,
    password: Secret,
) -> Result<NewSession, ServiceError> {
    let row = sqlx::query("SELECT id, password_hash, disabled FROM officers WHERE username = $1")
        .bind(username.trim())
        .fetch_optional(store.reader())
        .await?;
    let (id, hash, disabled) = match &row {
        Some(r) => (
            r.try_get::<i64, _>(0)?,
            r.try_get::<String, _>(1)?,
            r.try_get::<i64, _>(2)? != 0,
        ),
        None => (0, dummy_hash().await, true),
    };
    let matches = verify_password(password, hash).await;
    if !matches || disabled {
        let officer_id = (id > 0).then_some(id);
        store
            .write(move |conn| {
                Box::pin(audit::record(
                    conn,
                    officer_id,
                    Action::LogInFailed,
                    None,
                    "",
                ))
            })
            .await?;
        return Err(InputError::LoginFailed.into());
    }
    let token = Secret(random_hex(32));
    let hashed = token_hash(&token.0);
    store
        .write(move |conn| {
            Box::pin(async move {
                let at = now();
                sqlx::query(
                    "INSERT INTO sessions (token_hash, officer_id, created_at, last_seen_at, expires_at) \
                     VALUES ($1, $2, $3, $3, $4)",
                )
                .bind(&hashed)
                .bind(id)
                .bind(at)
                .bind(at + SESSION_MAX_SECS)
                .execute(&mut *conn)
                .await?;
                audit::record(conn, Some(id), Action::LogIn, None, "").await
            })
        })
        .await?;
    tracing::info!(officer.id = id, "officer logged in");
    Ok(NewSession {
        token,
        officer_id: id,
    })
}

/// A hash of a random password with the same parameters as real ones, verified against when the
/// username does not exist so that both answers cost the same argon2 work.
async fn dummy_hash() -> String {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY
        .get_or_init(|| async {
            hash_password(Secret(random_hex(16)))
                .await
                .unwrap_or_default()
        })
        .await
        .clone()
}

/// The officer behind a session token, if the session is live; refreshes its idle clock.
pub async fn session_officer(store: &Store, token: &str) -> Result<Option<Officer>, StoreError> {
    let hashed = token_hash(token);
    let at = now();
    let row = sqlx::query(
        "SELECT o.id, o.username, o.display_name, o.role, s.last_seen_at \
         FROM sessions s JOIN officers o ON o.id = s.officer_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND o.disabled = 0",
    )
    .bind(&hashed)
    .bind(at)
    .bind(at - SESSION_IDLE_SECS)
    .fetch_optional(store.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if at - last_seen > 60 {
        // Refreshing once a minute keeps console clicks from each costing a write.
        store
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                        .bind(at)
                        .bind(&hashed)
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await?;
    }
    Ok(Some(Officer {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
    }))
}

/// Ends a session.
pub async fn log_out(store: &Store, officer: &Officer, token: &str) -> Result<(), StoreError> {
    let hashed = token_hash(token);
    let officer_id = officer.id;
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(&hashed)
                    .execute(&mut *conn)
                    .await?;
                audit::record(conn, Some(officer_id), Action::LogOut, None, "").await
            })
        })
        .await
}

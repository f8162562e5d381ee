//! Officer log-in and console sessions.
//!
//! Log-in takes two factors: the password (argon2id), then a TOTP code (RFC 6238) or a
//! single-use recovery code. A new account first chooses its own password and enrols its
//! authenticator. A session is a random token in an HttpOnly cookie; the database keeps only its
//! hash and the session's stage, so several `serve` processes share sessions and a stolen
//! database holds no usable token. A session is `Full` only after the second factor.
//!
//! Failed passwords and codes count against the name in the database: after the fifth in a row
//! each waits longer (30 s doubling), and the tenth locks it for a set time or until an
//! administrator unlocks the account. When a lock runs out, the count starts again. Names that match no account are counted the same way (as
//! keyed hashes), so both answer alike, on every server.

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngExt;
use sqlx::Row;

use crate::domain::InputError;
use crate::domain::officer::{Role, parse_new_password};
use crate::sealing::{Keys, random_hex, token_hash};
use crate::services::ServiceError;
use crate::services::audit::{self, Action};
use crate::services::officers::{self, NewOfficer};
use crate::store::{Conn, Store, StoreError, now};
use crate::throttle::{ClientKey, GuessThrottle};

mod lockout;
mod two_factor;

pub use lockout::lock_until;
use lockout::{Counter, audit_failure, begin_attempt, end_attempt};
pub use two_factor::{Offer, enrolment_offer, enter_code, finish_enrolment};

/// How long sessions last and locks hold, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub idle_secs: i64,
    pub max_secs: i64,
    pub lock_secs: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            idle_secs: 30 * 60,
            max_secs: 12 * 3600,
            lock_secs: 3600,
        }
    }
}

/// How long a half-finished log-in (password given, code not yet) may take.
pub const PENDING_SECS: i64 = 10 * 60;
/// Failed log-ins in a row that are free; each one after them waits longer.
pub const FREE_FAILURES: i64 = 5;
/// Failed log-ins in a row that lock the account.
pub const LOCKING_FAILURES: i64 = 10;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// A signed-in officer.
#[derive(Debug, Clone)]
pub struct Officer {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The thana or unit the officer belongs to.
    pub place: String,
}

/// How far a session has got through log-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Enter the code from the authenticator (or a recovery code).
    Code,
    /// Choose a new password (new account, or after a reset).
    Password,
    /// Enrol an authenticator (new account, or after a 2FA reset).
    Enrol,
    /// Logged in.
    Full,
}

impl Stage {
    pub fn key(self) -> &'static str {
        match self {
            Stage::Code => "code",
            Stage::Password => "password",
            Stage::Enrol => "enrol",
            Stage::Full => "full",
        }
    }

    fn parse(key: &str) -> Stage {
        match key {
            "full" => Stage::Full,
            "password" => Stage::Password,
            "enrol" => Stage::Enrol,
            _ => Stage::Code,
        }
    }

    /// The console page that finishes this stage.
    pub fn path(self) -> &'static str {
        match self {
            Stage::Code => "/console/login/code",
            Stage::Password => "/console/login/password",
            Stage::Enrol => "/console/login/enrol",
            Stage::Full => "/console",
        }
    }

    /// The step after the ones done. An enrolled officer proves the second factor before
    /// anything else, so a leaked one-time password alone cannot choose the next password.
    fn next(enrolled: bool, must_change_password: bool, code_passed: bool) -> Stage {
        if enrolled && !code_passed {
            Stage::Code
        } else if must_change_password {
            Stage::Password
        } else if !enrolled {
            Stage::Enrol
        } else {
            Stage::Full
        }
    }
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
    match officers::add(store, None, admin).await {
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

/// A session token to put in the officer's cookie, and where log-in goes next.
pub struct NewSession {
    pub token: Secret,
    pub officer_id: i64,
    pub stage: Stage,
}

/// Checks a username and password and opens a session at its first unfinished stage. Unknown
/// users, wrong passwords and disabled accounts get the same answer after the same argon2 work;
/// a locked name, known or not, gets the same refusal without it.
pub async fn log_in(
    store: &Store,
    keys: &Keys,
    policy: Policy,
    address_throttle: &GuessThrottle,
    client: ClientKey,
    username: &str,
    password: Secret,
) -> Result<NewSession, ServiceError> {
    if address_throttle.wait(client).is_some() {
        audit_failure(store, None, "address").await?;
        return Err(InputError::TooManyLogins.into());
    }
    let outcome = check_and_open_session(store, keys, policy, username, password).await;
    if matches!(outcome, Err(ServiceError::Input(InputError::LoginFailed))) {
        address_throttle.miss(client);
    }
    outcome
}

struct Account {
    id: i64,
    hash: String,
    disabled: bool,
    must_change_password: bool,
    enrolled: bool,
}

async fn account(store: &Store, username: &str) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query(
        "SELECT id, password_hash, disabled, must_change_password, \
         CASE WHEN totp_sealed IS NULL THEN 0 ELSE 1 END AS enrolled \
         FROM officers WHERE username = $1",
    )
    .bind(username.trim().to_lowercase())
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| {
        Ok(Account {
            id: r.try_get("id")?,
            hash: r.try_get("password_hash")?,
            disabled: r.try_get::<i64, _>("disabled")? != 0,
            must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
            enrolled: r.try_get::<i64, _>("enrolled")? != 0,
        })
    })
    .transpose()
}

async fn check_and_open_session(
    store: &Store,
    keys: &Keys,
    policy: Policy,
    username: &str,
    password: Secret,
) -> Result<NewSession, ServiceError> {
    let account = account(store, username).await?;
    let counter = match &account {
        Some(a) => Counter::Account(a.id),
        None => Counter::Name(keys.lookup_hash("login-name", &username.trim().to_lowercase())),
    };
    let officer_id = account.as_ref().map(|a| a.id);
    if !begin_attempt(store, &counter).await? {
        audit_failure(store, officer_id, "locked").await?;
        return Err(InputError::TooManyLogins.into());
    }
    let hash = match &account {
        Some(a) => a.hash.clone(),
        None => dummy_hash().await,
    };
    let matches = verify_password(password, hash).await;
    let account = match account {
        Some(a) if matches && !a.disabled => a,
        _ => {
            store
                .write_audited(move |conn| {
                    Box::pin(async move {
                        end_attempt(conn, policy, &counter, true).await?;
                        audit::record(conn, officer_id, Action::LogInFailed, None, "password").await
                    })
                })
                .await?;
            return Err(InputError::LoginFailed.into());
        }
    };
    let token = Secret(random_hex(32));
    let hashed = token_hash(&token.0);
    let stage = Stage::next(account.enrolled, account.must_change_password, false);
    let id = account.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                end_attempt(conn, policy, &counter, false).await?;
                let at = now();
                sqlx::query(
                    "INSERT INTO sessions (token_hash, officer_id, created_at, last_seen_at, \
                     expires_at, stage, code_passed) VALUES ($1, $2, $3, $3, $4, $5, 0)",
                )
                .bind(&hashed)
                .bind(id)
                .bind(at)
                .bind(at + PENDING_SECS)
                .bind(stage.key())
                .execute(&mut *conn)
                .await?;
                audit::record(conn, Some(id), Action::LogInPassword, None, "").await
            })
        })
        .await?;
    Ok(NewSession {
        token,
        officer_id: id,
        stage,
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

/// A live session: its officer and stage.
#[derive(Debug, Clone)]
pub struct Session {
    pub officer: Officer,
    pub stage: Stage,
}

/// The session behind a token, if it is live; refreshes its idle clock.
pub async fn session(
    store: &Store,
    policy: Policy,
    token: &str,
) -> Result<Option<Session>, StoreError> {
    let Some((session, last_seen)) = live_session(store, policy, token).await? else {
        return Ok(None);
    };
    let at = now();
    if at - last_seen > 60 {
        let hashed = token_hash(token);
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
    Ok(Some(session))
}

/// The session behind a token, if it is still live, without counting this as the officer's
/// activity: for checking again a page that stays open (the SOS board's live stream), which
/// must end when the session would, not keep it alive.
pub async fn peek_session(
    store: &Store,
    policy: Policy,
    token: &str,
) -> Result<Option<Session>, StoreError> {
    Ok(live_session(store, policy, token)
        .await?
        .map(|(session, _)| session))
}

/// The live session behind a token (of an enabled officer), and when it was last refreshed.
async fn live_session(
    store: &Store,
    policy: Policy,
    token: &str,
) -> Result<Option<(Session, i64)>, StoreError> {
    let at = now();
    let row = sqlx::query(
        "SELECT o.id, o.username, o.display_name, o.role, o.place_key, s.last_seen_at, s.stage \
         FROM sessions s JOIN officers o ON o.id = s.officer_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND o.disabled = 0",
    )
    .bind(token_hash(token))
    .bind(at)
    .bind(at - policy.idle_secs)
    .fetch_optional(store.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    let session = Session {
        officer: Officer {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            role: Role::parse(&role).map_err(|_| StoreError::Sealing)?,
            place: row
                .try_get::<Option<String>, _>("place_key")?
                .unwrap_or_default(),
        },
        stage: Stage::parse(&row.try_get::<String, _>("stage")?),
    };
    Ok(Some((session, row.try_get("last_seen_at")?)))
}

/// Moves a session to its next stage; reaching `Full` clears the failures, gives the session
/// its full lifetime and is the log-in the audit records.
async fn advance(
    conn: &mut Conn,
    policy: Policy,
    token_hash: &str,
    officer_id: i64,
    next: Stage,
) -> Result<(), StoreError> {
    let at = now();
    let expires_at = if next == Stage::Full {
        at + policy.max_secs
    } else {
        at + PENDING_SECS
    };
    sqlx::query(
        "UPDATE sessions SET stage = $1, code_passed = 1, pending_totp = NULL, expires_at = $2, \
         last_seen_at = $3 WHERE token_hash = $4",
    )
    .bind(next.key())
    .bind(expires_at)
    .bind(at)
    .bind(token_hash)
    .execute(&mut *conn)
    .await?;
    if next == Stage::Full {
        sqlx::query(
            "UPDATE officers SET failed_logins = 0, locked_until = 0, attempt_until = 0 \
             WHERE id = $1",
        )
        .bind(officer_id)
        .execute(&mut *conn)
        .await?;
        audit::record(conn, Some(officer_id), Action::LogIn, None, "").await?;
        tracing::info!(officer.id = officer_id, "officer logged in");
    }
    Ok(())
}

/// Sets a password the officer chose: at first log-in (the `Password` stage) or from the
/// account page, where the current password must be given too. Every other session ends.
pub async fn change_password(
    store: &Store,
    policy: Policy,
    token: &str,
    officer: &Officer,
    current: Option<Secret>,
    new: Secret,
    confirm: Secret,
) -> Result<Stage, ServiceError> {
    // From the account page the session is already full and keeps its lifetime.
    let already_in = current.is_some();
    if let Some(current) = current {
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM officers WHERE id = $1")
            .bind(officer.id)
            .fetch_one(store.reader())
            .await?;
        if !verify_password(current, hash).await {
            return Err(InputError::CurrentPasswordWrong.into());
        }
    }
    let password = parse_new_password(&new.0, &confirm.0, &officer.username)?;
    let old_hash: String = sqlx::query_scalar("SELECT password_hash FROM officers WHERE id = $1")
        .bind(officer.id)
        .fetch_one(store.reader())
        .await?;
    if verify_password(Secret(password.clone()), old_hash).await {
        return Err(InputError::PasswordUnchanged.into());
    }
    let hash = hash_password(Secret(password)).await?;
    let (hashed, id) = (token_hash(token), officer.id);
    let enrolled: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN totp_sealed IS NULL THEN 0 ELSE 1 END FROM officers WHERE id = $1",
    )
    .bind(id)
    .fetch_one(store.reader())
    .await?;
    let next = Stage::next(enrolled != 0, false, true);
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE officers SET password_hash = $1, must_change_password = 0 WHERE id = $2",
                )
                .bind(&hash)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE officer_id = $1 AND token_hash <> $2")
                    .bind(id)
                    .bind(&hashed)
                    .execute(&mut *conn)
                    .await?;
                audit::record(conn, Some(id), Action::PasswordChanged, None, "").await?;
                if already_in {
                    return Ok(());
                }
                advance(conn, policy, &hashed, id, next).await
            })
        })
        .await?;
    Ok(next)
}

/// Ends one session.
pub async fn log_out(store: &Store, officer: &Officer, token: &str) -> Result<(), StoreError> {
    let hashed = token_hash(token);
    let officer_id = officer.id;
    store
        .write_audited(move |conn| {
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

/// Ends every session of the officer, on every device and every server.
pub async fn log_out_everywhere(store: &Store, officer: &Officer) -> Result<(), StoreError> {
    let officer_id = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM sessions WHERE officer_id = $1")
                    .bind(officer_id)
                    .execute(&mut *conn)
                    .await?;
                audit::record(conn, Some(officer_id), Action::LogOutEverywhere, None, "").await
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_put_the_second_factor_first() {
        assert_eq!(Stage::next(true, true, false), Stage::Code);
        assert_eq!(Stage::next(true, true, true), Stage::Password);
        assert_eq!(Stage::next(false, true, false), Stage::Password);
        assert_eq!(Stage::next(false, false, false), Stage::Enrol);
        assert_eq!(Stage::next(true, false, true), Stage::Full);
    }

    #[test]
    fn failures_wait_longer_then_lock() {
        let policy = Policy::default();
        assert_eq!(lock_until(5, 1000, policy), 0);
        assert_eq!(lock_until(6, 1000, policy), 1030);
        assert_eq!(lock_until(7, 1000, policy), 1060);
        assert_eq!(lock_until(9, 1000, policy), 1240);
        assert_eq!(lock_until(10, 1000, policy), 1000 + 3600);
    }
}

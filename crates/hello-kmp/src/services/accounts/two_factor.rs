//! The second factor: TOTP codes (RFC 6238, one step of drift, never the same step twice),
//! single-use recovery codes kept as keyed hashes, and enrolment with a key offered once per
//! session.

use rand::RngExt;
use sqlx::Row;

use super::lockout::{Counter, audit_failure, begin_attempt, end_attempt};
use super::{Officer, Policy, RECOVERY_CODES, Stage, advance};
use crate::domain::{InputError, digits};
use crate::sealing::{Keys, token_hash};
use crate::services::ServiceError;
use crate::services::audit::{self, Action};
use crate::store::{Store, StoreError, now};

/// What the officer typed as a second factor.
enum Code {
    Totp(String),
    Recovery(String),
}

fn parse_code(input: &str) -> Result<Code, InputError> {
    let cleaned: String = digits::to_ascii(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_lowercase();
    if cleaned.len() == 6 && cleaned.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Code::Totp(cleaned))
    } else if cleaned.len() == 10 && cleaned.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Code::Recovery(cleaned))
    } else {
        Err(InputError::CodeWrong)
    }
}

fn authenticator(secret: Vec<u8>, username: &str) -> Result<totp_rs::Totp, ServiceError> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_account_name(username)
        .with_issuer(Some("Hello KMP"))
        .build()
        .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("building the authenticator: {e}")))
}

fn totp_context(officer_id: i64) -> String {
    format!("officer-totp:{officer_id}")
}

fn pending_context(token_hash: &str) -> String {
    format!("session-totp:{token_hash}")
}

/// Finishes the `Code` stage with a TOTP code (one step of clock drift allowed, never the same
/// step twice) or an unused recovery code.
pub async fn enter_code(
    store: &Store,
    keys: &Keys,
    policy: Policy,
    token: &str,
    officer: &Officer,
    input: &str,
) -> Result<Stage, ServiceError> {
    let row = sqlx::query("SELECT totp_sealed, must_change_password FROM officers WHERE id = $1")
        .bind(officer.id)
        .fetch_one(store.reader())
        .await?;
    let counter = Counter::Account(officer.id);
    if !begin_attempt(store, &counter).await? {
        audit_failure(store, Some(officer.id), "locked").await?;
        return Err(InputError::TooManyLogins.into());
    }
    let must_change = row.try_get::<i64, _>("must_change_password")? != 0;
    let sealed: Option<Vec<u8>> = row.try_get("totp_sealed")?;
    let sealed = sealed.ok_or(ServiceError::Forbidden)?;
    let accepted = match parse_code(input) {
        Ok(Code::Totp(code)) => {
            let secret = keys
                .open(&totp_context(officer.id), &sealed)
                .map_err(StoreError::from)?;
            let step = authenticator(secret, &officer.username)?.check(&code, now() as u64);
            match step {
                Some(step) => Accepted::Step(step as i64),
                None => Accepted::No,
            }
        }
        Ok(Code::Recovery(code)) => Accepted::Recovery(keys.lookup_hash("recovery-code", &code)),
        Err(_) => Accepted::No,
    };
    let (hashed, id) = (token_hash(token), officer.id);
    let next = Stage::next(true, must_change, true);
    let passed = store
        .write_audited(move |conn| {
            Box::pin(async move {
                let used = match &accepted {
                    // `totp_last_step < $1`: a code, once accepted, is refused if replayed.
                    Accepted::Step(step) => sqlx::query(
                        "UPDATE officers SET totp_last_step = $1 WHERE id = $2 \
                         AND totp_last_step < $1",
                    )
                    .bind(*step)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected(),
                    Accepted::Recovery(hash) => sqlx::query(
                        "UPDATE recovery_codes SET used_at = $1 WHERE officer_id = $2 \
                         AND code_hash = $3 AND used_at IS NULL",
                    )
                    .bind(now())
                    .bind(id)
                    .bind(hash)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected(),
                    Accepted::No => 0,
                };
                if used != 1 {
                    end_attempt(conn, policy, &counter, true).await?;
                    audit::record(conn, Some(id), Action::LogInFailed, None, "code").await?;
                    return Ok(false);
                }
                end_attempt(conn, policy, &counter, false).await?;
                advance(conn, policy, &hashed, id, next).await?;
                if matches!(accepted, Accepted::Recovery(_)) {
                    audit::record(conn, Some(id), Action::RecoveryCodeUsed, None, "").await?;
                }
                Ok(true)
            })
        })
        .await?;
    if passed {
        Ok(next)
    } else {
        Err(InputError::CodeWrong.into())
    }
}

enum Accepted {
    Step(i64),
    Recovery(String),
    No,
}

/// The authenticator key offered at enrolment: the same one until it is confirmed, so that
/// reloading the page does not invalidate what was already scanned.
pub struct Offer {
    /// Base32, as authenticator apps take it typed.
    pub key: String,
    /// The `otpauth://` address the QR code carries.
    pub url: String,
}

pub async fn enrolment_offer(
    store: &Store,
    keys: &Keys,
    token: &str,
    officer: &Officer,
) -> Result<Offer, ServiceError> {
    let hashed = token_hash(token);
    let context = pending_context(&hashed);
    let secret = match pending_key(store, &hashed).await? {
        Some(sealed) => keys.open(&context, &sealed).map_err(StoreError::from)?,
        None => {
            let secret = totp_rs::Secret::generate().as_bytes().to_vec();
            let sealed = keys.seal(&context, &secret);
            store
                .write(move |conn| {
                    Box::pin(async move {
                        sqlx::query("UPDATE sessions SET pending_totp = $1 WHERE token_hash = $2")
                            .bind(&sealed)
                            .bind(&hashed)
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
                .await?;
            secret
        }
    };
    let totp = authenticator(secret, &officer.username)?;
    Ok(Offer {
        key: totp.secret().to_base32(),
        url: totp
            .to_url()
            .map_err(|e| ServiceError::Unexpected(anyhow::anyhow!("otpauth address: {e}")))?,
    })
}

/// The sealed key offered to this session at enrolment, if one was.
async fn pending_key(store: &Store, token_hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT pending_totp FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(store.reader())
            .await?
            .flatten(),
    )
}

/// Confirms enrolment with a code from the new authenticator; returns the next stage and the
/// recovery codes, shown once and kept only as hashes.
pub async fn finish_enrolment(
    store: &Store,
    keys: &Keys,
    policy: Policy,
    token: &str,
    officer: &Officer,
    input: &str,
) -> Result<(Stage, Vec<String>), ServiceError> {
    let hashed = token_hash(token);
    let sealed = pending_key(store, &hashed)
        .await?
        .ok_or(InputError::CodeWrong)?;
    let secret = keys
        .open(&pending_context(&hashed), &sealed)
        .map_err(StoreError::from)?;
    let step = match parse_code(input) {
        Ok(Code::Totp(code)) => {
            authenticator(secret.clone(), &officer.username)?.check(&code, now() as u64)
        }
        _ => None,
    };
    let Some(step) = step else {
        // Not counted towards a lock (the key was shown a moment ago, so a wrong code is a
        // slip), but every failed code is in the audit log, this one too.
        audit_failure(store, Some(officer.id), "enrolment code").await?;
        return Err(InputError::CodeWrong.into());
    };
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| keys.lookup_hash("recovery-code", &c.replace('-', "")))
        .collect();
    let officer_sealed = keys.seal(&totp_context(officer.id), &secret);
    let id = officer.id;
    let must_change: i64 =
        sqlx::query_scalar("SELECT must_change_password FROM officers WHERE id = $1")
            .bind(id)
            .fetch_one(store.reader())
            .await?;
    let next = Stage::next(true, must_change != 0, true);
    let enrolled = store
        .write_audited(move |conn| {
            Box::pin(async move {
                // `totp_sealed IS NULL`: an account has one authenticator; a second half-finished
                // log-in cannot replace the one just enrolled.
                let enrolled = sqlx::query(
                    "UPDATE officers SET totp_sealed = $1, totp_last_step = $2 \
                     WHERE id = $3 AND totp_sealed IS NULL",
                )
                .bind(&officer_sealed)
                .bind(step as i64)
                .bind(id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if enrolled != 1 {
                    return Ok(false);
                }
                // Any other half-finished log-in of this officer ends here.
                sqlx::query(
                    "DELETE FROM sessions WHERE officer_id = $1 AND stage <> 'full' \
                     AND token_hash <> $2",
                )
                .bind(id)
                .bind(&hashed)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE officer_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                for hash in &hashes {
                    sqlx::query(
                        "INSERT INTO recovery_codes (officer_id, code_hash) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(hash)
                    .execute(&mut *conn)
                    .await?;
                }
                audit::record(conn, Some(id), Action::TwoFactorEnrolled, None, "").await?;
                advance(conn, policy, &hashed, id, next).await?;
                Ok(true)
            })
        })
        .await?;
    if !enrolled {
        return Err(ServiceError::Forbidden);
    }
    Ok((next, codes))
}

/// Ten letters and digits without look-alikes, shown as two groups of five.
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let raw: String = (0..10)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{}-{}", &raw[..5], &raw[5..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_either_digits_and_recovery_codes() {
        assert!(matches!(parse_code("১২৩ ৪৫৬"), Ok(Code::Totp(c)) if c == "123456"));
        assert!(matches!(parse_code("ABCDE-fgh23"), Ok(Code::Recovery(c)) if c == "abcdefgh23"));
        assert!(parse_code("12345").is_err());
        assert!(parse_code("").is_err());
    }
}

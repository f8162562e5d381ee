//! Failed log-ins, counted per name in the database: an attempt takes its name first, so a
//! burst of guesses cannot pass the lock check together, and names that match no account are
//! counted like accounts (as keyed hashes), so the answers do not tell them apart.

use super::{FREE_FAILURES, LOCKING_FAILURES, Policy};
use crate::services::audit::{self, Action};
use crate::store::{Conn, Store, StoreError, now};

pub(super) async fn audit_failure(
    store: &Store,
    officer_id: Option<i64>,
    what: &'static str,
) -> Result<(), StoreError> {
    store
        .write_audited(move |conn| {
            Box::pin(audit::record(
                conn,
                officer_id,
                Action::LogInFailed,
                None,
                what,
            ))
        })
        .await
}

/// What a run of failed log-ins counts against: an account, or a name that matches none (kept
/// only as a keyed hash).
///
/// Limitation: whoever knows a username can keep its account locked by failing ten times an
/// hour; counting per account and address would let a guesser with many addresses go on. An
/// administrator unlocks it. Both follow the same steps in the database, on every server, so the
/// answers cannot tell a known name from an unknown one.
#[derive(Debug, Clone)]
pub(super) enum Counter {
    Account(i64),
    Name(String),
}

/// How long one attempt may hold its name; a crashed request frees it after this.
const ATTEMPT_SECS: i64 = 30;
/// Counters of unknown names are forgotten a day after their last failure.
const FORGET_NAMES_AFTER: i64 = 24 * 3600;

/// Takes the name for one attempt, or answers `false` while it is locked or another attempt on
/// it is in flight: a burst of guesses sent at once cannot all pass the check before the first
/// failure is counted.
pub(super) async fn begin_attempt(store: &Store, counter: &Counter) -> Result<bool, StoreError> {
    let counter = counter.clone();
    store
        .write(move |conn| {
            Box::pin(async move {
                let at = now();
                let taken = match &counter {
                    Counter::Account(id) => sqlx::query(
                        "UPDATE officers SET attempt_until = $1 WHERE id = $2 \
                         AND locked_until <= $3 AND attempt_until <= $3",
                    )
                    .bind(at + ATTEMPT_SECS)
                    .bind(*id)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected(),
                    Counter::Name(hash) => {
                        sqlx::query(
                            "DELETE FROM login_failures WHERE updated_at < $1 AND locked_until < $2",
                        )
                        .bind(at - FORGET_NAMES_AFTER)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query(
                            "INSERT INTO login_failures (name_hash, failed_logins, locked_until, \
                             attempt_until, updated_at) VALUES ($1, 0, 0, 0, $2) \
                             ON CONFLICT (name_hash) DO NOTHING",
                        )
                        .bind(hash)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query(
                            "UPDATE login_failures SET attempt_until = $1, updated_at = $3 \
                             WHERE name_hash = $2 AND locked_until <= $3 AND attempt_until <= $3",
                        )
                        .bind(at + ATTEMPT_SECS)
                        .bind(hash)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?
                        .rows_affected()
                    }
                };
                Ok(taken == 1)
            })
        })
        .await
}

/// Frees the name after an attempt, counting it when it failed: after the fifth failure in a
/// row each waits longer, and the tenth locks the name for the set time.
pub(super) async fn end_attempt(
    conn: &mut Conn,
    policy: Policy,
    counter: &Counter,
    failed: bool,
) -> Result<(), StoreError> {
    let (read, write) = match counter {
        Counter::Account(_) => (
            "SELECT failed_logins, locked_until FROM officers WHERE id = $1",
            "UPDATE officers SET failed_logins = $1, locked_until = $2, attempt_until = 0 \
             WHERE id = $3",
        ),
        Counter::Name(_) => (
            "SELECT failed_logins, locked_until FROM login_failures WHERE name_hash = $1",
            "UPDATE login_failures SET failed_logins = $1, locked_until = $2, attempt_until = 0 \
             WHERE name_hash = $3",
        ),
    };
    let stored: Option<(i64, i64)> = match counter {
        Counter::Account(id) => {
            sqlx::query_as(read)
                .bind(*id)
                .fetch_optional(&mut *conn)
                .await?
        }
        Counter::Name(hash) => {
            sqlx::query_as(read)
                .bind(hash.as_str())
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let Some((failures, locked_until)) = stored else {
        return Ok(());
    };
    let at = now();
    let failures = count_from(failures, locked_until, at);
    // A success leaves the count (it clears when the log-in is complete) and no lock.
    let (failures, locked_until) = if failed {
        (failures + 1, lock_until(failures + 1, at, policy))
    } else {
        (failures, 0)
    };
    let update = sqlx::query(write).bind(failures).bind(locked_until);
    match counter {
        Counter::Account(id) => update.bind(*id).execute(&mut *conn).await?,
        Counter::Name(hash) => update.bind(hash.as_str()).execute(&mut *conn).await?,
    };
    if let Counter::Account(id) = counter
        && failed
        && failures >= LOCKING_FAILURES
    {
        // A locked account's half-finished log-ins end with it.
        sqlx::query("DELETE FROM sessions WHERE officer_id = $1 AND stage <> 'full'")
            .bind(*id)
            .execute(&mut *conn)
            .await?;
        if failures == LOCKING_FAILURES {
            audit::record(conn, Some(*id), Action::AccountLocked, None, "").await?;
        }
    }
    Ok(())
}

/// The failures to count on from. A lock that has run out starts the count again, so the next
/// failures are free and then wait longer, as the first ones did; otherwise each one would lock
/// the name for the full time at once.
fn count_from(failures: i64, locked_until: i64, at: i64) -> i64 {
    if failures >= LOCKING_FAILURES && locked_until <= at {
        0
    } else {
        failures
    }
}

/// Until when a name with `failures` failed log-ins in a row must wait: not at all for the
/// first five, then 30 s doubling, then the lock.
pub fn lock_until(failures: i64, at: i64, policy: Policy) -> i64 {
    if failures <= FREE_FAILURES {
        0
    } else if failures < LOCKING_FAILURES {
        at + (30 << (failures - FREE_FAILURES - 1))
    } else {
        at + policy.lock_secs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lock_that_ran_out_restarts_the_count() {
        let at = 1_000_000;
        assert_eq!(count_from(LOCKING_FAILURES, at - 1, at), 0);
        assert_eq!(count_from(LOCKING_FAILURES + 3, at, at), 0);
        assert_eq!(count_from(LOCKING_FAILURES, at + 60, at), LOCKING_FAILURES);
        // The short waits before the lock run out too, but the count goes on growing.
        assert_eq!(count_from(FREE_FAILURES + 2, at - 1, at), FREE_FAILURES + 2);
    }
}

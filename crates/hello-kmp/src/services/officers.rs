//! Officer accounts as administrators keep them, from the console or the command line: add,
//! list, edit, disable and enable, reset a password or the second factor, unlock. Every change
//! is audited with the administrator who made it (none from the command line); disabling or
//! resetting ends the officer's sessions at once.

use sqlx::Row;

use crate::domain::InputError;
use crate::domain::officer::{Role, parse_username};
use crate::services::ServiceError;
use crate::services::access;
use crate::services::accounts::{Officer, Secret, hash_password, readable_password};
use crate::services::audit::{self, Action};
use crate::services::reference::Reference;
use crate::store::{Store, StoreError, now};

/// An officer to create.
#[derive(Debug, Clone)]
pub struct NewOfficer {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub place: String,
}

impl NewOfficer {
    pub fn parse(
        username: &str,
        display_name: &str,
        role: &str,
        place: &str,
        reference: &Reference,
    ) -> Result<NewOfficer, InputError> {
        let username = parse_username(username)?;
        let role = Role::parse(role)?;
        let place = reference
            .place(place.trim())
            .ok_or(InputError::PlaceWrongForRole)?;
        if !role.fits_place_kind(&place.kind) {
            return Err(InputError::PlaceWrongForRole);
        }
        let display_name = display_name.trim();
        if display_name.chars().count() > 100 {
            return Err(InputError::NameTooLong);
        }
        let display_name = if display_name.is_empty() {
            username.clone()
        } else {
            display_name.into()
        };
        Ok(NewOfficer {
            username,
            display_name,
            role,
            place: place.key.clone(),
        })
    }
}

/// The officer form as an administrator typed it in the console.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OfficerForm {
    pub username: String,
    pub name: String,
    pub role: String,
    pub place: String,
}

/// Adds an officer from the console: the administrator is checked before the form is read.
/// Answers the username and the one-time password.
pub async fn add_from_form(
    store: &Store,
    actor: &Officer,
    reference: &Reference,
    form: &OfficerForm,
) -> Result<(String, Secret), ServiceError> {
    access::administers(actor)?;
    let new = NewOfficer::parse(
        &form.username,
        &form.name,
        &form.role,
        &form.place,
        reference,
    )?;
    let username = new.username.clone();
    let password = add(store, Some(actor), new).await?;
    Ok((username, password))
}

/// Edits an officer from the console; the username is the one in the address, not the form's.
pub async fn edit_from_form(
    store: &Store,
    actor: &Officer,
    reference: &Reference,
    username: &str,
    form: &OfficerForm,
) -> Result<(), ServiceError> {
    access::administers(actor)?;
    let changed = NewOfficer::parse(username, &form.name, &form.role, &form.place, reference)?;
    if changed.role != actor.role || changed.place != actor.place {
        refuse_own_account(Some(actor), username)?;
    }
    edit(store, Some(actor), username, changed).await
}

/// Creates the officer with a one-time password, to be handed over in person.
pub async fn add(
    store: &Store,
    actor: Option<&Officer>,
    officer: NewOfficer,
) -> Result<Secret, ServiceError> {
    let actor = authorize(actor)?;
    let password = Secret(readable_password());
    let hash = hash_password(password.clone()).await?;
    let created = store
        .write_audited(move |conn| {
            Box::pin(async move {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO officers (username, display_name, password_hash, role, place_key, \
                     must_change_password, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6) \
                     ON CONFLICT (username) DO NOTHING RETURNING id",
                )
                .bind(&officer.username)
                .bind(&officer.display_name)
                .bind(&hash)
                .bind(officer.role.key())
                .bind(&officer.place)
                .bind(now())
                .fetch_optional(&mut *conn)
                .await?;
                let Some(id) = id else { return Ok(false) };
                let detail = format!(
                    "officer {id} ({}), {} at {}",
                    officer.username,
                    officer.role.key(),
                    officer.place
                );
                audit::record(conn, actor, Action::AccountCreate, None, &detail).await?;
                Ok(true)
            })
        })
        .await?;
    if !created {
        return Err(InputError::UsernameTaken.into());
    }
    Ok(password)
}

/// Checks that a console actor is an administrator; `None` is the command line, run by the
/// operator on the server. Answers the id to audit.
fn authorize(actor: Option<&Officer>) -> Result<Option<i64>, ServiceError> {
    match actor {
        Some(officer) => access::administers(officer).map(|()| Some(officer.id)),
        None => Ok(None),
    }
}

/// An administrator does not disable their own account or change their own role or place from
/// the console: another administrator does, so that nobody locks themselves out by mistake.
fn refuse_own_account(actor: Option<&Officer>, username: &str) -> Result<(), ServiceError> {
    let own = actor.is_some_and(|a| a.username == username.trim().to_lowercase());
    if own {
        return Err(InputError::OwnAccount.into());
    }
    Ok(())
}

/// One officer as the list shows them.
#[derive(Debug, Clone)]
pub struct OfficerLine {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub place: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub enrolled: bool,
    pub locked_until: i64,
}

pub async fn list(store: &Store) -> Result<Vec<OfficerLine>, StoreError> {
    let rows = sqlx::query(
        "SELECT username, display_name, role, place_key, disabled, must_change_password, \
         locked_until, CASE WHEN totp_sealed IS NULL THEN 0 ELSE 1 END AS enrolled \
         FROM officers ORDER BY username",
    )
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(OfficerLine {
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                role: r.try_get("role")?,
                place: r.try_get("place_key")?,
                disabled: r.try_get::<i64, _>("disabled")? != 0,
                must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
                enrolled: r.try_get::<i64, _>("enrolled")? != 0,
                locked_until: r.try_get("locked_until")?,
            })
        })
        .collect()
}

/// Every officer, for an administrator's console page.
pub async fn list_as(store: &Store, actor: &Officer) -> Result<Vec<OfficerLine>, ServiceError> {
    access::administers(actor)?;
    Ok(list(store).await?)
}

/// One officer, for an administrator's edit page.
pub async fn find(
    store: &Store,
    actor: &Officer,
    username: &str,
) -> Result<OfficerLine, ServiceError> {
    access::administers(actor)?;
    let username = parse_username(username).map_err(|_| ServiceError::NotFound)?;
    list(store)
        .await?
        .into_iter()
        .find(|o| o.username == username)
        .ok_or(ServiceError::NotFound)
}

/// Changes an officer's name, role and place; their sessions end, so the new role applies at
/// once on every server.
pub async fn edit(
    store: &Store,
    actor: Option<&Officer>,
    username: &str,
    changed: NewOfficer,
) -> Result<(), ServiceError> {
    let actor = authorize(actor)?;
    let id = officer_id(store, username).await?;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                if changed.role != Role::Administrator && is_last_administrator(conn, id).await? {
                    return Ok(Err(InputError::LastAdministrator.into()));
                }
                sqlx::query(
                    "UPDATE officers SET display_name = $1, role = $2, place_key = $3 WHERE id = $4",
                )
                .bind(&changed.display_name)
                .bind(changed.role.key())
                .bind(&changed.place)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                end_sessions(conn, id).await?;
                let detail = format!(
                    "officer {id} ({}), {} at {}",
                    changed.username,
                    changed.role.key(),
                    changed.place
                );
                audit::record(conn, actor, Action::AccountEdit, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Disables the account and ends its sessions. Who asks is checked before whose account it is,
/// so an officer who may not disable accounts is refused as such, even for their own.
pub async fn disable(
    store: &Store,
    actor: Option<&Officer>,
    username: &str,
) -> Result<(), ServiceError> {
    let actor_id = authorize(actor)?;
    refuse_own_account(actor, username)?;
    let sql = "UPDATE officers SET disabled = 1 WHERE id = $1";
    account_change(store, actor_id, username, sql, Action::AccountDisable).await
}

/// Lets a disabled officer log in again.
pub async fn enable(
    store: &Store,
    actor: Option<&Officer>,
    username: &str,
) -> Result<(), ServiceError> {
    let actor = authorize(actor)?;
    let sql = "UPDATE officers SET disabled = 0 WHERE id = $1";
    account_change(store, actor, username, sql, Action::AccountEnable).await
}

/// Lifts a lock from failed log-ins and clears the count.
pub async fn unlock(
    store: &Store,
    actor: Option<&Officer>,
    username: &str,
) -> Result<(), ServiceError> {
    let actor = authorize(actor)?;
    let sql =
        "UPDATE officers SET failed_logins = 0, locked_until = 0, attempt_until = 0 WHERE id = $1";
    account_change(store, actor, username, sql, Action::AccountUnlock).await
}

/// Forgets the officer's authenticator and recovery codes (a lost phone) and gives a new
/// one-time password: both are handed over anew, so whoever knew the old password cannot
/// enrol an authenticator of their own. The officer chooses a password and enrols again at the
/// next log-in.
pub async fn reset_two_factor(
    store: &Store,
    actor: Option<&Officer>,
    username: &str,
) -> Result<Secret, ServiceError> {
    let actor = authorize(actor)?;
    let id = officer_id(store, username).await?;
    let name = username.trim().to_lowercase();
    let password = Secret(readable_password());
    let hash = hash_password(password.clone()).await?;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE officers SET totp_sealed = NULL, totp_last_step = 0, \
                     password_hash = $1, must_change_password = 1 WHERE id = $2",
                )
                .bind(&hash)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                sqlx::query("DELETE FROM recovery_codes WHERE officer_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                end_sessions(conn, id).await?;
                let detail = format!("officer {id} ({name})");
                audit::record(conn, actor, Action::AccountReset2fa, None, &detail).await
            })
        })
        .await?;
    Ok(password)
}

/// Runs one `UPDATE officers … WHERE id = $1`, ends the officer's sessions and audits it.
async fn account_change(
    store: &Store,
    actor: Option<i64>,
    username: &str,
    sql: &'static str,
    action: Action,
) -> Result<(), ServiceError> {
    let id = officer_id(store, username).await?;
    let name = username.trim().to_lowercase();
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                if action == Action::AccountDisable && is_last_administrator(conn, id).await? {
                    return Ok(Err(InputError::LastAdministrator.into()));
                }
                sqlx::query(sql).bind(id).execute(&mut *conn).await?;
                if action != Action::AccountUnlock {
                    end_sessions(conn, id).await?;
                }
                let detail = format!("officer {id} ({name})");
                audit::record(conn, actor, action, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?
}

/// Whether the officer is the only active administrator, whom no change may remove: someone
/// must always be able to manage accounts from the console. Only administrators who have
/// finished their first log-in (own password, authenticator) count as the others.
async fn is_last_administrator(conn: &mut crate::store::Conn, id: i64) -> Result<bool, StoreError> {
    // On PostgreSQL two administrators could otherwise remove each other at the same moment
    // from two writers: the administrators' rows are locked until this change commits.
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT id FROM officers WHERE role = 'administrator' FOR UPDATE")
            .fetch_all(&mut *conn)
            .await?;
    }
    let others: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM officers WHERE role = 'administrator' AND disabled = 0 AND id <> $1 \
         AND totp_sealed IS NOT NULL AND must_change_password = 0",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let this: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM officers WHERE role = 'administrator' AND disabled = 0 AND id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(this == 1 && others == 0)
}

/// A new one-time password, to be changed at the next log-in; the old sessions end.
pub async fn reset_password(
    store: &Store,
    actor: Option<&Officer>,
    username: &str,
) -> Result<Secret, ServiceError> {
    let actor = authorize(actor)?;
    let id = officer_id(store, username).await?;
    let name = username.trim().to_lowercase();
    let password = Secret(readable_password());
    let hash = hash_password(password.clone()).await?;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE officers SET password_hash = $1, must_change_password = 1 WHERE id = $2",
                )
                .bind(&hash)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                end_sessions(conn, id).await?;
                let detail = format!("officer {id} ({name})");
                audit::record(conn, actor, Action::AccountPasswordReset, None, &detail).await
            })
        })
        .await?;
    Ok(password)
}

/// Active officers of one thana or unit, for assigning a tip: (id, username, display name).
pub async fn of_place(
    store: &Store,
    place: &str,
) -> Result<Vec<(i64, String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, username, display_name FROM officers WHERE place_key = $1 AND disabled = 0 \
         AND role IN ('thana_officer', 'unit_officer') ORDER BY display_name",
    )
    .bind(place)
    .fetch_all(store.reader())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

async fn end_sessions(conn: &mut crate::store::Conn, officer_id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE officer_id = $1")
        .bind(officer_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn officer_id(store: &Store, username: &str) -> Result<i64, ServiceError> {
    let username = parse_username(username)?;
    sqlx::query_scalar("SELECT id FROM officers WHERE username = $1")
        .bind(username)
        .fetch_optional(store.reader())
        .await?
        .ok_or(ServiceError::NotFound)
}

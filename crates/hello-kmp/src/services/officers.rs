//! Officer accounts as administrators keep them: add, list, disable, reset a password. Every
//! change is audited; disabling or resetting ends the officer's sessions at once.
//
// Limitation: only the command line calls these so far; the administrators' console pages,
// editing and 2FA resets come with the rest of the console issue.

use sqlx::Row;

use crate::domain::InputError;
use crate::domain::officer::{Role, parse_username};
use crate::services::ServiceError;
use crate::services::accounts::{Secret, hash_password, readable_password};
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

/// Creates the officer with a one-time password, to be handed over in person.
pub async fn add(store: &Store, officer: NewOfficer) -> Result<Secret, ServiceError> {
    let password = Secret(readable_password());
    let hash = hash_password(password.clone()).await?;
    let created = store
        .write(move |conn| {
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
                let detail = format!("officer {id}, {} at {}", officer.role.key(), officer.place);
                audit::record(conn, None, Action::AccountCreate, None, &detail).await?;
                Ok(true)
            })
        })
        .await?;
    if !created {
        return Err(InputError::UsernameTaken.into());
    }
    Ok(password)
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
}

pub async fn list(store: &Store) -> Result<Vec<OfficerLine>, StoreError> {
    let rows = sqlx::query(
        "SELECT username, display_name, role, place_key, disabled, must_change_password \
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
            })
        })
        .collect()
}

/// Disables the account and ends its sessions.
pub async fn disable(store: &Store, username: &str) -> Result<(), ServiceError> {
    let id = officer_id(store, username).await?;
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("UPDATE officers SET disabled = 1 WHERE id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                end_sessions(conn, id).await?;
                audit::record(
                    conn,
                    None,
                    Action::AccountDisable,
                    None,
                    &format!("officer {id}"),
                )
                .await
            })
        })
        .await?;
    Ok(())
}

/// A new one-time password, to be changed at the next log-in; the old sessions end.
pub async fn reset_password(store: &Store, username: &str) -> Result<Secret, ServiceError> {
    let id = officer_id(store, username).await?;
    let password = Secret(readable_password());
    let hash = hash_password(password.clone()).await?;
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE officers SET password_hash = $1, must_change_password = 1 WHERE id = $2",
                )
                .bind(&hash)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                end_sessions(conn, id).await?;
                let detail = format!("officer {id}");
                audit::record(conn, None, Action::AccountPasswordReset, None, &detail).await
            })
        })
        .await?;
    Ok(password)
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

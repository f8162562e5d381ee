//! The console's side of tips: the queue, reading a tip (audited), status, assignment, replies
//! and internal notes. Every change and every view writes its audit entry in the same transaction.
//
// Limitation: any signed-in officer may read and change any tip; roles and jurisdictions come
// with the console issue and will be checked here, in the service, not in the handlers.

use sqlx::Row;

use super::citizen::insert_message;
use super::{Author, Message, SealedBody, TimelineEntry, body_context, message_context, open_text};
use crate::domain::InputError;
use crate::domain::tip::{self, Category, TipStatus};
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::audit::{self, Action};
use crate::services::reference::Reference;
use crate::store::{Conn, Store, StoreError, now};

/// Tips per page of the queue.
pub const PAGE_SIZE: i64 = 25;

/// The queue's filters; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<TipStatus>,
    pub category: Option<Category>,
    pub thana: Option<String>,
    /// Counted from 1.
    pub page: i64,
}

/// What a tip is about, without what it says: a line of the queue, the head of a tip's page.
#[derive(Debug, Clone)]
pub struct TipSummary {
    pub reference: String,
    pub category: Category,
    pub status: TipStatus,
    pub thana: Option<String>,
    pub assigned_place: Option<String>,
    pub needs_place_check: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct QueuePage {
    pub rows: Vec<TipSummary>,
    pub page: i64,
    pub has_next: bool,
    /// (status, number of tips) for every status.
    pub counts: Vec<(TipStatus, i64)>,
}

/// Newest first, filtered, one page.
pub async fn queue(store: &Store, filter: &QueueFilter) -> Result<QueuePage, ServiceError> {
    let page = filter.page.max(1);
    let rows = sqlx::query(
        "SELECT id, category, status, thana_key, assigned_place, needs_place_check, created_at \
         FROM tips WHERE ($1 = '' OR status = $1) AND ($2 = '' OR category = $2) \
         AND ($3 = '' OR thana_key = $3 OR assigned_place = $3) \
         ORDER BY id DESC LIMIT $4 OFFSET $5",
    )
    .bind(filter.status.map_or("", TipStatus::key))
    .bind(filter.category.map_or("", Category::key))
    .bind(filter.thana.as_deref().unwrap_or(""))
    .bind(PAGE_SIZE + 1)
    .bind((page - 1) * PAGE_SIZE)
    .fetch_all(store.reader())
    .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let rows = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(tip_summary)
        .collect::<Result<_, _>>()?;
    Ok(QueuePage {
        rows,
        page,
        has_next,
        counts: counts(store).await?,
    })
}

fn tip_summary(row: &sqlx::any::AnyRow) -> Result<TipSummary, StoreError> {
    let id: i64 = row.try_get("id")?;
    let created_at: i64 = row.try_get("created_at")?;
    Ok(TipSummary {
        reference: super::reference(id, created_at),
        category: Category::parse(&row.try_get::<String, _>("category")?)
            .map_err(|_| StoreError::Sealing)?,
        status: super::parse_status(&row.try_get::<String, _>("status")?)?,
        thana: row.try_get("thana_key")?,
        assigned_place: row.try_get("assigned_place")?,
        needs_place_check: row.try_get::<i64, _>("needs_place_check")? != 0,
        created_at,
    })
}

async fn counts(store: &Store) -> Result<Vec<(TipStatus, i64)>, StoreError> {
    let rows = sqlx::query("SELECT status, COUNT(*) FROM tips GROUP BY status")
        .fetch_all(store.reader())
        .await?;
    let mut counts: Vec<(TipStatus, i64)> = TipStatus::ALL.iter().map(|s| (*s, 0)).collect();
    for row in rows {
        let status = super::parse_status(&row.try_get::<String, _>(0)?)?;
        if let Some(entry) = counts.iter_mut().find(|(s, _)| *s == status) {
            entry.1 = row.try_get(1)?;
        }
    }
    Ok(counts)
}

/// A tip as an officer reads it, opened.
#[derive(Clone)]
pub struct OfficerTipView {
    pub summary: TipSummary,
    pub point: Option<(f64, f64)>,
    pub event_at: Option<i64>,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    pub messages: Vec<Message>,
}

/// Opens a tip for an officer. The view is audited before anything is shown.
pub async fn open_tip(
    store: &Store,
    keys: &Keys,
    officer: &Officer,
    reference: &str,
) -> Result<OfficerTipView, ServiceError> {
    let id = tip_id(store, reference).await?;
    audited(store, officer, Action::TipView, id, String::new()).await?;
    let row = sqlx::query(
        "SELECT id, uid, category, status, thana_key, assigned_place, lat, lon, needs_place_check, \
         event_at, created_at, body_sealed FROM tips WHERE id = $1",
    )
    .bind(id)
    .fetch_one(store.reader())
    .await?;
    let uid: String = row.try_get("uid")?;
    let sealed: Vec<u8> = row.try_get("body_sealed")?;
    let body: SealedBody = serde_json::from_slice(
        &keys
            .open(&body_context(&uid), &sealed)
            .map_err(StoreError::from)?,
    )
    .map_err(|_| StoreError::Sealing)?;
    let lat: Option<f64> = row.try_get("lat")?;
    let lon: Option<f64> = row.try_get("lon")?;
    let summary = tip_summary(&row)?;
    let created_at = summary.created_at;
    Ok(OfficerTipView {
        summary,
        point: lat.zip(lon),
        event_at: row.try_get("event_at")?,
        description: body.description,
        contact_name: body.contact_name,
        contact_phone: body.contact_phone,
        timeline: timeline(store, id, created_at).await?,
        messages: messages(store, keys, id).await?,
    })
}

/// Moves a tip to `next` if the rules allow it.
pub async fn change_status(
    store: &Store,
    officer: &Officer,
    reference: &str,
    next: TipStatus,
) -> Result<(), ServiceError> {
    let id = tip_id(store, reference).await?;
    let officer_id = officer.id;
    let outcome = store
        .write(move |conn| {
            Box::pin(async move {
                let current: String = sqlx::query_scalar("SELECT status FROM tips WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *conn)
                    .await?;
                if !super::parse_status(&current)?.may_become(next) {
                    return Ok(Err(InputError::StatusChangeNotAllowed));
                }
                let at = now();
                // `AND status = $4`: two officers changing the same tip at once cannot both pass
                // the check above against the same old status.
                let changed = sqlx::query(
                    "UPDATE tips SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
                )
                .bind(next.key())
                .bind(at)
                .bind(id)
                .bind(&current)
                .execute(&mut *conn)
                .await?;
                if changed.rows_affected() != 1 {
                    return Ok(Err(InputError::StatusChangeNotAllowed));
                }
                sqlx::query("INSERT INTO tip_events (tip_id, at, status) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(at)
                    .bind(next.key())
                    .execute(&mut *conn)
                    .await?;
                let detail = format!("{current} -> {}", next.key());
                audit::record(conn, Some(officer_id), Action::TipStatus, Some(id), &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?;
    outcome?;
    tracing::info!(
        tip.id = id,
        officer.id = officer_id,
        status = next.key(),
        "tip status changed"
    );
    Ok(())
}

/// Gives a tip to a thana or unit.
pub async fn assign(
    store: &Store,
    reference_data: &Reference,
    officer: &Officer,
    reference: &str,
    place_key: &str,
) -> Result<(), ServiceError> {
    let place = reference_data
        .place(place_key.trim())
        .ok_or(InputError::FormTampered)?;
    let id = tip_id(store, reference).await?;
    let (officer_id, place) = (officer.id, place.key.clone());
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("UPDATE tips SET assigned_place = $1, updated_at = $2 WHERE id = $3")
                    .bind(&place)
                    .bind(now())
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                audit::record(conn, Some(officer_id), Action::TipAssign, Some(id), &place).await
            })
        })
        .await?;
    tracing::info!(tip.id = id, officer.id = officer_id, "tip assigned");
    Ok(())
}

/// A question or answer to the tipster (`Author::Officer`) or an internal note (`Author::Note`).
pub async fn write_message(
    store: &Store,
    keys: &Keys,
    officer: &Officer,
    reference: &str,
    author: Author,
    text: &str,
) -> Result<(), ServiceError> {
    let text = tip::parse_message(text)?;
    if author == Author::Tipster {
        return Err(ServiceError::Forbidden);
    }
    let id = tip_id(store, reference).await?;
    let uid = random_hex(16);
    let sealed = keys.seal(&message_context(&uid), text.as_bytes());
    let officer_id = officer.id;
    let action = if author == Author::Note {
        Action::TipNote
    } else {
        Action::TipReply
    };
    store
        .write(move |conn| {
            Box::pin(async move {
                insert_message(conn, &uid, id, author, Some(officer_id), &sealed).await?;
                touch(conn, id).await?;
                audit::record(conn, Some(officer_id), action, Some(id), &uid).await
            })
        })
        .await?;
    tracing::info!(
        tip.id = id,
        officer.id = officer_id,
        kind = author.key(),
        "officer wrote on a tip"
    );
    Ok(())
}

async fn touch(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE tips SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn audited(
    store: &Store,
    officer: &Officer,
    action: Action,
    tip_id: i64,
    detail: String,
) -> Result<(), StoreError> {
    let officer_id = officer.id;
    store
        .write(move |conn| {
            Box::pin(async move {
                audit::record(conn, Some(officer_id), action, Some(tip_id), &detail).await
            })
        })
        .await
}

/// The internal id behind a reference, checking that its year matches.
async fn tip_id(store: &Store, reference: &str) -> Result<i64, ServiceError> {
    let (year, id) = super::parse_reference(reference).ok_or(ServiceError::NotFound)?;
    let created_at: i64 = sqlx::query_scalar("SELECT created_at FROM tips WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(ServiceError::NotFound)?;
    if super::reference(id, created_at) != format!("T-{year}-{id:06}") {
        return Err(ServiceError::NotFound);
    }
    Ok(id)
}

/// Received, then every change of status.
async fn timeline(
    store: &Store,
    tip_id: i64,
    created_at: i64,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let rows = sqlx::query("SELECT at, status FROM tip_events WHERE tip_id = $1 ORDER BY id")
        .bind(tip_id)
        .fetch_all(store.reader())
        .await?;
    let mut timeline = vec![TimelineEntry {
        at: created_at,
        status: TipStatus::New,
    }];
    for row in rows {
        let status = super::parse_status(&row.try_get::<String, _>(1)?)?;
        timeline.push(TimelineEntry {
            at: row.try_get(0)?,
            status,
        });
    }
    Ok(timeline)
}

/// Every message of the tip, internal notes included, opened, with the officers' names.
async fn messages(store: &Store, keys: &Keys, tip_id: i64) -> Result<Vec<Message>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.uid, m.author, m.body_sealed, m.created_at, o.display_name \
         FROM tip_messages m LEFT JOIN officers o ON o.id = m.officer_id \
         WHERE m.tip_id = $1 ORDER BY m.id",
    )
    .bind(tip_id)
    .fetch_all(store.reader())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let uid: String = row.try_get("uid")?;
        let sealed: Vec<u8> = row.try_get("body_sealed")?;
        out.push(Message {
            author: Author::parse(&row.try_get::<String, _>("author")?),
            officer_name: row.try_get("display_name")?,
            body: open_text(keys, &message_context(&uid), &sealed)?,
            at: row.try_get("created_at")?,
        });
    }
    Ok(out)
}

//! The console's side of tips: the queue, reading a tip (audited), status, assignment to an
//! officer, transfer to another desk, "duplicate of", priority, due date, replies and internal
//! notes. Every function asks [`access`] first, with the tip's desk as stored, and a refusal is
//! audited too. Every change and every view writes its audit entry in the same transaction.
//!
//! The check reads the desk before the change's transaction begins, so another officer may move
//! the tip in between: every change therefore writes only where the tip is still at the desk
//! that was checked (`... AND COALESCE(assigned_place, '') = $n AND COALESCE(copy_place, '') =
//! $m`), and is otherwise refused with [`InputError::DeskChanged`], writing nothing.

use std::sync::LazyLock;

use sqlx::Row;

use super::citizen::{NewMessage, insert_message};
use super::{Author, Message, SealedBody, TimelineEntry, body_context, message_context, open_text};
use crate::blobs::Blobs;
use crate::domain::InputError;
use crate::domain::tip::{self, Category, TipStatus};
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::services::access::{self, Desk, TipRight};
use crate::services::accounts::Officer;
use crate::services::attachments;
use crate::services::audit::{self, Action};
use crate::services::reference::Reference;
use crate::store::{Conn, Store, StoreError, now};

mod queue;
mod triage;

pub use queue::*;
pub use triage::*;

/// A tip as an officer reads it, opened.
#[derive(Clone)]
pub struct OfficerTipView {
    pub summary: TipSummary,
    pub point: Option<(f64, f64)>,
    pub event_at: Option<i64>,
    pub description: String,
    /// Shown only to the desk that works the tip (and administrators).
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// Whether the tipster left a name or number, which this officer may not be shown.
    pub contact_left: bool,
    pub timeline: Vec<TimelineEntry>,
    pub messages: Vec<Message>,
    /// The files sent with it, cleaned.
    pub attachments: Vec<attachments::Attachment>,
    /// What this officer may do with it.
    pub may_work: bool,
    pub may_note: bool,
}

/// Opens a tip for an officer. The view is audited before anything is shown.
pub async fn open_tip(
    store: &Store,
    keys: &Keys,
    officer: &Officer,
    reference: &str,
) -> Result<OfficerTipView, ServiceError> {
    let head = guard(store, officer, reference, TipRight::Read).await?;
    let id = head.id;
    audited(store, officer, Action::TipView, id, String::new()).await?;
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {SUMMARY_COLUMNS}, t.uid, t.event_at, t.body_sealed FROM tips t WHERE t.id = $1"
        )
    });
    let row = sqlx::query(SQL.as_str())
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
    let summary = tip_summary(&row, now())?;
    let created_at = summary.created_at;
    let may_work = access::may(officer, TipRight::Work, &head.desk);
    Ok(OfficerTipView {
        summary,
        point: body.lat.zip(body.lon),
        event_at: row.try_get("event_at")?,
        description: body.description,
        // Who the tipster is, when they chose to say, is for the desk that works the tip only.
        contact_left: body.contact_name.is_some() || body.contact_phone.is_some(),
        contact_name: body.contact_name.filter(|_| may_work),
        contact_phone: body.contact_phone.filter(|_| may_work),
        timeline: timeline(store, id, created_at).await?,
        messages: messages(store, keys, id).await?,
        attachments: attachments::of_tip(store, id).await?,
        may_work,
        may_note: access::may(officer, TipRight::Note, &head.desk),
    })
}

/// Moves a tip to the status `next` names, if the officer may work the tip and the rules allow
/// the move.
pub async fn change_status(
    store: &Store,
    officer: &Officer,
    reference: &str,
    next: &str,
) -> Result<(), ServiceError> {
    let head = guard(store, officer, reference, TipRight::Work).await?;
    let next = TipStatus::parse(next)?;
    let (id, desk, officer_id) = (head.id, head.desk, officer.id);
    let outcome = store
        .write_audited(move |conn| {
            Box::pin(async move {
                let done = move_status(conn, id, &desk, next).await?;
                if let Ok(from) = &done {
                    let detail = format!("{from} -> {}", next.key());
                    audit::record(conn, Some(officer_id), Action::TipStatus, Some(id), &detail)
                        .await?;
                }
                Ok(done.map(|_| ()))
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

/// Moves the tip's status inside the caller's transaction, if it is still at `desk`; answers
/// the old status.
async fn move_status(
    conn: &mut Conn,
    id: i64,
    desk: &Desk,
    next: TipStatus,
) -> Result<Result<String, InputError>, StoreError> {
    let row = sqlx::query("SELECT status, assigned_place, copy_place FROM tips WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if !same_desk(&desk_of(&row)?, desk) {
        return Ok(Err(InputError::DeskChanged));
    }
    let current: String = row.try_get("status")?;
    if !super::parse_status(&current)?.may_become(next) {
        return Ok(Err(InputError::StatusChangeNotAllowed));
    }
    let at = now();
    let (lead, copy) = desk_keys(desk);
    // `AND status = $4`: two officers changing the same tip at once cannot both pass the check
    // above against the same old status; and the desk, read above without a lock, still holds.
    let changed = sqlx::query(
        "UPDATE tips SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 \
         AND COALESCE(assigned_place, '') = $5 AND COALESCE(copy_place, '') = $6",
    )
    .bind(next.key())
    .bind(at)
    .bind(id)
    .bind(&current)
    .bind(lead)
    .bind(copy)
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() != 1 {
        return Ok(Err(unchanged_because(
            conn,
            id,
            desk,
            InputError::StatusChangeNotAllowed,
        )
        .await?));
    }
    sqlx::query("INSERT INTO tip_events (tip_id, at, status) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(at)
        .bind(next.key())
        .execute(&mut *conn)
        .await?;
    Ok(Ok(current))
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
    let right = match author {
        Author::Tipster => return Err(ServiceError::Forbidden),
        Author::Officer => TipRight::Work,
        Author::Note => TipRight::Note,
    };
    let head = guard(store, officer, reference, right).await?;
    let (id, desk) = (head.id, head.desk);
    let text = tip::parse_message(text)?;
    let uid = random_hex(16);
    let sealed = keys.seal(&message_context(&uid), text.as_bytes());
    let officer_id = officer.id;
    let action = if author == Author::Note {
        Action::TipNote
    } else {
        Action::TipReply
    };
    let outcome = store
        .write_audited(move |conn| {
            Box::pin(async move {
                if !touch(conn, id, &desk).await? {
                    return Ok(Err(InputError::DeskChanged));
                }
                let message = NewMessage {
                    uid: &uid,
                    tip_id: id,
                    via_tip_id: None,
                    author,
                    officer_id: Some(officer_id),
                    sealed: &sealed,
                    idempotency_hash: None,
                };
                insert_message(conn, message).await?;
                audit::record(conn, Some(officer_id), action, Some(id), &uid).await?;
                Ok(Ok(()))
            })
        })
        .await?;
    outcome?;
    tracing::info!(
        tip.id = id,
        officer.id = officer_id,
        kind = author.key(),
        "officer wrote on a tip"
    );
    Ok(())
}

/// Marks the tip as changed, if it is still at `desk`; answers whether it was.
async fn touch(conn: &mut Conn, id: i64, desk: &Desk) -> Result<bool, StoreError> {
    let (lead, copy) = desk_keys(desk);
    let touched = sqlx::query(
        "UPDATE tips SET updated_at = $1 WHERE id = $2 \
         AND COALESCE(assigned_place, '') = $3 AND COALESCE(copy_place, '') = $4",
    )
    .bind(now())
    .bind(id)
    .bind(lead)
    .bind(copy)
    .execute(&mut *conn)
    .await?;
    Ok(touched.rows_affected() == 1)
}

/// A desk's places as the conditional writes bind them (`''` for none).
fn desk_keys(desk: &Desk) -> (String, String) {
    (
        desk.lead.clone().unwrap_or_default(),
        desk.copy.clone().unwrap_or_default(),
    )
}

fn same_desk(a: &Desk, b: &Desk) -> bool {
    desk_keys(a) == desk_keys(b)
}

fn desk_of(row: &sqlx::any::AnyRow) -> Result<Desk, StoreError> {
    Ok(Desk {
        lead: row.try_get("assigned_place")?,
        copy: row.try_get("copy_place")?,
    })
}

/// Why a conditional write changed nothing: the desk moved, or else `otherwise`.
async fn unchanged_because(
    conn: &mut Conn,
    id: i64,
    desk: &Desk,
    otherwise: InputError,
) -> Result<InputError, StoreError> {
    let row = sqlx::query("SELECT assigned_place, copy_place FROM tips WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(if same_desk(&desk_of(&row)?, desk) {
        otherwise
    } else {
        InputError::DeskChanged
    })
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
        .write_audited(move |conn| {
            Box::pin(async move {
                audit::record(conn, Some(officer_id), action, Some(tip_id), &detail).await
            })
        })
        .await
}

/// One file of a tip, opened for an officer who may read the tip; every download is audited,
/// with the hash of what was served.
pub async fn download_attachment(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    officer: &Officer,
    reference: &str,
    uid: &str,
) -> Result<attachments::Download, ServiceError> {
    let head = guard(store, officer, reference, TipRight::Read).await?;
    let file = attachments::open(store, blobs, keys, head.id, uid).await?;
    let detail = format!("file {} sha256 {}", file.number, file.sha256);
    audited(store, officer, Action::AttachmentDownload, head.id, detail).await?;
    Ok(file)
}

/// A photo's thumbnail, for the tip's page of an officer who may read the tip.
pub async fn attachment_thumbnail(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    officer: &Officer,
    reference: &str,
    uid: &str,
) -> Result<Vec<u8>, ServiceError> {
    let head = guard(store, officer, reference, TipRight::Read).await?;
    let bytes = attachments::open_thumbnail(store, blobs, keys, head.id, uid).await?;
    // Even a small copy shows the evidence: each look is recorded.
    audited(
        store,
        officer,
        Action::AttachmentThumbnail,
        head.id,
        uid.to_string(),
    )
    .await?;
    Ok(bytes)
}

/// For a form whose fields were tampered with: refused as such to an officer who may at least
/// write notes on the tip, and as forbidden to one who may not, so the answer never says more
/// than the desk allows.
pub async fn refuse_after_check(
    store: &Store,
    officer: &Officer,
    reference: &str,
) -> Result<(), ServiceError> {
    guard(store, officer, reference, TipRight::Note).await?;
    Err(InputError::FormTampered.into())
}

/// Whether the officer may still open the tip (after moving it away, they may not).
pub async fn may_read(store: &Store, officer: &Officer, reference: &str) -> bool {
    let Some((_, id)) = super::parse_reference(reference) else {
        return false;
    };
    let row = sqlx::query("SELECT assigned_place, copy_place FROM tips WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await;
    let Ok(Some(row)) = row else { return false };
    let desk = Desk {
        lead: row.try_get("assigned_place").ok().flatten(),
        copy: row.try_get("copy_place").ok().flatten(),
    };
    access::may(officer, TipRight::Read, &desk)
}

/// A tip's id, desk and duplicate link.
struct TipHead {
    id: i64,
    desk: Desk,
    duplicate_of: Option<i64>,
}

/// The tip behind a reference, if the officer may do `right` to it. A refusal is audited: an
/// officer trying tips outside their desk is what the audit log is for.
async fn guard(
    store: &Store,
    officer: &Officer,
    reference: &str,
    right: TipRight,
) -> Result<TipHead, ServiceError> {
    if !access::has_tips(officer.role) {
        return Err(ServiceError::Forbidden);
    }
    let (year, id) = super::parse_reference(reference).ok_or(ServiceError::NotFound)?;
    let row = sqlx::query(
        "SELECT created_at, assigned_place, copy_place, duplicate_of FROM tips WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.reader())
    .await?
    .ok_or(ServiceError::NotFound)?;
    let created_at: i64 = row.try_get("created_at")?;
    if super::reference(id, created_at) != format!("T-{year}-{id:06}") {
        return Err(ServiceError::NotFound);
    }
    let head = TipHead {
        id,
        desk: Desk {
            lead: row.try_get("assigned_place")?,
            copy: row.try_get("copy_place")?,
        },
        duplicate_of: row.try_get("duplicate_of")?,
    };
    if !access::may(officer, right, &head.desk) {
        let detail = format!("{right:?}").to_lowercase();
        audited(store, officer, Action::AccessDenied, id, detail).await?;
        return Err(ServiceError::Forbidden);
    }
    Ok(head)
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
/// A tipster's message redirected here from a duplicate names that duplicate: it comes from
/// another tipster, and a reply on this tip would go to this tip's own tipster, not to them.
async fn messages(store: &Store, keys: &Keys, tip_id: i64) -> Result<Vec<Message>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.uid, m.author, m.body_sealed, m.created_at, o.display_name, \
         v.id AS via_id, v.created_at AS via_created \
         FROM tip_messages m LEFT JOIN officers o ON o.id = m.officer_id \
         LEFT JOIN tips v ON v.id = m.via_tip_id \
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
            via: row
                .try_get::<Option<i64>, _>("via_id")?
                .zip(row.try_get::<Option<i64>, _>("via_created")?)
                .map(|(id, created)| super::reference(id, created)),
        });
    }
    Ok(out)
}

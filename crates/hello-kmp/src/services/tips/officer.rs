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

/// Tips per page of the queue.
pub const PAGE_SIZE: i64 = 25;

/// The queue's filters; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: Option<TipStatus>,
    pub category: Option<Category>,
    pub thana: Option<String>,
    /// Only the tips assigned to the officer asking.
    pub mine: bool,
    /// Only open tips past their due date.
    pub overdue: bool,
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
    pub copy_place: Option<String>,
    pub assigned_officer: Option<String>,
    pub priority: bool,
    pub due_at: Option<i64>,
    /// Open and past its due date.
    pub overdue: bool,
    pub duplicate_of: Option<String>,
    pub needs_place_check: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct QueuePage {
    pub rows: Vec<TipSummary>,
    pub page: i64,
    pub has_next: bool,
    /// (status, number of tips) for every status, within the officer's desks.
    pub counts: Vec<(TipStatus, i64)>,
    /// Open tips assigned to the officer.
    pub mine: i64,
    /// Open tips past their due date, within the officer's desks.
    pub overdue: i64,
}

/// The columns a [`TipSummary`] is read from, on `tips t`.
const SUMMARY_COLUMNS: &str = "t.id, t.category, t.status, t.thana_key, t.assigned_place, \
    t.copy_place, t.priority, t.due_at, t.duplicate_of, t.needs_place_check, t.created_at, \
    (SELECT display_name FROM officers o WHERE o.id = t.assigned_officer) AS assigned_name, \
    (SELECT d.created_at FROM tips d WHERE d.id = t.duplicate_of) AS original_created_at";

/// Statuses after which nothing is due.
const CLOSED: &str = "('action_taken', 'closed_no_action', 'closed_duplicate', 'closed_false')";

/// The officer's tips, filtered, one page: priority first, then newest.
pub async fn queue(
    store: &Store,
    officer: &Officer,
    filter: &QueueFilter,
) -> Result<QueuePage, ServiceError> {
    let scope = access::queue_scope(officer)?.unwrap_or("");
    let page = filter.page.max(1);
    let at = now();
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {SUMMARY_COLUMNS} FROM tips t \
         WHERE ($1 = '' OR t.status = $1) AND ($2 = '' OR t.category = $2) \
         AND ($3 = '' OR t.thana_key = $3 OR t.assigned_place = $3) \
         AND ($4 = '' OR t.assigned_place = $4 OR t.copy_place = $4) \
         AND ($5 = 0 OR t.assigned_officer = $6) \
         AND ($7 = 0 OR (t.due_at < $8 AND t.status NOT IN {CLOSED})) \
         ORDER BY t.priority DESC, t.id DESC LIMIT $9 OFFSET $10"
        )
    });
    let rows = sqlx::query(SQL.as_str())
        .bind(filter.status.map_or("", TipStatus::key))
        .bind(filter.category.map_or("", Category::key))
        .bind(filter.thana.as_deref().unwrap_or(""))
        .bind(scope)
        .bind(i64::from(filter.mine))
        .bind(officer.id)
        .bind(i64::from(filter.overdue))
        .bind(at)
        .bind(PAGE_SIZE + 1)
        .bind((page - 1) * PAGE_SIZE)
        .fetch_all(store.reader())
        .await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    let rows = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|r| tip_summary(r, at))
        .collect::<Result<_, _>>()?;
    Ok(QueuePage {
        rows,
        page,
        has_next,
        counts: counts(store, scope).await?,
        mine: count_mine(store, officer.id, scope).await?,
        overdue: count_overdue(store, scope, at).await?,
    })
}

fn tip_summary(row: &sqlx::any::AnyRow, at: i64) -> Result<TipSummary, StoreError> {
    let id: i64 = row.try_get("id")?;
    let created_at: i64 = row.try_get("created_at")?;
    let status = super::parse_status(&row.try_get::<String, _>("status")?)?;
    let due_at: Option<i64> = row.try_get("due_at")?;
    let duplicate_of: Option<i64> = row.try_get("duplicate_of")?;
    let original_created_at: Option<i64> = row.try_get("original_created_at")?;
    Ok(TipSummary {
        reference: super::reference(id, created_at),
        category: Category::parse(&row.try_get::<String, _>("category")?)
            .map_err(|_| StoreError::Sealing)?,
        status,
        thana: row.try_get("thana_key")?,
        assigned_place: row.try_get("assigned_place")?,
        copy_place: row.try_get("copy_place")?,
        assigned_officer: row.try_get("assigned_name")?,
        priority: row.try_get::<i64, _>("priority")? != 0,
        due_at,
        overdue: due_at.is_some_and(|d| d < at) && !status.is_final(),
        duplicate_of: duplicate_of
            .zip(original_created_at)
            .map(|(id, created)| super::reference(id, created)),
        needs_place_check: row.try_get::<i64, _>("needs_place_check")? != 0,
        created_at,
    })
}

async fn counts(store: &Store, scope: &str) -> Result<Vec<(TipStatus, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) FROM tips \
         WHERE ($1 = '' OR assigned_place = $1 OR copy_place = $1) GROUP BY status",
    )
    .bind(scope)
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

async fn count_mine(store: &Store, officer_id: i64, scope: &str) -> Result<i64, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT COUNT(*) FROM tips WHERE assigned_officer = $1 AND status NOT IN {CLOSED} \
             AND ($2 = '' OR assigned_place = $2 OR copy_place = $2)"
        )
    });
    Ok(sqlx::query_scalar(SQL.as_str())
        .bind(officer_id)
        .bind(scope)
        .fetch_one(store.reader())
        .await?)
}

async fn count_overdue(store: &Store, scope: &str, at: i64) -> Result<i64, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT COUNT(*) FROM tips WHERE ($1 = '' OR assigned_place = $1 OR copy_place = $1) \
             AND due_at < $2 AND status NOT IN {CLOSED}"
        )
    });
    Ok(sqlx::query_scalar(SQL.as_str())
        .bind(scope)
        .bind(at)
        .fetch_one(store.reader())
        .await?)
}

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

/// Gives a tip to an officer of its desk, or to nobody (`username` empty).
pub async fn assign(
    store: &Store,
    officer: &Officer,
    reference: &str,
    username: &str,
) -> Result<(), ServiceError> {
    let head = guard(store, officer, reference, TipRight::Work).await?;
    let assignee: Option<i64> = match username.trim() {
        "" => None,
        name => Some(
            sqlx::query_scalar(
                "SELECT id FROM officers WHERE username = $1 AND disabled = 0 \
                 AND place_key = $2 AND role IN ('thana_officer', 'unit_officer')",
            )
            .bind(name.to_lowercase())
            .bind(head.desk.lead.as_deref().unwrap_or(""))
            .fetch_optional(store.reader())
            .await?
            .ok_or(InputError::OfficerUnknown)?,
        ),
    };
    // The assignee was checked against the same desk.
    let detail = assignee.map_or("nobody".to_string(), |a| format!("officer {a}"));
    set_at_desk(store, officer, &head, Triage::Assignee, assignee, detail).await?;
    tracing::info!(tip.id = head.id, officer.id = officer.id, "tip assigned");
    Ok(())
}

/// Moves a tip to another thana or unit, with the reason kept as an internal note. The new
/// desk's officers see it at once; the old desk no longer does.
pub async fn transfer(
    store: &Store,
    keys: &Keys,
    reference_data: &Reference,
    officer: &Officer,
    reference: &str,
    place_key: &str,
    reason: &str,
) -> Result<(), ServiceError> {
    let head = guard(store, officer, reference, TipRight::Work).await?;
    let place = reference_data
        .place(place_key.trim())
        .filter(|p| p.kind != "hq")
        .ok_or(InputError::PlaceUnknown)?;
    if head.desk.lead.as_deref() == Some(place.key.as_str()) {
        return Err(InputError::SameDesk.into());
    }
    let reason = tip::parse_reason(reason)?;
    let from = head.desk.lead.clone().unwrap_or_default();
    let to = place.key.clone();
    // The note is sealed once and read in either language, so it names both places in both.
    let name = |key: &str, lang| reference_data.place_name(key, lang);
    let (bn, en) = (crate::i18n::Lang::Bn, crate::i18n::Lang::En);
    let note = format!(
        "{} → {} ({} → {}): {reason}",
        name(&from, bn),
        name(&to, bn),
        name(&from, en),
        name(&to, en)
    );
    let uid = random_hex(16);
    let sealed = keys.seal(&message_context(&uid), note.as_bytes());
    let (id, officer_id) = (head.id, officer.id);
    let (lead, copy) = desk_keys(&head.desk);
    let outcome = store
        .write_audited(move |conn| {
            Box::pin(async move {
                let moved = sqlx::query(
                    "UPDATE tips SET assigned_place = $1, assigned_officer = NULL, updated_at = $2 \
                     WHERE id = $3 AND COALESCE(assigned_place, '') = $4 \
                     AND COALESCE(copy_place, '') = $5",
                )
                .bind(&to)
                .bind(now())
                .bind(id)
                .bind(lead)
                .bind(copy)
                .execute(&mut *conn)
                .await?;
                if moved.rows_affected() != 1 {
                    return Ok(Err(InputError::DeskChanged));
                }
                let message = NewMessage {
                    uid: &uid,
                    tip_id: id,
                    via_tip_id: None,
                    author: Author::Note,
                    officer_id: Some(officer_id),
                    sealed: &sealed,
                    idempotency_hash: None,
                };
                insert_message(conn, message).await?;
                let detail = format!("{from} -> {to}");
                audit::record(
                    conn,
                    Some(officer_id),
                    Action::TipTransfer,
                    Some(id),
                    &detail,
                )
                .await?;
                Ok(Ok(()))
            })
        })
        .await?;
    outcome?;
    tracing::info!(tip.id = id, officer.id = officer_id, "tip transferred");
    Ok(())
}

/// Marks a tip as a duplicate of another (both worked by the officer's desk) and closes it as
/// such; the tipster's later messages reach the original, marked as coming from the duplicate.
/// Tips already marked as duplicates of this one now point at the original too, so that no
/// chain forms and their tipsters' messages reach it as well.
pub async fn mark_duplicate(
    store: &Store,
    officer: &Officer,
    reference: &str,
    original: &str,
) -> Result<(), ServiceError> {
    let head = guard(store, officer, reference, TipRight::Work).await?;
    // Work on both: the tipster's later messages will reach the original's desk, so only a desk
    // that works both tips may link them.
    let original = match guard(store, officer, original, TipRight::Work).await {
        Ok(original) => original,
        Err(ServiceError::NotFound) => return Err(InputError::TipUnknown.into()),
        Err(other) => return Err(other),
    };
    duplicate_link_allowed(&head, &original)?;
    let officer_id = officer.id;
    let outcome = store
        .write_audited(move |conn| {
            Box::pin(async move {
                // Read again, inside the change: both tips as they are now, locked on PostgreSQL
                // so that no other change to either commits before this one does.
                let (now_head, now_original) = link_ends(conn, head.id, original.id).await?;
                if !same_desk(&now_head.desk, &head.desk)
                    || !same_desk(&now_original.desk, &original.desk)
                {
                    return Ok(Err(InputError::DeskChanged));
                }
                if let Err(refused) = duplicate_link_allowed(&now_head, &now_original) {
                    return Ok(Err(refused));
                }
                let (id, original_id) = (head.id, original.id);
                let closed = move_status(conn, id, &head.desk, TipStatus::ClosedDuplicate).await?;
                if let Err(refused) = closed {
                    return Ok(Err(refused));
                }
                sqlx::query("UPDATE tips SET duplicate_of = $1 WHERE id = $2")
                    .bind(original_id)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                let detail = format!("of tip {original_id}");
                audit::record(
                    conn,
                    Some(officer_id),
                    Action::TipDuplicate,
                    Some(id),
                    &detail,
                )
                .await?;
                repoint_duplicates(conn, officer_id, id, original_id).await?;
                Ok(Ok(()))
            })
        })
        .await?;
    outcome?;
    Ok(())
}

/// Whether `head` may become a duplicate of `original`: not of itself, not of one of its own
/// duplicates (the two would point at each other), not of a tip that is itself a duplicate.
/// (Whether `head`'s status may become "duplicate" is `move_status`'s to say.)
fn duplicate_link_allowed(head: &TipHead, original: &TipHead) -> Result<(), InputError> {
    match original.duplicate_of {
        _ if original.id == head.id => Err(InputError::DuplicateOfItself),
        Some(of) if of == head.id => Err(InputError::DuplicateCycle),
        Some(_) => Err(InputError::DuplicateOfItself),
        None => Ok(()),
    }
}

/// Both tips of a duplicate link as the transaction sees them, locked (PostgreSQL) in the order
/// of their ids so that two links made at once between the same tips cannot deadlock.
async fn link_ends(
    conn: &mut Conn,
    id: i64,
    original_id: i64,
) -> Result<(TipHead, TipHead), StoreError> {
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT id, assigned_place, copy_place, duplicate_of FROM tips \
         WHERE id = $1 OR id = $2 ORDER BY id FOR UPDATE"
    } else {
        "SELECT id, assigned_place, copy_place, duplicate_of FROM tips \
         WHERE id = $1 OR id = $2 ORDER BY id"
    };
    let rows = sqlx::query(sql)
        .bind(id)
        .bind(original_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut heads = Vec::with_capacity(2);
    for row in &rows {
        heads.push(TipHead {
            id: row.try_get("id")?,
            desk: desk_of(row)?,
            duplicate_of: row.try_get("duplicate_of")?,
        });
    }
    let mut take = |wanted: i64| {
        heads
            .iter()
            .position(|h| h.id == wanted)
            .map(|i| heads.swap_remove(i))
            .ok_or(StoreError::NotFound)
    };
    Ok((take(id)?, take(original_id)?))
}

/// Tips marked as duplicates of `id` become duplicates of `original_id`, each change audited.
async fn repoint_duplicates(
    conn: &mut Conn,
    officer_id: i64,
    id: i64,
    original_id: i64,
) -> Result<(), StoreError> {
    let earlier: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM tips WHERE duplicate_of = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    for dup in earlier {
        sqlx::query("UPDATE tips SET duplicate_of = $1, updated_at = $2 WHERE id = $3")
            .bind(original_id)
            .bind(now())
            .bind(dup)
            .execute(&mut *conn)
            .await?;
        let detail = format!("of tip {original_id} (was of tip {id})");
        audit::record(
            conn,
            Some(officer_id),
            Action::TipDuplicate,
            Some(dup),
            &detail,
        )
        .await?;
    }
    Ok(())
}

/// Flags a tip as urgent, or not: flagged tips head the queue.
pub async fn set_priority(
    store: &Store,
    officer: &Officer,
    reference: &str,
    urgent: bool,
) -> Result<(), ServiceError> {
    let head = guard(store, officer, reference, TipRight::Work).await?;
    let detail = if urgent { "urgent" } else { "normal" };
    let flag = Some(i64::from(urgent));
    set_at_desk(store, officer, &head, Triage::Priority, flag, detail.into()).await
}

/// Sets (or, with a blank date, clears) the day a tip is due.
pub async fn set_due_date(
    store: &Store,
    officer: &Officer,
    reference: &str,
    due: &str,
) -> Result<(), ServiceError> {
    let head = guard(store, officer, reference, TipRight::Work).await?;
    let due_at = tip::parse_due_date(due)?;
    // The day is due at its end in Khulna, so any day from today on is still ahead.
    if due_at.is_some_and(|d| d < now()) {
        return Err(InputError::DueDateInPast.into());
    }
    let detail = due_at.map_or("none".to_string(), tip::due_date_text);
    set_at_desk(store, officer, &head, Triage::DueAt, due_at, detail).await
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
/// A field of a tip that triage sets on its own.
#[derive(Clone, Copy)]
enum Triage {
    Assignee,
    Priority,
    DueAt,
}

impl Triage {
    fn update(self) -> &'static str {
        match self {
            Triage::Assignee => {
                "UPDATE tips SET assigned_officer = $1, updated_at = $2 WHERE id = $3 \
                 AND COALESCE(assigned_place, '') = $4 AND COALESCE(copy_place, '') = $5"
            }
            Triage::Priority => {
                "UPDATE tips SET priority = $1, updated_at = $2 WHERE id = $3 \
                 AND COALESCE(assigned_place, '') = $4 AND COALESCE(copy_place, '') = $5"
            }
            Triage::DueAt => {
                "UPDATE tips SET due_at = $1, updated_at = $2 WHERE id = $3 \
                 AND COALESCE(assigned_place, '') = $4 AND COALESCE(copy_place, '') = $5"
            }
        }
    }

    fn action(self) -> Action {
        match self {
            Triage::Assignee => Action::TipAssign,
            Triage::Priority => Action::TipPriority,
            Triage::DueAt => Action::TipDue,
        }
    }
}

/// Sets one triage field of a tip that is still at the desk it was checked against, and records
/// the change with `detail`; a tip moved meanwhile is refused (`DeskChanged`) and nothing is
/// written.
async fn set_at_desk(
    store: &Store,
    officer: &Officer,
    head: &TipHead,
    field: Triage,
    value: Option<i64>,
    detail: String,
) -> Result<(), ServiceError> {
    let (id, officer_id) = (head.id, officer.id);
    let (lead, copy) = desk_keys(&head.desk);
    let outcome = store
        .write_audited(move |conn| {
            Box::pin(async move {
                let changed = sqlx::query(field.update())
                    .bind(value)
                    .bind(now())
                    .bind(id)
                    .bind(lead)
                    .bind(copy)
                    .execute(&mut *conn)
                    .await?;
                if changed.rows_affected() != 1 {
                    return Ok(Err(InputError::DeskChanged));
                }
                audit::record(conn, Some(officer_id), field.action(), Some(id), &detail).await?;
                Ok(Ok(()))
            })
        })
        .await?;
    Ok(outcome?)
}

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

//! Triage: assignment to an officer, transfer to another desk, "duplicate of", priority and
//! due date. Each writes only where the tip is still at the desk that was checked.

use super::*;

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

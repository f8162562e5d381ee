//! The queue: the tips an officer's desk may see, filtered and counted per status.

use super::*;

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
pub(super) const SUMMARY_COLUMNS: &str = "t.id, t.category, t.status, t.thana_key, t.assigned_place, \
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

pub(super) fn tip_summary(row: &sqlx::any::AnyRow, at: i64) -> Result<TipSummary, StoreError> {
    let id: i64 = row.try_get("id")?;
    let created_at: i64 = row.try_get("created_at")?;
    let status = crate::services::tips::parse_status(&row.try_get::<String, _>("status")?)?;
    let due_at: Option<i64> = row.try_get("due_at")?;
    let duplicate_of: Option<i64> = row.try_get("duplicate_of")?;
    let original_created_at: Option<i64> = row.try_get("original_created_at")?;
    Ok(TipSummary {
        reference: crate::services::tips::reference(id, created_at),
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
            .map(|(id, created)| crate::services::tips::reference(id, created)),
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
        let status = crate::services::tips::parse_status(&row.try_get::<String, _>(0)?)?;
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

//! The audit trail: who looked at or changed what, and when. Entries are written in the same
//! transaction as the change they record, so a change without its entry cannot exist.
//!
//! The trail is a hash chain: entry `n` carries the hash of entry `n - 1` and a hash over itself
//! and that link, and `audit_head` holds the newest link. [`verify`] walks the chain and names
//! the first entry that was changed, removed or reordered.
//!
//! Limitation: the hashes are not keyed, so someone who can write to the database and rewrites
//! every later hash and the head is not detected; `hello-kmp audit verify` prints the head's
//! hash so that it can be noted somewhere the database's writers cannot reach.

use std::sync::LazyLock;

use futures_util::TryStreamExt;
use sqlx::Row;

use crate::store::{Conn, Store, StoreError, now};

/// The link before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, as a stable dotted name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    LogIn,
    LogInFailed,
    LogOut,
    TipView,
    TipStatus,
    TipAssign,
    TipReply,
    TipNote,
    AccountCreate,
    AccountDisable,
    AccountPasswordReset,
    LogInPassword,
    AccountLocked,
    RecoveryCodeUsed,
    TwoFactorEnrolled,
    PasswordChanged,
    LogOutEverywhere,
    AccountEdit,
    AccountEnable,
    AccountUnlock,
    AccountReset2fa,
    TipTransfer,
    TipDuplicate,
    TipPriority,
    TipDue,
    AccessDenied,
    RoutingChange,
    AuditView,
    AttachmentDownload,
    AttachmentThumbnail,
    AuditExport,
    ContactEdit,
    HotlineConfirm,
    BoundariesImport,
    SosView,
    SosWatch,
    SosAcknowledge,
    SosDispatch,
    SosClose,
    SosDenied,
    FaqCreate,
    FaqEdit,
    FaqMove,
    FaqPublish,
    FaqUnpublish,
    FaqDelete,
    FaqGroupCreate,
    FaqGroupEdit,
    FaqGroupMove,
    FaqGroupDelete,
    NewsCreate,
    NewsEdit,
    NewsPublish,
    NewsUnpublish,
    NewsDelete,
}

impl Action {
    /// The message key of the action's label in the console.
    pub fn label_key(self) -> String {
        format!("audit-{}", self.name().replace(['.', '_'], "-"))
    }

    /// Every action, for the audit log's filter.
    pub const ALL: &[Action] = &[
        Action::LogIn,
        Action::LogInFailed,
        Action::LogOut,
        Action::TipView,
        Action::TipStatus,
        Action::TipAssign,
        Action::TipReply,
        Action::TipNote,
        Action::AccountCreate,
        Action::AccountDisable,
        Action::AccountPasswordReset,
        Action::LogInPassword,
        Action::AccountLocked,
        Action::RecoveryCodeUsed,
        Action::TwoFactorEnrolled,
        Action::PasswordChanged,
        Action::LogOutEverywhere,
        Action::AccountEdit,
        Action::AccountEnable,
        Action::AccountUnlock,
        Action::AccountReset2fa,
        Action::TipTransfer,
        Action::TipDuplicate,
        Action::TipPriority,
        Action::TipDue,
        Action::AccessDenied,
        Action::RoutingChange,
        Action::AuditView,
        Action::AttachmentDownload,
        Action::AttachmentThumbnail,
        Action::AuditExport,
        Action::ContactEdit,
        Action::HotlineConfirm,
        Action::BoundariesImport,
        Action::SosView,
        Action::SosWatch,
        Action::SosAcknowledge,
        Action::SosDispatch,
        Action::SosClose,
        Action::SosDenied,
        Action::FaqCreate,
        Action::FaqEdit,
        Action::FaqMove,
        Action::FaqPublish,
        Action::FaqUnpublish,
        Action::FaqDelete,
        Action::FaqGroupCreate,
        Action::FaqGroupEdit,
        Action::FaqGroupMove,
        Action::FaqGroupDelete,
        Action::NewsCreate,
        Action::NewsEdit,
        Action::NewsPublish,
        Action::NewsUnpublish,
        Action::NewsDelete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::LogIn => "officer.login",
            Action::LogInFailed => "officer.login_failed",
            Action::LogOut => "officer.logout",
            Action::TipView => "tip.view",
            Action::TipStatus => "tip.status",
            Action::TipAssign => "tip.assign",
            Action::TipReply => "tip.reply",
            Action::TipNote => "tip.note",
            Action::AccountCreate => "account.create",
            Action::AccountDisable => "account.disable",
            Action::AccountPasswordReset => "account.reset_password",
            Action::LogInPassword => "officer.login_password",
            Action::AccountLocked => "account.locked",
            Action::RecoveryCodeUsed => "officer.recovery_code_used",
            Action::TwoFactorEnrolled => "account.2fa_enrolled",
            Action::PasswordChanged => "account.password_changed",
            Action::LogOutEverywhere => "officer.logout_everywhere",
            Action::AccountEdit => "account.edit",
            Action::AccountEnable => "account.enable",
            Action::AccountUnlock => "account.unlock",
            Action::AccountReset2fa => "account.reset_2fa",
            Action::TipTransfer => "tip.transfer",
            Action::TipDuplicate => "tip.duplicate",
            Action::TipPriority => "tip.priority",
            Action::TipDue => "tip.due",
            Action::AccessDenied => "access.denied",
            Action::RoutingChange => "routing.change",
            Action::AuditView => "audit.view",
            Action::AttachmentDownload => "attachment.download",
            Action::AttachmentThumbnail => "attachment.thumbnail",
            Action::AuditExport => "audit.export",
            Action::ContactEdit => "contact.edit",
            Action::HotlineConfirm => "contact.hotline",
            Action::BoundariesImport => "boundaries.import",
            Action::SosView => "sos.view",
            Action::SosWatch => "sos.watch",
            Action::SosAcknowledge => "sos.acknowledge",
            Action::SosDispatch => "sos.dispatch",
            Action::SosClose => "sos.close",
            Action::SosDenied => "sos.denied",
            Action::FaqCreate => "faq.create",
            Action::FaqEdit => "faq.edit",
            Action::FaqMove => "faq.move",
            Action::FaqPublish => "faq.publish",
            Action::FaqUnpublish => "faq.unpublish",
            Action::FaqDelete => "faq.delete",
            Action::FaqGroupCreate => "faq.group_create",
            Action::FaqGroupEdit => "faq.group_edit",
            Action::FaqGroupMove => "faq.group_move",
            Action::FaqGroupDelete => "faq.group_delete",
            Action::NewsCreate => "news.create",
            Action::NewsEdit => "news.edit",
            Action::NewsPublish => "news.publish",
            Action::NewsUnpublish => "news.unpublish",
            Action::NewsDelete => "news.delete",
        }
    }
}

/// Appends one entry inside the caller's transaction. `detail` must never hold report text.
pub async fn record(
    conn: &mut Conn,
    officer_id: Option<i64>,
    action: Action,
    tip_id: Option<i64>,
    detail: &str,
) -> Result<(), StoreError> {
    debug_assert!(
        crate::store::audit_head_taken(),
        "an audit entry written by a job not queued with Store::write_audited"
    );
    // On PostgreSQL several writers may append at once: the head row's lock makes them take
    // turns (the batch took it first, see `Store::write_audited`). SQLite has one writer, and
    // no `FOR UPDATE`.
    let head_sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT seq, hash FROM audit_head WHERE id = 1"
    };
    let head = sqlx::query(head_sql).fetch_one(&mut *conn).await?;
    let prev_hash: String = head.try_get("hash")?;
    let entry = Entry {
        seq: head.try_get::<i64, _>("seq")? + 1,
        at: now(),
        officer_id,
        action: action.name().to_string(),
        tip_id,
        detail: detail.to_string(),
    };
    let hash = entry.hash(&prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (at, officer_id, action, tip_id, detail, seq, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.at)
    .bind(entry.officer_id)
    .bind(&entry.action)
    .bind(entry.tip_id)
    .bind(&entry.detail)
    .bind(entry.seq)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(entry.seq)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The fields an entry's hash covers.
struct Entry {
    seq: i64,
    at: i64,
    officer_id: Option<i64>,
    action: String,
    tip_id: Option<i64>,
    detail: String,
}

impl Entry {
    /// BLAKE3 over the previous link and every field, each length-prefixed so that no two
    /// different entries encode alike.
    fn hash(&self, prev_hash: &str) -> String {
        let mut hasher = blake3::Hasher::new();
        let fields = [
            prev_hash.to_string(),
            self.seq.to_string(),
            self.at.to_string(),
            self.officer_id.map(|i| i.to_string()).unwrap_or_default(),
            self.action.clone(),
            self.tip_id.map(|i| i.to_string()).unwrap_or_default(),
            self.detail.clone(),
        ];
        for field in fields {
            hasher.update(&(field.len() as u64).to_le_bytes());
            hasher.update(field.as_bytes());
        }
        hasher.finalize().to_hex().to_string()
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every entry links to the one before, and the head to the last.
    Intact { entries: i64, head: String },
    /// The first place where the chain breaks.
    Broken { seq: i64, why: Break },
    /// A row with no place in the chain (the first, by its row id): written by hand beside it,
    /// yet shown in the console with the others.
    Unchained { id: i64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// The entry's content no longer matches its hash.
    Changed,
    /// No entry has this number, or one stands in its place out of order.
    Missing,
    /// The entry does not link to the one before it.
    Relinked,
    /// The head points past the last entry: the newest entries were removed.
    NewestRemoved,
}

/// Walks the whole chain in order, then checks that the head points to its end and that no row
/// stands outside it.
pub async fn verify(store: &Store) -> Result<Verdict, StoreError> {
    let (entries, last) = match walk_chain(store).await? {
        Ok(end) => end,
        Err(broken) => return Ok(broken),
    };
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(store.reader())
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get("seq")?, head.try_get("hash")?);
    if head_seq != entries || head_hash != last {
        return Ok(Verdict::Broken {
            seq: entries + 1,
            why: Break::NewestRemoved,
        });
    }
    // `record` numbers every entry it writes, so a row without a number came from elsewhere.
    let unchained: Option<i64> =
        sqlx::query_scalar("SELECT id FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT 1")
            .fetch_optional(store.reader())
            .await?;
    if let Some(id) = unchained {
        return Ok(Verdict::Unchained { id });
    }
    Ok(Verdict::Intact {
        entries: head_seq,
        head: head_hash,
    })
}

/// The numbered entries in order: how many and the last link, or the first break.
async fn walk_chain(store: &Store) -> Result<Result<(i64, String), Verdict>, StoreError> {
    let mut rows = sqlx::query(
        "SELECT seq, at, officer_id, action, tip_id, detail, prev_hash, hash FROM audit_log \
         WHERE seq IS NOT NULL ORDER BY seq",
    )
    .fetch(store.reader());
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    while let Some(row) = rows.try_next().await? {
        let entry = Entry {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            officer_id: row.try_get("officer_id")?,
            action: row.try_get("action")?,
            tip_id: row.try_get("tip_id")?,
            detail: row.try_get("detail")?,
        };
        let prev_hash: String = row.try_get("prev_hash")?;
        let hash: String = row.try_get("hash")?;
        let why = if entry.seq != expected_seq {
            Some(Break::Missing)
        } else if prev_hash != expected_prev {
            Some(Break::Relinked)
        } else if entry.hash(&prev_hash) != hash {
            Some(Break::Changed)
        } else {
            None
        };
        if let Some(why) = why {
            let seq = if why == Break::Missing {
                expected_seq
            } else {
                entry.seq
            };
            return Ok(Err(Verdict::Broken { seq, why }));
        }
        expected_prev = hash;
        expected_seq += 1;
    }
    Ok(Ok((expected_seq - 1, expected_prev)))
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Intact { entries, head } => {
                write!(
                    f,
                    "the audit log is intact: {entries} entries; newest link {head}"
                )
            }
            Verdict::Broken { seq, why } => {
                let what = match why {
                    Break::Changed => "was changed after it was written",
                    Break::Missing => "is missing, or entries were reordered",
                    Break::Relinked => {
                        "does not link to the entry before it (that one was changed, removed or reordered)"
                    }
                    Break::NewestRemoved => "and those after it were removed",
                };
                write!(f, "the audit log is broken at entry {seq}: it {what}")
            }
            Verdict::Unchained { id } => write!(
                f,
                "the audit log holds an entry outside its chain, at row {id}: it was inserted \
                 beside the log, not written by it"
            ),
        }
    }
}

/// What an auditor filters the log by; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub username: String,
    /// An [`Action::name`].
    pub action: String,
    /// A tip's reference, such as `T-2026-000123`.
    pub tip: String,
    /// First and last day, `YYYY-MM-DD` in Khulna's calendar.
    pub from: String,
    pub to: String,
    /// Entries older than this one (the next page).
    pub before: i64,
}

/// One entry as the console shows it.
#[derive(Debug, Clone)]
pub struct AuditLine {
    /// Its number in the chain; `None` for a row written beside the log (see [`verify`]).
    pub seq: Option<i64>,
    pub at: i64,
    pub username: Option<String>,
    pub action: String,
    pub tip: Option<String>,
    pub detail: String,
}

/// Entries per page of the console's audit log.
pub const AUDIT_PAGE: i64 = 50;

/// The log, newest first, filtered, one page; whether older entries remain. Reading the log is
/// itself recorded.
pub async fn browse(
    store: &Store,
    officer: &crate::services::accounts::Officer,
    filter: &AuditFilter,
) -> Result<(Vec<AuditLine>, bool), crate::services::ServiceError> {
    crate::services::access::reads_audit(officer)?;
    let bounds = Bounds::of(filter);
    let before = filter.before.max(0);
    // Rows outside the chain head the first page: they are what an auditor must see at once.
    let mut lines = if before == 0 {
        unchained_lines(store, &bounds, AUDIT_PAGE).await?
    } else {
        Vec::new()
    };
    let numbered = numbered_lines(store, &bounds, before, AUDIT_PAGE + 1).await?;
    let more = numbered.len() as i64 > AUDIT_PAGE;
    lines.extend(numbered.into_iter().take(AUDIT_PAGE as usize));
    let (officer_id, detail) = (officer.id, bounds.detail.clone());
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                record(conn, Some(officer_id), Action::AuditView, None, &detail).await
            })
        })
        .await?;
    Ok((lines, more))
}

/// Most entries one export holds.
///
/// Limitation: an export is built in memory before it is sent (its audit entry must carry the
/// number of rows before any is sent), so a filter matching more entries than this is refused
/// with a message asking for a narrower one, rather than streamed.
pub const EXPORT_MAX: usize = 50_000;

/// Every entry the filter matches, for a file: rows outside the chain first, then the chain
/// newest first, as the console shows them, from the newest entry on (`before` is not used).
/// The export is recorded, with the filter and the number of rows, before any row is returned,
/// so a file can never leave without its entry; the entry itself is not in the file.
pub async fn export(
    store: &Store,
    officer: &crate::services::accounts::Officer,
    filter: &AuditFilter,
) -> Result<Vec<AuditLine>, crate::services::ServiceError> {
    crate::services::access::reads_audit(officer)?;
    let bounds = Bounds::of(filter);
    let cap = EXPORT_MAX as i64 + 1;
    let mut lines = unchained_lines(store, &bounds, cap).await?;
    let room = cap - lines.len() as i64;
    if room > 0 {
        lines.extend(numbered_lines(store, &bounds, 0, room).await?);
    }
    if lines.len() > EXPORT_MAX {
        return Err(crate::domain::InputError::ExportTooLarge.into());
    }
    let (officer_id, detail) = (
        officer.id,
        format!("{} rows={}", bounds.detail, lines.len()),
    );
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                record(conn, Some(officer_id), Action::AuditExport, None, &detail).await
            })
        })
        .await?;
    Ok(lines)
}

/// A filter as the queries bind it, and as the audit entry of a reading describes it.
struct Bounds {
    username: String,
    action: String,
    /// `0` for any tip, `-1` for a reference that names none.
    tip_id: i64,
    /// First and last second, `0` for open.
    from: i64,
    to: i64,
    detail: String,
}

impl Bounds {
    fn of(filter: &AuditFilter) -> Bounds {
        use crate::domain::tip::parse_due_date;
        use crate::services::tips::parse_reference;
        let tip_id = match filter.tip.trim() {
            "" => 0,
            text => parse_reference(text).map_or(-1, |(_, id)| id),
        };
        let day_end = |text: &str| parse_due_date(text).ok().flatten().unwrap_or(0);
        let from = match day_end(&filter.from) {
            0 => 0,
            end => end - 86_399,
        };
        let detail = format!(
            "user={} action={} tip={} from={} to={}",
            filter.username.trim(),
            filter.action.trim(),
            filter.tip.trim(),
            filter.from.trim(),
            filter.to.trim()
        );
        Bounds {
            username: filter.username.trim().to_lowercase(),
            action: filter.action.trim().to_string(),
            tip_id,
            from,
            to: day_end(&filter.to),
            detail,
        }
    }
}

/// The columns of a line, and the filter as `$1` to `$5`.
const LINES_SQL: &str = "SELECT a.seq, a.at, o.username, a.action, a.tip_id, \
    t.created_at AS tip_created, a.detail FROM audit_log a \
    LEFT JOIN officers o ON o.id = a.officer_id LEFT JOIN tips t ON t.id = a.tip_id \
    WHERE ($1 = '' OR o.username = $1) AND ($2 = '' OR a.action = $2) \
    AND ($3 = 0 OR a.tip_id = $3) AND ($4 = 0 OR a.at >= $4) AND ($5 = 0 OR a.at <= $5)";

/// Entries of the chain older than `before` (all, for `0`), newest first, at most `limit`.
async fn numbered_lines(
    store: &Store,
    bounds: &Bounds,
    before: i64,
    limit: i64,
) -> Result<Vec<AuditLine>, StoreError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "{LINES_SQL} AND a.seq IS NOT NULL AND ($6 = 0 OR a.seq < $6) \
             ORDER BY a.seq DESC LIMIT $7"
        )
    });
    let rows = bind_bounds(sqlx::query(SQL.as_str()), bounds)
        .bind(before)
        .bind(limit)
        .fetch_all(store.reader())
        .await?;
    rows.iter().map(line).collect()
}

/// Rows with no place in the chain, in the order they were inserted, at most `limit`.
async fn unchained_lines(
    store: &Store,
    bounds: &Bounds,
    limit: i64,
) -> Result<Vec<AuditLine>, StoreError> {
    static SQL: LazyLock<String> =
        LazyLock::new(|| format!("{LINES_SQL} AND a.seq IS NULL ORDER BY a.id LIMIT $6"));
    let rows = bind_bounds(sqlx::query(SQL.as_str()), bounds)
        .bind(limit)
        .fetch_all(store.reader())
        .await?;
    rows.iter().map(line).collect()
}

type LinesQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind_bounds<'q>(query: LinesQuery<'q>, bounds: &Bounds) -> LinesQuery<'q> {
    query
        .bind(bounds.username.clone())
        .bind(bounds.action.clone())
        .bind(bounds.tip_id)
        .bind(bounds.from)
        .bind(bounds.to)
}

fn line(row: &sqlx::any::AnyRow) -> Result<AuditLine, StoreError> {
    use crate::services::tips::reference;
    let tip_id: Option<i64> = row.try_get("tip_id")?;
    let created: Option<i64> = row.try_get("tip_created")?;
    Ok(AuditLine {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        username: row.try_get("username")?,
        action: row.try_get("action")?,
        tip: tip_id.zip(created).map(|(id, c)| reference(id, c)),
        detail: row.try_get("detail")?,
    })
}

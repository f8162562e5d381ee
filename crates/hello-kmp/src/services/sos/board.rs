//! The control room's side: the board of alerts (new, acknowledged, dispatched, closed), and
//! acknowledging, dispatching and closing them. Every look at the board, every live watch of it,
//! every refusal and every change is audited, in the same transaction as the change.

use sqlx::Row;

use super::{dispatch_context, next_version, notify_servers, open_body};
use crate::domain::InputError;
use crate::domain::sos::{self, AlertStatus, Outcome};
use crate::sealing::Keys;
use crate::services::ServiceError;
use crate::services::access::{self, SosRight};
use crate::services::accounts::Officer;
use crate::services::audit::{self, Action};
use crate::services::sos::live::Hub;
use crate::store::{Conn, Store, StoreError, now};

/// Closed alerts the board shows below the open ones, newest first.
pub const CLOSED_SHOWN: i64 = 20;
/// Open alerts the board shows at most (oldest beyond this wait for a refresh).
const OPEN_SHOWN: i64 = 500;
/// Changed alerts fetched at once by a live board.
pub const CHANGES_AT_ONCE: i64 = 50;

/// One alert as the board shows it to one officer.
#[derive(Clone)]
pub struct BoardAlert {
    pub reference: String,
    pub status: AlertStatus,
    pub created_at: i64,
    pub point: Option<(f64, f64)>,
    pub accuracy_m: Option<i64>,
    pub place: Option<String>,
    /// Only for those who work alerts; see `callback_left`.
    pub callback: Option<String>,
    /// A call-back number was given (whether or not this officer may see it).
    pub callback_left: bool,
    pub needs_place_check: bool,
    /// The check is about the thana (near or beyond the boundaries), not KMP's area.
    pub thana_uncertain: bool,
    pub thana: Option<String>,
    pub acknowledged: Option<Step>,
    pub dispatched: Option<Step>,
    /// Who or what was sent.
    pub dispatch_note: Option<String>,
    pub closed: Option<Step>,
    pub outcome: Option<Outcome>,
    /// The number of its latest change, the live stream's event id.
    pub change_seq: i64,
}

// What it holds is where someone in danger is and their number.
impl std::fmt::Debug for BoardAlert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BoardAlert({}, redacted)", self.reference)
    }
}

/// When a step was taken, and by whom.
#[derive(Debug, Clone)]
pub struct Step {
    pub at: i64,
    pub officer: String,
}

/// The board as one officer sees it.
#[derive(Debug)]
pub struct Board {
    /// Open alerts newest first, then the latest closed ones.
    pub alerts: Vec<BoardAlert>,
    /// The change number the board was read at; a live stream goes on from it.
    pub version: i64,
    pub may_work: bool,
}

/// The columns of a board line.
const ALERT_COLUMNS: &str = "a.id, a.uid, a.status, a.created_at, a.has_location, \
    a.needs_place_check, a.thana_key, a.body_sealed, a.acknowledged_at, ack.display_name AS ack_name, \
    a.dispatched_at, dis.display_name AS dis_name, a.dispatch_sealed, a.closed_at, \
    clo.display_name AS clo_name, a.outcome, a.change_seq FROM sos_alerts a \
    LEFT JOIN officers ack ON ack.id = a.acknowledged_by \
    LEFT JOIN officers dis ON dis.id = a.dispatched_by \
    LEFT JOIN officers clo ON clo.id = a.closed_by";

/// The board, for an officer who may watch it; the look is audited, and so is a refusal.
pub async fn open_board(
    store: &Store,
    keys: &Keys,
    officer: &Officer,
) -> Result<Board, ServiceError> {
    guard(store, officer, SosRight::Watch).await?;
    audited(store, officer, Action::SosView, String::new()).await?;
    // The number first: a change committed while the alerts are read then comes again on the
    // live stream, never not at all.
    let version = super::current_version(store).await?;
    static OPEN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {ALERT_COLUMNS} WHERE a.status <> 'closed' ORDER BY a.id DESC LIMIT $1")
    });
    static CLOSED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {ALERT_COLUMNS} WHERE a.status = 'closed' ORDER BY a.closed_at DESC, a.id DESC \
             LIMIT $1"
        )
    });
    let mut rows = sqlx::query(OPEN.as_str())
        .bind(OPEN_SHOWN)
        .fetch_all(store.reader())
        .await?;
    rows.extend(
        sqlx::query(CLOSED.as_str())
            .bind(CLOSED_SHOWN)
            .fetch_all(store.reader())
            .await?,
    );
    let may_work = access::may_sos(officer, SosRight::Work);
    let alerts = rows
        .iter()
        .map(|row| board_alert(keys, row, may_work))
        .collect::<Result<_, _>>()?;
    Ok(Board {
        alerts,
        version,
        may_work,
    })
}

/// Starts a live watch of the board: allowed (and audited) as a look at it is. Answers the
/// change number now.
pub async fn start_watching(store: &Store, officer: &Officer) -> Result<i64, ServiceError> {
    guard(store, officer, SosRight::Watch).await?;
    audited(store, officer, Action::SosWatch, String::new()).await?;
    Ok(super::current_version(store).await?)
}

/// The alerts changed after change number `since`, oldest change first, at most a batch; the
/// caller asks again from the last one's `change_seq`. For an officer watching the board (the
/// watch itself was audited when it began).
pub async fn changes_since(
    store: &Store,
    keys: &Keys,
    officer: &Officer,
    since: i64,
) -> Result<Vec<BoardAlert>, ServiceError> {
    access::check_sos(officer, SosRight::Watch)?;
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {ALERT_COLUMNS} WHERE a.change_seq > $1 ORDER BY a.change_seq LIMIT $2")
    });
    let rows = sqlx::query(SQL.as_str())
        .bind(since)
        .bind(CHANGES_AT_ONCE)
        .fetch_all(store.reader())
        .await?;
    let may_work = access::may_sos(officer, SosRight::Work);
    Ok(rows
        .iter()
        .map(|row| board_alert(keys, row, may_work))
        .collect::<Result<_, _>>()?)
}

fn board_alert(
    keys: &Keys,
    row: &sqlx::any::AnyRow,
    may_work: bool,
) -> Result<BoardAlert, StoreError> {
    let uid: String = row.try_get("uid")?;
    let sealed: Vec<u8> = row.try_get("body_sealed")?;
    let body = open_body(keys, &uid, &sealed)?;
    let dispatch_sealed: Option<Vec<u8>> = row.try_get("dispatch_sealed")?;
    let dispatch_note = dispatch_sealed
        .map(|sealed| {
            let plain = keys.open(&dispatch_context(&uid), &sealed)?;
            String::from_utf8(plain).map_err(|_| StoreError::Sealing)
        })
        .transpose()?;
    let step = |at: &str, name: &str| -> Result<Option<Step>, StoreError> {
        let at: Option<i64> = row.try_get(at)?;
        let officer: Option<String> = row.try_get(name)?;
        Ok(at.map(|at| Step {
            at,
            officer: officer.unwrap_or_default(),
        }))
    };
    let status: String = row.try_get("status")?;
    let outcome: Option<String> = row.try_get("outcome")?;
    let id: i64 = row.try_get("id")?;
    let created_at: i64 = row.try_get("created_at")?;
    Ok(BoardAlert {
        reference: super::reference(id, created_at),
        status: AlertStatus::parse(&status).ok_or(StoreError::Sealing)?,
        created_at,
        point: body.lat.zip(body.lon),
        accuracy_m: body.accuracy_m,
        place: body.place,
        callback_left: body.callback.is_some(),
        callback: body.callback.filter(|_| may_work),
        needs_place_check: row.try_get::<i64, _>("needs_place_check")? != 0,
        thana_uncertain: row.try_get::<i64, _>("needs_place_check")? == 2,
        thana: row.try_get("thana_key")?,
        acknowledged: step("acknowledged_at", "ack_name")?,
        dispatched: step("dispatched_at", "dis_name")?,
        dispatch_note,
        closed: step("closed_at", "clo_name")?,
        outcome: outcome.as_deref().and_then(|o| Outcome::parse(o).ok()),
        change_seq: row.try_get("change_seq")?,
    })
}

/// Marks a new alert as seen by the control room.
pub async fn acknowledge(
    store: &Store,
    hub: &Hub,
    officer: &Officer,
    reference: &str,
) -> Result<(), ServiceError> {
    guard(store, officer, SosRight::Work).await?;
    let id = alert_id(store, reference).await?;
    change(store, hub, officer, id, Change::Acknowledge).await
}

/// Records that help was sent, with a note of who or what.
pub async fn dispatch(
    store: &Store,
    keys: &Keys,
    hub: &Hub,
    officer: &Officer,
    reference: &str,
    note: &str,
) -> Result<(), ServiceError> {
    guard(store, officer, SosRight::Work).await?;
    let id = alert_id(store, reference).await?;
    let note = sos::parse_dispatch_note(note)?;
    let uid: String = sqlx::query_scalar("SELECT uid FROM sos_alerts WHERE id = $1")
        .bind(id)
        .fetch_one(store.reader())
        .await?;
    let sealed = keys.seal(&dispatch_context(&uid), note.as_bytes());
    change(store, hub, officer, id, Change::Dispatch(sealed)).await
}

/// Closes an alert with its outcome.
pub async fn close(
    store: &Store,
    hub: &Hub,
    officer: &Officer,
    reference: &str,
    outcome: &str,
) -> Result<(), ServiceError> {
    guard(store, officer, SosRight::Work).await?;
    let id = alert_id(store, reference).await?;
    let outcome = Outcome::parse(outcome)?;
    change(store, hub, officer, id, Change::Close(outcome)).await
}

enum Change {
    Acknowledge,
    /// The note, sealed.
    Dispatch(Vec<u8>),
    Close(Outcome),
}

impl Change {
    fn next(&self) -> AlertStatus {
        match self {
            Change::Acknowledge => AlertStatus::Acknowledged,
            Change::Dispatch(_) => AlertStatus::Dispatched,
            Change::Close(_) => AlertStatus::Closed,
        }
    }

    fn action(&self) -> Action {
        match self {
            Change::Acknowledge => Action::SosAcknowledge,
            Change::Dispatch(_) => Action::SosDispatch,
            Change::Close(_) => Action::SosClose,
        }
    }
}

/// Moves the alert on, if its status allows the step, with its audit entry and the change
/// number that wakes every board; tells this server's boards once committed.
async fn change(
    store: &Store,
    hub: &Hub,
    officer: &Officer,
    id: i64,
    change: Change,
) -> Result<(), ServiceError> {
    let officer_id = officer.id;
    let version = store
        .write_audited(move |conn| {
            Box::pin(async move { apply(conn, officer_id, id, change).await })
        })
        .await??;
    hub.publish(version);
    tracing::info!(sos.id = id, officer.id = officer_id, "SOS alert changed");
    Ok(())
}

async fn apply(
    conn: &mut Conn,
    officer_id: i64,
    id: i64,
    change: Change,
) -> Result<Result<i64, InputError>, StoreError> {
    let lock = if conn.backend_name() == "PostgreSQL" {
        "SELECT id, created_at, status FROM sos_alerts WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT id, created_at, status FROM sos_alerts WHERE id = $1"
    };
    let row = sqlx::query(lock).bind(id).fetch_one(&mut *conn).await?;
    let current: String = row.try_get("status")?;
    let created_at: i64 = row.try_get("created_at")?;
    let from = AlertStatus::parse(&current).ok_or(StoreError::Sealing)?;
    let next = change.next();
    if !from.may_become(next) {
        return Ok(Err(InputError::SosChangeNotAllowed));
    }
    let version = next_version(conn).await?;
    let at = now();
    // Each step keeps the alert its full retention from now: `retain_until - updated_at` is the
    // retention it was given when it came.
    let keep = "retain_until = retain_until - updated_at + $1, updated_at = $1, change_seq = $2";
    let (sql, outcome_key) = match &change {
        Change::Acknowledge => (
            format!(
                "UPDATE sos_alerts SET status = 'acknowledged', acknowledged_at = $1, \
                 acknowledged_by = $3, {keep} WHERE id = $4 AND status = $5"
            ),
            None,
        ),
        Change::Dispatch(_) => (
            format!(
                "UPDATE sos_alerts SET status = 'dispatched', dispatched_at = $1, \
                 dispatched_by = $3, dispatch_sealed = $6, {keep} WHERE id = $4 AND status = $5"
            ),
            None,
        ),
        Change::Close(outcome) => (
            format!(
                "UPDATE sos_alerts SET status = 'closed', closed_at = $1, closed_by = $3, \
                 outcome = $6, {keep} WHERE id = $4 AND status = $5"
            ),
            Some(outcome.key()),
        ),
    };
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(at)
        .bind(version)
        .bind(officer_id)
        .bind(id)
        .bind(&current);
    query = match &change {
        Change::Dispatch(sealed) => query.bind(sealed.clone()),
        Change::Close(outcome) => query.bind(outcome.key()),
        Change::Acknowledge => query,
    };
    let changed = query.execute(&mut *conn).await?;
    if changed.rows_affected() != 1 {
        return Ok(Err(InputError::SosChangeNotAllowed));
    }
    let mut detail = format!(
        "{} {} -> {}",
        super::reference(id, created_at),
        from.key(),
        next.key()
    );
    if let Some(outcome) = outcome_key {
        detail.push_str(&format!(" ({outcome})"));
    }
    audit::record(conn, Some(officer_id), change.action(), None, &detail).await?;
    notify_servers(conn).await?;
    Ok(Ok(version))
}

/// The alert behind a reference (its year must match too).
async fn alert_id(store: &Store, reference: &str) -> Result<i64, ServiceError> {
    let (year, id) = super::parse_reference(reference).ok_or(ServiceError::NotFound)?;
    let created_at: i64 = sqlx::query_scalar("SELECT created_at FROM sos_alerts WHERE id = $1")
        .bind(id)
        .fetch_optional(store.reader())
        .await?
        .ok_or(ServiceError::NotFound)?;
    if super::reference(id, created_at) != format!("S-{year}-{id:06}") {
        return Err(ServiceError::NotFound);
    }
    Ok(id)
}

/// Refuses an officer the board does not allow, and audits the refusal: an officer trying the
/// board of another unit is what the audit log is for.
async fn guard(store: &Store, officer: &Officer, right: SosRight) -> Result<(), ServiceError> {
    if access::may_sos(officer, right) {
        return Ok(());
    }
    let detail = format!("{right:?}").to_lowercase();
    audited(store, officer, Action::SosDenied, detail).await?;
    Err(ServiceError::Forbidden)
}

async fn audited(
    store: &Store,
    officer: &Officer,
    action: Action,
    detail: String,
) -> Result<(), StoreError> {
    let officer_id = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(
                async move { audit::record(conn, Some(officer_id), action, None, &detail).await },
            )
        })
        .await
}

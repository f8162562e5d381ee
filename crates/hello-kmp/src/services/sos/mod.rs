//! SOS alerts: a citizen in danger sends the phone's point (and a call-back number, if they give
//! one) to the control room, which sees it live on its board and acknowledges, dispatches and
//! closes it. SOS supplements 999, never replaces it: every page about it puts the call first.
//!
//! [`citizen`] takes an alert in, [`board`] is the control room's side, [`live`] tells every
//! `serve` process sharing the database that the board changed.
//!
//! What an alert keeps is only what the citizen sent: the point, its accuracy, a written place
//! and the call-back number, sealed together; nothing about the sender (no address, no user
//! agent). Abuse is held back by caps on how many alerts come in, never by who sends them.

pub mod board;
pub mod citizen;
pub mod live;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::config::ServiceArea;
use crate::domain::tip::{DHAKA, GeoPoint};
use crate::sealing::Keys;
use crate::services::jurisdictions::{Jurisdictions, Location};
use crate::store::{Store, StoreError, now};

/// The sealed part of an alert: everything that says where the citizen is and how to reach them.
#[derive(Serialize, Deserialize, Default)]
pub(crate) struct AlertBody {
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// The phone's own estimate of its error, in metres.
    #[serde(default)]
    pub accuracy_m: Option<i64>,
    /// Where the citizen says they are, when the phone gave no point (or as well).
    #[serde(default)]
    pub place: Option<String>,
    /// `+8801XXXXXXXXX`, shown only to those who work alerts.
    #[serde(default)]
    pub callback: Option<String>,
}

impl std::fmt::Debug for AlertBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AlertBody(redacted)")
    }
}

pub(crate) fn body_context(uid: &str) -> String {
    format!("sos:{uid}:body")
}

pub(crate) fn dispatch_context(uid: &str) -> String {
    format!("sos:{uid}:dispatch")
}

pub(crate) fn open_body(keys: &Keys, uid: &str, sealed: &[u8]) -> Result<AlertBody, StoreError> {
    let plain = keys.open(&body_context(uid), sealed)?;
    serde_json::from_slice(&plain).map_err(|_| StoreError::Sealing)
}

/// The reference of an alert, such as `S-2026-000042`: the year it came and its number.
pub fn reference(id: i64, created_at: i64) -> String {
    let year = OffsetDateTime::from_unix_timestamp(created_at)
        .map(|t| t.to_offset(DHAKA).year())
        .unwrap_or(1970);
    format!("S-{year}-{id:06}")
}

/// The year and number in a reference; the year is checked against the row when it is read.
pub fn parse_reference(text: &str) -> Option<(i32, i64)> {
    let ascii = crate::domain::digits::to_ascii(text.trim());
    let rest = ascii
        .strip_prefix("S-")
        .or_else(|| ascii.strip_prefix("s-"))?;
    let (year, number) = rest.split_once('-')?;
    Some((
        year.parse().ok()?,
        number.parse().ok().filter(|n: &i64| *n > 0)?,
    ))
}

/// Where an alert's point lies, as far as the server can tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placed {
    /// The thana whose ground the point is on.
    pub thana: Option<String>,
    /// The point is outside KMP's area (or, with boundaries, too near one to be sure): the
    /// control room checks it before relying on it.
    pub needs_check: bool,
    /// Why it is checked: outside the service area's box, rather than near or beyond the
    /// thana boundaries.
    pub outside_area: bool,
}

impl Placed {
    /// As stored in `needs_place_check`: 0 nothing to check, 1 outside KMP's area, 2 the thana
    /// is uncertain (near a boundary, or outside every one).
    pub fn check_code(&self) -> i64 {
        match (self.needs_check, self.outside_area) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => 2,
        }
    }
}

/// The thana of an alert's point, by the jurisdiction boundaries when they are loaded, as tips
/// are routed: a point clearly inside one thana names it; a point near a boundary or outside
/// every one names none and is marked for the control room to check, never placed silently.
/// Without boundaries, only a point outside the service area's box is marked.
pub async fn locate_alert(
    store: &Store,
    area: &ServiceArea,
    jurisdictions: &Jurisdictions,
    point: Option<GeoPoint>,
) -> Placed {
    let Some(point) = point else {
        return Placed::default();
    };
    let outside_area = !area.contains(point.lat, point.lon);
    match jurisdictions.locate(store, point).await {
        Ok(None) => Placed {
            thana: None,
            needs_check: outside_area,
            outside_area,
        },
        Ok(Some(Location::Routed(thana))) => Placed {
            thana: Some(thana),
            needs_check: outside_area,
            outside_area,
        },
        Ok(Some(Location::NeedsConfirmation { .. } | Location::Outside)) => Placed {
            thana: None,
            needs_check: true,
            outside_area,
        },
        Err(err) => {
            tracing::warn!(error = %err, "jurisdiction boundaries could not be read; the alert is marked for a place check");
            Placed {
                thana: None,
                needs_check: true,
                outside_area,
            }
        }
    }
}

/// Reads the number of the latest change to any alert.
pub async fn current_version(store: &Store) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT version FROM sos_head WHERE id = 1")
            .fetch_one(store.reader())
            .await?,
    )
}

/// Takes the next change number, inside the caller's transaction. On PostgreSQL the head's row
/// stays locked until the transaction ends, so alerts and their changes take turns.
pub(crate) async fn next_version(conn: &mut crate::store::Conn) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "UPDATE sos_head SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// Tells the other servers, on PostgreSQL, that the board changed; sent when the transaction
/// commits, and not at all if it does not. SQLite's servers poll instead.
pub(crate) async fn notify_servers(conn: &mut crate::store::Conn) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query(live::NOTIFY_SQL).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Deletes alerts kept past their retention, and forgets the area of alerts older than the
/// per-area cap's window (it is needed for nothing else). Answers how many alerts went.
pub async fn purge_expired(store: &Store, at: i64) -> Result<u64, StoreError> {
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "UPDATE sos_alerts SET area_hash = NULL \
                     WHERE area_hash IS NOT NULL AND created_at < $1",
                )
                .bind(at - citizen::AREA_WINDOW_SECS)
                .execute(&mut *conn)
                .await?;
                let gone = sqlx::query("DELETE FROM sos_alerts WHERE retain_until < $1")
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                Ok(gone.rows_affected())
            })
        })
        .await
}

/// Runs [`purge_expired`] every ten minutes while the server runs.
pub fn spawn_purger(store: Store) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if store.reader().is_closed() {
                return;
            }
            match purge_expired(&store, now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(alerts = n, "expired SOS alerts deleted"),
                Err(err) => tracing::warn!(error = %err, "expired SOS alerts could not be purged"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip() {
        let created = 1_796_000_000; // late November 2026
        assert_eq!(reference(42, created), "S-2026-000042");
        assert_eq!(parse_reference("S-2026-000042"), Some((2026, 42)));
        assert_eq!(parse_reference("S-২০২৬-০০০০৪২"), Some((2026, 42)));
        assert_eq!(parse_reference("T-2026-000042"), None);
        assert_eq!(parse_reference("S-2026-0"), None);
    }
}

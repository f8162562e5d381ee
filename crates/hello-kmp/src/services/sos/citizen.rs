//! The citizen's side: an alert comes in, is sealed, counted against the caps and stored; only
//! then is the citizen told it was sent.
//!
//! Abuse is held back without knowing who sends:
//!
//! - A double tap is one alert: the page carries a random token, and an alert whose token (kept
//!   only as a keyed hash) was seen before answers with the first alert's reference.
//! - A cap for the whole installation (`sos.alerts_per_minute`) keeps a flood from burying the
//!   board, and a cap per square of about a kilometre, counted over ten minutes
//!   (`sos.alerts_per_area`), keeps one place from filling it; alerts without a location count
//!   as one square. An alert over a cap is refused with "call 999". The caps are counted in the
//!   database, so every server shares them, and nothing about the sender goes into them.
//!
//! Per-client limits were left out on purpose: the only thing to count a client by is its
//! address, and in an emergency a whole neighbourhood shares one carrier's address. A proof of
//! work was left out too: it would slow a cheap phone in an emergency more than a flooder.

use sqlx::Row;

use crate::services::jurisdictions::Jurisdictions;

use super::{AlertBody, Placed, body_context, locate_alert, next_version, notify_servers};
use crate::config::{ServiceArea, SosSettings};
use crate::domain::InputError;
use crate::domain::sos;
use crate::domain::tip::GeoPoint;
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::services::sos::live::Hub;
use crate::store::{Conn, Store, StoreError, now};

/// The window of the per-area cap.
pub const AREA_WINDOW_SECS: i64 = 600;
/// The window of the installation-wide cap.
const GLOBAL_WINDOW_SECS: i64 = 60;

/// The SOS form as sent, field by field.
#[derive(Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SosForm {
    /// Filled by the page's script from the phone's location.
    pub lat: String,
    pub lon: String,
    /// The phone's estimate of its error, in metres.
    pub accuracy: String,
    /// Where the citizen is, in their words (when no location came).
    pub place: String,
    /// A number to call back, if they give one.
    pub callback: String,
    /// A random token from the page: the same alert sent twice is one alert.
    pub alert_token: String,
}

// Where someone is and their number never reach a log.
impl std::fmt::Debug for SosForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SosForm(redacted)")
    }
}

/// An alert ready to be stored.
#[derive(Clone)]
pub struct NewAlert {
    pub point: Option<GeoPoint>,
    pub accuracy_m: Option<i64>,
    pub place: Option<String>,
    pub callback: Option<String>,
    pub token: Option<String>,
}

impl std::fmt::Debug for NewAlert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewAlert(location: {}, redacted)", self.point.is_some())
    }
}

impl NewAlert {
    /// Parses every field; the first problem found is returned. An alert needs a location or a
    /// written place: with neither, the control room could not find anyone.
    pub fn parse(form: &SosForm) -> Result<NewAlert, InputError> {
        // The point comes from the phone, not from the citizen's typing: a bad one says so,
        // and to call 999 or write the place.
        let location = sos::parse_location(&form.lat, &form.lon, &form.accuracy)
            .map_err(|_| InputError::SosPointUnusable)?;
        let place = sos::parse_place(&form.place)?;
        let callback = sos::parse_callback(&form.callback)?;
        let token = parse_token(&form.alert_token)?;
        if location.is_none() && place.is_none() {
            return Err(InputError::SosLocationMissing);
        }
        Ok(NewAlert {
            point: location.map(|(p, _)| p),
            accuracy_m: location.and_then(|(_, a)| a),
            place,
            callback,
            token,
        })
    }
}

/// An alert as the app sends it: the phone's point, or where the citizen writes they are when
/// the phone gives none (as the page allows), and the token, which does what the page's does.
#[derive(Clone, Copy, Default)]
pub struct AppAlert<'a> {
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    pub place: Option<&'a str>,
    pub callback: Option<&'a str>,
    pub token: Option<&'a str>,
}

impl NewAlert {
    /// Parses the app's alert by the page's rules, once a point or a place and the token are
    /// there.
    pub fn parse_app(alert: AppAlert<'_>) -> Result<NewAlert, InputError> {
        let place = alert.place.unwrap_or_default();
        if alert.lat.is_none() && alert.lon.is_none() && place.trim().is_empty() {
            return Err(InputError::SosLocationRequired);
        }
        let token = alert.token.unwrap_or_default();
        if !matches!(parse_token(token), Ok(Some(_))) {
            return Err(InputError::SosTokenMalformed);
        }
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        let form = SosForm {
            lat: number(alert.lat),
            lon: number(alert.lon),
            accuracy: number(alert.accuracy_m),
            place: place.to_string(),
            callback: alert.callback.unwrap_or_default().to_string(),
            alert_token: token.to_string(),
        };
        NewAlert::parse(&form)
    }
}

/// A fresh token for one SOS page or one alert of the app: random, kept nowhere until an alert
/// comes with it, and then only as a keyed hash.
pub fn new_token() -> String {
    random_hex(16)
}

/// The page's token: 32 to 64 letters, digits, dashes or underscores, or none.
fn parse_token(input: &str) -> Result<Option<String>, InputError> {
    let token = input.trim();
    if token.is_empty() {
        return Ok(None);
    }
    let ok = (32..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(InputError::FormTampered);
    }
    Ok(Some(token.to_string()))
}

/// What the citizen is told once the alert is stored.
#[derive(Debug, Clone)]
pub struct Sent {
    pub reference: String,
    /// Whether the control room has the phone's point, or only what was written.
    pub has_location: bool,
    /// The same token had already made this alert: nothing new was stored.
    pub repeated: bool,
}

/// The rules a new alert needs from the settings.
#[derive(Debug, Clone, Copy)]
pub struct SendRules<'a> {
    pub area: ServiceArea,
    pub caps: SosSettings,
    /// The thana boundaries an alert's point is placed by.
    pub jurisdictions: &'a Jurisdictions,
}

/// Seals and stores an alert within the caps, and tells this server's boards; answers only
/// after the commit.
pub async fn send(
    store: &Store,
    keys: &Keys,
    hub: &Hub,
    rules: SendRules<'_>,
    alert: NewAlert,
) -> Result<Sent, ServiceError> {
    let uid = random_hex(16);
    let placed = locate_alert(store, &rules.area, rules.jurisdictions, alert.point).await;
    let body = AlertBody {
        lat: alert.point.map(|p| p.lat),
        lon: alert.point.map(|p| p.lon),
        accuracy_m: alert.accuracy_m,
        place: alert.place,
        callback: alert.callback,
    };
    let plain = serde_json::to_vec(&body).map_err(anyhow::Error::from)?;
    let at = now();
    let row = AlertRow {
        sealed: keys.seal(&body_context(&uid), &plain),
        uid,
        idempotency_hash: alert
            .token
            .as_deref()
            .map(|t| keys.lookup_hash("sos-token", t)),
        area_hash: keys.lookup_hash("sos-area", &area_cell(alert.point)),
        has_location: alert.point.is_some(),
        placed,
        at,
        retain_until: at + rules.caps.retention_days * 86_400,
    };
    let caps = rules.caps;
    let stored = store
        .write(move |conn| Box::pin(insert_alert(conn, row, caps)))
        .await??;
    if let Some(version) = stored.version {
        hub.publish(version);
        tracing::info!(sos.id = stored.id, "SOS alert received");
    }
    Ok(Sent {
        reference: super::reference(stored.id, stored.created_at),
        has_location: stored.has_location,
        repeated: stored.version.is_none(),
    })
}

/// The square of about a kilometre a point falls in (a hundredth of a degree each way), or one
/// square for every alert without a point.
fn area_cell(point: Option<GeoPoint>) -> String {
    match point {
        Some(p) => format!("{:.2}:{:.2}", p.lat, p.lon),
        None => "no location".to_string(),
    }
}

struct AlertRow {
    uid: String,
    idempotency_hash: Option<String>,
    area_hash: String,
    has_location: bool,
    placed: Placed,
    sealed: Vec<u8>,
    at: i64,
    retain_until: i64,
}

/// The row an alert landed in.
struct Stored {
    id: i64,
    created_at: i64,
    has_location: bool,
    /// The change number it took; `None` when the token had made it before.
    version: Option<i64>,
}

/// Counts the caps and inserts the alert, in one transaction; a repeated token finds the alert
/// it made before.
///
/// Limitation: on SQLite with several servers on one file, two alerts sent at the same moment
/// through two servers may both be counted against the caps before either is written (and one
/// may be refused as busy); on PostgreSQL the head's row lock makes them take turns.
async fn insert_alert(
    conn: &mut Conn,
    row: AlertRow,
    caps: SosSettings,
) -> Result<Result<Stored, InputError>, StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT version FROM sos_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *conn)
            .await?;
    }
    if let Some(hash) = &row.idempotency_hash {
        let earlier = sqlx::query(
            "SELECT id, created_at, has_location FROM sos_alerts WHERE idempotency_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(earlier) = earlier {
            return Ok(Ok(Stored {
                id: earlier.try_get("id")?,
                created_at: earlier.try_get("created_at")?,
                has_location: earlier.try_get::<i64, _>("has_location")? != 0,
                version: None,
            }));
        }
    }
    let recent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sos_alerts WHERE created_at > $1")
        .bind(row.at - GLOBAL_WINDOW_SECS)
        .fetch_one(&mut *conn)
        .await?;
    let nearby: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sos_alerts WHERE area_hash = $1 AND created_at > $2",
    )
    .bind(&row.area_hash)
    .bind(row.at - AREA_WINDOW_SECS)
    .fetch_one(&mut *conn)
    .await?;
    if recent >= caps.alerts_per_minute || nearby >= caps.alerts_per_area {
        tracing::warn!("an SOS alert was refused: too many alerts");
        return Ok(Err(InputError::SosTooMany));
    }
    let version = next_version(conn).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sos_alerts (uid, idempotency_hash, has_location, needs_place_check, \
         thana_key, area_hash, status, body_sealed, created_at, updated_at, retain_until, \
         change_seq) VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $8, $8, $9, $10) RETURNING id",
    )
    .bind(&row.uid)
    .bind(&row.idempotency_hash)
    .bind(i64::from(row.has_location))
    .bind(row.placed.check_code())
    .bind(&row.placed.thana)
    .bind(&row.area_hash)
    .bind(&row.sealed)
    .bind(row.at)
    .bind(row.retain_until)
    .bind(version)
    .fetch_one(&mut *conn)
    .await?;
    notify_servers(conn).await?;
    Ok(Ok(Stored {
        id,
        created_at: row.at,
        has_location: row.has_location,
        version: Some(version),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(lat: &str, lon: &str, place: &str, callback: &str) -> SosForm {
        SosForm {
            lat: lat.into(),
            lon: lon.into(),
            place: place.into(),
            callback: callback.into(),
            ..SosForm::default()
        }
    }

    #[test]
    fn an_alert_needs_a_location_or_a_place() {
        assert_eq!(
            NewAlert::parse(&form("", "", " ", "")).map(|_| ()),
            Err(InputError::SosLocationMissing)
        );
        let written = NewAlert::parse(&form("", "", "রূপসা ঘাটের পাশে", "")).expect("parses");
        assert!(written.point.is_none());
        let located = NewAlert::parse(&form("22.817", "89.550", "", "01712345678")).expect("ok");
        assert!(located.point.is_some());
        assert_eq!(located.callback.as_deref(), Some("+8801712345678"));
    }

    #[test]
    fn bad_fields_are_named() {
        assert_eq!(
            NewAlert::parse(&form("95", "89.5", "", "")).map(|_| ()),
            Err(InputError::SosPointUnusable)
        );
        assert_eq!(
            NewAlert::parse(&form("22.8", "89.5", "", "12345")).map(|_| ()),
            Err(InputError::CallbackMalformed)
        );
        let mut tampered = form("22.8", "89.5", "", "");
        tampered.alert_token = "short".into();
        assert_eq!(
            NewAlert::parse(&tampered).map(|_| ()),
            Err(InputError::FormTampered)
        );
    }

    #[test]
    fn the_app_must_send_a_point_or_a_place_and_a_token() {
        let token = new_token();
        let alert = AppAlert {
            lat: Some(22.817),
            lon: Some(89.55),
            accuracy_m: Some(12.4),
            place: None,
            callback: Some("01712345678"),
            token: Some(&token),
        };
        let parsed = NewAlert::parse_app(alert).expect("parses");
        assert_eq!(parsed.accuracy_m, Some(12));
        assert_eq!(parsed.token.as_deref(), Some(token.as_str()));
        let nothing = AppAlert {
            lat: None,
            lon: None,
            place: Some("  "),
            ..alert
        };
        assert_eq!(
            NewAlert::parse_app(nothing).map(|_| ()),
            Err(InputError::SosLocationRequired)
        );
        let half_a_point = AppAlert { lon: None, ..alert };
        assert_eq!(
            NewAlert::parse_app(half_a_point).map(|_| ()),
            Err(InputError::SosPointUnusable)
        );
        let written = AppAlert {
            place: Some("খালিশপুর জুট মিলের গেট"),
            ..nothing
        };
        let parsed = NewAlert::parse_app(written).expect("a written place will do");
        assert_eq!(parsed.point, None);
        assert_eq!(parsed.place.as_deref(), Some("খালিশপুর জুট মিলের গেট"));
        for bad in [None, Some(""), Some("short"), Some("x y z")] {
            let tokenless = AppAlert {
                token: bad,
                ..alert
            };
            assert_eq!(
                NewAlert::parse_app(tokenless).map(|_| ()),
                Err(InputError::SosTokenMalformed),
                "{bad:?}"
            );
        }
        let far = AppAlert {
            lat: Some(95.0),
            ..alert
        };
        assert_eq!(
            NewAlert::parse_app(far).map(|_| ()),
            Err(InputError::SosPointUnusable)
        );
    }

    #[test]
    fn nearby_points_share_a_square() {
        let a = GeoPoint::new(22.8171, 89.5502).expect("point");
        let b = GeoPoint::new(22.8174, 89.5496).expect("point");
        let far = GeoPoint::new(22.80361, 89.56778).expect("point");
        assert_eq!(area_cell(Some(a)), area_cell(Some(b)));
        assert_ne!(area_cell(Some(a)), area_cell(Some(far)));
        assert_ne!(area_cell(Some(a)), area_cell(None));
    }
}

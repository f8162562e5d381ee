//! The tipster's side: send a tip, come back with the receipt, add information.

use sqlx::Row;
use time::OffsetDateTime;

use super::{Author, Message, SealedBody, TimelineEntry, body_context, message_context, open_text};
use crate::blobs::Blobs;
use crate::config::ServiceArea;
use crate::domain::media::FileLimits;
use crate::domain::tip::{self, Category, GeoPoint, TipStatus};
use crate::domain::{InputError, Receipt};
use crate::sealing::{Keys, random_hex};
use crate::services::ServiceError;
use crate::services::attachments::{self, Prepared};
use crate::services::jurisdictions::{Jurisdictions, Location};
use crate::services::reference::Reference;
use crate::services::routing;
use crate::store::{Store, StoreError, now};
use crate::throttle::{ClientKey, GuessThrottle};

/// A tip form as typed, field by field; the same for the HTML form and the JSON API.
#[derive(Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TipForm {
    pub category: String,
    pub description: String,
    pub event_time: String,
    pub thana: String,
    pub lat: String,
    pub lon: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// A random token from the form, so that sending the same form twice makes one tip.
    pub form_token: String,
    /// Files the page has already sent a piece at a time (see `services::uploads`).
    #[serde(skip)]
    pub uploads: Vec<String>,
}

/// A tip ready to be stored.
#[derive(Clone)]
pub struct NewTip {
    pub category: Category,
    pub description: String,
    pub event_at: Option<i64>,
    pub thana: Option<String>,
    pub point: Option<GeoPoint>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub idempotency_key: Option<String>,
}

// Tip text, names and phone numbers must never reach a log, so `Debug` shows the category only.
impl std::fmt::Debug for TipForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TipForm({}, redacted)", self.category)
    }
}

impl std::fmt::Debug for NewTip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewTip({}, redacted)", self.category.key())
    }
}

impl NewTip {
    /// Parses every field; the first problem found is returned.
    pub fn parse(form: &TipForm, reference: &Reference) -> Result<NewTip, InputError> {
        let category = Category::parse(&form.category)?;
        let description = tip::parse_description(&form.description)?;
        let event_at = tip::parse_event_time(&form.event_time, OffsetDateTime::now_utc())?;
        let thana = match form.thana.trim() {
            "" => None,
            key => Some(
                reference
                    .thana(key)
                    .ok_or(InputError::ThanaUnknown)?
                    .key
                    .clone(),
            ),
        };
        let point = GeoPoint::parse_pair(&form.lat, &form.lon)?;
        let contact_name = tip::parse_contact_name(&form.contact_name)?;
        let contact_phone = tip::parse_contact_phone(&form.contact_phone)?;
        let token = form.form_token.trim();
        if !token.is_empty() && !tip::well_formed_token(token) {
            return Err(InputError::FormTampered);
        }
        let idempotency_key = (!token.is_empty()).then(|| token.to_string());
        Ok(NewTip {
            category,
            description,
            event_at,
            thana,
            point,
            contact_name,
            contact_phone,
            idempotency_key,
        })
    }
}

/// What the tipster is told after sending.
#[derive(Debug)]
pub enum Submitted {
    /// Committed: the receipt exists nowhere else and is shown this once.
    Created { receipt: Receipt, reference: String },
    /// The same form token or idempotency key was sent before, so no second tip was made. The
    /// receipt comes back too: the first answer may never have reached the phone. `None` only
    /// if the stored copy cannot be opened (a token-less record, or another key file).
    Repeated {
        receipt: Option<Receipt>,
        reference: String,
    },
}

/// Rules a submission needs from the settings, and the jurisdiction boundaries a point is
/// routed by.
#[derive(Debug, Clone, Copy)]
pub struct SubmitRules<'a> {
    pub area: ServiceArea,
    pub retention_days: i64,
    pub jurisdictions: &'a Jurisdictions,
}

/// Seals and stores a tip; answers only after the commit.
pub async fn submit(
    store: &Store,
    keys: &Keys,
    rules: SubmitRules<'_>,
    tip: NewTip,
) -> Result<Submitted, ServiceError> {
    submit_with_files(store, keys, rules, tip, None).await
}

/// Files already prepared for a tip, and the store they wait in.
pub struct Files<'a> {
    pub blobs: &'a Blobs,
    pub prepared: Vec<Prepared>,
    /// How many files the tip may carry in all.
    pub limits: FileLimits,
}

/// Seals and stores a tip with its files, recorded in the same transaction; answers only after
/// the commit. When nothing new is recorded (a failure, or a resent form whose tip exists) the
/// prepared files are deleted.
pub async fn submit_with_files(
    store: &Store,
    keys: &Keys,
    rules: SubmitRules<'_>,
    tip: NewTip,
    files: Option<Files<'_>>,
) -> Result<Submitted, ServiceError> {
    let outcome = submit_inner(store, keys, rules, tip, files.as_ref()).await;
    if let Some(files) = &files {
        let recorded = matches!(outcome, Ok(Submitted::Created { .. }));
        if !recorded {
            attachments::discard(files.blobs, &files.prepared).await;
        }
    }
    outcome
}

async fn submit_inner(
    store: &Store,
    keys: &Keys,
    rules: SubmitRules<'_>,
    tip: NewTip,
    files: Option<&Files<'_>>,
) -> Result<Submitted, ServiceError> {
    let (thana, needs_place_check) = place_of(store, &rules, &tip).await;
    let receipt = Receipt::generate();
    let uid = random_hex(16);
    let receipt_hash = keys.lookup_hash("receipt", receipt.expose_digits());
    let (plain, replay) = sealed_and_replay(&tip)?;
    let sealed = keys.seal(&body_context(&uid), &plain);
    let idempotency_hash = replay.as_deref().map(|r| keys.lookup_hash("form", r));
    // The receipt is also kept sealed under a key that needs that token and content, which are
    // never stored: only whoever sends the same form again can read it again.
    let token_key = replay.as_deref().map(|r| keys.token_key("receipt", r));
    let receipt_sealed = token_key.as_ref().map(|key| {
        Keys::seal_with(
            key,
            &receipt_context(&uid),
            receipt.expose_digits().as_bytes(),
        )
    });
    let at = now();
    let retain_until = at + rules.retention_days * 86_400;
    let row = TipRow {
        uid,
        receipt_hash,
        idempotency_hash,
        receipt_sealed,
        category: tip.category.key(),
        thana,
        needs_place_check,
        event_at: tip.event_at,
        sealed,
        at,
        retain_until,
    };
    let prepared = files.map(|f| f.prepared.clone()).unwrap_or_default();
    let stored = if prepared.is_empty() {
        store
            .write_one(move |conn| Box::pin(insert_tip(conn, row)))
            .await?
    } else {
        store
            .write(move |conn| {
                Box::pin(async move {
                    let stored = insert_tip(conn, row).await?;
                    if stored.earlier.is_none() {
                        attachments::insert_rows(conn, stored.id, &prepared).await?;
                    }
                    Ok(stored)
                })
            })
            .await?
    };
    let reference = super::reference(stored.id, stored.created_at);
    let Some(earlier) = stored.earlier else {
        tracing::info!("tip received");
        return Ok(Submitted::Created { receipt, reference });
    };
    // Limitation: the sealed copy stays in the row after the day in which it can be shown
    // again; a purge should clear it.
    let within_a_day = now() - stored.created_at < REPLAY_WINDOW_SECS;
    let receipt = token_key.filter(|_| within_a_day).and_then(|key| {
        let sealed = earlier.receipt_sealed?;
        let digits = Keys::open_with(&key, &receipt_context(&earlier.uid), &sealed).ok()?;
        Receipt::parse(std::str::from_utf8(&digits).ok()?).ok()
    });
    Ok(Submitted::Repeated { receipt, reference })
}

/// The tip's body as sealed, and the secret a resend of the same form matches on: the token
/// *and* the same content, so a guessed or leaked token alone neither finds the tip nor opens
/// its receipt. `None` without a token.
fn sealed_and_replay(tip: &NewTip) -> Result<(Vec<u8>, Option<String>), ServiceError> {
    let body = SealedBody {
        description: tip.description.clone(),
        contact_name: tip.contact_name.clone(),
        contact_phone: tip.contact_phone.clone(),
        lat: tip.point.map(|p| p.lat),
        lon: tip.point.map(|p| p.lon),
    };
    let plain = serde_json::to_vec(&body).map_err(anyhow::Error::from)?;
    let replay = tip.idempotency_key.as_deref().map(|token| {
        let mut secret = format!(
            "{token}\0{}\0{:?}\0{:?}\0",
            tip.category.key(),
            tip.thana,
            tip.event_at
        );
        secret.push_str(&String::from_utf8_lossy(&plain));
        secret
    });
    Ok((plain, replay))
}

/// Whether this very form (same token, same content) is already a tip. A form resent after its
/// answer was lost names uploads that went with the first send and are gone; asked first, the
/// resend is answered with the first receipt instead of a refusal for the missing files.
async fn already_sent(store: &Store, keys: &Keys, tip: &NewTip) -> Result<bool, ServiceError> {
    let (_, replay) = sealed_and_replay(tip)?;
    let Some(replay) = replay else {
        return Ok(false);
    };
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM tips WHERE idempotency_hash = $1")
        .bind(keys.lookup_hash("form", &replay))
        .fetch_optional(store.reader())
        .await
        .map_err(StoreError::from)?;
    Ok(found.is_some())
}

/// Cleans the uploads a tip form names (sent a piece at a time) into `prepared`, at most
/// `limits.max_files` files with those already there; see `uploads::prepare_named`. A form that
/// is already a tip is a resend after a lost answer: its uploads went with the first send, so
/// nothing is prepared and the send answers with the first receipt.
pub async fn prepare_uploads(
    store: &Store,
    blobs: &Blobs,
    keys: &Keys,
    limits: &FileLimits,
    tip: &NewTip,
    ids: &mut Vec<String>,
    prepared: &mut Vec<Prepared>,
) -> Result<(), ServiceError> {
    if ids.is_empty() || already_sent(store, keys, tip).await? {
        return Ok(());
    }
    let room = limits.max_files;
    crate::services::uploads::prepare_named(store, blobs, keys, limits, ids, prepared, room).await
}

/// The thana a tip is routed by, and whether an officer must check its place.
///
/// With boundaries imported, a point inside one thana and away from its edge decides the thana
/// (and the routing rule's `@thana`). A point near an edge or outside every boundary is never
/// routed by the point: the tip keeps the thana the tipster named (or none, so the rules send
/// it to the control room) and is marked for an officer to confirm, who sees the thanas it may
/// lie in. So is a point inside another thana than the one the tipster named, since the point
/// may be where the tipster stood rather than where it happened. Without boundaries a point
/// outside KMP's area is marked, as before.
async fn place_of(store: &Store, rules: &SubmitRules<'_>, tip: &NewTip) -> (Option<String>, bool) {
    let named = tip.thana.clone();
    let Some(point) = tip.point else {
        return (named, false);
    };
    let outside_area = !rules.area.contains(point.lat, point.lon);
    match rules.jurisdictions.locate(store, point).await {
        Ok(None) => (named, outside_area),
        Ok(Some(Location::Routed(thana))) => match named {
            Some(named) if named != thana => (Some(named), true),
            _ => (Some(thana), outside_area),
        },
        Ok(Some(Location::NeedsConfirmation { .. } | Location::Outside)) => (named, true),
        Err(err) => {
            tracing::warn!(error = %err, "jurisdiction boundaries could not be read; the tip is marked for a place check");
            (named, true)
        }
    }
}

/// How long a resent form can show its receipt again.
const REPLAY_WINDOW_SECS: i64 = 24 * 3600;

fn receipt_context(uid: &str) -> String {
    format!("tip:{uid}:receipt")
}

/// The row a submission landed in.
struct Stored {
    id: i64,
    created_at: i64,
    /// Set when the same token had already made this tip.
    earlier: Option<Earlier>,
}

struct Earlier {
    uid: String,
    receipt_sealed: Option<Vec<u8>>,
}

struct TipRow {
    uid: String,
    receipt_hash: String,
    idempotency_hash: Option<String>,
    receipt_sealed: Option<Vec<u8>>,
    category: &'static str,
    thana: Option<String>,
    needs_place_check: bool,
    event_at: Option<i64>,
    sealed: Vec<u8>,
    at: i64,
    retain_until: i64,
}

/// The tip's insert, which also routes it: its desk and copy come from the routing rules, in
/// the same statement, so a submission stays one statement. A resent form inserts no row at all
/// (`NOT EXISTS`), so it uses up no reference number and the references have no gaps an auditor
/// would take for deleted tips; `ON CONFLICT` still covers two copies racing on PostgreSQL.
static ROUTED_INSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO tips (uid, receipt_hash, idempotency_hash, category, thana_key, lat, lon, \
         needs_place_check, event_at, status, body_sealed, created_at, updated_at, retain_until, \
         receipt_sealed, assigned_place, copy_place) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, \
         COALESCE({lead}, COALESCE($5, '{fallback}')), {copy} \
         WHERE NOT EXISTS (SELECT 1 FROM tips WHERE idempotency_hash = $3) \
         ON CONFLICT (idempotency_hash) DO NOTHING RETURNING id",
        lead = routing::desk_subquery("lead", "$4", "$5"),
        copy = routing::desk_subquery("copy", "$4", "$5"),
        fallback = routing::NO_THANA_DESK,
    )
});

/// Inserts the tip, or finds the one the same token made before.
async fn insert_tip(conn: &mut crate::store::Conn, row: TipRow) -> Result<Stored, StoreError> {
    let inserted = sqlx::query(ROUTED_INSERT.as_str())
        .bind(&row.uid)
        .bind(&row.receipt_hash)
        .bind(&row.idempotency_hash)
        .bind(row.category)
        .bind(&row.thana)
        .bind(None::<f64>)
        .bind(None::<f64>)
        .bind(i64::from(row.needs_place_check))
        .bind(row.event_at)
        .bind(TipStatus::New.key())
        .bind(&row.sealed)
        .bind(row.at)
        .bind(row.retain_until)
        .bind(&row.receipt_sealed)
        .fetch_optional(&mut *conn)
        .await?;
    // The first step of the timeline is the tip's own `created_at`; `tip_events` holds the
    // changes after it, which keeps a submission to one statement.
    if let Some(inserted) = inserted {
        return Ok(Stored {
            id: inserted.try_get(0)?,
            created_at: row.at,
            earlier: None,
        });
    }
    let existing = sqlx::query(
        "SELECT id, created_at, uid, receipt_sealed FROM tips WHERE idempotency_hash = $1",
    )
    .bind(&row.idempotency_hash)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Stored {
        id: existing.try_get("id")?,
        created_at: existing.try_get("created_at")?,
        earlier: Some(Earlier {
            uid: existing.try_get("uid")?,
            receipt_sealed: existing.try_get("receipt_sealed")?,
        }),
    })
}

/// What the tipster sees with the receipt. Internal notes and officers' names are never here.
#[derive(Clone)]
pub struct TipsterView {
    pub reference: String,
    pub category: Category,
    pub status: TipStatus,
    pub created_at: i64,
    pub timeline: Vec<TimelineEntry>,
    pub messages: Vec<Message>,
}

/// A tip, its timeline and the messages the tipster may see, in one round trip: part 0 is the
/// tip, part 1 its status changes, part 2 its messages (internal notes left out).
// The messages come first in the text because PostgreSQL settles each column's type from the
// first branches it reads: two NULLs there would make `sealed` text, not bytea.
const TIPSTER_VIEW_SQL: &str = "\
    WITH t AS (SELECT id, category, status, created_at FROM tips WHERE receipt_hash = $1) \
    SELECT CAST(2 AS BIGINT) AS part, m.id AS id, m.uid AS label, m.author AS kind, \
           m.created_at AS at, m.body_sealed AS sealed \
    FROM tip_messages m JOIN t ON (m.tip_id = t.id AND m.via_tip_id IS NULL) OR m.via_tip_id = t.id \
    WHERE m.author <> 'note' \
    UNION ALL \
    SELECT CAST(0 AS BIGINT), t.id, t.category, t.status, t.created_at, NULL FROM t \
    UNION ALL \
    SELECT CAST(1 AS BIGINT), e.id, NULL, e.status, e.at, NULL \
    FROM tip_events e JOIN t ON e.tip_id = t.id \
    ORDER BY part, id";

/// The tip's status, timeline and conversation, for the holder of its receipt.
pub async fn look_up(
    store: &Store,
    keys: &Keys,
    receipt: &Receipt,
) -> Result<TipsterView, ServiceError> {
    let hash = keys.lookup_hash("receipt", receipt.expose_digits());
    let rows = sqlx::query(TIPSTER_VIEW_SQL)
        .bind(hash)
        .fetch_all(store.reader())
        .await?;
    let Some(tip) = rows
        .first()
        .filter(|r| r.try_get::<i64, _>("part").is_ok_and(|p| p == 0))
    else {
        return Err(InputError::ReceiptUnknown.into());
    };
    let id: i64 = tip.try_get("id")?;
    let label: Option<String> = tip.try_get("label")?;
    let category =
        Category::parse(label.as_deref().unwrap_or_default()).map_err(|_| StoreError::Sealing)?;
    let status = super::parse_status(&tip.try_get::<String, _>("kind")?)?;
    let created_at: i64 = tip.try_get("at")?;
    let mut timeline = vec![TimelineEntry {
        at: created_at,
        status: TipStatus::New,
    }];
    let mut messages = Vec::new();
    for row in &rows[1..] {
        let kind: String = row.try_get("kind")?;
        let at: i64 = row.try_get("at")?;
        if row.try_get::<i64, _>("part")? == 1 {
            timeline.push(TimelineEntry {
                at,
                status: super::parse_status(&kind)?,
            });
            continue;
        }
        let uid: Option<String> = row.try_get("label")?;
        let sealed: Option<Vec<u8>> = row.try_get("sealed")?;
        let body = open_text(
            keys,
            &message_context(&uid.unwrap_or_default()),
            &sealed.unwrap_or_default(),
        )?;
        messages.push(Message {
            author: Author::parse(&kind),
            officer_name: None,
            body,
            at,
            via: None,
        });
    }
    Ok(TipsterView {
        reference: super::reference(id, created_at),
        category,
        status,
        created_at,
        timeline,
        messages,
    })
}

/// The id of the tip a receipt opens, or `ReceiptUnknown`.
async fn tip_id_of_receipt(
    store: &Store,
    keys: &Keys,
    receipt: &Receipt,
) -> Result<i64, ServiceError> {
    let hash = keys.lookup_hash("receipt", receipt.expose_digits());
    sqlx::query_scalar("SELECT id FROM tips WHERE receipt_hash = $1")
        .bind(hash)
        .fetch_optional(store.reader())
        .await?
        .ok_or(ServiceError::Input(InputError::ReceiptUnknown))
}

/// Parses a typed receipt and looks it up, unless this client is locked out for guessing; a
/// receipt that matches no tip counts against the client.
pub async fn look_up_guarded(
    store: &Store,
    keys: &Keys,
    throttle: &GuessThrottle,
    client: ClientKey,
    typed: &str,
) -> Result<(Receipt, TipsterView), ServiceError> {
    if throttle.wait(client).is_some() {
        return Err(InputError::TooManyGuesses.into());
    }
    let receipt = Receipt::parse(typed)?;
    match look_up(store, keys, &receipt).await {
        Ok(view) => Ok((receipt, view)),
        Err(err) => {
            if matches!(err, ServiceError::Input(InputError::ReceiptUnknown)) {
                throttle.miss(client);
            }
            Err(err)
        }
    }
}

/// What became of a tipster's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Stored now, with its files.
    New,
    /// The same form (token, tip and text) was sent before: nothing was added again.
    Repeated,
}

/// A tipster's message as sent: the text and the token of the form it was written in, which
/// makes a resend of that form add nothing (none from a client that sends no token).
#[derive(Clone, Copy)]
pub struct SentMessage<'a> {
    pub text: &'a str,
    pub token: Option<&'a str>,
}

impl std::fmt::Debug for SentMessage<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SentMessage(redacted)")
    }
}

/// The tipster adds information to their tip.
pub async fn add_information(
    store: &Store,
    keys: &Keys,
    receipt: &Receipt,
    message: SentMessage<'_>,
) -> Result<Added, ServiceError> {
    add_information_with_files(store, keys, receipt, message, None).await
}

/// Whether this very message form was already added to the receipt's tip. A form resent after
/// its answer was lost names uploads that went with the first send and are gone: asked first,
/// the resend is answered as sent instead of refused for the missing files.
pub async fn message_already_sent(
    store: &Store,
    keys: &Keys,
    receipt: &Receipt,
    message: SentMessage<'_>,
) -> Result<bool, ServiceError> {
    let Ok(text) = tip::parse_message(message.text) else {
        return Ok(false);
    };
    let tip_id = tip_id_of_receipt(store, keys, receipt).await?;
    let Some(hash) = message_hash(keys, message.token, tip_id, &text) else {
        return Ok(false);
    };
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM tip_messages WHERE idempotency_hash = $1")
            .bind(hash)
            .fetch_optional(store.reader())
            .await?;
    Ok(found.is_some())
}

/// The keyed hash a message form is known again by: its token, the tip and the text, so a
/// leaked token alone finds nothing.
fn message_hash(keys: &Keys, token: Option<&str>, tip_id: i64, text: &str) -> Option<String> {
    let token = token.map(str::trim).filter(|t| !t.is_empty())?;
    Some(keys.lookup_hash("message", &format!("{token}\0{tip_id}\0{text}")))
}

/// How many more files the tip of this receipt may carry.
pub async fn files_left(
    store: &Store,
    keys: &Keys,
    limits: &FileLimits,
    receipt: &Receipt,
) -> Result<usize, ServiceError> {
    let tip_id = tip_id_of_receipt(store, keys, receipt).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE tip_id = $1")
        .bind(tip_id)
        .fetch_one(store.reader())
        .await?;
    Ok(limits.max_files.saturating_sub(count as usize))
}

/// The tipster's message with files already prepared, in one transaction; the files belong to
/// the tipster's own tip, and never take it past its number of files. Files of a message that
/// is refused or was already added are deleted.
pub async fn add_information_with_files(
    store: &Store,
    keys: &Keys,
    receipt: &Receipt,
    message: SentMessage<'_>,
    files: Option<Files<'_>>,
) -> Result<Added, ServiceError> {
    let outcome = add_inner(store, keys, receipt, message, files.as_ref()).await;
    if let (false, Some(files)) = (matches!(outcome, Ok(Added::New)), &files) {
        attachments::discard(files.blobs, &files.prepared).await;
    }
    outcome
}

async fn add_inner(
    store: &Store,
    keys: &Keys,
    receipt: &Receipt,
    message: SentMessage<'_>,
    files: Option<&Files<'_>>,
) -> Result<Added, ServiceError> {
    let text = tip::parse_message(message.text)?;
    let tip_id = tip_id_of_receipt(store, keys, receipt).await?;
    let idempotency_hash = message_hash(keys, message.token, tip_id, &text);
    let uid = random_hex(16);
    let sealed = keys.seal(&message_context(&uid), text.as_bytes());
    let prepared = files.map(|f| f.prepared.clone()).unwrap_or_default();
    let limits = files.map(|f| f.limits).unwrap_or_default();
    let outcome = store
        .write(move |conn| {
            Box::pin(async move {
                if let Some(hash) = &idempotency_hash {
                    let earlier: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM tip_messages WHERE idempotency_hash = $1",
                    )
                    .bind(hash)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if earlier.is_some() {
                        return Ok(Ok(Added::Repeated));
                    }
                }
                if !prepared.is_empty() {
                    // On PostgreSQL several writers run at once: the tip's row is locked so
                    // that two follow-ups cannot both count four files and add two each.
                    if conn.backend_name() == "PostgreSQL" {
                        sqlx::query("SELECT id FROM tips WHERE id = $1 FOR UPDATE")
                            .bind(tip_id)
                            .fetch_one(&mut *conn)
                            .await?;
                    }
                    let count: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM attachments WHERE tip_id = $1")
                            .bind(tip_id)
                            .fetch_one(&mut *conn)
                            .await?;
                    if count as usize + prepared.len() > limits.max_files {
                        return Ok(Err(limits.too_many()));
                    }
                    attachments::insert_rows(conn, tip_id, &prepared).await?;
                }
                // On a tip marked as a duplicate, the message reaches the original; `via`
                // keeps it in this tipster's own conversation.
                let original: Option<i64> =
                    sqlx::query_scalar("SELECT duplicate_of FROM tips WHERE id = $1")
                        .bind(tip_id)
                        .fetch_one(&mut *conn)
                        .await?;
                let (target, via) = match original {
                    Some(original) => (original, Some(tip_id)),
                    None => (tip_id, None),
                };
                let message = NewMessage {
                    uid: &uid,
                    tip_id: target,
                    via_tip_id: via,
                    author: Author::Tipster,
                    officer_id: None,
                    sealed: &sealed,
                    idempotency_hash: idempotency_hash.as_deref(),
                };
                insert_message(conn, message).await?;
                sqlx::query("UPDATE tips SET updated_at = $1 WHERE id = $2 OR id = $3")
                    .bind(now())
                    .bind(tip_id)
                    .bind(target)
                    .execute(&mut *conn)
                    .await?;
                Ok(Ok(Added::New))
            })
        })
        .await?;
    let added = outcome?;
    if added == Added::New {
        tracing::info!("tipster added information");
    }
    Ok(added)
}

/// A message to store, already sealed.
pub(crate) struct NewMessage<'a> {
    pub uid: &'a str,
    pub tip_id: i64,
    /// The duplicate it was written on, when it was redirected to the original.
    pub via_tip_id: Option<i64>,
    pub author: Author,
    pub officer_id: Option<i64>,
    pub sealed: &'a [u8],
    /// A tipster's form, known again by this keyed hash (see `message_hash`).
    pub idempotency_hash: Option<&'a str>,
}

pub(crate) async fn insert_message(
    conn: &mut crate::store::Conn,
    m: NewMessage<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tip_messages (uid, tip_id, via_tip_id, author, officer_id, body_sealed, \
         created_at, idempotency_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(m.uid)
    .bind(m.tip_id)
    .bind(m.via_tip_id)
    .bind(m.author.key())
    .bind(m.officer_id)
    .bind(m.sealed)
    .bind(now())
    .bind(m.idempotency_hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

//! `/console/tips/{reference}`: a tip's page (every opening is audited), and its status,
//! assignment, transfer, "duplicate of", priority, due date, replies to the tipster and internal
//! notes. Each change goes to its service, which checks the officer's role and desk.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::tip::TipStatus;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::tips::officer::{self, OfficerTipView};
use crate::services::tips::{Author, canonical_reference};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{Choice, PageCtx, Problem, render_with};

/// A file as the tip's page lists it.
pub struct ConsoleFile {
    pub uid: String,
    pub name: String,
    pub size: String,
    pub dims: String,
    pub sha256: String,
    pub metadata_removed: bool,
    /// Photos have a small copy to show; videos and voice notes do not.
    pub has_thumb: bool,
}

/// A message as officers see it.
pub struct ConsoleMessage {
    pub kind: &'static str,
    pub who: String,
    pub when: String,
    pub body: String,
    /// The duplicate the message came through, from that tip's own tipster.
    pub via: Option<String>,
}

#[derive(Template)]
#[template(path = "console/tip.html")]
pub struct TipPage {
    pub ctx: PageCtx,
    pub reference: String,
    pub category: String,
    pub status: String,
    pub thana: String,
    pub assigned: String,
    pub point: Option<String>,
    pub needs_place_check: bool,
    /// For a point that needs checking: where the boundaries put it.
    pub place_check: Option<PlaceCheck>,
    pub event_at: String,
    pub received: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_left: bool,
    pub files: Vec<ConsoleFile>,
    pub timeline: Vec<(String, String)>,
    pub messages: Vec<ConsoleMessage>,
    pub copy: String,
    pub assigned_officer: String,
    pub priority: bool,
    pub due: String,
    pub due_input: String,
    pub overdue: bool,
    pub duplicate_of: Option<String>,
    pub may_work: bool,
    pub may_note: bool,
    pub next_statuses: Vec<Choice>,
    pub places: Vec<Choice>,
    pub desk_officers: Vec<Choice>,
    pub drafts: Drafts,
    pub problem: Option<Problem>,
}

/// Where the jurisdiction boundaries put a tip's point that an officer must confirm.
pub struct PlaceCheck {
    /// `in` (one thana, not the one the tipster named), `near` (near a boundary) or `outside`.
    pub kind: &'static str,
    /// The thanas, in the page's language.
    pub thanas: String,
}

/// Where the boundaries put the point, worked out again when the page is opened (the point is
/// sealed with the tip; only the flag is stored in the clear).
// Limitation: this uses the boundaries loaded now; after a new import the thanas shown may differ
// from those the tip was checked against when it came in.
async fn place_check(
    state: &AppState,
    view: &OfficerTipView,
    lang: crate::i18n::Lang,
) -> Option<PlaceCheck> {
    use crate::services::nearest::{self, Answer};
    let (lat, lon) = view.point.filter(|_| view.summary.needs_place_check)?;
    let point = crate::domain::tip::GeoPoint::new(lat, lon).ok()?;
    let (answer, keys) =
        match nearest::place_of_point(&state.store, &state.jurisdictions, point).await {
            Ok(found) => found?,
            Err(err) => {
                tracing::warn!(error = %err, "jurisdiction boundaries could not be read");
                return None;
            }
        };
    let kind = match answer {
        Answer::In => "in",
        Answer::NearEdge | Answer::NearOutside => "near",
        Answer::Outside => "outside",
    };
    let thanas: Vec<String> = match answer {
        Answer::Outside => Vec::new(),
        _ => keys
            .iter()
            .map(|k| state.reference.place_name(k, lang))
            .collect(),
    };
    Some(PlaceCheck {
        kind,
        thanas: thanas.join(", "),
    })
}

/// What an officer typed in the tip page's forms, kept when a change is refused.
#[derive(Default)]
pub struct Drafts {
    pub body: String,
    pub reason: String,
    pub original: String,
    pub due: Option<String>,
}

pub async fn show_tip(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    tip_page(&state, &officer, ctx, &reference, Drafts::default(), None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

pub async fn change_status(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<StatusForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = officer::change_status(&state.store, &officer, &reference, &form.status).await;
    after(&state, &officer, ctx, &reference, done, Drafts::default()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    /// A username of the desk's officers, or empty for nobody.
    officer: String,
}

pub async fn assign_tip(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<AssignForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = officer::assign(&state.store, &officer, &reference, &form.officer).await;
    after(&state, &officer, ctx, &reference, done, Drafts::default()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct TransferForm {
    place: String,
    reason: String,
}

pub async fn transfer_tip(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<TransferForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = officer::transfer(
        &state.store,
        &state.keys,
        &state.reference,
        &officer,
        &reference,
        &form.place,
        &form.reason,
    )
    .await;
    // After a transfer away the officer may no longer read the tip: back to the queue.
    if done.is_ok() && !can_still_read(&state, &officer, &reference).await {
        return Ok(Redirect::to("/console").into_response());
    }
    let drafts = Drafts {
        reason: form.reason,
        ..Drafts::default()
    };
    after(&state, &officer, ctx, &reference, done, drafts).await
}

async fn can_still_read(state: &AppState, officer: &Officer, reference: &str) -> bool {
    officer::may_read(&state.store, officer, reference).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DuplicateForm {
    original: String,
}

pub async fn mark_duplicate(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<DuplicateForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = officer::mark_duplicate(&state.store, &officer, &reference, &form.original).await;
    let drafts = Drafts {
        original: form.original,
        ..Drafts::default()
    };
    after(&state, &officer, ctx, &reference, done, drafts).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PriorityForm {
    /// `1` for urgent, `0` for normal.
    urgent: String,
}

pub async fn set_priority(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<PriorityForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = match form.urgent.as_str() {
        "1" => officer::set_priority(&state.store, &officer, &reference, true).await,
        "0" => officer::set_priority(&state.store, &officer, &reference, false).await,
        _ => officer::refuse_after_check(&state.store, &officer, &reference).await,
    };
    after(&state, &officer, ctx, &reference, done, Drafts::default()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DueForm {
    due: String,
}

pub async fn set_due_date(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<DueForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = officer::set_due_date(&state.store, &officer, &reference, &form.due).await;
    let drafts = Drafts {
        due: Some(form.due),
        ..Drafts::default()
    };
    after(&state, &officer, ctx, &reference, done, drafts).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
    /// `reply` (to the tipster) or `note` (internal).
    kind: String,
}

pub async fn write_message(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<MessageForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let author = match form.kind.as_str() {
        "reply" => Author::Officer,
        "note" => Author::Note,
        _ => {
            officer::refuse_after_check(&state.store, &officer, &reference).await?;
            return Err(InputError::FormTampered.into());
        }
    };
    let done = officer::write_message(
        &state.store,
        &state.keys,
        &officer,
        &reference,
        author,
        &form.body,
    )
    .await;
    let drafts = Drafts {
        body: form.body,
        ..Drafts::default()
    };
    after(&state, &officer, ctx, &reference, done, drafts).await
}

/// After a change: back to the tip's page, or the page again with the reason and the draft.
async fn after(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    reference: &str,
    done: Result<(), ServiceError>,
    drafts: Drafts,
) -> Result<Response, WebError> {
    match done {
        Ok(()) => {
            // The change went through, so the reference parsed; redirect to its standard form,
            // never to the text as typed (which may not even be a valid header).
            let canonical = canonical_reference(reference).ok_or(WebError::NotFound)?;
            Ok(Redirect::to(&format!("/console/tips/{canonical}")).into_response())
        }
        // The tip may no longer be this officer's to open: the refusal is a page of its own.
        Err(ServiceError::Input(InputError::DeskChanged)) => {
            Err(WebError::Input(InputError::DeskChanged))
        }
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            tip_page(state, officer, ctx, reference, drafts, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn tip_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    reference: &str,
    drafts: Drafts,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let view = officer::open_tip(&state.store, &state.keys, officer, reference).await?;
    ctx.signed_in(officer);
    let desk = view.summary.assigned_place.clone().unwrap_or_default();
    let desk_officers = crate::services::officers::of_place(&state.store, &desk).await?;
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let place_check = place_check(state, &view, ctx.lang).await;
    let page = build_page(
        state,
        ctx,
        view,
        desk_officers,
        drafts,
        problem.map(|(_, p)| p),
        place_check,
    );
    Ok(render_with(status, &page))
}

fn build_page(
    state: &AppState,
    ctx: PageCtx,
    view: OfficerTipView,
    desk_officers: Vec<(i64, String, String)>,
    drafts: Drafts,
    problem: Option<Problem>,
    place_check: Option<PlaceCheck>,
) -> TipPage {
    let lang = ctx.lang;
    let place_name = |key: &Option<String>| {
        key.as_deref()
            .map(|k| state.reference.place_name(k, lang))
            .unwrap_or_default()
    };
    let messages = view
        .messages
        .iter()
        .map(|m| ConsoleMessage {
            kind: m.author.key(),
            who: match m.author {
                Author::Tipster => ctx.t("console-tipster"),
                _ => m.officer_name.clone().unwrap_or_default(),
            },
            when: ctx.when(&m.at),
            body: m.body.clone(),
            via: m.via.clone(),
        })
        .collect();
    let next_statuses = TipStatus::ALL
        .iter()
        .filter(|s| view.summary.status.may_become(**s))
        .map(|s| Choice {
            key: s.key().into(),
            label: ctx.t(&s.label_key()),
            selected: false,
        })
        .collect();
    let places = state
        .reference
        .places
        .iter()
        .filter(|p| p.kind != "hq" && view.summary.assigned_place.as_deref() != Some(&p.key))
        .map(|p| Choice {
            key: p.key.clone(),
            label: p.name(lang).into(),
            selected: false,
        })
        .collect();
    let assigned_officer = view.summary.assigned_officer.clone().unwrap_or_default();
    let desk_officers = desk_officers
        .into_iter()
        .map(|(_, username, name)| Choice {
            selected: name == assigned_officer,
            key: username,
            label: name,
        })
        .collect();
    let due_input = drafts.due.clone().unwrap_or_else(|| {
        view.summary
            .due_at
            .map(crate::domain::tip::due_date_text)
            .unwrap_or_default()
    });
    TipPage {
        reference: view.summary.reference.clone(),
        category: ctx.t(&view.summary.category.label_key()),
        status: ctx.t(&view.summary.status.label_key()),
        thana: place_name(&view.summary.thana),
        assigned: place_name(&view.summary.assigned_place),
        point: view.point.map(|(lat, lon)| format!("{lat:.5}, {lon:.5}")),
        needs_place_check: view.summary.needs_place_check,
        place_check,
        event_at: ctx.when_opt(&view.event_at),
        received: ctx.when(&view.summary.created_at),
        description: view.description,
        contact_name: view.contact_name,
        contact_phone: view.contact_phone,
        contact_left: view.contact_left,
        files: view
            .attachments
            .iter()
            .map(|f| ConsoleFile {
                uid: f.uid.clone(),
                name: format!(
                    "{}-{}.{}",
                    view.summary.reference,
                    f.number,
                    f.kind.extension()
                ),
                size: ctx.size(f.size),
                dims: match (f.width, f.height) {
                    (Some(w), Some(h)) => format!("{} × {}", ctx.num(&w), ctx.num(&h)),
                    _ => String::new(),
                },
                sha256: f.sha256.clone(),
                metadata_removed: f.metadata_removed,
                has_thumb: f.kind.is_image(),
            })
            .collect(),
        timeline: view
            .timeline
            .iter()
            .map(|e| (ctx.when(&e.at), ctx.t(&e.status.label_key())))
            .collect(),
        messages,
        copy: place_name(&view.summary.copy_place),
        assigned_officer,
        priority: view.summary.priority,
        due: ctx.when_opt(&view.summary.due_at),
        due_input,
        overdue: view.summary.overdue,
        duplicate_of: view.summary.duplicate_of.clone(),
        may_work: view.may_work,
        may_note: view.may_note,
        next_statuses,
        places,
        desk_officers,
        drafts,
        problem,
        ctx,
    }
}

/// `GET /console/tips/{reference}/attachments/{uid}`: one file, as a download (never shown in
/// the page), with its SHA-256 for the chain of custody. Every download is audited.
pub async fn download_attachment(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path((reference, uid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let file = officer::download_attachment(
        &state.store,
        &state.blobs,
        &state.keys,
        &officer,
        &reference,
        &uid,
    )
    .await?;
    let canonical = canonical_reference(&reference).ok_or(WebError::NotFound)?;
    let filename = format!("{canonical}-{}.{}", file.number, file.kind.extension());
    let digest = hex::decode(&file.sha256).unwrap_or_default();
    let headers = [
        (header::CONTENT_TYPE, file.kind.content_type().to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        (header::CACHE_CONTROL, "no-store".to_string()),
    ];
    let mut response = (headers, axum::body::Body::from_stream(file.body)).into_response();
    // RFC 9530: the hash of what is served, for the officer's own check.
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(&digest)
    )) {
        response.headers_mut().insert("repr-digest", value);
    }
    Ok(response)
}

/// `GET /console/tips/{reference}/attachments/{uid}/thumbnail`: the small copy shown on the
/// tip's page.
pub async fn attachment_thumbnail(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path((reference, uid)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let bytes = officer::attachment_thumbnail(
        &state.store,
        &state.blobs,
        &state.keys,
        &officer,
        &reference,
        &uid,
    )
    .await?;
    let headers = [
        (header::CONTENT_TYPE, "image/jpeg"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    Ok((headers, bytes).into_response())
}

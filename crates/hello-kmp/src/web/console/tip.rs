//! `/console/tips/{reference}`: a tip's page (every opening is audited), and its status,
//! assignment, replies to the tipster and internal notes.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

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

/// A message as officers see it.
pub struct ConsoleMessage {
    pub kind: &'static str,
    pub who: String,
    pub when: String,
    pub body: String,
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
    pub event_at: String,
    pub received: String,
    pub description: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub timeline: Vec<(String, String)>,
    pub messages: Vec<ConsoleMessage>,
    pub next_statuses: Vec<Choice>,
    pub places: Vec<Choice>,
    pub draft: String,
    pub problem: Option<Problem>,
}

pub async fn show_tip(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    tip_page(&state, &officer, ctx, &reference, String::new(), None).await
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
    let done = match TipStatus::parse(&form.status) {
        Ok(next) => officer::change_status(&state.store, &officer, &reference, next).await,
        Err(err) => Err(err.into()),
    };
    after(&state, &officer, ctx, &reference, done, String::new()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    place: String,
}

pub async fn assign_tip(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<AssignForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = officer::assign(
        &state.store,
        &state.reference,
        &officer,
        &reference,
        &form.place,
    )
    .await;
    after(&state, &officer, ctx, &reference, done, String::new()).await
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
        _ => return Err(InputError::FormTampered.into()),
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
    after(&state, &officer, ctx, &reference, done, form.body).await
}

/// After a change: back to the tip's page, or the page again with the reason and the draft.
async fn after(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    reference: &str,
    done: Result<(), ServiceError>,
    draft: String,
) -> Result<Response, WebError> {
    match done {
        Ok(()) => {
            // The change went through, so the reference parsed; redirect to its standard form,
            // never to the text as typed (which may not even be a valid header).
            let canonical = canonical_reference(reference).ok_or(WebError::NotFound)?;
            Ok(Redirect::to(&format!("/console/tips/{canonical}")).into_response())
        }
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            tip_page(state, officer, ctx, reference, draft, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn tip_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    reference: &str,
    draft: String,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let view = officer::open_tip(&state.store, &state.keys, officer, reference).await?;
    ctx.officer_name = Some(officer.display_name.clone());
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = build_page(state, ctx, view, draft, problem.map(|(_, p)| p));
    Ok(render_with(status, &page))
}

fn build_page(
    state: &AppState,
    ctx: PageCtx,
    view: OfficerTipView,
    draft: String,
    problem: Option<Problem>,
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
        .map(|p| Choice {
            key: p.key.clone(),
            label: p.name(lang).into(),
            selected: view.summary.assigned_place.as_deref() == Some(&p.key),
        })
        .collect();
    TipPage {
        reference: view.summary.reference,
        category: ctx.t(&view.summary.category.label_key()),
        status: ctx.t(&view.summary.status.label_key()),
        thana: place_name(&view.summary.thana),
        assigned: place_name(&view.summary.assigned_place),
        point: view.point.map(|(lat, lon)| format!("{lat:.5}, {lon:.5}")),
        needs_place_check: view.summary.needs_place_check,
        event_at: ctx.when_opt(&view.event_at),
        received: ctx.when(&view.summary.created_at),
        description: view.description,
        contact_name: view.contact_name,
        contact_phone: view.contact_phone,
        timeline: view
            .timeline
            .iter()
            .map(|e| (ctx.when(&e.at), ctx.t(&e.status.label_key())))
            .collect(),
        messages,
        next_statuses,
        places,
        draft,
        problem,
        ctx,
    }
}

//! `/console/faq`: editors and administrators write, reorder, publish and delete the questions
//! citizens read at `/faq`, and the groups they stand in. The FAQ service refuses anyone else.

use super::{DeleteInput, parse_id};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::faq::Group;
use crate::services::faq::edit::{
    self, ANSWER_MAX_CHARS, EntryForm, GroupForm, QUESTION_MAX_CHARS,
};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{Choice, PageCtx, Problem, render_with};

/// An entry as the list shows it.
pub struct EntryRow {
    pub id: i64,
    pub question: String,
    pub published: bool,
    pub first: bool,
    pub last: bool,
}

pub struct GroupRow {
    pub id: i64,
    pub title: String,
    pub entries: Vec<EntryRow>,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "faq/console_list.html")]
pub struct FaqListPage {
    pub ctx: PageCtx,
    pub groups: Vec<GroupRow>,
    pub group_form: GroupForm,
    pub problem: Option<Problem>,
}

impl FaqListPage {
    pub fn invalid(&self, field: &str) -> bool {
        invalid(&self.problem, field)
    }
}

#[derive(Template)]
#[template(path = "faq/console_entry.html")]
pub struct FaqEntryPage {
    pub ctx: PageCtx,
    /// `None` for a new entry.
    pub id: Option<i64>,
    pub form: EntryForm,
    pub groups: Vec<Choice>,
    pub problem: Option<Problem>,
    pub question_max: usize,
    pub answer_max: usize,
}

impl FaqEntryPage {
    pub fn invalid(&self, field: &str) -> bool {
        invalid(&self.problem, field)
    }

    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/console/faq/{id}"),
            None => "/console/faq".into(),
        }
    }
}

#[derive(Template)]
#[template(path = "faq/console_group.html")]
pub struct FaqGroupPage {
    pub ctx: PageCtx,
    pub id: i64,
    pub form: GroupForm,
    pub problem: Option<Problem>,
}

impl FaqGroupPage {
    pub fn invalid(&self, field: &str) -> bool {
        invalid(&self.problem, field)
    }
}

/// Whether the problem is on `field`, or on the pair it belongs to (`question` for
/// `question_bn` and `question_en`).
fn invalid(problem: &Option<Problem>, field: &str) -> bool {
    let Some(p) = problem.as_ref().filter(|p| !p.field.is_empty()) else {
        return false;
    };
    let pair = field
        .strip_suffix("_bn")
        .or_else(|| field.strip_suffix("_en"));
    p.field == field || pair == Some(p.field)
}

/// A refusal as a page: the status and the message in both languages.
type Refusal = Option<(InputError, Problem)>;

fn status_of(problem: &Refusal) -> StatusCode {
    problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e))
}

fn to_list() -> Response {
    Redirect::to("/console/faq").into_response()
}

pub async fn show_faq(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    list_page(&state, &officer, ctx, GroupForm::default(), None).await
}

async fn list_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    group_form: GroupForm,
    problem: Refusal,
) -> Result<Response, WebError> {
    let groups = edit::overview(&state.store, officer).await?;
    ctx.signed_in(officer);
    let lang = ctx.lang;
    let count = groups.len();
    let groups = groups
        .into_iter()
        .enumerate()
        .map(|(g, group)| {
            let entries = group.entries.len();
            GroupRow {
                id: group.id,
                title: group.title.get(lang).to_string(),
                first: g == 0,
                last: g + 1 == count,
                entries: group
                    .entries
                    .into_iter()
                    .enumerate()
                    .map(|(i, e)| EntryRow {
                        id: e.id,
                        question: e.question.get(lang).to_string(),
                        published: e.published,
                        first: i == 0,
                        last: i + 1 == entries,
                    })
                    .collect(),
            }
        })
        .collect();
    let status = status_of(&problem);
    let page = FaqListPage {
        ctx,
        groups,
        group_form,
        problem: problem.map(|(_, p)| p),
    };
    Ok(render_with(status, &page))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewEntryQuery {
    group: String,
}

pub async fn show_new_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Query(query): Query<NewEntryQuery>,
) -> Result<Response, WebError> {
    let form = EntryForm {
        group: query.group,
        ..EntryForm::default()
    };
    entry_page(&state, &officer, ctx, None, form, None).await
}

pub async fn show_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let entry = edit::entry(&state.store, &officer, id).await?;
    entry_page(&state, &officer, ctx, Some(id), EntryForm::of(&entry), None).await
}

async fn entry_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    id: Option<i64>,
    form: EntryForm,
    problem: Refusal,
) -> Result<Response, WebError> {
    let groups: Vec<Group> = edit::overview(&state.store, officer).await?;
    ctx.signed_in(officer);
    let groups = groups
        .iter()
        .map(|g| Choice {
            key: g.id.to_string(),
            label: g.title.get(ctx.lang).to_string(),
            selected: form.group.trim() == g.id.to_string(),
        })
        .collect();
    let status = status_of(&problem);
    let page = FaqEntryPage {
        ctx,
        id,
        form,
        groups,
        problem: problem.map(|(_, p)| p),
        question_max: QUESTION_MAX_CHARS,
        answer_max: ANSWER_MAX_CHARS,
    };
    Ok(render_with(status, &page))
}

/// Shows the entry form again with the refusal, or passes on what is not the editor's to fix.
async fn refuse_entry(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    id: Option<i64>,
    form: EntryForm,
    err: ServiceError,
) -> Result<Response, WebError> {
    match err {
        ServiceError::Input(err) => {
            let problem = Problem::new(&ctx, err);
            entry_page(state, officer, ctx, id, form, Some((err, problem))).await
        }
        other => Err(other.into()),
    }
}

pub async fn create_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    form: Result<CitizenForm<EntryForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    match edit::create_entry(&state.store, &officer, &form).await {
        Ok(_) => Ok(to_list()),
        Err(err) => refuse_entry(&state, &officer, ctx, None, form, err).await,
    }
}

pub async fn save_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    form: Result<CitizenForm<EntryForm>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    match edit::save_entry(&state.store, &officer, id, &form).await {
        Ok(()) => Ok(to_list()),
        Err(err) => refuse_entry(&state, &officer, ctx, Some(id), form, err).await,
    }
}

async fn publish(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    id: &str,
    published: bool,
) -> Result<Response, WebError> {
    let id = parse_id(id)?;
    match edit::set_published(&state.store, officer, id, published).await {
        Ok(()) => Ok(to_list()),
        Err(ServiceError::Input(err)) => {
            // What is missing is shown on the entry's own form, ready to be written.
            let mut form = EntryForm::of(&edit::entry(&state.store, officer, id).await?);
            form.published = "1".into();
            let problem = Problem::new(&ctx, err);
            entry_page(state, officer, ctx, Some(id), form, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn publish_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    publish(&state, &officer, ctx, &id, true).await
}

pub async fn unpublish_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    publish(&state, &officer, ctx, &id, false).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MoveInput {
    direction: String,
}

pub async fn move_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(id): Path<String>,
    form: Result<CitizenForm<MoveInput>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    edit::move_entry(&state.store, &officer, id, &form.direction).await?;
    Ok(to_list())
}

pub async fn delete_entry(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    form: Result<CitizenForm<DeleteInput>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    match edit::delete_entry(&state.store, &officer, id, form.confirmed()).await {
        Ok(()) => Ok(to_list()),
        Err(err @ ServiceError::Input(_)) => {
            let stored = EntryForm::of(&edit::entry(&state.store, &officer, id).await?);
            refuse_entry(&state, &officer, ctx, Some(id), stored, err).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn create_group(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    form: Result<CitizenForm<GroupForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    match edit::create_group(&state.store, &officer, &form).await {
        Ok(_) => Ok(to_list()),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            list_page(&state, &officer, ctx, form, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn show_group(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let form = GroupForm::of(&edit::group(&state.store, &officer, id).await?);
    Ok(group_page(&officer, ctx, id, form, None))
}

fn group_page(
    officer: &Officer,
    mut ctx: PageCtx,
    id: i64,
    form: GroupForm,
    problem: Refusal,
) -> Response {
    ctx.signed_in(officer);
    let status = status_of(&problem);
    let page = FaqGroupPage {
        ctx,
        id,
        form,
        problem: problem.map(|(_, p)| p),
    };
    render_with(status, &page)
}

pub async fn save_group(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    form: Result<CitizenForm<GroupForm>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    match edit::save_group(&state.store, &officer, id, &form).await {
        Ok(()) => Ok(to_list()),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            Ok(group_page(&officer, ctx, id, form, Some((err, problem))))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn move_group(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(id): Path<String>,
    form: Result<CitizenForm<MoveInput>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    edit::move_group(&state.store, &officer, id, &form.direction).await?;
    Ok(to_list())
}

pub async fn delete_group(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    form: Result<CitizenForm<DeleteInput>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    match edit::delete_group(&state.store, &officer, id, form.confirmed()).await {
        Ok(()) => Ok(to_list()),
        Err(ServiceError::Input(err)) => {
            let stored = GroupForm::of(&edit::group(&state.store, &officer, id).await?);
            let problem = Problem::new(&ctx, err);
            Ok(group_page(&officer, ctx, id, stored, Some((err, problem))))
        }
        Err(other) => Err(other.into()),
    }
}

//! `/console/officers`: administrators add, edit, disable and enable officers, reset their
//! password or second factor, and lift a lock. The services refuse anyone else.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::officer::Role;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::officers::{self, OfficerForm, OfficerLine};
use crate::store::now;
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{Choice, PageCtx, Problem, render, render_with};

/// An officer as the list shows them.
pub struct OfficerRow {
    pub username: String,
    pub name: String,
    pub role: String,
    pub place: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "console/officers.html")]
pub struct OfficersPage {
    pub ctx: PageCtx,
    pub rows: Vec<OfficerRow>,
    pub form: OfficerFormView,
    pub problem: Option<Problem>,
}

/// The add or edit form, as typed.
pub struct OfficerFormView {
    pub username: String,
    pub name: String,
    pub roles: Vec<Choice>,
    pub places: Vec<Choice>,
}

fn state_label(ctx: &PageCtx, o: &OfficerLine) -> String {
    let key = if o.disabled {
        "console-state-disabled"
    } else if o.locked_until > now() {
        "console-state-locked"
    } else if o.must_change_password {
        "console-state-new-password"
    } else if !o.enrolled {
        "console-state-no-2fa"
    } else {
        "console-state-active"
    };
    ctx.t(key)
}

fn role_label(ctx: &PageCtx, role: &str) -> String {
    ctx.t(&format!("role-{}", role.replace('_', "-")))
}

fn form_view(state: &AppState, ctx: &PageCtx, typed: &OfficerForm) -> OfficerFormView {
    OfficerFormView {
        username: typed.username.clone(),
        name: typed.name.clone(),
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                key: r.key().into(),
                label: role_label(ctx, r.key()),
                selected: typed.role == r.key(),
            })
            .collect(),
        places: state
            .reference
            .places
            .iter()
            .map(|p| Choice {
                key: p.key.clone(),
                label: p.name(ctx.lang).into(),
                selected: typed.place == p.key,
            })
            .collect(),
    }
}

pub async fn show_officers(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    officers_page(&state, &officer, ctx, OfficerForm::default(), None).await
}

async fn officers_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    typed: OfficerForm,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let lines = officers::list_as(&state.store, officer).await?;
    ctx.signed_in(officer);
    let rows = lines
        .iter()
        .map(|o| OfficerRow {
            username: o.username.clone(),
            name: o.display_name.clone(),
            role: role_label(&ctx, &o.role),
            place: o
                .place
                .as_deref()
                .map(|p| state.reference.place_name(p, ctx.lang))
                .unwrap_or_default(),
            state: state_label(&ctx, o),
        })
        .collect();
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = OfficersPage {
        form: form_view(state, &ctx, &typed),
        rows,
        problem: problem.map(|(_, p)| p),
        ctx,
    };
    Ok(render_with(status, &page))
}

#[derive(Template)]
#[template(path = "console/one_time_password.html")]
pub struct OneTimePasswordPage {
    pub ctx: PageCtx,
    pub username: String,
    pub password: String,
}

pub async fn add_officer(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
    form: Result<CitizenForm<OfficerForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let outcome = officers::add_from_form(&state.store, &officer, &state.reference, &form).await;
    match outcome {
        Ok((username, password)) => {
            ctx.signed_in(&officer);
            Ok(render(&OneTimePasswordPage {
                ctx,
                username,
                password: password.0,
            }))
        }
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            officers_page(&state, &officer, ctx, form, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "console/officer.html")]
pub struct OfficerPage {
    pub ctx: PageCtx,
    pub username: String,
    pub state: String,
    pub disabled: bool,
    pub locked: bool,
    pub done: String,
    pub form: OfficerFormView,
    pub problem: Option<Problem>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: String,
}

pub async fn show_officer(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(username): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    officer_page(&state, &officer, ctx, &username, None, &query.done, None).await
}

async fn officer_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    username: &str,
    typed: Option<OfficerForm>,
    done: &str,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let found = officers::find(&state.store, officer, username).await?;
    ctx.signed_in(officer);
    let typed = typed.unwrap_or_else(|| OfficerForm {
        username: found.username.clone(),
        name: found.display_name.clone(),
        role: found.role.clone(),
        place: found.place.clone().unwrap_or_default(),
    });
    // Only the known outcomes are shown; anything else in the address is ignored.
    let done = match done {
        "disable" | "enable" | "unlock" | "edit" => ctx.t(&format!("console-done-{done}")),
        _ => String::new(),
    };
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = OfficerPage {
        username: found.username.clone(),
        state: state_label(&ctx, &found),
        disabled: found.disabled,
        locked: found.locked_until > now(),
        done,
        form: form_view(state, &ctx, &typed),
        problem: problem.map(|(_, p)| p),
        ctx,
    };
    Ok(render_with(status, &page))
}

pub async fn edit_officer(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(username): Path<String>,
    form: Result<CitizenForm<OfficerForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    // The username cannot change; it is the one in the address.
    let outcome =
        officers::edit_from_form(&state.store, &officer, &state.reference, &username, &form).await;
    match outcome {
        Ok(()) => Ok(back_to(&username, "edit")),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            officer_page(
                &state,
                &officer,
                ctx,
                &username,
                Some(form),
                "",
                Some((err, problem)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

fn back_to(username: &str, done: &str) -> Response {
    match crate::domain::officer::parse_username(username) {
        Ok(name) => Redirect::to(&format!("/console/officers/{name}?done={done}")).into_response(),
        Err(_) => Redirect::to("/console/officers").into_response(),
    }
}

pub async fn disable(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    officers::disable(&state.store, Some(&officer), &username).await?;
    Ok(back_to(&username, "disable"))
}

pub async fn enable(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    officers::enable(&state.store, Some(&officer), &username).await?;
    Ok(back_to(&username, "enable"))
}

pub async fn unlock(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    officers::unlock(&state.store, Some(&officer), &username).await?;
    Ok(back_to(&username, "unlock"))
}

pub async fn reset_two_factor(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    let password = officers::reset_two_factor(&state.store, Some(&officer), &username).await?;
    ctx.signed_in(&officer);
    Ok(render(&OneTimePasswordPage {
        ctx,
        username: username.trim().to_lowercase(),
        password: password.0,
    }))
}

pub async fn reset_password(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    let password = officers::reset_password(&state.store, Some(&officer), &username).await?;
    ctx.signed_in(&officer);
    Ok(render(&OneTimePasswordPage {
        ctx,
        username: username.trim().to_lowercase(),
        password: password.0,
    }))
}

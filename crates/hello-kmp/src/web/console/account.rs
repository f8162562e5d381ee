//! `/console/account`: the officer's own account: a new password, and "log out everywhere".

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::ServiceError;
use crate::services::accounts::{self, Officer, Secret};
use crate::web::console::auth::{CurrentOfficer, SESSION_COOKIE, forget_session};
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render_with};

#[derive(Template)]
#[template(path = "console/account.html")]
pub struct AccountPage {
    pub ctx: PageCtx,
    pub username: String,
    pub role: String,
    pub place: String,
    pub saved: bool,
    pub problem: Option<Problem>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

pub async fn show_account(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    axum::extract::Query(query): axum::extract::Query<SavedQuery>,
) -> Response {
    account_page(&state, &officer, ctx, query.saved == "1", None)
}

fn account_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    saved: bool,
    problem: Option<(InputError, Problem)>,
) -> Response {
    ctx.signed_in(officer);
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = AccountPage {
        username: officer.username.clone(),
        role: ctx.t(&format!("role-{}", officer.role.key().replace('_', "-"))),
        place: state.reference.place_name(&officer.place, ctx.lang),
        saved,
        problem: problem.map(|(_, p)| p),
        ctx,
    };
    render_with(status, &page)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    jar: CookieJar,
    form: Result<CitizenForm<PasswordForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let token = jar
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let outcome = accounts::change_password(
        &state.store,
        state.settings.session_policy(),
        &token,
        &officer,
        Some(Secret(form.current_password)),
        Secret(form.new_password),
        Secret(form.confirm_password),
    )
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to("/console/account?saved=1").into_response()),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            Ok(account_page(
                &state,
                &officer,
                ctx,
                false,
                Some((err, problem)),
            ))
        }
        Err(other) => Err(other.into()),
    }
}

/// Ends every session of the officer, this one included.
pub async fn log_out_everywhere(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    jar: CookieJar,
) -> Result<Response, WebError> {
    accounts::log_out_everywhere(&state.store, &officer).await?;
    Ok((forget_session(jar), Redirect::to("/console/login")).into_response())
}

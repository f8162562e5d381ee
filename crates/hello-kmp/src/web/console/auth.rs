//! `GET|POST /console/login`, `POST /console/logout`, and the signed-in officer extractor.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::ServiceError;
use crate::services::accounts::{self, Officer, SESSION_MAX_SECS, Secret};
use crate::web::client::Client;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render, render_with};

/// The console's session cookie; it holds a random token, and only its hash is stored.
pub const SESSION_COOKIE: &str = "kmp_session";

#[derive(Template)]
#[template(path = "console/login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub username: String,
    pub problem: Option<Problem>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn show_login(ctx: PageCtx) -> Response {
    render(&LoginPage {
        ctx,
        username: String::new(),
        problem: None,
    })
}

pub async fn log_in(
    State(state): State<AppState>,
    ctx: PageCtx,
    jar: CookieJar,
    client: Client,
    form: Result<CitizenForm<LoginForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let (store, throttle) = (&state.store, &state.login_throttle);
    let outcome = accounts::log_in(
        store,
        throttle,
        client.0,
        &form.username,
        Secret(form.password),
    )
    .await;
    match outcome {
        Ok(session) => {
            let cookie = Cookie::build((SESSION_COOKIE, session.token.0))
                .path("/console")
                .http_only(true)
                .secure(state.settings.secure_cookies())
                .same_site(SameSite::Strict)
                .max_age(time::Duration::seconds(SESSION_MAX_SECS));
            Ok((jar.add(cookie), Redirect::to("/console")).into_response())
        }
        Err(ServiceError::Input(err)) => {
            let problem = Some(Problem::new(&ctx, err));
            let page = LoginPage {
                ctx,
                username: form.username,
                problem,
            };
            let status = input_status(err);
            Ok(render_with(status, &page))
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn log_out(
    State(state): State<AppState>,
    officer: CurrentOfficer,
    jar: CookieJar,
) -> Result<Response, WebError> {
    if let Some(token) = jar.get(SESSION_COOKIE) {
        accounts::log_out(&state.store, &officer.0, token.value()).await?;
    }
    let gone = Cookie::build((SESSION_COOKIE, "")).path("/console");
    Ok((jar.remove(gone), Redirect::to("/console/login")).into_response())
}

/// The officer whose live session sent this request; anyone else goes to the log-in page.
pub struct CurrentOfficer(pub Officer);

impl FromRequestParts<AppState> for CurrentOfficer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE) else {
            return Err(Redirect::to("/console/login").into_response());
        };
        match accounts::session_officer(&state.store, token.value()).await {
            Ok(Some(officer)) => Ok(CurrentOfficer(officer)),
            Ok(None) => Err(Redirect::to("/console/login").into_response()),
            Err(err) => Err(WebError::from(err).into_response()),
        }
    }
}

//! Log-in, step by step: `/console/login` (password), `/console/login/code` (the authenticator's
//! code or a recovery code), `/console/login/password` (a new password, at first log-in or after
//! a reset), `/console/login/enrol` (the authenticator, with a QR code and the key written out);
//! `POST /console/logout`; and the extractors that find the officer behind a request.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::ServiceError;
use crate::services::accounts::{self, Officer, Secret, Stage};
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
    let policy = state.settings.session_policy();
    let outcome = accounts::log_in(
        &state.store,
        &state.keys,
        policy,
        &state.login_throttle,
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
                .max_age(time::Duration::seconds(policy.max_secs));
            Ok((jar.add(cookie), Redirect::to(session.stage.path())).into_response())
        }
        Err(ServiceError::Input(err)) => {
            let problem = Some(Problem::new(&ctx, err));
            let page = LoginPage {
                ctx,
                username: form.username,
                problem,
            };
            Ok(render_with(input_status(err), &page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "console/code.html")]
pub struct CodePage {
    pub ctx: PageCtx,
    pub problem: Option<Problem>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

pub async fn show_code(step: LoginStep, ctx: PageCtx) -> Response {
    if step.stage != Stage::Code {
        return Redirect::to(step.stage.path()).into_response();
    }
    render(&CodePage { ctx, problem: None })
}

pub async fn enter_code(
    State(state): State<AppState>,
    step: LoginStep,
    ctx: PageCtx,
    form: Result<CitizenForm<CodeForm>, InputError>,
) -> Result<Response, WebError> {
    if step.stage != Stage::Code {
        return Ok(Redirect::to(step.stage.path()).into_response());
    }
    let CitizenForm(form) = form?;
    let policy = state.settings.session_policy();
    let outcome = accounts::enter_code(
        &state.store,
        &state.keys,
        policy,
        &step.token,
        &step.officer,
        &form.code,
    )
    .await;
    match outcome {
        Ok(next) => Ok(Redirect::to(next.path()).into_response()),
        Err(ServiceError::Input(err)) => {
            let problem = Some(Problem::new(&ctx, err));
            Ok(render_with(input_status(err), &CodePage { ctx, problem }))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "console/new_password.html")]
pub struct NewPasswordPage {
    pub ctx: PageCtx,
    pub problem: Option<Problem>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct NewPasswordForm {
    new_password: String,
    confirm_password: String,
}

pub async fn show_new_password(step: LoginStep, ctx: PageCtx) -> Response {
    if step.stage != Stage::Password {
        return Redirect::to(step.stage.path()).into_response();
    }
    render(&NewPasswordPage { ctx, problem: None })
}

pub async fn choose_password(
    State(state): State<AppState>,
    step: LoginStep,
    ctx: PageCtx,
    form: Result<CitizenForm<NewPasswordForm>, InputError>,
) -> Result<Response, WebError> {
    if step.stage != Stage::Password {
        return Ok(Redirect::to(step.stage.path()).into_response());
    }
    let CitizenForm(form) = form?;
    let outcome = accounts::change_password(
        &state.store,
        state.settings.session_policy(),
        &step.token,
        &step.officer,
        None,
        Secret(form.new_password),
        Secret(form.confirm_password),
    )
    .await;
    match outcome {
        Ok(next) => Ok(Redirect::to(next.path()).into_response()),
        Err(ServiceError::Input(err)) => {
            let problem = Some(Problem::new(&ctx, err));
            Ok(render_with(
                input_status(err),
                &NewPasswordPage { ctx, problem },
            ))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template)]
#[template(path = "console/enrol.html")]
pub struct EnrolPage {
    pub ctx: PageCtx,
    /// The QR code as inline SVG, made here: no image from elsewhere.
    pub qr_svg: String,
    /// The key in groups of four, to type by hand.
    pub key_groups: String,
    /// The key as one word, for tests and for apps that take it pasted.
    pub key: String,
    pub problem: Option<Problem>,
}

#[derive(Template)]
#[template(path = "console/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub ctx: PageCtx,
    pub codes: Vec<String>,
    pub next: String,
}

pub async fn show_enrol(
    State(state): State<AppState>,
    step: LoginStep,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    if step.stage != Stage::Enrol {
        return Ok(Redirect::to(step.stage.path()).into_response());
    }
    enrol_page(&state, &step, ctx, None).await
}

async fn enrol_page(
    state: &AppState,
    step: &LoginStep,
    ctx: PageCtx,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let offer =
        accounts::enrolment_offer(&state.store, &state.keys, &step.token, &step.officer).await?;
    let qr = qrcode::QrCode::new(offer.url.as_bytes())
        .map_err(|e| WebError::internal(anyhow::anyhow!("drawing the QR code: {e}")))?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .build();
    // The renderer starts with an XML declaration, which has no place inside HTML.
    let qr_svg = svg
        .find("<svg")
        .map_or(String::new(), |at| svg[at..].to_string());
    let key_groups = offer
        .key
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let status = problem
        .as_ref()
        .map_or(axum::http::StatusCode::OK, |(e, _)| input_status(*e));
    let page = EnrolPage {
        ctx,
        qr_svg,
        key_groups,
        key: offer.key,
        problem: problem.map(|(_, p)| p),
    };
    Ok(render_with(status, &page))
}

pub async fn finish_enrolment(
    State(state): State<AppState>,
    step: LoginStep,
    ctx: PageCtx,
    form: Result<CitizenForm<CodeForm>, InputError>,
) -> Result<Response, WebError> {
    if step.stage != Stage::Enrol {
        return Ok(Redirect::to(step.stage.path()).into_response());
    }
    let CitizenForm(form) = form?;
    let outcome = accounts::finish_enrolment(
        &state.store,
        &state.keys,
        state.settings.session_policy(),
        &step.token,
        &step.officer,
        &form.code,
    )
    .await;
    match outcome {
        Ok((next, codes)) => Ok(render(&RecoveryCodesPage {
            ctx,
            codes,
            next: next.path().to_string(),
        })),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            enrol_page(&state, &step, ctx, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn log_out(
    State(state): State<AppState>,
    session: AnySession,
    jar: CookieJar,
) -> Result<Response, WebError> {
    accounts::log_out(&state.store, &session.officer, &session.token).await?;
    Ok((forget_session(jar), Redirect::to("/console/login")).into_response())
}

/// The jar without the session cookie.
pub fn forget_session(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build((SESSION_COOKIE, "")).path("/console"))
}

/// Finds the session behind the request's cookie, whatever its stage.
async fn find_session(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(accounts::Session, String)>, Response> {
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    match accounts::session(&state.store, state.settings.session_policy(), &token).await {
        Ok(found) => Ok(found.map(|s| (s, token))),
        Err(err) => Err(WebError::from(err).into_response()),
    }
}

fn to_login() -> Response {
    Redirect::to("/console/login").into_response()
}

/// The officer whose fully logged-in session sent this request; a half-finished log-in goes on
/// to its next step, anyone else to the log-in page.
pub struct CurrentOfficer(pub Officer);

impl FromRequestParts<AppState> for CurrentOfficer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match find_session(parts, state).await? {
            Some((session, _)) if session.stage == Stage::Full => {
                Ok(CurrentOfficer(session.officer))
            }
            Some((session, _)) => Err(Redirect::to(session.stage.path()).into_response()),
            None => Err(to_login()),
        }
    }
}

/// A session part-way through log-in. A finished one goes to the console.
pub struct LoginStep {
    pub officer: Officer,
    pub stage: Stage,
    pub token: String,
}

impl FromRequestParts<AppState> for LoginStep {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match find_session(parts, state).await? {
            Some((session, _)) if session.stage == Stage::Full => {
                Err(Redirect::to("/console").into_response())
            }
            Some((session, token)) => Ok(LoginStep {
                officer: session.officer,
                stage: session.stage,
                token,
            }),
            None => Err(to_login()),
        }
    }
}

/// Any live session, finished or not: log-out takes both.
pub struct AnySession {
    pub officer: Officer,
    pub token: String,
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match find_session(parts, state).await? {
            Some((session, token)) => Ok(AnySession {
                officer: session.officer,
                token,
            }),
            None => Err(to_login()),
        }
    }
}

//! `/console/news`: editors and administrators write posts, keep drafts, publish, unpublish and
//! delete them. The news service refuses anyone else.

use askama::Template;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::news::{self, BODY_MAX_CHARS, PostForm, SUMMARY_MAX_CHARS, TITLE_MAX_CHARS};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render_with};

/// A post as the console's list shows it.
pub struct PostRow {
    pub id: i64,
    pub title: String,
    pub published: bool,
    pub date: String,
    pub path: String,
}

#[derive(Template)]
#[template(path = "news/console_list.html")]
pub struct NewsListPage {
    pub ctx: PageCtx,
    pub posts: Vec<PostRow>,
}

#[derive(Template)]
#[template(path = "news/console_post.html")]
pub struct NewsPostPage {
    pub ctx: PageCtx,
    /// `None` for a new post.
    pub id: Option<i64>,
    pub form: PostForm,
    /// The public address, once published.
    pub public_path: Option<String>,
    pub problem: Option<Problem>,
    pub title_max: usize,
    pub summary_max: usize,
    pub body_max: usize,
}

impl NewsPostPage {
    /// Whether the problem is on `field`, or on the pair it belongs to (`title` for
    /// `title_bn` and `title_en`).
    pub fn invalid(&self, field: &str) -> bool {
        let Some(p) = self.problem.as_ref().filter(|p| !p.field.is_empty()) else {
            return false;
        };
        let pair = field
            .strip_suffix("_bn")
            .or_else(|| field.strip_suffix("_en"));
        p.field == field || pair == Some(p.field)
    }

    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/console/news/{id}"),
            None => "/console/news".into(),
        }
    }
}

type Refusal = Option<(InputError, Problem)>;

fn parse_id(id: &str) -> Result<i64, WebError> {
    id.trim().parse().map_err(|_| WebError::NotFound)
}

fn to_list() -> Response {
    Redirect::to("/console/news").into_response()
}

pub async fn show_news(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
) -> Result<Response, WebError> {
    let posts = news::all(&state.store, &officer).await?;
    ctx.signed_in(&officer);
    let lang = ctx.lang;
    let posts = posts
        .iter()
        .map(|p| PostRow {
            id: p.id,
            title: p.title.get(lang).to_string(),
            published: p.published,
            date: crate::web::citizen::news::dates(lang, p.date()).0,
            path: p.path(),
        })
        .collect();
    Ok(render_with(StatusCode::OK, &NewsListPage { ctx, posts }))
}

pub async fn show_new_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    // Asked first, so that the empty form is not shown to whom it would refuse.
    news::all(&state.store, &officer).await?;
    Ok(post_page(
        &officer,
        ctx,
        None,
        PostForm::default(),
        None,
        None,
    ))
}

pub async fn show_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let post = news::post(&state.store, &officer, id).await?;
    let public = post.published.then(|| post.path());
    Ok(post_page(
        &officer,
        ctx,
        Some(id),
        PostForm::of(&post),
        public,
        None,
    ))
}

fn post_page(
    officer: &Officer,
    mut ctx: PageCtx,
    id: Option<i64>,
    form: PostForm,
    public_path: Option<String>,
    problem: Refusal,
) -> Response {
    ctx.signed_in(officer);
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = NewsPostPage {
        ctx,
        id,
        form,
        public_path,
        problem: problem.map(|(_, p)| p),
        title_max: TITLE_MAX_CHARS,
        summary_max: SUMMARY_MAX_CHARS,
        body_max: BODY_MAX_CHARS,
    };
    render_with(status, &page)
}

/// The form again with the refusal, or on to what is not the editor's to fix.
async fn refuse(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    id: Option<i64>,
    form: PostForm,
    err: ServiceError,
) -> Result<Response, WebError> {
    let ServiceError::Input(err) = err else {
        return Err(err.into());
    };
    let public = match id {
        Some(id) => {
            let post = news::post(&state.store, officer, id).await?;
            post.published.then(|| post.path())
        }
        None => None,
    };
    let problem = Problem::new(&ctx, err);
    Ok(post_page(
        officer,
        ctx,
        id,
        form,
        public,
        Some((err, problem)),
    ))
}

pub async fn create_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    request: Request,
) -> Result<Response, WebError> {
    let form = read_form(&state, request).await?;
    match news::create(&state.store, &officer, &form).await {
        Ok(_) => Ok(to_list()),
        Err(err) => refuse(&state, &officer, ctx, None, form, err).await,
    }
}

pub async fn save_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let form = read_form(&state, request).await?;
    match news::save(&state.store, &officer, id, &form).await {
        Ok(()) => Ok(to_list()),
        Err(err) => refuse(&state, &officer, ctx, Some(id), form, err).await,
    }
}

async fn read_form(state: &AppState, request: Request) -> Result<PostForm, WebError> {
    use axum::extract::FromRequest;
    let CitizenForm(form) = CitizenForm::<PostForm>::from_request(request, state).await?;
    Ok(form)
}

async fn publish(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    id: &str,
    published: bool,
) -> Result<Response, WebError> {
    let id = parse_id(id)?;
    match news::set_published(&state.store, officer, id, published).await {
        Ok(()) => Ok(to_list()),
        Err(err @ ServiceError::Input(_)) => {
            // What is missing is shown on the post's own form, ready to be written.
            let mut form = PostForm::of(&news::post(&state.store, officer, id).await?);
            form.published = "1".into();
            refuse(state, officer, ctx, Some(id), form, err).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn publish_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    publish(&state, &officer, ctx, &id, true).await
}

pub async fn unpublish_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    publish(&state, &officer, ctx, &id, false).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeleteInput {
    confirm: String,
}

pub async fn delete_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    form: Result<CitizenForm<DeleteInput>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    match news::delete(&state.store, &officer, id, form.confirm == "yes").await {
        Ok(()) => Ok(to_list()),
        Err(err @ ServiceError::Input(_)) => {
            let stored = PostForm::of(&news::post(&state.store, &officer, id).await?);
            refuse(&state, &officer, ctx, Some(id), stored, err).await
        }
        Err(other) => Err(other.into()),
    }
}

//! `/console/news`: editors and administrators write posts with a picture, keep drafts,
//! publish, unpublish and delete them. The news service refuses anyone else.

use super::{DeleteInput, parse_id};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::media::IMAGE_MAX_BYTES;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::attachments::ChunkSource;
use crate::services::news::{
    self, ALT_MAX_CHARS, BODY_MAX_CHARS, PictureChange, PostForm, PreparedPicture,
    SUMMARY_MAX_CHARS, TITLE_MAX_CHARS,
};
use crate::web::citizen::upload::{self, Part};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render_with};

/// Largest form a post is sent with: its texts and one picture at the photo limit.
pub const FORM_LIMIT: usize = IMAGE_MAX_BYTES + 512 * 1024;
/// Largest post sent without a picture (URL-encoded: a Bangla character takes nine bytes).
const TEXT_FORM_LIMIT: usize = 512 * 1024;

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
    /// The picture's size, when the post has one (shown from the console's own address).
    pub picture: Option<(i64, i64)>,
    pub title_max: usize,
    pub summary_max: usize,
    pub body_max: usize,
    pub alt_max: usize,
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
        PostContext::default(),
        PostForm::default(),
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
    let page = PostContext {
        id: Some(id),
        public_path: public,
        picture: post.picture.as_ref().map(|p| (p.width, p.height)),
    };
    Ok(post_page(&officer, ctx, page, PostForm::of(&post), None))
}

/// What the form page shows beside the form.
#[derive(Default)]
struct PostContext {
    id: Option<i64>,
    public_path: Option<String>,
    picture: Option<(i64, i64)>,
}

impl PostContext {
    async fn of(state: &AppState, officer: &Officer, id: Option<i64>) -> Result<Self, WebError> {
        let Some(id) = id else {
            return Ok(PostContext::default());
        };
        let post = news::post(&state.store, officer, id).await?;
        Ok(PostContext {
            id: Some(id),
            public_path: post.published.then(|| post.path()),
            picture: post.picture.as_ref().map(|p| (p.width, p.height)),
        })
    }
}

fn post_page(
    officer: &Officer,
    mut ctx: PageCtx,
    context: PostContext,
    form: PostForm,
    problem: Refusal,
) -> Response {
    ctx.signed_in(officer);
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = NewsPostPage {
        ctx,
        id: context.id,
        form,
        public_path: context.public_path,
        problem: problem.map(|(_, p)| p),
        picture: context.picture,
        title_max: TITLE_MAX_CHARS,
        summary_max: SUMMARY_MAX_CHARS,
        body_max: BODY_MAX_CHARS,
        alt_max: ALT_MAX_CHARS,
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
    let context = PostContext::of(state, officer, id).await?;
    let problem = Problem::new(&ctx, err);
    Ok(post_page(officer, ctx, context, form, Some((err, problem))))
}

pub async fn create_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    request: Request,
) -> Result<Response, WebError> {
    let mut form = PostForm::default();
    let created = match read_post(&state, &officer, request, &mut form).await {
        Ok(picture) => news::create(&state.store, &state.blobs, &officer, &form, picture).await,
        Err(err) => Err(err),
    };
    match created {
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
    let mut form = PostForm::default();
    let saved = match read_post(&state, &officer, request, &mut form).await {
        Ok(picture) => {
            let change = match picture {
                Some(picture) => PictureChange::Replace(picture),
                None if form.removes_picture() => PictureChange::Remove,
                None => PictureChange::Keep,
            };
            news::save(&state.store, &state.blobs, &officer, id, &form, change).await
        }
        Err(err) => Err(err),
    };
    match saved {
        Ok(()) => Ok(to_list()),
        Err(err) => refuse(&state, &officer, ctx, Some(id), form, err).await,
    }
}

/// Reads the post's form into `form`: URL-encoded (no picture) or multipart, the page's own,
/// whose picture is cleaned and sealed as it arrives, once the officer and the texts before it
/// are known to pass. The picture is discarded if anything after it fails.
async fn read_post(
    state: &AppState,
    officer: &Officer,
    request: Request,
    form: &mut PostForm,
) -> Result<Option<PreparedPicture>, ServiceError> {
    if !upload::is_multipart(request.headers()) {
        let (parts, body) = request.into_parts();
        let body = axum::body::Body::new(http_body_util::Limited::new(body, TEXT_FORM_LIMIT));
        let request = Request::from_parts(parts, body);
        let CitizenForm(typed) = CitizenForm::<PostForm>::from_request(request, state).await?;
        *form = typed;
        return Ok(None);
    }
    let mut parts = Multipart::from_request(request, state)
        .await
        .map_err(|_| InputError::FormTampered)?;
    let mut picture = None;
    let read = read_parts(state, officer, &mut parts, form, &mut picture).await;
    match read {
        Ok(()) => Ok(picture),
        Err(err) => {
            if let Some(picture) = picture {
                news::discard_picture(&state.blobs, picture).await;
            }
            Err(err)
        }
    }
}

async fn read_parts(
    state: &AppState,
    officer: &Officer,
    parts: &mut Multipart,
    form: &mut PostForm,
    picture: &mut Option<PreparedPicture>,
) -> Result<(), ServiceError> {
    while let Some(part) = upload::next_part(parts).await? {
        let mut file = match part {
            Part::Text { name, value } => {
                set_field(form, &name, value);
                continue;
            }
            Part::NoFile => continue,
            Part::File(file) => file,
        };
        if picture.is_some() {
            return Err(InputError::FormTampered.into());
        }
        news::check_before_picture(officer, form)?;
        let mut bytes = Vec::new();
        while let Some(chunk) = file.next_chunk().await? {
            if bytes.len() + chunk.len() > IMAGE_MAX_BYTES {
                return Err(news::picture_too_large().into());
            }
            bytes.extend_from_slice(&chunk);
        }
        *picture =
            Some(news::prepare_picture(&state.blobs, &state.keys, officer, form, bytes).await?);
    }
    Ok(())
}

fn set_field(form: &mut PostForm, name: &str, text: String) {
    match name {
        "title_bn" => form.title_bn = text,
        "title_en" => form.title_en = text,
        "summary_bn" => form.summary_bn = text,
        "summary_en" => form.summary_en = text,
        "body_bn" => form.body_bn = text,
        "body_en" => form.body_en = text,
        "alt_bn" => form.alt_bn = text,
        "alt_en" => form.alt_en = text,
        "remove_picture" => form.remove_picture = text,
        "published" => form.published = text,
        _ => {}
    }
}

/// `GET /console/news/{post}/picture`: the picture as stored, for the editor's eyes, drafts
/// included.
pub async fn show_picture(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let (kind, bytes) =
        news::console_picture(&state.store, &state.blobs, &state.keys, &officer, id).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(kind.content_type()),
        )],
        bytes,
    )
        .into_response())
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

pub async fn delete_post(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(id): Path<String>,
    form: Result<CitizenForm<DeleteInput>, InputError>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let CitizenForm(form) = form?;
    match news::delete(&state.store, &state.blobs, &officer, id, form.confirmed()).await {
        Ok(()) => Ok(to_list()),
        Err(err @ ServiceError::Input(_)) => {
            let stored = PostForm::of(&news::post(&state.store, &officer, id).await?);
            refuse(&state, &officer, ctx, Some(id), stored, err).await
        }
        Err(other) => Err(other.into()),
    }
}

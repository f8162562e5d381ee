//! `GET /news` (ten posts a page, `?page=`), `GET /news/{post}`: the published news, in the
//! reader's language. A draft's address is not found. Nothing about the reader is kept.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::content::paragraphs;
use crate::i18n::Lang;
use crate::services::news::{self, Picture, Post};
use crate::web::error::WebError;
use crate::web::page::{PageCtx, render};

/// A post in the list.
pub struct PostLine {
    pub path: String,
    pub title: String,
    pub summary: String,
    pub date: String,
    pub datetime: String,
}

#[derive(Template)]
#[template(path = "news/list.html")]
pub struct NewsListPage {
    pub ctx: PageCtx,
    pub posts: Vec<PostLine>,
    pub newer: Option<String>,
    pub older: Option<String>,
    pub number: i64,
}

#[derive(Template)]
#[template(path = "news/post.html")]
pub struct NewsPostPage {
    pub ctx: PageCtx,
    pub title: String,
    pub summary: String,
    pub date: String,
    pub datetime: String,
    pub body: Vec<Vec<String>>,
    pub picture: Option<PictureView>,
}

/// A post's picture as the page shows it.
pub struct PictureView {
    pub src: String,
    pub width: i64,
    pub height: i64,
    pub alt: String,
}

impl PictureView {
    fn of(picture: &Picture, lang: Lang) -> PictureView {
        PictureView {
            src: picture.path(),
            width: picture.width,
            height: picture.height,
            alt: picture.alt.get(lang).to_string(),
        }
    }
}

/// A date such as `03-12-2026` in the reader's digits, and its machine-readable form.
pub fn dates(lang: Lang, unix: i64) -> (String, String) {
    let local = crate::web::page::format_local(unix);
    let day = local.split(' ').next().unwrap_or_default().to_string();
    let machine = time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    (lang.digits(&day), machine)
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    page: Option<String>,
}

/// The page number asked for: none is the first; anything but a number from 1 is not a page.
fn page_number(query: Result<Query<PageQuery>, QueryRejection>) -> Result<i64, WebError> {
    let Ok(Query(query)) = query else {
        return Err(WebError::NotFound);
    };
    match query.page {
        None => Ok(1),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or(WebError::NotFound),
    }
}

fn page_link(number: i64) -> String {
    if number == 1 {
        "/news".into()
    } else {
        format!("/news?page={number}")
    }
}

pub async fn show_news(
    State(state): State<AppState>,
    ctx: PageCtx,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let number = page_number(query)?;
    let page = news::page(&state.store, number).await?;
    let lang = ctx.lang;
    let posts = page
        .posts
        .iter()
        .map(|p| {
            let (date, datetime) = dates(lang, p.date());
            PostLine {
                path: p.path(),
                title: p.title.get(lang).to_string(),
                summary: p.summary.get(lang).to_string(),
                date,
                datetime,
            }
        })
        .collect();
    Ok(render(&NewsListPage {
        ctx,
        posts,
        newer: (number > 1).then(|| page_link(number - 1)),
        older: page.has_older.then(|| page_link(number + 1)),
        number,
    }))
}

pub async fn show_post(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(segment): Path<String>,
) -> Result<Response, WebError> {
    let id = news::id_in_path(&segment).ok_or(WebError::NotFound)?;
    let post = news::published_post(&state.store, id).await?;
    // An old address (the title changed) or the bare number leads to the post's own address.
    if format!("/news/{segment}") != post.path() {
        return Ok(Redirect::permanent(&post.path()).into_response());
    }
    Ok(render(&post_page(ctx, &post)))
}

fn post_page(ctx: PageCtx, post: &Post) -> NewsPostPage {
    let lang = ctx.lang;
    let (date, datetime) = dates(lang, post.date());
    NewsPostPage {
        title: post.title.get(lang).to_string(),
        summary: post.summary.get(lang).to_string(),
        body: paragraphs(post.body.get(lang)),
        picture: post.picture.as_ref().map(|p| PictureView::of(p, lang)),
        date,
        datetime,
        ctx,
    }
}

/// `GET /news/pictures/{uid}.{extension}`: a published post's picture, cleaned when it was
/// sent. Its address changes with the picture, so browsers may keep it for a year.
pub async fn show_picture(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let (kind, bytes) =
        news::public_picture(&state.store, &state.blobs, &state.keys, &file).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(kind.content_type()),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            ),
        ],
        bytes,
    )
        .into_response())
}

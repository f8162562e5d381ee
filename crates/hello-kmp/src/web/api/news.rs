//! `GET /api/v1/news?page=N` and `GET /api/v1/news/{post}`: the published news for the app, in
//! both languages, paged as the `/news` pages are. A draft is not found. Nothing about the
//! reader is kept.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ErrorEnvelope};
use crate::app::AppState;
use crate::domain::InputError;
use crate::services::news::{self, PER_PAGE, Picture, Post};

/// A post as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct NewsItem {
    pub id: i64,
    /// The post's page on the web site, such as `/news/12-new-helpline`; its last segment is
    /// what `/api/v1/news/{post}` takes.
    pub path: String,
    pub title_bn: String,
    pub title_en: String,
    pub summary_bn: String,
    pub summary_en: String,
    /// When it was published, in Unix seconds.
    pub published_at: i64,
    pub picture: Option<PictureItem>,
}

/// A post's picture, cleaned of any hidden details when it was sent.
#[derive(Serialize, ToSchema)]
pub struct PictureItem {
    /// On this server, such as `/news/pictures/….jpg`.
    pub url: String,
    pub width: i64,
    pub height: i64,
    /// What it shows, for readers who cannot see it; empty for a decorative picture.
    pub alt_bn: String,
    pub alt_en: String,
}

impl PictureItem {
    fn of(picture: &Picture) -> PictureItem {
        PictureItem {
            url: picture.path(),
            width: picture.width,
            height: picture.height,
            alt_bn: picture.alt.bn.clone(),
            alt_en: picture.alt.en.clone(),
        }
    }
}

impl NewsItem {
    fn of(post: &Post) -> NewsItem {
        NewsItem {
            id: post.id,
            path: post.path(),
            title_bn: post.title.bn.clone(),
            title_en: post.title.en.clone(),
            summary_bn: post.summary.bn.clone(),
            summary_en: post.summary.en.clone(),
            published_at: post.date(),
            picture: post.picture.as_ref().map(PictureItem::of),
        }
    }
}

/// One page of posts, newest first.
#[derive(Serialize, ToSchema)]
pub struct NewsPageResponse {
    pub page: i64,
    pub per_page: i64,
    /// Whether `page + 1` has posts.
    pub has_older: bool,
    pub posts: Vec<NewsItem>,
}

#[derive(Deserialize, IntoParams)]
pub struct NewsQuery {
    /// From 1 (the newest); the first when left out.
    pub page: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/news", params(NewsQuery),
    responses(
        (status = 200, body = NewsPageResponse),
        (status = 404, description = "A page past the last", body = ErrorEnvelope),
        (status = 422, description = "Not a whole number from 1", body = ErrorEnvelope),
    ))]
pub async fn list_news(
    State(state): State<AppState>,
    query: Result<Query<NewsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<NewsPageResponse>, ApiError> {
    let Query(query) = query.map_err(|_| InputError::RequestMalformed)?;
    let number = news::parse_page_number(query.page.as_deref())?;

    let page = news::page(&state.store, number).await?;

    Ok(Json(NewsPageResponse {
        page: page.number,
        per_page: PER_PAGE,
        has_older: page.has_older,
        posts: page.posts.iter().map(NewsItem::of).collect(),
    }))
}

/// A post whole.
#[derive(Serialize, ToSchema)]
pub struct NewsPostResponse {
    #[serde(flatten)]
    pub post: NewsItem,
    /// Plain text: a blank line between paragraphs.
    pub body_bn: String,
    pub body_en: String,
    /// Unix seconds.
    pub updated_at: i64,
}

#[utoipa::path(get, path = "/api/v1/news/{post}",
    params(("post" = String, Path, description = "The post's number, alone or with its address words (`12` or `12-new-helpline`)")),
    responses(
        (status = 200, body = NewsPostResponse),
        (status = 404, description = "No published post has this address", body = ErrorEnvelope),
    ))]
pub async fn show_post(
    State(state): State<AppState>,
    Path(segment): Path<String>,
) -> Result<Json<NewsPostResponse>, ApiError> {
    let post = news::published_post_at(&state.store, &segment).await?;

    Ok(Json(NewsPostResponse {
        post: NewsItem::of(&post),
        body_bn: post.body.bn.clone(),
        body_en: post.body.en.clone(),
        updated_at: post.updated_at,
    }))
}

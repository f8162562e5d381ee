//! `GET /news` (ten posts a page, `?page=`), `GET /news/{post}`: the published news, in the
//! reader's language, each post with Open Graph tags for sharing; `GET /news/feed.atom`
//! (`?lang=en` for English): the newest posts as an Atom feed. A draft's address is not found.
//! Nothing about the reader is kept.
//!
//! Absolute links (feed, sharing tags) start with the `public_origin` setting; without it, with
//! the listen address (see [`crate::config::Settings::link_origin`]).

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::config::LinkSettings;
use crate::domain::content::paragraphs;
use crate::i18n::Lang;
use crate::services::news::{self, Picture, Post};
use crate::web::error::WebError;
use crate::web::page::{PageCtx, render};

impl NewsListPage {
    /// The feed in the reader's language.
    pub fn feed_href(&self) -> &'static str {
        match self.ctx.lang {
            Lang::Bn => "/news/feed.atom",
            Lang::En => "/news/feed.atom?lang=en",
        }
    }
}

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
    pub links: LinkSettings,
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
    pub og: OpenGraph,
    pub links: LinkSettings,
}

/// What a sharing site shows of a post: absolute addresses.
pub struct OpenGraph {
    pub url: String,
    pub image: Option<String>,
    pub locale: &'static str,
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

/// The page number asked for; a page that cannot be is not found, as a page past the last.
fn page_number(query: Result<Query<PageQuery>, QueryRejection>) -> Result<i64, WebError> {
    let Ok(Query(query)) = query else {
        return Err(WebError::NotFound);
    };
    news::parse_page_number(query.page.as_deref()).map_err(|_| WebError::NotFound)
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
        links: state.settings.links.clone(),
    }))
}

pub async fn show_post(
    State(state): State<AppState>,
    ctx: PageCtx,
    Path(segment): Path<String>,
) -> Result<Response, WebError> {
    let post = news::published_post_at(&state.store, &segment).await?;
    // An old address (the title changed) or the bare number leads to the post's own address.
    if format!("/news/{segment}") != post.path() {
        return Ok(Redirect::permanent(&post.path()).into_response());
    }
    let origin = state.settings.link_origin();
    Ok(render(&post_page(
        ctx,
        &post,
        &origin,
        state.settings.links.clone(),
    )))
}

fn post_page(ctx: PageCtx, post: &Post, origin: &str, links: LinkSettings) -> NewsPostPage {
    let lang = ctx.lang;
    let (date, datetime) = dates(lang, post.date());
    let og = OpenGraph {
        url: format!("{origin}{}", post.path()),
        image: post
            .picture
            .as_ref()
            .map(|p| format!("{origin}{}", p.path())),
        locale: match lang {
            Lang::Bn => "bn_BD",
            Lang::En => "en_GB",
        },
    };
    NewsPostPage {
        og,
        links,
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
/// sent. Browsers and proxies may keep it for a day, so that an unpublished or deleted post's
/// picture does not linger in caches for long.
// Limitation: a copy cached by a browser or a sharing site outlives unpublishing or deleting
// the post by up to a day (longer if a sharing site keeps its own copy); only the server's own
// copy goes at once.
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
                HeaderValue::from_static("public, max-age=86400"),
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

/// Posts in the feed.
const FEED_POSTS: i64 = 20;

#[derive(serde::Deserialize, Default)]
pub struct FeedQuery {
    lang: Option<String>,
}

/// `GET /news/feed.atom`: the newest published posts, in Bangla, or English with `?lang=en`.
pub async fn show_feed(
    State(state): State<AppState>,
    query: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let lang = match query {
        Ok(Query(FeedQuery { lang: None })) => Lang::Bn,
        Ok(Query(FeedQuery { lang: Some(code) })) => {
            Lang::parse(&code).ok_or(WebError::NotFound)?
        }
        Err(_) => return Err(WebError::NotFound),
    };
    let posts = news::latest(&state.store, FEED_POSTS).await?;
    let feed = atom_feed(&state.settings.link_origin(), lang, &posts);
    let xml = feed
        .write_to(Vec::new())
        .map_err(|e| WebError::internal(anyhow::anyhow!("writing the feed: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        xml,
    )
        .into_response())
}

/// An instant as Atom writes it.
fn atom_time(unix: i64) -> atom_syndication::FixedDateTime {
    let text = time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default();
    atom_syndication::FixedDateTime::parse_from_rfc3339(&text).unwrap_or_default()
}

fn atom_feed(origin: &str, lang: Lang, posts: &[Post]) -> atom_syndication::Feed {
    use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
    let self_href = match lang {
        Lang::Bn => format!("{origin}/news/feed.atom"),
        Lang::En => format!("{origin}/news/feed.atom?lang=en"),
    };
    let link = |href: String, rel: &str, kind: &str| Link {
        href,
        rel: rel.into(),
        mime_type: Some(kind.into()),
        hreflang: Some(lang.code().into()),
        ..Link::default()
    };
    let entries = posts
        .iter()
        .map(|post| Entry {
            // The number alone: the address words change with the title, the post does not.
            id: format!("{origin}/news/{}", post.id),
            title: Text::plain(post.title.get(lang)),
            updated: atom_time(post.updated_at),
            published: Some(atom_time(post.date())),
            links: vec![link(
                format!("{origin}{}", post.path()),
                "alternate",
                "text/html",
            )],
            summary: Some(Text::plain(post.summary.get(lang))),
            content: Some(Content {
                value: Some(post.body.get(lang).to_string()),
                content_type: Some("text".into()),
                ..Content::default()
            }),
            ..Entry::default()
        })
        .collect();
    let updated = posts
        .iter()
        .map(|p| p.updated_at)
        .max()
        .unwrap_or_else(crate::store::now);
    Feed {
        title: Text::plain(format!("{} — {}", lang.t("app-name"), lang.t("news-title"))),
        id: self_href.clone(),
        updated: atom_time(updated),
        authors: vec![Person {
            name: lang.t("news-feed-author"),
            uri: Some(format!("{origin}/")),
            ..Person::default()
        }],
        links: vec![
            link(self_href, "self", "application/atom+xml"),
            link(format!("{origin}/news"), "alternate", "text/html"),
        ],
        lang: Some(lang.code().into()),
        entries,
        ..Feed::default()
    }
}

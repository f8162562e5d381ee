//! `GET /faq` and `GET /faq?q=…`: the questions and answers, by group, and a search that works
//! without JavaScript. The page holds nothing about the reader, so it may be kept for reading
//! offline; the search words are neither stored nor logged.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::app::AppState;
use crate::domain::content::{QUERY_MAX_CHARS, page_search, paragraphs};
use crate::services::faq;
use crate::web::error::WebError;
use crate::web::page::{PageCtx, render};

/// A group as the page shows it, in the reader's language.
pub struct GroupView {
    pub id: i64,
    pub title: String,
    pub entries: Vec<EntryView>,
}

pub struct EntryView {
    pub id: i64,
    pub question: String,
    /// Paragraphs of lines, escaped by the template.
    pub answer: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "faq/page.html")]
pub struct FaqPage {
    pub ctx: PageCtx,
    pub groups: Vec<GroupView>,
    pub query: String,
    pub searched: bool,
    pub found: usize,
    pub query_max: usize,
}

#[derive(serde::Deserialize, Default)]
pub struct FaqQuery {
    #[serde(default)]
    q: String,
}

pub async fn show_faq(
    State(state): State<AppState>,
    ctx: PageCtx,
    query: Result<Query<FaqQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    // A query string that does not parse is read as no search at all.
    let query = page_search(
        &query.map(|Query(q)| q.q).unwrap_or_default(),
        QUERY_MAX_CHARS,
    );
    let searched = !query.is_empty();
    let groups = faq::published_matching(&state.store, searched.then_some(query.as_str())).await?;
    let lang = ctx.lang;
    let groups: Vec<GroupView> = groups
        .into_iter()
        .map(|g| GroupView {
            id: g.id,
            title: g.title.get(lang).to_string(),
            entries: g
                .entries
                .into_iter()
                .map(|e| EntryView {
                    id: e.id,
                    question: e.question.get(lang).to_string(),
                    answer: paragraphs(e.answer.get(lang)),
                })
                .collect(),
        })
        .collect();
    let found = groups.iter().map(|g| g.entries.len()).sum();
    Ok(render(&FaqPage {
        ctx,
        groups,
        query,
        searched,
        found,
        query_max: QUERY_MAX_CHARS,
    }))
}

impl FaqPage {
    pub fn found_text(&self) -> String {
        self.ctx
            .lang
            .t_with("faq-found", "count", &self.ctx.num(&(self.found as i64)))
    }
}

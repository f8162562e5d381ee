//! `GET /api/v1/faq`: the published questions and answers, by group, in both languages, and
//! `?q=` to search them as the `/faq` page does. The search words are neither stored nor logged.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ErrorEnvelope};
use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::content::{QUERY_MAX_CHARS, parse_search};
use crate::services::faq::{self, Entry, Group};

#[derive(Serialize, ToSchema)]
pub struct FaqResponse {
    /// In the editors' order; with `q`, only the groups with a match, each with its matches.
    pub groups: Vec<FaqGroupItem>,
}

#[derive(Serialize, ToSchema)]
pub struct FaqGroupItem {
    pub id: i64,
    pub title_bn: String,
    pub title_en: String,
    pub entries: Vec<FaqEntryItem>,
}

/// A question and its answer. The answers are plain text: a blank line between paragraphs.
#[derive(Serialize, ToSchema)]
pub struct FaqEntryItem {
    pub id: i64,
    pub question_bn: String,
    pub question_en: String,
    pub answer_bn: String,
    pub answer_en: String,
}

impl FaqGroupItem {
    fn of(group: Group) -> FaqGroupItem {
        FaqGroupItem {
            id: group.id,
            title_bn: group.title.bn,
            title_en: group.title.en,
            entries: group.entries.into_iter().map(FaqEntryItem::of).collect(),
        }
    }
}

impl FaqEntryItem {
    fn of(entry: Entry) -> FaqEntryItem {
        FaqEntryItem {
            id: entry.id,
            question_bn: entry.question.bn,
            question_en: entry.question.en,
            answer_bn: entry.answer.bn,
            answer_en: entry.answer.en,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct FaqQuery {
    /// Words to find in the questions or answers, in either language, up to 100 characters.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/faq", params(FaqQuery),
    responses(
        (status = 200, body = FaqResponse),
        (status = 422, description = "The search is longer than 100 characters", body = ErrorEnvelope),
    ))]
pub async fn show_faq(
    State(state): State<AppState>,
    query: Result<Query<FaqQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<FaqResponse>, ApiError> {
    let Query(query) = query.map_err(|_| InputError::RequestMalformed)?;
    let query = parse_search(query.q.as_deref(), QUERY_MAX_CHARS)?;

    let groups = faq::published_matching(&state.store, query.as_deref()).await?;

    let groups = groups.into_iter().map(FaqGroupItem::of).collect();
    Ok(Json(FaqResponse { groups }))
}

//! `GET /console`: the officer's queue of tips (urgent first, then newest), filtered by status,
//! category, thana, "my work" and overdue; counts per status at a glance. Officers without tips
//! (editors, auditors) are sent to the page their role has.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::tip::{Category, TipStatus};
use crate::services::access;
use crate::services::tips::officer::{self, QueueFilter};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::WebError;
use crate::web::page::{Choice, PageCtx, render};

/// A queue line, ready to show.
pub struct QueueLine {
    pub reference: String,
    pub category: String,
    pub status: String,
    pub place: String,
    pub needs_place_check: bool,
    pub when: String,
    pub urgent: bool,
    pub overdue: bool,
    pub due: String,
    pub officer: String,
}

/// A status and how many tips are in it.
pub struct StatusCount {
    pub key: String,
    pub label: String,
    pub count: String,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
pub struct QueuePage {
    pub ctx: PageCtx,
    pub lines: Vec<QueueLine>,
    pub counts: Vec<StatusCount>,
    pub statuses: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub thanas: Vec<Choice>,
    pub page: i64,
    pub has_next: bool,
    /// The filters as a query string, to carry across pages.
    pub filter_query: String,
    pub mine: bool,
    pub overdue: bool,
    pub mine_count: String,
    pub overdue_count: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    category: String,
    thana: String,
    mine: String,
    overdue: String,
    page: String,
}

pub async fn show_queue(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    if !access::has_tips(officer.role) {
        let home = if access::reads_audit(&officer).is_ok() {
            "/console/audit"
        } else {
            "/console/account"
        };
        return Ok(Redirect::to(home).into_response());
    }
    // Unknown filter values are ignored rather than refused: a stale bookmark still opens.
    let filter = QueueFilter {
        mine: query.mine == "1",
        overdue: query.overdue == "1",
        status: TipStatus::parse(&query.status).ok(),
        category: Category::parse(&query.category).ok(),
        thana: state
            .reference
            .thana(query.thana.trim())
            .map(|t| t.key.clone()),
        page: query
            .page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, 100_000),
    };
    let found = officer::queue(&state.store, &officer, &filter).await?;
    ctx.signed_in(&officer);
    let lang = ctx.lang;
    let lines = found
        .rows
        .iter()
        .map(|row| QueueLine {
            reference: row.reference.clone(),
            category: ctx.t(&row.category.label_key()),
            status: ctx.t(&row.status.label_key()),
            place: row
                .assigned_place
                .as_deref()
                .or(row.thana.as_deref())
                .map(|k| state.reference.place_name(k, lang))
                .unwrap_or_default(),
            needs_place_check: row.needs_place_check,
            when: ctx.when(&row.created_at),
            urgent: row.priority,
            overdue: row.overdue,
            due: ctx.when_opt(&row.due_at),
            officer: row.assigned_officer.clone().unwrap_or_default(),
        })
        .collect();
    let counts = found
        .counts
        .iter()
        .map(|(s, n)| StatusCount {
            key: s.key().into(),
            label: ctx.t(&s.label_key()),
            count: ctx.num(n),
        })
        .collect();
    let statuses = TipStatus::ALL
        .iter()
        .map(|s| Choice {
            key: s.key().into(),
            label: ctx.t(&s.label_key()),
            selected: filter.status == Some(*s),
        })
        .collect();
    let categories = Category::ALL
        .iter()
        .map(|c| Choice {
            key: c.key().into(),
            label: ctx.t(&c.label_key()),
            selected: filter.category == Some(*c),
        })
        .collect();
    let thanas = state
        .reference
        .thanas()
        .map(|t| Choice {
            key: t.key.clone(),
            label: t.name(lang).into(),
            selected: filter.thana.as_deref() == Some(&t.key),
        })
        .collect();
    let filter_query = format!(
        "status={}&category={}&thana={}&mine={}&overdue={}",
        filter.status.map_or("", TipStatus::key),
        filter.category.map_or("", Category::key),
        filter.thana.as_deref().unwrap_or(""),
        if filter.mine { "1" } else { "" },
        if filter.overdue { "1" } else { "" },
    );
    let (mine_count, overdue_count) = (ctx.num(&found.mine), ctx.num(&found.overdue));
    Ok(render(&QueuePage {
        ctx,
        lines,
        counts,
        statuses,
        categories,
        thanas,
        page: found.page,
        has_next: found.has_next,
        filter_query,
        mine: filter.mine,
        overdue: filter.overdue,
        mine_count,
        overdue_count,
    }))
}

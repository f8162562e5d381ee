//! `GET /console/audit`: auditors (and administrators) read the audit log, newest first,
//! filtered by officer, action, tip and days.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::app::AppState;
use crate::services::audit::{self, Action, AuditFilter};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::WebError;
use crate::web::page::{Choice, PageCtx, render};

/// An entry, ready to show.
pub struct AuditRow {
    /// `None` for a row outside the chain, shown as such.
    pub seq: Option<String>,
    pub when: String,
    pub who: String,
    /// The action in words, in the page's language.
    pub label: String,
    /// Its stable name, for filters and scripts.
    pub action: String,
    pub tip: Option<String>,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
pub struct AuditPage {
    pub ctx: PageCtx,
    pub rows: Vec<AuditRow>,
    pub actions: Vec<Choice>,
    pub username: String,
    pub tip: String,
    pub from: String,
    pub to: String,
    /// The next page's address, when older entries remain.
    pub older: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    username: String,
    action: String,
    tip: String,
    from: String,
    to: String,
    before: String,
}

pub async fn show_audit_log(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let filter = AuditFilter {
        username: query.username.clone(),
        action: query.action.clone(),
        tip: query.tip.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        before: query.before.trim().parse().unwrap_or(0),
    };
    let (lines, more) = audit::browse(&state.store, &officer, &filter).await?;
    ctx.signed_in(&officer);
    let rows: Vec<AuditRow> = lines
        .iter()
        .map(|l| AuditRow {
            seq: l.seq.map(|n| ctx.num(&n)),
            when: ctx.when(&l.at),
            who: l
                .username
                .clone()
                .unwrap_or_else(|| ctx.t("console-audit-no-officer")),
            label: Action::ALL
                .iter()
                .find(|a| a.name() == l.action)
                .map_or_else(|| l.action.clone(), |a| ctx.t(&a.label_key())),
            action: l.action.clone(),
            tip: l.tip.clone(),
            detail: l.detail.clone(),
        })
        .collect();
    let older = match (more, lines.iter().rev().find_map(|l| l.seq)) {
        (true, Some(last)) => Some(url_pairs(&[
            ("username", &filter.username),
            ("action", &filter.action),
            ("tip", &filter.tip),
            ("from", &filter.from),
            ("to", &filter.to),
            ("before", &last.to_string()),
        ])),
        _ => None,
    };
    let actions = Action::ALL
        .iter()
        .map(|a| Choice {
            key: a.name().into(),
            label: ctx.t(&a.label_key()),
            selected: filter.action.trim() == a.name(),
        })
        .collect();
    Ok(render(&AuditPage {
        ctx,
        rows,
        actions,
        username: query.username,
        tip: query.tip,
        from: query.from,
        to: query.to,
        older,
    }))
}

/// `a=1&b=2`, each value percent-encoded.
fn url_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let value: String = v
                .trim()
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                        char::from(b).to_string()
                    }
                    other => format!("%{other:02X}"),
                })
                .collect();
            format!("{k}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

//! `GET /console/audit`: auditors (and administrators) read the audit log, newest first,
//! filtered by officer, action, tip and days; `GET /console/audit/export` downloads the same
//! filter as a CSV file.

use std::borrow::Cow;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

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
    /// The query of the export of this filter.
    pub export: String,
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

impl AuditQuery {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            username: self.username.clone(),
            action: self.action.clone(),
            tip: self.tip.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            before: self.before.trim().parse().unwrap_or(0),
        }
    }
}

/// The filter without its page, as a query.
fn filter_pairs(filter: &AuditFilter) -> String {
    url_pairs(&[
        ("username", &filter.username),
        ("action", &filter.action),
        ("tip", &filter.tip),
        ("from", &filter.from),
        ("to", &filter.to),
    ])
}

pub async fn show_audit_log(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let filter = query.filter();
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
            label: action_label(&ctx, &l.action),
            action: l.action.clone(),
            tip: l.tip.clone(),
            detail: l.detail.clone(),
        })
        .collect();
    let export = filter_pairs(&filter);
    let older = match (more, lines.iter().rev().find_map(|l| l.seq)) {
        (true, Some(last)) => Some(format!("{export}&before={last}")),
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
        export,
    }))
}

/// `GET /console/audit/export`: the entries the filter matches, as CSV in UTF-8 with a BOM (so
/// Excel reads Bangla), headed in the page's language. The service records the export before
/// it answers, so nothing is sent that the log does not account for. Audit entries hold no
/// report text, and the file holds nothing else.
pub async fn export_audit_log(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Query(query): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let lines = audit::export(&state.store, &officer, &query.filter()).await?;
    let body = csv_file(&ctx, &lines).map_err(|e| WebError::internal(e.into()))?;
    let stamp = local_time(
        crate::store::now(),
        time::macros::format_description!("[year][month][day]-[hour][minute][second]"),
    );
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"audit-log-{stamp}.csv\""),
        ),
        (header::CACHE_CONTROL, "no-store".to_string()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
    ];
    Ok((headers, body).into_response())
}

/// The file: a BOM, a header row, then one row per entry, every cell made inert.
fn csv_file(ctx: &PageCtx, lines: &[audit::AuditLine]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let header = [
        "console-export-seq",
        "console-export-time",
        "console-export-unix",
        "console-username",
        "console-action",
        "console-export-action-code",
        "tip-reference",
        "console-detail",
    ];
    out.write_record(header.map(|key| ctx.t(key)))?;
    for l in lines {
        let row = [
            l.seq
                .map_or_else(|| ctx.t("console-audit-unchained"), |n| n.to_string()),
            local_time(
                l.at,
                time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
            ),
            l.at.to_string(),
            l.username
                .clone()
                .unwrap_or_else(|| ctx.t("console-audit-no-officer")),
            action_label(ctx, &l.action),
            l.action.clone(),
            l.tip.clone().unwrap_or_default(),
            l.detail.clone(),
        ];
        out.write_record(row.iter().map(|cell| inert(cell).into_owned()))?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// A cell a spreadsheet will not run: one that begins as a formula would (`=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading apostrophe.
fn inert(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// An action in words, in the page's language; its name when it is not one we know.
fn action_label(ctx: &PageCtx, name: &str) -> String {
    Action::ALL
        .iter()
        .find(|a| a.name() == name)
        .map_or_else(|| name.to_string(), |a| ctx.t(&a.label_key()))
}

/// A moment in Khulna's time, in ASCII digits, as `format` lays it out.
fn local_time(unix: i64, format: &[time::format_description::BorrowedFormatItem<'_>]) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| t.to_offset(crate::domain::tip::DHAKA))
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn cells_that_would_be_formulas_are_made_inert() {
        for cell in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(cell), format!("'{cell}"));
        }
        for cell in ["", "tip.view", "সূত্র", "1-2", "a=b", "'quoted"] {
            assert_eq!(inert(cell), cell);
        }
    }
}

//! The officers' console: sessions, the queue, a tip's page and what an officer does with a tip,
//! seen from the officer's side and from the tipster's.

use axum::http::StatusCode;
use hello_kmp::domain::digits::to_ascii;
use serde_json::json;

use crate::support::{Answer, TestApp, receipt_of};

mod access;
mod audit_export;
mod matrix;
mod queue;
mod races;
mod sessions;
mod tips;
mod triage;
mod two_factor;

/// A tip sent through the API: its reference and its receipt.
async fn send_tip(app: &TestApp, category: &str, thana: &str, text: &str) -> (String, String) {
    let mut body = json!({"category": category, "description": text});
    if !thana.is_empty() {
        body["thana"] = json!(thana);
    }
    let sent = app.post_json("/api/v1/tips", body).await;
    assert_eq!(
        sent.status,
        StatusCode::CREATED,
        "tip accepted: {}",
        sent.body
    );
    let json = sent.json();
    let field = |name: &str| json[name].as_str().expect("text field").to_string();
    (field("reference"), field("receipt"))
}

/// What the tipster sees on the follow-up page.
async fn follow_up(app: &TestApp, receipt: &str) -> Answer {
    let page = app.post_form("/follow-up", &[("receipt", receipt)]).await;
    assert_eq!(page.status, StatusCode::OK, "receipt found: {}", page.body);
    page
}

/// What the tipster gets from the API.
async fn look_up(app: &TestApp, receipt: &str) -> Answer {
    let answer = app
        .post_json("/api/v1/tips/lookup", json!({"receipt": receipt}))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "receipt found: {}",
        answer.body
    );
    answer
}

/// One audit entry: who, which tip, and the detail.
#[derive(Debug, PartialEq)]
struct Entry {
    officer_id: Option<i64>,
    tip_id: Option<i64>,
    detail: String,
}

async fn audit(app: &TestApp, action: &str) -> Vec<Entry> {
    let rows: Vec<(Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT officer_id, tip_id, detail FROM audit_log WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.store.reader())
    .await
    .expect("audit rows");
    rows.into_iter()
        .map(|(officer_id, tip_id, detail)| Entry {
            officer_id,
            tip_id,
            detail,
        })
        .collect()
}

async fn admin_id(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM officers WHERE username = 'admin'")
        .fetch_one(app.state.store.reader())
        .await
        .expect("the administrator exists")
}

async fn stored_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM tips WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.reader())
        .await
        .expect("tip status")
}

/// The refusal on a page names the problem in Bangla and in English.
fn refused_in_both(page: &Answer, bn: &str, en: &str) {
    let error = page.texts(".error").join(" ");
    assert!(error.contains(bn), "Bangla {bn:?} in {error:?}");
    assert!(error.contains(en), "English {en:?} in {error:?}");
}

fn redirects_to(answer: &Answer, location: &str) {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.header("location"), location);
}

/// The references in the queue, top to bottom.
fn queue_refs(queue: &Answer) -> Vec<String> {
    queue.texts("table.queue a.tip-link")
}

/// The count shown beside a status at the top of the queue, in ASCII digits.
fn count_of(queue: &Answer, status: &str) -> String {
    to_ascii(&queue.text(&format!(
        "ul.counts a[href='/console?status={status}'] strong"
    )))
}

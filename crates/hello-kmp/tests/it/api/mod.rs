//! The app's JSON API beyond tips: contacts and the nearest thana, FAQ, news and SOS. Bad input
//! first; then what each route answers, checked against what the pages show; then that nothing
//! the app sends is kept or logged.

use axum::http::StatusCode;

use crate::support::{Answer, TestApp, form_body};

mod bad_input;
mod contacts;
mod content;
mod privacy;
mod sos;

/// The answer is the shared envelope with this status, code and field, and a message in each
/// language (the Bangla one in Bangla script).
pub fn refused(answer: &Answer, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(answer.status, status, "{code}: {}", answer.body);
    let error = &answer.json()["error"];
    assert_eq!(error["code"], code, "{}", answer.body);
    assert_eq!(error["field"].as_str(), field, "{}", answer.body);
    let bn = error["message_bn"].as_str().unwrap_or_default();
    let en = error["message_en"].as_str().unwrap_or_default();
    assert!(
        bn.chars().any(|c| ('\u{0980}'..='\u{09FF}').contains(&c)),
        "a Bangla message: {bn:?}"
    );
    assert!(en.is_ascii() && en.len() > 10, "an English message: {en:?}");
    assert_eq!(
        answer.header("content-type"),
        "application/json",
        "{code} is JSON"
    );
}

/// The message in both languages says to call 999.
pub fn says_call_999(answer: &Answer) {
    let error = &answer.json()["error"];
    let bn = error["message_bn"].as_str().unwrap_or_default();
    let en = error["message_en"].as_str().unwrap_or_default();
    assert!(bn.contains("৯৯৯"), "{bn}");
    assert!(en.contains("Call 999"), "{en}");
}

/// `GET path?q=query`, encoded as a browser would.
pub async fn get_search(app: &TestApp, path: &str, query: &str) -> Answer {
    app.get(&format!("{path}?{}", form_body(&[("q", query)])))
        .await
}

/// The `id` of each item of a JSON list.
pub fn ids(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_string())
        .collect()
}

/// A fresh SOS token from the API.
pub async fn sos_token(app: &TestApp) -> String {
    let answer = app.get("/api/v1/sos/token").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["token"]
        .as_str()
        .expect("a token")
        .to_string()
}

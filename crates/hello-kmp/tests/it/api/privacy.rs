//! Nothing the app sends to the reading routes or with an SOS is kept or logged: not the point,
//! not the call-back number, not the search words.

use axum::http::StatusCode;
use serde_json::json;

use super::{get_search, sos_token};
use crate::jurisdictions::{THANA_MAP, import_thanas};
use crate::support::{Backend, TestApp};

// Each search mixes a word that finds something with one found nowhere but in this test.
const CONTACT_WORDS: &str = "Kotwali zqxcontactprobe";
const FAQ_WORDS: &str = "রসিদ faqprobe7731";
const PHONE: &str = "01719876543";

async fn nothing_the_app_sends_is_kept(backend: Backend) {
    let (logs, _guard) = crate::support::LogCapture::start();
    let app = TestApp::start(backend).await;
    import_thanas(&app, &THANA_MAP).await;

    let contacts = get_search(&app, "/api/v1/contacts", CONTACT_WORDS).await;
    assert_eq!(contacts.status, StatusCode::OK);
    let faq = get_search(&app, "/api/v1/faq", FAQ_WORDS).await;
    assert_eq!(faq.status, StatusCode::OK);
    let nearest = app
        .post_json(
            "/api/v1/contacts/nearest",
            json!({"lat": 22.8171234, "lon": 89.5504321}),
        )
        .await;
    assert_eq!(nearest.status, StatusCode::OK, "{}", nearest.body);
    assert_eq!(nearest.json()["thanas"][0]["key"], "sonadanga");
    let token = sos_token(&app).await;
    let sent = app
        .post_json(
            "/api/v1/sos",
            json!({"lat": 22.8881234, "lon": 89.5174321, "accuracy_m": 17.25,
                   "callback_phone": PHONE, "token": token}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    // Refusals carry none of it either.
    let refused = app
        .post_json(
            "/api/v1/sos",
            json!({"lat": 22.8881234, "lon": 89.5174321,
                   "callback_phone": "0171987", "token": "short"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused.body.contains("0171987") && !refused.body.contains("8881234"));

    let stored = app.everything_stored().await;
    let logged = logs.text();
    assert!(logged.contains("SOS alert received"), "captured: {logged}");
    for secret in [
        "zqxcontactprobe",
        "faqprobe7731",
        "8171234",
        "5504321",
        "8881234",
        "5174321",
        PHONE,
        "1719876543",
        "0171987",
        &token,
    ] {
        assert!(!stored.contains(secret), "{backend:?}: {secret:?} stored");
        assert!(!logged.contains(secret), "{backend:?}: {secret:?} logged");
    }
    app.finish().await;
}

// A current-thread runtime keeps every task, the writer's included, under the test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn nothing_the_app_sends_is_stored_or_logged_on_sqlite() {
    nothing_the_app_sends_is_kept(Backend::Sqlite).await;
}

#[tokio::test(flavor = "current_thread")]
async fn nothing_the_app_sends_is_stored_or_logged_on_postgres() {
    nothing_the_app_sends_is_kept(Backend::Postgres).await;
}

//! Nothing that could identify a tipster is stored or logged: not the text (sealed), not the user
//! agent, not the client's address, not the receipt.

use axum::http::StatusCode;

use crate::support::{Backend, TestApp, receipt_of};

const TEXT: &str = "privacy-probe-text-8841 মাদকের আস্তানা";
const USER_AGENT: &str = "PrivacyProbe/9.9 (distinctive-ua-3307)";
const FORWARDED: &str = "203.0.113.177";
const PEER: &str = "198.51.100.212";

async fn nothing_identifying_is_kept(backend: Backend) {
    let (logs, _guard) = crate::support::LogCapture::start();

    // The peer is a trusted proxy, so the forwarded address is the one the throttle sees.
    let app = TestApp::start_with(backend, |s| {
        s.trusted_proxies = vec![PEER.parse().expect("ip")]
    })
    .await;
    let headers = [("user-agent", USER_AGENT), ("x-forwarded-for", FORWARDED)];
    let page = app
        .post_form_as(
            "/tips",
            &[
                ("category", "drugs"),
                ("description", TEXT),
                ("contact_phone", "01712345678"),
            ],
            &headers,
            PEER,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let receipt = receipt_of(&page);
    let lookup = app
        .post_form_as("/follow-up", &[("receipt", &receipt)], &headers, PEER)
        .await;
    assert_eq!(lookup.status, StatusCode::OK);
    let wrong = app
        .post_form_as(
            "/follow-up",
            &[("receipt", "11111 11111 11111 11111 11111")],
            &headers,
            PEER,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let added = app
        .post_form_as(
            "/follow-up/messages",
            &[("receipt", &receipt), ("message", TEXT)],
            &headers,
            PEER,
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    let api = app
        .post_json_as(
            "/api/v1/tips",
            serde_json::json!({"category": "drugs", "description": TEXT}),
            PEER,
        )
        .await;
    assert_eq!(api.status, StatusCode::CREATED);
    let officer = app.officer().await;
    let reference = page.text("#tip-reference");
    let opened = officer.get(&format!("/console/tips/{reference}")).await;
    assert!(
        opened
            .text("#tip-description")
            .contains("privacy-probe-text-8841"),
        "officers can read it"
    );

    let secrets = [
        "privacy-probe-text-8841",
        "মাদকের আস্তানা",
        USER_AGENT,
        "distinctive-ua-3307",
        FORWARDED,
        PEER,
        &receipt,
        "01712345678",
        "1712345678",
    ];
    let stored = app.everything_stored().await;
    let logged = logs.text();
    assert!(
        logged.contains("tip received"),
        "the log was captured: {logged}"
    );
    for secret in secrets {
        assert!(
            !stored.contains(secret),
            "{secret:?} found in the stored data"
        );
        assert!(!logged.contains(secret), "{secret:?} found in the log");
    }
    app.finish().await;
}

// A current-thread runtime keeps every task, the writer's included, under the test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn nothing_identifying_is_stored_or_logged_on_sqlite() {
    nothing_identifying_is_kept(Backend::Sqlite).await;
}

#[tokio::test(flavor = "current_thread")]
async fn nothing_identifying_is_stored_or_logged_on_postgres() {
    nothing_identifying_is_kept(Backend::Postgres).await;
}

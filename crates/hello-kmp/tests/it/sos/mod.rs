//! SOS: a citizen's alert (bad input first, sealed, once per tap, within the caps, nothing about
//! the sender kept), the control room's board (roles, audit, steps), and its live stream, in one
//! server and across two sharing a database.

use axum::http::StatusCode;

use crate::support::{Answer, TestApp};

mod board;
mod citizen;
mod live;

/// Two known points of the test data (`../shared/data/geo/README.md`): Khulna Sadar, Sonadanga.
pub const SADAR: (&str, &str) = ("22.80361", "89.56778");
pub const SONADANGA: (&str, &str) = ("22.817", "89.550");

/// A fresh token, as the SOS page gives one.
pub async fn page_token(app: &TestApp) -> String {
    let page = app.get("/sos").await;
    assert_eq!(page.status, StatusCode::OK);
    page.attr("input[name=alert_token]", "value")
        .expect("the page carries a token")
}

/// Sends an alert from the phone's point, with a fresh token.
pub async fn send_from(app: &TestApp, point: (&str, &str), callback: &str) -> Answer {
    let token = page_token(app).await;
    app.post_form(
        "/sos",
        &[
            ("lat", point.0),
            ("lon", point.1),
            ("accuracy", "35"),
            ("callback", callback),
            ("alert_token", &token),
        ],
    )
    .await
}

/// The reference on the "sent" page.
pub fn reference_of(page: &Answer) -> String {
    assert_eq!(page.status, StatusCode::OK, "alert sent: {}", page.body);
    page.attr("#sos-reference", "data-reference")
        .expect("a reference on the sent page")
}

/// The refusal on a page names the problem in Bangla and in English.
pub fn refused_in_both(page: &Answer, bn: &str, en: &str) {
    let error = page.texts(".error").join(" ");
    assert!(error.contains(bn), "Bangla {bn:?} in {error:?}");
    assert!(error.contains(en), "English {en:?} in {error:?}");
}

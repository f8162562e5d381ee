//! The citizen's side of SOS: bad input first, then what is stored and what is refused.

use axum::http::StatusCode;
use scraper::{ElementRef, Selector};

use super::{SADAR, SONADANGA, page_token, reference_of, refused_in_both, send_from};
use crate::on_both;
use crate::support::{Backend, TestApp};

on_both!(
    a_malformed_call_back_number_is_refused_and_the_page_keeps_what_was_typed,
    |app: TestApp| async move {
        let token = page_token(&app).await;
        let refused = app
            .post_form(
                "/sos",
                &[
                    ("lat", SADAR.0),
                    ("lon", SADAR.1),
                    ("callback", "01712-34"),
                    ("place", "রেলগেটের পাশের চায়ের দোকান"),
                    ("alert_token", &token),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&refused, "ফিরতি কলের নম্বর", "call-back number");
        assert_eq!(
            refused.attr("#callback", "value").as_deref(),
            Some("01712-34")
        );
        assert_eq!(
            refused.attr("#callback", "aria-invalid").as_deref(),
            Some("true")
        );
        assert_eq!(refused.text("#place"), "রেলগেটের পাশের চায়ের দোকান");
        assert_eq!(refused.attr("#lat", "value").as_deref(), Some(SADAR.0));
        assert_eq!(
            refused.attr("input[name=alert_token]", "value"),
            Some(token)
        );
        assert_eq!(app.count("sos_alerts").await, 0, "nothing half written");
    }
);

on_both!(
    out_of_range_coordinates_are_refused_and_dropped_so_the_place_can_go,
    |app: TestApp| async move {
        let token = page_token(&app).await;
        let fields = [
            ("lat", "95.5"),
            ("lon", "89.5"),
            ("place", "খালিশপুর বাজার"),
            ("callback", "01812345678"),
            ("alert_token", token.as_str()),
        ];
        let refused = app.post_form("/sos", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&refused, "৯৯৯", "Call 999");
        assert_eq!(refused.attr("#lat", "value").as_deref(), Some(""));
        assert_eq!(refused.text("#place"), "খালিশপুর বাজার");
        assert_eq!(
            refused.attr("#callback", "value").as_deref(),
            Some("01812345678")
        );
        let unreadable = app
            .post_form(
                "/sos",
                &[("lat", "22.8"), ("lon", "east"), ("alert_token", &token)],
            )
            .await;
        assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
        let bad_accuracy = app
            .post_form(
                "/sos",
                &[
                    ("lat", SADAR.0),
                    ("lon", SADAR.1),
                    ("accuracy", "-4"),
                    ("alert_token", &token),
                ],
            )
            .await;
        assert_eq!(bad_accuracy.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("sos_alerts").await, 0);
        // The same page, sent again as the citizen left it, goes with the written place.
        let sent = app
            .post_form(
                "/sos",
                &[
                    ("lat", ""),
                    ("lon", ""),
                    ("place", "খালিশপুর বাজার"),
                    ("alert_token", &token),
                ],
            )
            .await;
        reference_of(&sent);
        assert!(sent.has("#sos-sent-no-location"));
    }
);

on_both!(
    an_alert_with_neither_location_nor_place_is_refused_with_call_999,
    |app: TestApp| async move {
        let token = page_token(&app).await;
        let refused = app
            .post_form(
                "/sos",
                &[
                    ("lat", ""),
                    ("lon", ""),
                    ("place", "  \n "),
                    ("callback", "01712345678"),
                    ("alert_token", &token),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&refused, "৯৯৯", "Call 999");
        assert_eq!(
            refused.attr("#place", "aria-invalid").as_deref(),
            Some("true")
        );
        assert_eq!(
            refused.attr("#callback", "value").as_deref(),
            Some("01712345678")
        );
        let too_long = app
            .post_form(
                "/sos",
                &[("place", &"ক".repeat(501)), ("alert_token", &token)],
            )
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&too_long, "৫০০", "500");
        let tampered = app
            .post_form("/sos", &[("place", "ঘাট"), ("alert_token", "x")])
            .await;
        assert_eq!(tampered.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_ne!(
            tampered.attr("input[name=alert_token]", "value").as_deref(),
            Some("x"),
            "a bad token is replaced, so that the next send can pass"
        );
        assert_eq!(app.count("sos_alerts").await, 0);
    }
);

on_both!(
    the_page_puts_the_call_to_999_first_and_says_to_call_without_javascript,
    |app: TestApp| async move {
        let page = app.get("/sos").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.html();
        let controls = Selector::parse("a, button, input, textarea, select").expect("selector");
        let first = html
            .select(&controls)
            .filter(|e| !in_header(e) && e.value().attr("type") != Some("hidden"))
            .find(|e| !e.value().classes().any(|c| c == "skip"))
            .expect("controls on the page");
        assert_eq!(
            first.value().attr("href"),
            Some("tel:999"),
            "999 comes first"
        );
        assert!(page.has("a.call999-big#call-999"), "and is the big one");
        assert!(
            page.attr("#sos-send", "hidden").is_some(),
            "the one-tap button waits for the script"
        );
        assert!(page.text("#sos-needs-js").contains("৯৯৯"));
        let english = app.get_with("/sos", &[("cookie", "lang=en")]).await;
        assert!(english.text("#sos-needs-js").contains("Call 999"));
        let script = page
            .attr("script[src^='/static/sos.']", "src")
            .expect("the SOS script");
        assert_eq!(app.get(&script).await.status, StatusCode::OK);
        let home = app.get("/").await;
        assert_eq!(
            home.attr("#home-sos", "href").as_deref(),
            Some("/sos"),
            "the home page links to SOS"
        );
    }
);

fn in_header(element: &ElementRef) -> bool {
    element
        .ancestors()
        .any(|a| a.value().as_element().is_some_and(|e| e.name() == "header"))
}

on_both!(
    an_alert_is_stored_sealed_and_the_page_says_sent_with_its_reference,
    |app: TestApp| async move {
        let token = page_token(&app).await;
        let sent = app
            .post_form(
                "/sos",
                &[
                    ("lat", SADAR.0),
                    ("lon", SADAR.1),
                    ("accuracy", "23.4"),
                    ("callback", "০১৭১২-৩৪৫৬৭৮"),
                    ("place", "সাদা দোতলা বাড়ি probe-5517"),
                    ("alert_token", &token),
                ],
            )
            .await;
        let reference = reference_of(&sent);
        assert!(reference.starts_with("S-20"), "{reference}");
        assert!(sent.has("#sos-sent-location"));
        assert!(sent.has("#sos-sent-callback"));
        assert!(sent.text("#sos-reference").contains("S-"));
        assert_eq!(app.count("sos_alerts").await, 1);
        let row: (i64, i64, String) =
            sqlx::query_as("SELECT has_location, needs_place_check, status FROM sos_alerts")
                .fetch_one(app.state.store.reader())
                .await
                .expect("the alert");
        assert_eq!(row, (1, 0, "new".to_string()));
        let dump = app.dump_database().await;
        for secret in ["1712345678", "১৭১২", "22.80361", "89.56778", "probe-5517"] {
            assert!(!dump.contains(secret), "{secret:?} is in the database");
        }
    }
);

on_both!(
    a_point_outside_the_area_is_kept_and_marked,
    |app: TestApp| async move {
        reference_of(&send_from(&app, ("1.0", "1.0"), "").await);
        let marked: i64 = sqlx::query_scalar("SELECT needs_place_check FROM sos_alerts")
            .fetch_one(app.state.store.reader())
            .await
            .expect("the alert");
        assert_eq!(marked, 1);
    }
);

on_both!(
    a_double_tap_with_the_same_token_makes_one_alert,
    |app: TestApp| async move {
        let token = page_token(&app).await;
        let fields = [
            ("lat", SONADANGA.0),
            ("lon", SONADANGA.1),
            ("accuracy", "12"),
            ("alert_token", token.as_str()),
        ];
        let (first, second) = tokio::join!(
            app.post_form("/sos", &fields),
            app.post_form("/sos", &fields)
        );
        let third = app.post_form("/sos", &fields).await;
        let reference = reference_of(&first);
        assert_eq!(reference_of(&second), reference);
        assert_eq!(reference_of(&third), reference);
        assert_eq!(app.count("sos_alerts").await, 1);
        let version: i64 = sqlx::query_scalar("SELECT version FROM sos_head")
            .fetch_one(app.state.store.reader())
            .await
            .expect("head");
        assert_eq!(version, 1, "a repeat is no change to the board");
        // Another page's token is another alert.
        reference_of(&send_from(&app, SADAR, "").await);
        assert_eq!(app.count("sos_alerts").await, 2);
    }
);

/// Settings with small caps, so that a test can reach them.
async fn app_with_caps(backend: Backend, per_minute: i64, per_area: i64) -> TestApp {
    TestApp::start_with(backend, |s| {
        s.sos.alerts_per_minute = per_minute;
        s.sos.alerts_per_area = per_area;
    })
    .await
}

async fn over_the_caps_is_told_to_call_999(backend: Backend) {
    let app = app_with_caps(backend, 4, 2).await;
    // One square: the third from it is refused, a point elsewhere still goes.
    reference_of(&send_from(&app, SADAR, "").await);
    reference_of(&send_from(&app, ("22.80366", "89.56771"), "").await);
    let refused = send_from(&app, SADAR, "01712345678").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.header("retry-after"), "30");
    refused_in_both(&refused, "৯৯৯", "Call 999");
    assert_eq!(
        refused.attr("#callback", "value").as_deref(),
        Some("01712345678")
    );
    reference_of(&send_from(&app, SONADANGA, "").await);
    // Alerts without a location count as one square.
    let token = page_token(&app).await;
    let written = [("place", "নদীর ঘাট"), ("alert_token", token.as_str())];
    reference_of(&app.post_form("/sos", &written).await);
    // The installation's cap: four in a minute, wherever they come from.
    let fifth = send_from(&app, ("22.8883", "89.517"), "").await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    refused_in_both(&fifth, "৯৯৯", "Call 999");
    assert_eq!(app.count("sos_alerts").await, 4);
    // A repeat of an alert that went is still answered with it, caps or not.
    assert_eq!(app.post_form("/sos", &written).await.status, StatusCode::OK);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_caps_is_told_to_call_999_on_sqlite() {
    over_the_caps_is_told_to_call_999(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_caps_is_told_to_call_999_on_postgres() {
    over_the_caps_is_told_to_call_999(Backend::Postgres).await;
}

on_both!(
    expired_alerts_are_purged_and_areas_forgotten,
    |app: TestApp| async move {
        reference_of(&send_from(&app, SADAR, "").await);
        let store = &app.state.store;
        let now = hello_kmp::store::now();
        let purge = hello_kmp::services::sos::purge_expired;
        assert_eq!(purge(store, now).await.expect("purge"), 0);
        let areas: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sos_alerts WHERE area_hash IS NOT NULL")
                .fetch_one(store.reader())
                .await
                .expect("count");
        assert_eq!(areas, 1, "the area counts for ten minutes");
        assert_eq!(purge(store, now + 601).await.expect("purge"), 0);
        let areas: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sos_alerts WHERE area_hash IS NOT NULL")
                .fetch_one(store.reader())
                .await
                .expect("count");
        assert_eq!(areas, 0, "then it is forgotten");
        let retention = app.state.settings.sos.retention_days * 86_400;
        assert_eq!(purge(store, now + retention + 60).await.expect("purge"), 1);
        assert_eq!(app.count("sos_alerts").await, 0);
    }
);

const USER_AGENT: &str = "SosProbe/1.0 (distinctive-ua-6612)";
const PEER: &str = "198.51.100.77";

async fn nothing_about_the_sender_is_kept(backend: Backend) {
    let (logs, _guard) = crate::support::LogCapture::start();
    let app = TestApp::start(backend).await;
    let token = page_token(&app).await;
    let sent = app
        .post_form_as(
            "/sos",
            &[
                ("lat", SONADANGA.0),
                ("lon", SONADANGA.1),
                ("accuracy", "8"),
                ("callback", "01912345678"),
                ("place", "probe-place-7730"),
                ("alert_token", &token),
            ],
            &[("user-agent", USER_AGENT)],
            PEER,
        )
        .await;
    reference_of(&sent);
    let stored = app.everything_stored().await;
    let logged = logs.text();
    assert!(logged.contains("SOS alert received"), "captured: {logged}");
    for secret in [
        USER_AGENT,
        "distinctive-ua-6612",
        PEER,
        "1912345678",
        "probe-place-7730",
        "22.817",
        "89.55",
        &token,
    ] {
        assert!(!stored.contains(secret), "{secret:?} in the stored data");
        assert!(!logged.contains(secret), "{secret:?} in the log");
    }
    app.finish().await;
}

// A current-thread runtime keeps every task, the writer's included, under the test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn nothing_about_the_sender_is_stored_or_logged_on_sqlite() {
    nothing_about_the_sender_is_kept(Backend::Sqlite).await;
}

#[tokio::test(flavor = "current_thread")]
async fn nothing_about_the_sender_is_stored_or_logged_on_postgres() {
    nothing_about_the_sender_is_kept(Backend::Postgres).await;
}

//! `/api/v1/sos`: the app's alert is the page's alert: sealed, one per token, within the caps,
//! answered only once committed.

use axum::http::StatusCode;
use serde_json::json;

use super::{refused, says_call_999, sos_token};
use crate::on_both;
use crate::support::{Backend, TestApp};

fn alert(lat: f64, lon: f64, token: &str) -> serde_json::Value {
    json!({"lat": lat, "lon": lon, "accuracy_m": 35.0, "token": token})
}

on_both!(
    a_token_is_fresh_each_time_and_kept_nowhere,
    |app: TestApp| async move {
        let answer = app.get("/api/v1/sos/token").await;
        assert_eq!(answer.header("cache-control"), "no-store");
        let first = sos_token(&app).await;
        let second = sos_token(&app).await;
        assert_ne!(first, second);
        assert_eq!(first.len(), 32);
        assert!(first.bytes().all(|b| b.is_ascii_hexdigit()), "{first}");
        let stored = app.everything_stored().await;
        assert!(!stored.contains(&first) && !stored.contains(&second));
    }
);

on_both!(
    an_alert_is_committed_then_answered_and_a_resend_is_the_same_alert,
    |app: TestApp| async move {
        let token = sos_token(&app).await;
        let mut body = alert(22.817, 89.550, &token);
        body["callback_phone"] = json!("০১৭১২-৩৪৫৬৭৮");
        let sent = app.post_json("/api/v1/sos", body.clone()).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        let json = sent.json();
        let reference = json["reference"].as_str().expect("a reference").to_string();
        assert!(reference.starts_with("S-"), "{reference}");
        assert_eq!(json["has_location"], true);
        assert_eq!(json["already_sent"], false);
        let in_bangla = reference
            .replace('2', "২")
            .replace('0', "০")
            .replace('6', "৬")
            .replace('1', "১");
        assert_eq!(json["reference_bn"], in_bangla.as_str(), "S-২০২৬-০০০০০১");
        let lines: Vec<&str> = json["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .filter_map(|l| l["en"].as_str())
            .collect();
        assert_eq!(
            lines,
            [
                "Your alert has reached the KMP control room.",
                "The control room has your phone's location. Stay where you are if it is safe.",
                "Keep your phone with you: the control room may call you back.",
                "If you can, call 999 as well: it is free from any phone.",
            ]
        );
        assert!(
            json["lines"][0]["bn"]
                .as_str()
                .is_some_and(|l| l.contains("কন্ট্রোল রুমে"))
        );
        // Committed before the answer: the board has it.
        assert_eq!(app.count("sos_alerts").await, 1);
        let admin = app.officer().await;
        let board = admin.get("/console/sos").await;
        assert!(
            board.body.contains(&reference),
            "on the board: {}",
            board.body
        );

        // The same tap again, at once and twice more: one alert, the first reference.
        let (a, b) = tokio::join!(
            app.post_json("/api/v1/sos", body.clone()),
            app.post_json("/api/v1/sos", body.clone())
        );
        for again in [a, b] {
            assert_eq!(again.status, StatusCode::OK, "{}", again.body);
            assert_eq!(again.json()["already_sent"], true);
            assert_eq!(again.json()["reference"], reference.as_str());
        }
        assert_eq!(app.count("sos_alerts").await, 1);
        let version: i64 = sqlx::query_scalar("SELECT version FROM sos_head")
            .fetch_one(app.state.store.reader())
            .await
            .expect("head");
        assert_eq!(version, 1, "a repeat is no change to the board");
        // Another token is another alert; the page's token works for the app too.
        let other = app
            .post_json(
                "/api/v1/sos",
                alert(22.80361, 89.56778, &sos_token(&app).await),
            )
            .await;
        assert_eq!(other.status, StatusCode::CREATED);
        assert_ne!(other.json()["reference"], reference.as_str());
        let page_token = crate::sos::page_token(&app).await;
        let from_page = app
            .post_json("/api/v1/sos", alert(22.8083, 89.5667, &page_token))
            .await;
        assert_eq!(from_page.status, StatusCode::CREATED, "{}", from_page.body);
        assert_eq!(app.count("sos_alerts").await, 3);
    }
);

on_both!(
    without_a_point_the_app_sends_where_the_citizen_writes_they_are,
    |app: TestApp| async move {
        let token = sos_token(&app).await;
        let body = json!({"place": "খালিশপুর জুট মিলের গেটের সামনে", "token": token});
        let sent = app.post_json("/api/v1/sos", body).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        assert_eq!(sent.json()["has_location"], false);
        let has_location: i64 = sqlx::query_scalar("SELECT has_location FROM sos_alerts")
            .fetch_one(app.state.store.reader())
            .await
            .expect("one alert");
        assert_eq!(has_location, 0, "an alert without a point");
        let too_long = json!({"place": "ক".repeat(501), "token": sos_token(&app).await});
        let refused_place = app.post_json("/api/v1/sos", too_long).await;
        refused(
            &refused_place,
            StatusCode::UNPROCESSABLE_ENTITY,
            "place_too_long",
            Some("place"),
        );
        says_call_999(&refused_place);
        assert_eq!(app.count("sos_alerts").await, 1);
    }
);

async fn over_the_caps_is_told_to_call_999(backend: Backend) {
    let app = TestApp::start_with(backend, |s| {
        s.sos.alerts_per_minute = 4;
        s.sos.alerts_per_area = 2;
    })
    .await;
    let send = |lat: f64, lon: f64| {
        let app = app.clone();
        async move {
            let token = sos_token(&app).await;
            app.post_json("/api/v1/sos", alert(lat, lon, &token)).await
        }
    };
    // One square: the third from it is refused; a point elsewhere still goes.
    assert_eq!(send(22.80361, 89.56778).await.status, StatusCode::CREATED);
    assert_eq!(send(22.80366, 89.56771).await.status, StatusCode::CREATED);
    let refused_area = send(22.80362, 89.56779).await;
    refused(
        &refused_area,
        StatusCode::TOO_MANY_REQUESTS,
        "sos_too_many",
        None,
    );
    says_call_999(&refused_area);
    assert_eq!(refused_area.header("retry-after"), "30");
    assert_eq!(send(22.817, 89.550).await.status, StatusCode::CREATED);
    assert_eq!(send(22.8883, 89.517).await.status, StatusCode::CREATED);
    // Four in the minute: the whole installation's cap, wherever the fifth comes from.
    let refused_all = send(22.86, 89.53).await;
    refused(
        &refused_all,
        StatusCode::TOO_MANY_REQUESTS,
        "sos_too_many",
        None,
    );
    says_call_999(&refused_all);
    assert_eq!(app.count("sos_alerts").await, 4);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_caps_the_app_is_told_to_call_999_on_sqlite() {
    over_the_caps_is_told_to_call_999(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_the_caps_the_app_is_told_to_call_999_on_postgres() {
    over_the_caps_is_told_to_call_999(Backend::Postgres).await;
}

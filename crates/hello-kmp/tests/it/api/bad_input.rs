//! Every bad input to the app's reading routes and its SOS answers the shared envelope, with a
//! stable code, both languages and the field at fault, and changes nothing.

use axum::http::StatusCode;
use serde_json::json;

use super::{get_search, refused, says_call_999, sos_token};
use crate::on_both;
use crate::support::TestApp;

on_both!(
    an_over_long_search_is_refused_not_cut,
    |app: TestApp| async move {
        let at_limit = get_search(&app, "/api/v1/contacts", &"ক".repeat(80)).await;
        assert_eq!(at_limit.status, StatusCode::OK, "{}", at_limit.body);
        let over = get_search(&app, "/api/v1/contacts", &"ক".repeat(81)).await;
        refused(
            &over,
            StatusCode::UNPROCESSABLE_ENTITY,
            "query_too_long",
            Some("q"),
        );
        let faq_at_limit = get_search(&app, "/api/v1/faq", &"a".repeat(100)).await;
        assert_eq!(faq_at_limit.status, StatusCode::OK);
        let faq_over = get_search(&app, "/api/v1/faq", &"a".repeat(101)).await;
        refused(
            &faq_over,
            StatusCode::UNPROCESSABLE_ENTITY,
            "query_too_long",
            Some("q"),
        );
    }
);

on_both!(
    a_bad_point_for_the_nearest_thana_is_named,
    |app: TestApp| async move {
        let nearest = |body| {
            let app = app.clone();
            async move { app.post_json("/api/v1/contacts/nearest", body).await }
        };
        for body in [json!({}), json!({"lat": 22.817}), json!({"lon": 89.55})] {
            let answer = nearest(body).await;
            refused(
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "point_malformed",
                Some("location"),
            );
        }
        let words = nearest(json!({"lat": "north", "lon": 89.55})).await;
        refused(&words, StatusCode::BAD_REQUEST, "request_malformed", None);
        let off_earth = nearest(json!({"lat": 95.0, "lon": 89.55})).await;
        refused(
            &off_earth,
            StatusCode::UNPROCESSABLE_ENTITY,
            "point_out_of_range",
            Some("location"),
        );
        for (lat, lon) in [(51.5074, -0.1278), (22.8, 95.5), (19.0, 89.5)] {
            let abroad = nearest(json!({"lat": lat, "lon": lon})).await;
            refused(
                &abroad,
                StatusCode::UNPROCESSABLE_ENTITY,
                "point_outside_bangladesh",
                Some("location"),
            );
        }
        // A good point while no boundaries are loaded: said plainly, with 999.
        let unloaded = nearest(json!({"lat": 22.817, "lon": 89.55})).await;
        refused(
            &unloaded,
            StatusCode::SERVICE_UNAVAILABLE,
            "nearest_unavailable",
            None,
        );
        assert!(
            unloaded.json()["error"]["message_en"]
                .as_str()
                .is_some_and(|m| m.contains("no thana boundaries")),
            "{}",
            unloaded.body
        );
        // The point never goes in the address.
        let in_url = app
            .get("/api/v1/contacts/nearest?lat=22.817&lon=89.55")
            .await;
        refused(
            &in_url,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            None,
        );
    }
);

on_both!(
    a_bad_page_number_or_an_unknown_post_is_refused,
    |app: TestApp| async move {
        for page in ["0", "-1", "two", "1.5", "99999999999999999999", ""] {
            let answer = app.get(&format!("/api/v1/news?page={page}")).await;
            refused(
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "page_number_malformed",
                Some("page"),
            );
        }
        // The first page is there even with no posts; the second is past the last.
        assert_eq!(app.get("/api/v1/news").await.status, StatusCode::OK);
        let past = app.get("/api/v1/news?page=2").await;
        refused(&past, StatusCode::NOT_FOUND, "not_found", None);
        for post in ["1", "1-anything", "abc", "-1", "12x"] {
            let answer = app.get(&format!("/api/v1/news/{post}")).await;
            refused(&answer, StatusCode::NOT_FOUND, "post_unknown", Some("post"));
        }
    }
);

on_both!(
    an_sos_without_a_point_says_call_999_and_bad_fields_are_named,
    |app: TestApp| async move {
        let token = sos_token(&app).await;
        let send = |body| {
            let app = app.clone();
            async move { app.post_json("/api/v1/sos", body).await }
        };
        for body in [
            json!({"token": token}),
            json!({"place": "   ", "token": token}),
        ] {
            let answer = send(body).await;
            refused(
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "sos_location_required",
                Some("location"),
            );
            says_call_999(&answer);
        }
        // Half a point is a point that cannot be used.
        for body in [
            json!({"lat": 22.817, "token": token}),
            json!({"lon": 89.55, "callback_phone": "01712345678", "token": token}),
        ] {
            let answer = send(body).await;
            refused(
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "sos_point_unusable",
                Some("place"),
            );
            says_call_999(&answer);
        }
        // Even a request of the wrong shape tells the citizen to call 999.
        for body in [
            json!({"lat": "x", "lon": 89.55, "token": token}),
            json!({"place": 12, "token": token}),
            json!(["not", "an", "object"]),
        ] {
            let answer = send(body).await;
            refused(
                &answer,
                StatusCode::BAD_REQUEST,
                "sos_request_malformed",
                None,
            );
            says_call_999(&answer);
        }
        let off_earth = send(json!({"lat": 95.5, "lon": 89.5, "token": token})).await;
        refused(
            &off_earth,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sos_point_unusable",
            Some("place"),
        );
        says_call_999(&off_earth);
        let negative = send(json!({"lat": 22.8, "lon": 89.5, "accuracy_m": -4, "token": token}));
        refused(
            &negative.await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sos_point_unusable",
            Some("place"),
        );
        for phone in ["01712-34", "999", "+44 20 7946 0000"] {
            let answer = send(json!({
                "lat": 22.817, "lon": 89.55, "callback_phone": phone, "token": token
            }))
            .await;
            refused(
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "callback_malformed",
                Some("callback"),
            );
            says_call_999(&answer);
        }
        for bad in [
            json!(null),
            json!(""),
            json!("short"),
            json!("x".repeat(65)),
        ] {
            let answer = send(json!({"lat": 22.817, "lon": 89.55, "token": bad})).await;
            refused(
                &answer,
                StatusCode::UNPROCESSABLE_ENTITY,
                "sos_token_malformed",
                Some("token"),
            );
            says_call_999(&answer);
        }
        let words = send(json!({"lat": "here", "lon": 89.55, "token": token})).await;
        refused(
            &words,
            StatusCode::BAD_REQUEST,
            "sos_request_malformed",
            None,
        );
        says_call_999(&words);
        let form = app
            .post_form(
                "/api/v1/sos",
                &[("lat", "22.817"), ("lon", "89.55"), ("alert_token", &token)],
            )
            .await;
        refused(
            &form,
            StatusCode::BAD_REQUEST,
            "sos_request_malformed",
            None,
        );
        says_call_999(&form);
        assert_eq!(app.count("sos_alerts").await, 0, "nothing was stored");
        // The same token still sends the alert once the input is right.
        let sent = send(json!({"lat": 22.817, "lon": 89.55, "token": token})).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    }
);

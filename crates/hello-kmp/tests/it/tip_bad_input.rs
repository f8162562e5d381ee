//! Bad input on the tip form and the API: a clear message in Bangla and English, a 4xx, the form
//! as typed, and nothing written.

use axum::http::StatusCode;

use crate::on_both;
use crate::support::TestApp;

/// A valid form with one field replaced.
fn form_with<'a>(field: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("category", "extortion"),
        ("description", "দোকানে চাঁদা চাওয়া হচ্ছে typed-text-5521"),
        ("thana", "khalishpur"),
        ("contact_name", "রহিম"),
        ("event_time", ""),
        ("lat", ""),
        ("lon", ""),
    ];
    fields.retain(|(k, _)| *k != field);
    fields.push((field, value));
    fields
}

/// Posts the form and checks the refusal: status, both languages, nothing written.
async fn refused(
    app: &TestApp,
    fields: &[(&str, &str)],
    status: StatusCode,
    bn: &str,
    en: &str,
) -> crate::support::Answer {
    let page = app.post_form("/tips", fields).await;
    assert_eq!(page.status, status, "status for {fields:?}: {}", page.body);
    let error = page.texts(".error").join(" ");
    assert!(error.contains(bn), "Bangla message {bn:?} in {error:?}");
    assert!(error.contains(en), "English message {en:?} in {error:?}");
    assert_eq!(app.count("tips").await, 0, "nothing written");
    page
}

/// The form came back as typed.
fn kept(page: &crate::support::Answer) {
    assert_eq!(
        page.attr("option[value=extortion]", "selected").as_deref(),
        Some(""),
        "category kept"
    );
    assert_eq!(
        page.attr("option[value=khalishpur]", "selected").as_deref(),
        Some(""),
        "thana kept"
    );
    assert_eq!(
        page.attr("#contact_name", "value").as_deref(),
        Some("রহিম"),
        "name kept"
    );
}

on_both!(empty_description, |app: TestApp| async move {
    let page = refused(
        &app,
        &form_with("description", "   \n  "),
        StatusCode::UNPROCESSABLE_ENTITY,
        "কী ঘটেছে",
        "Write what happened",
    )
    .await;
    kept(&page);
    assert_eq!(
        page.attr("#description", "aria-invalid").as_deref(),
        Some("true")
    );
});

on_both!(oversized_description, |app: TestApp| async move {
    let long = "ক".repeat(5_001);
    let page = refused(
        &app,
        &form_with("description", &long),
        StatusCode::UNPROCESSABLE_ENTITY,
        "৫,০০০",
        "5,000",
    )
    .await;
    kept(&page);
    assert_eq!(
        page.text("#description").chars().count(),
        5_001,
        "the text is kept to shorten"
    );
});

on_both!(unknown_category, |app: TestApp| async move {
    let page = refused(
        &app,
        &form_with("category", "bribery"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "বিষয়",
        "subject",
    )
    .await;
    assert!(
        page.text("#description").contains("typed-text-5521"),
        "description kept"
    );
});

on_both!(unknown_thana, |app: TestApp| async move {
    let page = refused(
        &app,
        &form_with("thana", "gulshan"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "থানা",
        "thana",
    )
    .await;
    assert!(page.text("#description").contains("typed-text-5521"));
});

on_both!(
    malformed_and_out_of_range_points,
    |app: TestApp| async move {
        let mut fields = form_with("lat", "22.8abc");
        fields.push(("lon", "89.5"));
        fields.retain(|(k, v)| !(*k == "lon" && v.is_empty()));
        refused(
            &app,
            &fields,
            StatusCode::UNPROCESSABLE_ENTITY,
            "অবস্থান",
            "location",
        )
        .await;
        let mut half = form_with("lat", "22.8");
        half.retain(|(k, _)| *k != "lon");
        refused(
            &app,
            &half,
            StatusCode::UNPROCESSABLE_ENTITY,
            "অবস্থান",
            "location",
        )
        .await;
        let mut far = form_with("lat", "122.8");
        far.retain(|(k, _)| *k != "lon");
        far.push(("lon", "89.5"));
        refused(
            &app,
            &far,
            StatusCode::UNPROCESSABLE_ENTITY,
            "পৃথিবীর",
            "Earth",
        )
        .await;
    }
);

on_both!(
    event_time_in_the_future_or_malformed,
    |app: TestApp| async move {
        let page = refused(
            &app,
            &form_with("event_time", "2099-01-01T10:00"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ভবিষ্যতের",
            "future",
        )
        .await;
        assert_eq!(
            page.attr("#event_time", "value").as_deref(),
            Some("2099-01-01T10:00")
        );
        refused(
            &app,
            &form_with("event_time", "last tuesday"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "তারিখ",
            "date",
        )
        .await;
    }
);

on_both!(
    phone_that_is_not_a_bangladeshi_mobile,
    |app: TestApp| async move {
        let page = refused(
            &app,
            &form_with("contact_phone", "12345"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "১১ অঙ্কের",
            "11-digit",
        )
        .await;
        assert_eq!(
            page.attr("#contact_phone", "value").as_deref(),
            Some("12345")
        );
        assert!(page.has("details[open]"), "the contact section stays open");
    }
);

on_both!(tampered_form_token, |app: TestApp| async move {
    refused(
        &app,
        &form_with("form_token", "<script>"),
        StatusCode::UNPROCESSABLE_ENTITY,
        "ফর্মটি",
        "form",
    )
    .await;
});

on_both!(oversized_body, |app: TestApp| async move {
    let huge = "a".repeat(200 * 1024);
    let page = refused(
        &app,
        &form_with("description", &huge),
        StatusCode::PAYLOAD_TOO_LARGE,
        "অনেক বড়",
        "too large",
    )
    .await;
    assert!(page.has("a[href='tel:999']"));
});

on_both!(
    api_bad_input_gets_the_envelope_in_both_languages,
    |app: TestApp| async move {
        let cases = [
            (
                serde_json::json!({"category": "drugs", "description": ""}),
                422,
                "description_empty",
                "description",
            ),
            (
                serde_json::json!({"category": "bribery", "description": "x"}),
                422,
                "category_unknown",
                "category",
            ),
            (
                serde_json::json!({"category": "drugs", "description": "x", "lat": 91.0, "lon": 89.5}),
                422,
                "point_out_of_range",
                "location",
            ),
            (
                serde_json::json!({"category": "drugs", "description": "x", "thana": "nowhere"}),
                422,
                "thana_unknown",
                "thana",
            ),
            (
                serde_json::json!({"category": "drugs"}),
                400,
                "request_malformed",
                "",
            ),
            (
                serde_json::json!({"category": "drugs", "description": 123}),
                400,
                "request_malformed",
                "",
            ),
        ];
        for (body, status, code, field) in cases {
            let answer = app.post_json("/api/v1/tips", body).await;
            assert_eq!(answer.status.as_u16(), status, "{code}: {}", answer.body);
            let error = &answer.json()["error"];
            assert_eq!(error["code"], code);
            assert!(!error["message_bn"].as_str().unwrap_or_default().is_empty());
            assert!(!error["message_en"].as_str().unwrap_or_default().is_empty());
            if !field.is_empty() {
                assert_eq!(error["field"], field);
            }
        }
        let huge = serde_json::json!({"category": "drugs", "description": "a".repeat(100 * 1024)});
        let answer = app.post_json("/api/v1/tips", huge).await;
        assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(answer.json()["error"]["code"], "body_too_large");
        assert_eq!(app.count("tips").await, 0);
    }
);

on_both!(cross_site_posts_are_refused, |app: TestApp| async move {
    let page = app
        .post_form_as(
            "/tips",
            &form_with("description", "x"),
            &[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
                ("host", "localhost"),
            ],
            "192.0.2.9",
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.text(".error").contains("অনুমতি"));
    assert_eq!(app.count("tips").await, 0);
});

on_both!(
    api_refusals_are_json_envelopes_too,
    |app: TestApp| async move {
        let request = axum::http::Request::post("/api/v1/tips")
            .header("content-type", "application/json")
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .body(axum::body::Body::from(
                r#"{"category":"drugs","description":"x"}"#,
            ))
            .expect("request");
        let cross_site = app.send(request, "192.0.2.8").await;
        assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
        assert_eq!(cross_site.json()["error"]["code"], "forbidden");

        let not_json = axum::http::Request::post("/api/v1/tips")
            .header("content-type", "text/plain")
            .body(axum::body::Body::from("category=drugs"))
            .expect("request");
        let answer = app.send(not_json, "192.0.2.8").await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert_eq!(answer.json()["error"]["code"], "request_malformed");

        let wrong_method = app.get("/api/v1/tips").await;
        assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong_method.json()["error"]["code"], "method_not_allowed");
        let page = app.get("/console/logout").await;
        assert_eq!(page.status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(
            page.texts(".error")
                .join(" ")
                .contains("cannot be opened this way")
        );
        assert_eq!(app.count("tips").await, 0);
    }
);

//! Sending a secret tip: the receipt comes after the commit, once, in both scripts.

use axum::http::StatusCode;

use crate::on_both;
use crate::support::receipt_of;

on_both!(
    a_tip_gives_a_receipt_in_bangla_and_ascii_digits,
    |app: crate::support::TestApp| async move {
        let form = app.get("/tips/new").await;
        assert!(
            form.text(".anonymity").contains("পরিচয় গোপন"),
            "the form says what anonymous means"
        );
        let token = form
            .attr("input[name=form_token]", "value")
            .expect("form token");
        let page = app
            .post_form(
                "/tips",
                &[
                    ("category", "drugs"),
                    ("description", "বাজারের পেছনে ইয়াবা বিক্রি"),
                    ("thana", "sonadanga"),
                    ("form_token", &token),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let ascii = receipt_of(&page);
        assert_eq!(ascii.len(), 25);
        let bangla = page.text("#receipt-bn");
        assert_eq!(
            hello_kmp::domain::digits::to_ascii(&bangla).replace(' ', ""),
            ascii
        );
        assert_eq!(bangla.split(' ').count(), 5, "five groups");
        assert!(page.text("#tip-reference").starts_with("T-20"));
        assert!(
            page.has("#saved-form input#saved[required]"),
            "an 'I have saved it' step"
        );
        assert_eq!(page.header("cache-control"), "no-store");
        assert_eq!(app.count("tips").await, 1);
    }
);

on_both!(
    the_same_form_sent_twice_makes_one_tip,
    |app: crate::support::TestApp| async move {
        let fields = [
            ("category", "theft"),
            ("description", "ছিনতাই"),
            ("form_token", "0123456789abcdef0123456789abcdef"),
        ];
        let first = app.post_form("/tips", &fields).await;
        assert!(first.has("#receipt-bn"));
        let second = app.post_form("/tips", &fields).await;
        assert_eq!(second.status, StatusCode::OK);
        assert_eq!(
            receipt_of(&second),
            receipt_of(&first),
            "a resent form shows its receipt again"
        );
        assert_eq!(second.text("#tip-reference"), first.text("#tip-reference"));
        assert_eq!(app.count("tips").await, 1);
        // The resend used up no reference number: the next tip is the second.
        let next = app
            .post_form("/tips", &[("category", "theft"), ("description", "আরেকটি")])
            .await;
        assert!(
            next.text("#tip-reference").ends_with("-000002"),
            "{}",
            next.text("#tip-reference")
        );
        let dump = app.dump_database().await;
        assert!(
            !dump.contains(&receipt_of(&first)),
            "the kept copy is sealed"
        );
        assert!(
            !dump.contains("0123456789abcdef0123456789abcdef"),
            "the token itself is not kept"
        );
    }
);

on_both!(
    tip_text_is_sealed_and_the_receipt_is_not_stored,
    |app: crate::support::TestApp| async move {
        let page = app
            .post_form(
                "/tips",
                &[
                    ("category", "drugs"),
                    ("description", "সিল করা লেখা-৭৭১৩ sealed-text-7713"),
                    ("lat", "22.8123457"),
                    ("lon", "89.5512347"),
                ],
            )
            .await;
        let receipt = receipt_of(&page);
        let dump = app.dump_database().await;
        assert!(!dump.contains("sealed-text-7713"));
        assert!(
            !dump.contains("22.812") && !dump.contains("89.551"),
            "the point is sealed"
        );
        assert!(!dump.contains(&receipt));
        assert!(
            dump.contains("drugs"),
            "the dump does see the plain columns"
        );
    }
);

on_both!(
    a_point_outside_kmp_is_kept_and_marked_for_an_officer,
    |app: crate::support::TestApp| async move {
        let page = app
            .post_form(
                "/tips",
                &[
                    ("category", "drugs"),
                    ("description", "ঢাকার ঘটনা"),
                    ("lat", "23.8103"),
                    ("lon", "90.4125"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "accepted: {}", page.body);
        let inside = app
            .post_form(
                "/tips",
                &[
                    ("category", "drugs"),
                    ("description", "খুলনার ঘটনা"),
                    ("lat", "22.80361"),
                    ("lon", "89.56778"),
                ],
            )
            .await;
        assert_eq!(inside.status, StatusCode::OK);
        let officer = app.officer().await;
        let queue = officer.get("/console").await;
        let flagged: Vec<String> = queue
            .texts("table.queue tbody tr")
            .into_iter()
            .filter(|r| r.contains("যাচাই"))
            .collect();
        assert_eq!(
            flagged.len(),
            1,
            "only the Dhaka point is flagged: {flagged:?}"
        );
        assert!(flagged[0].contains(&page.text("#tip-reference")));
    }
);

on_both!(
    api_submits_looks_up_and_adds_information,
    |app: crate::support::TestApp| async move {
        let sent = app
        .post_json("/api/v1/tips", serde_json::json!({"category": "cyber_crime", "description": "ফেসবুকে হুমকি", "lat": 22.817, "lon": 89.55}))
        .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        let receipt = sent.json()["receipt_bangla"]
            .as_str()
            .expect("receipt")
            .to_string();
        let status = app
            .post_json(
                "/api/v1/tips/lookup",
                serde_json::json!({"receipt": receipt}),
            )
            .await;
        assert_eq!(status.status, StatusCode::OK);
        assert_eq!(status.json()["status"], "new");
        assert_eq!(status.json()["category"], "cyber_crime");
        let added = app
            .post_json(
                "/api/v1/tips/messages",
                serde_json::json!({"receipt": receipt, "message": "আরও তথ্য"}),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED);
        assert_eq!(added.json()["messages"][0]["from"], "tipster");
        assert_eq!(added.json()["messages"][0]["body"], "আরও তথ্য");
    }
);

on_both!(
    api_idempotency_key_makes_one_tip,
    |app: crate::support::TestApp| async move {
        let body = serde_json::json!({"category": "drugs", "description": "x", "idempotency_key": "draft-2f9c1e7a8b6d-4e1a-9c3b-77d2aa01"});
        assert_eq!(
            app.post_json("/api/v1/tips", body.clone()).await.status,
            StatusCode::CREATED
        );
        let first = app.post_json("/api/v1/tips", body.clone()).await;
        assert_eq!(first.status, StatusCode::OK, "the same key a second time");
        let again = app.post_json("/api/v1/tips", body).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json()["already_sent"], true);
        assert_eq!(again.json()["receipt"], first.json()["receipt"]);
        assert_eq!(
            again.json()["receipt"].as_str().map(|r| r.len()),
            Some(29),
            "25 digits, 4 spaces"
        );
        assert_eq!(app.count("tips").await, 1);
        let other = serde_json::json!({"category": "drugs", "description": "x", "idempotency_key": "draft-000000000000-0000-0000-00000000"});
        let fresh = app.post_json("/api/v1/tips", other).await;
        assert_eq!(fresh.status, StatusCode::CREATED);
        assert_ne!(fresh.json()["receipt"], first.json()["receipt"]);

        // The key alone opens nothing: other content under the same key is another tip.
        let guessed = serde_json::json!({"category": "drugs", "description": "y", "idempotency_key": "draft-2f9c1e7a8b6d-4e1a-9c3b-77d2aa01"});
        let other_tip = app.post_json("/api/v1/tips", guessed).await;
        assert_eq!(other_tip.status, StatusCode::CREATED);
        assert_ne!(other_tip.json()["receipt"], first.json()["receipt"]);
        assert_eq!(app.count("tips").await, 3);

        let short = serde_json::json!({"category": "drugs", "description": "x", "idempotency_key": "aaaaaaaaaaaaaaaa"});
        let refused = app.post_json("/api/v1/tips", short).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a 16-character key is guessable"
        );
    }
);

on_both!(
    openapi_document_describes_the_citizen_flow,
    |app: crate::support::TestApp| async move {
        let doc = app.get("/api/v1/openapi.json").await;
        assert_eq!(doc.status, StatusCode::OK);
        let json = doc.json();
        for path in [
            "/api/v1/tips",
            "/api/v1/tips/lookup",
            "/api/v1/tips/messages",
            "/api/v1/reference",
            "/api/v1/contacts",
            "/api/v1/contacts/nearest",
            "/api/v1/faq",
            "/api/v1/news",
            "/api/v1/news/{post}",
            "/api/v1/sos/token",
            "/api/v1/sos",
        ] {
            assert!(json["paths"][path].is_object(), "{path} documented");
        }
        assert!(json["components"]["schemas"]["ErrorEnvelope"].is_object());
        // The point goes in the body, never in the address.
        let nearest = &json["paths"]["/api/v1/contacts/nearest"]["post"];
        assert!(nearest["requestBody"].is_object() && nearest.get("parameters").is_none());
        // A change to the API's shape shows up here as a snapshot diff, to be reviewed on purpose.
        insta::assert_json_snapshot!("openapi", json);
    }
);

on_both!(
    many_tips_at_once_are_all_committed_with_distinct_receipts,
    |app: crate::support::TestApp| async move {
        let mut tasks = Vec::new();
        for i in 0..100 {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let body =
                    serde_json::json!({"category": "drugs", "description": format!("tip {i}")});
                let answer = app.post_json("/api/v1/tips", body).await;
                assert_eq!(answer.status, StatusCode::CREATED);
                answer.json()["receipt"]
                    .as_str()
                    .expect("receipt")
                    .to_string()
            }));
        }
        let mut receipts = std::collections::HashSet::new();
        for task in tasks {
            receipts.insert(task.await.expect("task"));
        }
        assert_eq!(receipts.len(), 100);
        assert_eq!(app.count("tips").await, 100);
    }
);

on_both!(
    api_idempotency_key_makes_one_message,
    |app: crate::support::TestApp| async move {
        let sent = app
            .post_json(
                "/api/v1/tips",
                serde_json::json!({"category": "drugs", "description": "x"}),
            )
            .await;
        let receipt = sent.json()["receipt"]
            .as_str()
            .expect("receipt")
            .to_string();
        let body = serde_json::json!({
            "receipt": receipt,
            "message": "একবারই once-only",
            "idempotency_key": "msg-5d1c9e2f7a3b-4c8d-a1e6-0f2b9c7d",
        });
        let first = app.post_json("/api/v1/tips/messages", body.clone()).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let again = app.post_json("/api/v1/tips/messages", body).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert_eq!(again.json()["messages"].as_array().map(Vec::len), Some(1));
        assert_eq!(app.count("tip_messages").await, 1);
        // A key that cannot be one is refused, and nothing is added.
        let odd = app
            .post_json(
                "/api/v1/tips/messages",
                serde_json::json!({"receipt": receipt, "message": "y", "idempotency_key": "short"}),
            )
            .await;
        assert_eq!(odd.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", odd.body);
        assert_eq!(odd.json()["error"]["code"], "form_tampered");
        assert_eq!(app.count("tip_messages").await, 1);
    }
);

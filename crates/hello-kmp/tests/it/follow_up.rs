//! Coming back with the receipt: any script, any separators; one clear message for a wrong one;
//! guessing slowed for the guesser only.

use axum::http::StatusCode;

use crate::on_both;
use crate::support::{TestApp, receipt_of};

on_both!(
    receipt_in_bangla_digits_with_spaces_and_dashes_opens_the_tip,
    |app: TestApp| async move {
        let page = app.submit_tip("follow-up test").await;
        let bangla = page.text("#receipt-bn");
        let typed = format!("  {} ", bangla.replacen(' ', "-", 2));
        let status = app.post_form("/follow-up", &[("receipt", &typed)]).await;
        assert_eq!(status.status, StatusCode::OK, "{}", status.body);
        assert_eq!(status.text("#status"), "পৌঁছেছে, পর্যালোচনার অপেক্ষায়");
        assert_eq!(status.texts(".timeline li").len(), 1);
        assert!(status.body.contains(&page.text("#tip-reference")));
        assert!(status.has("#message-form textarea[name=message]"));
        let ascii = receipt_of(&page);
        let by_ascii = app.post_form("/follow-up", &[("receipt", &ascii)]).await;
        assert_eq!(by_ascii.status, StatusCode::OK);
    }
);

on_both!(
    a_wrong_receipt_gets_one_clear_message_and_keeps_what_was_typed,
    |app: TestApp| async move {
        app.submit_tip("x").await;
        let wrong = app
            .post_form(
                "/follow-up",
                &[("receipt", "12345 67890 12345 67890 12345")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        let error = wrong.text(".error");
        assert!(
            error.contains("কোনো তথ্য পাওয়া যায়নি") && error.contains("No tip has this receipt"),
            "{error}"
        );
        assert_eq!(
            wrong.attr("#receipt", "value").as_deref(),
            Some("12345 67890 12345 67890 12345")
        );
        let short = app.post_form("/follow-up", &[("receipt", "১২৩")]).await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.text(".error").contains("২৫টি অঙ্ক"));
    }
);

on_both!(
    guessing_is_slowed_for_the_guesser_only,
    |app: TestApp| async move {
        let page = app.submit_tip("x").await;
        let receipt = receipt_of(&page);
        let wrong = [("receipt", "99999 99999 99999 99999 99999")];
        for _ in 0..hello_kmp::throttle::FREE_MISSES + 1 {
            let answer = app
                .post_form_as("/follow-up", &wrong, &[], "198.51.100.66")
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND);
        }
        let locked = app
            .post_form_as("/follow-up", &[("receipt", &receipt)], &[], "198.51.100.66")
            .await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the guesser waits even with a real receipt"
        );
        assert_eq!(locked.header("retry-after"), "30");
        assert!(locked.text(".error").contains("অপেক্ষা"));
        let api = app
            .post_json_as(
                "/api/v1/tips/lookup",
                serde_json::json!({"receipt": receipt}),
                "198.51.100.66",
            )
            .await;
        assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(api.json()["error"]["code"], "too_many_guesses");
        let other = app
            .post_form_as("/follow-up", &[("receipt", &receipt)], &[], "198.51.100.67")
            .await;
        assert_eq!(
            other.status,
            StatusCode::OK,
            "another citizen is not slowed"
        );
    }
);

on_both!(the_tipster_adds_information, |app: TestApp| async move {
    let page = app.submit_tip("x").await;
    let receipt = receipt_of(&page);
    let sent = app
        .post_form(
            "/follow-up/messages",
            &[
                ("receipt", &receipt),
                ("message", "গাড়ির নম্বর ঢাকা-মেট্রো-গ ১২"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK);
    assert!(sent.has("#sent-notice"));
    assert_eq!(
        sent.text(".message.from-tipster .message-body"),
        "গাড়ির নম্বর ঢাকা-মেট্রো-গ ১২"
    );
    assert_eq!(app.count("tip_messages").await, 1);
});

on_both!(
    an_empty_or_oversized_message_is_refused_with_the_draft_kept,
    |app: TestApp| async move {
        let page = app.submit_tip("x").await;
        let receipt = receipt_of(&page);
        let empty = app
            .post_form(
                "/follow-up/messages",
                &[("receipt", &receipt), ("message", "  ")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.text(".error").contains("Write something"));
        let long = "খ".repeat(5_001);
        let too_long = app
            .post_form(
                "/follow-up/messages",
                &[("receipt", &receipt), ("message", &long)],
            )
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            too_long.text("#message").chars().count(),
            5_001,
            "draft kept"
        );
        let wrong = app
            .post_form(
                "/follow-up/messages",
                &[("receipt", "1"), ("message", "hi")],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("tip_messages").await, 0);
    }
);

on_both!(
    the_receipt_never_appears_in_an_address,
    |app: TestApp| async move {
        let form = app.get("/follow-up").await;
        assert_eq!(form.attr("#lookup-form", "method").as_deref(), Some("post"));
        let page = app.submit_tip("x").await;
        let status = app
            .post_form("/follow-up", &[("receipt", &receipt_of(&page))])
            .await;
        assert_eq!(
            status.attr("#message-form", "method").as_deref(),
            Some("post")
        );
        assert_eq!(status.header("cache-control"), "no-store");
        for href in status
            .html()
            .select(&scraper::Selector::parse("a").expect("css"))
            .filter_map(|a| a.value().attr("href"))
        {
            assert!(
                !href.contains(&receipt_of(&page)[..10]),
                "no link carries the receipt: {href}"
            );
        }
    }
);

on_both!(
    the_status_page_switches_language_without_losing_the_tip,
    |app: TestApp| async move {
        let page = app.submit_tip("x").await;
        let receipt = receipt_of(&page);
        let status = app.post_form("/follow-up", &[("receipt", &receipt)]).await;
        assert_eq!(
            status
                .attr("form.inline input[name=lang]", "value")
                .as_deref(),
            Some("en")
        );
        assert!(
            !status.has("a.lang-switch"),
            "no link that would drop the tip"
        );
        let english = app
            .post_form("/follow-up", &[("receipt", &receipt), ("lang", "en")])
            .await;
        assert_eq!(english.status, StatusCode::OK);
        assert_eq!(english.text("#status"), "Received, waiting to be reviewed");
        assert!(english.header("set-cookie").starts_with("lang=en"));
        let wrong = app
            .post_form("/follow-up", &[("receipt", "1"), ("lang", "en")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
);

on_both!(
    a_message_form_sent_twice_adds_the_message_once,
    |app: TestApp| async move {
        let page = app.submit_tip("x").await;
        let receipt = receipt_of(&page);
        let status = app.post_form("/follow-up", &[("receipt", &receipt)]).await;
        let token = status
            .attr("#message-form input[name=form_token]", "value")
            .expect("the form has a token");
        assert_eq!(token.len(), 32, "{token}");
        let form = [
            ("receipt", receipt.as_str()),
            ("message", "দ্বিতীয়বার পাঠানো twice-sent"),
            ("form_token", token.as_str()),
        ];
        let first = app.post_form("/follow-up/messages", &form).await;
        assert_eq!(first.status, StatusCode::OK);
        assert!(first.has("#sent-notice"));
        // The answer was lost; the phone sends the same form again.
        let again = app.post_form("/follow-up/messages", &form).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
        assert!(again.has("#sent-notice"), "the resend is answered as sent");
        assert_eq!(app.count("tip_messages").await, 1, "added once");
        assert_eq!(again.texts(".message.from-tipster").len(), 1);
        // The page after a send has a new token: the next message is a new one, even with the
        // same words.
        let next = again
            .attr("#message-form input[name=form_token]", "value")
            .expect("a token");
        assert_ne!(next, token);
        let repeat = [
            ("receipt", receipt.as_str()),
            ("message", "দ্বিতীয়বার পাঠানো twice-sent"),
            ("form_token", next.as_str()),
        ];
        app.post_form("/follow-up/messages", &repeat).await;
        assert_eq!(
            app.count("tip_messages").await,
            2,
            "a new form is a new message"
        );
    }
);

on_both!(
    a_refused_message_form_keeps_its_token,
    |app: TestApp| async move {
        let page = app.submit_tip("x").await;
        let receipt = receipt_of(&page);
        let token = "00112233445566778899aabbccddeeff";
        let empty = app
            .post_form(
                "/follow-up/messages",
                &[
                    ("receipt", &receipt),
                    ("message", " "),
                    ("form_token", token),
                ],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            empty
                .attr("#message-form input[name=form_token]", "value")
                .as_deref(),
            Some(token),
            "the same form, mended, is still one message"
        );
        // A token the page could not have made is not kept.
        let odd = app
            .post_form(
                "/follow-up/messages",
                &[
                    ("receipt", &receipt),
                    ("message", " "),
                    ("form_token", "<b>"),
                ],
            )
            .await;
        let kept = odd
            .attr("#message-form input[name=form_token]", "value")
            .unwrap_or_default();
        assert_eq!(kept.len(), 32, "a fresh token: {kept}");
        assert_eq!(app.count("tip_messages").await, 0);
    }
);

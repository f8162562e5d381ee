//! The officers' console: sessions, the queue, a tip's page and what an officer does with a tip,
//! seen from the officer's side and from the tipster's.

use axum::http::StatusCode;
use hello_kmp::domain::digits::to_ascii;
use serde_json::json;

use crate::on_both;
use crate::support::{Answer, TestApp, receipt_of};

/// A tip sent through the API: its reference and its receipt.
async fn send_tip(app: &TestApp, category: &str, thana: &str, text: &str) -> (String, String) {
    let mut body = json!({"category": category, "description": text});
    if !thana.is_empty() {
        body["thana"] = json!(thana);
    }
    let sent = app.post_json("/api/v1/tips", body).await;
    assert_eq!(
        sent.status,
        StatusCode::CREATED,
        "tip accepted: {}",
        sent.body
    );
    let json = sent.json();
    let field = |name: &str| json[name].as_str().expect("text field").to_string();
    (field("reference"), field("receipt"))
}

/// What the tipster sees on the follow-up page.
async fn follow_up(app: &TestApp, receipt: &str) -> Answer {
    let page = app.post_form("/follow-up", &[("receipt", receipt)]).await;
    assert_eq!(page.status, StatusCode::OK, "receipt found: {}", page.body);
    page
}

/// What the tipster gets from the API.
async fn look_up(app: &TestApp, receipt: &str) -> Answer {
    let answer = app
        .post_json("/api/v1/tips/lookup", json!({"receipt": receipt}))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "receipt found: {}",
        answer.body
    );
    answer
}

/// One audit entry: who, which tip, and the detail.
#[derive(Debug, PartialEq)]
struct Entry {
    officer_id: Option<i64>,
    tip_id: Option<i64>,
    detail: String,
}

async fn audit(app: &TestApp, action: &str) -> Vec<Entry> {
    let rows: Vec<(Option<i64>, Option<i64>, String)> = sqlx::query_as(
        "SELECT officer_id, tip_id, detail FROM audit_log WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(app.state.store.reader())
    .await
    .expect("audit rows");
    rows.into_iter()
        .map(|(officer_id, tip_id, detail)| Entry {
            officer_id,
            tip_id,
            detail,
        })
        .collect()
}

async fn admin_id(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM officers WHERE username = 'admin'")
        .fetch_one(app.state.store.reader())
        .await
        .expect("the administrator exists")
}

async fn stored_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM tips WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.reader())
        .await
        .expect("tip status")
}

/// The refusal on a page names the problem in Bangla and in English.
fn refused_in_both(page: &Answer, bn: &str, en: &str) {
    let error = page.texts(".error").join(" ");
    assert!(error.contains(bn), "Bangla {bn:?} in {error:?}");
    assert!(error.contains(en), "English {en:?} in {error:?}");
}

fn redirects_to(answer: &Answer, location: &str) {
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.header("location"), location);
}

/// The references in the queue, top to bottom.
fn queue_refs(queue: &Answer) -> Vec<String> {
    queue.texts("table.queue a.tip-link")
}

/// The count shown beside a status at the top of the queue, in ASCII digits.
fn count_of(queue: &Answer, status: &str) -> String {
    to_ascii(&queue.text(&format!(
        "ul.counts a[href='/console?status={status}'] strong"
    )))
}

on_both!(console_pages_need_a_session, |app: TestApp| async move {
    let (reference, receipt) = send_tip(&app, "drugs", "sonadanga", "session-less").await;
    redirects_to(&app.get("/console").await, "/console/login");
    redirects_to(
        &app.get("/console/tips/T-2026-000001").await,
        "/console/login",
    );
    let stale = app
        .get_with("/console", &[("cookie", "kmp_session=00ff00ff00ff")])
        .await;
    redirects_to(&stale, "/console/login");

    let audit_before = app.count("audit_log").await;
    let status = app
        .post_form(
            &format!("/console/tips/{reference}/status"),
            &[("status", "under_review")],
        )
        .await;
    redirects_to(&status, "/console/login");
    let reply = app
        .post_form(
            &format!("/console/tips/{reference}/messages"),
            &[("kind", "reply"), ("body", "no session")],
        )
        .await;
    redirects_to(&reply, "/console/login");
    let assign = app
        .post_form(
            &format!("/console/tips/{reference}/assign"),
            &[("place", "detective_branch")],
        )
        .await;
    redirects_to(&assign, "/console/login");

    assert_eq!(look_up(&app, &receipt).await.json()["status"], "new");
    assert_eq!(app.count("tip_messages").await, 0);
    assert_eq!(
        app.count("tip_events").await,
        0,
        "no status change was made"
    );
    assert_eq!(app.count("audit_log").await, audit_before);
    let assigned: Option<String> = sqlx::query_scalar("SELECT assigned_place FROM tips")
        .fetch_one(app.state.store.reader())
        .await
        .expect("tip");
    assert_eq!(assigned, None);
});

on_both!(
    wrong_password_and_unknown_user_get_the_same_answer,
    |app: TestApp| async move {
        let wrong_password = app
            .post_form(
                "/console/login",
                &[("username", "admin"), ("password", "not-the-password")],
            )
            .await;
        let unknown_user = app
            .post_form(
                "/console/login",
                &[
                    ("username", "nobody-7731"),
                    ("password", &app.admin_password),
                ],
            )
            .await;
        for page in [&wrong_password, &unknown_user] {
            assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
            refused_in_both(
                page,
                "ব্যবহারকারীর নাম বা পাসওয়ার্ড সঠিক নয়",
                "Wrong username or password",
            );
            assert!(
                !page.header("set-cookie").contains("kmp_session"),
                "no session for a failed log-in"
            );
        }
        assert_eq!(
            wrong_password.texts(".error"),
            unknown_user.texts(".error"),
            "the two failures cannot be told apart"
        );
        assert_eq!(
            unknown_user.attr("#username", "value").as_deref(),
            Some("nobody-7731"),
            "the typed username is kept"
        );
        assert_eq!(
            wrong_password.attr("#username", "value").as_deref(),
            Some("admin")
        );
        assert!(
            wrong_password.attr("#password", "value").is_none(),
            "the password is never sent back"
        );
        let failures = audit(&app, "officer.login_failed").await;
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(app.count("sessions").await, 0);
    }
);

on_both!(
    the_session_cookie_is_strict_and_logout_ends_it,
    |app: TestApp| async move {
        let login = app
            .post_form(
                "/console/login",
                &[("username", "admin"), ("password", &app.admin_password)],
            )
            .await;
        redirects_to(&login, "/console");
        let cookie = login.header("set-cookie");
        assert!(cookie.starts_with("kmp_session="), "{cookie}");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(cookie.contains(part), "{part} in {cookie}");
        }

        let officer = app.officer().await;
        let queue = officer.get("/console").await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        assert!(queue.has("#logout"), "a way to log out");
        let sessions = app.count("sessions").await;

        let out = officer.post_form("/console/logout", &[]).await;
        redirects_to(&out, "/console/login");
        assert_eq!(app.count("sessions").await, sessions - 1);
        redirects_to(&officer.get("/console").await, "/console/login");
        assert_eq!(audit(&app, "officer.logout").await.len(), 1);
        assert_eq!(audit(&app, "officer.login").await.len(), 2);
    }
);

on_both!(
    the_queue_is_newest_first_with_counts_and_filters,
    |app: TestApp| async move {
        let (first, _) = send_tip(&app, "drugs", "sonadanga", "queue-text-one").await;
        let (second, _) = send_tip(&app, "theft", "khalishpur", "queue-text-two").await;
        let (third, _) = send_tip(&app, "cyber_crime", "", "queue-text-three").await;
        let officer = app.officer().await;
        redirects_to(
            &officer
                .post_form(
                    &format!("/console/tips/{second}/status"),
                    &[("status", "under_review")],
                )
                .await,
            &format!("/console/tips/{second}"),
        );

        let queue = officer.get("/console").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert_eq!(
            queue_refs(&queue),
            [third.as_str(), second.as_str(), first.as_str()]
        );
        assert_eq!(count_of(&queue, "new"), "2");
        assert_eq!(count_of(&queue, "under_review"), "1");
        assert_eq!(count_of(&queue, "closed_false"), "0");
        assert!(
            !queue.body.contains("queue-text"),
            "the queue never shows what a tip says"
        );

        let by_status = officer.get("/console?status=under_review").await;
        assert_eq!(queue_refs(&by_status), [second.as_str()]);
        assert_eq!(
            by_status
                .attr("select[name=status] option[value=under_review]", "selected")
                .as_deref(),
            Some(""),
            "the filter stays chosen"
        );
        let by_category = officer.get("/console?category=cyber_crime").await;
        assert_eq!(queue_refs(&by_category), [third.as_str()]);
        let by_thana = officer.get("/console?thana=sonadanga").await;
        assert_eq!(queue_refs(&by_thana), [first.as_str()]);
        let combined = officer.get("/console?status=new&category=theft").await;
        assert!(queue_refs(&combined).is_empty());
        assert!(combined.has("#queue-empty"));
        let stale = officer.get("/console?status=no-such-status").await;
        assert_eq!(queue_refs(&stale).len(), 3, "an unknown filter is ignored");
    }
);

on_both!(the_queue_shows_25_tips_a_page, |app: TestApp| async move {
    let mut references = Vec::new();
    for i in 0..30 {
        let (reference, _) = send_tip(&app, "drugs", "daulatpur", &format!("paged-text-{i}")).await;
        references.push(reference);
    }
    let officer = app.officer().await;

    let page_one = officer.get("/console").await;
    assert_eq!(page_one.texts("table.queue tbody tr").len(), 25);
    assert_eq!(queue_refs(&page_one)[0], references[29], "newest first");
    assert!(!page_one.has("a[rel=prev]"));
    let next = page_one.attr("a[rel=next]", "href").expect("a next link");
    assert!(next.ends_with("page=2"), "{next}");

    let page_two = officer.get(&next).await;
    assert_eq!(page_two.status, StatusCode::OK);
    assert_eq!(page_two.texts("table.queue tbody tr").len(), 5);
    assert_eq!(queue_refs(&page_two).last(), Some(&references[0]));
    assert!(!page_two.has("a[rel=next]"));
    assert!(page_two.has("a[rel=prev]"));
    for page in [&page_one, &page_two] {
        assert!(
            !page.body.contains("paged-text"),
            "no tip text in the queue"
        );
    }
});

on_both!(
    opening_a_tip_shows_it_and_is_audited_every_time,
    |app: TestApp| async move {
        let (reference, _) =
            send_tip(&app, "extortion", "khalishpur", "দোকানে চাঁদা দাবি read-me-4410").await;
        let officer = app.officer().await;
        let officer_id = admin_id(&app).await;
        for opening in 1..=2 {
            let page = officer.get(&format!("/console/tips/{reference}")).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            assert_eq!(page.text("#tip-description"), "দোকানে চাঁদা দাবি read-me-4410");
            assert!(page.text("h1").contains(&reference));
            let views = audit(&app, "tip.view").await;
            assert_eq!(views.len(), opening, "one entry per opening");
            assert!(views.iter().all(|e| e.officer_id == Some(officer_id)));
            assert!(views.iter().all(|e| e.tip_id == Some(1)));
        }
        assert!(
            audit(&app, "tip.view")
                .await
                .iter()
                .all(|e| !e.detail.contains("read-me")),
            "no tip text in the audit trail"
        );
    }
);

on_both!(
    a_reply_reaches_the_tipster_and_a_note_never_does,
    |app: TestApp| async move {
        let receipt_page = app.submit_tip("নদীর ঘাটে মাদক বিক্রি").await;
        let receipt = receipt_of(&receipt_page);
        let reference = receipt_page.text("#tip-reference");
        let officer = app.officer().await;
        let messages = format!("/console/tips/{reference}/messages");
        let back = format!("/console/tips/{reference}");

        let reply = "কখন দেখেছেন? reply-3391";
        let note = "সোর্স যাচাই দরকার note-8812";
        redirects_to(
            &officer
                .post_form(&messages, &[("kind", "reply"), ("body", reply)])
                .await,
            &back,
        );
        redirects_to(
            &officer
                .post_form(&messages, &[("kind", "note"), ("body", note)])
                .await,
            &back,
        );

        let page = follow_up(&app, &receipt).await;
        assert_eq!(page.texts(".message.from-officer .message-body"), [reply]);
        assert!(!page.body.contains("note-8812"), "the note stays inside");
        let api = look_up(&app, &receipt).await;
        assert_eq!(api.json()["messages"].as_array().map(Vec::len), Some(1));
        assert_eq!(api.json()["messages"][0]["from"], "officer");
        assert_eq!(api.json()["messages"][0]["body"], reply);
        assert!(!api.body.contains("note-8812"), "the note stays inside");

        let inside = officer.get(&back).await;
        assert_eq!(inside.texts(".message.kind-officer .message-body"), [reply]);
        assert_eq!(inside.texts(".message.kind-note .message-body"), [note]);

        let officer_id = Some(admin_id(&app).await);
        let replies = audit(&app, "tip.reply").await;
        let notes = audit(&app, "tip.note").await;
        assert_eq!((replies.len(), notes.len()), (1, 1));
        assert_eq!(replies[0].officer_id, officer_id);
        assert_eq!(notes[0].tip_id, Some(1));
        assert!(
            !notes[0].detail.contains("note-8812"),
            "no text in the audit"
        );
    }
);

on_both!(
    bad_replies_are_refused_and_nothing_is_written,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "theft", "", "reply target").await;
        let officer = app.officer().await;
        let messages = format!("/console/tips/{reference}/messages");

        let empty = officer
            .post_form(&messages, &[("kind", "reply"), ("body", "  \n ")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(
            &empty,
            "বার্তার ঘরে কিছু লিখুন",
            "Write something in the message box",
        );

        let long = format!("draft-{}", "ক".repeat(4_995));
        assert_eq!(long.chars().count(), 5_001);
        let too_long = officer
            .post_form(&messages, &[("kind", "reply"), ("body", &long)])
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(
            &too_long,
            "বার্তা ৫,০০০ অক্ষরের বেশি",
            "longer than 5,000 characters",
        );
        assert_eq!(
            too_long.text("#reply-form textarea#body"),
            long,
            "draft kept"
        );

        let other = officer
            .post_form(&messages, &[("kind", "other"), ("body", "a real text")])
            .await;
        assert!(other.status.is_client_error(), "{}", other.status);

        assert_eq!(app.count("tip_messages").await, 0);
        assert!(audit(&app, "tip.reply").await.is_empty());
        assert!(audit(&app, "tip.note").await.is_empty());
    }
);

on_both!(
    a_status_change_reaches_the_tipster_in_plain_words,
    |app: TestApp| async move {
        let (reference, receipt) = send_tip(&app, "drugs", "sonadanga", "status target").await;
        let before = follow_up(&app, &receipt).await;
        assert_eq!(before.texts("ol.timeline li").len(), 1);

        let officer = app.officer().await;
        let answer = officer
            .post_form(
                &format!("/console/tips/{reference}/status"),
                &[("status", "under_review")],
            )
            .await;
        redirects_to(&answer, &format!("/console/tips/{reference}"));

        let after = follow_up(&app, &receipt).await;
        assert_eq!(after.text("#status"), "একজন কর্মকর্তা পর্যালোচনা করছেন");
        let timeline = after.texts("ol.timeline li");
        assert_eq!(timeline.len(), 2, "{timeline:?}");
        assert!(timeline[1].contains("একজন কর্মকর্তা পর্যালোচনা করছেন"));
        let page = officer.get(&format!("/console/tips/{reference}")).await;
        assert_eq!(page.text("#tip-status"), "পর্যালোচনাধীন");

        let changes = audit(&app, "tip.status").await;
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].detail, "new -> under_review");
        assert_eq!(changes[0].officer_id, Some(admin_id(&app).await));
    }
);

on_both!(
    an_illegal_status_change_is_refused_and_changes_nothing,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "drugs", "", "illegal moves").await;
        let officer = app.officer().await;
        let path = format!("/console/tips/{reference}/status");
        redirects_to(
            &officer
                .post_form(&path, &[("status", "investigating")])
                .await,
            &format!("/console/tips/{reference}"),
        );

        for (status, code, bn, en) in [
            (
                "new",
                StatusCode::CONFLICT,
                "এই অবস্থা থেকে সেই অবস্থায় নেওয়া যায় না",
                "A tip cannot move from this status to that one",
            ),
            (
                "under_review",
                StatusCode::CONFLICT,
                "এই অবস্থা থেকে সেই অবস্থায় নেওয়া যায় না",
                "A tip cannot move from this status to that one",
            ),
            (
                "solved-by-magic",
                StatusCode::UNPROCESSABLE_ENTITY,
                "ফর্মটি ঠিকভাবে পৌঁছায়নি",
                "The form did not arrive as it should",
            ),
        ] {
            let page = officer.post_form(&path, &[("status", status)]).await;
            assert_eq!(page.status, code, "{status}: {}", page.body);
            refused_in_both(&page, bn, en);
            assert_eq!(stored_status(&app, 1).await, "investigating", "{status}");
        }
        assert_eq!(app.count("tip_events").await, 1, "one status change");
        assert_eq!(audit(&app, "tip.status").await.len(), 1);
    }
);

on_both!(
    a_tip_closed_as_false_reads_only_as_closed_to_the_tipster,
    |app: TestApp| async move {
        let (reference, receipt) = send_tip(&app, "theft", "", "judged false").await;
        let officer = app.officer().await;
        redirects_to(
            &officer
                .post_form(
                    &format!("/console/tips/{reference}/status"),
                    &[("status", "closed_false")],
                )
                .await,
            &format!("/console/tips/{reference}"),
        );
        assert_eq!(stored_status(&app, 1).await, "closed_false");

        let page = follow_up(&app, &receipt).await;
        assert_eq!(page.text("#status"), "কাজ শেষ, বন্ধ করা হয়েছে");
        let english = app
            .post_form_as(
                "/follow-up",
                &[("receipt", &receipt)],
                &[("cookie", "lang=en")],
                "192.0.2.1",
            )
            .await;
        assert_eq!(english.text("#status"), "Finished and closed");
        for body in [&page.body, &english.body] {
            assert!(!body.contains("সঠিক নয়"), "never 'not true'");
            assert!(!body.contains("not true"), "never 'not true'");
            assert!(!body.contains("closed_false"));
        }
        let api = look_up(&app, &receipt).await;
        assert_eq!(api.json()["status"], "closed");
        assert!(!api.body.contains("false"), "{}", api.body);
        assert_eq!(audit(&app, "tip.status").await.len(), 1);
    }
);

on_both!(
    assignment_shows_on_the_tip_and_in_the_thana_filter,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "drugs", "sonadanga", "to be assigned").await;
        let (other, _) = send_tip(&app, "drugs", "sonadanga", "stays put").await;
        let officer = app.officer().await;
        let path = format!("/console/tips/{reference}/assign");
        let back = format!("/console/tips/{reference}");

        redirects_to(
            &officer
                .post_form(&path, &[("place", "detective_branch")])
                .await,
            &back,
        );
        let page = officer.get(&back).await;
        assert_eq!(page.text("#tip-assigned"), "নগর গোয়েন্দা শাখা");
        assert_eq!(
            page.attr("#place option[value=detective_branch]", "selected")
                .as_deref(),
            Some("")
        );

        assert!(queue_refs(&officer.get("/console?thana=khalishpur").await).is_empty());
        redirects_to(
            &officer.post_form(&path, &[("place", "khalishpur")]).await,
            &back,
        );
        let khalishpur = officer.get("/console?thana=khalishpur").await;
        assert_eq!(queue_refs(&khalishpur), [reference.as_str()]);
        assert!(!queue_refs(&khalishpur).contains(&other));

        let unknown = officer.post_form(&path, &[("place", "atlantis")]).await;
        assert!(unknown.status.is_client_error(), "{}", unknown.status);
        assert_eq!(
            officer.get(&back).await.text("#tip-assigned"),
            "খালিশপুর থানা",
            "an unknown place changes nothing"
        );

        let entries = audit(&app, "tip.assign").await;
        let details: Vec<&str> = entries.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(details, ["detective_branch", "khalishpur"]);
        assert!(entries.iter().all(|e| e.tip_id == Some(1)));
    }
);

on_both!(
    unknown_references_are_not_found,
    |app: TestApp| async move {
        let (reference, receipt) = send_tip(&app, "drugs", "", "the only tip").await;
        assert!(reference.ends_with("-000001"), "{reference}");
        let year = &reference[2..6];
        let officer = app.officer().await;
        for missing in [
            "T-1999-000001".to_string(),
            format!("T-{year}-000002"),
            "nonsense".to_string(),
        ] {
            let page = officer.get(&format!("/console/tips/{missing}")).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{missing}");
            assert!(page.body.contains("এই পাতাটি পাওয়া যায়নি"));
            assert!(page.body.contains("This page could not be found"));
        }
        let status = officer
            .post_form(
                "/console/tips/T-1999-000001/status",
                &[("status", "under_review")],
            )
            .await;
        assert_eq!(status.status, StatusCode::NOT_FOUND);
        let reply = officer
            .post_form(
                "/console/tips/T-1999-000001/messages",
                &[("kind", "reply"), ("body", "wrong year")],
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);

        assert_eq!(look_up(&app, &receipt).await.json()["status"], "new");
        assert_eq!(app.count("tip_messages").await, 0);
        assert!(audit(&app, "tip.view").await.is_empty());
    }
);

on_both!(
    a_page_number_that_is_not_one_still_opens_the_queue,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "drugs", "", "bookmarked").await;
        let officer = app.officer().await;
        for query in ["page=abc", "status=&category=&thana=&page="] {
            let queue = officer.get(&format!("/console?{query}")).await;
            assert_eq!(queue.status, StatusCode::OK, "{query}: {}", queue.body);
            assert_eq!(queue_refs(&queue), [reference.as_str()], "{query}");
        }
    }
);

on_both!(
    a_change_through_a_loosely_typed_reference_never_fails_after_it_is_made,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "drugs", "", "loose reference").await;
        let officer = app.officer().await;
        let answer = officer
            .post_form(
                &format!("/console/tips/{reference}%0A/status"),
                &[("status", "under_review")],
            )
            .await;
        assert!(
            !answer.status.is_server_error(),
            "{}: {}",
            answer.status,
            answer.body
        );
        if answer.status == StatusCode::SEE_OTHER {
            assert_eq!(
                answer.header("location"),
                format!("/console/tips/{reference}")
            );
            assert_eq!(stored_status(&app, 1).await, "under_review");
        } else {
            assert_eq!(answer.status, StatusCode::NOT_FOUND);
            assert_eq!(stored_status(&app, 1).await, "new");
        }
    }
);

on_both!(
    repeated_failed_log_ins_from_one_address_are_slowed,
    |app: TestApp| async move {
        let wrong = [("username", "admin"), ("password", "not-the-password")];
        for _ in 0..hello_kmp::throttle::FREE_MISSES + 1 {
            let page = app
                .post_form_as("/console/login", &wrong, &[], "198.51.100.90")
                .await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        }
        let right = [
            ("username", "admin"),
            ("password", app.admin_password.as_str()),
        ];
        let locked = app
            .post_form_as("/console/login", &right, &[], "198.51.100.90")
            .await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.text(".error").contains("অপেক্ষা"));
        assert_eq!(locked.header("retry-after"), "30");
        let elsewhere = app
            .post_form_as("/console/login", &right, &[], "198.51.100.91")
            .await;
        assert_eq!(
            elsewhere.status,
            StatusCode::SEE_OTHER,
            "another address logs in"
        );
    }
);

//! A tip's page and what officers do with it, seen from both sides.

#[allow(unused_imports)]
use super::*;
use crate::on_both;

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
    a_transfer_moves_the_tip_with_its_reason_as_a_note,
    |app: TestApp| async move {
        let (reference, receipt) = send_tip(&app, "drugs", "sonadanga", "to be moved").await;
        let (other, _) = send_tip(&app, "drugs", "sonadanga", "stays put").await;
        let officer = app.officer().await;
        let path = format!("/console/tips/{reference}/transfer");
        let back = format!("/console/tips/{reference}");

        let page = officer.get(&back).await;
        assert_eq!(
            page.text("#tip-assigned"),
            "সোনাডাঙ্গা মডেল থানা",
            "routed to the thana"
        );
        assert_eq!(
            page.text("#tip-copy"),
            "নগর গোয়েন্দা শাখা",
            "drugs are copied to DB"
        );

        // Bad input first: no reason, an unknown place. Nothing moves; the reason is kept.
        let no_reason = officer
            .post_form(&path, &[("place", "khalishpur"), ("reason", "  ")])
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&no_reason, "কেন হস্তান্তর", "why the tip is being transferred");
        let unknown = officer
            .post_form(&path, &[("place", "atlantis"), ("reason", "keep me")])
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            unknown.text("#reason"),
            "keep me",
            "the typed reason is kept"
        );
        assert!(audit(&app, "tip.transfer").await.is_empty());

        redirects_to(
            &officer
                .post_form(
                    &path,
                    &[
                        ("place", "khalishpur"),
                        ("reason", "the house is in Khalishpur"),
                    ],
                )
                .await,
            &back,
        );
        let page = officer.get(&back).await;
        assert_eq!(page.text("#tip-assigned"), "খালিশপুর থানা");
        let notes = page.texts(".kind-note .message-body");
        assert!(
            notes
                .iter()
                .any(|n| n.contains("the house is in Khalishpur")
                    && n.contains("সোনাডাঙ্গা মডেল থানা → খালিশপুর থানা")
                    && n.contains("→ Khalishpur")),
            "the reason is an internal note naming both desks: {notes:?}"
        );
        let khalishpur = officer.get("/console?thana=khalishpur").await;
        assert_eq!(queue_refs(&khalishpur), [reference.as_str()]);
        assert!(!queue_refs(&khalishpur).contains(&other));
        let tipster = look_up(&app, &receipt).await.json();
        assert!(
            !tipster.to_string().contains("Khalishpur"),
            "the tipster never sees the reason"
        );

        let entries = audit(&app, "tip.transfer").await;
        let details: Vec<&str> = entries.iter().map(|e| e.detail.as_str()).collect();
        assert_eq!(details, ["sonadanga -> khalishpur"]);
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

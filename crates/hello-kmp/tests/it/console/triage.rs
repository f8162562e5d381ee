//! Routing rules, duplicates, priority, due dates and assignment to an officer.

#[allow(unused_imports)]
use super::*;
use crate::on_both;

async fn desk(app: &TestApp, id: i64) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT assigned_place, copy_place FROM tips WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.reader())
        .await
        .expect("tip")
}

fn some(place: &str) -> Option<String> {
    Some(place.to_string())
}

on_both!(tips_are_routed_by_the_rules, |app: TestApp| async move {
    send_tip(&app, "militancy", "sonadanga", "one").await;
    send_tip(&app, "drugs", "khalishpur", "two").await;
    send_tip(&app, "theft", "", "three").await;
    send_tip(&app, "theft", "daulatpur", "four").await;
    assert_eq!(desk(&app, 1).await, (some("detective_branch"), None));
    assert_eq!(
        desk(&app, 2).await,
        (some("khalishpur"), some("detective_branch"))
    );
    assert_eq!(
        desk(&app, 3).await,
        (some("control_room"), None),
        "no thana named"
    );
    assert_eq!(desk(&app, 4).await, (some("daulatpur"), None));

    let admin = app.officer().await;
    // Bad rules first: each refused in both languages, nothing stored.
    let rules_before = app.count("routing_rules").await;
    let bad = admin
        .post_form(
            "/console/routing",
            &[
                ("category", "theft"),
                ("thana", "daulatpur"),
                ("lead", "atlantis"),
                ("copy_to", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused_in_both(&bad, "কোথায় যাবে", "where the tips go");
    assert_eq!(
        bad.attr("#category option[value=theft]", "selected")
            .as_deref(),
        Some(""),
        "the form keeps what was chosen"
    );
    let default_id: i64 =
        sqlx::query_scalar("SELECT id FROM routing_rules WHERE category = '*' AND thana_key = '*'")
            .fetch_one(app.state.store.reader())
            .await
            .expect("the rule for everything");
    let kept = admin
        .post_form(&format!("/console/routing/{default_id}/delete"), &[])
        .await;
    assert_eq!(kept.status, StatusCode::CONFLICT);
    refused_in_both(&kept, "মুছে ফেলা যায় না", "cannot be removed");
    assert_eq!(app.count("routing_rules").await, rules_before);

    // Theft in Daulatpur now goes to City SB, copied to the control room.
    let saved = admin
        .post_form(
            "/console/routing",
            &[
                ("category", "theft"),
                ("thana", "daulatpur"),
                ("lead", "city_special_branch"),
                ("copy_to", "control_room"),
            ],
        )
        .await;
    redirects_to(&saved, "/console/routing");
    send_tip(&app, "theft", "daulatpur", "five").await;
    send_tip(&app, "theft", "sonadanga", "six").await;
    assert_eq!(
        desk(&app, 5).await,
        (some("city_special_branch"), some("control_room"))
    );
    assert_eq!(
        desk(&app, 6).await,
        (some("sonadanga"), None),
        "other thanas unchanged"
    );
    let page = admin.get("/console/routing").await;
    assert!(
        page.text("#rules").contains("নগর বিশেষ শাখা"),
        "{}",
        page.text("#rules")
    );
    assert_eq!(audit(&app, "routing.change").await.len(), 1);

    // Removing it sends theft back to the thana.
    let id: i64 = sqlx::query_scalar("SELECT id FROM routing_rules WHERE category = 'theft'")
        .fetch_one(app.state.store.reader())
        .await
        .expect("rule");
    redirects_to(
        &admin
            .post_form(&format!("/console/routing/{id}/delete"), &[])
            .await,
        "/console/routing",
    );
    send_tip(&app, "theft", "daulatpur", "seven").await;
    assert_eq!(desk(&app, 7).await, (some("daulatpur"), None));
});

on_both!(
    a_duplicate_sends_the_tipsters_later_messages_to_the_original,
    |app: TestApp| async move {
        let (original, original_receipt) =
            send_tip(&app, "drugs", "sonadanga", "yaba sold at the corner").await;
        let (copy, copy_receipt) =
            send_tip(&app, "drugs", "sonadanga", "yaba at the same corner").await;
        let officer = app.officer().await;
        let path = format!("/console/tips/{copy}/duplicate");

        // Bad input first.
        for (bad, bn, en) in [
            (copy.as_str(), "নিজের", "itself"),
            (
                "T-2026-999999",
                "রেফারেন্সের কোনো তথ্য নেই",
                "No tip has this reference",
            ),
        ] {
            let refused = officer.post_form(&path, &[("original", bad)]).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            refused_in_both(&refused, bn, en);
            assert_eq!(refused.attr("#original", "value").as_deref(), Some(bad));
        }
        assert_eq!(stored_status(&app, 2).await, "new", "nothing changed");

        redirects_to(
            &officer.post_form(&path, &[("original", &original)]).await,
            &format!("/console/tips/{copy}"),
        );
        assert_eq!(stored_status(&app, 2).await, "closed_duplicate");
        let page = officer.get(&format!("/console/tips/{copy}")).await;
        assert_eq!(page.text("#tip-duplicate-of"), original);
        // The original cannot now be marked a duplicate of its own duplicate.
        let circular = officer
            .post_form(
                &format!("/console/tips/{original}/duplicate"),
                &[("original", &copy)],
            )
            .await;
        assert_eq!(circular.status, StatusCode::UNPROCESSABLE_ENTITY);

        let added = app
            .post_form(
                "/follow-up/messages",
                &[
                    ("receipt", &copy_receipt),
                    ("message", "it is the blue door"),
                ],
            )
            .await;
        assert!(
            added.status.is_success() || added.status.is_redirection(),
            "{}",
            added.status
        );
        let on_original = officer.get(&format!("/console/tips/{original}")).await;
        assert!(
            on_original
                .texts(".message-body")
                .iter()
                .any(|m| m == "it is the blue door"),
            "the message reached the original"
        );
        assert!(
            on_original.text(".flag.via").contains(&copy),
            "marked as another tipster's, through the duplicate"
        );
        let own_view = look_up(&app, &copy_receipt).await.json().to_string();
        assert!(
            own_view.contains("it is the blue door"),
            "the tipster still sees it"
        );
        let other_view = look_up(&app, &original_receipt).await.json().to_string();
        assert!(
            !other_view.contains("blue door"),
            "the original's tipster never sees another tipster's words"
        );
        assert_eq!(audit(&app, "tip.duplicate").await.len(), 1);
    }
);

on_both!(
    urgent_tips_come_first_and_overdue_ones_are_marked,
    |app: TestApp| async move {
        let (first, _) = send_tip(&app, "theft", "sonadanga", "first").await;
        let (second, _) = send_tip(&app, "theft", "sonadanga", "second").await;
        let officer = app.officer().await;
        assert_eq!(
            queue_refs(&officer.get("/console").await),
            [second.as_str(), first.as_str()]
        );

        redirects_to(
            &officer
                .post_form(
                    &format!("/console/tips/{first}/priority"),
                    &[("urgent", "1")],
                )
                .await,
            &format!("/console/tips/{first}"),
        );
        let queue = officer.get("/console").await;
        assert_eq!(
            queue_refs(&queue),
            [first.as_str(), second.as_str()],
            "urgent first"
        );
        assert!(queue.has("tr.urgent"));

        let due_path = format!("/console/tips/{second}/due");
        let bad = officer.post_form(&due_path, &[("due", "31/12/2026")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&bad, "তারিখ", "due date");
        assert_eq!(bad.attr("#due", "value").as_deref(), Some("31/12/2026"));

        let past = officer.post_form(&due_path, &[("due", "২০২০-০১-১৫")]).await;
        assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&past, "আজকের আগে", "before today");
        redirects_to(
            &officer.post_form(&due_path, &[("due", "২০৯০-০১-১৫")]).await,
            &format!("/console/tips/{second}"),
        );
        let page = officer.get(&format!("/console/tips/{second}")).await;
        assert!(!page.has("#tip-due .overdue"), "not due yet");
        assert_eq!(page.attr("#due", "value").as_deref(), Some("2090-01-15"));
        // Time passes: the day is gone and the tip is overdue.
        sqlx::query("UPDATE tips SET due_at = $1 WHERE id = 2")
            .bind(hello_kmp::store::now() - 60)
            .execute(app.state.store.reader())
            .await
            .expect("age the due date");
        let page = officer.get(&format!("/console/tips/{second}")).await;
        assert!(
            page.has("#tip-due .overdue"),
            "a passed due date is overdue"
        );
        let overdue = officer.get("/console?overdue=1").await;
        assert_eq!(queue_refs(&overdue), [second.as_str()]);
        assert_eq!(to_ascii(&overdue.text("#count-overdue strong")), "1");

        // Closed tips are never overdue.
        officer
            .post_form(
                &format!("/console/tips/{second}/status"),
                &[("status", "closed_no_action")],
            )
            .await;
        assert!(queue_refs(&officer.get("/console?overdue=1").await).is_empty());
        assert_eq!(audit(&app, "tip.priority").await.len(), 1);
        assert_eq!(audit(&app, "tip.due").await.len(), 1);
        // Moving a tip to the desk it is at is refused, and changes nothing.
        let same = officer
            .post_form(
                &format!("/console/tips/{first}/transfer"),
                &[("place", "sonadanga"), ("reason", "again")],
            )
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&same, "ইতিমধ্যে এই ডেস্কে", "already at this desk");
        assert!(audit(&app, "tip.transfer").await.is_empty());
    }
);

on_both!(
    a_tip_is_given_to_an_officer_of_its_desk_only,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "theft", "sonadanga", "for rahim").await;
        let rahim = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        app.add_officer("karim", "thana_officer", "khalishpur")
            .await;
        let path = format!("/console/tips/{reference}/assign");

        let elsewhere = rahim.post_form(&path, &[("officer", "karim")]).await;
        assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&elsewhere, "সক্রিয় কর্মকর্তা", "active officer of this desk");

        redirects_to(
            &rahim.post_form(&path, &[("officer", "rahim")]).await,
            &format!("/console/tips/{reference}"),
        );
        let mine = rahim.get("/console?mine=1").await;
        assert_eq!(queue_refs(&mine), [reference.as_str()]);
        assert_eq!(to_ascii(&mine.text("#count-mine strong")), "1");
        assert_eq!(
            rahim
                .get(&format!("/console/tips/{reference}"))
                .await
                .text("#tip-officer"),
            "rahim"
        );
    }
);

on_both!(
    only_a_desk_that_works_both_tips_links_them,
    |app: TestApp| async move {
        // Militancy goes to the Detective Branch; drugs to the thana, copied to DB.
        let (militancy, _) = send_tip(&app, "militancy", "sonadanga", "weapons stored").await;
        let (drugs, _) = send_tip(&app, "drugs", "sonadanga", "yaba").await;
        let db = app
            .officer_with("dbofficer", "unit_officer", "detective_branch")
            .await;
        // DB works the militancy tip and reads the drugs tip as a copy...
        assert_eq!(
            db.get(&format!("/console/tips/{militancy}")).await.status,
            StatusCode::OK
        );
        assert_eq!(
            db.get(&format!("/console/tips/{drugs}")).await.status,
            StatusCode::OK
        );
        // ...but may not send the militancy tipster's later words to Sonadanga's desk.
        let linked = db
            .post_form(
                &format!("/console/tips/{militancy}/duplicate"),
                &[("original", &drugs)],
            )
            .await;
        assert_eq!(linked.status, StatusCode::FORBIDDEN);
        assert_eq!(stored_status(&app, 1).await, "new");
        // A thana officer cannot read DB's militancy tip at all.
        let sonadanga = app
            .officer_with("sonaofficer", "thana_officer", "sonadanga")
            .await;
        assert_eq!(
            sonadanga
                .get(&format!("/console/tips/{militancy}"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        // The unit works what is routed to it as its desk.
        redirects_to(
            &db.post_form(
                &format!("/console/tips/{militancy}/status"),
                &[("status", "under_review")],
            )
            .await,
            &format!("/console/tips/{militancy}"),
        );
    }
);

on_both!(
    the_tipsters_contact_is_for_the_working_desk_only,
    |app: TestApp| async move {
        let sent = app
            .post_json(
                "/api/v1/tips",
                serde_json::json!({
                    "category": "drugs", "thana": "sonadanga", "description": "call me",
                    "contact_name": "Karim", "contact_phone": "01711000000"
                }),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        let reference = sent.json()["reference"]
            .as_str()
            .expect("reference")
            .to_string();
        let path = format!("/console/tips/{reference}");
        let desk = app
            .officer_with("sonaofficer", "thana_officer", "sonadanga")
            .await;
        let page = desk.get(&path).await;
        assert!(page.body.contains("01711000000") && page.body.contains("Karim"));
        for (name, role, place) in [
            ("hqofficer", "headquarters", "kmp_hq"),
            ("dbofficer", "unit_officer", "detective_branch"),
        ] {
            let reader = app.officer_with(name, role, place).await;
            let page = reader.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{role} reads the tip");
            assert!(!page.body.contains("01711000000"), "{role} sees no number");
            assert!(!page.body.contains("Karim"), "{role} sees no name");
            assert!(page.has("#contact-hidden"));
        }
    }
);

async fn duplicate_of(app: &TestApp, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT duplicate_of FROM tips WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.store.reader())
        .await
        .expect("tip")
}

on_both!(
    duplicates_of_a_new_duplicate_follow_it_to_the_original,
    |app: TestApp| async move {
        let (original, _) = send_tip(&app, "drugs", "sonadanga", "the first report").await;
        let (middle, _) = send_tip(&app, "drugs", "sonadanga", "the second report").await;
        let (last, last_receipt) = send_tip(&app, "drugs", "sonadanga", "the third").await;
        let officer = app.officer().await;
        let mark = |tip: String, of: String| {
            let officer = officer.clone();
            async move {
                officer
                    .post_form(
                        &format!("/console/tips/{tip}/duplicate"),
                        &[("original", &of)],
                    )
                    .await
            }
        };
        redirects_to(
            &mark(last.clone(), middle.clone()).await,
            &format!("/console/tips/{last}"),
        );
        assert_eq!(duplicate_of(&app, 3).await, Some(2));
        // The middle tip turns out to repeat the first: the last follows it there.
        redirects_to(
            &mark(middle.clone(), original.clone()).await,
            &format!("/console/tips/{middle}"),
        );
        assert_eq!(duplicate_of(&app, 2).await, Some(1));
        assert_eq!(duplicate_of(&app, 3).await, Some(1), "no chain: 3 → 1");
        assert_eq!(
            officer
                .get(&format!("/console/tips/{last}"))
                .await
                .text("#tip-duplicate-of"),
            original
        );
        let entries = audit(&app, "tip.duplicate").await;
        assert_eq!(entries.len(), 3, "{entries:?}");
        assert_eq!(entries[2].tip_id, Some(3));
        assert_eq!(entries[2].detail, "of tip 1 (was of tip 2)");

        // The last tipster's later words reach the real original.
        let added = app
            .post_form(
                "/follow-up/messages",
                &[("receipt", &last_receipt), ("message", "a red motorbike")],
            )
            .await;
        assert!(added.status.is_redirection() || added.status.is_success());
        let on_original = officer.get(&format!("/console/tips/{original}")).await;
        assert!(
            on_original
                .texts(".message-body")
                .iter()
                .any(|m| m == "a red motorbike"),
            "the message reached the original"
        );
        assert!(on_original.text(".flag.via").contains(&last));
        let on_middle = officer.get(&format!("/console/tips/{middle}")).await;
        assert!(!on_middle.body.contains("a red motorbike"));
    }
);

on_both!(
    a_tip_cannot_become_a_duplicate_of_its_own_duplicate,
    |app: TestApp| async move {
        let (original, _) = send_tip(&app, "drugs", "sonadanga", "the report").await;
        let (copy, _) = send_tip(&app, "drugs", "sonadanga", "the same report").await;
        let officer = app.officer().await;
        redirects_to(
            &officer
                .post_form(
                    &format!("/console/tips/{copy}/duplicate"),
                    &[("original", &original)],
                )
                .await,
            &format!("/console/tips/{copy}"),
        );
        let entries = app.count("audit_log").await;
        let circle = officer
            .post_form(
                &format!("/console/tips/{original}/duplicate"),
                &[("original", &copy)],
            )
            .await;
        assert_eq!(circle.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&circle, "একে অপরকে", "point at each other");
        assert_eq!(
            circle.attr("#original", "value").as_deref(),
            Some(copy.as_str())
        );
        assert_eq!(stored_status(&app, 1).await, "new");
        assert_eq!(duplicate_of(&app, 1).await, None);
        assert_eq!(duplicate_of(&app, 2).await, Some(1));
        // Only the page's own opening was recorded, no change.
        assert_eq!(app.count("audit_log").await, entries + 1);
        assert_eq!(audit(&app, "tip.duplicate").await.len(), 1);
    }
);

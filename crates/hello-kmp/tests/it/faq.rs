//! The FAQ: seeded in both languages at first start and never seeded again over editors'
//! changes; searched in Bangla and English; kept by editors in the console, every change
//! audited.

use axum::http::StatusCode;

use crate::on_both;
use crate::support::TestApp;

const EN: [(&str, &str); 1] = [("cookie", "lang=en")];

on_both!(
    the_seeded_faq_is_there_in_both_languages,
    |app: TestApp| async move {
        let bn = app.get("/faq").await;
        assert_eq!(bn.status, StatusCode::OK);
        assert_eq!(bn.attr("html", "lang").as_deref(), Some("bn"));
        let groups = bn.texts(".faq-group h2");
        assert_eq!(groups, ["জরুরি অবস্থায়", "গোপন তথ্য", "জিডি ও পুলিশ ক্লিয়ারেন্স"]);
        let questions = bn.texts(".faq-entry h3");
        assert_eq!(questions.len(), 6, "{questions:?}");
        assert!(questions.contains(&"গোপন তথ্য কীভাবে গোপন থাকে?".to_string()));
        let answers = bn.texts(".faq-entry").join("\n");
        assert!(answers.contains("৫০০ টাকা"), "the fee, in Bangla");
        assert!(answers.contains("মিথ্যা জিডি করা অপরাধ"));
        assert!(bn.has("a.call999[href='tel:999']"));

        let en = app.get_with("/faq", &EN).await;
        assert_eq!(en.attr("html", "lang").as_deref(), Some("en"));
        assert_eq!(
            en.texts(".faq-group h2"),
            ["In an emergency", "Secret tips", "GD and police clearance"]
        );
        let answers = en.texts(".faq-entry").join("\n");
        for fact in [
            "BDT 500",
            "5 to 7 working days",
            "address printed in your passport",
            "Filing a false GD is an offence",
            "Hello KMP cannot take a GD yet",
            "even with no balance",
            "keyed hash",
        ] {
            assert!(answers.contains(fact), "{fact} in the English answers");
        }
        // Answers are paragraphs of plain text, and the page links to each group.
        assert!(
            en.texts(".faq-entry p").len() > 12,
            "paragraphs: {}",
            en.body
        );
        assert_eq!(en.texts(".faq-index a").len(), 3);
        // The home page leads here.
        assert!(app.get("/").await.has("a[href='/faq']"));
    }
);

on_both!(
    the_seed_is_written_once_and_never_over_editors_changes,
    |app: TestApp| async move {
        let store = &app.state.store;
        assert_eq!(app.count("faq_entries").await, 6);
        // An editor removed one entry and reworded another (here straight in the database).
        let fee_id: i64 =
            sqlx::query_scalar("SELECT id FROM faq_entries WHERE seed_key = 'clearance-fee'")
                .fetch_one(store.reader())
                .await
                .expect("the fee entry");
        store
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM faq_entries WHERE seed_key = 'gd'")
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query("UPDATE faq_entries SET answer_en = 'Reworded.' WHERE id = $1")
                        .bind(fee_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(())
                })
            })
            .await
            .expect("edited");
        // The next start seeds again, and changes nothing.
        hello_kmp::services::faq::seed_defaults(store)
            .await
            .expect("seeded");
        assert_eq!(app.count("faq_entries").await, 5);
        assert_eq!(app.count("faq_groups").await, 3);
        let answer: String = sqlx::query_scalar("SELECT answer_en FROM faq_entries WHERE id = $1")
            .bind(fee_id)
            .fetch_one(store.reader())
            .await
            .expect("answer");
        assert_eq!(answer, "Reworded.");
    }
);

on_both!(
    search_finds_answers_in_bangla_and_english_whatever_the_case,
    |app: TestApp| async move {
        // Bangla words on the Bangla page.
        let found = app.get("/faq?q=%E0%A6%B0%E0%A6%B8%E0%A6%BF%E0%A6%A6").await; // রসিদ
        assert_eq!(found.status, StatusCode::OK);
        assert_eq!(
            found.texts(".faq-entry h3"),
            ["রসিদ নম্বর কী, আর হারালে কেন আবার পাওয়া যায় না?"]
        );
        assert!(found.text("#faq-found").contains('১'), "{}", found.body);
        assert_eq!(found.attr("#q", "value").as_deref(), Some("রসিদ"));
        // English words in capitals find the same entry, shown in English on the English page.
        let english = app.get_with("/faq?q=RECEIPT+hash", &EN).await;
        assert_eq!(
            english.texts(".faq-entry h3"),
            ["What is the receipt, and why can it not be given again?"]
        );
        // An English word on the Bangla page finds the answer, shown in Bangla; the answer text
        // is searched, not only the question.
        let fee = app.get("/faq?q=bdt").await;
        assert_eq!(fee.texts(".faq-entry h3"), ["পুলিশ ক্লিয়ারেন্স সনদের ফি কত?"]);
        // Words from the answer, in Bangla digits, find the ASCII ones too.
        let digits = app
            .get_with("/faq?q=%E0%A7%AB%E0%A7%A6%E0%A7%A6", &EN)
            .await; // ৫০০
        assert!(
            digits
                .texts(".faq-entry h3")
                .contains(&"What is the fee for a police clearance certificate?".to_string())
        );
        // Every word must be found.
        let both = app.get_with("/faq?q=receipt+clearance", &EN).await;
        assert!(both.has("#faq-none"));
    }
);

on_both!(
    a_search_without_result_says_so_and_points_to_999_and_the_contacts,
    |app: TestApp| async move {
        for (headers, none) in [
            (&[][..], "কোনো উত্তর নেই"),
            (&EN[..], "No answer matches your search."),
        ] {
            let page = app.get_with("/faq?q=zebra+crossing+xyz", headers).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.texts(".faq-entry").is_empty());
            let notice = page.text("#faq-none");
            assert!(notice.contains(none), "{notice}");
            assert!(page.has("#faq-none a[href='tel:999']"));
            assert!(page.has("#faq-none a[href='/contacts']"));
            assert!(page.has("a#faq-all[href='/faq']"));
            // What was typed stays in the box.
            assert_eq!(
                page.attr("#q", "value").as_deref(),
                Some("zebra crossing xyz")
            );
        }
        // A very long search is cut, not refused; bytes that are not text find nothing.
        let long = format!("/faq?q={}", "a".repeat(5000));
        let cut = app.get(&long).await;
        assert_eq!(cut.status, StatusCode::OK);
        assert_eq!(cut.attr("#q", "value").map(|v| v.len()), Some(100));
        let broken = app.get("/faq?q=%FF%FE").await;
        assert_eq!(broken.status, StatusCode::OK);
        assert!(broken.has("#faq-none"));
    }
);

/// How many audit entries of `action` there are.
async fn audited(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("audit_log WHERE action = '{action}'"))
        .await
}

/// The id of the first group, where new questions go in these tests.
async fn first_group(app: &TestApp) -> String {
    let id: i64 = sqlx::query_scalar("SELECT id FROM faq_groups ORDER BY sort_order LIMIT 1")
        .fetch_one(app.state.store.reader())
        .await
        .expect("a group");
    id.to_string()
}

on_both!(
    a_published_question_needs_both_languages_and_the_form_keeps_what_was_typed,
    |app: TestApp| async move {
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        let group = first_group(&app).await;
        let before = app.count("faq_entries").await;
        let typed = [
            ("group", group.as_str()),
            ("question_bn", "বিদ্যুৎ চলে গেলে কী করব?"),
            ("question_en", "What if the power goes out?"),
            ("answer_bn", "টর্চ হাতের কাছে রাখুন।"),
            ("answer_en", ""),
            ("published", "1"),
        ];
        let refused = editor.post_form("/console/faq", &typed).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error = refused.text("#form-error");
        assert!(error.contains("ইংরেজিতে উত্তরটি লিখুন"), "{error}");
        assert!(error.contains("Write the answer in English"), "{error}");
        assert_eq!(refused.text("#answer_bn"), "টর্চ হাতের কাছে রাখুন।");
        assert_eq!(
            refused.attr("#question_en", "value").as_deref(),
            Some("What if the power goes out?")
        );
        assert_eq!(
            refused.attr("#answer_en", "aria-invalid").as_deref(),
            Some("true")
        );
        assert!(refused.has("#published[checked]"), "the box stays ticked");
        assert_eq!(
            refused.attr("#group option[selected]", "value").as_deref(),
            Some(group.as_str())
        );
        assert_eq!(app.count("faq_entries").await, before, "nothing written");
        assert_eq!(audited(&app, "faq.create").await, 0);

        // Too long, in either language; and a group that does not exist.
        let long = "প".repeat(301);
        let mut too_long = typed;
        too_long[1] = ("question_bn", &long);
        too_long[4] = ("answer_en", "Keep a torch at hand.");
        let refused = editor.post_form("/console/faq", &too_long).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text("#form-error").contains("300"));
        assert_eq!(
            refused.attr("#question_bn", "aria-invalid").as_deref(),
            Some("true")
        );
        let mut no_group = too_long;
        no_group[1] = typed[1];
        no_group[0] = ("group", "999999");
        let refused = editor.post_form("/console/faq", &no_group).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text("#form-error").contains("Choose the group"));
        assert_eq!(app.count("faq_entries").await, before, "nothing written");

        // A draft may wait for its English; citizens do not see it.
        let mut draft = typed;
        draft[5] = ("published", "");
        let saved = editor.post_form("/console/faq", &draft).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(app.count("faq_entries").await, before + 1);
        assert!(!app.get("/faq").await.body.contains("বিদ্যুৎ চলে গেলে"));
        let list = editor.get("/console/faq").await;
        assert!(
            list.body.contains("বিদ্যুৎ চলে গেলে"),
            "drafts show in the console"
        );
        // Publishing the draft names what is missing, on its own form.
        let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM faq_entries")
            .fetch_one(app.state.store.reader())
            .await
            .expect("id");
        let publish = editor
            .post_form(&format!("/console/faq/{id}/publish"), &[])
            .await;
        assert_eq!(publish.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            publish
                .text("#form-error")
                .contains("Write the answer in English")
        );
        assert_eq!(publish.text("#answer_bn"), "টর্চ হাতের কাছে রাখুন।");
        assert!(!app.get("/faq").await.body.contains("বিদ্যুৎ চলে গেলে"));
        assert_eq!(audited(&app, "faq.publish").await, 0);
        assert_eq!(audited(&app, "faq.create").await, 1);
    }
);

on_both!(
    editors_write_reorder_publish_and_delete_questions_every_change_audited,
    |app: TestApp| async move {
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        let group = first_group(&app).await;
        let created = editor
            .post_form(
                "/console/faq",
                &[
                    ("group", &group),
                    ("question_bn", "হারানো ফোনের কথা কোথায় জানাব?"),
                    ("question_en", "Where do I report a lost phone?"),
                    ("answer_bn", "থানায় যান।\n\nসঙ্গে ফোনের বাক্স রাখুন।"),
                    ("answer_en", "Go to the thana.\n\nTake <b>the box</b>."),
                    ("published", "1"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        assert_eq!(created.header("location"), "/console/faq");
        assert_eq!(audited(&app, "faq.create").await, 1);
        let en = app.get_with("/faq", &EN).await;
        let questions = en.texts(".faq-group:first-of-type h3");
        assert_eq!(
            questions,
            [
                "What should I do in an emergency?",
                "Where do I report a lost phone?"
            ]
        );
        // Written text is shown as text, in paragraphs.
        assert!(
            en.texts(".faq-entry p")
                .contains(&"Take <b>the box</b>.".to_string())
        );
        assert!(!en.has(".faq-entry b"), "escaped, not markup");
        let bn = app.get("/faq").await;
        assert!(
            bn.texts(".faq-entry h3")
                .contains(&"হারানো ফোনের কথা কোথায় জানাব?".to_string())
        );

        let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM faq_entries")
            .fetch_one(app.state.store.reader())
            .await
            .expect("id");
        // Up: it now comes first in its group.
        let moved = editor
            .post_form(&format!("/console/faq/{id}/move"), &[("direction", "up")])
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER);
        let en = app.get_with("/faq", &EN).await;
        assert_eq!(
            en.texts(".faq-group:first-of-type h3"),
            [
                "Where do I report a lost phone?",
                "What should I do in an emergency?"
            ]
        );
        // At the top, up again moves nothing and records nothing.
        editor
            .post_form(&format!("/console/faq/{id}/move"), &[("direction", "up")])
            .await;
        assert_eq!(audited(&app, "faq.move").await, 1);
        let sideways = editor
            .post_form(&format!("/console/faq/{id}/move"), &[("direction", "left")])
            .await;
        assert_eq!(sideways.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Edited: the new words are what citizens read.
        let form = editor.get(&format!("/console/faq/{id}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(
            form.text("#answer_en"),
            "Go to the thana.\n\nTake <b>the box</b>."
        );
        let saved = editor
            .post_form(
                &format!("/console/faq/{id}"),
                &[
                    ("group", &group),
                    ("question_bn", "হারানো ফোনের কথা কোথায় জানাব?"),
                    ("question_en", "Where do I report a lost handset?"),
                    ("answer_bn", "থানায় যান।"),
                    ("answer_en", "Go to the thana."),
                    ("published", "1"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(audited(&app, "faq.edit").await, 1);
        let en = app.get_with("/faq?q=handset", &EN).await;
        assert_eq!(
            en.texts(".faq-entry h3"),
            ["Where do I report a lost handset?"]
        );

        // Unpublished, it is gone for citizens; published again, back.
        let off = editor
            .post_form(&format!("/console/faq/{id}/unpublish"), &[])
            .await;
        assert_eq!(off.status, StatusCode::SEE_OTHER);
        assert!(app.get_with("/faq?q=handset", &EN).await.has("#faq-none"));
        editor
            .post_form(&format!("/console/faq/{id}/publish"), &[])
            .await;
        assert!(!app.get_with("/faq?q=handset", &EN).await.has("#faq-none"));
        assert_eq!(audited(&app, "faq.unpublish").await, 1);
        assert_eq!(audited(&app, "faq.publish").await, 1);

        // Deleting asks for the box to be ticked, then deletes for good.
        let unconfirmed = editor
            .post_form(&format!("/console/faq/{id}/delete"), &[])
            .await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error = unconfirmed.text("#form-error");
        assert!(
            error.contains("Tick the box") && error.contains("টিক দিন"),
            "{error}"
        );
        assert_eq!(app.count("faq_entries").await, 7);
        let deleted = editor
            .post_form(&format!("/console/faq/{id}/delete"), &[("confirm", "yes")])
            .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("faq_entries").await, 6);
        assert_eq!(
            editor.get(&format!("/console/faq/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let detail: String =
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'faq.delete'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("audited");
        assert_eq!(
            detail,
            format!("entry {id}: Where do I report a lost handset?")
        );
        // Every entry names the editor.
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log a JOIN officers o ON o.id = a.officer_id \
             WHERE a.action LIKE 'faq.%' AND o.username <> 'editor1'",
        )
        .fetch_one(app.state.store.reader())
        .await
        .expect("audit");
        assert_eq!(others, 0);
    }
);

on_both!(
    groups_are_named_in_both_languages_reordered_and_deleted_only_when_empty,
    |app: TestApp| async move {
        let admin = app.officer().await;
        let refused = admin
            .post_form(
                "/console/faq/groups",
                &[("title_bn", "ট্রাফিক"), ("title_en", "")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text("#form-error").contains("in English"));
        assert_eq!(refused.attr("#title_bn", "value").as_deref(), Some("ট্রাফিক"));
        assert_eq!(app.count("faq_groups").await, 3);
        let made = admin
            .post_form(
                "/console/faq/groups",
                &[("title_bn", "ট্রাফিক"), ("title_en", "Traffic")],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER);
        let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM faq_groups")
            .fetch_one(app.state.store.reader())
            .await
            .expect("id");
        // An empty group is not shown to citizens.
        assert_eq!(app.get("/faq").await.texts(".faq-group").len(), 3);
        let renamed = admin
            .post_form(
                &format!("/console/faq/groups/{id}"),
                &[
                    ("title_bn", "সড়ক ও ট্রাফিক"),
                    ("title_en", "Roads and traffic"),
                ],
            )
            .await;
        assert_eq!(renamed.status, StatusCode::SEE_OTHER);
        admin
            .post_form(
                &format!("/console/faq/groups/{id}/move"),
                &[("direction", "up")],
            )
            .await;
        let list = admin.get("/console/faq").await;
        assert_eq!(
            list.texts(".faq-admin-group h2"),
            [
                "জরুরি অবস্থায়",
                "গোপন তথ্য",
                "সড়ক ও ট্রাফিক",
                "জিডি ও পুলিশ ক্লিয়ারেন্স"
            ]
        );
        // A question moved into it goes to its end, and the group shows on /faq.
        let emergency: i64 =
            sqlx::query_scalar("SELECT id FROM faq_entries WHERE seed_key = 'emergency'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("entry");
        let page = admin.get(&format!("/console/faq/{emergency}")).await;
        let field = |css: &str| page.attr(css, "value").unwrap_or_default();
        let answer_bn = page.text("#answer_bn");
        let answer_en = page.text("#answer_en");
        let moved = admin
            .post_form(
                &format!("/console/faq/{emergency}"),
                &[
                    ("group", &id.to_string()),
                    ("question_bn", &field("#question_bn")),
                    ("question_en", &field("#question_en")),
                    ("answer_bn", &answer_bn),
                    ("answer_en", &answer_en),
                    ("published", "1"),
                ],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
        let en = app.get_with("/faq", &EN).await;
        assert_eq!(
            en.texts(".faq-group h2"),
            [
                "Secret tips",
                "Roads and traffic",
                "GD and police clearance"
            ]
        );
        // Deleting a group with questions is refused; an empty one goes.
        let full = admin
            .post_form(
                &format!("/console/faq/groups/{id}/delete"),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(full.status, StatusCode::CONFLICT);
        assert!(full.text("#form-error").contains("still has questions"));
        let empty: i64 = sqlx::query_scalar("SELECT MIN(id) FROM faq_groups")
            .fetch_one(app.state.store.reader())
            .await
            .expect("the emergency group, now empty");
        let gone = admin
            .post_form(
                &format!("/console/faq/groups/{empty}/delete"),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("faq_groups").await, 3);
        for action in [
            "faq.group_create",
            "faq.group_edit",
            "faq.group_move",
            "faq.group_delete",
            "faq.edit",
        ] {
            assert_eq!(audited(&app, action).await, 1, "{action}");
        }
    }
);

on_both!(
    a_thana_officer_may_not_touch_the_faq,
    |app: TestApp| async move {
        let officer = app
            .officer_with("karim", "thana_officer", "sonadanga")
            .await;
        let group = first_group(&app).await;
        let answer = officer
            .post_form(
                "/console/faq",
                &[
                    ("group", &group),
                    ("question_bn", "প্রশ্ন"),
                    ("question_en", "Question"),
                    ("answer_bn", "উত্তর"),
                    ("answer_en", "Answer"),
                    ("published", "1"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(
            officer.get("/console/faq").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!officer.get("/console/account").await.has("#nav-faq"));
        assert_eq!(app.count("faq_entries").await, 6);
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        assert!(editor.get("/console/account").await.has("#nav-faq"));
    }
);

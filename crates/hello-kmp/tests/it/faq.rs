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

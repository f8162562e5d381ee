//! `/api/v1/faq` and `/api/v1/news`: what editors publish, in both languages, searched and paged
//! as the pages do; drafts never show.

use axum::http::StatusCode;

use super::get_search;
use crate::on_both;
use crate::support::TestApp;

/// The questions of an FAQ answer, in Bangla and in English, in order.
fn questions(faq: &serde_json::Value) -> Vec<(String, String)> {
    faq["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["entries"].as_array().expect("entries").clone())
        .map(|e| {
            (
                e["question_bn"].as_str().expect("bn").to_string(),
                e["question_en"].as_str().expect("en").to_string(),
            )
        })
        .collect()
}

on_both!(
    the_faq_comes_in_both_languages_and_searches_as_the_page,
    |app: TestApp| async move {
        let faq = app.get("/api/v1/faq").await;
        assert_eq!(faq.status, StatusCode::OK, "{}", faq.body);
        let json = faq.json();
        let titles: Vec<(&str, &str)> = json["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .map(|g| {
                (
                    g["title_bn"].as_str().unwrap_or_default(),
                    g["title_en"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            titles,
            [
                ("জরুরি অবস্থায়", "In an emergency"),
                ("গোপন তথ্য", "Secret tips"),
                ("জিডি ও পুলিশ ক্লিয়ারেন্স", "GD and police clearance")
            ]
        );
        assert_eq!(questions(&json).len(), 6);
        assert!(faq.body.contains("BDT 500") && faq.body.contains("৫০০ টাকা"));

        let receipt = get_search(&app, "/api/v1/faq", "রসিদ").await.json();
        assert_eq!(
            questions(&receipt),
            [(
                "রসিদ নম্বর কী, আর হারালে কেন আবার পাওয়া যায় না?".to_string(),
                "What is the receipt, and why can it not be given again?".to_string()
            )]
        );
        let capitals = get_search(&app, "/api/v1/faq", "RECEIPT hash").await.json();
        assert_eq!(questions(&capitals), questions(&receipt));
        let nothing = get_search(&app, "/api/v1/faq", "zebra crossing xyz")
            .await
            .json();
        assert_eq!(nothing["groups"], serde_json::json!([]));

        // A draft question is the console's alone.
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        let group: i64 = sqlx::query_scalar("SELECT MIN(id) FROM faq_groups")
            .fetch_one(app.state.store.reader())
            .await
            .expect("a group");
        let saved = editor
            .post_form(
                "/console/faq",
                &[
                    ("group", &group.to_string()),
                    ("question_bn", "বিদ্যুৎ চলে গেলে কী করব?"),
                    ("question_en", "What if the power goes out?"),
                    ("answer_bn", "টর্চ হাতের কাছে রাখুন।"),
                    ("answer_en", "Keep a torch at hand."),
                    ("published", ""),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert!(!app.get("/api/v1/faq").await.body.contains("power goes out"));
        let searched = get_search(&app, "/api/v1/faq", "torch").await.json();
        assert_eq!(searched["groups"], serde_json::json!([]));
    }
);

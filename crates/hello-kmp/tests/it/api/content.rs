//! `/api/v1/faq` and `/api/v1/news`: what editors publish, in both languages, searched and paged
//! as the pages do; drafts never show.

use axum::http::StatusCode;

use super::{get_search, refused};
use crate::on_both;
use crate::support::{Officer, TestApp};

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

async fn editor(app: &TestApp) -> Officer {
    app.officer_with("editor1", "editor", "kmp_hq").await
}

/// Writes a post through the console; `published` is `"1"` or `""`. Returns its id.
async fn write_post(editor: &Officer, app: &TestApp, title_en: &str, published: &str) -> i64 {
    let fields = [
        ("title_bn", "নতুন হেল্পলাইন চালু"),
        ("title_en", title_en),
        ("summary_bn", "থানাগুলোর নম্বর এখন যোগাযোগের পাতায়।"),
        (
            "summary_en",
            "The thanas' numbers are on the contacts page.",
        ),
        ("body_bn", "প্রথম অনুচ্ছেদ।\n\nদ্বিতীয় অনুচ্ছেদ।"),
        ("body_en", "First paragraph.\n\nSecond <b>paragraph</b>."),
        ("published", published),
    ];
    let saved = editor.post_form("/console/news", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    sqlx::query_scalar("SELECT MAX(id) FROM news_posts")
        .fetch_one(app.state.store.reader())
        .await
        .expect("a post")
}

on_both!(
    the_news_is_paged_like_the_page_and_drafts_never_show,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        for n in 1..=11 {
            write_post(&editor, &app, &format!("Post number {n}"), "1").await;
        }
        let draft = write_post(&editor, &app, "Secret draft", "").await;

        let first = app.get("/api/v1/news").await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let json = first.json();
        assert_eq!(
            (json["page"].clone(), json["per_page"].clone()),
            (1.into(), 10.into())
        );
        assert_eq!(json["has_older"], true);
        let posts = json["posts"].as_array().expect("posts");
        assert_eq!(posts.len(), 10);
        assert_eq!(posts[0]["title_en"], "Post number 11", "newest first");
        assert_eq!(posts[0]["title_bn"], "নতুন হেল্পলাইন চালু");
        assert_eq!(
            posts[0]["summary_en"],
            "The thanas' numbers are on the contacts page."
        );
        assert!(
            posts[0]["published_at"]
                .as_i64()
                .is_some_and(|t| t > 1_700_000_000)
        );
        assert!(posts[0]["picture"].is_null());
        assert!(
            posts[0].get("body_en").is_none(),
            "the list carries no text"
        );
        let second = app.get("/api/v1/news?page=2").await.json();
        assert_eq!(second["has_older"], false);
        let titles: Vec<&str> = second["posts"]
            .as_array()
            .expect("posts")
            .iter()
            .filter_map(|p| p["title_en"].as_str())
            .collect();
        assert_eq!(titles, ["Post number 1"]);
        assert!(!first.body.contains("Secret draft"));
        assert!(
            !app.get("/api/v1/news?page=2")
                .await
                .body
                .contains("Secret draft")
        );
        assert_eq!(
            app.get("/api/v1/news?page=3").await.status,
            StatusCode::NOT_FOUND
        );

        // A post whole, by the last segment of its path or by its number alone.
        let path = posts[0]["path"].as_str().expect("a path").to_string();
        let id = posts[0]["id"].as_i64().expect("an id");
        assert_eq!(path, format!("/news/{id}-post-number-11"));
        for segment in [
            format!("{id}-post-number-11"),
            id.to_string(),
            format!("{id}-old-title"),
        ] {
            let post = app.get(&format!("/api/v1/news/{segment}")).await;
            assert_eq!(post.status, StatusCode::OK, "{segment}: {}", post.body);
            let post = post.json();
            assert_eq!(post["id"], id);
            assert_eq!(post["title_en"], "Post number 11");
            assert_eq!(
                post["body_en"],
                "First paragraph.\n\nSecond <b>paragraph</b>."
            );
            assert_eq!(post["body_bn"], "প্রথম অনুচ্ছেদ।\n\nদ্বিতীয় অনুচ্ছেদ।");
        }
        // The draft's address is not found, and neither is a post once unpublished.
        for segment in [draft.to_string(), format!("{draft}-secret-draft")] {
            let hidden = app.get(&format!("/api/v1/news/{segment}")).await;
            refused(&hidden, StatusCode::NOT_FOUND, "post_unknown", Some("post"));
        }
        editor
            .post_form(&format!("/console/news/{id}/unpublish"), &[])
            .await;
        let gone = app.get(&format!("/api/v1/news/{id}")).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/api/v1/news").await.json()["posts"][0]["title_en"],
            "Post number 10"
        );
    }
);

on_both!(
    a_post_with_a_picture_gives_its_address_and_size,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        let fields = [
            ("title_bn", "ছবিসহ খবর"),
            ("title_en", "Picture post"),
            ("summary_bn", "সারাংশ"),
            ("summary_en", "Summary"),
            ("body_bn", "লেখা"),
            ("body_en", "Text"),
            ("published", "1"),
            ("alt_bn", "থানার সামনের রাস্তা"),
            ("alt_en", "The road in front of the thana"),
        ];
        let photo = crate::support::photo(image::ImageFormat::Jpeg, 40, 30);
        let sent = editor
            .post_multipart("/console/news", &fields, &[("road.jpg", photo)])
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let list = app.get("/api/v1/news").await.json();
        let picture = &list["posts"][0]["picture"];
        let url = picture["url"].as_str().expect("a picture address");
        assert!(
            url.starts_with("/news/pictures/news-") && url.ends_with(".jpg"),
            "{url}"
        );
        assert_eq!(
            (picture["width"].clone(), picture["height"].clone()),
            (40.into(), 30.into())
        );
        assert_eq!(picture["alt_en"], "The road in front of the thana");
        assert_eq!(picture["alt_bn"], "থানার সামনের রাস্তা");
        let served = app.get(url).await;
        assert_eq!(served.status, StatusCode::OK);
        assert_eq!(served.header("content-type"), "image/jpeg");
        let id = list["posts"][0]["id"].as_i64().expect("id");
        let post = app.get(&format!("/api/v1/news/{id}")).await.json();
        assert_eq!(post["picture"]["url"], url);
    }
);

//! News: editors write bilingual posts, keep drafts and publish; citizens see only what is
//! published, ten posts a page; every change is audited.

use axum::http::StatusCode;

use crate::on_both;
use crate::support::{Officer, TestApp};

const EN: [(&str, &str); 1] = [("cookie", "lang=en")];

/// A complete post, ready to publish.
fn post_fields<'a>(title_en: &'a str, published: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("title_bn", "নতুন হেল্পলাইন চালু"),
        ("title_en", title_en),
        ("summary_bn", "থানাগুলোর নম্বর এখন যোগাযোগের পাতায়।"),
        (
            "summary_en",
            "The thanas' numbers are now on the contacts page.",
        ),
        (
            "body_bn",
            "প্রথম অনুচ্ছেদ।\nএকই অনুচ্ছেদে দ্বিতীয় লাইন।\n\nদ্বিতীয় অনুচ্ছেদ।",
        ),
        (
            "body_en",
            "First paragraph.\nA second line in it.\n\nSecond <script>alert(1)</script> paragraph.",
        ),
        ("published", published),
    ]
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    app.count(&format!("audit_log WHERE action = '{action}'"))
        .await
}

async fn last_post(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MAX(id) FROM news_posts")
        .fetch_one(app.state.store.reader())
        .await
        .expect("a post")
}

async fn editor(app: &TestApp) -> Officer {
    app.officer_with("editor1", "editor", "kmp_hq").await
}

on_both!(
    bad_posts_are_refused_in_both_languages_and_keep_what_was_typed,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        // Published without its English summary.
        let mut fields = post_fields("New helpline", "1");
        fields[3].1 = "";
        let refused = editor.post_form("/console/news", &fields).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let error = refused.text("#form-error");
        assert!(error.contains("Write the summary in English"), "{error}");
        assert!(error.contains("ইংরেজিতে সারাংশ লিখুন"), "{error}");
        assert_eq!(
            refused.attr("#summary_en", "aria-invalid").as_deref(),
            Some("true")
        );
        assert_eq!(
            refused.attr("#title_bn", "value").as_deref(),
            Some("নতুন হেল্পলাইন চালু")
        );
        assert!(refused.text("#body_en").contains("Second <script>"));
        assert!(refused.has("#published[checked]"));
        // No title at all, even for a draft.
        let untitled = editor
            .post_form(
                "/console/news",
                &[
                    ("title_bn", " "),
                    ("title_en", ""),
                    ("body_en", "Kept text"),
                ],
            )
            .await;
        assert_eq!(untitled.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            untitled
                .text("#form-error")
                .contains("Give the post a title")
        );
        assert_eq!(untitled.text("#body_en"), "Kept text");
        // Too long, in either language.
        let long = "শ".repeat(201);
        let mut fields = post_fields("New helpline", "");
        fields[0].1 = &long;
        let too_long = editor.post_form("/console/news", &fields).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_long.text("#form-error").contains("200"));
        assert_eq!(
            too_long.attr("#title_en", "aria-invalid").as_deref(),
            Some("true"),
            "both languages of the title are marked"
        );
        let body = "b".repeat(10_001);
        let mut fields = post_fields("New helpline", "");
        fields[5].1 = &body;
        let too_long = editor.post_form("/console/news", &fields).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_long.text("#form-error").contains("10,000"));
        assert_eq!(app.count("news_posts").await, 0, "nothing written");
        assert_eq!(audited(&app, "news.create").await, 0);
    }
);

on_both!(
    a_draft_is_invisible_to_citizens_until_published,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        let saved = editor
            .post_form("/console/news", &post_fields("New helpline opens", ""))
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let id = last_post(&app).await;
        let list = app.get("/news").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.has("#news-empty"));
        for path in [
            format!("/news/{id}"),
            format!("/news/{id}-new-helpline-opens"),
        ] {
            assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
        // The editor sees the draft in the console.
        let console = editor.get("/console/news").await;
        assert_eq!(console.text(".post-state"), "খসড়া");

        let published = editor
            .post_form(&format!("/console/news/{id}/publish"), &[])
            .await;
        assert_eq!(published.status, StatusCode::SEE_OTHER);
        let list = app.get_with("/news", &EN).await;
        assert_eq!(list.texts(".news-item h2"), ["New helpline opens"]);
        let href = list.attr(".news-item h2 a", "href").expect("a link");
        assert_eq!(href, format!("/news/{id}-new-helpline-opens"));
        // The bare number leads to the post's own address.
        let bare = app.get(&format!("/news/{id}")).await;
        assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(bare.header("location"), href);
        let bn = app.get(&href).await;
        assert_eq!(bn.status, StatusCode::OK);
        assert_eq!(bn.text("h1"), "নতুন হেল্পলাইন চালু");
        assert_eq!(bn.texts("#news-body p").len(), 2);
        let en = app.get_with(&href, &EN).await;
        assert_eq!(en.text("h1"), "New helpline opens");
        assert_eq!(
            en.text("#news-summary"),
            "The thanas' numbers are now on the contacts page."
        );
        // Plain text: lines and paragraphs, the markup shown as text.
        assert_eq!(en.texts("#news-body p br").len(), 1);
        assert!(!en.has("#news-body script"));
        assert!(
            en.text("#news-body")
                .contains("Second <script>alert(1)</script> paragraph.")
        );
        assert!(bn.has("a.call999[href='tel:999']"));

        // Unpublished, its address is gone again.
        editor
            .post_form(&format!("/console/news/{id}/unpublish"), &[])
            .await;
        assert_eq!(app.get(&href).await.status, StatusCode::NOT_FOUND);
        assert!(app.get("/news").await.has("#news-empty"));
        for (action, count) in [
            ("news.create", 1),
            ("news.publish", 1),
            ("news.unpublish", 1),
        ] {
            assert_eq!(audited(&app, action).await, count, "{action}");
        }
    }
);

on_both!(
    publishing_an_incomplete_draft_names_what_is_missing,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        editor
            .post_form(
                "/console/news",
                &[("title_bn", "শুধু বাংলা শিরোনাম"), ("published", "")],
            )
            .await;
        let id = last_post(&app).await;
        let refused = editor
            .post_form(&format!("/console/news/{id}/publish"), &[])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .text("#form-error")
                .contains("Write the title in English")
        );
        assert_eq!(
            refused.attr("#title_bn", "value").as_deref(),
            Some("শুধু বাংলা শিরোনাম")
        );
        assert_eq!(audited(&app, "news.publish").await, 0);
        assert_eq!(
            app.get(&format!("/news/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

on_both!(
    editing_and_deleting_a_post_are_audited,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        editor
            .post_form("/console/news", &post_fields("Helpline", "1"))
            .await;
        let id = last_post(&app).await;
        let form = editor.get(&format!("/console/news/{id}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(form.attr("#title_en", "value").as_deref(), Some("Helpline"));
        assert_eq!(
            form.attr("#post-public", "href"),
            Some(format!("/news/{id}-helpline"))
        );
        let saved = editor
            .post_form(
                &format!("/console/news/{id}"),
                &post_fields("Helpline for the thanas", "1"),
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        // The old address follows the new title.
        let old = app.get(&format!("/news/{id}-helpline")).await;
        assert_eq!(old.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(
            old.header("location"),
            format!("/news/{id}-helpline-for-the-thanas")
        );
        let unconfirmed = editor
            .post_form(&format!("/console/news/{id}/delete"), &[])
            .await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unconfirmed.text("#form-error").contains("Tick the box"));
        assert_eq!(app.count("news_posts").await, 1);
        let deleted = editor
            .post_form(&format!("/console/news/{id}/delete"), &[("confirm", "yes")])
            .await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER);
        assert_eq!(app.count("news_posts").await, 0);
        assert_eq!(
            app.get(&format!("/news/{id}-helpline-for-the-thanas"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        for action in ["news.create", "news.edit", "news.delete"] {
            assert_eq!(audited(&app, action).await, 1, "{action}");
        }
        let detail: String =
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'news.delete'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("audited");
        assert_eq!(detail, format!("post {id}: Helpline for the thanas"));
    }
);

on_both!(
    the_list_has_ten_posts_a_page_newest_first,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        for n in 1..=21 {
            let title = format!("Post number {n}");
            let answer = editor
                .post_form("/console/news", &post_fields(&title, "1"))
                .await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER);
        }
        let first = app.get_with("/news", &EN).await;
        let titles = first.texts(".news-item h2");
        assert_eq!(titles.len(), 10);
        assert_eq!(titles[0], "Post number 21");
        assert_eq!(titles[9], "Post number 12");
        assert!(!first.has("#news-newer"));
        assert_eq!(
            first.attr("#news-older", "href").as_deref(),
            Some("/news?page=2")
        );
        let second = app.get_with("/news?page=2", &EN).await;
        let titles = second.texts(".news-item h2");
        assert_eq!(titles.len(), 10);
        assert_eq!(titles[0], "Post number 11");
        assert_eq!(second.attr("#news-newer", "href").as_deref(), Some("/news"));
        assert_eq!(
            second.attr("#news-older", "href").as_deref(),
            Some("/news?page=3")
        );
        let third = app.get_with("/news?page=3", &EN).await;
        assert_eq!(third.texts(".news-item h2"), ["Post number 1"]);
        assert!(!third.has("#news-older"));
        assert_eq!(
            third.attr("#news-newer", "href").as_deref(),
            Some("/news?page=2")
        );
        for page in ["4", "0", "-1", "two", "99999999999999999999"] {
            let answer = app.get(&format!("/news?page={page}")).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "page {page}");
        }
        // Dates are in the reader's digits.
        let bn = app.get("/news").await;
        let date = bn.text(".news-date time");
        assert!(date.chars().all(|c| !c.is_ascii_digit()), "{date}");
        assert!(
            bn.attr(".news-date time", "datetime")
                .is_some_and(|d| d.contains('T'))
        );
    }
);

on_both!(
    a_thana_officer_may_not_write_news,
    |app: TestApp| async move {
        let officer = app
            .officer_with("karim", "thana_officer", "sonadanga")
            .await;
        let answer = officer
            .post_form("/console/news", &post_fields("Not allowed", "1"))
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(
            officer.get("/console/news").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            officer.get("/console/news/new").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.count("news_posts").await, 0);
        assert!(!officer.get("/console/account").await.has("#nav-news"));
        let editor = editor(&app).await;
        assert!(editor.get("/console/account").await.has("#nav-news"));
        assert_eq!(editor.get("/console/news/new").await.status, StatusCode::OK);
    }
);

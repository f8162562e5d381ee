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

/// The news pictures in the blob store's folder.
fn picture_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.data_dir().join("blobs").join("attachments"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("news-"))
                .collect()
        })
        .unwrap_or_default()
}

/// The bytes a citizen gets at `path`.
async fn citizen_bytes(app: &TestApp, path: &str) -> Vec<u8> {
    crate::attachments::download_bytes(app, "lang=bn", path).await
}

on_both!(
    a_picture_loses_its_exif_and_gps_and_is_served_public_and_cached,
    |app: TestApp| async move {
        let dir = tempfile::tempdir().expect("dir");
        let telling = crate::attachments::telling_jpeg(dir.path(), "6");
        let before = crate::attachments::tags(dir.path(), &telling);
        assert!(
            before.contains(&"GPS:GPSLatitude".to_string()),
            "{before:?}"
        );
        let editor = editor(&app).await;
        let mut fields = post_fields("Picture post", "1");
        fields.push(("alt_bn", "থানার সামনের রাস্তা"));
        fields.push(("alt_en", "The road in front of the thana"));
        let sent = editor
            .post_multipart("/console/news", &fields, &[("IMG_2041.jpg", telling)])
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let id = last_post(&app).await;
        let page = app.get_with(&format!("/news/{id}-picture-post"), &EN).await;
        assert_eq!(page.status, StatusCode::OK);
        let src = page.attr("#news-picture", "src").expect("the picture");
        assert!(
            src.starts_with("/news/pictures/news-") && src.ends_with(".jpg"),
            "{src}"
        );
        assert_eq!(
            page.attr("#news-picture", "alt").as_deref(),
            Some("The road in front of the thana")
        );
        // Upright (orientation 6 turned the 40 × 30 photo), and the size is on the page.
        assert_eq!(page.attr("#news-picture", "width").as_deref(), Some("30"));
        assert_eq!(page.attr("#news-picture", "height").as_deref(), Some("40"));

        let answer = app.get(&src).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.header("content-type"), "image/jpeg");
        assert_eq!(answer.header("x-content-type-options"), "nosniff");
        assert_eq!(answer.header("cache-control"), "public, max-age=86400");
        let clean = citizen_bytes(&app, &src).await;
        let decoded = image::load_from_memory(&clean).expect("a picture");
        assert_eq!((decoded.width(), decoded.height()), (30, 40));
        let after = crate::attachments::tags(dir.path(), &clean);
        for group in [
            "GPS",
            "IFD0",
            "IFD1",
            "ExifIFD",
            "XMP",
            "IPTC",
            "File:Comment",
        ] {
            assert!(
                !after.iter().any(|t| t.starts_with(group)),
                "{group} survived: {after:?}"
            );
        }
        let raw = String::from_utf8_lossy(&clean);
        for word in ["TellTale", "Phone-7", "SN-0042", "Rahim", "rahim"] {
            assert!(!raw.contains(word), "{word} in the picture");
        }
        // At rest it is sealed like every file.
        let files = picture_files(&app);
        assert_eq!(files.len(), 1);
        let stored = std::fs::read(
            app.data_dir()
                .join("blobs")
                .join("attachments")
                .join(&files[0]),
        )
        .expect("blob");
        assert!(!stored.windows(32).any(|w| w == &clean[clean.len() - 32..]));
        // A wrong extension or an unknown name is not found.
        let wrong = src.replace(".jpg", ".png");
        assert_eq!(app.get(&wrong).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            app.get("/news/pictures/news-0000.jpg").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(audited(&app, "news.create").await, 1);
    }
);

on_both!(
    a_large_picture_is_made_1200_pixels_wide,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        let big = crate::support::photo(image::ImageFormat::Png, 2400, 900);
        let sent = editor
            .post_multipart(
                "/console/news",
                &post_fields("Wide", "1"),
                &[("wide.png", big)],
            )
            .await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        let page = app
            .get(&format!("/news/{}-wide", last_post(&app).await))
            .await;
        assert_eq!(page.attr("#news-picture", "width").as_deref(), Some("1200"));
        assert_eq!(page.attr("#news-picture", "height").as_deref(), Some("450"));
        let src = page.attr("#news-picture", "src").expect("src");
        let bytes = citizen_bytes(&app, &src).await;
        let decoded = image::load_from_memory(&bytes).expect("decodes");
        assert_eq!((decoded.width(), decoded.height()), (1200, 450));
    }
);

on_both!(
    a_file_that_is_not_only_a_picture_is_refused_and_nothing_is_kept,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        let mut polyglot = crate::support::photo(image::ImageFormat::Jpeg, 40, 30);
        polyglot.extend_from_slice(b"PK\x03\x04 a zip file hides here");
        let cases: Vec<(&str, Vec<u8>, StatusCode, &str, &str)> = vec![
            (
                "notes.jpg",
                b"just text, named like a photo".to_vec(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "JPEG, PNG বা WebP",
                "must be a JPEG, PNG or WebP photo",
            ),
            (
                "doc.pdf",
                b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "JPEG, PNG বা WebP",
                "must be a JPEG, PNG or WebP photo",
            ),
            (
                "polyglot.jpg",
                polyglot,
                StatusCode::UNPROCESSABLE_ENTITY,
                "অন্য তথ্য লুকানো",
                "hides other data",
            ),
        ];
        for (name, bytes, status, bn, en) in cases {
            let answer = editor
                .post_multipart(
                    "/console/news",
                    &post_fields("Refused", "1"),
                    &[(name, bytes)],
                )
                .await;
            assert_eq!(answer.status, status, "{name}: {}", answer.body);
            let error = answer.text("#form-error");
            assert!(error.contains(bn) && error.contains(en), "{name}: {error}");
            assert_eq!(
                answer.attr("#title_en", "value").as_deref(),
                Some("Refused"),
                "the text is kept"
            );
            assert_eq!(
                answer.attr("#picture", "aria-invalid").as_deref(),
                Some("true")
            );
        }
        assert_eq!(app.count("news_posts").await, 0);
        assert!(picture_files(&app).is_empty(), "no file left behind");
        // Bad text is refused before the picture is read: no file either.
        let mut fields = post_fields("", "1");
        fields[1].1 = "";
        let answer = editor
            .post_multipart(
                "/console/news",
                &fields,
                &[(
                    "ok.png",
                    crate::support::photo(image::ImageFormat::Png, 8, 8),
                )],
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            answer
                .text("#form-error")
                .contains("Write the title in English")
        );
        assert!(picture_files(&app).is_empty());
        // A thana officer's picture is not even read.
        let officer = app
            .officer_with("karim", "thana_officer", "sonadanga")
            .await;
        let refused = officer
            .post_multipart(
                "/console/news",
                &post_fields("Not allowed", "1"),
                &[(
                    "ok.png",
                    crate::support::photo(image::ImageFormat::Png, 8, 8),
                )],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(picture_files(&app).is_empty());
        assert_eq!(app.count("news_posts").await, 0);
    }
);

on_both!(
    a_drafts_picture_is_not_public_and_a_replaced_or_removed_one_is_gone,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        let png = |w| crate::support::photo(image::ImageFormat::Png, w, 20);
        editor
            .post_multipart(
                "/console/news",
                &post_fields("Draft", ""),
                &[("a.png", png(20))],
            )
            .await;
        let id = last_post(&app).await;
        let uid: String = sqlx::query_scalar("SELECT picture_uid FROM news_posts WHERE id = $1")
            .bind(id)
            .fetch_one(app.state.store.reader())
            .await
            .expect("a picture");
        let public = format!("/news/pictures/{uid}.jpg");
        assert_eq!(
            app.get(&public).await.status,
            StatusCode::NOT_FOUND,
            "a draft's"
        );
        // The editor sees it in the console, not cached.
        let form = editor.get(&format!("/console/news/{id}")).await;
        let preview = form.attr("#picture-preview", "src").expect("a preview");
        let shown = editor.get(&preview).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert_eq!(shown.header("content-type"), "image/jpeg");
        assert_eq!(shown.header("cache-control"), "no-store");
        editor
            .post_form(&format!("/console/news/{id}/publish"), &[])
            .await;
        assert_eq!(app.get(&public).await.status, StatusCode::OK);

        // Replaced: the old picture leaves the store and its address.
        let replaced = editor
            .post_multipart(
                &format!("/console/news/{id}"),
                &post_fields("Draft", "1"),
                &[("b.png", png(30))],
            )
            .await;
        assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.body);
        assert_eq!(app.get(&public).await.status, StatusCode::NOT_FOUND);
        assert_eq!(picture_files(&app).len(), 1);
        let page = app.get(&format!("/news/{id}-draft")).await;
        assert_eq!(page.attr("#news-picture", "width").as_deref(), Some("30"));
        // Saved without a new file, the picture stays.
        editor
            .post_multipart(
                &format!("/console/news/{id}"),
                &post_fields("Draft", "1"),
                &[],
            )
            .await;
        assert_eq!(picture_files(&app).len(), 1);
        // Removed.
        let mut fields = post_fields("Draft", "1");
        fields.push(("remove_picture", "1"));
        editor
            .post_multipart(&format!("/console/news/{id}"), &fields, &[])
            .await;
        assert!(picture_files(&app).is_empty());
        assert!(
            !app.get(&format!("/news/{id}-draft"))
                .await
                .has("#news-picture")
        );
        let details: Vec<String> = sqlx::query_scalar(
            "SELECT detail FROM audit_log WHERE action = 'news.edit' ORDER BY id",
        )
        .fetch_all(app.state.store.reader())
        .await
        .expect("audit");
        assert_eq!(
            details,
            [
                format!("post {id}, published, new picture"),
                format!("post {id}, published"),
                format!("post {id}, published, picture removed"),
            ]
        );
        // A post deleted takes its picture with it.
        editor
            .post_multipart(
                &format!("/console/news/{id}"),
                &post_fields("Draft", "1"),
                &[("c.png", png(10))],
            )
            .await;
        assert_eq!(picture_files(&app).len(), 1);
        editor
            .post_form(&format!("/console/news/{id}/delete"), &[("confirm", "yes")])
            .await;
        assert!(picture_files(&app).is_empty());
    }
);

const ORIGIN: &str = "https://hello.example.org";

async fn feed_of(app: &TestApp, path: &str) -> atom_syndication::Feed {
    let answer = app.get(path).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}");
    assert_eq!(
        answer.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    answer
        .body
        .parse::<atom_syndication::Feed>()
        .unwrap_or_else(|e| panic!("{path} is not Atom ({e}): {}", answer.body))
}

async fn feed_with_origin(backend: crate::support::Backend) {
    let app = TestApp::start_with(backend, |s| s.public_origin = Some(ORIGIN.into())).await;
    let editor = editor(&app).await;
    editor
        .post_multipart(
            "/console/news",
            &post_fields("Published one", "1"),
            &[(
                "p.png",
                crate::support::photo(image::ImageFormat::Png, 12, 12),
            )],
        )
        .await;
    let published = last_post(&app).await;
    editor
        .post_form("/console/news", &post_fields("Still a draft", ""))
        .await;

    let bn = feed_of(&app, "/news/feed.atom").await;
    assert_eq!(bn.lang.as_deref(), Some("bn"));
    assert_eq!(bn.id, format!("{ORIGIN}/news/feed.atom"));
    assert_eq!(bn.entries.len(), 1, "the draft is not in the feed");
    let entry = &bn.entries[0];
    assert_eq!(entry.title.value, "নতুন হেল্পলাইন চালু");
    assert_eq!(entry.id, format!("{ORIGIN}/news/{published}"));
    assert_eq!(
        entry.links[0].href,
        format!("{ORIGIN}/news/{published}-published-one")
    );
    assert!(entry.published.is_some());
    assert!(!bn.authors.is_empty());
    for link in bn.links.iter().chain(entry.links.iter()) {
        assert!(link.href.starts_with(ORIGIN), "absolute: {}", link.href);
    }
    assert!(bn.links.iter().any(|l| l.rel == "self"));

    let en = feed_of(&app, "/news/feed.atom?lang=en").await;
    assert_eq!(en.entries[0].title.value, "Published one");
    assert_eq!(
        en.entries[0].summary.as_ref().map(|s| s.value.as_str()),
        Some("The thanas' numbers are now on the contacts page.")
    );
    assert!(
        en.entries[0]
            .content
            .as_ref()
            .and_then(|c| c.value.as_deref())
            .is_some_and(|body| body.contains("Second <script>alert(1)</script> paragraph.")),
        "the body, as text"
    );
    assert_eq!(
        app.get("/news/feed.atom?lang=fr").await.status,
        StatusCode::NOT_FOUND
    );

    // The post's page carries what sharing sites read, with absolute addresses.
    let page = app.get(&format!("/news/{published}-published-one")).await;
    let meta = |property: &str| {
        page.attr(&format!("meta[property='{property}']"), "content")
            .unwrap_or_else(|| panic!("no {property}"))
    };
    assert_eq!(meta("og:type"), "article");
    assert_eq!(meta("og:title"), "নতুন হেল্পলাইন চালু");
    assert_eq!(meta("og:description"), "থানাগুলোর নম্বর এখন যোগাযোগের পাতায়।");
    assert_eq!(
        meta("og:url"),
        format!("{ORIGIN}/news/{published}-published-one")
    );
    let image = meta("og:image");
    assert!(
        image.starts_with(&format!("{ORIGIN}/news/pictures/news-")),
        "{image}"
    );
    let local = image.trim_start_matches(ORIGIN);
    assert_eq!(app.get(local).await.status, StatusCode::OK);
    assert_eq!(meta("og:image:width"), "12");
    assert_eq!(
        page.attr("link[rel='canonical']", "href"),
        Some(meta("og:url"))
    );
    assert_eq!(
        page.attr("link[rel='alternate'][type='application/atom+xml']", "href")
            .as_deref(),
        Some("/news/feed.atom")
    );
    // A post without a picture has no og:image; the English page says so in English.
    editor
        .post_form("/console/news", &post_fields("No picture", "1"))
        .await;
    let plain = app
        .get_with(&format!("/news/{}-no-picture", last_post(&app).await), &EN)
        .await;
    assert!(plain.has("meta[property='og:title'][content='No picture']"));
    assert!(!plain.has("meta[property='og:image']"));
    assert_eq!(
        plain
            .attr("meta[property='og:locale']", "content")
            .as_deref(),
        Some("en_GB")
    );
    let list = app.get_with("/news", &EN).await;
    assert_eq!(
        list.attr("#news-feed", "href").as_deref(),
        Some("/news/feed.atom?lang=en")
    );
    app.finish().await;
}

mod feed_and_sharing_tags_use_the_public_origin {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::feed_with_origin(crate::support::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::feed_with_origin(crate::support::Backend::Postgres).await;
    }
}

on_both!(
    without_a_public_origin_links_use_the_listen_address,
    |app: TestApp| async move {
        let editor = editor(&app).await;
        editor
            .post_form("/console/news", &post_fields("Local", "1"))
            .await;
        let feed = feed_of(&app, "/news/feed.atom").await;
        let listen = format!("http://{}", app.state.settings.listen);
        assert_eq!(feed.id, format!("{listen}/news/feed.atom"));
        assert!(feed.entries[0].links[0].href.starts_with(&listen));
        // An empty feed is still valid Atom.
        let id = last_post(&app).await;
        editor
            .post_form(&format!("/console/news/{id}/unpublish"), &[])
            .await;
        assert!(feed_of(&app, "/news/feed.atom").await.entries.is_empty());
    }
);

on_both!(
    the_portal_is_linked_from_the_news_and_facebook_only_when_set,
    |app: TestApp| async move {
        let list = app.get("/news").await;
        assert_eq!(
            list.attr("#link-portal", "href").as_deref(),
            Some("https://kmp.police.gov.bd")
        );
        assert!(!list.has("#link-facebook"), "empty by default, so hidden");
        // Links to elsewhere, but nothing loaded from elsewhere.
        for css in ["[src^='http']", "link[rel='stylesheet'][href^='http']"] {
            assert!(!list.has(css), "{css}");
        }
        assert!(list.has("a.call999[href='tel:999']"));
    }
);

async fn links_from_settings(backend: crate::support::Backend) {
    let app = TestApp::start_with(backend, |s| {
        s.links.facebook = "https://www.facebook.com/example.kmp".into();
        s.links.portal = String::new();
    })
    .await;
    let editor = editor(&app).await;
    editor
        .post_form("/console/news", &post_fields("Linked", "1"))
        .await;
    let page = app
        .get_with(&format!("/news/{}-linked", last_post(&app).await), &EN)
        .await;
    assert_eq!(
        page.attr("#link-facebook", "href").as_deref(),
        Some("https://www.facebook.com/example.kmp")
    );
    assert_eq!(page.text("#link-facebook"), "KMP on Facebook");
    assert!(!page.has("#link-portal"));
    app.finish().await;
}

mod the_links_are_settings {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::links_from_settings(crate::support::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::links_from_settings(crate::support::Backend::Postgres).await;
    }
}

/// Settings read from a file holding `toml`.
fn settings_from(toml: &str) -> anyhow::Result<hello_kmp::config::Settings> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("settings.toml");
    std::fs::write(&file, toml).expect("settings file written");
    hello_kmp::config::Settings::load(&hello_kmp::config::Overrides {
        config_file: Some(file),
        data_dir: Some(dir.path().join("data")),
        ..Default::default()
    })
}

#[test]
fn the_links_are_read_from_the_settings_and_a_bad_one_is_named() {
    let defaults = settings_from("").expect("defaults");
    assert_eq!(defaults.links.portal, "https://kmp.police.gov.bd");
    assert_eq!(defaults.links.facebook, "");
    let set =
        settings_from("[links]\nfacebook = \"https://www.facebook.com/example\"\n").expect("valid");
    assert_eq!(set.links.facebook, "https://www.facebook.com/example");
    assert_eq!(
        set.links.portal, "https://kmp.police.gov.bd",
        "the rest stays"
    );
    let bad = settings_from("[links]\nportal = \"kmp.police.gov.bd\"\n").expect_err("refused");
    assert!(format!("{bad:#}").contains("links.portal"), "{bad:#}");
    let misspelt = settings_from("[links]\nfacbook = \"https://x\"\n").expect_err("refused");
    assert!(format!("{misspelt:#}").contains("facbook"), "{misspelt:#}");
}

/// Reading the FAQ and the news leaves nothing about the reader: not in the log, not in the
/// data, and no cookie.
async fn readers_leave_no_trace(backend: crate::support::Backend) {
    let (logs, _guard) = crate::support::LogCapture::start();
    const SEARCH: &str = "reader-search-probe-5521";
    const AGENT: &str = "ReaderProbe/1.0 (reader-ua-7719)";
    const PEER: &str = "198.51.100.77";
    let app = TestApp::start(backend).await;
    let editor = editor(&app).await;
    editor
        .post_multipart(
            "/console/news",
            &post_fields("Read me", "1"),
            &[(
                "r.png",
                crate::support::photo(image::ImageFormat::Png, 8, 8),
            )],
        )
        .await;
    let id = last_post(&app).await;
    let post = format!("/news/{id}-read-me");
    let page = app.get(&post).await;
    let picture = page.attr("#news-picture", "src").expect("a picture");
    for path in [
        format!("/faq?q={SEARCH}"),
        "/faq".to_string(),
        "/news".to_string(),
        post.clone(),
        picture,
        "/news/feed.atom".to_string(),
    ] {
        let request = axum::http::Request::get(&path)
            .header("user-agent", AGENT)
            .header("x-forwarded-for", "203.0.113.9")
            .body(axum::body::Body::empty())
            .expect("request");
        let answer = app.send(request, PEER).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert!(
            answer.header("set-cookie").is_empty(),
            "{path} sets no cookie"
        );
    }
    let stored = app.everything_stored().await;
    let logged = logs.text();
    assert!(
        logged.contains("/news/{post}"),
        "the log was captured: {logged}"
    );
    for secret in [SEARCH, AGENT, "reader-ua-7719", PEER, "203.0.113.9"] {
        assert!(!logged.contains(secret), "{secret:?} in the log");
        assert!(!stored.contains(secret), "{secret:?} in the data");
    }
    app.finish().await;
}

// A current-thread runtime keeps every task under the test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn reading_the_faq_and_news_leaves_no_trace_on_sqlite() {
    readers_leave_no_trace(crate::support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "current_thread")]
async fn reading_the_faq_and_news_leaves_no_trace_on_postgres() {
    readers_leave_no_trace(crate::support::Backend::Postgres).await;
}

//! The citizen shell: Bangla first, English a tap away, 999 everywhere, nothing from elsewhere.

use axum::http::StatusCode;

use crate::on_both;

on_both!(
    home_is_bangla_with_999_and_the_services_that_exist,
    |app: crate::support::TestApp| async move {
        let home = app.get("/").await;
        assert_eq!(home.status, StatusCode::OK);
        assert_eq!(home.attr("html", "lang").as_deref(), Some("bn"));
        assert!(home.has("a.call999[href='tel:999']"));
        assert!(home.has("a[href='/tips/new']"));
        assert!(home.has("a[href='/follow-up']"));
        assert!(home.text("h1").contains("খুলনা"));
    }
);

on_both!(
    every_citizen_page_has_999_and_a_strict_csp,
    |app: crate::support::TestApp| async move {
        for path in [
            "/",
            "/tips/new",
            "/follow-up",
            "/contacts",
            "/contacts?q=%E0%A6%A6%E0%A7%8C%E0%A6%B2%E0%A6%A4%E0%A6%AA%E0%A7%81%E0%A6%B0",
            "/faq",
            "/console/login",
            "/no-such-page",
        ] {
            let page = app.get(path).await;
            let citizen_page = !path.starts_with("/console");
            assert_eq!(
                page.has("a[href='tel:999']"),
                citizen_page,
                "{path}: 999 on citizen pages only"
            );
            let csp = page.header("content-security-policy");
            assert!(csp.contains("default-src 'none'"), "{path} CSP: {csp}");
            assert!(csp.contains("script-src 'self'"), "{path} CSP: {csp}");
            assert!(
                !page.body.contains("https://") && !page.body.contains("http://"),
                "{path} loads nothing from elsewhere"
            );
            assert_eq!(page.header("referrer-policy"), "no-referrer");
        }
    }
);

on_both!(
    english_is_one_tap_away_and_kept_by_a_cookie_only,
    |app: crate::support::TestApp| async move {
        let home = app.get("/").await;
        let switch = home.attr("a.lang-switch", "href").expect("language link");
        assert_eq!(switch, "/lang/en?next=/");
        let switched = app.get("/lang/en?next=/tips/new").await;
        assert_eq!(switched.status, StatusCode::SEE_OTHER);
        assert_eq!(switched.header("location"), "/tips/new");
        let cookie = switched.header("set-cookie");
        assert!(cookie.starts_with("lang=en"), "cookie: {cookie}");
        let english = app.get_with("/tips/new", &[("cookie", "lang=en")]).await;
        assert_eq!(english.attr("html", "lang").as_deref(), Some("en"));
        assert_eq!(english.text("h1"), "Send a secret tip");
        let open_redirect = app.get("/lang/en?next=//evil.example/x").await;
        assert_eq!(open_redirect.header("location"), "/");
    }
);

on_both!(
    the_language_switch_keeps_the_search_words_and_the_page,
    |app: crate::support::TestApp| async move {
        // A search for সোনাডাঙ্গা, read again in English, still shows the search.
        let searched = app
            .get("/contacts?q=%E0%A6%B8%E0%A7%8B%E0%A6%A8%E0%A6%BE")
            .await;
        let switch = searched
            .attr("a.lang-switch", "href")
            .expect("language link");
        assert_eq!(
            switch,
            "/lang/en?next=/contacts&q=%E0%A6%B8%E0%A7%8B%E0%A6%A8%E0%A6%BE"
        );
        let switched = app.get(&switch).await;
        assert_eq!(switched.status, StatusCode::SEE_OTHER);
        assert_eq!(
            switched.header("location"),
            "/contacts?q=%E0%A6%B8%E0%A7%8B%E0%A6%A8%E0%A6%BE"
        );
        let news = app.get("/news?page=1&utm=x").await;
        assert_eq!(
            news.attr("a.lang-switch", "href").as_deref(),
            Some("/lang/en?next=/news&page=1"),
            "the page number is kept, nothing else"
        );
        // Only a search and a page number pass, and only well formed.
        let odd = app
            .get("/lang/bn?next=/news&page=2x&q=%20%20&redirect=//evil.example")
            .await;
        assert_eq!(odd.header("location"), "/news");
        let kept = app.get("/lang/bn?next=/faq&q=fee+%26+cost&page=3").await;
        assert_eq!(kept.header("location"), "/faq?q=fee+%26+cost&page=3");
        // A page answered to a form sent with POST keeps nothing of the form.
        let receipt = app.post_form("/follow-up", &[("receipt", "1")]).await;
        let back = receipt.attr("a.lang-switch", "href").unwrap_or_default();
        assert!(!back.contains("receipt"), "{back}");
    }
);

on_both!(
    static_assets_are_fingerprinted_and_cached,
    |app: crate::support::TestApp| async move {
        let home = app.get("/").await;
        let css = home
            .attr("link[rel=stylesheet]", "href")
            .expect("stylesheet");
        let asset = app.get(&css).await;
        assert_eq!(asset.status, StatusCode::OK);
        assert!(asset.header("cache-control").contains("immutable"));
        assert_eq!(
            app.get("/static/app.0000.css").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

on_both!(health_answers, |app: crate::support::TestApp| async move {
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, "ok");
});

on_both!(
    the_home_page_is_served_gzipped_to_phones_that_ask,
    |app: crate::support::TestApp| async move {
        let plain = app.get("/").await;
        let zipped = app.get_with("/", &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(zipped.status, StatusCode::OK);
        assert_eq!(zipped.header("content-encoding"), "gzip");
        assert_eq!(zipped.header("vary"), "accept-encoding");
        assert!(plain.header("content-encoding").is_empty());
        let zipped_len: usize = zipped.header("content-length").parse().expect("length");
        assert!(!zipped.body.contains("<html"), "the body is compressed");
        assert!(
            zipped_len < plain.body.len() / 2,
            "compressed to under half: {zipped_len}"
        );
        assert!(
            zipped
                .header("content-security-policy")
                .contains("default-src 'none'")
        );
        let english = app.get_with("/", &[("cookie", "lang=en")]).await;
        assert_eq!(
            english.text("h1"),
            "Citizen services of the Khulna Metropolitan Police"
        );
        assert!(
            app.get("/").await.text("h1").contains("খুলনা"),
            "each language has its own page"
        );
    }
);

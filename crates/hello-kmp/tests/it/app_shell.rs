//! The installable app: manifest, icons, and what citizen pages link to.

use axum::http::StatusCode;

use crate::on_both;

const CSS: &str = include_str!("../../static/app.css");

on_both!(
    the_manifest_names_the_app_in_the_readers_language,
    |app: crate::support::TestApp| async move {
        let bangla = app.get("/manifest.webmanifest").await;
        assert_eq!(bangla.status, StatusCode::OK);
        assert_eq!(bangla.header("content-type"), "application/manifest+json");
        let manifest = bangla.json();
        assert_eq!(manifest["short_name"], "হ্যালো কেএমপি");
        assert!(
            manifest["name"]
                .as_str()
                .expect("name")
                .contains("খুলনা মেট্রোপলিটন পুলিশ")
        );
        assert_eq!(manifest["lang"], "bn");
        assert_eq!(manifest["start_url"], "/");
        assert_eq!(manifest["scope"], "/");
        assert_eq!(manifest["display"], "standalone");

        let english = app
            .get_with("/manifest.webmanifest", &[("cookie", "lang=en")])
            .await
            .json();
        assert_eq!(english["short_name"], "Hello KMP");
        assert_eq!(english["name"], "Hello KMP — Khulna Metropolitan Police");
        assert_eq!(english["lang"], "en");
    }
);

on_both!(
    the_theme_colour_is_the_colour_of_the_page_header,
    |app: crate::support::TestApp| async move {
        let manifest = app.get("/manifest.webmanifest").await.json();
        let theme = manifest["theme_color"].as_str().expect("theme colour");
        let header_rule = CSS
            .lines()
            .find(|l| l.starts_with(".top {"))
            .expect("a .top rule in app.css");
        assert!(
            header_rule.contains(&format!("background: {theme}")),
            "{theme} is not the header's background: {header_rule}"
        );
        let home = app.get("/").await;
        assert_eq!(
            home.attr("meta[name=theme-color]", "content").as_deref(),
            Some(theme)
        );
        let background = manifest["background_color"].as_str().expect("background");
        assert!(
            CSS.lines()
                .any(|l| l.starts_with("body {") && l.contains(background))
        );
    }
);

on_both!(
    the_icons_are_pngs_of_their_stated_size,
    |app: crate::support::TestApp| async move {
        let manifest = app.get("/manifest.webmanifest").await.json();
        let icons = manifest["icons"].as_array().expect("icons").clone();
        let mut seen = Vec::new();
        for icon in &icons {
            let src = icon["src"].as_str().expect("src");
            let answer = app.get(src).await;
            assert_eq!(answer.status, StatusCode::OK, "{src}");
            assert!(answer.header("cache-control").contains("immutable"));
            if icon["type"] == "image/svg+xml" {
                assert_eq!(answer.header("content-type"), "image/svg+xml");
                assert!(answer.body.starts_with("<svg"));
                continue;
            }
            assert_eq!(answer.header("content-type"), "image/png");
            let bytes = get_bytes(&app, src).await;
            let picture = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
                .expect("a PNG");
            let side = picture.width();
            assert_eq!(picture.height(), side);
            assert_eq!(icon["sizes"], format!("{side}x{side}"));
            seen.push((side, icon["purpose"].as_str().expect("purpose").to_string()));
        }
        seen.sort();
        assert_eq!(
            seen,
            [
                (192, "any".to_string()),
                (512, "any".to_string()),
                (512, "maskable".to_string())
            ]
        );
        assert_eq!(
            app.get("/static/icon-192.000000000000.png").await.status,
            StatusCode::NOT_FOUND
        );
    }
);

on_both!(
    citizen_pages_link_the_manifest_and_a_real_icon,
    |app: crate::support::TestApp| async move {
        for path in ["/", "/tips/new", "/follow-up", "/no-such-page"] {
            let page = app.get(path).await;
            let icon = page.attr("link[rel=icon]", "href").expect("an icon");
            assert!(icon.starts_with("/static/icon."), "{path}: {icon}");
            assert_eq!(
                app.get(&icon).await.status,
                StatusCode::OK,
                "{path}: {icon}"
            );
            if path != "/no-such-page" {
                assert_eq!(
                    page.attr("link[rel=manifest]", "href").as_deref(),
                    Some("/manifest.webmanifest"),
                    "{path}"
                );
            }
        }
        // Officers' desks are not where the citizens' app is installed from.
        let login = app.get("/console/login").await;
        assert!(!login.has("link[rel=manifest]"));
        assert!(login.has("link[rel=icon]"));
    }
);

async fn get_bytes(app: &crate::support::TestApp, path: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut request = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .expect("request");
    let peer: std::net::SocketAddr = "192.0.2.1:40000".parse().expect("address");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let response = app.router.clone().oneshot(request).await.expect("answer");
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

/// The `SHELL` line the server writes above `static/sw.js`.
fn shell_of(service_worker: &str) -> serde_json::Value {
    let first = service_worker.lines().next().expect("a first line");
    let json = first
        .strip_prefix("var SHELL = ")
        .and_then(|rest| rest.strip_suffix(';'))
        .unwrap_or_else(|| panic!("no SHELL line: {first}"));
    serde_json::from_str(json).expect("SHELL is JSON")
}

on_both!(
    the_service_worker_keeps_the_shell_and_public_pages_only,
    |app: crate::support::TestApp| async move {
        let answer = app.get("/sw.js").await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.header("content-type"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(answer.header("cache-control"), "no-cache");
        assert!(
            answer
                .header("content-security-policy")
                .contains("worker-src 'self'")
        );
        let shell = shell_of(&answer.body);
        assert_eq!(shell["version"].as_str().expect("version").len(), 12);

        let home = app.get("/").await;
        let assets: Vec<String> = serde_json::from_value(shell["assets"].clone()).expect("list");
        for linked in [
            home.attr("link[rel=stylesheet]", "href"),
            home.attr("script[src]", "src"),
            home.attr("link[rel=icon]", "href"),
        ] {
            let linked = linked.expect("the home page links it");
            assert!(assets.contains(&linked), "{linked} is not kept: {assets:?}");
        }
        for asset in &assets {
            assert_eq!(app.get(asset).await.status, StatusCode::OK, "{asset}");
        }

        let pages: Vec<String> = serde_json::from_value(shell["pages"].clone()).expect("list");
        for page in ["/", "/tips/new", "/offline", "/contacts", "/faq"] {
            assert!(
                pages.iter().any(|p| p == page),
                "{page} is not kept: {pages:?}"
            );
        }
        for page in &pages {
            let personal = page.starts_with("/follow-up")
                || page.starts_with("/console")
                || page.starts_with("/api")
                || page == "/tips";
            assert!(!personal, "{page} must never be kept on the phone");
        }
        assert_eq!(shell["fallback"], "/offline");
        assert!(
            answer.body.contains("self.addEventListener(\"fetch\""),
            "static/sw.js follows the SHELL line"
        );
    }
);

on_both!(
    the_offline_page_says_999_works_and_links_the_kept_pages,
    |app: crate::support::TestApp| async move {
        let page = app.get("/offline").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.attr("html", "lang").as_deref(), Some("bn"));
        assert!(page.has("a.call999[href='tel:999']"));
        assert!(page.text("main").contains("৯৯৯"));
        assert!(page.has("main a[href='/']"));
        assert!(page.has("main a[href='/tips/new']"));
        let english = app.get_with("/offline", &[("cookie", "lang=en")]).await;
        assert_eq!(english.text("h1"), "You are not connected");
        assert!(english.text("main").contains("999"));
    }
);

on_both!(
    a_draft_sent_again_after_a_lost_answer_shows_the_same_receipt_and_makes_one_tip,
    |app: crate::support::TestApp| async move {
        use crate::support::receipt_of;
        // What the page's form sends (multipart, with an empty file field), and what a draft
        // kept on the phone sends later: the same fields and token, no file field.
        let fields = [
            ("form_token", "9f86d081884c7d659a2feaa0c55ad015"),
            ("category", "drugs"),
            ("description", "দৌলতপুর রেলগেটের পাশে মাদক\r\nপ্রতি রাতে"),
            ("event_time", ""),
            ("thana", "daulatpur"),
            ("lat", ""),
            ("lon", ""),
            ("contact_name", ""),
            ("contact_phone", ""),
        ];
        let first = app
            .post_multipart("/tips", &fields, &[("", Vec::new())])
            .await;
        assert_eq!(first.status, StatusCode::OK, "{}", first.body);
        let again = app.post_multipart("/tips", &fields, &[]).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(receipt_of(&again), receipt_of(&first));
        assert_eq!(again.text("#tip-reference"), first.text("#tip-reference"));
        assert_eq!(app.count("tips").await, 1);
        // The answer a draft gets is a page the script can recognise as the receipt.
        assert!(again.has("#receipt-ascii"));
    }
);

on_both!(
    citizen_pages_carry_the_draft_notice_in_their_language_and_the_console_does_not,
    |app: crate::support::TestApp| async move {
        let bangla = app.get("/").await;
        assert!(bangla.body.contains("<template id=\"draft-notice\">"));
        assert!(
            bangla.body.contains("এই ফোনে"),
            "says where the draft is kept"
        );
        let english = app.get_with("/tips/new", &[("cookie", "lang=en")]).await;
        assert!(english.body.contains("kept only here, on this phone"));
        assert!(english.body.contains("Delete the waiting tip"));
        assert!(
            !app.get("/console/login")
                .await
                .body
                .contains("draft-notice")
        );
    }
);

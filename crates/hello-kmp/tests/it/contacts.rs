//! The contacts directory: what citizens see at `/contacts` and find with `?q=`, and how editors
//! keep it in the console.

use axum::http::StatusCode;

use crate::on_both;
use crate::support::{Answer, TestApp, form_body};

/// FACTS.md, "The eight thanas": every spelling listed, English and Bangla.
const SPELLINGS: &[(&str, &[&str])] = include!("data/thana_spellings.rs");

async fn search(app: &TestApp, query: &str) -> Answer {
    let answer = app
        .get(&format!("/contacts?{}", form_body(&[("q", query)])))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    answer
}

/// The ids of the search results, in order.
fn result_ids(answer: &Answer) -> Vec<String> {
    let selector = scraper::Selector::parse("#results > li").expect("selector");
    answer
        .html()
        .select(&selector)
        .filter_map(|li| li.value().attr("id").map(str::to_string))
        .collect()
}

fn hrefs(answer: &Answer, css: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(css).expect("selector");
    answer
        .html()
        .select(&selector)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect()
}

on_both!(
    the_page_lists_999_first_then_every_place_and_hotline,
    |app: TestApp| async move {
        let page = app.get("/contacts").await;
        assert_eq!(page.status, StatusCode::OK);
        // 999 comes first, before the search and every list.
        let first = page.attr("li.contact", "id");
        assert_eq!(first.as_deref(), Some("hotline-999"));
        assert_eq!(hrefs(&page, "#emergency a.tel"), ["tel:999"]);
        assert_eq!(page.text("#emergency a.tel"), "৯৯৯", "Bangla digits");
        assert_eq!(page.texts("#thanas > li").len(), 8);
        assert_eq!(page.texts("#units > li").len(), 4);
        assert!(page.text("#contact-kmp_hq .address").contains("খান জাহান আলী"));
        // No station number is published: each thana says so, and shows no empty field.
        assert_eq!(page.texts("#thanas .unpublished").len(), 8);
        assert!(
            page.texts("#thanas .address, #thanas .officer, #thanas .map")
                .is_empty()
        );
        // Every number is a tel: link; the uncertain 333 and operators' notes are not shown.
        let tels = hrefs(&page, "a.tel");
        assert_eq!(tels, ["tel:999", "tel:16163", "tel:109", "tel:16263"]);
        assert!(!page.has("#hotline-333"));
        assert!(!page.body.contains("tel:333"));
        assert!(!page.body.contains("Year of creation"));
        // Without boundaries there is no "my nearest thana".
        assert!(!page.has("#nearest"));

        let english = app.get_with("/contacts", &[("cookie", "lang=en")]).await;
        assert_eq!(english.text("#emergency a.tel"), "999");
        assert!(
            english
                .text("#contact-kmp_hq .address")
                .contains("189 Khan Jahan Ali Road")
        );
        assert!(
            english
                .text("#contact-daulatpur .unpublished")
                .contains("not yet published")
        );
        // The home page leads here.
        assert_eq!(
            app.get("/").await.attr("#home-contacts", "href").as_deref(),
            Some("/contacts")
        );
    }
);

on_both!(
    every_spelling_in_the_facts_finds_its_thana_first,
    |app: TestApp| async move {
        for (key, spellings) in SPELLINGS {
            for spelling in *spellings {
                for typed in [spelling.to_string(), spelling.to_uppercase()] {
                    let answer = search(&app, &typed).await;
                    let ids = result_ids(&answer);
                    assert_eq!(
                        ids.first().map(String::as_str),
                        Some(format!("contact-{key}").as_str()),
                        "{typed:?} found {ids:?}"
                    );
                    // Found though it has no number, and says so.
                    assert!(
                        answer.has(&format!("#contact-{key} .unpublished")),
                        "{typed:?}"
                    );
                }
            }
        }
        // ড় written as ড with a nukta, and ঢ় for ড়: still Aranghata.
        for typed in ["আড\u{09BC}ংঘাটা", "আঢ়ংঘাটা", "arong ghata"] {
            let ids = result_ids(&search(&app, typed).await);
            assert_eq!(
                ids.first().map(String::as_str),
                Some("contact-aranghata"),
                "{typed}"
            );
        }
    }
);

on_both!(
    a_search_finds_hotlines_by_number_and_says_when_nothing_matches,
    |app: TestApp| async move {
        let answer = search(&app, "৯৯৯").await;
        assert_eq!(result_ids(&answer), ["hotline-999"]);
        assert_eq!(hrefs(&answer, "#results a.tel"), ["tel:999"]);
        // Found, 999 is not also pinned above the search; the page's call button stays first.
        assert!(!answer.has("#emergency"), "999 listed twice");
        assert_eq!(answer.attr("a.call999", "href").as_deref(), Some("tel:999"));
        let thana = search(&app, "sonadanga").await;
        assert!(
            thana.has("#emergency #hotline-999"),
            "999 pinned when not found"
        );
        // The uncertain hotline is not found, and the page says nothing matched.
        let none = search(&app, "333").await;
        assert!(none.has("#no-results"));
        assert!(result_ids(&none).is_empty());
        assert_eq!(none.texts("#thanas > li").len(), 8, "the full list follows");
        // A query is kept in the box.
        assert_eq!(none.attr("#q", "value").as_deref(), Some("333"));
        // A run of one letter names no place.
        let letters = search(&app, "aaaaaaaa").await;
        assert!(letters.has("#no-results"));
        assert!(result_ids(&letters).is_empty());
    }
);

async fn phone_of(app: &TestApp, key: &str) -> Option<String> {
    sqlx::query_scalar("SELECT phone FROM places WHERE key = $1")
        .bind(key)
        .fetch_one(app.state.store.reader())
        .await
        .expect("place")
}

async fn audit_details(app: &TestApp, action: &str) -> Vec<(Option<i64>, String)> {
    sqlx::query_as("SELECT officer_id, detail FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(app.state.store.reader())
        .await
        .expect("audit")
}

async fn officer_id(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM officers WHERE username = $1")
        .bind(username)
        .fetch_one(app.state.store.reader())
        .await
        .expect("officer")
}

on_both!(
    an_editor_fills_in_a_thana_and_citizens_see_it_at_once,
    |app: TestApp| async move {
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        let list = editor.get("/console/contacts").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.has("#nav-contacts"));
        assert!(
            list.has("#hotline-333 .to-confirm"),
            "333 is to be confirmed"
        );
        assert!(!list.has("#hotline-999 .to-confirm"));
        assert!(
            list.text("#place-aranghata").contains("2011"),
            "the note, for editors"
        );

        let saved = editor
            .post_form(
                "/console/contacts/sonadanga",
                &[
                    ("phone", "০৪১-৭৬১০০১, +880 1712-345678"),
                    ("address_bn", "সোনাডাঙ্গা, খুলনা"),
                    ("address_en", ""),
                    ("officer_in_charge", "মো. রহিম"),
                    ("station_lat", ""),
                    ("station_lon", ""),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(
            saved.header("location"),
            "/console/contacts/sonadanga?saved=1"
        );
        assert_eq!(
            phone_of(&app, "sonadanga").await.as_deref(),
            Some("+88041761001, +8801712345678"),
            "numbers are kept normalised"
        );
        let page = editor.get("/console/contacts/sonadanga?saved=1").await;
        assert!(page.has("#done"));
        assert_eq!(
            page.attr("#phone", "value").as_deref(),
            Some("041-761001, 01712-345678")
        );

        let citizen = app.get("/contacts").await;
        assert_eq!(
            hrefs(&citizen, "#contact-sonadanga a.tel"),
            ["tel:+88041761001", "tel:+8801712345678"]
        );
        assert_eq!(
            citizen.texts("#contact-sonadanga a.tel"),
            ["০৪১-৭৬১০০১", "০১৭১২-৩৪৫৬৭৮"]
        );
        assert!(
            citizen
                .text("#contact-sonadanga .officer")
                .contains("মো. রহিম")
        );
        assert!(!citizen.has("#contact-sonadanga .unpublished"));
        // The English page shows the Bangla address, marked as Bangla, rather than nothing.
        let english = app.get_with("/contacts", &[("cookie", "lang=en")]).await;
        assert_eq!(
            english
                .attr("#contact-sonadanga .address", "lang")
                .as_deref(),
            Some("bn")
        );
        // The new number is found by its digits.
        assert_eq!(
            result_ids(&search(&app, "761001").await)
                .first()
                .map(String::as_str),
            Some("contact-sonadanga")
        );

        let entries = audit_details(&app, "contact.edit").await;
        let editor_id = officer_id(&app, "editor1").await;
        assert_eq!(
            entries,
            [(
                Some(editor_id),
                "sonadanga: phone, address, officer_in_charge".to_string()
            )]
        );
        // The audit entry names fields, never the values typed.
        assert!(!entries[0].1.contains("761001") && !entries[0].1.contains("রহিম"));

        // Saving the same again changes nothing and records nothing.
        let again = editor
            .post_form(
                "/console/contacts/sonadanga",
                &[
                    ("phone", "041-761001, 01712345678"),
                    ("address_bn", "সোনাডাঙ্গা, খুলনা"),
                    ("officer_in_charge", "মো. রহিম"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        assert_eq!(audit_details(&app, "contact.edit").await.len(), 1);
    }
);

on_both!(
    bad_contact_details_are_refused_in_both_languages_and_kept,
    |app: TestApp| async move {
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        for (fields, field, bn_part, en_part) in [
            (
                [
                    ("phone", "01712-ABC678"),
                    ("station_lat", ""),
                    ("station_lon", ""),
                ],
                "#phone",
                "বাংলাদেশের নম্বর",
                "cannot be dialled",
            ),
            (
                [
                    ("phone", "999, 109, 16163, 16263"),
                    ("station_lat", ""),
                    ("station_lon", ""),
                ],
                "#phone",
                "তিনটি",
                "three at most",
            ),
            (
                [("phone", ""), ("station_lat", "22.8"), ("station_lon", "")],
                "#station_lat",
                "অক্ষাংশ",
                "latitude",
            ),
            (
                [
                    ("phone", ""),
                    ("station_lat", "89.55"),
                    ("station_lon", "22.81"),
                ],
                "#station_lat",
                "বাইরে",
                "swapped",
            ),
        ] {
            let answer = editor
                .post_form("/console/contacts/daulatpur", &fields)
                .await;
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{fields:?}"
            );
            let error = answer.text("#form-error");
            assert!(
                error.contains(bn_part) && error.contains(en_part),
                "{error}"
            );
            assert_eq!(answer.attr(field, "aria-invalid").as_deref(), Some("true"));
            for (name, value) in fields {
                assert_eq!(
                    answer.attr(&format!("#{name}"), "value").as_deref(),
                    Some(value),
                    "{name} kept"
                );
            }
        }
        let long = "ক".repeat(201);
        let answer = editor
            .post_form("/console/contacts/daulatpur", &[("address_bn", &long)])
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            answer.attr("#address_bn", "aria-invalid").as_deref(),
            Some("true")
        );
        // Nothing was written, nothing audited.
        assert_eq!(phone_of(&app, "daulatpur").await, None);
        assert!(audit_details(&app, "contact.edit").await.is_empty());
        // An unknown place is not found.
        let missing = editor
            .post_form("/console/contacts/nowhere", &[("phone", "999")])
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
);

on_both!(
    only_editors_and_administrators_keep_the_contacts,
    |app: TestApp| async move {
        let thana = app
            .officer_with("thana1", "thana_officer", "daulatpur")
            .await;
        assert_eq!(
            thana.get("/console/contacts").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!thana.get("/console/account").await.has("#nav-contacts"));
        let refused = thana
            .post_form("/console/contacts/daulatpur", &[("phone", "041-761001")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = thana
            .post_form("/console/contacts/hotlines/333", &[("confirmed", "1")])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(phone_of(&app, "daulatpur").await, None);

        // The administrator confirms 333: citizens see it, and the change is audited.
        let admin = app.officer().await;
        let done = admin
            .post_form("/console/contacts/hotlines/333", &[("confirmed", "1")])
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        assert_eq!(
            hrefs(&app.get("/contacts").await, "#hotline-333 a.tel"),
            ["tel:333"]
        );
        let undone = admin
            .post_form("/console/contacts/hotlines/333", &[("confirmed", "0")])
            .await;
        assert_eq!(undone.status, StatusCode::SEE_OTHER);
        assert!(!app.get("/contacts").await.has("#hotline-333"));
        let details: Vec<String> = audit_details(&app, "contact.hotline")
            .await
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        assert_eq!(details, ["333: confirmed", "333: to be confirmed"]);
    }
);

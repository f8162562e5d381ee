//! `/api/v1/contacts`: the directory as the page shows it, the page's search, and the nearest
//! thana from the known points of the shared test data (`KMP_GEO_DIR`).

use axum::http::StatusCode;
use serde_json::json;

use super::{get_search, ids};
use crate::jurisdictions::{ATTRIBUTION, THANA_MAP, import_thanas};
use crate::on_both;
use crate::support::TestApp;

fn tels(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .flat_map(|item| item["phones"].as_array().expect("phones").clone())
        .map(|phone| phone["tel"].as_str().expect("a tel: URI").to_string())
        .collect()
}

on_both!(
    the_directory_comes_in_the_page_order_with_empty_fields_left_out,
    |app: TestApp| async move {
        let answer = app.get("/api/v1/contacts").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let json = answer.json();
        assert_eq!(json["emergency"]["id"], "hotline-999");
        assert_eq!(tels(&json!([json["emergency"]])), ["tel:999"]);
        assert_eq!(json["emergency"]["phones"][0]["display_bn"], "৯৯৯");
        assert_eq!(ids(&json["hq"]), ["contact-kmp_hq"]);
        assert_eq!(json["thanas"].as_array().map(Vec::len), Some(8));
        assert_eq!(json["units"].as_array().map(Vec::len), Some(4));
        assert!(
            json["hq"][0]["address_en"]
                .as_str()
                .is_some_and(|a| a.contains("189 Khan Jahan Ali Road"))
        );
        assert!(
            json["hq"][0]["address_bn"]
                .as_str()
                .is_some_and(|a| a.contains("খান জাহান আলী"))
        );
        // The page's hotlines, the uncertain 333 left out as the page leaves it out.
        assert_eq!(
            tels(&json["hotlines"]),
            ["tel:16163", "tel:109", "tel:16263"]
        );
        assert!(!answer.body.contains("333"));
        assert!(
            !answer.body.contains("Year of creation"),
            "no operator note"
        );
        // No thana has a published number or address yet: the fields are not there at all.
        for thana in json["thanas"].as_array().expect("thanas") {
            assert_eq!(thana["phones"], json!([]), "{thana}");
            for field in [
                "address_bn",
                "address_en",
                "officer_in_charge",
                "map",
                "note_en",
            ] {
                assert!(thana.get(field).is_none(), "{field} in {thana}");
            }
        }
        assert!(json.get("results").is_none(), "no search, no results");
        assert_eq!(json["nearest_available"], false);

        // An editor fills in a thana: the app sees it at once, still without the empty fields.
        let editor = app.officer_with("editor1", "editor", "kmp_hq").await;
        let saved = editor
            .post_form(
                "/console/contacts/sonadanga",
                &[
                    ("phone", "০৪১-৭৬১০০১, +880 1712-345678"),
                    ("address_bn", "সোনাডাঙ্গা, খুলনা"),
                    ("address_en", ""),
                    ("officer_in_charge", "মো. রহিম"),
                    ("station_lat", "22.8170"),
                    ("station_lon", "89.5500"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        let json = app.get("/api/v1/contacts").await.json();
        let sonadanga = json["thanas"]
            .as_array()
            .expect("thanas")
            .iter()
            .find(|t| t["key"] == "sonadanga")
            .expect("Sonadanga")
            .clone();
        assert_eq!(
            tels(&json!([sonadanga])),
            ["tel:+88041761001", "tel:+8801712345678"]
        );
        assert_eq!(sonadanga["phones"][0]["display"], "041-761001");
        assert_eq!(sonadanga["phones"][1]["display_bn"], "০১৭১২-৩৪৫৬৭৮");
        assert_eq!(sonadanga["address_bn"], "সোনাডাঙ্গা, খুলনা");
        assert!(sonadanga.get("address_en").is_none(), "{sonadanga}");
        assert_eq!(sonadanga["officer_in_charge"], "মো. রহিম");
        assert_eq!(sonadanga["map"], "geo:22.817000,89.550000");
        assert_eq!(sonadanga["kind"], "thana");
    }
);

/// The ids of the page's search results, in order.
async fn page_results(app: &TestApp, query: &str) -> Vec<String> {
    let page = get_search(app, "/contacts", query).await;
    let selector = scraper::Selector::parse("#results > li").expect("selector");
    page.html()
        .select(&selector)
        .filter_map(|li| li.value().attr("id").map(str::to_string))
        .collect()
}

on_both!(
    the_search_finds_what_the_page_finds_in_the_same_order,
    |app: TestApp| async move {
        for query in [
            "Doulatpur",
            "খুলনা থানা",
            "KOTWALI",
            "আঢ়ংঘাটা",
            "৯৯৯",
            "fire service",
            "thana",
            "333",
            "Chattogram",
        ] {
            let answer = get_search(&app, "/api/v1/contacts", query).await;
            assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
            let found = ids(&answer.json()["results"]);
            assert_eq!(found, page_results(&app, query).await, "{query}");
        }
        let found = |query: &'static str| {
            let app = app.clone();
            async move { ids(&get_search(&app, "/api/v1/contacts", query).await.json()["results"]) }
        };
        assert_eq!(
            found("Doulatpur").await.first().map(String::as_str),
            Some("contact-daulatpur")
        );
        assert_eq!(found("৯৯৯").await, ["hotline-999"]);
        assert_eq!(
            found("fire service").await,
            ["hotline-16163", "hotline-999"]
        );
        assert!(
            found("333").await.is_empty(),
            "the uncertain hotline is not found"
        );
        assert!(found("Chattogram").await.is_empty());
        // A blank search is no search.
        let blank = get_search(&app, "/api/v1/contacts", "   ").await.json();
        assert!(blank.get("results").is_none());
    }
);

async fn nearest(app: &TestApp, lat: f64, lon: f64) -> serde_json::Value {
    let answer = app
        .post_json("/api/v1/contacts/nearest", json!({"lat": lat, "lon": lon}))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{lat},{lon}: {}",
        answer.body
    );
    answer.json()
}

on_both!(
    the_nearest_thana_of_the_known_points,
    |app: TestApp| async move {
        import_thanas(&app, &THANA_MAP).await;
        let listed = app.get("/api/v1/contacts").await.json();
        assert_eq!(listed["nearest_available"], true);

        for (lat, lon, thana) in [
            (22.80361, 89.56778, "khulna_sadar"),
            (22.8083, 89.5667, "khulna_sadar"),
            (22.817, 89.550, "sonadanga"),
        ] {
            let found = nearest(&app, lat, lon).await;
            assert_eq!(found["answer"], "in", "{lat},{lon}: {found}");
            assert_eq!(ids(&found["thanas"]), [format!("contact-{thana}")]);
            assert_eq!(found["attribution"], ATTRIBUTION);
        }
        // About 330 m inside Daulatpur: Daulatpur first, and its neighbour.
        let edge = nearest(&app, 22.8883, 89.517).await;
        assert_eq!(edge["answer"], "near_edge");
        assert_eq!(
            ids(&edge["thanas"]),
            ["contact-daulatpur", "contact-khan_jahan_ali"]
        );
        // Harintana's railway station lies outside the five census thanas: every thana listed.
        let outside = nearest(&app, 22.791314, 89.520155).await;
        assert_eq!(outside["answer"], "outside", "{outside}");
        assert_eq!(outside["thanas"].as_array().map(Vec::len), Some(8));
        assert_eq!(outside["thanas"][0]["kind"], "thana");
        // Bangla digits are a page's business; the app sends numbers.
        let app_bn = app
            .post_json(
                "/api/v1/contacts/nearest",
                json!({"lat": "২২.৮১৭", "lon": "৮৯.৫৫০"}),
            )
            .await;
        assert_eq!(app_bn.status, StatusCode::BAD_REQUEST);
    }
);

//! Jurisdictions, with the census boundaries of the shared test data (read from `KMP_GEO_DIR`,
//! never kept in the repository): the known points of its README as routing cases, a point
//! outside every polygon, the margin around boundaries, tips routed by their point, and the
//! `import boundaries` command.

use axum::http::StatusCode;
use hello_kmp::domain::tip::GeoPoint;
use hello_kmp::services::jurisdictions::{self, Jurisdictions, Location, Mapping};

use crate::on_both;
use crate::support::{Backend, TestApp, geo_file};

/// The census thanas' `name_en` (ADM3) and the KMP thana each one is.
pub const THANA_MAP: [&str; 5] = [
    "Daulatpur=daulatpur",
    "Khalishpur=khalishpur",
    "Khan Jahan Ali=khan_jahan_ali",
    "Khulna Sadar=khulna_sadar",
    "Sonadanga=sonadanga",
];

pub const ATTRIBUTION: &str = "Boundaries: Bangladesh Bureau of Statistics / OCHA (CC BY 3.0 IGO)";

/// The known points of `geo/README.md` that lie well inside a thana.
const KNOWN: [(f64, f64, &str); 3] = [
    (22.80361, 89.56778, "khulna_sadar"),
    (22.8083, 89.5667, "khulna_sadar"),
    (22.817, 89.550, "sonadanga"),
];
/// About 330 m inside Daulatpur.
const DAULATPUR_EDGE: (f64, f64) = (22.8883, 89.517);
/// A railway station in Harintana thana's area, outside the five census thanas.
const HARINTANA_STATION: (f64, f64) = (22.791314, 89.520155);

fn point((lat, lon): (f64, f64)) -> GeoPoint {
    GeoPoint::new(lat, lon).expect("a valid point")
}

/// Imports the census thanas as an operator would, through the service the command uses.
pub async fn import_thanas(app: &TestApp, map: &[&str]) {
    let path = geo_file("khulna-bbs-thanas.geojson");
    let text = std::fs::read_to_string(&path).expect("the thanas file reads");
    let mapping = Mapping::parse(map.iter().copied(), &app.state.reference).expect("mapping");
    let plan = jurisdictions::plan_import(&text, "name_en", &mapping).expect("importable");
    jurisdictions::replace(&app.state.store, plan, ATTRIBUTION)
        .await
        .expect("imported");
}

async fn locate(app: &TestApp, at: (f64, f64)) -> Option<Location> {
    app.state
        .jurisdictions
        .locate(&app.state.store, point(at))
        .await
        .expect("located")
}

on_both!(
    the_known_points_route_to_their_thanas,
    |app: TestApp| async move {
        assert_eq!(
            locate(&app, (KNOWN[0].0, KNOWN[0].1)).await,
            None,
            "no boundaries yet, no answer"
        );
        import_thanas(&app, &THANA_MAP).await;
        for (lat, lon, thana) in KNOWN {
            assert_eq!(
                locate(&app, (lat, lon)).await,
                Some(Location::Routed(thana.to_string())),
                "{lat}, {lon}"
            );
        }
        // 330 m inside Daulatpur is within the default 400 m of its edge: not routed.
        let Some(Location::NeedsConfirmation { candidates }) = locate(&app, DAULATPUR_EDGE).await
        else {
            panic!("the Daulatpur point needs confirmation");
        };
        assert_eq!(candidates[0].thana, "daulatpur");
        assert!(candidates[0].inside);
        assert!(
            (250.0..400.0).contains(&candidates[0].distance_m),
            "about 330 m inside: {candidates:?}"
        );
        // The railway station lies outside every polygon: never routed.
        match locate(&app, HARINTANA_STATION).await {
            Some(Location::Outside) => {}
            Some(Location::NeedsConfirmation { candidates }) => {
                assert!(candidates.iter().all(|c| !c.inside), "{candidates:?}")
            }
            other => panic!("the Harintana station point was {other:?}"),
        }
        // With a 100 m margin the Daulatpur point is routed.
        let narrow = Jurisdictions::new(100.0);
        assert_eq!(
            narrow
                .locate(&app.state.store, point(DAULATPUR_EDGE))
                .await
                .expect("located"),
            Some(Location::Routed("daulatpur".into()))
        );
    }
);

/// A margin set in the settings reaches the look-ups.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_margin_is_a_setting() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::start_with(backend, |s| s.jurisdiction_margin_m = 100.0).await;
        import_thanas(&app, &THANA_MAP).await;
        assert_eq!(
            locate(&app, DAULATPUR_EDGE).await,
            Some(Location::Routed("daulatpur".into())),
            "{backend:?}"
        );
        app.finish().await;
    }
}

on_both!(
    a_new_import_is_seen_at_the_next_look_up,
    |app: TestApp| async move {
        import_thanas(&app, &THANA_MAP).await;
        let sonadanga = (KNOWN[2].0, KNOWN[2].1);
        assert_eq!(
            locate(&app, sonadanga).await,
            Some(Location::Routed("sonadanga".into()))
        );
        // Another import (here, a wrong one) replaces the first everywhere at once.
        let mut swapped = THANA_MAP;
        swapped[4] = "Sonadanga=khalishpur";
        swapped[1] = "Khalishpur=sonadanga";
        import_thanas(&app, &swapped).await;
        assert_eq!(
            locate(&app, sonadanga).await,
            Some(Location::Routed("khalishpur".into()))
        );
        assert_eq!(app.count("boundaries").await, 5, "replaced, not added");
        let details: Vec<String> =
            sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'boundaries.import'")
                .fetch_all(app.state.store.reader())
                .await
                .expect("audit");
        assert_eq!(details, ["5 features for 5 thanas"; 2]);
    }
);

on_both!(
    the_wards_of_a_thana_make_one_territory,
    |app: TestApp| async move {
        // 36 ward and union polygons, given to their thanas by `parent_adm3_en`; Jalma union
        // (Batiaghata) is left out. The edges between a thana's own wards are no boundary.
        let text = std::fs::read_to_string(geo_file("khulna-bbs-wards.geojson")).expect("reads");
        let mut map: Vec<&str> = THANA_MAP.to_vec();
        map.push("Batiaghata=-");
        let mapping = Mapping::parse(map, &app.state.reference).expect("mapping");
        let plan = jurisdictions::plan_import(&text, "parent_adm3_en", &mapping).expect("plan");
        assert_eq!((plan.features.len(), plan.left_out), (35, 1));
        jurisdictions::replace(&app.state.store, plan, ATTRIBUTION)
            .await
            .expect("imported");
        for (lat, lon, thana) in KNOWN {
            assert_eq!(
                locate(&app, (lat, lon)).await,
                Some(Location::Routed(thana.to_string())),
                "{lat}, {lon}"
            );
        }
        assert!(!matches!(
            locate(&app, HARINTANA_STATION).await,
            Some(Location::Routed(_))
        ));
    }
);

/// What a tip landed as: thana, desk, copy and the place-check flag.
async fn tip_row(app: &TestApp) -> (Option<String>, Option<String>, Option<String>, i64) {
    sqlx::query_as(
        "SELECT thana_key, assigned_place, copy_place, needs_place_check FROM tips \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.state.store.reader())
    .await
    .expect("a tip")
}

async fn send_tip(app: &TestApp, category: &str, thana: &str, at: (f64, f64)) -> String {
    let (lat, lon) = (at.0.to_string(), at.1.to_string());
    let sent = app
        .post_form(
            "/tips",
            &[
                ("category", category),
                ("description", "routed by its point"),
                ("thana", thana),
                ("lat", &lat),
                ("lon", &lon),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    sent.text("#tip-reference")
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

on_both!(
    tips_with_a_point_are_routed_by_it_or_marked,
    |app: TestApp| async move {
        // Before any import, a point inside KMP's area is routed by the thana named, unmarked.
        send_tip(&app, "theft", "", (KNOWN[2].0, KNOWN[2].1)).await;
        assert_eq!(tip_row(&app).await, (None, some("control_room"), None, 0));

        import_thanas(&app, &THANA_MAP).await;
        // Inside Sonadanga, no thana named: the point decides the thana and the desk.
        send_tip(&app, "theft", "", (KNOWN[2].0, KNOWN[2].1)).await;
        assert_eq!(
            tip_row(&app).await,
            (some("sonadanga"), some("sonadanga"), None, 0)
        );
        // Drugs in Khulna Sadar: the thana's desk, copied to the Detective Branch by the rules.
        send_tip(&app, "drugs", "khulna_sadar", (KNOWN[0].0, KNOWN[0].1)).await;
        assert_eq!(
            tip_row(&app).await,
            (
                some("khulna_sadar"),
                some("khulna_sadar"),
                some("detective_branch"),
                0
            )
        );
        // Near Daulatpur's edge, no thana named: the control room, marked.
        let near_edge = send_tip(&app, "theft", "", DAULATPUR_EDGE).await;
        assert_eq!(tip_row(&app).await, (None, some("control_room"), None, 1));
        // Near the edge with the thana named: the tipster's thana, still marked.
        send_tip(&app, "theft", "daulatpur", DAULATPUR_EDGE).await;
        assert_eq!(
            tip_row(&app).await,
            (some("daulatpur"), some("daulatpur"), None, 1)
        );
        // Outside every boundary: the named thana (Harintana has none), marked.
        let outside = send_tip(&app, "theft", "harintana", HARINTANA_STATION).await;
        assert_eq!(
            tip_row(&app).await,
            (some("harintana"), some("harintana"), None, 1)
        );
        // The point in Sonadanga, the tipster naming Khalishpur: their word, marked.
        let disagree = send_tip(&app, "theft", "khalishpur", (KNOWN[2].0, KNOWN[2].1)).await;
        assert_eq!(
            tip_row(&app).await,
            (some("khalishpur"), some("khalishpur"), None, 1)
        );

        // The console says what needs confirming, and where the point may lie.
        let admin = app.officer().await;
        let page = admin.get(&format!("/console/tips/{near_edge}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.text("#place-candidates").contains("দৌলতপুর"),
            "{}",
            page.text("#place-check")
        );
        assert!(page.has("#place-check.place-near"));
        // The officer is shown every thana a citizen standing there is told of, the neighbour
        // across the edge included.
        let told = app
            .post_json(
                "/api/v1/contacts/nearest",
                serde_json::json!({"lat": DAULATPUR_EDGE.0, "lon": DAULATPUR_EDGE.1}),
            )
            .await;
        let told: Vec<String> = told.json()["thanas"]
            .as_array()
            .expect("thanas")
            .iter()
            .filter_map(|t| t["name_bn"].as_str().map(str::to_string))
            .collect();
        assert!(told.len() >= 2, "{told:?}");
        for name in &told {
            assert!(
                page.text("#place-candidates")
                    .contains(name.trim_end_matches(" থানা")),
                "{name} missing from {}",
                page.text("#place-candidates")
            );
        }
        let page = admin.get(&format!("/console/tips/{outside}")).await;
        assert!(
            page.has("#place-check.place-outside") || page.has("#place-check.place-near"),
            "{}",
            page.body
        );
        assert!(!page.text("#place-check").contains("হরিণটানা"));
        let page = admin.get(&format!("/console/tips/{disagree}")).await;
        assert!(page.has("#place-check.place-in"));
        assert!(page.text("#place-candidates").contains("সোনাডাঙ্গা"));
        // The point itself stays sealed: the row keeps no coordinates.
        let stored: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tips WHERE lat IS NOT NULL OR lon IS NOT NULL",
        )
        .fetch_one(app.state.store.reader())
        .await
        .expect("count");
        assert_eq!(stored, 0);
    }
);

/// `hello-kmp import boundaries` against a database a server made, on each engine: a bad
/// mapping, an unmapped feature and a file that is no GeoJSON are refused with what to do and
/// write nothing; a good import says what it loaded, `--list` shows it, and a later refused
/// import leaves it as it was.
fn the_import_command_on(backend: Backend) {
    use crate::startup::{block_on, run};

    struct Schema(String);
    impl Drop for Schema {
        fn drop(&mut self) {
            block_on(crate::support::drop_schema(&self.0));
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("UTF-8 path").to_string();
    let (url, _schema) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", data.join("hello-kmp.db").display()),
            None,
        ),
        Backend::Postgres => {
            let schema = Schema(format!("t_{}", hello_kmp::sealing::random_hex(8)));
            block_on(crate::support::create_schema(&schema.0));
            let url = format!(
                "{}?options=-csearch_path%3D{}",
                crate::support::pg_base_url(),
                schema.0
            );
            (url, Some(schema))
        }
    };
    let cli = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data-dir", &data_arg]);
        if backend == Backend::Postgres {
            all.extend(["--database-url", &url]);
        }
        let output = run(dir.path(), &all);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (
            output.status.success(),
            text(&output.stdout),
            text(&output.stderr),
        )
    };
    let stored = || {
        block_on(async {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&url).await.expect("database");
            let counts: (i64, i64) = sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM boundaries), \
                 (SELECT version FROM boundary_set WHERE id = 1)",
            )
            .fetch_one(&pool)
            .await
            .expect("counts");
            let audited: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'boundaries.import'",
            )
            .fetch_one(&pool)
            .await
            .expect("audit");
            pool.close().await;
            (counts.0, counts.1, audited)
        })
    };
    assert!(cli(&["migrate"]).0, "migrated");
    let file = geo_file("khulna-bbs-thanas.geojson");
    let file = file.to_str().expect("UTF-8 path");
    let import = |maps: &[&str]| {
        let mut args = vec!["import", "boundaries", file, "--property", "name_en"];
        for m in maps {
            args.extend(["--map", m]);
        }
        cli(&args)
    };

    let mut wrong = THANA_MAP;
    wrong[0] = "Daulatpur=dowlatpur";
    let (ok, _, stderr) = import(&wrong);
    assert!(!ok);
    assert!(
        stderr.contains("\"dowlatpur\" in the mapping is not a thana")
            && stderr.contains("daulatpur"),
        "{stderr}"
    );
    wrong[0] = "Daulatpur=traffic";
    assert!(
        import(&wrong).2.contains("not a thana"),
        "a unit is no thana"
    );
    let (ok, _, stderr) = import(&THANA_MAP[..4]);
    assert!(!ok);
    assert!(
        stderr.contains("--map \"Sonadanga=THANA_KEY\"") && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    let junk = dir.path().join("junk.geojson");
    std::fs::write(&junk, "{\"type\": \"Feature\", \"geometry\": ").expect("written");
    let (ok, _, stderr) = cli(&[
        "import",
        "boundaries",
        junk.to_str().expect("path"),
        "--property",
        "name_en",
    ]);
    assert!(!ok && stderr.contains("not valid GeoJSON"), "{stderr}");
    assert_eq!(stored(), (0, 0, 0), "a refused import writes nothing");

    // The mapping from a file, as an operator keeps it.
    let map_file = dir.path().join("thanas.map");
    std::fs::write(
        &map_file,
        format!("# census name = KMP thana\n{}\n", THANA_MAP.join("\n")),
    )
    .expect("written");
    let (ok, stdout, stderr) = cli(&[
        "import",
        "boundaries",
        file,
        "--property",
        "name_en",
        "--map-file",
        map_file.to_str().expect("path"),
        "--attribution",
        ATTRIBUTION,
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("Imported 5 features for 5 thanas"),
        "{stdout}"
    );
    assert!(
        stdout.contains("aranghata, harintana, labanchara"),
        "{stdout}"
    );
    assert_eq!(stored(), (5, 1, 1));
    let (ok, listed, _) = cli(&["import", "boundaries", "--list"]);
    assert!(ok);
    assert!(
        listed.contains("Boundaries version 1")
            && listed
                .lines()
                .any(|l| l.starts_with("daulatpur") && l.contains("Daulatpur"))
            && listed
                .lines()
                .any(|l| l.starts_with("harintana") && l.contains("no boundary"))
            && listed.contains(ATTRIBUTION),
        "{listed}"
    );
    // A refused import later leaves the loaded boundaries as they are.
    assert!(!import(&THANA_MAP[1..]).0);
    assert_eq!(stored(), (5, 1, 1));
    // --clear removes them, audited too.
    let (ok, stdout, stderr) = cli(&["import", "boundaries", "--clear"]);
    assert!(
        ok && stdout.contains("Every boundary is removed"),
        "{stderr}"
    );
    assert_eq!(stored(), (0, 2, 2));
    assert!(
        cli(&["import", "boundaries", "--list"])
            .1
            .contains("No boundaries are loaded")
    );
}

#[test]
fn the_import_command_refuses_bad_mappings_and_writes_nothing_on_sqlite() {
    the_import_command_on(Backend::Sqlite);
}

#[test]
fn the_import_command_refuses_bad_mappings_and_writes_nothing_on_postgres() {
    the_import_command_on(Backend::Postgres);
}

/// The ids of the thanas "my nearest thana" names.
fn nearest_ids(answer: &crate::support::Answer) -> Vec<String> {
    let selector = scraper::Selector::parse("#nearest-thanas > li").expect("selector");
    answer
        .html()
        .select(&selector)
        .filter_map(|li| li.value().attr("id").map(str::to_string))
        .collect()
}

async fn nearest(app: &TestApp, lat: &str, lon: &str) -> crate::support::Answer {
    app.post_form("/contacts/nearest", &[("lat", lat), ("lon", lon)])
        .await
}

on_both!(
    my_nearest_thana_answers_from_the_boundaries,
    |app: TestApp| async move {
        // No boundaries: no button, and the answer sends back to the list.
        assert!(!app.get("/contacts").await.has("#nearest"));
        let early = nearest(&app, "22.817", "89.550").await;
        assert_eq!(early.status, StatusCode::SEE_OTHER);
        assert_eq!(early.header("location"), "/contacts");

        import_thanas(&app, &THANA_MAP).await;
        let page = app.get("/contacts").await;
        assert!(page.has("#nearest-form[method=post][action='/contacts/nearest']"));
        // Hidden until the script can ask the phone where it is.
        assert!(page.attr("#nearest", "hidden").is_some());

        let inside = nearest(&app, "২২.৮১৭", "৮৯.৫৫০").await;
        assert_eq!(inside.status, StatusCode::OK, "{}", inside.body);
        assert_eq!(nearest_ids(&inside), ["contact-sonadanga"]);
        assert!(inside.has("#contact-sonadanga .unpublished"));
        assert!(inside.text("#nearest-answer").contains("এই থানার এলাকায়"));
        assert_eq!(inside.text("#attribution"), ATTRIBUTION);
        assert!(inside.has("#nearest-not-kept"));

        // Near Daulatpur's edge: Daulatpur, and its neighbour, may be either.
        let edge = nearest(&app, "22.8883", "89.517").await;
        assert_eq!(
            nearest_ids(&edge),
            ["contact-daulatpur", "contact-khan_jahan_ali"]
        );
        assert!(edge.text("#nearest-answer").contains("পাশের থানা"));

        // Outside every polygon: said so, and every thana listed.
        let outside = nearest(&app, "22.791314", "89.520155").await;
        assert!(nearest_ids(&outside).is_empty());
        assert!(outside.text("#nearest-answer").contains("ভেতরে নয়"));
        assert_eq!(outside.texts("#thanas > li").len(), 8);

        let english = app
            .post_form_as(
                "/contacts/nearest",
                &[("lat", "22.817"), ("lon", "89.550")],
                &[("cookie", "lang=en")],
                "192.0.2.1",
            )
            .await;
        assert!(
            english
                .text("#nearest-answer")
                .contains("in the area of this thana")
        );

        // A point that is no point: refused on the contacts page, in both languages.
        let bad = nearest(&app, "north", "89.55").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.has("#form-error .other-lang"));
        assert!(bad.has("#thanas"));
        // A reload of the answer goes back to the list.
        assert_eq!(
            app.get("/contacts/nearest").await.status,
            StatusCode::SEE_OTHER
        );
    }
);

/// The point sent for "my nearest thana", or with a tip, reaches no log and no table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_are_neither_logged_nor_stored() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (logs, _guard) = crate::support::LogCapture::start();
        let app = TestApp::start(backend).await;
        import_thanas(&app, &THANA_MAP).await;
        let answer = nearest(&app, "22.8171234", "89.5504321").await;
        assert_eq!(answer.status, StatusCode::OK);
        send_tip(&app, "theft", "", (22.8881234, 89.5174321)).await;
        let text = logs.text();
        assert!(text.contains("tip received"), "the capture works");
        let dump = app.dump_database().await;
        for digits in ["8171234", "5504321", "8881234", "5174321"] {
            assert!(!text.contains(digits), "{backend:?}: {digits} logged");
            assert!(!dump.contains(digits), "{backend:?}: {digits} stored");
        }
        app.finish().await;
    }
}

/// The thana and the check flag stored for the newest SOS alert.
async fn alert_place(app: &TestApp) -> (Option<String>, i64) {
    use sqlx::Row;
    let row =
        sqlx::query("SELECT thana_key, needs_place_check FROM sos_alerts ORDER BY id DESC LIMIT 1")
            .fetch_one(app.state.store.reader())
            .await
            .expect("an alert");
    (row.get("thana_key"), row.get("needs_place_check"))
}

async fn send_alert(app: &TestApp, (lat, lon): (f64, f64)) {
    let sent = crate::sos::send_from(app, (&lat.to_string(), &lon.to_string()), "").await;
    crate::sos::reference_of(&sent);
}

on_both!(
    sos_alerts_are_placed_by_the_boundaries_like_tips,
    |plain: TestApp| async move {
        // More alerts from one square than the default cap allows.
        let app = TestApp::start_with(plain.backend, |s| s.sos.alerts_per_area = 100).await;
        // Before any import, a point in the area is placed nowhere and not flagged.
        send_alert(&app, (KNOWN[2].0, KNOWN[2].1)).await;
        assert_eq!(alert_place(&app).await, (None, 0));
        import_thanas(&app, &THANA_MAP).await;
        for (lat, lon, thana) in KNOWN {
            send_alert(&app, (lat, lon)).await;
            assert_eq!(alert_place(&app).await, (some(thana), 0), "{lat},{lon}");
        }
        // Near a boundary, or outside every one: no thana, and the control room checks it.
        for at in [DAULATPUR_EDGE, HARINTANA_STATION] {
            send_alert(&app, at).await;
            assert_eq!(alert_place(&app).await, (None, 2), "{at:?}");
        }
        // The board names the thana in the officer's language, and says an uncertain thana is
        // uncertain, not outside KMP's area (the points are inside its box).
        let admin = app.officer().await;
        let board = admin.get("/console/sos").await;
        assert!(board.body.contains("সোনাডাঙ্গা"), "{}", board.body);
        assert_eq!(board.texts(".sos-alert .flag").len(), 2, "{}", board.body);
        for flag in board.texts(".sos-alert .flag") {
            assert!(flag.contains("থানা নিশ্চিত নয়"), "{flag}");
        }
        app.finish().await;
    }
);

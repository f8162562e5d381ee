//! The authorization matrix: every console route × every role × an officer of the tip's own
//! desk and one of another, with the expected answer. The routes come from the console's route
//! table, so a route added without a rule here fails this test.

#[allow(unused_imports)]
use super::*;
use crate::on_both;
use crate::support::Officer;
use axum::http::Method;

/// Who a route is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// The log-in page itself: anyone.
    Public,
    /// Steps of a log-in in progress: a finished session is sent on to the console.
    LoginStep,
    /// Every signed-in officer (their own account).
    AnyOfficer,
    /// Ending sessions: back to the log-in page.
    LogOut,
    /// The queue: roles with tips see it; editors and auditors are sent to their own page.
    Queue,
    /// Reading the tip.
    TipRead,
    /// Internal notes: the tip's desk and the desk it is copied to.
    TipNote,
    /// Changing the tip: its desk only (and administrators).
    TipWork,
    /// Accounts and routing rules.
    Admin,
    /// The audit log.
    Audit,
    /// The contacts directory: editors and administrators.
    Contacts,
    /// The SOS board: the control room, headquarters and administrators.
    SosWatch,
    /// Steps on SOS alerts: the control room and administrators.
    SosWork,
    /// The FAQ and the news: editors and administrators.
    Content,
}

/// The rule for each route, by exact method and path. There is deliberately no catch-all.
fn rule(method: &Method, path: &str) -> Rule {
    match (method.as_str(), path) {
        ("GET" | "POST", "/console/login") => Rule::Public,
        (
            "GET" | "POST",
            "/console/login/code" | "/console/login/password" | "/console/login/enrol",
        ) => Rule::LoginStep,
        ("POST", "/console/logout" | "/console/account/sessions/end") => Rule::LogOut,
        ("GET", "/console") => Rule::Queue,
        (
            "GET",
            "/console/tips/{reference}"
            | "/console/tips/{reference}/attachments/{uid}"
            | "/console/tips/{reference}/attachments/{uid}/thumbnail",
        ) => Rule::TipRead,
        ("POST", "/console/tips/{reference}/messages") => Rule::TipNote,
        (
            "POST",
            "/console/tips/{reference}/status"
            | "/console/tips/{reference}/assign"
            | "/console/tips/{reference}/transfer"
            | "/console/tips/{reference}/duplicate"
            | "/console/tips/{reference}/priority"
            | "/console/tips/{reference}/due",
        ) => Rule::TipWork,
        ("GET", "/console/account") | ("POST", "/console/account/password") => Rule::AnyOfficer,
        ("GET" | "POST", "/console/officers" | "/console/officers/{username}")
        | (
            "POST",
            "/console/officers/{username}/disable"
            | "/console/officers/{username}/enable"
            | "/console/officers/{username}/unlock"
            | "/console/officers/{username}/reset-password"
            | "/console/officers/{username}/reset-2fa",
        ) => Rule::Admin,
        ("GET" | "POST", "/console/routing") | ("POST", "/console/routing/{id}/delete") => {
            Rule::Admin
        }
        ("GET", "/console/audit" | "/console/audit/export") => Rule::Audit,
        ("GET" | "POST", "/console/contacts/{key}")
        | ("GET", "/console/contacts")
        | ("POST", "/console/contacts/hotlines/{number}") => Rule::Contacts,
        ("GET", "/console/sos" | "/console/sos/events") => Rule::SosWatch,
        (
            "POST",
            "/console/sos/{alert}/acknowledge"
            | "/console/sos/{alert}/dispatch"
            | "/console/sos/{alert}/close",
        ) => Rule::SosWork,
        (
            "GET" | "POST",
            "/console/faq" | "/console/faq/{entry}" | "/console/faq/groups/{group}",
        )
        | ("GET", "/console/faq/new")
        | (
            "POST",
            "/console/faq/{entry}/move"
            | "/console/faq/{entry}/publish"
            | "/console/faq/{entry}/unpublish"
            | "/console/faq/{entry}/delete"
            | "/console/faq/groups"
            | "/console/faq/groups/{group}/move"
            | "/console/faq/groups/{group}/delete",
        ) => Rule::Content,
        ("GET" | "POST", "/console/news" | "/console/news/{post}")
        | ("GET", "/console/news/new" | "/console/news/{post}/picture")
        | (
            "POST",
            "/console/news/{post}/publish"
            | "/console/news/{post}/unpublish"
            | "/console/news/{post}/delete",
        ) => Rule::Content,
        (m, p) => panic!("no rule for console route {m} {p}: add it to the authorization matrix"),
    }
}

/// What the answer must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Anything but 403, a 5xx or a trip back to log in.
    Allowed,
    Forbidden,
    /// A redirect to this place.
    SentTo(&'static str),
}

fn expect(rule: Rule, role: &str, own: bool) -> Expect {
    use Expect::*;
    let tips = !matches!(role, "editor" | "auditor");
    match rule {
        Rule::Public | Rule::AnyOfficer => Allowed,
        Rule::LoginStep => SentTo("/console"),
        Rule::LogOut => SentTo("/console/login"),
        Rule::Queue if tips => Allowed,
        Rule::Queue if role == "auditor" => SentTo("/console/audit"),
        Rule::Queue => SentTo("/console/account"),
        Rule::TipRead => match role {
            "administrator" | "headquarters" => Allowed,
            "thana_officer" | "unit_officer" if own => Allowed,
            _ => Forbidden,
        },
        Rule::TipNote => match role {
            "administrator" => Allowed,
            "thana_officer" | "unit_officer" if own => Allowed,
            _ => Forbidden,
        },
        Rule::TipWork => match role {
            "administrator" => Allowed,
            "thana_officer" if own => Allowed,
            // The unit's own tie to this tip is a copy: it reads and notes, never works it.
            _ => Forbidden,
        },
        Rule::Admin if role == "administrator" => Allowed,
        Rule::Audit if matches!(role, "administrator" | "auditor") => Allowed,
        Rule::Contacts if matches!(role, "administrator" | "editor") => Allowed,
        Rule::Content if matches!(role, "administrator" | "editor") => Allowed,
        Rule::Admin | Rule::Audit | Rule::Contacts | Rule::Content => Forbidden,
        // The SOS board is not a desk's tips: see `expect_at`.
        Rule::SosWatch | Rule::SosWork => Forbidden,
    }
}

/// The answer for an officer of `role` at `place`: the SOS board belongs to the control room
/// (its own desk), whatever the tip's desk; every other rule follows the tip's desk (`own`).
fn expect_at(rule: Rule, role: &str, own: bool, place: &str) -> Expect {
    let control_room = role == "unit_officer" && place == "control_room";
    match rule {
        Rule::SosWatch | Rule::SosWork if role == "administrator" || control_room => {
            Expect::Allowed
        }
        Rule::SosWatch if role == "headquarters" => Expect::Allowed,
        Rule::SosWatch | Rule::SosWork => Expect::Forbidden,
        other => expect(other, role, own),
    }
}

/// The places of the "own" and "other" officer of each role. The tip is a drugs tip from
/// Sonadanga: its desk is Sonadanga thana, copied to the Detective Branch. The SOS board's own
/// desk is the control room: see [`CONTROL_ROOM_OFFICER`].
const ROLES: [(&str, &str, &str); 6] = [
    ("administrator", "kmp_hq", "traffic"),
    ("headquarters", "kmp_hq", "kmp_hq"),
    ("thana_officer", "sonadanga", "khalishpur"),
    ("unit_officer", "detective_branch", "city_special_branch"),
    ("editor", "kmp_hq", "kmp_hq"),
    ("auditor", "kmp_hq", "kmp_hq"),
];

/// The status and headers of an answer whose body is a stream that does not end.
fn head_only(response: axum::response::Response) -> crate::support::Answer {
    crate::support::Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: String::new(),
    }
}

/// A unit officer of the control room: the SOS board's own desk, another desk for the tip.
const CONTROL_ROOM_OFFICER: (&str, bool, &str) = ("unit_officer", false, "control_room");

/// A valid-looking form for each change, so that the answer shows the access decision; the
/// forms that would move the tip away are left incomplete (refused after the check).
fn form_for(path: &str) -> Vec<(&'static str, &'static str)> {
    match path.rsplit('/').next().unwrap_or_default() {
        "status" => vec![("status", "under_review")],
        "assign" => vec![("officer", "")],
        "transfer" => vec![("place", "khalishpur"), ("reason", "")],
        "duplicate" => vec![("original", "")],
        "priority" => vec![("urgent", "1")],
        "due" => vec![("due", "")],
        "messages" => vec![("kind", "note"), ("body", "")],
        // Acknowledging takes no field: the first officer allowed does it, the next get 409.
        "dispatch" => vec![("note", "")],
        "close" => vec![("outcome", "")],
        "move" => vec![("direction", "down")],
        _ => Vec::new(),
    }
}

/// The id of a routing rule that may be removed, put back if an earlier request removed it.
async fn rule_to_remove(app: &TestApp) -> i64 {
    sqlx::query(
        "INSERT INTO routing_rules (category, thana_key, lead, copy_to, updated_at) \
         VALUES ('militancy', '*', 'detective_branch', '', 0) \
         ON CONFLICT (category, thana_key) DO NOTHING",
    )
    .execute(app.state.store.reader())
    .await
    .expect("the rule is there");
    sqlx::query_scalar("SELECT id FROM routing_rules WHERE category = 'militancy'")
        .fetch_one(app.state.store.reader())
        .await
        .expect("a rule to remove")
}

on_both!(
    every_console_route_for_every_role,
    |app: TestApp| async move {
        // The tip comes through the page's form with a photo, so that the file route has a file.
        let sent = app
            .post_multipart(
                "/tips",
                &[
                    ("category", "drugs"),
                    ("thana", "sonadanga"),
                    ("description", "matrix"),
                ],
                &[(
                    "photo.jpg",
                    crate::support::photo(image::ImageFormat::Jpeg, 32, 24),
                )],
            )
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let reference = sent.text("#tip-reference");
        let attachment_uid: String = sqlx::query_scalar("SELECT uid FROM attachments")
            .fetch_one(app.state.store.reader())
            .await
            .expect("the photo is recorded");
        app.add_officer("target", "thana_officer", "khalishpur")
            .await;
        let alert = crate::sos::reference_of(
            &crate::sos::send_from(&app, crate::sos::SADAR, "01712345678").await,
        );
        let faq_entry: i64 =
            sqlx::query_scalar("SELECT id FROM faq_entries WHERE seed_key = 'emergency'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("a seeded FAQ entry");
        let faq_group: i64 = sqlx::query_scalar("SELECT MIN(id) FROM faq_groups")
            .fetch_one(app.state.store.reader())
            .await
            .expect("a seeded FAQ group");
        // A news post with a picture, written by an editor through the console.
        let writer = app.officer_with("newswriter", "editor", "kmp_hq").await;
        let written = writer
            .post_multipart(
                "/console/news",
                &[("title_bn", "খবর"), ("title_en", "News"), ("published", "")],
                &[(
                    "picture.png",
                    crate::support::photo(image::ImageFormat::Png, 16, 16),
                )],
            )
            .await;
        assert_eq!(written.status, StatusCode::SEE_OTHER, "{}", written.body);
        let news_post: i64 = sqlx::query_scalar("SELECT MAX(id) FROM news_posts")
            .fetch_one(app.state.store.reader())
            .await
            .expect("a news post");
        let mut routes = hello_kmp::web::console::route_list();
        // Log-out routes end the session: they go last.
        routes.sort_by_key(|(_, path)| path.contains("logout") || path.ends_with("/sessions/end"));
        let mut checked = 0;
        let mut may_not_work = Vec::new();
        let mut officers: Vec<(&str, bool, &str, String)> = Vec::new();
        for (role, own_place, other_place) in ROLES {
            for (own, place) in [(true, own_place), (false, other_place)] {
                let name = format!("{}{}", &role[..4], if own { "own" } else { "other" });
                officers.push((role, own, place, name));
            }
        }
        let (role, own, place) = CONTROL_ROOM_OFFICER;
        officers.push((role, own, place, "unitcontrol".to_string()));
        let mut may_not_work_alerts = Vec::new();
        for (role, own, place, name) in officers.iter().cloned() {
            let officer: Officer = app.officer_with(&name, role, place).await;
            // What the queue shows must follow the same rule as opening the tip.
            if expect(Rule::Queue, role, own) == Expect::Allowed {
                let queue = officer.get("/console").await;
                let sees = queue_refs(&queue).contains(&reference);
                let reads = expect(Rule::TipRead, role, own) == Expect::Allowed;
                assert_eq!(sees, reads, "{role} ({own}) in the queue");
                let counted: i64 = ["new", "under_review"]
                    .iter()
                    .map(|s| count_of(&queue, s).parse::<i64>().expect("a count"))
                    .sum();
                assert_eq!(counted, i64::from(reads), "{role} ({own}) counts");
            }
            if expect(Rule::TipWork, role, own) == Expect::Forbidden {
                may_not_work.push(name.clone());
            }
            if expect_at(Rule::SosWork, role, own, place) == Expect::Forbidden {
                may_not_work_alerts.push(name.clone());
            }
            for (method, pattern) in &routes {
                // Each administrator removes a rule that is there, so none meets a 404.
                let rule_id = if pattern.contains("{id}") {
                    rule_to_remove(&app).await
                } else {
                    0
                };
                let path = pattern
                    .replace("{reference}", &reference)
                    .replace("{username}", "target")
                    .replace("{id}", &rule_id.to_string())
                    .replace("{uid}", &attachment_uid)
                    .replace("{key}", "sonadanga")
                    .replace("{number}", "333")
                    .replace("{alert}", &alert)
                    .replace("{entry}", &faq_entry.to_string())
                    .replace("{group}", &faq_group.to_string())
                    .replace("{post}", &news_post.to_string());
                let answer = if pattern.ends_with("/events") {
                    // A live stream never ends: its head is the answer.
                    head_only(officer.open(&path, &[]).await)
                } else if *method == Method::GET {
                    officer.get(&path).await
                } else {
                    officer.post_form(&path, &form_for(&path)).await
                };
                let wanted = expect_at(rule(method, pattern), role, own, place);
                let location = answer.header("location");
                let what = format!(
                    "{method} {pattern} as {role} ({}) → {} {location}",
                    if own { "own desk" } else { "other desk" },
                    answer.status
                );
                match wanted {
                    Expect::Forbidden => {
                        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}")
                    }
                    Expect::SentTo(place) => {
                        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{what}");
                        assert_eq!(location, place, "{what}");
                    }
                    Expect::Allowed
                        if *method == Method::GET && rule(method, pattern) != Rule::Public =>
                    {
                        // A page the officer may open opens: not a refusal, not a dead link.
                        assert_eq!(answer.status, StatusCode::OK, "{what}");
                    }
                    Expect::Allowed => {
                        assert_ne!(answer.status, StatusCode::FORBIDDEN, "{what}");
                        // The route is really there and takes the method.
                        assert_ne!(answer.status, StatusCode::NOT_FOUND, "{what}");
                        assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{what}");
                        assert!(!answer.status.is_server_error(), "{what}");
                        assert!(!location.starts_with("/console/login"), "{what}");
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, routes.len() * (ROLES.len() * 2 + 1));
        // A refusal changed nothing: no change to the tip is recorded for those who may not work it.
        for name in may_not_work {
            let changes: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log a JOIN officers o ON o.id = a.officer_id \
             WHERE o.username = $1 AND a.action IN ('tip.status', 'tip.assign', 'tip.transfer', \
             'tip.duplicate', 'tip.priority', 'tip.due', 'tip.reply')",
            )
            .bind(&name)
            .fetch_one(app.state.store.reader())
            .await
            .expect("audit");
            assert_eq!(changes, 0, "{name} changed the tip");
        }
        assert!(
            !audit(&app, "access.denied").await.is_empty(),
            "refused looks at tips are audited"
        );
        for name in may_not_work_alerts {
            let steps: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log a JOIN officers o ON o.id = a.officer_id \
             WHERE o.username = $1 AND a.action IN ('sos.acknowledge', 'sos.dispatch', \
             'sos.close')",
            )
            .bind(&name)
            .fetch_one(app.state.store.reader())
            .await
            .expect("audit");
            assert_eq!(steps, 0, "{name} took a step on an alert");
        }
        assert_eq!(
            audit(&app, "sos.acknowledge").await.len(),
            1,
            "the alert was acknowledged once, by the first officer allowed"
        );
        assert!(
            !audit(&app, "sos.denied").await.is_empty(),
            "refused looks at the SOS board are audited"
        );
        // The FAQ and the news were changed only by those who may, and their changes are there.
        let content_changes = |roles: &'static str| {
            let sql = format!(
                "SELECT COUNT(*) FROM audit_log a JOIN officers o ON o.id = a.officer_id \
                 WHERE (a.action LIKE 'faq.%' OR a.action LIKE 'news.%') AND o.role {roles}"
            );
            let pool = app.state.store.reader().clone();
            async move {
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
                    .fetch_one(&pool)
                    .await
                    .expect("audit")
            }
        };
        assert_eq!(
            content_changes("NOT IN ('administrator', 'editor')").await,
            0
        );
        assert!(content_changes("IN ('administrator', 'editor')").await > 0);
    }
);

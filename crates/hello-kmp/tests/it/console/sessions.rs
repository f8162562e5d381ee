//! Sessions: idle and absolute expiry, "log out everywhere", CSRF, a new password from the
//! account page; the audit log as auditors browse it; officers as administrators keep them.

#[allow(unused_imports)]
use super::*;
use crate::on_both;
use crate::support::{Officer, totp_code};
use hello_kmp::domain::InputError;
use hello_kmp::services::ServiceError;
use hello_kmp::services::officers;

async fn age_sessions(app: &TestApp, column: &str, seconds: i64) {
    let sql = format!("UPDATE sessions SET {column} = {column} - {seconds}");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(app.state.store.reader())
        .await
        .expect("age sessions");
}

on_both!(
    sessions_end_when_idle_and_when_too_old,
    |app: TestApp| async move {
        let officer = app.officer().await;
        assert_eq!(officer.get("/console").await.status, StatusCode::OK);
        // Twenty-nine idle minutes are fine; thirty-one are not.
        age_sessions(&app, "last_seen_at", 29 * 60).await;
        assert_eq!(officer.get("/console").await.status, StatusCode::OK);
        age_sessions(&app, "last_seen_at", 31 * 60).await;
        redirects_to(&officer.get("/console").await, "/console/login");

        let busy = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        assert_eq!(busy.get("/console").await.status, StatusCode::OK);
        // However busy, a session ends twelve hours after log-in.
        sqlx::query("UPDATE sessions SET expires_at = $1")
            .bind(hello_kmp::store::now() - 1)
            .execute(app.state.store.reader())
            .await
            .expect("expire");
        redirects_to(&busy.get("/console").await, "/console/login");
    }
);

on_both!(the_idle_timeout_is_a_setting, |_app: TestApp| async move {
    let app = TestApp::start_with(_app.backend, |s| s.session_idle_minutes = 5).await;
    let officer = app.officer().await;
    age_sessions(&app, "last_seen_at", 6 * 60).await;
    redirects_to(&officer.get("/console").await, "/console/login");
    app.finish().await;
});

on_both!(
    logging_out_everywhere_ends_every_session,
    |app: TestApp| async move {
        let officer = app.officer().await;
        // A second session of the same officer, on another computer.
        let login = app
            .post_form_as(
                "/console/login",
                &[("username", "admin"), ("password", &officer.password)],
                &[],
                "192.0.2.80",
            )
            .await;
        let other = login.cookie_pair();
        let code = app
            .post_form_as(
                "/console/login/code",
                &[("code", &totp_code(&officer.totp_key, 1))],
                &[("cookie", &other)],
                "192.0.2.80",
            )
            .await;
        redirects_to(&code, "/console");
        assert_eq!(app.count("sessions").await, 2);

        let out = officer
            .post_form("/console/account/sessions/end", &[])
            .await;
        redirects_to(&out, "/console/login");
        assert_eq!(app.count("sessions").await, 0);
        redirects_to(
            &app.get_with("/console", &[("cookie", &other)]).await,
            "/console/login",
        );
        assert_eq!(audit(&app, "officer.logout_everywhere").await.len(), 1);
    }
);

on_both!(a_cross_site_change_is_refused, |app: TestApp| async move {
    let (reference, _) = send_tip(&app, "drugs", "sonadanga", "csrf").await;
    let officer = app.officer().await;
    let forged = app
        .post_form_as(
            &format!("/console/tips/{reference}/status"),
            &[("status", "under_review")],
            &[
                ("cookie", &officer.cookie),
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
            "192.0.2.81",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(stored_status(&app, 1).await, "new");
    let forged_admin = app
        .post_form_as(
            "/console/officers",
            &[
                ("username", "mole"),
                ("role", "administrator"),
                ("place", "kmp_hq"),
            ],
            &[
                ("cookie", &officer.cookie),
                ("origin", "https://evil.example"),
            ],
            "192.0.2.81",
        )
        .await;
    assert_eq!(forged_admin.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("officers").await, 1);
});

on_both!(
    an_officer_changes_their_own_password,
    |app: TestApp| async move {
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let path = "/console/account/password";
        let wrong_current = officer
            .post_form(
                path,
                &[
                    ("current_password", "not mine at all"),
                    ("new_password", "a brand new phrase for rahim"),
                    ("confirm_password", "a brand new phrase for rahim"),
                ],
            )
            .await;
        assert_eq!(wrong_current.status, StatusCode::UNAUTHORIZED);
        let mismatch = officer
            .post_form(
                path,
                &[
                    ("current_password", &officer.password),
                    ("new_password", "a brand new phrase here"),
                    ("confirm_password", "a brand new phrase there"),
                ],
            )
            .await;
        assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&mismatch, "এক নয়", "not the same");
        let done = officer
            .post_form(
                path,
                &[
                    ("current_password", &officer.password),
                    ("new_password", "lanterns over the Bhairab at dusk"),
                    ("confirm_password", "lanterns over the Bhairab at dusk"),
                ],
            )
            .await;
        redirects_to(&done, "/console/account?saved=1");
        assert!(
            officer
                .get("/console/account?saved=1")
                .await
                .has("#password-saved")
        );
        let old = app
            .post_form_as(
                "/console/login",
                &[("username", "rahim"), ("password", &officer.password)],
                &[],
                "192.0.2.82",
            )
            .await;
        assert_eq!(
            old.status,
            StatusCode::UNAUTHORIZED,
            "the old password is gone"
        );
        assert_eq!(audit(&app, "account.password_changed").await.len(), 2);
    }
);

on_both!(
    auditors_browse_and_filter_the_log,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "drugs", "sonadanga", "audited").await;
        let admin = app.officer().await;
        admin.get(&format!("/console/tips/{reference}")).await;
        admin.get(&format!("/console/tips/{reference}")).await;
        let auditor = app.officer_with("salma", "auditor", "kmp_hq").await;

        let all = auditor.get("/console/audit").await;
        assert_eq!(all.status, StatusCode::OK);
        let actions = all.texts("#audit-log code.action");
        assert!(actions.contains(&"tip.view".to_string()), "{actions:?}");
        assert!(actions.contains(&"officer.login".to_string()));
        assert!(
            all.texts("#audit-log .action-label")
                .contains(&"তথ্য খুলেছেন".to_string()),
            "actions in words, in Bangla"
        );
        assert!(
            all.text("#audit-log").contains("(salma)"),
            "an account change names the officer"
        );

        let views = auditor
            .get(&format!(
                "/console/audit?action=tip.view&tip={reference}&username=admin"
            ))
            .await;
        assert_eq!(
            views.texts("#audit-log code.action"),
            ["tip.view", "tip.view"]
        );
        assert!(
            views
                .texts("#audit-log td.who")
                .iter()
                .all(|w| w == "admin")
        );
        let nobody = auditor.get("/console/audit?username=nobody").await;
        assert!(nobody.has("#audit-empty"));
        let today = time::OffsetDateTime::now_utc()
            .to_offset(hello_kmp::domain::tip::DHAKA)
            .date()
            .to_string();
        let dated = auditor
            .get(&format!(
                "/console/audit?from=2020-01-01&to={today}&action=tip.view"
            ))
            .await;
        assert_eq!(dated.texts("#audit-log code.action").len(), 2);
        let old = auditor
            .get("/console/audit?from=2020-01-01&to=2020-01-31")
            .await;
        assert!(old.has("#audit-empty"));
        assert!(
            !audit(&app, "audit.view").await.is_empty(),
            "reading the log is logged"
        );
        // The auditor reads no tip, and is told why, in both languages, with the way back.
        let refused = auditor.get(&format!("/console/tips/{reference}")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        refused_in_both(&refused, "অন্য কোনো ডেস্ক বা ভূমিকার", "another desk or role");
        assert_eq!(
            refused.attr("#back-to-console", "href").as_deref(),
            Some("/console")
        );
    }
);

on_both!(
    the_audit_log_pages_back_in_time,
    |app: TestApp| async move {
        let admin = app.officer().await;
        for _ in 0..60 {
            admin.get("/console/audit?action=officer.login").await;
        }
        let first = admin.get("/console/audit?action=audit.view").await;
        assert_eq!(first.texts("#audit-log code.action").len(), 50);
        let next = first.attr("a[rel=next]", "href").expect("older entries");
        let second = admin.get(&next).await;
        let rows = second.texts("#audit-log code.action");
        assert!(!rows.is_empty() && rows.len() <= 50, "{}", rows.len());
        assert!(rows.iter().all(|a| a == "audit.view"));
    }
);

on_both!(
    administrators_keep_officers_in_the_console,
    |app: TestApp| async move {
        let admin = app.officer().await;
        // Bad input first: the form keeps what was typed.
        let bad = admin
            .post_form(
                "/console/officers",
                &[
                    ("username", "x"),
                    ("name", "Rahim Khan"),
                    ("role", "thana_officer"),
                    ("place", "sonadanga"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&bad, "৩ থেকে ৩২", "3 to 32");
        assert_eq!(bad.attr("#name", "value").as_deref(), Some("Rahim Khan"));
        let wrong_place = admin
            .post_form(
                "/console/officers",
                &[
                    ("username", "rahim"),
                    ("role", "thana_officer"),
                    ("place", "detective_branch"),
                ],
            )
            .await;
        assert_eq!(wrong_place.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("officers").await, 1);

        let added = admin
            .post_form(
                "/console/officers",
                &[
                    ("username", "Rahim"),
                    ("name", "Rahim Khan"),
                    ("role", "thana_officer"),
                    ("place", "sonadanga"),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        let password = added.text("#one-time-password");
        assert_eq!(password.len(), 20);
        let rahim = app.first_log_in("rahim", &password).await;
        assert_eq!(rahim.get("/console").await.status, StatusCode::OK);

        // Moving him to Khalishpur ends his session and changes what he sees.
        let moved = admin
            .post_form(
                "/console/officers/rahim",
                &[
                    ("name", "Rahim Khan"),
                    ("role", "thana_officer"),
                    ("place", "khalishpur"),
                ],
            )
            .await;
        redirects_to(&moved, "/console/officers/rahim?done=edit");
        redirects_to(&rahim.get("/console").await, "/console/login");
        let row: (String, String) =
            sqlx::query_as("SELECT role, place_key FROM officers WHERE username = 'rahim'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("rahim");
        assert_eq!(row, ("thana_officer".into(), "khalishpur".into()));

        redirects_to(
            &admin
                .post_form("/console/officers/rahim/disable", &[])
                .await,
            "/console/officers/rahim?done=disable",
        );
        assert!(admin.get("/console/officers/rahim").await.has("#enable"));
        redirects_to(
            &admin.post_form("/console/officers/rahim/enable", &[]).await,
            "/console/officers/rahim?done=enable",
        );
        let reset = admin
            .post_form("/console/officers/rahim/reset-password", &[])
            .await;
        assert_eq!(reset.status, StatusCode::OK);
        assert_ne!(reset.text("#one-time-password"), password);
        let unknown = admin.get("/console/officers/nobody").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'account.%' AND officer_id IS NOT NULL ORDER BY seq",
    )
    .fetch_all(app.state.store.reader())
    .await
    .expect("audit");
        assert_eq!(
            actions,
            [
                "account.password_changed",
                "account.2fa_enrolled",
                "account.create",
                "account.password_changed",
                "account.2fa_enrolled",
                "account.edit",
                "account.disable",
                "account.enable",
                "account.reset_password"
            ]
        );
    }
);

on_both!(
    over_https_the_session_cookie_is_secure,
    |plain: TestApp| async move {
        let app = TestApp::start_with(plain.backend, |s| {
            s.public_origin = Some("https://hello.kmp.police.gov.bd".into())
        })
        .await;
        let login = app
            .post_form_as(
                "/console/login",
                &[("username", "admin"), ("password", &app.admin_password)],
                &[("origin", "https://hello.kmp.police.gov.bd")],
                "192.0.2.90",
            )
            .await;
        redirects_to(&login, "/console/login/password");
        let cookie = login.header("set-cookie");
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(cookie.contains(part), "{part} in {cookie}");
        }
        let plain_login = plain
            .post_form(
                "/console/login",
                &[("username", "admin"), ("password", &plain.admin_password)],
            )
            .await;
        assert!(!plain_login.header("set-cookie").contains("Secure"));
        // The citizen's language cookie too.
        let language = app.get("/lang/en?next=/").await.header("set-cookie");
        assert!(
            language.starts_with("lang=en") && language.contains("Secure"),
            "{language}"
        );
        let plain_language = plain.get("/lang/en?next=/").await.header("set-cookie");
        assert!(plain_language.starts_with("lang=en") && !plain_language.contains("Secure"));
        app.finish().await;
    }
);

on_both!(
    an_officer_disabling_their_own_account_is_refused_as_not_an_administrator,
    |app: TestApp| async move {
        let rahim = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        // Not an administrator comes first: the answer says nothing about whose account it is.
        let own = rahim
            .post_form("/console/officers/rahim/disable", &[])
            .await;
        assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
        let other = rahim
            .post_form("/console/officers/admin/disable", &[])
            .await;
        assert_eq!(other.status, own.status);
        assert_eq!(rahim.get("/console/account").await.status, StatusCode::OK);
        assert!(audit(&app, "account.disable").await.is_empty());
    }
);

on_both!(the_last_administrator_stays, |app: TestApp| async move {
    let admin = app.officer().await;
    // Nobody disables or demotes themselves from the console.
    let disable = admin
        .post_form("/console/officers/admin/disable", &[])
        .await;
    assert_eq!(disable.status, StatusCode::CONFLICT);
    refused_in_both(&disable, "নিজের অ্যাকাউন্ট", "your own account");
    let demote = admin
        .post_form(
            "/console/officers/admin",
            &[("name", "Admin"), ("role", "auditor"), ("place", "kmp_hq")],
        )
        .await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert_eq!(demote.attr("#name", "value").as_deref(), Some("Admin"));
    let renamed = admin
        .post_form(
            "/console/officers/admin",
            &[
                ("name", "Chief admin"),
                ("role", "administrator"),
                ("place", "kmp_hq"),
            ],
        )
        .await;
    redirects_to(&renamed, "/console/officers/admin?done=edit");
    // An administrator who has not finished their first log-in does not count: from the
    // command line, the last usable one cannot be disabled either.
    app.add_officer("second", "administrator", "kmp_hq").await;
    assert!(matches!(
        officers::disable(&app.state.store, None, "admin").await,
        Err(ServiceError::Input(InputError::LastAdministrator))
    ));
    // Once the second has logged in, either may step the other down.
    let second = app
        .first_log_in("second", &second_password(&app).await)
        .await;
    let stepped = second
        .post_form(
            "/console/officers/admin",
            &[("name", "Admin"), ("role", "auditor"), ("place", "kmp_hq")],
        )
        .await;
    redirects_to(&stepped, "/console/officers/admin?done=edit");
});

/// A fresh one-time password for `second`, from the command line's service.
async fn second_password(app: &TestApp) -> String {
    officers::reset_password(&app.state.store, None, "second")
        .await
        .expect("reset")
        .0
}

on_both!(
    servers_sharing_a_database_share_sessions,
    |app: TestApp| async move {
        let other = app.second_server().await;
        // Logged in on the first server, the officer goes on on the second...
        let officer = app.officer().await;
        let there = Officer {
            app: other.clone(),
            ..officer.clone()
        };
        assert_eq!(there.get("/console").await.status, StatusCode::OK);
        // ...and a session begun on the second works on the first.
        let login = other
            .post_form_as(
                "/console/login",
                &[("username", "admin"), ("password", &officer.password)],
                &[],
                "192.0.2.81",
            )
            .await;
        let second = login.cookie_pair();
        let code = other
            .post_form_as(
                "/console/login/code",
                &[("code", &totp_code(&officer.totp_key, 1))],
                &[("cookie", &second)],
                "192.0.2.81",
            )
            .await;
        redirects_to(&code, "/console");
        assert_eq!(
            app.get_with("/console", &[("cookie", &second)])
                .await
                .status,
            StatusCode::OK
        );

        // "Log out everywhere" on the first ends both sessions on the second.
        let out = officer
            .post_form("/console/account/sessions/end", &[])
            .await;
        redirects_to(&out, "/console/login");
        redirects_to(
            &other.get_with("/console", &[("cookie", &second)]).await,
            "/console/login",
        );
        redirects_to(&there.get("/console").await, "/console/login");
        other.finish().await;
    }
);

on_both!(
    a_log_out_everywhere_on_the_second_server_ends_sessions_on_the_first,
    |app: TestApp| async move {
        let other = app.second_server().await;
        let officer = app.officer().await;
        let rahim = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let there = Officer {
            app: other.clone(),
            ..officer.clone()
        };
        redirects_to(
            &there.post_form("/console/account/sessions/end", &[]).await,
            "/console/login",
        );
        redirects_to(&officer.get("/console").await, "/console/login");
        // Another officer's session is not touched.
        assert_eq!(rahim.get("/console").await.status, StatusCode::OK);
        other.finish().await;
    }
);

//! Who may use the console: sessions, log-in, log-out, and refusals without a session.

#[allow(unused_imports)]
use super::*;
use crate::on_both;

on_both!(console_pages_need_a_session, |app: TestApp| async move {
    let (reference, receipt) = send_tip(&app, "drugs", "sonadanga", "session-less").await;
    redirects_to(&app.get("/console").await, "/console/login");
    redirects_to(
        &app.get("/console/tips/T-2026-000001").await,
        "/console/login",
    );
    let stale = app
        .get_with("/console", &[("cookie", "kmp_session=00ff00ff00ff")])
        .await;
    redirects_to(&stale, "/console/login");

    let audit_before = app.count("audit_log").await;
    let status = app
        .post_form(
            &format!("/console/tips/{reference}/status"),
            &[("status", "under_review")],
        )
        .await;
    redirects_to(&status, "/console/login");
    let reply = app
        .post_form(
            &format!("/console/tips/{reference}/messages"),
            &[("kind", "reply"), ("body", "no session")],
        )
        .await;
    redirects_to(&reply, "/console/login");
    let transfer = app
        .post_form(
            &format!("/console/tips/{reference}/transfer"),
            &[("place", "detective_branch"), ("reason", "no session")],
        )
        .await;
    redirects_to(&transfer, "/console/login");

    assert_eq!(look_up(&app, &receipt).await.json()["status"], "new");
    assert_eq!(app.count("tip_messages").await, 0);
    assert_eq!(
        app.count("tip_events").await,
        0,
        "no status change was made"
    );
    assert_eq!(app.count("audit_log").await, audit_before);
    let assigned: Option<String> = sqlx::query_scalar("SELECT assigned_place FROM tips")
        .fetch_one(app.state.store.reader())
        .await
        .expect("tip");
    assert_eq!(
        assigned.as_deref(),
        Some("sonadanga"),
        "still where routing put it"
    );
});

on_both!(
    wrong_password_and_unknown_user_get_the_same_answer,
    |app: TestApp| async move {
        let wrong_password = app
            .post_form(
                "/console/login",
                &[("username", "admin"), ("password", "not-the-password")],
            )
            .await;
        let unknown_user = app
            .post_form(
                "/console/login",
                &[
                    ("username", "nobody-7731"),
                    ("password", &app.admin_password),
                ],
            )
            .await;
        for page in [&wrong_password, &unknown_user] {
            assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
            refused_in_both(
                page,
                "ব্যবহারকারীর নাম বা পাসওয়ার্ড সঠিক নয়",
                "Wrong username or password",
            );
            assert!(
                !page.header("set-cookie").contains("kmp_session"),
                "no session for a failed log-in"
            );
        }
        assert_eq!(
            wrong_password.texts(".error"),
            unknown_user.texts(".error"),
            "the two failures cannot be told apart"
        );
        assert_eq!(
            unknown_user.attr("#username", "value").as_deref(),
            Some("nobody-7731"),
            "the typed username is kept"
        );
        assert_eq!(
            wrong_password.attr("#username", "value").as_deref(),
            Some("admin")
        );
        assert!(
            wrong_password.attr("#password", "value").is_none(),
            "the password is never sent back"
        );
        let failures = audit(&app, "officer.login_failed").await;
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert_eq!(app.count("sessions").await, 0);
    }
);

on_both!(
    the_session_cookie_is_strict_and_logout_ends_it,
    |app: TestApp| async move {
        let login = app
            .post_form(
                "/console/login",
                &[("username", "admin"), ("password", &app.admin_password)],
            )
            .await;
        redirects_to(&login, "/console/login/password");
        let cookie = login.header("set-cookie");
        assert!(cookie.starts_with("kmp_session="), "{cookie}");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(cookie.contains(part), "{part} in {cookie}");
        }

        let officer = app.officer().await;
        let queue = officer.get("/console").await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
        assert!(queue.has("#logout"), "a way to log out");
        let sessions = app.count("sessions").await;

        let out = officer.post_form("/console/logout", &[]).await;
        redirects_to(&out, "/console/login");
        assert_eq!(app.count("sessions").await, sessions - 1);
        redirects_to(&officer.get("/console").await, "/console/login");
        assert_eq!(audit(&app, "officer.logout").await.len(), 1);
        assert_eq!(
            audit(&app, "officer.login").await.len(),
            1,
            "a log-in is recorded once the second factor is given"
        );
    }
);

on_both!(
    repeated_failed_log_ins_from_one_address_are_slowed,
    |app: TestApp| async move {
        // A different name each time, so that only the address is counted.
        for n in 0..hello_kmp::throttle::LOGIN_FREE_MISSES + 1 {
            let name = format!("guess{n}");
            let wrong = [
                ("username", name.as_str()),
                ("password", "not-the-password"),
            ];
            let page = app
                .post_form_as("/console/login", &wrong, &[], "198.51.100.90")
                .await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        }
        let right = [
            ("username", "admin"),
            ("password", app.admin_password.as_str()),
        ];
        let locked = app
            .post_form_as("/console/login", &right, &[], "198.51.100.90")
            .await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.text(".error").contains("অপেক্ষা"));
        assert_eq!(locked.header("retry-after"), "30");
        let elsewhere = app
            .post_form_as("/console/login", &right, &[], "198.51.100.91")
            .await;
        assert_eq!(
            elsewhere.status,
            StatusCode::SEE_OTHER,
            "another address logs in"
        );
    }
);

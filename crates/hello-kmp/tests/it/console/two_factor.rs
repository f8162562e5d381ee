//! Two-factor log-in: enrolment, wrong and replayed codes, recovery codes; per-account locks and
//! their lifting; the same answer for known and unknown names.

#[allow(unused_imports)]
use super::*;
use crate::on_both;
use crate::support::{Officer, totp_code};

/// The password step of a later log-in; answers the new session's cookie.
async fn password_step(officer: &Officer, peer: &str) -> String {
    let answer = officer
        .app
        .post_form_as(
            "/console/login",
            &[
                ("username", &officer.username),
                ("password", &officer.password),
            ],
            &[],
            peer,
        )
        .await;
    redirects_to(&answer, "/console/login/code");
    answer.cookie_pair()
}

async fn send_code(app: &TestApp, cookie: &str, code: &str) -> Answer {
    app.post_form_as(
        "/console/login/code",
        &[("code", code)],
        &[("cookie", cookie)],
        "192.0.2.60",
    )
    .await
}

on_both!(a_password_alone_opens_nothing, |app: TestApp| async move {
    let officer = app
        .officer_with("rahim", "thana_officer", "sonadanga")
        .await;
    let cookie = password_step(&officer, "192.0.2.61").await;
    for page in [
        "/console",
        "/console/account",
        "/console/tips/T-2026-000001",
    ] {
        let answer = app.get_with(page, &[("cookie", &cookie)]).await;
        redirects_to(&answer, "/console/login/code");
    }
    let sessions: Vec<String> =
        sqlx::query_scalar("SELECT stage FROM sessions ORDER BY created_at, stage")
            .fetch_all(app.state.store.reader())
            .await
            .expect("sessions");
    assert!(sessions.contains(&"code".to_string()), "{sessions:?}");
    assert_eq!(
        audit(&app, "officer.login").await.len(),
        1,
        "only the finished first log-in counts"
    );
});

on_both!(
    wrong_and_replayed_codes_are_refused_and_the_next_code_works,
    |app: TestApp| async move {
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let cookie = password_step(&officer, "192.0.2.62").await;

        let wrong = send_code(&app, &cookie, "000000").await;
        let wrong = if totp_code(&officer.totp_key, 0) == "000000" {
            send_code(&app, &cookie, "999999").await
        } else {
            wrong
        };
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "{}", wrong.body);
        refused_in_both(&wrong, "কোডটি ভুল", "wrong or has already been used");
        let malformed = send_code(&app, &cookie, "12ab").await;
        assert_eq!(malformed.status, StatusCode::UNAUTHORIZED);

        // The code used at enrolment cannot be used again.
        let replayed = send_code(&app, &cookie, &totp_code(&officer.totp_key, 0)).await;
        assert_eq!(replayed.status, StatusCode::UNAUTHORIZED, "replay refused");
        let failures: Vec<String> = audit(&app, "officer.login_failed")
            .await
            .into_iter()
            .map(|e| e.detail)
            .collect();
        assert_eq!(failures, ["code", "code", "code"]);

        // One step of clock drift is allowed, in Bangla digits too.
        let next = to_bangla(&totp_code(&officer.totp_key, 1));
        let ok = send_code(&app, &cookie, &next).await;
        redirects_to(&ok, "/console");
        let queue = app.get_with("/console", &[("cookie", &cookie)]).await;
        assert_eq!(queue.status, StatusCode::OK);
        // And now that step is used too.
        let cookie2 = password_step(&officer, "192.0.2.63").await;
        let again = send_code(&app, &cookie2, &totp_code(&officer.totp_key, 1)).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    }
);

fn to_bangla(digits: &str) -> String {
    hello_kmp::domain::digits::to_bangla(digits)
}

on_both!(
    a_recovery_code_works_once_and_is_kept_hashed,
    |app: TestApp| async move {
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let code = officer.recovery_codes[3].clone();
        let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM recovery_codes")
            .fetch_all(app.state.store.reader())
            .await
            .expect("codes");
        assert_eq!(stored.len(), 10);
        let plain = code.replace('-', "");
        assert!(
            stored.iter().all(|h| !h.contains(&plain) && h.len() == 64),
            "codes are stored as keyed hashes"
        );

        let cookie = password_step(&officer, "192.0.2.64").await;
        let used = send_code(&app, &cookie, &code.to_uppercase()).await;
        redirects_to(&used, "/console");
        assert_eq!(audit(&app, "officer.recovery_code_used").await.len(), 1);

        let cookie = password_step(&officer, "192.0.2.65").await;
        let again = send_code(&app, &cookie, &code).await;
        assert_eq!(again.status, StatusCode::UNAUTHORIZED, "used up");
        let other = send_code(&app, &cookie, &officer.recovery_codes[4]).await;
        redirects_to(&other, "/console");
    }
);

on_both!(
    enrolment_keeps_its_key_and_refuses_a_wrong_code,
    |app: TestApp| async move {
        let password = app.add_officer("nasrin", "auditor", "kmp_hq").await;
        let login = app
            .post_form(
                "/console/login",
                &[("username", "nasrin"), ("password", &password)],
            )
            .await;
        let cookie = login.cookie_pair();
        let new_password = "seven quiet mango trees by the Rupsha";
        let same = app
            .post_form_as(
                "/console/login/password",
                &[("new_password", &password), ("confirm_password", &password)],
                &[("cookie", &cookie)],
                "192.0.2.66",
            )
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&same, "ভিন্ন", "different from the one you have now");
        // Bad passwords first: each refused in both languages, nothing changed.
        for (bad, bn, en) in [
            ("short one", "১২টি অক্ষর", "at least 12 characters"),
            ("password1234", "খুব প্রচলিত", "too common"),
        ] {
            let refused = app
                .post_form_as(
                    "/console/login/password",
                    &[("new_password", bad), ("confirm_password", bad)],
                    &[("cookie", &cookie)],
                    "192.0.2.66",
                )
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            refused_in_both(&refused, bn, en);
        }
        let chosen = app
            .post_form_as(
                "/console/login/password",
                &[
                    ("new_password", new_password),
                    ("confirm_password", new_password),
                ],
                &[("cookie", &cookie)],
                "192.0.2.66",
            )
            .await;
        redirects_to(&chosen, "/console/login/enrol");
        let first = app
            .get_with("/console/login/enrol", &[("cookie", &cookie)])
            .await;
        assert!(first.has("svg"), "a QR code drawn on the page");
        let key = first.attr("#totp-key", "data-key").expect("key");
        let again = app
            .get_with("/console/login/enrol", &[("cookie", &cookie)])
            .await;
        assert_eq!(
            again.attr("#totp-key", "data-key"),
            Some(key.clone()),
            "same key"
        );
        let wrong = app
            .post_form_as(
                "/console/login/enrol",
                &[("code", "12345")],
                &[("cookie", &cookie)],
                "192.0.2.66",
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.attr("#totp-key", "data-key"), Some(key.clone()));
        let enrolled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM officers WHERE totp_sealed IS NOT NULL AND username = 'nasrin'",
        )
        .fetch_one(app.state.store.reader())
        .await
        .expect("count");
        assert_eq!(enrolled, 0, "not enrolled before a right code");
        let done = app
            .post_form_as(
                "/console/login/enrol",
                &[("code", &totp_code(&key, 0))],
                &[("cookie", &cookie)],
                "192.0.2.66",
            )
            .await;
        assert_eq!(done.status, StatusCode::OK);
        assert_eq!(done.texts("#recovery-codes code").len(), 10);
        // An auditor's console is the audit log.
        redirects_to(
            &app.get_with("/console", &[("cookie", &cookie)]).await,
            "/console/audit",
        );
        let dump = app.dump_database().await;
        assert!(!dump.contains(&key), "the key is sealed at rest");
    }
);

on_both!(
    failures_lock_the_account_whatever_the_address_until_unlocked,
    |app: TestApp| async move {
        let admin = app.officer().await;
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        // Six wrong passwords, each from another address: the account itself counts them.
        for n in 0..6 {
            let page = app
                .post_form_as(
                    "/console/login",
                    &[("username", "rahim"), ("password", "wrong wrong wrong")],
                    &[],
                    &format!("198.51.100.{n}"),
                )
                .await;
            assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        }
        let right = [
            ("username", "rahim"),
            ("password", officer.password.as_str()),
        ];
        let locked = app
            .post_form_as("/console/login", &right, &[], "198.51.100.77")
            .await;
        assert_eq!(
            locked.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            locked.body
        );
        refused_in_both(&locked, "অপেক্ষা", "Too many failed log-ins");
        // A name that matches no account answers the same after as many misses.
        for n in 0..6 {
            app.post_form_as(
                "/console/login",
                &[("username", "nobody"), ("password", "wrong wrong wrong")],
                &[],
                &format!("198.51.100.{}", 100 + n),
            )
            .await;
        }
        let unknown = app
            .post_form_as(
                "/console/login",
                &[("username", "nobody"), ("password", "wrong wrong wrong")],
                &[],
                "198.51.100.78",
            )
            .await;
        assert_eq!(unknown.status, locked.status);
        assert_eq!(unknown.texts(".error"), locked.texts(".error"));

        // The tenth failure in a row locks for the set time.
        sqlx::query(
            "UPDATE officers SET failed_logins = 9, locked_until = 0 WHERE username = 'rahim'",
        )
        .execute(app.state.store.reader())
        .await
        .expect("set count");
        app.post_form_as(
            "/console/login",
            &[("username", "rahim"), ("password", "wrong wrong wrong")],
            &[],
            "198.51.100.79",
        )
        .await;
        let until: i64 =
            sqlx::query_scalar("SELECT locked_until FROM officers WHERE username = 'rahim'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("lock");
        let hour = hello_kmp::store::now() + 3600;
        assert!(
            (hour - 5..=hour + 5).contains(&until),
            "locked for an hour: {until}"
        );
        assert_eq!(audit(&app, "account.locked").await.len(), 1);
        let officers = admin.get("/console/officers").await;
        assert!(
            officers.text("#officers").contains("তালাবদ্ধ"),
            "shown as locked"
        );

        // An administrator lifts it.
        let unlock = admin.post_form("/console/officers/rahim/unlock", &[]).await;
        redirects_to(&unlock, "/console/officers/rahim?done=unlock");
        let open = app
            .post_form_as("/console/login", &right, &[], "198.51.100.80")
            .await;
        redirects_to(&open, "/console/login/code");
        assert_eq!(audit(&app, "account.unlock").await.len(), 1);
    }
);

/// A failed log-in as `username`, from an address of its own.
async fn fail_log_in(app: &TestApp, username: &str, peer: &str) -> Answer {
    app.post_form_as(
        "/console/login",
        &[("username", username), ("password", "wrong wrong wrong")],
        &[],
        peer,
    )
    .await
}

on_both!(
    after_a_lock_runs_out_the_count_starts_again,
    |app: TestApp| async move {
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        fail_log_in(&app, "nobody", "198.51.100.1").await;
        // Both were locked by ten failures, and the hour has passed.
        let ran_out = hello_kmp::store::now() - 1;
        for table in ["officers", "login_failures"] {
            let sql = format!("UPDATE {table} SET failed_logins = 10, locked_until = {ran_out}");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(app.state.store.reader())
                .await
                .expect("an expired lock");
        }
        for (n, name) in ["rahim", "nobody"].into_iter().enumerate() {
            let again = fail_log_in(&app, name, &format!("198.51.100.{}", 10 + n)).await;
            assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{name}");
        }
        let counts: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT failed_logins, locked_until FROM officers WHERE username = 'rahim' \
             UNION ALL SELECT failed_logins, locked_until FROM login_failures",
        )
        .fetch_all(app.state.store.reader())
        .await
        .expect("counts");
        assert_eq!(
            counts,
            [(1, 0), (1, 0)],
            "one failure after the lock: counted from one, no wait"
        );
        let right = [
            ("username", "rahim"),
            ("password", officer.password.as_str()),
        ];
        let open = app
            .post_form_as("/console/login", &right, &[], "198.51.100.20")
            .await;
        redirects_to(&open, "/console/login/code");

        // Five more make six in a row: the waits begin again at 30 s, long before the next lock.
        for n in 0..5 {
            fail_log_in(&app, "rahim", &format!("198.51.100.{}", 30 + n)).await;
        }
        let until: i64 =
            sqlx::query_scalar("SELECT locked_until FROM officers WHERE username = 'rahim'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("wait");
        let wait = until - hello_kmp::store::now();
        assert!((25..=30).contains(&wait), "a wait of 30 s: {wait}");
    }
);

on_both!(
    an_administrator_resets_two_factor_and_the_officer_starts_again,
    |app: TestApp| async move {
        let admin = app.officer().await;
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let reset = admin
            .post_form("/console/officers/rahim/reset-2fa", &[])
            .await;
        assert_eq!(reset.status, StatusCode::OK);
        let one_time = reset.text("#one-time-password");
        assert_eq!(one_time.len(), 20);
        redirects_to(&officer.get("/console").await, "/console/login");
        assert_eq!(
            app.count("recovery_codes").await,
            10,
            "only the admin's remain"
        );
        // The old password no longer opens anything: a thief of it cannot enrol their phone.
        let old = app
            .post_form_as(
                "/console/login",
                &[("username", "rahim"), ("password", &officer.password)],
                &[],
                "192.0.2.70",
            )
            .await;
        assert_eq!(old.status, StatusCode::UNAUTHORIZED);
        let again = app.first_log_in("rahim", &one_time).await;
        assert_ne!(again.totp_key, officer.totp_key, "a new authenticator key");
        assert_eq!(audit(&app, "account.reset_2fa").await.len(), 1);
    }
);

on_both!(
    a_burst_of_codes_at_once_is_counted_one_by_one,
    |app: TestApp| async move {
        let officer = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let cookie = password_step(&officer, "192.0.2.71").await;
        let wrong = if totp_code(&officer.totp_key, 0) == "000111" {
            "000222"
        } else {
            "000111"
        };
        let burst = (0..30).map(|_| send_code(&app, &cookie, wrong));
        let answers = futures_util::future::join_all(burst).await;
        let checked = answers
            .iter()
            .filter(|a| a.status == StatusCode::UNAUTHORIZED)
            .count() as i64;
        let refused = answers
            .iter()
            .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
            .count() as i64;
        let statuses: Vec<u16> = answers.iter().map(|a| a.status.as_u16()).collect();
        assert_eq!(
            checked + refused,
            30,
            "every answer is one or the other: {statuses:?}"
        );
        assert!(
            (1..=6).contains(&checked),
            "{checked} codes checked: the account waits after six failures"
        );
        let counted: i64 =
            sqlx::query_scalar("SELECT failed_logins FROM officers WHERE username = 'rahim'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("count");
        assert_eq!(counted, checked, "every checked code was counted");
    }
);

on_both!(a_lock_runs_out_by_itself, |_app: TestApp| async move {
    let app = TestApp::start_with(_app.backend, |s| s.account_lock_minutes = 2).await;
    let officer = app
        .officer_with("rahim", "thana_officer", "sonadanga")
        .await;
    // Nine failures are counted; the tenth locks, for the two minutes set.
    sqlx::query("UPDATE officers SET failed_logins = 9 WHERE username = 'rahim'")
        .execute(app.state.store.reader())
        .await
        .expect("nine failures");
    fail_log_in(&app, "rahim", "198.51.100.40").await;
    let until: i64 =
        sqlx::query_scalar("SELECT locked_until FROM officers WHERE username = 'rahim'")
            .fetch_one(app.state.store.reader())
            .await
            .expect("lock");
    let left = until - hello_kmp::store::now();
    assert!(
        (115..=120).contains(&left),
        "locked for two minutes: {left}"
    );
    let right = [
        ("username", "rahim"),
        ("password", officer.password.as_str()),
    ];
    let locked = app
        .post_form_as("/console/login", &right, &[], "198.51.100.41")
        .await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);

    // Two minutes pass (the stored lock is moved back by as much): nobody unlocks it, yet the
    // right password and code open the console.
    sqlx::query("UPDATE officers SET locked_until = locked_until - 121 WHERE username = 'rahim'")
        .execute(app.state.store.reader())
        .await
        .expect("time passes");
    let open = app
        .post_form_as("/console/login", &right, &[], "198.51.100.42")
        .await;
    redirects_to(&open, "/console/login/code");
    let code = app
        .post_form_as(
            "/console/login/code",
            &[("code", &totp_code(&officer.totp_key, 1))],
            &[("cookie", &open.cookie_pair())],
            "198.51.100.42",
        )
        .await;
    redirects_to(&code, "/console");
    assert!(
        audit(&app, "account.unlock").await.is_empty(),
        "no one unlocked it"
    );
    let counted: i64 =
        sqlx::query_scalar("SELECT failed_logins FROM officers WHERE username = 'rahim'")
            .fetch_one(app.state.store.reader())
            .await
            .expect("count");
    assert_eq!(counted, 0, "the count starts again");
    app.finish().await;
});

on_both!(
    a_wrong_code_at_enrolment_is_audited_but_not_counted,
    |app: TestApp| async move {
        let one_time = app.add_officer("karim", "thana_officer", "sonadanga").await;
        let login = app
            .post_form(
                "/console/login",
                &[("username", "karim"), ("password", &one_time)],
            )
            .await;
        let cookie = login.cookie_pair();
        let as_karim = |path: &'static str, fields: Vec<(&'static str, String)>| {
            let (app, cookie) = (app.clone(), cookie.clone());
            async move {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form_as(path, &fields, &[("cookie", &cookie)], "192.0.2.80")
                    .await
            }
        };
        let password = "seven quiet mango trees by the Rupsha".to_string();
        let chosen = as_karim(
            "/console/login/password",
            vec![
                ("new_password", password.clone()),
                ("confirm_password", password),
            ],
        )
        .await;
        redirects_to(&chosen, "/console/login/enrol");
        let enrol = app
            .get_with("/console/login/enrol", &[("cookie", &cookie)])
            .await;
        let key = enrol.attr("#totp-key", "data-key").expect("key");
        let wrong = if totp_code(&key, 0) == "123456" {
            "654321"
        } else {
            "123456"
        };
        let refused = as_karim("/console/login/enrol", vec![("code", wrong.to_string())]).await;
        assert_ne!(refused.status, StatusCode::OK, "{}", refused.body);
        let failures: Vec<String> = audit(&app, "officer.login_failed")
            .await
            .into_iter()
            .map(|e| e.detail)
            .collect();
        assert_eq!(failures, ["enrolment code"]);
        let counted: i64 =
            sqlx::query_scalar("SELECT failed_logins FROM officers WHERE username = 'karim'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("count");
        assert_eq!(
            counted, 0,
            "a slip at enrolment does not count towards a lock"
        );
        let done = as_karim("/console/login/enrol", vec![("code", totp_code(&key, 0))]).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        assert_eq!(audit(&app, "account.2fa_enrolled").await.len(), 1);
    }
);

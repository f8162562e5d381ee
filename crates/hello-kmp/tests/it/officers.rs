//! Officer accounts as administrators keep them: add, list, disable, reset a password.

use axum::http::StatusCode;
use hello_kmp::domain::InputError;
use hello_kmp::services::ServiceError;
use hello_kmp::services::audit::{self, Verdict};
use hello_kmp::services::officers::{self, NewOfficer};

use crate::on_both;
use crate::support::TestApp;

fn new_officer(
    app: &TestApp,
    username: &str,
    role: &str,
    place: &str,
) -> Result<NewOfficer, InputError> {
    NewOfficer::parse(username, "রহিম উদ্দিন", role, place, &app.state.reference)
}

async fn log_in(app: &TestApp, username: &str, password: &str) -> crate::support::Answer {
    app.post_form(
        "/console/login",
        &[("username", username), ("password", password)],
    )
    .await
}

on_both!(bad_officer_details_are_refused, |app: TestApp| async move {
    assert_eq!(
        new_officer(&app, "ab", "thana_officer", "sonadanga").err(),
        Some(InputError::UsernameMalformed)
    );
    assert_eq!(
        new_officer(&app, "rahim", "sheriff", "sonadanga").err(),
        Some(InputError::RoleUnknown)
    );
    assert_eq!(
        new_officer(&app, "rahim", "thana_officer", "detective_branch").err(),
        Some(InputError::PlaceWrongForRole),
        "a thana officer belongs to a thana"
    );
    assert_eq!(
        new_officer(&app, "rahim", "unit_officer", "nowhere").err(),
        Some(InputError::PlaceWrongForRole)
    );
    assert_eq!(
        new_officer(&app, "rahim", "headquarters", "sonadanga").err(),
        Some(InputError::PlaceWrongForRole),
        "headquarters sits at headquarters"
    );
    let long_name = "ক".repeat(101);
    assert_eq!(
        NewOfficer::parse(
            "rahim",
            &long_name,
            "thana_officer",
            "sonadanga",
            &app.state.reference
        )
        .err(),
        Some(InputError::NameTooLong)
    );
    let before = app.count("officers").await;
    let officer = new_officer(&app, "Rahim", "thana_officer", "sonadanga").expect("valid");
    officers::add(&app.state.store, None, officer)
        .await
        .expect("added");
    let again = new_officer(&app, "rahim", "editor", "kmp_hq").expect("valid");
    match officers::add(&app.state.store, None, again).await {
        Err(ServiceError::Input(InputError::UsernameTaken)) => {}
        other => panic!("expected UsernameTaken, got {other:?}"),
    }
    assert_eq!(app.count("officers").await, before + 1);
});

on_both!(
    an_added_officer_logs_in_with_the_one_time_password,
    |app: TestApp| async move {
        let officer = new_officer(&app, "rahim", "thana_officer", "sonadanga").expect("valid");
        let password = officers::add(&app.state.store, None, officer)
            .await
            .expect("added");
        assert_eq!(password.0.len(), 20);
        assert_eq!(
            log_in(&app, "rahim", &password.0).await.status,
            StatusCode::SEE_OTHER
        );
        let listed = officers::list(&app.state.store).await.expect("list");
        let rahim = listed
            .iter()
            .find(|o| o.username == "rahim")
            .expect("listed");
        assert_eq!(
            (rahim.role.as_str(), rahim.place.as_deref()),
            ("thana_officer", Some("sonadanga"))
        );
        assert!(rahim.must_change_password && !rahim.disabled);
        assert_eq!(rahim.display_name, "রহিম উদ্দিন");
    }
);

on_both!(
    disabling_ends_sessions_and_log_ins,
    |app: TestApp| async move {
        let karim = app
            .officer_with("karim", "unit_officer", "detective_branch")
            .await;
        let cookie = karim.cookie.clone();
        assert_eq!(
            app.get_with("/console", &[("cookie", &cookie)])
                .await
                .status,
            StatusCode::OK
        );
        officers::disable(&app.state.store, None, "karim")
            .await
            .expect("disabled");
        assert_eq!(
            app.get_with("/console", &[("cookie", &cookie)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            log_in(&app, "karim", &karim.password).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert!(matches!(
            officers::disable(&app.state.store, None, "nobody").await,
            Err(ServiceError::NotFound)
        ));
    }
);

on_both!(
    a_reset_password_replaces_the_old_one,
    |app: TestApp| async move {
        let officer = new_officer(&app, "salma", "auditor", "kmp_hq").expect("valid");
        let first = officers::add(&app.state.store, None, officer)
            .await
            .expect("added");
        let login = log_in(&app, "salma", &first.0).await;
        let cookie = login.cookie_pair();
        let second = officers::reset_password(&app.state.store, None, "salma")
            .await
            .expect("reset");
        assert_ne!(first.0, second.0);
        assert_eq!(
            app.get_with("/console", &[("cookie", &cookie)])
                .await
                .status,
            StatusCode::SEE_OTHER,
            "old session ended"
        );
        assert_eq!(
            log_in(&app, "salma", &first.0).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            log_in(&app, "salma", &second.0).await.status,
            StatusCode::SEE_OTHER
        );
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE action LIKE 'account.%' ORDER BY seq",
        )
        .fetch_all(app.state.store.reader())
        .await
        .expect("audit");
        assert_eq!(
            actions,
            ["account.create", "account.create", "account.reset_password"]
        );
        assert!(matches!(
            audit::verify(&app.state.store).await.expect("verify"),
            Verdict::Intact { .. }
        ));
    }
);

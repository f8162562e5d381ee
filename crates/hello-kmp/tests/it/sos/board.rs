//! The control room's board: what each role sees, every look and step audited, steps refused
//! when the alert's status does not allow them.

use axum::http::StatusCode;

use super::{SADAR, page_token, reference_of, refused_in_both, send_from};
use crate::on_both;
use crate::support::{Officer, TestApp};

/// The audit entries of `action`: who (username) and the detail.
async fn audit(app: &TestApp, action: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT o.username, a.detail FROM audit_log a JOIN officers o ON o.id = a.officer_id \
         WHERE a.action = $1 ORDER BY a.id",
    )
    .bind(action)
    .fetch_all(app.state.store.reader())
    .await
    .expect("audit rows")
}

async fn control_room(app: &TestApp) -> Officer {
    app.officer_with("duty.cr", "unit_officer", "control_room")
        .await
}

/// The alert's card on a board page, by reference.
fn card(reference: &str) -> String {
    format!("#alert-{reference}")
}

on_both!(
    the_board_shows_the_alert_with_its_point_and_call_back_to_the_control_room,
    |app: TestApp| async move {
        let located = reference_of(&send_from(&app, SADAR, "০১৭১২৩৪৫৬৭৮").await);
        let token = page_token(&app).await;
        let written = reference_of(
            &app.post_form(
                "/sos",
                &[("place", "রূপসা ঘাটের টিকিট ঘর"), ("alert_token", &token)],
            )
            .await,
        );
        let officer = control_room(&app).await;
        let board = officer.get("/console/sos").await;
        assert_eq!(board.status, StatusCode::OK, "{}", board.body);
        let a = card(&located);
        assert_eq!(board.text(&format!("{a} .sos-point")), "22.80361, 89.56778");
        assert_eq!(
            board.attr(&format!("{a} a.sos-geo"), "href").as_deref(),
            Some("geo:22.803610,89.567780")
        );
        assert!(board.text(&format!("{a} .sos-accuracy")).contains("৩৫"));
        assert_eq!(
            board
                .attr(&format!("{a} a.sos-callback"), "href")
                .as_deref(),
            Some("tel:+8801712345678")
        );
        assert!(board.has(&format!("#sos-list-new {a}")), "a new alert");
        assert!(board.has(&format!("{a} form.sos-acknowledge")));
        let w = card(&written);
        assert!(
            board.has(&format!("{w} .sos-no-point")),
            "marked: no location"
        );
        assert_eq!(board.text(&format!("{w} .sos-place")), "রূপসা ঘাটের টিকিট ঘর");
        assert!(
            !board.body.contains("https://") && !board.body.contains("http://"),
            "no map from elsewhere"
        );
        assert_eq!(
            board.attr("#nav-sos", "href").as_deref(),
            Some("/console/sos")
        );
        let looks = audit(&app, "sos.view").await;
        assert_eq!(looks, vec![("duty.cr".to_string(), String::new())]);
    }
);

on_both!(
    headquarters_watches_without_call_back_numbers_or_steps_and_others_are_refused,
    |app: TestApp| async move {
        let reference = reference_of(&send_from(&app, SADAR, "01712345678").await);
        let hq = app.officer_with("hq.watch", "headquarters", "kmp_hq").await;
        let board = hq.get("/console/sos").await;
        assert_eq!(board.status, StatusCode::OK);
        let a = card(&reference);
        assert!(board.has(&format!("{a} .sos-point")));
        assert!(!board.has(&format!("{a} a.sos-callback")));
        assert!(
            !board.body.contains("1712345678"),
            "no number for headquarters"
        );
        assert!(board.has(&format!("{a} .sos-callback-withheld")));
        assert!(
            !board.has(&format!("{a} form")),
            "no steps for headquarters"
        );
        let step = hq
            .post_form(&format!("/console/sos/{reference}/acknowledge"), &[])
            .await;
        assert_eq!(step.status, StatusCode::FORBIDDEN);
        let thana = app
            .officer_with("sona.duty", "thana_officer", "sonadanga")
            .await;
        assert_eq!(
            thana.get("/console/sos").await.status,
            StatusCode::FORBIDDEN
        );
        assert!(!thana.get("/console").await.has("#nav-sos"));
        let detectives = app
            .officer_with("db.duty", "unit_officer", "detective_branch")
            .await;
        assert_eq!(
            detectives.get("/console/sos").await.status,
            StatusCode::FORBIDDEN
        );
        let denied = audit(&app, "sos.denied").await;
        assert_eq!(
            denied,
            vec![
                ("hq.watch".to_string(), "work".to_string()),
                ("sona.duty".to_string(), "watch".to_string()),
                ("db.duty".to_string(), "watch".to_string()),
            ]
        );
        let status: String = sqlx::query_scalar("SELECT status FROM sos_alerts")
            .fetch_one(app.state.store.reader())
            .await
            .expect("status");
        assert_eq!(status, "new", "a refusal changed nothing");
    }
);

on_both!(
    each_step_moves_the_alert_on_and_is_audited,
    |app: TestApp| async move {
        let reference = reference_of(&send_from(&app, SADAR, "").await);
        let officer = control_room(&app).await;
        let base = format!("/console/sos/{reference}");
        let acknowledged = officer.post_form(&format!("{base}/acknowledge"), &[]).await;
        assert_eq!(acknowledged.status, StatusCode::SEE_OTHER);
        assert_eq!(acknowledged.header("location"), "/console/sos");
        let note = "মোবাইল টিম ২ পাঠানো হয়েছে probe-note-4410";
        let dispatched = officer
            .post_form(&format!("{base}/dispatch"), &[("note", note)])
            .await;
        assert_eq!(
            dispatched.status,
            StatusCode::SEE_OTHER,
            "{}",
            dispatched.body
        );
        let board = officer.get("/console/sos").await;
        let a = card(&reference);
        assert!(board.has(&format!("#sos-list-dispatched {a}")));
        assert_eq!(board.text(&format!("{a} .sos-dispatch-note")), note);
        assert!(
            board
                .text(&format!("{a} .sos-acknowledged"))
                .contains("duty.cr")
        );
        assert!(
            !app.dump_database().await.contains("probe-note-4410"),
            "the note is sealed"
        );
        let closed = officer
            .post_form(&format!("{base}/close"), &[("outcome", "helped")])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        let board = officer.get("/console/sos").await;
        assert!(board.has(&format!("#sos-list-closed {a}")));
        assert!(!board.has(&format!("{a} form")), "nothing follows closed");
        assert_eq!(
            audit(&app, "sos.acknowledge").await,
            vec![("duty.cr".into(), format!("{reference} new -> acknowledged"))]
        );
        assert_eq!(
            audit(&app, "sos.dispatch").await,
            vec![(
                "duty.cr".into(),
                format!("{reference} acknowledged -> dispatched")
            )]
        );
        assert_eq!(
            audit(&app, "sos.close").await,
            vec![(
                "duty.cr".into(),
                format!("{reference} dispatched -> closed (helped)")
            )]
        );
        assert_eq!(
            audit(&app, "sos.view").await.len(),
            2,
            "each look at the board"
        );
        let verdict = hello_kmp::services::audit::verify(&app.state.store)
            .await
            .expect("verify");
        assert!(
            matches!(verdict, hello_kmp::services::audit::Verdict::Intact { .. }),
            "{verdict}"
        );
    }
);

on_both!(
    steps_the_status_does_not_allow_are_refused_with_409,
    |app: TestApp| async move {
        let reference = reference_of(&send_from(&app, SADAR, "").await);
        let officer = control_room(&app).await;
        let base = format!("/console/sos/{reference}");
        assert_eq!(
            officer
                .post_form(&format!("{base}/acknowledge"), &[])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        let twice = officer.post_form(&format!("{base}/acknowledge"), &[]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        refused_in_both(&twice, "সতর্কবার্তা", "already moved on");
        let closed = officer
            .post_form(&format!("{base}/close"), &[("outcome", "false_alarm")])
            .await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        for (step, fields) in [
            ("close", vec![("outcome", "helped")]),
            ("dispatch", vec![("note", "টহল দল")]),
            ("acknowledge", vec![]),
        ] {
            let refused = officer.post_form(&format!("{base}/{step}"), &fields).await;
            assert_eq!(refused.status, StatusCode::CONFLICT, "{step} after close");
        }
        assert_eq!(audit(&app, "sos.close").await.len(), 1, "closed once");
        assert!(audit(&app, "sos.dispatch").await.is_empty());
        let outcome: Option<String> = sqlx::query_scalar("SELECT outcome FROM sos_alerts")
            .fetch_one(app.state.store.reader())
            .await
            .expect("outcome");
        assert_eq!(outcome.as_deref(), Some("false_alarm"));
    }
);

on_both!(
    bad_step_input_is_refused_and_the_note_kept,
    |app: TestApp| async move {
        let reference = reference_of(&send_from(&app, SADAR, "").await);
        let officer = control_room(&app).await;
        let base = format!("/console/sos/{reference}");
        let empty = officer
            .post_form(&format!("{base}/dispatch"), &[("note", "  ")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&empty, "কাকে বা কী", "who or what was sent");
        let long = "ক".repeat(301);
        let too_long = officer
            .post_form(&format!("{base}/dispatch"), &[("note", &long)])
            .await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            too_long.attr(&format!("#note-{reference}"), "value"),
            Some(long),
            "the note is kept"
        );
        let unknown = officer
            .post_form(&format!("{base}/close"), &[("outcome", "solved")])
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused_in_both(&unknown, "বেছে নিন", "Choose how the alert ended");
        for missing in [
            "S-2020-000001",
            "S-2026-999999",
            "T-2026-000001",
            "nonsense",
        ] {
            let answer = officer
                .post_form(&format!("/console/sos/{missing}/acknowledge"), &[])
                .await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        }
        let status: String = sqlx::query_scalar("SELECT status FROM sos_alerts")
            .fetch_one(app.state.store.reader())
            .await
            .expect("status");
        assert_eq!(status, "new", "nothing half written");
    }
);

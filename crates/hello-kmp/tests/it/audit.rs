//! The audit log is a hash chain: `verify` names the first entry changed, removed or reordered.

use hello_kmp::services::audit::{self, Break, Verdict};

use crate::on_both;
use crate::support::{TestApp, receipt_of};

/// Log-in, a tip opened, a reply and a status change: several audit entries.
async fn do_some_work(app: &TestApp) -> i64 {
    let page = app.submit_tip("audit chain test").await;
    let reference = page.text("#tip-reference");
    assert_eq!(receipt_of(&page).len(), 25);
    let officer = app.officer().await;
    officer.get(&format!("/console/tips/{reference}")).await;
    officer
        .post_form(
            &format!("/console/tips/{reference}/messages"),
            &[("kind", "reply"), ("body", "কখন?")],
        )
        .await;
    officer
        .post_form(
            &format!("/console/tips/{reference}/status"),
            &[("status", "under_review")],
        )
        .await;
    app.count("audit_log").await
}

async fn verdict(app: &TestApp) -> Verdict {
    audit::verify(&app.state.store).await.expect("verify runs")
}

async fn tamper(app: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(app.state.store.reader())
        .await
        .expect("tampering statement runs");
}

on_both!(
    the_chain_is_intact_after_ordinary_work,
    |app: TestApp| async move {
        let entries = do_some_work(&app).await;
        assert!(
            entries >= 5,
            "account, log-in, views, reply, status: {entries}"
        );
        match verdict(&app).await {
            Verdict::Intact {
                entries: counted,
                head,
            } => {
                assert_eq!(counted, entries);
                assert_eq!(head.len(), 64);
            }
            broken => panic!("expected intact, got {broken}"),
        }
    }
);

on_both!(an_edited_entry_is_named, |app: TestApp| async move {
    do_some_work(&app).await;
    tamper(
        &app,
        "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 3",
    )
    .await;
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken {
            seq: 3,
            why: Break::Changed
        }
    );
});

on_both!(a_removed_entry_is_named, |app: TestApp| async move {
    do_some_work(&app).await;
    tamper(&app, "DELETE FROM audit_log WHERE seq = 2").await;
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken {
            seq: 2,
            why: Break::Missing
        }
    );
});

on_both!(
    removing_the_newest_entries_shows,
    |app: TestApp| async move {
        let entries = do_some_work(&app).await;
        tamper(
            &app,
            &format!("DELETE FROM audit_log WHERE seq >= {}", entries - 1),
        )
        .await;
        let expected = Verdict::Broken {
            seq: entries - 1,
            why: Break::NewestRemoved,
        };
        assert_eq!(verdict(&app).await, expected);
    }
);

on_both!(reordered_entries_are_named, |app: TestApp| async move {
    do_some_work(&app).await;
    tamper(&app, "UPDATE audit_log SET seq = -1 WHERE seq = 2").await;
    tamper(&app, "UPDATE audit_log SET seq = 2 WHERE seq = 3").await;
    tamper(&app, "UPDATE audit_log SET seq = 3 WHERE seq = -1").await;
    match verdict(&app).await {
        Verdict::Broken { seq: 2, .. } => {}
        other => panic!("expected a break at entry 2, got {other}"),
    }
});

on_both!(
    an_entry_inserted_outside_the_chain_is_named,
    |app: TestApp| async move {
        do_some_work(&app).await;
        tamper(
            &app,
            "INSERT INTO audit_log (at, officer_id, action, tip_id, detail) \
             VALUES (1796000000, NULL, 'tip.view', NULL, 'looks ordinary')",
        )
        .await;
        let id: i64 = sqlx::query_scalar("SELECT id FROM audit_log WHERE seq IS NULL")
            .fetch_one(app.state.store.reader())
            .await
            .expect("the inserted row");
        let verdict = verdict(&app).await;
        assert_eq!(verdict, Verdict::Unchained { id });
        assert!(
            verdict.to_string().contains(&format!("row {id}")),
            "{verdict}"
        );
        let auditor = app.officer_with("salma", "auditor", "kmp_hq").await;
        let page = auditor.get("/console/audit").await;
        // The console shows it, first and marked, instead of failing on it.
        assert_eq!(page.status, axum::http::StatusCode::OK, "{}", page.body);
        assert_eq!(
            page.text("#audit-log tbody tr:first-child td:last-child"),
            "looks ordinary"
        );
        assert!(page.has("#audit-log tr.unchained .flag.unchained"));
        assert_eq!(page.texts("#audit-log tr.unchained").len(), 1);
    }
);

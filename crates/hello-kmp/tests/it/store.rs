//! The writer: jobs queued together commit together, and a job that fails leaves nothing behind
//! without taking its batch-mates down with it.

use hello_kmp::store::{BoxFuture, Conn, StoreError};

use crate::on_both;
use crate::support::TestApp;

/// Writes a hotline row `number` (as a one-statement job if `single`), then fails if `fail`.
async fn write_number(
    app: &TestApp,
    number: String,
    fail: bool,
    single: bool,
) -> Result<(), StoreError> {
    let store = &app.state.store;
    if single {
        store
            .write_one(move |conn| insert_number(conn, number, fail))
            .await
    } else {
        store
            .write(move |conn| insert_number(conn, number, fail))
            .await
    }
}

fn insert_number(
    conn: &mut Conn,
    number: String,
    fail: bool,
) -> BoxFuture<'_, Result<(), StoreError>> {
    Box::pin(async move {
        sqlx::query("INSERT INTO hotlines (number, name_bn, name_en) VALUES ($1, 'x', 'x')")
            .bind(&number)
            .execute(&mut *conn)
            .await?;
        if fail {
            Err(StoreError::Conflict)
        } else {
            Ok(())
        }
    })
}

async fn numbers_starting(app: &TestApp, prefix: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM hotlines WHERE number LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(app.state.store.reader())
        .await
        .expect("count")
}

on_both!(a_failing_job_is_undone_alone, |app: TestApp| async move {
    let mut tasks = Vec::new();
    for i in 0..60 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let fail = i % 3 == 0;
            (fail, write_number(&app, format!("w{i}"), fail, false).await)
        }));
    }
    for task in tasks {
        let (fail, outcome) = task.await.expect("task");
        assert_eq!(outcome.is_err(), fail, "each job gets its own answer");
    }
    assert_eq!(
        numbers_starting(&app, "w").await,
        40,
        "the 20 failed jobs left nothing"
    );
});

on_both!(
    what_a_failing_single_statement_batch_answers_is_what_is_stored,
    |app: TestApp| async move {
        write_number(&app, "dup".into(), false, true)
            .await
            .expect("first write");
        let mut tasks = Vec::new();
        for i in 0..40 {
            let app = app.clone();
            let number = if i % 4 == 0 {
                "dup".to_string()
            } else {
                format!("s{i}")
            };
            tasks.push(tokio::spawn(async move {
                let outcome = write_number(&app, number.clone(), false, true).await;
                (number, outcome)
            }));
        }
        let mut acknowledged = Vec::new();
        for task in tasks {
            let (number, outcome) = task.await.expect("task");
            match outcome {
                Ok(()) => acknowledged.push(number),
                Err(StoreError::Conflict | StoreError::Unavailable) => {}
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert!(
            !acknowledged.iter().any(|n| n == "dup"),
            "a duplicate is never acknowledged"
        );
        let stored = numbers_starting(&app, "s").await;
        assert_eq!(
            stored as usize,
            acknowledged.len(),
            "every acknowledged write, and only those"
        );
    }
);

on_both!(
    audited_writes_and_plain_writes_on_the_same_rows_all_commit,
    |app: TestApp| async move {
        // Citizens' writes lock a tip's row and audit nothing; officers' writes append to the
        // audit log and change the same rows. Mixed in batches that run at once (PostgreSQL
        // has several writers), a batch holding a row while it waits for the log's head, and
        // one holding the head while it waits for that row, would deadlock and one job would
        // fail. None may.
        use hello_kmp::services::audit::{self, Action};
        app.submit_tip("race").await;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM tips ORDER BY id")
            .fetch_all(app.state.store.reader())
            .await
            .expect("tips");
        // Every write touches the same tip: rows alone cannot lock crosswise, only a row and
        // the log's head can.
        let id = ids[0];
        let before = app.count("audit_log").await;
        let mut tasks = Vec::new();
        for i in 0..80usize {
            let store = app.state.store.clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    store.write(move |conn| Box::pin(touch(conn, id))).await
                } else {
                    store
                        .write_audited(move |conn| {
                            Box::pin(async move {
                                audit::record(conn, None, Action::TipView, Some(id), "").await?;
                                touch(conn, id).await
                            })
                        })
                        .await
                }
            }));
        }
        let mut failed = Vec::new();
        for (i, task) in tasks.into_iter().enumerate() {
            if let Err(err) = task.await.expect("task") {
                failed.push(format!("{i}: {err:?}"));
            }
        }
        assert!(failed.is_empty(), "writes failed: {failed:?}");
        assert_eq!(
            app.count("audit_log").await,
            before + 40,
            "every audited write's entry"
        );
        let verdict = audit::verify(&app.state.store).await.expect("verify");
        assert!(
            matches!(verdict, audit::Verdict::Intact { .. }),
            "{verdict}"
        );
    }
);

/// Touches tip `id`'s row (locking it until the batch commits) and takes a moment, as a
/// citizen's message does.
async fn touch(conn: &mut Conn, id: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE tips SET updated_at = updated_at + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    Ok(())
}

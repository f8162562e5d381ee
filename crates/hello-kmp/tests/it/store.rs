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

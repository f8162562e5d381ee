//! The desk an officer's right was checked against is the desk the change is written to: when
//! another officer moves the tip in between, the change is refused as a conflict, and nothing
//! of it is written.

#[allow(unused_imports)]
use super::*;
use crate::on_both;
use crate::support::Officer;
use std::time::Duration;

/// Moves tip `id` to `place` inside a write that stays open until `release` fires, as another
/// officer's transfer does while it commits; answers once the move is made (not yet committed).
async fn move_and_hold(
    app: &TestApp,
    id: i64,
    place: &'static str,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let (moved_tx, moved_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let store = app.state.store.clone();
    let held = tokio::spawn(async move {
        store
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE tips SET assigned_place = $1 WHERE id = $2")
                        .bind(place)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    let _ = moved_tx.send(());
                    let _ = release_rx.await;
                    Ok(())
                })
            })
            .await
            .expect("the other officer's move commits");
    });
    moved_rx.await.expect("the move is made");
    (release_tx, held)
}

/// Posts `fields` to `path` while another officer's move of the tip is committing: the post's
/// check sees the old desk, its write comes after the move.
async fn post_during_move(
    app: &TestApp,
    officer: &Officer,
    id: i64,
    path: &str,
    fields: &[(&str, &str)],
) -> Answer {
    let (release, held) = move_and_hold(app, id, "khalishpur").await;
    let (officer, path) = (officer.clone(), path.to_string());
    let fields: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let post = tokio::spawn(async move {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (&**k, &**v)).collect();
        officer.post_form(&path, &fields).await
    });
    // Time for the post to pass its check (against the committed desk) and queue its write.
    tokio::time::sleep(Duration::from_millis(500)).await;
    release.send(()).expect("the move is waiting");
    held.await.expect("the move ends");
    post.await.expect("the post answers")
}

/// A form's fields.
type Form = Vec<(&'static str, &'static str)>;

async fn tip_row(app: &TestApp, id: i64) -> (String, String, i64, Option<i64>, Option<i64>) {
    sqlx::query_as(
        "SELECT assigned_place, status, priority, due_at, assigned_officer FROM tips WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.state.store.reader())
    .await
    .expect("the tip")
}

on_both!(
    a_change_meets_a_transfer_made_after_its_check,
    |app: TestApp| async move {
        let (reference, _) = send_tip(&app, "theft", "sonadanga", "a bicycle").await;
        let rahim = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        // The change, its form, and the audit action it would have written.
        let changes: [(&str, Form, &str); 6] = [
            ("priority", vec![("urgent", "1")], "tip.priority"),
            ("due", vec![("due", "2090-01-15")], "tip.due"),
            ("assign", vec![("officer", "rahim")], "tip.assign"),
            (
                "transfer",
                vec![("place", "daulatpur"), ("reason", "their area")],
                "tip.transfer",
            ),
            ("status", vec![("status", "under_review")], "tip.status"),
            (
                "messages",
                vec![("kind", "reply"), ("body", "which street?")],
                "tip.reply",
            ),
        ];
        for (what, fields, action) in changes {
            let path = format!("/console/tips/{reference}/{what}");
            let before = tip_row(&app, 1).await;
            let messages = app.count("tip_messages").await;
            let answer = post_during_move(&app, &rahim, 1, &path, &fields).await;
            assert_eq!(
                answer.status,
                StatusCode::CONFLICT,
                "{what}: {}",
                answer.body
            );
            refused_in_both(&answer, "আবার লোড করুন", "Reload");
            assert_eq!(
                answer.attr("#back-to-console", "href").as_deref(),
                Some("/console"),
                "{what}: the way back"
            );
            // Nothing of the change: the tip is where the other officer put it, as it was.
            let after = tip_row(&app, 1).await;
            assert_eq!(after.0, "khalishpur", "{what}");
            assert_eq!(
                (&after.1, after.2, after.3, after.4),
                (&before.1, before.2, before.3, before.4),
                "{what} changed nothing"
            );
            assert_eq!(app.count("tip_messages").await, messages, "{what}: no note");
            assert!(audit(&app, action).await.is_empty(), "{what}: no entry");
            // Back at Sonadanga for the next change.
            sqlx::query("UPDATE tips SET assigned_place = 'sonadanga' WHERE id = 1")
                .execute(app.state.store.reader())
                .await
                .expect("put back");
        }
        // Without a move in between, the same change goes through.
        redirects_to(
            &rahim
                .post_form(
                    &format!("/console/tips/{reference}/priority"),
                    &[("urgent", "1")],
                )
                .await,
            &format!("/console/tips/{reference}"),
        );
        assert_eq!(tip_row(&app, 1).await.2, 1);
    }
);

on_both!(
    a_duplicate_link_meets_a_transfer_of_the_original,
    |app: TestApp| async move {
        let (original, _) = send_tip(&app, "theft", "sonadanga", "a bicycle").await;
        let (copy, _) = send_tip(&app, "theft", "sonadanga", "the same bicycle").await;
        let rahim = app
            .officer_with("rahim", "thana_officer", "sonadanga")
            .await;
        let path = format!("/console/tips/{copy}/duplicate");
        // The original goes to Khalishpur while the link is being made: the copy's tipster's
        // later words would have gone to a desk this officer does not work.
        let answer = post_during_move(&app, &rahim, 1, &path, &[("original", &original)]).await;
        assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
        refused_in_both(&answer, "আবার লোড করুন", "Reload");
        assert_eq!(stored_status(&app, 2).await, "new");
        let linked: Option<i64> = sqlx::query_scalar("SELECT duplicate_of FROM tips WHERE id = 2")
            .fetch_one(app.state.store.reader())
            .await
            .expect("tip");
        assert_eq!(linked, None);
        assert!(audit(&app, "tip.duplicate").await.is_empty());
    }
);

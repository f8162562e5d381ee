//! The board's live stream (server-sent events): new alerts and each step arrive without a
//! reload, carrying only what the board shows; a heartbeat keeps it open; a session that ends
//! ends it; and it works across two servers sharing one database.

use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use http_body_util::BodyExt;
use scraper::{Html, Selector};

use super::{SADAR, SONADANGA, reference_of, send_from};
use crate::on_both;
use crate::support::{Officer, TestApp};

/// How long an event may take to arrive: well above SQLite's one-second poll, well below
/// PostgreSQL's thirty-second safety poll (so an event there came by NOTIFY).
const WITHIN: Duration = Duration::from_secs(8);

/// One event of the stream; a comment line comes as kind `:`.
#[derive(Debug, Clone, Default)]
struct Event {
    kind: String,
    id: String,
    data: String,
    retry: String,
}

/// A stream being read, frame by frame.
struct Stream {
    body: Body,
    buffer: String,
}

impl Stream {
    async fn open(officer: &Officer, path: &str, headers: &[(&str, &str)]) -> Stream {
        let response = officer.open(path, headers).await;
        assert_eq!(response.status(), StatusCode::OK, "the stream opens");
        let kind = response.headers()["content-type"].to_str().expect("text");
        assert_eq!(kind, "text/event-stream");
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        assert!(
            response.headers().get("content-encoding").is_none(),
            "a stream is not compressed (it would be held back)"
        );
        let mut stream = Stream {
            body: response.into_body(),
            buffer: String::new(),
        };
        let hello = stream.next(WITHIN).await.expect("the stream greets");
        assert_eq!(hello.kind, ":");
        assert_eq!(hello.retry, "3000", "the browser is told when to reconnect");
        stream
    }

    /// The next event within `within`; `None` when the stream ended or nothing came.
    async fn next(&mut self, within: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(at) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..at + 2).collect();
                return Some(parse(&block));
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame()).await;
            match frame {
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.buffer.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => return None,
            }
        }
    }

    /// The next `alert` event (heartbeats skipped) within `within`.
    async fn next_alert(&mut self, within: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let event = self.next(left).await?;
            if event.kind == "alert" {
                return Some(event);
            }
        }
    }

    /// Whether the stream has ended (its body is done) within `within`.
    async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.body.frame()).await {
                Ok(None) => return true,
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_))) | Err(_) => return false,
            }
        }
    }
}

fn parse(block: &str) -> Event {
    let mut event = Event::default();
    let mut data = Vec::new();
    for line in block.lines() {
        if line.starts_with(':') {
            event.kind = ":".into();
        } else if let Some((field, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => event.kind = value.into(),
                "id" => event.id = value.into(),
                "data" => data.push(value.to_string()),
                "retry" => event.retry = value.into(),
                _ => {}
            }
        }
    }
    event.data = data.join("\n");
    event
}

/// The status an alert card says it is in.
fn status_of(card: &str) -> String {
    let html = Html::parse_fragment(card);
    let selector = Selector::parse("article.sos-alert").expect("selector");
    html.select(&selector)
        .next()
        .and_then(|a| a.value().attr("data-status"))
        .unwrap_or_default()
        .to_string()
}

/// The card of `reference` as the board page shows it, as HTML.
fn card_on_page(page: &crate::support::Answer, reference: &str) -> String {
    let selector = Selector::parse(&format!("#alert-{reference}")).expect("selector");
    page.html()
        .select(&selector)
        .next()
        .map(|e| e.html())
        .unwrap_or_else(|| panic!("{reference} on the board"))
}

fn same_html(a: &str, b: &str) -> bool {
    let normal = |s: &str| {
        let html = Html::parse_fragment(s);
        let selector = Selector::parse("article").expect("selector");
        html.select(&selector)
            .next()
            .map(|e| e.html())
            .unwrap_or_default()
    };
    normal(a) == normal(b)
}

on_both!(
    a_new_alert_and_each_step_reach_an_open_board_without_reload,
    |app: TestApp| async move {
        let officer = app
            .officer_with("duty.cr", "unit_officer", "control_room")
            .await;
        let board = officer.get("/console/sos").await;
        let since = board.attr("#sos-board", "data-since").expect("since");
        let mut stream =
            Stream::open(&officer, &format!("/console/sos/events?since={since}"), &[]).await;
        let reference = reference_of(&send_from(&app, SADAR, "01712345678").await);
        let event = stream.next_alert(WITHIN).await.expect("the alert arrives");
        assert!(
            event.data.contains(&format!("id=\"alert-{reference}\"")),
            "{}",
            event.data
        );
        assert_eq!(status_of(&event.data), "new");
        assert!(
            event.data.contains("tel:+8801712345678"),
            "the control room sees the number"
        );
        assert!(event.data.contains("geo:22.803610,89.567780"));
        // Only what the board shows: the event is the card the page shows, nothing more.
        let page = officer.get("/console/sos").await;
        assert!(
            same_html(&event.data, &card_on_page(&page, &reference)),
            "{}",
            event.data
        );
        assert!(!event.data.contains("sealed") && !event.data.contains("uid"));

        let acknowledged = officer
            .post_form(&format!("/console/sos/{reference}/acknowledge"), &[])
            .await;
        assert_eq!(acknowledged.status, StatusCode::SEE_OTHER);
        let step = stream.next_alert(WITHIN).await.expect("the step arrives");
        assert_eq!(status_of(&step.data), "acknowledged");
        assert!(step.id.parse::<i64>().expect("id") > event.id.parse::<i64>().expect("id"));

        // A browser reconnecting says where it got to and gets what it missed.
        let missed = reference_of(&send_from(&app, SONADANGA, "").await);
        let mut again = Stream::open(
            &officer,
            "/console/sos/events",
            &[("last-event-id", &step.id)],
        )
        .await;
        let caught_up = again.next_alert(WITHIN).await.expect("what it missed");
        assert!(caught_up.data.contains(&format!("alert-{missed}")));
        let watches: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'sos.watch'")
                .fetch_one(app.state.store.reader())
                .await
                .expect("audit");
        assert_eq!(watches, 2, "each stream opened is audited");
    }
);

on_both!(
    headquarters_hears_of_alerts_without_their_numbers,
    |app: TestApp| async move {
        let hq = app.officer_with("hq.watch", "headquarters", "kmp_hq").await;
        let mut stream = Stream::open(&hq, "/console/sos/events", &[]).await;
        let reference = reference_of(&send_from(&app, SONADANGA, "01812345678").await);
        let event = stream.next_alert(WITHIN).await.expect("the alert arrives");
        assert!(event.data.contains(&reference));
        assert!(!event.data.contains("1812345678"), "{}", event.data);
        assert!(!event.data.contains("<form"), "no steps for headquarters");
        let thana = app
            .officer_with("sona.duty", "thana_officer", "sonadanga")
            .await;
        let refused = thana.open("/console/sos/events", &[]).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let anonymous = app.get("/console/sos/events").await;
        assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
        assert_eq!(anonymous.header("location"), "/console/login");
    }
);

/// An app whose boards get a heartbeat every second.
async fn beating(backend: crate::support::Backend) -> TestApp {
    TestApp::start_with(backend, |s| s.sos.heartbeat_seconds = 1).await
}

async fn a_heartbeat_comes_and_a_logged_out_officers_stream_ends(backend: crate::support::Backend) {
    let app = beating(backend).await;
    let officer = app
        .officer_with("duty.cr", "unit_officer", "control_room")
        .await;
    let mut stream = Stream::open(&officer, "/console/sos/events", &[]).await;
    let beat = stream
        .next(Duration::from_secs(4))
        .await
        .expect("a heartbeat");
    assert_eq!(beat.kind, ":");
    let out = officer.post_form("/console/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let mut ended = None;
    while let Some(event) = stream.next(Duration::from_secs(4)).await {
        if event.kind == "end" {
            ended = Some(event);
            break;
        }
        assert_ne!(event.kind, "alert");
    }
    assert!(ended.is_some(), "the stream says it ends");
    assert!(stream.ends_within(Duration::from_secs(2)).await, "and ends");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_comes_and_a_logged_out_officers_stream_ends_on_sqlite() {
    a_heartbeat_comes_and_a_logged_out_officers_stream_ends(crate::support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_heartbeat_comes_and_a_logged_out_officers_stream_ends_on_postgres() {
    a_heartbeat_comes_and_a_logged_out_officers_stream_ends(crate::support::Backend::Postgres)
        .await;
}

on_both!(
    a_disabled_officers_stream_ends_before_the_next_alert,
    |app: TestApp| async move {
        let officer = app
            .officer_with("duty.cr", "unit_officer", "control_room")
            .await;
        let mut stream = Stream::open(&officer, "/console/sos/events", &[]).await;
        let admin = app.officer().await;
        let disabled = admin
            .post_form("/console/officers/duty.cr/disable", &[])
            .await;
        assert_eq!(disabled.status, StatusCode::SEE_OTHER, "{}", disabled.body);
        reference_of(&send_from(&app, SADAR, "01712345678").await);
        let event = stream.next(WITHIN).await.expect("an event");
        assert_eq!(
            event.kind, "end",
            "no alert for a disabled officer: {event:?}"
        );
        assert!(stream.ends_within(Duration::from_secs(2)).await);
    }
);

on_both!(
    an_alert_sent_through_a_second_server_reaches_a_board_on_the_first,
    |app: TestApp| async move {
        let other = app.second_process().await;
        let officer = app
            .officer_with("duty.cr", "unit_officer", "control_room")
            .await;
        let mut stream = Stream::open(&officer, "/console/sos/events", &[]).await;
        let started = std::time::Instant::now();
        let reference = reference_of(&send_from(&other, SADAR, "01712345678").await);
        let event = stream
            .next_alert(WITHIN)
            .await
            .expect("the alert sent to the other server arrives");
        let across = started.elapsed();
        assert!(
            event.data.contains(&format!("alert-{reference}")),
            "{}",
            event.data
        );
        assert_eq!(status_of(&event.data), "new");
        // A step taken on the second server reaches the first's board too.
        let on_other = officer.on(&other);
        // Long after the watcher started: this one can only come by NOTIFY (PostgreSQL) or
        // the poll (SQLite), never by the catch-up read at its start.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let stepped = std::time::Instant::now();
        let step = on_other
            .post_form(&format!("/console/sos/{reference}/acknowledge"), &[])
            .await;
        assert_eq!(step.status, StatusCode::SEE_OTHER, "{}", step.body);
        let acknowledged = stream.next_alert(WITHIN).await.expect("the step arrives");
        let step_across = stepped.elapsed();
        assert_eq!(status_of(&acknowledged.data), "acknowledged");
        // And the other way round: a board on the second server hears of the first's alerts.
        let mut second = Stream::open(&on_other, "/console/sos/events", &[]).await;
        let back = reference_of(&send_from(&app, SONADANGA, "").await);
        let event = second
            .next_alert(WITHIN)
            .await
            .expect("it arrives there too");
        assert!(event.data.contains(&format!("alert-{back}")));
        eprintln!(
            "SOS across two servers ({:?}): alert {} ms, acknowledgement {} ms",
            app.backend,
            across.as_millis(),
            step_across.as_millis()
        );
        other.state.store.close().await;
    }
);

//! `/console/sos`: the control room's board of SOS alerts (new, acknowledged, help sent,
//! closed), with acknowledge, dispatch and close. The board works without JavaScript (a refresh
//! shows what changed); with it, `/console/sos/events` streams each new alert and each change
//! as it happens (server-sent events), rendered by the same template as the page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::sos::{AlertStatus, Outcome};
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::sos::board::{self, BoardAlert};
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{Choice, PageCtx, Problem, render_with};

/// One alert, ready to show: on the board page and in the live stream alike.
pub struct AlertCard {
    pub reference: String,
    pub status_key: &'static str,
    pub status: String,
    pub received: String,
    /// `22.80361, 89.56778`, and the `geo:` link that opens the phone's or desktop's map app.
    pub point: Option<String>,
    pub geo: Option<String>,
    pub accuracy: Option<String>,
    pub place: Option<String>,
    pub callback: Option<String>,
    pub callback_withheld: bool,
    pub needs_place_check: bool,
    pub thana_uncertain: bool,
    pub thana: Option<String>,
    pub acknowledged: Option<String>,
    pub dispatched: Option<String>,
    pub dispatch_note: Option<String>,
    pub closed: Option<String>,
    pub outcome: Option<String>,
    pub may_acknowledge: bool,
    pub may_dispatch: bool,
    pub may_close: bool,
    pub outcomes: Vec<Choice>,
    /// What the officer typed in this alert's dispatch note, when a step was refused.
    pub note_draft: String,
    pub seq: i64,
}

/// A column of the board: the alerts in one status.
pub struct Section {
    pub key: &'static str,
    pub label: String,
    pub count: String,
    pub alerts: Vec<AlertCard>,
}

#[derive(Template)]
#[template(path = "console/sos.html")]
pub struct BoardPage {
    pub ctx: PageCtx,
    pub sections: Vec<Section>,
    /// The change number the board was read at; the live stream goes on from it.
    pub version: i64,
    pub problem: Option<Problem>,
    pub sos_js_href: String,
}

/// One alert alone, as the live stream sends it.
#[derive(Template)]
#[template(path = "console/sos_alert.html")]
pub struct AlertFragment {
    pub ctx: PageCtx,
    pub a: AlertCard,
}

/// What a refused step leaves to show again: the alert and the note typed for it.
#[derive(Default)]
struct Draft {
    reference: String,
    note: String,
}

pub async fn show_board(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
) -> Result<Response, WebError> {
    board_page(&state, &officer, ctx, Draft::default(), None).await
}

pub async fn acknowledge_alert(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let done = board::acknowledge(&state.store, &state.sos_hub, &officer, &reference).await;
    after(&state, &officer, ctx, done, Draft::default()).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DispatchForm {
    note: String,
}

pub async fn dispatch_alert(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<DispatchForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = board::dispatch(
        &state.store,
        &state.keys,
        &state.sos_hub,
        &officer,
        &reference,
        &form.note,
    )
    .await;
    let draft = Draft {
        reference,
        note: form.note,
    };
    after(&state, &officer, ctx, done, draft).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    outcome: String,
}

pub async fn close_alert(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(reference): Path<String>,
    form: Result<CitizenForm<CloseForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let done = board::close(
        &state.store,
        &state.sos_hub,
        &officer,
        &reference,
        &form.outcome,
    )
    .await;
    after(&state, &officer, ctx, done, Draft::default()).await
}

/// After a step: back to the board, or the board again with the reason and the draft.
async fn after(
    state: &AppState,
    officer: &Officer,
    ctx: PageCtx,
    done: Result<(), ServiceError>,
    draft: Draft,
) -> Result<Response, WebError> {
    match done {
        Ok(()) => Ok(Redirect::to("/console/sos").into_response()),
        Err(ServiceError::Input(err)) => {
            let problem = Problem::new(&ctx, err);
            board_page(state, officer, ctx, draft, Some((err, problem))).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn board_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    draft: Draft,
    problem: Option<(InputError, Problem)>,
) -> Result<Response, WebError> {
    let found = board::open_board(&state.store, &state.keys, officer).await?;
    ctx.signed_in(officer);
    let mut sections: Vec<Section> = AlertStatus::ALL
        .iter()
        .map(|s| Section {
            key: s.key(),
            label: ctx.t(&s.label_key()),
            count: String::new(),
            alerts: Vec::new(),
        })
        .collect();
    for alert in &found.alerts {
        let mut card = card(state, &ctx, alert, found.may_work);
        if card.reference == draft.reference {
            card.note_draft = draft.note.clone();
        }
        if let Some(section) = sections.iter_mut().find(|s| s.key == card.status_key) {
            section.alerts.push(card);
        }
    }
    for section in &mut sections {
        section.count = ctx.num(&(section.alerts.len() as i64));
    }
    let status = problem
        .as_ref()
        .map_or(StatusCode::OK, |(e, _)| input_status(*e));
    let page = BoardPage {
        sections,
        version: found.version,
        problem: problem.map(|(_, p)| p),
        sos_js_href: state.assets.sos_js_href.clone(),
        ctx,
    };
    Ok(render_with(status, &page))
}

/// An alert as this officer sees it: the steps they may take, in the page's language.
pub fn card(state: &AppState, ctx: &PageCtx, alert: &BoardAlert, may_work: bool) -> AlertCard {
    let step = |s: &Option<board::Step>| {
        s.as_ref()
            .map(|s| format!("{}, {}", s.officer, ctx.when(&s.at)))
    };
    let open = alert.status != AlertStatus::Closed;
    AlertCard {
        reference: alert.reference.clone(),
        status_key: alert.status.key(),
        status: ctx.t(&alert.status.label_key()),
        received: ctx.when(&alert.created_at),
        point: alert.point.map(|(lat, lon)| format!("{lat:.5}, {lon:.5}")),
        geo: alert
            .point
            .map(|(lat, lon)| format!("geo:{lat:.6},{lon:.6}")),
        accuracy: alert
            .accuracy_m
            .map(|m| format!("± {} {}", ctx.num(&m), ctx.t("sos-metres"))),
        place: alert.place.clone(),
        callback: alert.callback.clone(),
        callback_withheld: alert.callback_left && alert.callback.is_none(),
        needs_place_check: alert.needs_place_check,
        thana_uncertain: alert.thana_uncertain,
        thana: alert
            .thana
            .as_deref()
            .map(|k| state.reference.place_name(k, ctx.lang)),
        acknowledged: step(&alert.acknowledged),
        dispatched: step(&alert.dispatched),
        dispatch_note: alert.dispatch_note.clone(),
        closed: step(&alert.closed),
        outcome: alert.outcome.map(|o| ctx.t(&o.label_key())),
        may_acknowledge: may_work && alert.status == AlertStatus::New,
        may_dispatch: may_work && alert.status.may_become(AlertStatus::Dispatched),
        may_close: may_work && open,
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Choice {
                key: o.key().into(),
                label: ctx.t(&o.label_key()),
                selected: false,
            })
            .collect(),
        note_draft: String::new(),
        seq: alert.change_seq,
    }
}

/// How long a browser waits before reconnecting a dropped stream.
const RECONNECT_MS: u64 = 3_000;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct StreamQuery {
    /// The change number the page was read at.
    since: String,
}

/// `GET /console/sos/events`: the board's live stream. Each event is one alert as the board
/// shows it to this officer (`event: alert`, `id:` its change number, the card's HTML as data),
/// sent when it comes in or changes, on whichever server. A heartbeat keeps the connection
/// open; at each heartbeat and before each change the officer's session is checked again
/// (without counting as activity), and a session that ended or an officer no longer allowed
/// gets `event: end` and the stream closes.
///
/// Limitation: watching is not activity, so a board left untouched ends with the session's idle
/// time (`session_idle_minutes`) like every console page, and the officer logs in again; a wall
/// screen in the control room needs someone to use it (or a longer idle time) to stay live.
pub async fn stream_board(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    jar: axum_extra::extract::CookieJar,
    headers: axum::http::HeaderMap,
    axum::extract::Query(query): axum::extract::Query<StreamQuery>,
) -> Result<Response, WebError> {
    let token = jar
        .get(crate::web::console::auth::SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let now = board::start_watching(&state.store, &officer).await?;
    // A reconnecting browser says where it got to; a fresh page says when it was read.
    let since = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(Some(query.since.as_str()))
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map_or(now, |v| v.clamp(0, now));
    let subscription = state.sos_hub.subscribe(&state.store);
    let beat = std::time::Duration::from_secs(state.settings.sos.heartbeat_seconds);
    let watch = Watch {
        ctx: PageCtx::new(&state, ctx.lang, "/console/sos"),
        state,
        officer,
        token,
        since,
        subscription,
        heartbeat: tokio::time::interval_at(tokio::time::Instant::now() + beat, beat),
        queue: std::collections::VecDeque::new(),
        started: false,
        done: false,
    };
    let stream = futures_util::stream::unfold(watch, Watch::next);
    // Tells nginx-like proxies not to hold events back until a buffer fills.
    let unbuffered = [("x-accel-buffering", "no")];
    Ok((unbuffered, axum::response::sse::Sse::new(stream)).into_response())
}

type SseEvent = axum::response::sse::Event;

/// One officer's open stream.
struct Watch {
    state: AppState,
    officer: Officer,
    /// The session's token, to check it again; it never leaves this process.
    token: String,
    ctx: PageCtx,
    /// The change number of the last alert sent.
    since: i64,
    subscription: crate::services::sos::live::Subscription,
    heartbeat: tokio::time::Interval,
    queue: std::collections::VecDeque<SseEvent>,
    started: bool,
    done: bool,
}

impl Watch {
    async fn next(mut self) -> Option<(Result<SseEvent, std::convert::Infallible>, Watch)> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some((Ok(event), self));
            }
            if self.done {
                return None;
            }
            if !self.started {
                self.started = true;
                let hello = SseEvent::default()
                    .retry(std::time::Duration::from_millis(RECONNECT_MS))
                    .comment("connected");
                self.queue.push_back(hello);
                self.send_changes().await;
                continue;
            }
            tokio::select! {
                closing = self.subscription.closing.changed() => {
                    // The server is stopping: the stream ends so that it can drain, and the
                    // browser reconnects to whichever server answers next.
                    if closing.is_err() || *self.subscription.closing.borrow() {
                        self.done = true;
                    }
                }
                changed = self.subscription.version.changed() => match changed {
                    Ok(()) => self.send_changes().await,
                    Err(_) => self.done = true,
                },
                _ = self.heartbeat.tick() => {
                    if self.still_allowed().await {
                        self.queue.push_back(SseEvent::default().comment("heartbeat"));
                    }
                }
            }
        }
    }

    /// Whether the officer's session is still live and still allows the board; if not, the
    /// stream says so and ends. A database that does not answer ends nothing: the next check
    /// decides.
    async fn still_allowed(&mut self) -> bool {
        use crate::services::access::{SosRight, may_sos};
        let policy = self.state.settings.session_policy();
        let found =
            crate::services::accounts::peek_session(&self.state.store, policy, &self.token).await;
        match found {
            Ok(Some(session))
                if session.stage == crate::services::accounts::Stage::Full
                    && may_sos(&session.officer, SosRight::Watch) =>
            {
                self.officer = session.officer;
                true
            }
            Ok(_) => {
                tracing::info!(officer.id = self.officer.id, "an SOS board's stream ended");
                self.queue
                    .push_back(SseEvent::default().event("end").data("session"));
                self.done = true;
                false
            }
            Err(err) => {
                tracing::warn!(error = %err, "an SOS board's session could not be checked");
                true
            }
        }
    }

    /// Queues every alert changed since the last one sent, as this officer's board shows it.
    async fn send_changes(&mut self) {
        if !self.still_allowed().await {
            return;
        }
        let may_work = crate::services::access::may_sos(
            &self.officer,
            crate::services::access::SosRight::Work,
        );
        loop {
            let changed = board::changes_since(
                &self.state.store,
                &self.state.keys,
                &self.officer,
                self.since,
            )
            .await;
            let alerts = match changed {
                Ok(alerts) => alerts,
                Err(err) => {
                    tracing::warn!(error = %err, "an SOS board's changes could not be read");
                    return;
                }
            };
            let full = alerts.len() as i64 >= board::CHANGES_AT_ONCE;
            for alert in &alerts {
                self.since = self.since.max(alert.change_seq);
                let fragment = AlertFragment {
                    ctx: self.ctx.clone(),
                    a: card(&self.state, &self.ctx, alert, may_work),
                };
                match fragment.render() {
                    Ok(html) => self.queue.push_back(
                        SseEvent::default()
                            .event("alert")
                            .id(alert.change_seq.to_string())
                            .data(html.trim()),
                    ),
                    Err(err) => tracing::error!(error = %err, "an SOS card did not render"),
                }
            }
            if !full {
                return;
            }
        }
    }
}

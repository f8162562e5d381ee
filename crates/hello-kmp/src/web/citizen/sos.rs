//! `GET /sos` and `POST /sos`: the SOS page, whose first and largest control is the call to 999,
//! and the answer once the alert is stored. With JavaScript one tap sends the phone's location;
//! without it (or when the phone gives none) the page says to call 999 and takes a written place.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::sos::citizen::{self, NewAlert, SosForm};
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render, render_with};

#[derive(Template)]
#[template(path = "sos/new.html")]
pub struct SosPage {
    pub ctx: PageCtx,
    pub form: SosForm,
    pub problem: Option<Problem>,
    /// A point came with the refused form and is sent again with it.
    pub has_location: bool,
    pub place_max: usize,
    pub sos_js_href: String,
}

impl SosPage {
    fn new(state: &AppState, ctx: PageCtx, form: SosForm, problem: Option<Problem>) -> SosPage {
        SosPage {
            ctx,
            has_location: !form.lat.trim().is_empty(),
            form,
            problem,
            place_max: crate::domain::sos::PLACE_MAX_CHARS,
            sos_js_href: state.assets.sos_js_href.clone(),
        }
    }

    pub fn invalid(&self, field: &str) -> bool {
        Problem::is_on(&self.problem, field)
    }
}

#[derive(Template)]
#[template(path = "sos/sent.html")]
pub struct SentPage {
    pub ctx: PageCtx,
    pub reference: String,
    /// The reference in the page's digits.
    pub reference_shown: String,
    pub has_location: bool,
    pub callback_given: bool,
}

pub async fn show_sos_page(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let form = SosForm {
        alert_token: citizen::new_token(),
        ..SosForm::default()
    };
    render(&SosPage::new(&state, ctx, form, None))
}

/// `POST /sos`: stores the alert; the page says "sent" only once it is committed.
pub async fn send_alert(
    State(state): State<AppState>,
    ctx: PageCtx,
    form: Result<CitizenForm<SosForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let alert = match NewAlert::parse(&form) {
        Ok(alert) => alert,
        Err(err) => return Ok(refuse(&state, ctx, form, err)),
    };
    let callback_given = alert.callback.is_some();
    let rules = state.sos_rules();
    let sent = match citizen::send(&state.store, &state.keys, &state.sos_hub, rules, alert).await {
        Ok(sent) => sent,
        Err(crate::services::ServiceError::Input(err)) => {
            return Ok(refuse(&state, ctx, form, err));
        }
        Err(other) => return Err(other.into()),
    };
    // Switching language would lose this page; it is short and says the same in any case.
    let ctx = PageCtx {
        can_switch_language: false,
        ..ctx
    };
    Ok(render(&SentPage {
        reference_shown: ctx.lang.digits(&sent.reference),
        reference: sent.reference,
        has_location: sent.has_location,
        callback_given,
        ctx,
    }))
}

/// The page again, as typed, with the reason in both languages.
fn refuse(state: &AppState, ctx: PageCtx, mut form: SosForm, err: InputError) -> Response {
    if err == InputError::FormTampered {
        form.alert_token = citizen::new_token();
    }
    // A point the phone gave that cannot be used is dropped, so that sending the written place
    // next is not refused for it again; nothing the citizen typed is lost.
    if err == InputError::SosPointUnusable {
        form.lat.clear();
        form.lon.clear();
        form.accuracy.clear();
    }
    let problem = Problem::new(&ctx, err);
    render_with(
        input_status(err),
        &SosPage::new(state, ctx, form, Some(problem)),
    )
}

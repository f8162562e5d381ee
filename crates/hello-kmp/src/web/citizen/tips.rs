//! `GET /tips/new` and `POST /tips`: the secret tip form and its one-time receipt.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::tip::Category;
use crate::sealing::random_hex;
use crate::services::reference::Reference;
use crate::services::tips::citizen::{self, NewTip, SubmitRules, Submitted, TipForm};
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{Choice, PageCtx, Problem, render, render_with};

#[derive(Template)]
#[template(path = "tips/new.html")]
pub struct TipFormPage {
    pub ctx: PageCtx,
    pub form: TipForm,
    pub categories: Vec<Choice>,
    pub thanas: Vec<Choice>,
    pub problem: Option<Problem>,
    pub description_max: usize,
}

impl TipFormPage {
    fn new(ctx: PageCtx, reference: &Reference, form: TipForm, problem: Option<Problem>) -> Self {
        let lang = ctx.lang;
        let categories = Category::ALL
            .iter()
            .map(|c| Choice {
                key: c.key().into(),
                label: ctx.t(&c.label_key()),
                selected: form.category == c.key(),
            })
            .collect();
        let thanas = reference
            .thanas()
            .map(|t| Choice {
                key: t.key.clone(),
                label: t.name(lang).into(),
                selected: form.thana == t.key,
            })
            .collect();
        TipFormPage {
            ctx,
            form,
            categories,
            thanas,
            problem,
            description_max: crate::domain::tip::DESCRIPTION_MAX_CHARS,
        }
    }

    pub fn invalid(&self, field: &str) -> bool {
        Problem::is_on(&self.problem, field)
    }
}

#[derive(Template)]
#[template(path = "tips/receipt.html")]
pub struct ReceiptPage {
    pub ctx: PageCtx,
    pub receipt_bn: String,
    pub receipt_ascii: String,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "tips/already_sent.html")]
pub struct AlreadySentPage {
    pub ctx: PageCtx,
    pub reference: String,
}

pub async fn show_tip_form(State(state): State<AppState>, ctx: PageCtx) -> Response {
    let form = TipForm {
        form_token: random_hex(16),
        ..TipForm::default()
    };
    render(&TipFormPage::new(ctx, &state.reference, form, None))
}

/// `GET /tips` (a refreshed or bookmarked result page): back to the form.
pub async fn to_tip_form() -> axum::response::Redirect {
    axum::response::Redirect::to("/tips/new")
}

pub async fn submit_tip(
    State(state): State<AppState>,
    ctx: PageCtx,
    form: Result<CitizenForm<TipForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let tip = match NewTip::parse(&form, &state.reference) {
        Ok(tip) => tip,
        Err(err) => return Ok(refuse(&state, ctx, form, err)),
    };
    let rules = SubmitRules {
        area: state.settings.area,
        retention_days: state.settings.retention_days,
    };
    let (receipt, reference) = match citizen::submit(&state.store, &state.keys, rules, tip).await? {
        Submitted::Created { receipt, reference } => (receipt, reference),
        Submitted::Repeated {
            receipt: Some(receipt),
            reference,
        } => (receipt, reference),
        Submitted::Repeated {
            receipt: None,
            reference,
        } => {
            return Ok(render(&AlreadySentPage { ctx, reference }));
        }
    };
    // Leaving the receipt page loses the receipt, so it offers no language switch; the digits
    // are there in both scripts.
    let ctx = PageCtx {
        can_switch_language: false,
        ..ctx
    };
    Ok(render(&ReceiptPage {
        ctx,
        receipt_bn: receipt.grouped_bangla(),
        receipt_ascii: receipt.grouped(),
        reference,
    }))
}

/// The form again, as typed, with the reason in both languages.
fn refuse(state: &AppState, ctx: PageCtx, mut form: TipForm, err: InputError) -> Response {
    if err == InputError::FormTampered {
        // A bad token would fail every resend; the form comes back with a fresh one.
        form.form_token = random_hex(16);
    }
    let problem = Problem::new(&ctx, err);
    let status = input_status(err);
    render_with(
        status,
        &TipFormPage::new(ctx, &state.reference, form, Some(problem)),
    )
}

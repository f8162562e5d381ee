//! `GET /tips/new` and `POST /tips`: the secret tip form and its one-time receipt.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::Response;

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::tip::Category;
use crate::sealing::random_hex;
use crate::services::ServiceError;
use crate::services::attachments::{self, Prepared};
use crate::services::reference::Reference;
use crate::services::tips::citizen::{self, Files, NewTip, SubmitRules, Submitted, TipForm};
use crate::services::uploads;
use crate::web::citizen::upload::{self, Part};
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

    pub fn files_invalid(&self) -> bool {
        self.invalid("files")
    }

    pub fn held_uploads(&self) -> &[String] {
        &self.form.uploads
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

/// `POST /tips`: the form with photos (multipart, the page's own), or without (URL-encoded).
pub async fn submit_tip(
    State(state): State<AppState>,
    ctx: PageCtx,
    request: Request,
) -> Result<Response, WebError> {
    if !upload::is_multipart(request.headers()) {
        // Without files the body is text only, and keeps the small limit of every text form.
        let request = upload::text_only(request);
        let CitizenForm(form) = CitizenForm::<TipForm>::from_request(request, &state).await?;
        return submit(&state, ctx, form, Vec::new()).await;
    }
    let mut upload = Multipart::from_request(request, &state)
        .await
        .map_err(|_| InputError::FormTampered)?;
    let mut form = TipForm::default();
    let mut prepared = Vec::new();
    match read_upload(&state, &mut upload, &mut form, &mut prepared).await {
        Ok(()) => submit(&state, ctx, form, prepared).await,
        Err(err) => {
            attachments::discard(&state.blobs, &prepared).await;
            match err {
                ServiceError::Input(err) => Ok(refuse(&state, ctx, form, err)),
                other => Err(other.into()),
            }
        }
    }
}

/// Reads the form's parts in order; each photo is cleaned and sealed as it arrives. The text
/// comes first on the page, so it is checked before any photo is kept, and it is there to show
/// again if a photo is refused.
async fn read_upload(
    state: &AppState,
    upload: &mut Multipart,
    form: &mut TipForm,
    prepared: &mut Vec<Prepared>,
) -> Result<(), ServiceError> {
    let mut text_checked = false;
    while let Some(part) = upload::next_part(upload).await? {
        let mut file = match part {
            Part::Text { name, value } => {
                set_field(form, &name, value);
                continue;
            }
            Part::File(upload) => upload,
            Part::NoFile => continue,
        };
        if !text_checked {
            NewTip::parse(form, &state.reference)?;
            text_checked = true;
        }
        let limits = state.file_limits();
        if prepared.len() == limits.max_files {
            return Err(limits.too_many().into());
        }
        prepared.push(
            attachments::prepare_upload(&state.blobs, &state.keys, &limits, &mut *file).await?,
        );
    }
    if !form.uploads.is_empty() {
        let tip = NewTip::parse(form, &state.reference)?;
        let (store, blobs, keys) = (&state.store, &state.blobs, &state.keys);
        let limits = state.file_limits();
        citizen::prepare_uploads(
            store,
            blobs,
            keys,
            &limits,
            &tip,
            &mut form.uploads,
            prepared,
        )
        .await?;
    }
    Ok(())
}

fn set_field(form: &mut TipForm, name: &str, text: String) {
    match name {
        "category" => form.category = text,
        "description" => form.description = text,
        "event_time" => form.event_time = text,
        "thana" => form.thana = text,
        "lat" => form.lat = text,
        "lon" => form.lon = text,
        "contact_name" => form.contact_name = text,
        "contact_phone" => form.contact_phone = text,
        "form_token" => form.form_token = text,
        "upload" if uploads::plausible(&text) && form.uploads.len() < uploads::PER_FORM_MAX => {
            form.uploads.push(text)
        }
        _ => {}
    }
}

async fn submit(
    state: &AppState,
    ctx: PageCtx,
    form: TipForm,
    prepared: Vec<Prepared>,
) -> Result<Response, WebError> {
    let tip = match NewTip::parse(&form, &state.reference) {
        Ok(tip) => tip,
        Err(err) => {
            attachments::discard(&state.blobs, &prepared).await;
            return Ok(refuse(state, ctx, form, err));
        }
    };
    let rules = SubmitRules {
        area: state.settings.area,
        retention_days: state.settings.retention_days,
        jurisdictions: &state.jurisdictions,
    };
    let files = (!prepared.is_empty()).then_some(Files {
        blobs: &state.blobs,
        prepared,
        limits: state.file_limits(),
    });
    let submitted =
        citizen::submit_with_files(&state.store, &state.keys, rules, tip, files).await?;
    // The files are recorded (or were, with the same tip): their pieces are no longer needed.
    uploads::release(&state.store, &state.blobs, &form.uploads).await;
    let (receipt, reference) = match submitted {
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

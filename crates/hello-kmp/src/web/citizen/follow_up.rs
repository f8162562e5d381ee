//! `GET|POST /follow-up` and `POST /follow-up/messages`: the tipster comes back with the receipt.
//!
//! The receipt travels only in POST bodies, never in an address, so it stays out of browser
//! history and of every log. Wrong receipts count against the guesser's in-memory throttle.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;

use crate::app::AppState;
use crate::domain::{InputError, Receipt};
use crate::i18n::Lang;
use crate::services::ServiceError;
use crate::services::attachments::{self, Prepared};
use crate::services::tips::Author;
use crate::services::tips::citizen::{self, Files, TipsterView};
use crate::services::uploads;
use crate::web::citizen::lang::language_cookie;
use crate::web::citizen::upload::{self, Part};
use crate::web::client::Client;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render, render_with};

#[derive(Template)]
#[template(path = "follow_up/lookup.html")]
pub struct LookupPage {
    pub ctx: PageCtx,
    pub receipt: String,
    pub problem: Option<Problem>,
}

/// A line of the tipster's timeline.
pub struct TimelineLine {
    pub when: String,
    pub label: String,
}

/// A message as the tipster sees it.
pub struct MessageLine {
    pub from_officer: bool,
    pub when: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "follow_up/status.html")]
pub struct StatusPage {
    pub ctx: PageCtx,
    pub receipt: String,
    pub reference: String,
    pub category: String,
    pub status: String,
    pub timeline: Vec<TimelineLine>,
    pub messages: Vec<MessageLine>,
    pub draft: String,
    /// Files the page has sent a piece at a time, still to go with the message.
    pub uploads: Vec<String>,
    pub problem: Option<Problem>,
    pub sent: bool,
    /// Names this message form, so that sending it twice adds the message once.
    pub form_token: String,
}

impl StatusPage {
    pub fn files_invalid(&self) -> bool {
        Problem::is_on(&self.problem, "files")
    }

    pub fn held_uploads(&self) -> &[String] {
        &self.uploads
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct LookupForm {
    receipt: String,
    /// Set by the status page's language switch, which re-posts the receipt.
    lang: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    receipt: String,
    message: String,
    form_token: String,
    #[serde(skip)]
    uploads: Vec<String>,
}

impl MessageForm {
    /// The message as sent. A token that is not one the page could have made is ignored: the
    /// message is then added as if the form had none.
    fn message(&self) -> citizen::SentMessage<'_> {
        let token = self.form_token.trim();
        citizen::SentMessage {
            text: &self.message,
            token: crate::domain::tip::well_formed_token(token).then_some(token),
        }
    }
}

pub async fn show_lookup_form(ctx: PageCtx) -> Response {
    render(&LookupPage {
        ctx,
        receipt: String::new(),
        problem: None,
    })
}

/// `GET /follow-up/messages` (a refreshed result page): back to the receipt form.
pub async fn to_lookup_form() -> axum::response::Redirect {
    axum::response::Redirect::to("/follow-up")
}

pub async fn show_tip_status(
    State(state): State<AppState>,
    mut ctx: PageCtx,
    jar: CookieJar,
    client: Client,
    form: Result<CitizenForm<LookupForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    // The status page cannot be reached by a link (the receipt never goes in an address), so
    // its language switch posts the receipt back here with the language wanted.
    let switched = Lang::parse(&form.lang);
    if let Some(lang) = switched {
        ctx.lang = lang;
    }
    let (receipt, view) = match look_up(&state, client, &form.receipt).await {
        Ok(found) => found,
        Err(ServiceError::Input(err)) => return Ok(refuse_lookup(ctx, form.receipt, err)),
        Err(other) => return Err(other.into()),
    };
    let page = render(&status_page(
        ctx,
        &receipt,
        view,
        String::new(),
        Vec::new(),
        None,
        false,
    ));
    Ok(match switched {
        Some(lang) => (
            jar.add(language_cookie(lang, state.settings.secure_cookies())),
            page,
        )
            .into_response(),
        None => page,
    })
}

/// `POST /follow-up/messages`: more information, with photos (multipart, the page's own) or
/// without (URL-encoded).
pub async fn add_information(
    State(state): State<AppState>,
    ctx: PageCtx,
    client: Client,
    request: Request,
) -> Result<Response, WebError> {
    if !upload::is_multipart(request.headers()) {
        let request = upload::text_only(request);
        let CitizenForm(form) = CitizenForm::<MessageForm>::from_request(request, &state).await?;
        return add(&state, ctx, client, form, Vec::new(), None).await;
    }
    let mut upload = Multipart::from_request(request, &state)
        .await
        .map_err(|_| InputError::FormTampered)?;
    let mut form = MessageForm::default();
    let mut prepared = Vec::new();
    let refused = match read_upload(&state, client, &mut upload, &mut form, &mut prepared).await {
        Ok(()) => None,
        Err(ServiceError::Input(err)) => Some(err),
        Err(other) => {
            attachments::discard(&state.blobs, &prepared).await;
            return Err(other.into());
        }
    };
    add(&state, ctx, client, form, prepared, refused).await
}

/// Reads the receipt, the message and the photos in order; the receipt is checked before the
/// first photo is kept, and each photo is cleaned and sealed as it arrives.
async fn read_upload(
    state: &AppState,
    client: Client,
    upload: &mut Multipart,
    form: &mut MessageForm,
    prepared: &mut Vec<Prepared>,
) -> Result<(), ServiceError> {
    let limits = state.file_limits();
    let mut left = None;
    while let Some(part) = upload::next_part(upload).await? {
        let mut file = match part {
            Part::Text { name, value } => {
                match name.as_str() {
                    "receipt" => form.receipt = value,
                    "message" => form.message = value,
                    "form_token" => form.form_token = value,
                    "upload"
                        if uploads::plausible(&value)
                            && form.uploads.len() < uploads::PER_FORM_MAX =>
                    {
                        form.uploads.push(value)
                    }
                    _ => {}
                }
                continue;
            }
            Part::File(upload) => upload,
            Part::NoFile => continue,
        };
        let left = match left {
            Some(left) => left,
            None => {
                let (receipt, _) = look_up(state, client, &form.receipt).await?;
                *left.insert(
                    citizen::files_left(&state.store, &state.keys, &limits, &receipt).await?,
                )
            }
        };
        if prepared.len() >= left {
            return Err(limits.too_many().into());
        }
        prepared.push(
            attachments::prepare_upload(&state.blobs, &state.keys, &limits, &mut *file).await?,
        );
    }
    if !form.uploads.is_empty() {
        let (receipt, _) = look_up(state, client, &form.receipt).await?;
        if citizen::message_already_sent(&state.store, &state.keys, &receipt, form.message())
            .await?
        {
            // A resend after a lost answer: its uploads went with the first send.
            return Ok(());
        }
        let room = match left {
            Some(left) => left,
            None => citizen::files_left(&state.store, &state.keys, &limits, &receipt).await?,
        };
        uploads::prepare_named(
            &state.store,
            &state.blobs,
            &state.keys,
            &limits,
            &mut form.uploads,
            prepared,
            room,
        )
        .await?;
    }
    Ok(())
}

/// Adds the message and its files, or shows the status page again with the reason and the
/// draft; refused files are not kept.
async fn add(
    state: &AppState,
    ctx: PageCtx,
    client: Client,
    form: MessageForm,
    prepared: Vec<Prepared>,
    refused: Option<InputError>,
) -> Result<Response, WebError> {
    // A receipt already refused while reading the files is not tried (and counted) again.
    if let Some(err) = refused.filter(|e| e.field() == Some("receipt")) {
        attachments::discard(&state.blobs, &prepared).await;
        uploads::release(&state.store, &state.blobs, &form.uploads).await;
        return Ok(refuse_lookup(ctx, form.receipt, err));
    }
    let (receipt, _) = match look_up(state, client, &form.receipt).await {
        Ok(found) => found,
        Err(err) => {
            attachments::discard(&state.blobs, &prepared).await;
            uploads::release(&state.store, &state.blobs, &form.uploads).await;
            return match err {
                ServiceError::Input(err) => Ok(refuse_lookup(ctx, form.receipt, err)),
                other => Err(other.into()),
            };
        }
    };
    let added = match refused {
        Some(err) => {
            attachments::discard(&state.blobs, &prepared).await;
            Err(ServiceError::Input(err))
        }
        None => {
            let files = (!prepared.is_empty()).then_some(Files {
                blobs: &state.blobs,
                prepared,
                limits: state.file_limits(),
            });
            citizen::add_information_with_files(
                &state.store,
                &state.keys,
                &receipt,
                form.message(),
                files,
            )
            .await
        }
    };
    if added.is_ok() {
        uploads::release(&state.store, &state.blobs, &form.uploads).await;
    }
    let view = citizen::look_up(&state.store, &state.keys, &receipt).await?;
    match added {
        // Added now or before (a resend): either way it is with the police.
        Ok(_) => Ok(render(&status_page(
            ctx,
            &receipt,
            view,
            String::new(),
            Vec::new(),
            None,
            true,
        ))),
        Err(ServiceError::Input(err)) => {
            let problem = Some(Problem::new(&ctx, err));
            let status = input_status(err);
            // Nothing was added: the form shown again keeps its token, so that sending it
            // once it is mended still counts as one message.
            let token = form.message().token.map(str::to_string);
            let mut page = status_page(
                ctx,
                &receipt,
                view,
                form.message,
                form.uploads,
                problem,
                false,
            );
            if let Some(token) = token {
                page.form_token = token;
            }
            Ok(render_with(status, &page))
        }
        Err(other) => Err(other.into()),
    }
}

async fn look_up(
    state: &AppState,
    client: Client,
    typed: &str,
) -> Result<(Receipt, TipsterView), ServiceError> {
    let (store, keys, throttle) = (&state.store, &state.keys, &state.throttle);
    citizen::look_up_guarded(store, keys, throttle, client.0, typed).await
}

fn refuse_lookup(ctx: PageCtx, typed: String, err: InputError) -> Response {
    let problem = Some(Problem::new(&ctx, err));
    let status = input_status(err);
    render_with(
        status,
        &LookupPage {
            ctx,
            receipt: typed,
            problem,
        },
    )
}

fn status_page(
    ctx: PageCtx,
    receipt: &Receipt,
    view: TipsterView,
    draft: String,
    uploads: Vec<String>,
    problem: Option<Problem>,
    sent: bool,
) -> StatusPage {
    let timeline = view
        .timeline
        .iter()
        .map(|e| TimelineLine {
            when: ctx.when(&e.at),
            label: ctx.t(e.status.citizen_key()),
        })
        .collect();
    let messages = view
        .messages
        .into_iter()
        .map(|m| MessageLine {
            from_officer: m.author == Author::Officer,
            when: ctx.when(&m.at),
            body: m.body,
        })
        .collect();
    let ctx = PageCtx {
        switch_receipt: Some(receipt.grouped()),
        ..ctx
    };
    StatusPage {
        receipt: receipt.grouped(),
        reference: view.reference,
        category: ctx.t(&view.category.label_key()),
        status: ctx.t(view.status.citizen_key()),
        timeline,
        messages,
        draft,
        uploads,
        problem,
        sent,
        form_token: crate::sealing::random_hex(16),
        ctx,
    }
}

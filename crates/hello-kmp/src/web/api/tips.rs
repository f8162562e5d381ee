//! `/api/v1/tips…`: send a tip, read it back with the receipt, add information.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ErrorEnvelope};
use crate::app::AppState;
use crate::domain::tip::{Category, TipStatus};
use crate::domain::{InputError, Receipt};
use crate::i18n::Lang;
use crate::services::attachments;
use crate::services::tips::Author;
use crate::services::tips::citizen::{
    self, Files, NewTip, SubmitRules, Submitted, TipForm, TipsterView,
};
use crate::services::uploads;
use crate::web::client::Client;
use crate::web::form::ApiJson;

/// A secret tip. Only `category` and `description` are required.
#[derive(Deserialize, ToSchema)]
pub struct TipRequest {
    /// A category key from `/api/v1/reference`, such as `drugs`.
    pub category: String,
    /// What happened, Bangla or English, up to 5,000 characters.
    pub description: String,
    /// Local Khulna time, `YYYY-MM-DDTHH:MM`.
    #[serde(default)]
    pub event_time: Option<String>,
    /// A thana key from `/api/v1/reference`.
    #[serde(default)]
    pub thana: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// A random value (32–64 letters, digits, dashes or underscores) the app keeps with its
    /// draft. Sending the same key with the same content again makes no second tip and returns
    /// the same receipt (within a day); other content under the same key is another tip.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Finished uploads (from `/api/v1/uploads`) to attach, at most five.
    #[serde(default)]
    pub uploads: Vec<String>,
}

impl TipRequest {
    fn into_form(self) -> TipForm {
        TipForm {
            category: self.category,
            description: self.description,
            event_time: self.event_time.unwrap_or_default(),
            thana: self.thana.unwrap_or_default(),
            lat: self.lat.map(|v| v.to_string()).unwrap_or_default(),
            lon: self.lon.map(|v| v.to_string()).unwrap_or_default(),
            contact_name: self.contact_name.unwrap_or_default(),
            contact_phone: self.contact_phone.unwrap_or_default(),
            form_token: self.idempotency_key.unwrap_or_default(),
            uploads: self.uploads,
        }
    }
}

/// The answer to a tip. Show the receipt once and keep nothing. Sending the same
/// `idempotency_key` and content again returns the same receipt with `already_sent`.
#[derive(Serialize, ToSchema)]
pub struct TipAccepted {
    /// 25 digits in five groups; the only way back to the tip.
    pub receipt: Option<String>,
    pub receipt_bangla: Option<String>,
    /// The reference officers use, such as `T-2026-000123`.
    pub reference: String,
    /// True when this idempotency key was sent before: no second tip was made.
    pub already_sent: bool,
}

#[utoipa::path(post, path = "/api/v1/tips", request_body = TipRequest,
    responses(
        (status = 201, description = "Committed; the receipt is shown this once", body = TipAccepted),
        (status = 200, description = "The same idempotency key was sent before", body = TipAccepted),
        (status = 422, description = "Input refused", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
    ))]
pub async fn submit_tip(
    State(state): State<AppState>,
    request: Result<ApiJson<TipRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let ApiJson(request) = request?;
    let mut form = request.into_form();
    let tip = NewTip::parse(&form, &state.reference)?;
    if form.uploads.iter().any(|id| !uploads::plausible(id)) {
        return Err(InputError::UploadUnknown.into());
    }
    let mut prepared = Vec::new();
    let (store, blobs, keys) = (&state.store, &state.blobs, &state.keys);
    let limits = state.file_limits();
    let named = citizen::prepare_uploads(
        store,
        blobs,
        keys,
        &limits,
        &tip,
        &mut form.uploads,
        &mut prepared,
    )
    .await;
    if let Err(err) = named {
        attachments::discard(&state.blobs, &prepared).await;
        return Err(err.into());
    }
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
    uploads::release(&state.store, &state.blobs, &form.uploads).await;
    let answer = match submitted {
        Submitted::Created { receipt, reference } => (
            StatusCode::CREATED,
            TipAccepted {
                receipt: Some(receipt.grouped()),
                receipt_bangla: Some(receipt.grouped_bangla()),
                reference,
                already_sent: false,
            },
        ),
        Submitted::Repeated { receipt, reference } => (
            StatusCode::OK,
            TipAccepted {
                receipt: receipt.as_ref().map(Receipt::grouped),
                receipt_bangla: receipt.as_ref().map(Receipt::grouped_bangla),
                reference,
                already_sent: true,
            },
        ),
    };
    Ok((answer.0, Json(answer.1)).into_response())
}

/// A receipt, in Bangla or ASCII digits, with any spaces or dashes.
#[derive(Deserialize, ToSchema)]
pub struct LookupRequest {
    pub receipt: String,
}

/// What the tipster may see of their tip.
#[derive(Serialize, ToSchema)]
pub struct TipStatusResponse {
    pub reference: String,
    pub category: Category,
    /// `new`, `under_review`, `investigating`, `action_taken` or `closed`.
    pub status: String,
    pub status_bn: String,
    pub status_en: String,
    pub timeline: Vec<TimelineItem>,
    pub messages: Vec<MessageItem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineItem {
    /// Unix seconds.
    pub at: i64,
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageItem {
    /// `officer` or `tipster`.
    pub from: String,
    pub body: String,
    /// Unix seconds.
    pub at: i64,
}

#[utoipa::path(post, path = "/api/v1/tips/lookup", request_body = LookupRequest,
    responses(
        (status = 200, body = TipStatusResponse),
        (status = 404, description = "No tip has this receipt", body = ErrorEnvelope),
        (status = 422, description = "Not 25 digits", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong receipts from this client", body = ErrorEnvelope),
    ))]
pub async fn show_tip_status(
    State(state): State<AppState>,
    client: Client,
    request: Result<ApiJson<LookupRequest>, ApiError>,
) -> Result<Json<TipStatusResponse>, ApiError> {
    let ApiJson(request) = request?;
    let (_, view) = checked_look_up(&state, client, &request.receipt).await?;
    Ok(Json(status_response(view)))
}

/// The tipster adds information.
#[derive(Deserialize, ToSchema)]
pub struct MessageRequest {
    pub receipt: String,
    /// Up to 5,000 characters.
    pub message: String,
    /// 32 to 64 letters, digits, dashes or underscores, new for each message: sending the same
    /// key, receipt and text again (after a lost answer) adds the message once.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/tips/messages", request_body = MessageRequest,
    responses(
        (status = 201, description = "Committed", body = TipStatusResponse),
        (status = 200, description = "This key, receipt and text were sent before: added once", body = TipStatusResponse),
        (status = 404, description = "No tip has this receipt", body = ErrorEnvelope),
        (status = 422, description = "Input refused", body = ErrorEnvelope),
        (status = 429, description = "Too many wrong receipts from this client", body = ErrorEnvelope),
    ))]
pub async fn add_information(
    State(state): State<AppState>,
    client: Client,
    request: Result<ApiJson<MessageRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let ApiJson(request) = request?;
    let key = request.idempotency_key.as_deref().map(str::trim);
    if key.is_some_and(|k| !crate::domain::tip::well_formed_token(k)) {
        return Err(InputError::FormTampered.into());
    }
    let (receipt, _) = checked_look_up(&state, client, &request.receipt).await?;
    let message = citizen::SentMessage {
        text: &request.message,
        token: key,
    };
    let added = citizen::add_information(&state.store, &state.keys, &receipt, message).await?;
    let view = citizen::look_up(&state.store, &state.keys, &receipt).await?;
    let status = match added {
        citizen::Added::New => StatusCode::CREATED,
        citizen::Added::Repeated => StatusCode::OK,
    };
    Ok((status, Json(status_response(view))).into_response())
}

async fn checked_look_up(
    state: &AppState,
    client: Client,
    typed: &str,
) -> Result<(Receipt, TipsterView), ApiError> {
    let (store, keys, throttle) = (&state.store, &state.keys, &state.throttle);
    Ok(citizen::look_up_guarded(store, keys, throttle, client.0, typed).await?)
}

fn citizen_status(status: TipStatus) -> &'static str {
    match status {
        TipStatus::ClosedNoAction | TipStatus::ClosedDuplicate | TipStatus::ClosedFalse => "closed",
        other => other.key(),
    }
}

fn status_response(view: TipsterView) -> TipStatusResponse {
    TipStatusResponse {
        reference: view.reference,
        category: view.category,
        status: citizen_status(view.status).to_string(),
        status_bn: Lang::Bn.t(view.status.citizen_key()),
        status_en: Lang::En.t(view.status.citizen_key()),
        timeline: view
            .timeline
            .iter()
            .map(|e| TimelineItem {
                at: e.at,
                status: citizen_status(e.status).to_string(),
            })
            .collect(),
        messages: view
            .messages
            .into_iter()
            .map(|m| MessageItem {
                from: if m.author == Author::Officer {
                    "officer"
                } else {
                    "tipster"
                }
                .to_string(),
                body: m.body,
                at: m.at,
            })
            .collect(),
    }
}

/// The categories and thanas a tip may name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceResponse {
    pub categories: Vec<NamedKey>,
    pub thanas: Vec<NamedKey>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NamedKey {
    pub key: String,
    pub name_bn: String,
    pub name_en: String,
}

#[utoipa::path(get, path = "/api/v1/reference", responses((status = 200, body = ReferenceResponse)))]
pub async fn show_reference(State(state): State<AppState>) -> Json<ReferenceResponse> {
    let categories = Category::ALL
        .iter()
        .map(|c| NamedKey {
            key: c.key().into(),
            name_bn: Lang::Bn.t(&c.label_key()),
            name_en: Lang::En.t(&c.label_key()),
        })
        .collect();
    let thanas = state
        .reference
        .thanas()
        .map(|t| NamedKey {
            key: t.key.clone(),
            name_bn: t.name_bn.clone(),
            name_en: t.name_en.clone(),
        })
        .collect();
    Json(ReferenceResponse { categories, thanas })
}

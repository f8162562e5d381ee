//! The JSON API under `/api/v1`: what a native app needs of the citizen's side (the tip flow,
//! the contacts and the nearest thana, the FAQ, the news, SOS), described by the OpenAPI
//! document at `/api/v1/openapi.json`. Errors share one envelope.

pub mod contacts;
pub mod faq;
pub mod news;
pub mod openapi;
pub mod sos;
pub mod tips;
pub mod uploads;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::InputError;
use crate::i18n::Lang;
use crate::web::error::WebError;

pub fn routes(state: &AppState) -> Router<AppState> {
    let csrf = crate::web::middleware::trusted_csrf(state)
        .with_rejection_response(|_| ApiError(WebError::Forbidden).into_response());
    Router::new()
        .route("/tips", post(tips::submit_tip))
        .route("/tips/lookup", post(tips::show_tip_status))
        .route("/tips/messages", post(tips::add_information))
        .route("/reference", get(tips::show_reference))
        .route("/uploads", post(uploads::open_upload))
        .route(
            "/uploads/{id}",
            get(uploads::show_upload)
                .patch(uploads::add_piece)
                .delete(uploads::delete_upload)
                .layer(DefaultBodyLimit::max(crate::services::uploads::PIECE_MAX)),
        )
        // Limitation: every answer here is `Cache-Control: no-store` (the middleware's default)
        // with no ETag, so an app that keeps the directory, FAQ or news for use offline must
        // fetch them whole again to see whether anything changed.
        .route("/contacts", get(contacts::list_contacts))
        .route("/contacts/nearest", post(contacts::find_nearest_thana))
        .route("/faq", get(faq::show_faq))
        .route("/news", get(news::list_news))
        .route("/news/{post}", get(news::show_post))
        .route("/sos/token", get(sos::issue_token))
        .route("/sos", post(sos::send_alert))
        .route("/openapi.json", get(openapi::show_openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(csrf)
}

async fn method_not_allowed() -> ApiError {
    ApiError(WebError::Input(InputError::MethodNotAllowed))
}

async fn not_found() -> ApiError {
    ApiError(WebError::NotFound)
}

/// Every API error: a stable code, the message in both languages, the field at fault.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, such as `description_empty` or `receipt_unknown`.
    pub code: String,
    pub message_bn: String,
    pub message_en: String,
    /// The request field at fault, if one is.
    pub field: Option<String>,
    /// Quote this when reporting a server error.
    pub request_id: Option<String>,
}

/// A web error rendered as JSON.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(err: E) -> ApiError {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, field) = match &self.0 {
            WebError::Input(e) => (e.code().to_string(), e.field().map(str::to_string)),
            WebError::NotFound => ("not_found".into(), None),
            WebError::Forbidden | WebError::NotAllowed => ("forbidden".into(), None),
            WebError::Unavailable => ("unavailable".into(), None),
            WebError::Internal { .. } => ("internal".into(), None),
        };
        let request_id = match &self.0 {
            WebError::Internal { request_id } => Some(request_id.clone()),
            _ => None,
        };
        let body = ErrorEnvelope {
            error: ErrorBody {
                code,
                message_bn: self.0.message(Lang::Bn),
                message_en: self.0.message(Lang::En),
                field,
                request_id,
            },
        };
        let status = self.0.status();
        let status = if status == StatusCode::OK {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        let mut response = (status, Json(body)).into_response();
        crate::web::error::add_retry_after(&mut response);
        response
    }
}

impl From<ApiError> for InputError {
    fn from(err: ApiError) -> InputError {
        match err.0 {
            WebError::Input(e) => e,
            _ => InputError::FormTampered,
        }
    }
}

//! One error type for the web layer, two renderings: a bilingual HTML page for browsers, and the
//! JSON envelope of [`crate::web::api::ApiError`] for `/api`.
//!
//! `thiserror` types (`InputError`, `ServiceError`, `StoreError`) are errors a caller acts on;
//! `anyhow` carries the unexpected, which is logged once here with a request id and shown to the
//! user only as that id.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::domain::InputError;
use crate::i18n::Lang;
use crate::services::ServiceError;
use crate::store::StoreError;

/// What a page handler may fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("input refused")]
    Input(InputError),
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// An officer asked for what their role or desk does not allow.
    #[error("not allowed for this officer")]
    NotAllowed,
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error {request_id}")]
    Internal { request_id: String },
}

impl WebError {
    /// Logs the unexpected error once, under a fresh request id, and keeps only the id.
    pub fn internal(err: anyhow::Error) -> WebError {
        let request_id = crate::sealing::random_hex(6);
        tracing::error!(request.id = %request_id, error = format!("{err:#}"), "request failed");
        WebError::Internal { request_id }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Input(e) => input_status(*e),
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::NotAllowed => StatusCode::FORBIDDEN,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message explaining the error, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            WebError::Input(e) => lang.t_input(*e),
            other => lang.t(&other.message_key()),
        }
    }

    /// The message key explaining the error.
    pub fn message_key(&self) -> String {
        match self {
            WebError::Input(e) => e.message_key(),
            WebError::NotFound => "err-not-found".into(),
            WebError::Forbidden => "err-forbidden".into(),
            WebError::NotAllowed => "err-not-allowed".into(),
            WebError::Unavailable => "err-unavailable".into(),
            WebError::Internal { .. } => "err-internal".into(),
        }
    }
}

impl From<InputError> for WebError {
    fn from(err: InputError) -> WebError {
        WebError::Input(err)
    }
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> WebError {
        match err {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Unavailable => {
                tracing::warn!("database busy or unavailable");
                WebError::Unavailable
            }
            other => WebError::internal(anyhow::Error::from(other)),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(err: ServiceError) -> WebError {
        match err {
            ServiceError::Input(e) => WebError::Input(e),
            ServiceError::NotFound => WebError::NotFound,
            ServiceError::Forbidden => WebError::NotAllowed,
            ServiceError::Store(e) => WebError::from(e),
            ServiceError::Unexpected(e) => WebError::internal(e),
        }
    }
}

/// The error page: the message in Bangla, then in English, with a way home and the 999 button.
#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    status: u16,
    css_href: String,
    icon_href: String,
    bn: String,
    en: String,
    title_bn: String,
    title_en: String,
    request_id: Option<String>,
    /// Officers refused something go back to the console, everyone else to the home page.
    console: bool,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            status: self.status().as_u16(),
            css_href: crate::web::assets::Assets::shared().css_href.clone(),
            icon_href: crate::web::assets::Assets::shared().icon_href.clone(),
            bn: self.message(Lang::Bn),
            en: self.message(Lang::En),
            title_bn: Lang::Bn.t("error-title"),
            title_en: Lang::En.t("error-title"),
            request_id: match &self {
                WebError::Internal { request_id } => Some(request_id.clone()),
                _ => None,
            },
            console: matches!(
                self,
                WebError::NotAllowed | WebError::Input(InputError::DeskChanged)
            ),
        };
        let html = page.render().unwrap_or_else(|_| "Error / ত্রুটি".to_string());
        let mut response = (self.status(), Html(html)).into_response();
        add_retry_after(&mut response);
        response
    }
}

impl IntoResponse for InputError {
    fn into_response(self) -> Response {
        WebError::Input(self).into_response()
    }
}

/// A 429 says when to come back: the first lock-out is 30 seconds.
pub fn add_retry_after(response: &mut Response) {
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("30"),
        );
    }
}

/// The HTTP status of a refusal; every page and the API answer it alike.
pub fn input_status(err: InputError) -> StatusCode {
    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

//! Form and JSON bodies with refusals a citizen can read: an oversized body or a body that does
//! not parse becomes an [`InputError`], never framework text.

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::domain::InputError;

/// A URL-encoded form body.
pub struct CitizenForm<T>(pub T);

impl<T, S> FromRequest<S> for CitizenForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = InputError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(CitizenForm(value)),
            Err(rejection) => Err(form_refusal(&rejection)),
        }
    }
}

fn form_refusal(rejection: &FormRejection) -> InputError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        InputError::BodyTooLarge
    } else {
        InputError::FormTampered
    }
}

/// A JSON body for the API.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::web::api::ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_refusal(&rejection).into()),
        }
    }
}

fn json_refusal(rejection: &JsonRejection) -> InputError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        InputError::BodyTooLarge
    } else {
        InputError::RequestMalformed
    }
}

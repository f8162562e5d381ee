//! `/api/v1/uploads`: a file sent a piece at a time, resumed after a dropped connection (the tip
//! and follow-up pages use it when JavaScript runs; a native app may too). The rules are in
//! `services::uploads`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::uploads::{self, PieceRefused, Progress};
use crate::web::api::{ApiError, ErrorEnvelope};
use crate::web::form::ApiJson;

/// The header naming where a piece starts.
pub const OFFSET_HEADER: &str = "upload-offset";

#[derive(Deserialize, ToSchema)]
pub struct UploadRequest {
    /// The whole file's size in bytes.
    pub size: i64,
}

#[derive(Serialize, ToSchema)]
pub struct UploadOpened {
    /// Keep it on the page only: whoever holds it may add to the upload. Name it in the form's
    /// `upload` field (or a tip request's `uploads`) once the upload is complete.
    pub id: String,
    /// The largest piece one request may carry.
    pub piece_max: usize,
}

/// How much of the file the server holds.
#[derive(Serialize, ToSchema)]
pub struct UploadProgress {
    pub received: i64,
    pub size: i64,
}

impl From<Progress> for UploadProgress {
    fn from(p: Progress) -> UploadProgress {
        UploadProgress {
            received: p.received,
            size: p.size,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/uploads", request_body = UploadRequest,
    responses(
        (status = 201, description = "Opened; send the pieces", body = UploadOpened),
        (status = 413, description = "Larger than any kind of file we take", body = ErrorEnvelope),
        (status = 429, description = "Too many uploads open; try again shortly", body = ErrorEnvelope),
    ))]
pub async fn open_upload(
    State(state): State<AppState>,
    request: Result<ApiJson<UploadRequest>, ApiError>,
) -> Result<Response, ApiError> {
    let ApiJson(request) = request?;
    let id = uploads::open(&state.store, &state.file_limits(), request.size).await?;
    let opened = UploadOpened {
        id,
        piece_max: uploads::PIECE_MAX,
    };
    Ok((StatusCode::CREATED, Json(opened)).into_response())
}

#[utoipa::path(get, path = "/api/v1/uploads/{id}",
    responses(
        (status = 200, description = "Where to resume", body = UploadProgress),
        (status = 404, description = "Unknown, expired or refused", body = ErrorEnvelope),
    ))]
pub async fn show_upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<UploadProgress>, ApiError> {
    Ok(Json(uploads::progress(&state.store, &id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/uploads/{id}",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The bytes from `Upload-Offset` on, at most `piece_max` of them"),
    responses(
        (status = 200, description = "Taken", body = UploadProgress),
        (status = 409, description = "Not at the offset the server has reached: resume at `received`", body = UploadProgress),
        (status = 404, description = "Unknown, expired or refused", body = ErrorEnvelope),
        (status = 415, description = "Not a kind of file we take (the upload is closed)", body = ErrorEnvelope),
        (status = 413, description = "Beyond the size announced or the kind's limit", body = ErrorEnvelope),
    ))]
pub async fn add_piece(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let offset = headers
        .get(OFFSET_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or(InputError::RequestMalformed)?;
    let limits = state.file_limits();
    let added = uploads::add_piece(
        &state.store,
        &state.blobs,
        &state.keys,
        &limits,
        &id,
        offset,
        &body,
    );
    match added.await {
        Ok(progress) => Ok(Json(UploadProgress::from(progress)).into_response()),
        Err(PieceRefused::WrongOffset(progress)) => {
            Ok((StatusCode::CONFLICT, Json(UploadProgress::from(progress))).into_response())
        }
        Err(PieceRefused::Refused(err)) => Err(err.into()),
    }
}

#[utoipa::path(delete, path = "/api/v1/uploads/{id}",
    responses((status = 204, description = "Deleted, or already gone")))]
pub async fn delete_upload(State(state): State<AppState>, Path(id): Path<String>) -> StatusCode {
    uploads::abandon(&state.store, &state.blobs, &id).await;
    StatusCode::NO_CONTENT
}

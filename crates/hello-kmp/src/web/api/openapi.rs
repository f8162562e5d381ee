//! `GET /api/v1/openapi.json`: the API described for app builders, generated from the handlers.

use axum::Json;
use utoipa::OpenApi;

use super::tips;
use super::{ErrorBody, ErrorEnvelope};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hello KMP API",
        version = "1",
        description = "The citizen's secret-tip flow of Hello KMP, for native apps. No request is tied to a person: keep the receipt on the phone only as long as the citizen wants."
    ),
    paths(
        tips::submit_tip,
        tips::show_tip_status,
        tips::add_information,
        tips::show_reference
    ),
    components(schemas(
        ErrorEnvelope,
        ErrorBody,
        tips::TipRequest,
        tips::TipAccepted,
        tips::LookupRequest,
        tips::TipStatusResponse,
        tips::TimelineItem,
        tips::MessageItem,
        tips::MessageRequest,
        tips::ReferenceResponse,
        tips::NamedKey
    ))
)]
pub struct ApiDoc;

pub async fn show_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

//! `GET /api/v1/openapi.json`: the API described for app builders, generated from the handlers.

use axum::Json;
use utoipa::OpenApi;

use super::{ErrorBody, ErrorEnvelope};
use super::{contacts, faq, news, tips, uploads};

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
        tips::show_reference,
        uploads::open_upload,
        uploads::show_upload,
        uploads::add_piece,
        uploads::delete_upload,
        contacts::list_contacts,
        contacts::find_nearest_thana,
        faq::show_faq,
        news::list_news,
        news::show_post
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
        tips::NamedKey,
        uploads::UploadRequest,
        uploads::UploadOpened,
        uploads::UploadProgress,
        contacts::ContactsResponse,
        contacts::ContactItem,
        contacts::PhoneItem,
        contacts::PointRequest,
        contacts::NearestResponse,
        faq::FaqResponse,
        faq::FaqGroupItem,
        faq::FaqEntryItem,
        news::NewsPageResponse,
        news::NewsItem,
        news::PictureItem,
        news::NewsPostResponse
    ))
)]
pub struct ApiDoc;

pub async fn show_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

//! `GET /api/v1/openapi.json`: the API described for app builders, generated from the handlers.

use axum::Json;
use utoipa::OpenApi;

use super::{ErrorBody, ErrorEnvelope};
use super::{contacts, faq, news, sos, tips, uploads};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hello KMP API",
        version = "1",
        description = "The citizen's side of Hello KMP for native apps: secret tips, the contacts and the nearest thana, the FAQ, the news and SOS. No request is tied to a person: keep the receipt on the phone only as long as the citizen wants. Points and search words are used for the answer only, never stored or logged."
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
        news::show_post,
        sos::issue_token,
        sos::send_alert
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
        news::NewsPostResponse,
        sos::SosToken,
        sos::SosRequest,
        sos::SosSent,
        sos::ShownLine
    ))
)]
pub struct ApiDoc;

pub async fn show_openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

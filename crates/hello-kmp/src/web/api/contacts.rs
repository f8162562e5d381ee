//! `/api/v1/contacts…`: the published directory and its search, and "my nearest thana", for the
//! app. The same services answer the `/contacts` pages, so both show the same entries, hide the
//! same empty fields and find the same places. Neither the search words nor the point are
//! stored or logged; the point travels in the body, never in the address.

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ErrorEnvelope};
use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::contact::PhoneNumber;
use crate::domain::content::parse_search;
use crate::domain::tip::GeoPoint;
use crate::i18n::Lang;
use crate::services::directory::{self, Contact, Hit, Hotline};
use crate::services::nearest;
use crate::web::form::ApiJson;

/// A number to dial.
#[derive(Serialize, ToSchema)]
pub struct PhoneItem {
    /// Normalised: `+880…`, or a short code such as `999`.
    pub number: String,
    /// As written in Bangladesh, such as `041-761001`.
    pub display: String,
    /// The same in Bangla digits.
    pub display_bn: String,
    /// `tel:` and the number, for the phone's dialler.
    pub tel: String,
}

impl PhoneItem {
    fn of(phone: &PhoneNumber) -> PhoneItem {
        let display = phone.display();
        PhoneItem {
            number: phone.dial().to_string(),
            display_bn: Lang::Bn.digits(&display),
            tel: format!("tel:{}", phone.dial()),
            display,
        }
    }
}

/// Headquarters, a thana, a unit or a hotline, with both languages. A field citizens' pages
/// hide because it is empty is left out.
#[derive(Serialize, ToSchema)]
pub struct ContactItem {
    /// `contact-sonadanga`, `hotline-999`: the same ids as on the page.
    pub id: String,
    /// `hq`, `thana`, `unit` or `hotline`.
    pub kind: String,
    /// The thana or unit key (as in `/api/v1/reference`), or the hotline's number.
    pub key: String,
    pub name_bn: String,
    pub name_en: String,
    /// Empty when no number is published yet: the place is listed all the same.
    pub phones: Vec<PhoneItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_bn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_bn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub officer_in_charge: Option<String>,
    /// A `geo:` URI of the station, for the phone's own map app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
}

fn non_empty(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_string())
}

impl ContactItem {
    fn of_place(c: &Contact) -> ContactItem {
        ContactItem {
            id: format!("contact-{}", c.key),
            kind: c.kind.clone(),
            key: c.key.clone(),
            name_bn: c.name_bn.clone(),
            name_en: c.name_en.clone(),
            phones: c.phones.iter().map(PhoneItem::of).collect(),
            note_bn: None,
            note_en: None,
            address_bn: c.address_bn.clone(),
            address_en: c.address_en.clone(),
            officer_in_charge: c.officer_in_charge.clone(),
            map: c.station.map(|p| format!("geo:{:.6},{:.6}", p.lat, p.lon)),
        }
    }

    fn of_hotline(h: &Hotline) -> ContactItem {
        ContactItem {
            id: format!("hotline-{}", h.number),
            kind: "hotline".into(),
            key: h.number.clone(),
            name_bn: h.name_bn.clone(),
            name_en: h.name_en.clone(),
            phones: vec![PhoneItem::of(&PhoneNumber::stored(&h.number))],
            note_bn: non_empty(&h.note_bn),
            note_en: non_empty(&h.note_en),
            address_bn: None,
            address_en: None,
            officer_in_charge: None,
            map: None,
        }
    }

    fn of_hit(hit: Hit<'_>) -> ContactItem {
        match hit {
            Hit::Place(c) => ContactItem::of_place(c),
            Hit::Hotline(h) => ContactItem::of_hotline(h),
        }
    }
}

/// The directory in the page's order, and what a search found.
#[derive(Serialize, ToSchema)]
pub struct ContactsResponse {
    /// 999: police, fire service and ambulance.
    pub emergency: Option<ContactItem>,
    pub hq: Vec<ContactItem>,
    pub thanas: Vec<ContactItem>,
    pub units: Vec<ContactItem>,
    pub hotlines: Vec<ContactItem>,
    /// With `q` only: the entries found, best first (perhaps none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ContactItem>>,
    /// Whether `POST /api/v1/contacts/nearest` can answer (thana boundaries are loaded).
    pub nearest_available: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct ContactsQuery {
    /// A thana, unit, hotline or number, in Bangla or English, up to 80 characters; spelling
    /// variants find the same place.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contacts", params(ContactsQuery),
    responses(
        (status = 200, body = ContactsResponse),
        (status = 422, description = "The search is longer than 80 characters", body = ErrorEnvelope),
    ))]
pub async fn list_contacts(
    State(state): State<AppState>,
    query: Result<Query<ContactsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ContactsResponse>, ApiError> {
    let Query(query) = query.map_err(|_| InputError::RequestMalformed)?;
    let query = parse_search(query.q.as_deref(), directory::QUERY_MAX_CHARS)?;

    let directory = directory::published(&state.store).await?;
    let nearest_available = nearest::available(&state.store, &state.jurisdictions).await;

    let results = query.map(|q| {
        let hits = directory.search(&q);
        hits.into_iter().map(ContactItem::of_hit).collect()
    });
    let sections = directory.sections();
    let places = |list: &[&Contact]| list.iter().map(|c| ContactItem::of_place(c)).collect();
    Ok(Json(ContactsResponse {
        emergency: sections.emergency.map(ContactItem::of_hotline),
        hq: places(&sections.hq),
        thanas: places(&sections.thanas),
        units: places(&sections.units),
        hotlines: sections
            .hotlines
            .iter()
            .map(|h| ContactItem::of_hotline(h))
            .collect(),
        results,
        nearest_available,
    }))
}

/// The phone's point, in the body so that it stays out of addresses and their logs.
#[derive(Deserialize, ToSchema)]
pub struct PointRequest {
    /// Degrees north, WGS 84.
    pub lat: Option<f64>,
    /// Degrees east, WGS 84.
    pub lon: Option<f64>,
}

// The point must never reach a log.
impl std::fmt::Debug for PointRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PointRequest(redacted)")
    }
}

impl PointRequest {
    fn point(&self) -> Result<GeoPoint, InputError> {
        match (self.lat, self.lon) {
            (Some(lat), Some(lon)) => GeoPoint::new(lat, lon),
            _ => Err(InputError::PointMalformed),
        }
    }
}

/// What the boundaries say of the point.
#[derive(Serialize, ToSchema)]
pub struct NearestResponse {
    /// `in`: inside the one thana listed. `near_edge`: inside the first thana listed, near the
    /// edge of the others, so any of them may be the one. `near_outside`: outside every
    /// boundary but near the thanas listed. `outside`: far from all; every thana is listed.
    pub answer: String,
    pub thanas: Vec<ContactItem>,
    /// Show this line with the answer: the boundaries' licence asks for it.
    pub attribution: String,
}

#[utoipa::path(post, path = "/api/v1/contacts/nearest", request_body = PointRequest,
    responses(
        (status = 200, body = NearestResponse),
        (status = 422, description = "No point, not a point, or outside Bangladesh", body = ErrorEnvelope),
        (status = 503, description = "No thana boundaries are loaded", body = ErrorEnvelope),
    ))]
pub async fn find_nearest_thana(
    State(state): State<AppState>,
    request: Result<ApiJson<PointRequest>, ApiError>,
) -> Result<Json<NearestResponse>, ApiError> {
    let ApiJson(request) = request?;
    let point = request.point()?;

    let found = nearest::nearest_thana(&state.store, &state.jurisdictions, point).await?;

    Ok(Json(NearestResponse {
        answer: found.answer.key().to_string(),
        thanas: found.thanas.iter().map(ContactItem::of_place).collect(),
        attribution: found.attribution,
    }))
}

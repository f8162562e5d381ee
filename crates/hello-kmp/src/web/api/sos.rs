//! `GET /api/v1/sos/token` and `POST /api/v1/sos`: the app's SOS, sent as the `/sos` page's
//! script sends it. The app takes a fresh token before the citizen taps, and sends every retry of
//! one tap with it, so that a double tap or a resend after a lost answer is one alert. The
//! answer comes only once the alert is committed. The point and the call-back number are sealed
//! with the alert and never logged.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ErrorEnvelope};
use crate::app::AppState;
use crate::domain::InputError;
use crate::i18n::Lang;
use crate::services::sos::citizen::{self, AppAlert, NewAlert, Sent};
use crate::web::error::WebError;
use crate::web::form::ApiJson;

/// A token for one alert.
#[derive(Serialize, ToSchema)]
pub struct SosToken {
    /// Send it with the alert, and with every retry of the same alert. It is kept nowhere
    /// until an alert comes with it. Any random 32 to 64 letters, digits, dashes or
    /// underscores the app makes itself do the same.
    pub token: String,
}

#[utoipa::path(get, path = "/api/v1/sos/token", responses((status = 200, body = SosToken)))]
pub async fn issue_token() -> Json<SosToken> {
    Json(SosToken {
        token: citizen::new_token(),
    })
}

/// An SOS alert: the phone's point, or, when the phone gives none, where the citizen is in their
/// own words.
#[derive(Deserialize, ToSchema)]
pub struct SosRequest {
    /// Degrees north, WGS 84, with `lon`. Without a point, send `place`.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Where the citizen is, written by them (up to 300 characters), for when the phone gives no
    /// location.
    #[serde(default)]
    pub place: Option<String>,
    /// The phone's estimate of its error, in metres.
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    /// A Bangladeshi mobile number the control room may call back.
    #[serde(default)]
    pub callback_phone: Option<String>,
    /// From `/api/v1/sos/token`.
    pub token: Option<String>,
}

// Where someone is and their number never reach a log.
impl std::fmt::Debug for SosRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SosRequest(redacted)")
    }
}

/// A line to show the citizen, in both languages.
#[derive(Serialize, ToSchema)]
pub struct ShownLine {
    pub bn: String,
    pub en: String,
}

impl ShownLine {
    fn of(key: &str) -> ShownLine {
        ShownLine {
            bn: Lang::Bn.t(key),
            en: Lang::En.t(key),
        }
    }
}

/// The alert is stored: what the citizen should see.
#[derive(Serialize, ToSchema)]
pub struct SosSent {
    /// What the control room calls the alert, such as `S-2026-000042`.
    pub reference: String,
    pub reference_bn: String,
    /// Whether the control room has the phone's point.
    pub has_location: bool,
    /// True when this token had sent the alert before: no second alert was made.
    pub already_sent: bool,
    /// The lines the `/sos` page shows once an alert is sent, in order.
    pub lines: Vec<ShownLine>,
}

impl SosSent {
    fn of(sent: Sent, callback_given: bool) -> SosSent {
        let mut keys = vec!["sos-sent"];
        keys.push(if sent.has_location {
            "sos-sent-with-location"
        } else {
            "sos-sent-without-location"
        });
        if callback_given {
            keys.push("sos-sent-callback");
        }
        keys.push("sos-sent-call-999");
        SosSent {
            reference_bn: Lang::Bn.digits(&sent.reference),
            reference: sent.reference,
            has_location: sent.has_location,
            already_sent: sent.repeated,
            lines: keys.into_iter().map(ShownLine::of).collect(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/sos", request_body = SosRequest,
    responses(
        (status = 201, description = "Committed: the control room has it", body = SosSent),
        (status = 200, description = "This token had sent the alert before", body = SosSent),
        (status = 400, description = "Not JSON of the documented shape: the message says to call 999", body = ErrorEnvelope),
        (status = 422, description = "No usable point, place or token, or a bad call-back number: the message says to call 999", body = ErrorEnvelope),
        (status = 429, description = "Too many alerts right now: call 999", body = ErrorEnvelope),
    ))]
pub async fn send_alert(
    State(state): State<AppState>,
    request: Result<ApiJson<SosRequest>, ApiError>,
) -> Result<Response, ApiError> {
    // Whatever is wrong with the request, the citizen is told to call 999.
    let ApiJson(request) = request.map_err(|err| match err.0 {
        WebError::Input(InputError::RequestMalformed) => {
            ApiError(WebError::Input(InputError::SosRequestMalformed))
        }
        other => ApiError(other),
    })?;
    let alert = NewAlert::parse_app(AppAlert {
        lat: request.lat,
        lon: request.lon,
        accuracy_m: request.accuracy_m,
        place: request.place.as_deref(),
        callback: request.callback_phone.as_deref(),
        token: request.token.as_deref(),
    })?;
    let callback_given = alert.callback.is_some();

    let rules = state.sos_rules();
    let sent = citizen::send(&state.store, &state.keys, &state.sos_hub, rules, alert).await?;

    let status = if sent.repeated {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(SosSent::of(sent, callback_given))).into_response())
}

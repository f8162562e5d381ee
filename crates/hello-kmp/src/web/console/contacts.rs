//! `/console/contacts`: editors and administrators keep the contacts directory current: each
//! place's numbers, address, officer in charge and station point, and whether a hotline is
//! confirmed. The directory service refuses everyone else and audits every change.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::services::ServiceError;
use crate::services::accounts::Officer;
use crate::services::directory::{self, Contact, ContactForm};
use crate::services::jurisdictions;
use crate::web::console::auth::CurrentOfficer;
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render, render_with};

/// A place as the list shows it.
pub struct PlaceRow {
    pub key: String,
    pub name: String,
    pub phones: String,
    pub officer_in_charge: String,
    pub updated: String,
    /// What is still to be confirmed about the place.
    pub note: String,
}

/// A hotline as the list shows it.
pub struct HotlineRow {
    pub number: String,
    pub name: String,
    pub uncertain: bool,
}

/// What the imported boundaries cover.
pub struct BoundaryLine {
    pub version: String,
    pub imported: String,
    pub covered: String,
    pub uncovered: String,
    pub attribution: String,
}

#[derive(Template)]
#[template(path = "console/contacts.html")]
pub struct ContactsPage {
    pub ctx: PageCtx,
    pub places: Vec<PlaceRow>,
    pub hotlines: Vec<HotlineRow>,
    pub boundaries: Option<BoundaryLine>,
}

pub async fn show_contacts(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    mut ctx: PageCtx,
) -> Result<Response, WebError> {
    let directory = directory::for_editor(&state.store, &officer).await?;
    let summary = jurisdictions::summary(&state.store).await?;
    ctx.signed_in(&officer);
    let lang = ctx.lang;
    let places = directory
        .places
        .iter()
        .map(|c| PlaceRow {
            key: c.key.clone(),
            name: name_of(c, lang),
            phones: lang.digits(
                &c.phones
                    .iter()
                    .map(|p| p.display())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            officer_in_charge: c.officer_in_charge.clone().unwrap_or_default(),
            updated: ctx.when_opt(&c.updated_at),
            note: c.note.clone(),
        })
        .collect();
    let hotlines = directory
        .hotlines
        .iter()
        .map(|h| HotlineRow {
            number: h.number.clone(),
            name: match lang {
                crate::i18n::Lang::Bn => h.name_bn.clone(),
                crate::i18n::Lang::En => h.name_en.clone(),
            },
            uncertain: h.uncertain,
        })
        .collect();
    let boundaries = (!summary.thanas.is_empty()).then(|| {
        let covered: Vec<&str> = summary.thanas.iter().map(|(k, _)| k.as_str()).collect();
        let names = |keys: &mut dyn Iterator<Item = &str>| {
            keys.map(|k| state.reference.place_name(k, lang))
                .collect::<Vec<_>>()
                .join(", ")
        };
        BoundaryLine {
            version: ctx.num(&summary.version),
            imported: ctx.when(&summary.imported_at),
            covered: names(&mut covered.iter().copied()),
            uncovered: names(
                &mut state
                    .reference
                    .thanas()
                    .map(|t| t.key.as_str())
                    .filter(|k| !covered.contains(k)),
            ),
            attribution: summary.attribution.clone(),
        }
    });
    Ok(render(&ContactsPage {
        ctx,
        places,
        hotlines,
        boundaries,
    }))
}

fn name_of(c: &Contact, lang: crate::i18n::Lang) -> String {
    match lang {
        crate::i18n::Lang::Bn => c.name_bn.clone(),
        crate::i18n::Lang::En => c.name_en.clone(),
    }
}

#[derive(Template)]
#[template(path = "console/contact.html")]
pub struct ContactPage {
    pub ctx: PageCtx,
    pub key: String,
    pub name: String,
    pub note: String,
    pub form: ContactForm,
    pub saved: bool,
    pub problem: Option<Problem>,
}

impl ContactPage {
    /// Whether the refusal shown belongs to `field`, for `aria-invalid`.
    pub fn invalid(&self, field: &str) -> bool {
        Problem::is_on(&self.problem, field)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SavedQuery {
    saved: String,
}

pub async fn show_contact(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, WebError> {
    contact_page(&state, &officer, ctx, &key, None, query.saved == "1", None).await
}

async fn contact_page(
    state: &AppState,
    officer: &Officer,
    mut ctx: PageCtx,
    key: &str,
    typed: Option<ContactForm>,
    saved: bool,
    problem: Option<InputError>,
) -> Result<Response, WebError> {
    let contact = directory::contact_for_editor(&state.store, officer, key).await?;
    ctx.signed_in(officer);
    let form = typed.unwrap_or_else(|| ContactForm {
        // The numbers as people write them.
        phone: contact
            .phones
            .iter()
            .map(|p| p.display())
            .collect::<Vec<_>>()
            .join(", "),
        address_bn: contact.address_bn.clone().unwrap_or_default(),
        address_en: contact.address_en.clone().unwrap_or_default(),
        officer_in_charge: contact.officer_in_charge.clone().unwrap_or_default(),
        station_lat: contact
            .station
            .map(|p| p.lat.to_string())
            .unwrap_or_default(),
        station_lon: contact
            .station
            .map(|p| p.lon.to_string())
            .unwrap_or_default(),
    });
    let status = problem.map_or(StatusCode::OK, input_status);
    let page = ContactPage {
        key: contact.key.clone(),
        name: name_of(&contact, ctx.lang),
        note: contact.note.clone(),
        form,
        saved,
        problem: problem.map(|e| Problem::new(&ctx, e)),
        ctx,
    };
    Ok(render_with(status, &page))
}

pub async fn edit_contact(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    ctx: PageCtx,
    Path(key): Path<String>,
    form: Result<CitizenForm<ContactForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    match directory::edit(&state.store, &officer, &state.settings.area, &key, &form).await {
        Ok(()) => Ok(back_to(&key)),
        Err(ServiceError::Input(err)) => {
            contact_page(&state, &officer, ctx, &key, Some(form), false, Some(err)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Back to the place's page; the key in the address is used only if it is a plain key.
fn back_to(key: &str) -> Response {
    let plain = !key.is_empty()
        && key.len() <= 40
        && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if plain {
        Redirect::to(&format!("/console/contacts/{key}?saved=1")).into_response()
    } else {
        Redirect::to("/console/contacts").into_response()
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct HotlineForm {
    /// `1` to confirm, anything else to mark as to be confirmed.
    confirmed: String,
}

pub async fn set_hotline(
    State(state): State<AppState>,
    CurrentOfficer(officer): CurrentOfficer,
    Path(number): Path<String>,
    form: Result<CitizenForm<HotlineForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let confirmed = form.confirmed == "1";
    directory::set_hotline_confirmed(&state.store, &officer, &number, confirmed).await?;
    Ok(Redirect::to("/console/contacts").into_response())
}

//! `GET /contacts`: 999 first, then headquarters, the thanas, the units and the national
//! hotlines, every number a `tel:` link; `?q=` searches them in Bangla or English. The page needs
//! no script, so it can be kept for use offline.
//!
//! `POST /contacts/nearest`: "my nearest thana", from the point the phone's browser gives
//! (`app.js` asks for it). The point travels in the body, never in an address, so it stays out
//! of browser history and proxies' logs; it is used for this answer only, never stored or logged.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::domain::InputError;
use crate::domain::tip::GeoPoint;
use crate::i18n::Lang;
use crate::services::directory::{self, Contact, Directory, EMERGENCY, Hit, Hotline};
use crate::services::jurisdictions::{Candidate, Location};
use crate::web::error::{WebError, input_status};
use crate::web::form::CitizenForm;
use crate::web::page::{PageCtx, Problem, render_with};

/// One entry as a citizen reads it, in the page's language. Empty fields are left out.
pub struct Entry {
    /// `contact-sonadanga`, `hotline-999`.
    pub id: String,
    pub name: String,
    /// (for `tel:`, as written on the page)
    pub phones: Vec<(String, String)>,
    pub note: String,
    /// The address, and the language it is written in.
    pub address: Option<(String, &'static str)>,
    pub officer_in_charge: Option<String>,
    /// A `geo:` link that opens the phone's own map app; nothing is loaded from elsewhere.
    pub map: Option<String>,
}

impl Entry {
    fn of_place(c: &Contact, lang: Lang) -> Entry {
        let (mine, other) = match lang {
            Lang::Bn => (&c.address_bn, &c.address_en),
            Lang::En => (&c.address_en, &c.address_bn),
        };
        let address = match (mine, other) {
            (Some(a), _) => Some((a.clone(), lang.code())),
            (None, Some(a)) => Some((a.clone(), lang.other().code())),
            (None, None) => None,
        };
        Entry {
            id: format!("contact-{}", c.key),
            name: match lang {
                Lang::Bn => c.name_bn.clone(),
                Lang::En => c.name_en.clone(),
            },
            phones: c
                .phones
                .iter()
                .map(|p| (p.dial().to_string(), lang.digits(&p.display())))
                .collect(),
            note: String::new(),
            address,
            officer_in_charge: c.officer_in_charge.clone(),
            map: c.station.map(|p| format!("geo:{:.6},{:.6}", p.lat, p.lon)),
        }
    }

    fn of_hotline(h: &Hotline, lang: Lang) -> Entry {
        let (name, note) = match lang {
            Lang::Bn => (&h.name_bn, &h.note_bn),
            Lang::En => (&h.name_en, &h.note_en),
        };
        Entry {
            id: format!("hotline-{}", h.number),
            name: name.clone(),
            phones: vec![(h.number.clone(), lang.digits(&h.number))],
            note: note.clone(),
            address: None,
            officer_in_charge: None,
            map: None,
        }
    }

    fn of_hit(hit: Hit<'_>, lang: Lang) -> Entry {
        match hit {
            Hit::Place(c) => Entry::of_place(c, lang),
            Hit::Hotline(h) => Entry::of_hotline(h, lang),
        }
    }
}

/// The whole directory, in the page's order.
pub struct Sections {
    pub emergency: Option<Entry>,
    pub hq: Vec<Entry>,
    pub thanas: Vec<Entry>,
    pub units: Vec<Entry>,
    pub hotlines: Vec<Entry>,
}

impl Sections {
    fn of(d: &Directory, lang: Lang) -> Sections {
        let places = |kind: &str| d.of_kind(kind).map(|c| Entry::of_place(c, lang)).collect();
        Sections {
            emergency: d
                .hotlines
                .iter()
                .find(|h| h.number == EMERGENCY)
                .map(|h| Entry::of_hotline(h, lang)),
            hq: places("hq"),
            thanas: places("thana"),
            units: places("unit"),
            hotlines: d
                .hotlines
                .iter()
                .filter(|h| h.number != EMERGENCY)
                .map(|h| Entry::of_hotline(h, lang))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "contacts/list.html")]
pub struct ContactsPage {
    pub ctx: PageCtx,
    pub query: String,
    /// Set when a query was given: what it found (perhaps nothing).
    pub results: Option<Vec<Entry>>,
    pub sections: Sections,
    /// Whether "my nearest thana" can answer: boundaries are imported.
    pub nearest: bool,
    pub problem: Option<Problem>,
}

impl ContactsPage {
    /// The full list is shown unless a search found something.
    pub fn show_all(&self) -> bool {
        self.results.as_ref().is_none_or(Vec::is_empty)
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

/// Longest query kept, in characters: more says nothing about a place.
const QUERY_MAX_CHARS: usize = 80;

// Limitation: the JSON API (/api/v1) has no contacts or nearest-thana route yet, so a native app
// cannot list the contacts or ask for its thana without reading these pages.
pub async fn show_contacts(
    State(state): State<AppState>,
    ctx: PageCtx,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q.q).unwrap_or_default();
    let query: String = query.trim().chars().take(QUERY_MAX_CHARS).collect();
    contacts_page(&state, ctx, query, None).await
}

async fn contacts_page(
    state: &AppState,
    ctx: PageCtx,
    query: String,
    problem: Option<InputError>,
) -> Result<Response, WebError> {
    let directory = directory::published(&state.store).await?;
    let lang = ctx.lang;
    let results = (!query.is_empty()).then(|| {
        directory
            .search(&query)
            .into_iter()
            .map(|hit| Entry::of_hit(hit, lang))
            .collect()
    });
    let nearest = boundaries_configured(state).await;
    let status = problem.map_or(StatusCode::OK, input_status);
    let mut sections = Sections::of(&directory, lang);
    // A search that found 999 lists it among what it found; the call button at the top of
    // every page still comes first, so 999 is not listed twice.
    let emergency_id = sections.emergency.as_ref().map(|e| e.id.clone());
    if results.as_ref().is_some_and(|found: &Vec<Entry>| {
        found.iter().any(|e| Some(&e.id) == emergency_id.as_ref())
    }) {
        sections.emergency = None;
    }
    let page = ContactsPage {
        problem: problem.map(|e| Problem::new(&ctx, e)),
        sections,
        query,
        results,
        nearest,
        ctx,
    };
    Ok(render_with(status, &page))
}

/// Whether boundaries are imported. The contacts must show even when this cannot be read, so a
/// failure only hides the button.
async fn boundaries_configured(state: &AppState) -> bool {
    match state.jurisdictions.current(&state.store).await {
        Ok(boundaries) => boundaries.configured(),
        Err(err) => {
            tracing::warn!(error = %err, "jurisdiction boundaries could not be read");
            false
        }
    }
}

/// What "my nearest thana" found.
pub enum Answer {
    /// Inside this thana, well away from its edge.
    In,
    /// Inside the first thana listed, near the edge of another.
    NearEdge,
    /// Outside every boundary, but near the thanas listed.
    NearOutside,
    /// Outside every boundary and far from all.
    Outside,
}

#[derive(Template)]
#[template(path = "contacts/nearest.html")]
pub struct NearestPage {
    pub ctx: PageCtx,
    pub answer: Answer,
    /// The thanas the answer names, with their contacts.
    pub entries: Vec<Entry>,
    /// When the answer names none: every thana.
    pub all_thanas: Vec<Entry>,
    pub attribution: String,
}

impl NearestPage {
    pub fn is_in(&self) -> bool {
        matches!(self.answer, Answer::In)
    }
    pub fn near_edge(&self) -> bool {
        matches!(self.answer, Answer::NearEdge)
    }
    pub fn near_outside(&self) -> bool {
        matches!(self.answer, Answer::NearOutside)
    }
}

/// How far a neighbouring thana's edge may be for "my nearest thana" to name it beside the
/// thana a point near a boundary lies in.
const NEIGHBOUR_WITHIN_M: f64 = 2_000.0;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PointForm {
    lat: String,
    lon: String,
}

// The form's Debug would show the point, which must never reach a log.
impl std::fmt::Debug for PointForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PointForm(redacted)")
    }
}

pub async fn show_nearest(
    State(state): State<AppState>,
    ctx: PageCtx,
    form: Result<CitizenForm<PointForm>, InputError>,
) -> Result<Response, WebError> {
    let CitizenForm(form) = form?;
    let point = match GeoPoint::parse_pair(&form.lat, &form.lon) {
        Ok(Some(point)) => point,
        Ok(None) => {
            return contacts_page(&state, ctx, String::new(), Some(InputError::PointMalformed))
                .await;
        }
        Err(err) => return contacts_page(&state, ctx, String::new(), Some(err)).await,
    };
    let boundaries = state.jurisdictions.current(&state.store).await?;
    if !boundaries.configured() {
        return Ok(Redirect::to("/contacts").into_response());
    }
    let location = boundaries.locate(point, state.jurisdictions.margin_m());
    let directory = directory::published(&state.store).await?;
    let lang = ctx.lang;
    let entry = |key: &str| directory.place(key).map(|c| Entry::of_place(c, lang));
    let (answer, entries) = match &location {
        Location::Routed(thana) => (Answer::In, entry(thana).into_iter().collect()),
        Location::NeedsConfirmation { candidates } => {
            let mut thanas: Vec<String> = candidates.iter().map(|c| c.thana.clone()).collect();
            let answer = match candidates.as_slice() {
                [only] if only.inside => {
                    // Near the edge of the one thana it lies in: name the neighbour too.
                    let neighbour = boundaries
                        .nearest_other(point, &only.thana)
                        .filter(|n| n.distance_m <= NEIGHBOUR_WITHIN_M);
                    if let Some(Candidate { thana, .. }) = neighbour {
                        thanas.push(thana);
                    }
                    Answer::NearEdge
                }
                [first, ..] if first.inside => Answer::NearEdge,
                _ => Answer::NearOutside,
            };
            (answer, thanas.iter().filter_map(|t| entry(t)).collect())
        }
        Location::Outside => (Answer::Outside, Vec::new()),
    };
    let all_thanas = match answer {
        Answer::Outside => directory
            .of_kind("thana")
            .map(|c| Entry::of_place(c, lang))
            .collect(),
        _ => Vec::new(),
    };
    let page = NearestPage {
        answer,
        entries,
        all_thanas,
        attribution: boundaries.attribution().to_string(),
        ctx,
    };
    Ok(render_with(StatusCode::OK, &page))
}

/// `GET /contacts/nearest` (a reload, a language switch): the contacts page, which asks again.
pub async fn to_contacts() -> Redirect {
    Redirect::to("/contacts")
}

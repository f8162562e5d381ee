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
use crate::domain::content::page_search;
use crate::domain::tip::GeoPoint;
use crate::i18n::Lang;
use crate::services::ServiceError;
use crate::services::directory::{self, Contact, Directory, Hit, Hotline};
use crate::services::nearest::{self, Answer};
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
        let sections = d.sections();
        let places = |list: &[&Contact]| list.iter().map(|c| Entry::of_place(c, lang)).collect();
        let hotlines =
            |list: &[&Hotline]| list.iter().map(|h| Entry::of_hotline(h, lang)).collect();
        Sections {
            emergency: sections.emergency.map(|h| Entry::of_hotline(h, lang)),
            hq: places(&sections.hq),
            thanas: places(&sections.thanas),
            units: places(&sections.units),
            hotlines: hotlines(&sections.hotlines),
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

pub async fn show_contacts(
    State(state): State<AppState>,
    ctx: PageCtx,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q.q).unwrap_or_default();
    let query = page_search(&query, directory::QUERY_MAX_CHARS);
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
    let nearest = nearest::available(&state.store, &state.jurisdictions).await;
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
    let nearest = match nearest::nearest_thana(&state.store, &state.jurisdictions, point).await {
        Ok(nearest) => nearest,
        // The button is hidden without boundaries: this is an old page, sent back to the list.
        Err(ServiceError::Input(InputError::NearestUnavailable)) => {
            return Ok(Redirect::to("/contacts").into_response());
        }
        Err(ServiceError::Input(err)) => {
            return contacts_page(&state, ctx, String::new(), Some(err)).await;
        }
        Err(other) => return Err(other.into()),
    };
    let lang = ctx.lang;
    let entries: Vec<Entry> = nearest
        .thanas
        .iter()
        .map(|c| Entry::of_place(c, lang))
        .collect();
    let (entries, all_thanas) = match nearest.answer {
        Answer::Outside => (Vec::new(), entries),
        _ => (entries, Vec::new()),
    };
    let page = NearestPage {
        answer: nearest.answer,
        entries,
        all_thanas,
        attribution: nearest.attribution,
        ctx,
    };
    Ok(render_with(StatusCode::OK, &page))
}

/// `GET /contacts/nearest` (a reload, a language switch): the contacts page, which asks again.
pub async fn to_contacts() -> Redirect {
    Redirect::to("/contacts")
}

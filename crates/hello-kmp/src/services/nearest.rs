//! "My nearest thana": which thanas' contacts a citizen's point calls for, read from the
//! imported boundaries. The contacts page and the app's API both answer with this. The point is
//! used for this answer only: it is neither stored nor logged.

use crate::domain::InputError;
use crate::domain::tip::GeoPoint;
use crate::services::ServiceError;
use crate::services::directory::{self, Contact};
use crate::services::jurisdictions::{Boundaries, Candidate, Jurisdictions, Location};
use crate::store::Store;

/// What the boundaries say of the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Inside this thana, well away from its edge.
    In,
    /// Inside the first thana listed, near the edge of another.
    NearEdge,
    /// Outside every boundary, but near the thanas listed.
    NearOutside,
    /// Outside every boundary and far from all: every thana is listed.
    Outside,
}

impl Answer {
    /// A stable key for the API.
    pub fn key(self) -> &'static str {
        match self {
            Answer::In => "in",
            Answer::NearEdge => "near_edge",
            Answer::NearOutside => "near_outside",
            Answer::Outside => "outside",
        }
    }
}

/// The answer and the thanas it names, with their published contacts.
#[derive(Debug, Clone)]
pub struct Nearest {
    pub answer: Answer,
    /// The thana the point is in; or those it may be in, the likeliest first; or, when
    /// [`Answer::Outside`], every thana.
    pub thanas: Vec<Contact>,
    /// The line the boundaries' licence asks to show with any answer drawn from them.
    pub attribution: String,
}

/// How far a neighbouring thana's edge may be for the answer to name it beside the thana a
/// point near a boundary lies in.
const NEIGHBOUR_WITHIN_M: f64 = 2_000.0;

/// The nearest thana to `point`. A point outside Bangladesh is refused (no thana of KMP can be
/// near it, and it is more likely a phone's mistake), and so is any point while no boundaries
/// are loaded.
pub async fn nearest_thana(
    store: &Store,
    jurisdictions: &Jurisdictions,
    point: GeoPoint,
) -> Result<Nearest, ServiceError> {
    if !point.in_bangladesh() {
        return Err(InputError::PointOutsideBangladesh.into());
    }
    let boundaries = jurisdictions.current(store).await?;
    if !boundaries.configured() {
        return Err(InputError::NearestUnavailable.into());
    }

    let location = boundaries.locate(point, jurisdictions.margin_m());
    let (answer, keys) = answer_of(&boundaries, point, location);

    let directory = directory::published(store).await?;
    let thanas = match answer {
        Answer::Outside => directory.of_kind("thana").cloned().collect(),
        _ => keys
            .iter()
            .filter_map(|key| directory.place(key).cloned())
            .collect(),
    };
    Ok(Nearest {
        answer,
        thanas,
        attribution: boundaries.attribution().to_string(),
    })
}

/// What the boundaries say of a tip's point for the officer who confirms its place: the same
/// answer and thanas a citizen at that point is given (the neighbour of a point near its
/// thana's edge included), or `None` while no boundaries are loaded.
pub async fn place_of_point(
    store: &Store,
    jurisdictions: &Jurisdictions,
    point: GeoPoint,
) -> Result<Option<(Answer, Vec<String>)>, ServiceError> {
    let boundaries = jurisdictions.current(store).await?;
    if !boundaries.configured() {
        return Ok(None);
    }
    let location = boundaries.locate(point, jurisdictions.margin_m());
    Ok(Some(answer_of(&boundaries, point, location)))
}

/// Whether the nearest thana can be asked for: boundaries are loaded. The contacts must show
/// even when this cannot be read, so a failure only says no.
pub async fn available(store: &Store, jurisdictions: &Jurisdictions) -> bool {
    match jurisdictions.current(store).await {
        Ok(boundaries) => boundaries.configured(),
        Err(err) => {
            tracing::warn!(error = %err, "jurisdiction boundaries could not be read");
            false
        }
    }
}

/// The answer for a located point, and the keys of the thanas it names.
fn answer_of(
    boundaries: &Boundaries,
    point: GeoPoint,
    location: Location,
) -> (Answer, Vec<String>) {
    let candidates = match location {
        Location::Routed(thana) => return (Answer::In, vec![thana]),
        Location::Outside => return (Answer::Outside, Vec::new()),
        Location::NeedsConfirmation { candidates } => candidates,
    };
    let mut thanas: Vec<String> = candidates.iter().map(|c| c.thana.clone()).collect();
    let answer = match candidates.as_slice() {
        [only] if only.inside => {
            // Near the edge of the one thana it lies in: the neighbour is named too.
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
    (answer, thanas)
}

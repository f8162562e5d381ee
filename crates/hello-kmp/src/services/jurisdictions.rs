//! Jurisdictions: which thana a point lies in, by the boundaries an operator imported with
//! `hello-kmp import boundaries`. Tips with a point are routed by it, the contacts page answers
//! "my nearest thana" with it, and SOS alerts (and later GDs) can ask the same.
//!
//! A point is routed ([`Location::Routed`]) only when it lies inside one thana and farther than
//! the margin (`jurisdiction_margin_m`, measured on the ground) from that thana's edge. Near an
//! edge it [`Location::NeedsConfirmation`], with the thanas it may lie in; outside every
//! boundary and far from all of them it is [`Location::Outside`]. Neither is routed silently.
//!
//! The boundaries live in the database (`boundaries`, `boundary_set`). Each server keeps them
//! in memory and reads them again when `boundary_set.version` changes, so an import is seen by
//! every `serve` process at its next look-up. Points are never logged or stored here.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, PoisonError, RwLock};

use geo::{
    BoundingRect, Closest, Contains, Distance, Haversine, HaversineClosestPoint, MultiPolygon,
    Point, Polygon, Rect, Validation,
};
use sqlx::Row;

use crate::domain::tip::GeoPoint;
use crate::services::audit::{self, Action};
use crate::services::reference::Reference;
use crate::store::{Store, StoreError, now};

/// Where a point lies.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    /// Inside this thana, and farther than the margin from its edge.
    Routed(String),
    /// Near an edge, or inside more than one thana: an officer decides. The thana the point
    /// lies inside comes first, then the others by distance.
    NeedsConfirmation { candidates: Vec<Candidate> },
    /// Outside every boundary, and farther than the margin from all of them.
    Outside,
}

impl Location {
    /// The thana to route to without asking anyone, if there is one.
    pub fn routed(&self) -> Option<&str> {
        match self {
            Location::Routed(thana) => Some(thana),
            _ => None,
        }
    }
}

/// A thana a point near a boundary may lie in.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub thana: String,
    /// Whether the point lies inside this thana's boundary as drawn.
    pub inside: bool,
    /// How far the point is from this thana's edge, in metres.
    pub distance_m: f64,
}

/// The boundaries of one import, ready for look-ups.
#[derive(Debug, Default)]
pub struct Boundaries {
    version: i64,
    attribution: String,
    areas: Vec<Area>,
}

/// One thana's territory: every feature mapped to it, joined.
#[derive(Debug)]
struct Area {
    thana: String,
    shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
}

/// Metres per degree of latitude, a little under the true figure so that the bounding-box
/// filter never drops a polygon that is within the margin.
const METRES_PER_DEGREE: f64 = 110_000.0;

impl Boundaries {
    /// Whether any boundary was imported.
    pub fn configured(&self) -> bool {
        !self.areas.is_empty()
    }

    /// The line to show wherever an answer comes from these boundaries (their licence may ask
    /// for it), or empty.
    pub fn attribution(&self) -> &str {
        &self.attribution
    }

    /// The thanas that have a boundary.
    pub fn thanas(&self) -> impl Iterator<Item = &str> {
        self.areas.iter().map(|a| a.thana.as_str())
    }

    /// Where `point` lies, with `margin_m` metres of doubt around every edge.
    pub fn locate(&self, point: GeoPoint, margin_m: f64) -> Location {
        let p = Point::new(point.lon, point.lat);
        let mut candidates: Vec<Candidate> = self
            .areas
            .iter()
            .filter(|area| near_box(&area.bbox, point, margin_m))
            .filter_map(|area| {
                let inside = area.shape.contains(&p);
                let distance_m = edge_distance(&area.shape, &p)?;
                (inside || distance_m <= margin_m).then(|| Candidate {
                    thana: area.thana.clone(),
                    inside,
                    distance_m,
                })
            })
            .collect();
        candidates.sort_by(|a, b| {
            b.inside
                .cmp(&a.inside)
                .then(a.distance_m.total_cmp(&b.distance_m))
        });
        match candidates.as_slice() {
            [] => Location::Outside,
            [only] if only.inside && only.distance_m > margin_m => {
                Location::Routed(only.thana.clone())
            }
            _ => Location::NeedsConfirmation { candidates },
        }
    }

    /// The nearest thana other than `thana`, and how far its edge is: the neighbour a point
    /// near `thana`'s boundary may belong to.
    pub fn nearest_other(&self, point: GeoPoint, thana: &str) -> Option<Candidate> {
        let p = Point::new(point.lon, point.lat);
        self.areas
            .iter()
            .filter(|area| area.thana != thana)
            .filter_map(|area| {
                Some(Candidate {
                    thana: area.thana.clone(),
                    inside: area.shape.contains(&p),
                    distance_m: edge_distance(&area.shape, &p)?,
                })
            })
            .min_by(|a, b| a.distance_m.total_cmp(&b.distance_m))
    }

    /// Builds the look-up from stored rows: (thana, geometry text). A row that does not read
    /// is left out, so points in it come out as needing confirmation, never misrouted.
    fn from_rows(version: i64, attribution: String, rows: Vec<(String, String)>) -> Boundaries {
        let mut by_thana: BTreeMap<String, Vec<Polygon<f64>>> = BTreeMap::new();
        for (thana, text) in rows {
            match shape_of(&text) {
                Some(shape) => by_thana.entry(thana).or_default().extend(shape.0),
                None => tracing::error!(
                    place.key = %thana,
                    "a stored boundary could not be read; it is left out until the next import"
                ),
            }
        }
        let areas = by_thana
            .into_iter()
            .filter_map(|(thana, polygons)| {
                let shape = join(polygons);
                let bbox = shape.bounding_rect()?;
                Some(Area { thana, shape, bbox })
            })
            .collect();
        Boundaries {
            version,
            attribution,
            areas,
        }
    }
}

/// Joins a thana's features into one territory, so that the edges between its own features
/// (the wards of one thana) are not taken for edges of the thana.
fn join(polygons: Vec<Polygon<f64>>) -> MultiPolygon<f64> {
    if polygons.len() == 1 {
        return MultiPolygon(polygons);
    }
    let joined = geo::unary_union(polygons.iter());
    if joined.0.is_empty() {
        MultiPolygon(polygons)
    } else {
        joined
    }
}

/// Whether `point` lies within `margin_m` of the box (a cheap test before the exact one).
fn near_box(bbox: &Rect<f64>, point: GeoPoint, margin_m: f64) -> bool {
    let dlat = margin_m / METRES_PER_DEGREE + 1e-9;
    let dlon = dlat / point.lat.to_radians().cos().max(0.01);
    let (min, max) = (bbox.min(), bbox.max());
    (min.y - dlat..=max.y + dlat).contains(&point.lat)
        && (min.x - dlon..=max.x + dlon).contains(&point.lon)
}

/// The distance on the ground, in metres, from `p` to the nearest edge of `shape` (its outer
/// rings and its holes).
fn edge_distance(shape: &MultiPolygon<f64>, p: &Point<f64>) -> Option<f64> {
    shape
        .0
        .iter()
        .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
        .filter_map(|ring| match ring.haversine_closest_point(p) {
            Closest::Intersection(q) | Closest::SinglePoint(q) => Some(Haversine.distance(*p, q)),
            Closest::Indeterminate => None,
        })
        .min_by(f64::total_cmp)
}

/// A stored geometry as a multipolygon, if it is one.
fn shape_of(text: &str) -> Option<MultiPolygon<f64>> {
    let geometry: geojson::Geometry = text.parse().ok()?;
    match geo::Geometry::<f64>::try_from(geometry).ok()? {
        geo::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Some(mp),
        _ => None,
    }
}

/// The boundaries, kept in memory and read again whenever an import changed them.
#[derive(Debug)]
pub struct Jurisdictions {
    margin_m: f64,
    cache: RwLock<Arc<Boundaries>>,
}

impl Jurisdictions {
    pub fn new(margin_m: f64) -> Jurisdictions {
        Jurisdictions {
            margin_m,
            cache: RwLock::new(Arc::new(Boundaries::default())),
        }
    }

    pub fn margin_m(&self) -> f64 {
        self.margin_m
    }

    /// The boundaries as the database holds them now: one small read to compare versions, and
    /// a full read only after an import.
    pub async fn current(&self, store: &Store) -> Result<Arc<Boundaries>, StoreError> {
        let version: i64 = sqlx::query_scalar("SELECT version FROM boundary_set WHERE id = 1")
            .fetch_one(store.reader())
            .await?;
        let cached = self
            .cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if cached.version == version {
            return Ok(cached);
        }
        let loaded = Arc::new(load(store).await?);
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = loaded.clone();
        Ok(loaded)
    }

    /// Where `point` lies, or `None` when no boundaries were imported.
    pub async fn locate(
        &self,
        store: &Store,
        point: GeoPoint,
    ) -> Result<Option<Location>, StoreError> {
        let boundaries = self.current(store).await?;
        Ok(boundaries
            .configured()
            .then(|| boundaries.locate(point, self.margin_m)))
    }
}

/// Reads every boundary and the set's version in one statement, so that an import landing in
/// between cannot mix two sets.
async fn load(store: &Store) -> Result<Boundaries, StoreError> {
    let rows = sqlx::query(
        "SELECT s.version, s.attribution, b.place_key, b.geometry FROM boundary_set s \
         LEFT JOIN boundaries b ON b.id > 0 WHERE s.id = 1 ORDER BY b.id",
    )
    .fetch_all(store.reader())
    .await?;
    let mut version = 0;
    let mut attribution = String::new();
    let mut features = Vec::with_capacity(rows.len());
    for row in rows {
        version = row.try_get("version")?;
        attribution = row.try_get("attribution")?;
        let key: Option<String> = row.try_get("place_key")?;
        let geometry: Option<String> = row.try_get("geometry")?;
        if let (Some(key), Some(geometry)) = (key, geometry) {
            features.push((key, geometry));
        }
    }
    Ok(Boundaries::from_rows(version, attribution, features))
}

// ---------------------------------------------------------------------------------------------
// Import

/// Which thana each value of the chosen property stands for. A thana of [`LEAVE_OUT`] leaves
/// the feature out.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    entries: BTreeMap<String, String>,
}

/// As a mapping's thana: import no boundary for features with this value.
pub const LEAVE_OUT: &str = "-";

/// Why an import was refused. Each message says what to do; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("mapping {0:?} is not VALUE=thana_key")]
    MappingMalformed(String),
    #[error("value {value:?} is mapped twice, to {first} and to {second}")]
    MappingTwice {
        value: String,
        first: String,
        second: String,
    },
    #[error("{key:?} in the mapping is not a thana; the thana keys are: {known}")]
    UnknownThana { key: String, known: String },
    #[error("the file is not valid GeoJSON: {0}")]
    NotGeoJson(String),
    #[error("the file must hold a FeatureCollection (or one Feature), not a bare geometry")]
    NotFeatures,
    #[error("{} feature(s) cannot be imported:\n  {}", .0.len(), .0.join("\n  "))]
    Features(Vec<String>),
    #[error("no feature is left to import (every one is mapped to \"-\")")]
    Empty,
}

impl Mapping {
    /// Reads `VALUE=thana_key` pairs, from `--map` arguments or the lines of a mapping file
    /// (blank lines and lines starting with `#` are skipped). Every thana key must be a thana.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = &'a str>,
        reference: &Reference,
    ) -> Result<Mapping, ImportError> {
        let mut entries: BTreeMap<String, String> = BTreeMap::new();
        for line in pairs {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((value, key)) = line.rsplit_once('=') else {
                return Err(ImportError::MappingMalformed(line.into()));
            };
            let (value, key) = (value.trim(), key.trim());
            if value.is_empty() || key.is_empty() {
                return Err(ImportError::MappingMalformed(line.into()));
            }
            if key != LEAVE_OUT && reference.thana(key).is_none() {
                let known: Vec<&str> = reference.thanas().map(|t| t.key.as_str()).collect();
                return Err(ImportError::UnknownThana {
                    key: key.into(),
                    known: known.join(", "),
                });
            }
            if let Some(first) = entries.get(value).filter(|k| k.as_str() != key) {
                return Err(ImportError::MappingTwice {
                    value: value.into(),
                    first: first.clone(),
                    second: key.into(),
                });
            }
            entries.insert(value.into(), key.into());
        }
        Ok(Mapping { entries })
    }

    fn thana_of(&self, value: &str) -> Option<&str> {
        self.entries.get(value.trim()).map(String::as_str)
    }
}

/// A feature ready to store: its thana, the value that named it, its geometry as GeoJSON.
#[derive(Debug, Clone)]
pub struct ImportFeature {
    pub thana: String,
    pub label: String,
    pub geometry: String,
}

/// What a parsed file holds; the default holds nothing, and replacing with it removes every
/// boundary.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    pub features: Vec<ImportFeature>,
    /// Features mapped to [`LEAVE_OUT`].
    pub left_out: usize,
    /// Values of the mapping that no feature carried (probably a typing mistake).
    pub unused: Vec<String>,
}

/// Checks a GeoJSON file against the mapping: every feature must carry `property`, its value
/// must be mapped, and its geometry must be a valid Polygon or MultiPolygon in longitude and
/// latitude. Every problem is reported at once.
pub fn plan_import(
    text: &str,
    property: &str,
    mapping: &Mapping,
) -> Result<ImportPlan, ImportError> {
    let geojson: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| ImportError::NotGeoJson(e.to_string()))?;
    let features = match geojson {
        geojson::GeoJson::FeatureCollection(c) => c.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => return Err(ImportError::NotFeatures),
    };
    let mut problems = Vec::new();
    let mut unmapped: BTreeSet<String> = BTreeSet::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut plan = ImportPlan {
        features: Vec::new(),
        left_out: 0,
        unused: Vec::new(),
    };
    for (index, feature) in features.iter().enumerate() {
        let number = index + 1;
        let Some(value) = property_text(feature, property) else {
            let mut names: Vec<&str> = feature
                .properties
                .iter()
                .flat_map(|p| p.keys())
                .map(String::as_str)
                .collect();
            names.sort_unstable();
            problems.push(format!(
                "feature {number} has no property {property:?} (its properties: {})",
                names.join(", ")
            ));
            continue;
        };
        let Some(thana) = mapping.thana_of(&value) else {
            unmapped.insert(value);
            continue;
        };
        used.insert(value.trim().to_string());
        if thana == LEAVE_OUT {
            plan.left_out += 1;
            continue;
        }
        match checked_geometry(feature) {
            Ok(geometry) => plan.features.push(ImportFeature {
                thana: thana.to_string(),
                label: value,
                geometry,
            }),
            Err(why) => problems.push(format!("feature {number} ({value}): {why}")),
        }
    }
    for value in &unmapped {
        problems.push(format!(
            "{property} = {value:?} is not mapped to a thana: add --map {:?}, or --map {:?} to \
             leave it out",
            format!("{value}=THANA_KEY"),
            format!("{value}={LEAVE_OUT}"),
        ));
    }
    if !problems.is_empty() {
        return Err(ImportError::Features(problems));
    }
    if plan.features.is_empty() {
        return Err(ImportError::Empty);
    }
    plan.unused = mapping
        .entries
        .keys()
        .filter(|v| !used.contains(*v))
        .cloned()
        .collect();
    Ok(plan)
}

/// A property's value as text: strings as they are, numbers written out.
fn property_text(feature: &geojson::Feature, property: &str) -> Option<String> {
    match feature.property(property)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The feature's geometry as GeoJSON text, if it is a valid (multi)polygon on the globe.
fn checked_geometry(feature: &geojson::Feature) -> Result<String, String> {
    let Some(geometry) = &feature.geometry else {
        return Err("it has no geometry".into());
    };
    let shape = match geo::Geometry::<f64>::try_from(geometry.clone()) {
        Ok(geo::Geometry::Polygon(p)) => MultiPolygon(vec![p]),
        Ok(geo::Geometry::MultiPolygon(mp)) => mp,
        Ok(_) => {
            return Err(format!(
                "it is a {}; only Polygon and MultiPolygon boundaries can be imported",
                geometry.value.type_name()
            ));
        }
        Err(e) => return Err(format!("its geometry is not valid GeoJSON ({e})")),
    };
    let on_globe = shape.0.iter().flat_map(|p| p.exterior().coords()).all(|c| {
        c.x.is_finite()
            && c.y.is_finite()
            && (-180.0..=180.0).contains(&c.x)
            && (-90.0..=90.0).contains(&c.y)
    });
    if shape.0.is_empty() || !on_globe {
        return Err("its positions are not longitude, latitude pairs on the globe".into());
    }
    if let Err(why) = shape.check_validation() {
        return Err(format!("the polygon is not valid ({why})"));
    }
    serde_json::to_string(geometry).map_err(|e| e.to_string())
}

/// What an import left in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub version: i64,
    pub features: usize,
    pub thanas: usize,
}

/// Replaces every stored boundary with the plan's (none, to remove them), in one transaction
/// with its audit entry.
pub async fn replace(
    store: &Store,
    plan: ImportPlan,
    attribution: &str,
) -> Result<Imported, StoreError> {
    let features = plan.features;
    let count = features.len();
    let thanas = features
        .iter()
        .map(|f| f.thana.as_str())
        .collect::<BTreeSet<_>>()
        .len();
    let attribution = attribution.trim().to_string();
    let version = store
        .write_audited(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM boundaries")
                    .execute(&mut *conn)
                    .await?;
                for f in &features {
                    sqlx::query(
                        "INSERT INTO boundaries (place_key, label, geometry) VALUES ($1, $2, $3)",
                    )
                    .bind(&f.thana)
                    .bind(&f.label)
                    .bind(&f.geometry)
                    .execute(&mut *conn)
                    .await?;
                }
                let version: i64 = sqlx::query_scalar(
                    "UPDATE boundary_set SET version = version + 1, features = $1, \
                     imported_at = $2, attribution = $3 WHERE id = 1 RETURNING version",
                )
                .bind(count as i64)
                .bind(now())
                .bind(&attribution)
                .fetch_one(&mut *conn)
                .await?;
                let detail = format!("{count} features for {thanas} thanas");
                audit::record(conn, None, Action::BoundariesImport, None, &detail).await?;
                Ok(version)
            })
        })
        .await?;
    tracing::info!(features = count, thanas, "jurisdiction boundaries imported");
    Ok(Imported {
        version,
        features: count,
        thanas,
    })
}

/// What is loaded, for `hello-kmp import boundaries --list` and the console.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub version: i64,
    pub imported_at: i64,
    pub attribution: String,
    /// Each thana with a boundary, and the labels of its features.
    pub thanas: Vec<(String, Vec<String>)>,
}

pub async fn summary(store: &Store) -> Result<Summary, StoreError> {
    let set =
        sqlx::query("SELECT version, imported_at, attribution FROM boundary_set WHERE id = 1")
            .fetch_one(store.reader())
            .await?;
    let rows = sqlx::query("SELECT place_key, label FROM boundaries ORDER BY place_key, id")
        .fetch_all(store.reader())
        .await?;
    let mut thanas: Vec<(String, Vec<String>)> = Vec::new();
    for row in rows {
        let key: String = row.try_get("place_key")?;
        let label: String = row.try_get("label")?;
        match thanas.last_mut() {
            Some((last, labels)) if *last == key => labels.push(label),
            _ => thanas.push((key, vec![label])),
        }
    }
    Ok(Summary {
        version: set.try_get("version")?,
        imported_at: set.try_get("imported_at")?,
        attribution: set.try_get("attribution")?,
        thanas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of `side` degrees with its south-west corner at (lon, lat), as GeoJSON.
    fn square(lon: f64, lat: f64, side: f64) -> String {
        let (e, n) = (lon + side, lat + side);
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{e},{lat}],[{e},{n}],[{lon},{n}],[{lon},{lat}]]]}}"#
        )
    }

    fn two_squares() -> Boundaries {
        // Two 0.02° squares (about 2 km) side by side along longitude 89.52.
        Boundaries::from_rows(
            1,
            String::new(),
            vec![
                ("west".into(), square(89.50, 22.80, 0.02)),
                ("east".into(), square(89.52, 22.80, 0.02)),
            ],
        )
    }

    fn at(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).expect("a valid point")
    }

    #[test]
    fn the_middle_of_a_thana_is_routed_and_its_edge_is_not() {
        let b = two_squares();
        assert_eq!(
            b.locate(at(22.81, 89.51), 400.0),
            Location::Routed("west".into())
        );
        // About 100 m west of the shared edge: inside west, near east.
        let Location::NeedsConfirmation { candidates } = b.locate(at(22.81, 89.519), 400.0) else {
            panic!("near the edge");
        };
        let names: Vec<_> = candidates.iter().map(|c| c.thana.as_str()).collect();
        assert_eq!(names, ["west", "east"]);
        assert!(candidates[0].inside && !candidates[1].inside);
        assert!(
            (80.0..130.0).contains(&candidates[1].distance_m),
            "{candidates:?}"
        );
        // A smaller margin routes the same point.
        assert_eq!(
            b.locate(at(22.81, 89.519), 50.0),
            Location::Routed("west".into())
        );
    }

    #[test]
    fn outside_is_outside_and_just_outside_needs_confirmation() {
        let b = two_squares();
        assert_eq!(b.locate(at(22.70, 89.51), 400.0), Location::Outside);
        let Location::NeedsConfirmation { candidates } = b.locate(at(22.799, 89.51), 400.0) else {
            panic!("just south of west");
        };
        assert_eq!(candidates.len(), 1);
        assert!(!candidates[0].inside);
    }

    #[test]
    fn features_of_one_thana_are_joined() {
        // Two halves of "west": the line between them is no edge of the thana.
        let b = Boundaries::from_rows(
            1,
            String::new(),
            vec![
                ("west".into(), square(89.50, 22.80, 0.02)),
                ("west".into(), square(89.52, 22.80, 0.02)),
            ],
        );
        assert_eq!(
            b.locate(at(22.81, 89.5201), 400.0),
            Location::Routed("west".into())
        );
    }

    fn reference() -> Reference {
        let place = |key: &str, kind: &str| crate::services::reference::Place {
            key: key.into(),
            kind: kind.into(),
            name_bn: key.into(),
            name_en: key.into(),
        };
        Reference {
            places: vec![place("sonadanga", "thana"), place("traffic", "unit")],
        }
    }

    #[test]
    fn mappings_name_thanas_only() {
        let r = reference();
        assert!(Mapping::parse(["A=sonadanga", "# a comment", "", "B=-"], &r).is_ok());
        assert!(matches!(
            Mapping::parse(["A=traffic"], &r),
            Err(ImportError::UnknownThana { .. })
        ));
        assert!(matches!(
            Mapping::parse(["A sonadanga"], &r),
            Err(ImportError::MappingMalformed(_))
        ));
        assert!(matches!(
            Mapping::parse(["A=sonadanga", "A=-"], &r),
            Err(ImportError::MappingTwice { .. })
        ));
    }

    #[test]
    fn a_plan_refuses_what_cannot_be_imported() {
        let r = reference();
        let mapping = Mapping::parse(["A=sonadanga", "L=sonadanga", "X=-"], &r).expect("valid");
        let feature = |name: &str, geometry: &str| {
            format!(r#"{{"type":"Feature","properties":{{"n":"{name}"}},"geometry":{geometry}}}"#)
        };
        let collection = |features: &[String]| {
            format!(
                r#"{{"type":"FeatureCollection","features":[{}]}}"#,
                features.join(",")
            )
        };
        let good = collection(&[
            feature("A", &square(89.5, 22.8, 0.01)),
            feature("X", &square(89.6, 22.8, 0.01)),
        ]);
        let plan = plan_import(&good, "n", &mapping).expect("importable");
        assert_eq!((plan.features.len(), plan.left_out), (1, 1));
        assert_eq!(plan.unused, ["L"]);

        let line = r#"{"type":"LineString","coordinates":[[89.5,22.8],[89.6,22.9]]}"#;
        let bowtie = r#"{"type":"Polygon","coordinates":[[[89.5,22.8],[89.6,22.9],[89.6,22.8],[89.5,22.9],[89.5,22.8]]]}"#;
        let bad = collection(&[
            feature("A", line),
            feature("A", bowtie),
            feature("Z", &square(89.5, 22.8, 0.01)),
        ]);
        let Err(ImportError::Features(problems)) = plan_import(&bad, "n", &mapping) else {
            panic!("refused");
        };
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("LineString"), "{problems:?}");
        assert!(problems[1].contains("not valid"), "{problems:?}");
        assert!(problems[2].contains("\"Z=THANA_KEY\""), "{problems:?}");
        assert!(matches!(
            plan_import("{not json", "n", &mapping),
            Err(ImportError::NotGeoJson(_))
        ));
        assert!(matches!(
            plan_import(line, "n", &mapping),
            Err(ImportError::NotFeatures)
        ));
        assert!(matches!(
            plan_import(&collection(&[feature("X", line)]), "n", &mapping),
            Err(ImportError::Empty)
        ));
    }
}

//! The directory: KMP headquarters, the thanas, the units and the national hotlines, with what
//! a citizen needs to reach them. Citizens see only what is published: an empty field stays
//! hidden, a number found only in old reports (*uncertain*) is left out, and operators' notes
//! never leave the console. Editors and administrators keep the entries current; every change
//! is audited.

use sqlx::Row;

use crate::config::ServiceArea;
use crate::domain::contact::{self, PhoneNumber, fold, query_words};
use crate::domain::tip::GeoPoint;
use crate::services::ServiceError;
use crate::services::access;
use crate::services::accounts::Officer;
use crate::services::audit::{self, Action};
use crate::store::{Store, StoreError, now};

/// Headquarters, a thana or a unit, with its contact details.
#[derive(Debug, Clone)]
pub struct Contact {
    pub key: String,
    /// `hq`, `thana` or `unit`.
    pub kind: String,
    pub name_bn: String,
    pub name_en: String,
    /// Other spellings, separated by `|`.
    pub variants: String,
    pub phones: Vec<PhoneNumber>,
    pub address_bn: Option<String>,
    pub address_en: Option<String>,
    pub officer_in_charge: Option<String>,
    /// Only when an operator entered it.
    pub station: Option<GeoPoint>,
    /// What is still to be confirmed; for operators only, empty for citizens.
    pub note: String,
    pub updated_at: Option<i64>,
}

/// A national hotline.
#[derive(Debug, Clone)]
pub struct Hotline {
    pub number: String,
    pub name_bn: String,
    pub name_en: String,
    pub note_bn: String,
    pub note_en: String,
    /// Found only in old reports: "to be confirmed" for editors, hidden from citizens.
    pub uncertain: bool,
}

/// Every entry, in the order the pages list them.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub places: Vec<Contact>,
    pub hotlines: Vec<Hotline>,
}

/// One search result.
#[derive(Debug, Clone, Copy)]
pub enum Hit<'a> {
    Place(&'a Contact),
    Hotline(&'a Hotline),
}

/// The number every page puts first.
pub const EMERGENCY: &str = "999";

/// Longest search read, in characters: more says nothing about a place.
pub const QUERY_MAX_CHARS: usize = 80;

/// The directory in the order citizens read it: 999 first, then headquarters, the thanas, the
/// units and the other hotlines.
#[derive(Debug, Clone)]
pub struct Sections<'a> {
    pub emergency: Option<&'a Hotline>,
    pub hq: Vec<&'a Contact>,
    pub thanas: Vec<&'a Contact>,
    pub units: Vec<&'a Contact>,
    pub hotlines: Vec<&'a Hotline>,
}

impl Directory {
    pub fn sections(&self) -> Sections<'_> {
        Sections {
            emergency: self.hotlines.iter().find(|h| h.number == EMERGENCY),
            hq: self.of_kind("hq").collect(),
            thanas: self.of_kind("thana").collect(),
            units: self.of_kind("unit").collect(),
            hotlines: self
                .hotlines
                .iter()
                .filter(|h| h.number != EMERGENCY)
                .collect(),
        }
    }

    pub fn place(&self, key: &str) -> Option<&Contact> {
        self.places.iter().find(|p| p.key == key)
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Contact> {
        self.places.iter().filter(move |p| p.kind == kind)
    }

    /// The entries a query finds, best first: a query naming one place whole (`খুলনা থানা`)
    /// before places that merely share its words. Spelling variants, ণ/ন, ড়/ঢ়, either digits,
    /// upper or lower case and Latin transliterations all find the same place; a place without a
    /// published number is found too.
    pub fn search(&self, query: &str) -> Vec<Hit<'_>> {
        // One letter (what "aaaa" folds to) is in nearly every name: it names no place.
        let words: Vec<String> = query_words(query)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .collect();
        if words.is_empty() {
            return Vec::new();
        }
        let whole = fold(query);
        let mut hits: Vec<(u8, Hit<'_>)> = Vec::new();
        for place in &self.places {
            let names = place_names(place);
            if let Some(score) = score(&names, &words, &whole) {
                hits.push((score, Hit::Place(place)));
            }
        }
        for hotline in &self.hotlines {
            let names: Vec<String> = [&hotline.number, &hotline.name_bn, &hotline.name_en]
                .into_iter()
                .map(|n| fold(n))
                .collect();
            if let Some(score) = score(&names, &words, &whole) {
                hits.push((score, Hit::Hotline(hotline)));
            }
        }
        // A stable sort keeps the page's own order among equals.
        hits.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
        hits.into_iter().map(|(_, hit)| hit).collect()
    }

    /// What a citizen may see: uncertain hotlines and operators' notes left out.
    fn published(mut self) -> Directory {
        self.hotlines.retain(|h| !h.uncertain);
        for place in &mut self.places {
            place.note.clear();
        }
        self
    }
}

/// Every name a place goes by, folded, and its numbers' digits.
fn place_names(place: &Contact) -> Vec<String> {
    let mut names: Vec<String> = [&place.name_bn, &place.name_en]
        .into_iter()
        .map(|n| fold(n))
        .collect();
    names.extend(
        place
            .variants
            .split('|')
            .filter(|v| !v.trim().is_empty())
            .map(fold),
    );
    names.extend(place.phones.iter().map(|p| fold(&p.display())));
    names
}

/// 2 when one name holds the whole query, 1 when every word is in some name, else no match.
fn score(names: &[String], words: &[String], whole: &str) -> Option<u8> {
    if !whole.is_empty() && names.iter().any(|n| n.contains(whole)) {
        return Some(2);
    }
    words
        .iter()
        .all(|w| names.iter().any(|n| n.contains(w.as_str())))
        .then_some(1)
}

/// The directory as citizens see it.
pub async fn published(store: &Store) -> Result<Directory, ServiceError> {
    Ok(load(store).await?.published())
}

/// The whole directory, uncertain entries and notes included, for editors and administrators.
pub async fn for_editor(store: &Store, officer: &Officer) -> Result<Directory, ServiceError> {
    access::edits_contacts(officer)?;
    Ok(load(store).await?)
}

/// One place, for its edit page.
pub async fn contact_for_editor(
    store: &Store,
    officer: &Officer,
    key: &str,
) -> Result<Contact, ServiceError> {
    let directory = for_editor(store, officer).await?;
    directory
        .places
        .into_iter()
        .find(|p| p.key == key)
        .ok_or(ServiceError::NotFound)
}

async fn load(store: &Store) -> Result<Directory, StoreError> {
    let rows = sqlx::query(
        "SELECT key, kind, name_bn, name_en, variants, phone, address_bn, address_en, \
         officer_in_charge, station_lat, station_lon, note, updated_at FROM places \
         ORDER BY sort_order, key",
    )
    .fetch_all(store.reader())
    .await?;
    let places = rows
        .iter()
        .map(|r| {
            let lat: Option<f64> = r.try_get("station_lat")?;
            let lon: Option<f64> = r.try_get("station_lon")?;
            Ok(Contact {
                key: r.try_get("key")?,
                kind: r.try_get("kind")?,
                name_bn: r.try_get("name_bn")?,
                name_en: r.try_get("name_en")?,
                variants: r.try_get("variants")?,
                phones: contact::stored_phones(r.try_get::<Option<String>, _>("phone")?.as_deref()),
                address_bn: non_empty(r.try_get("address_bn")?),
                address_en: non_empty(r.try_get("address_en")?),
                officer_in_charge: non_empty(r.try_get("officer_in_charge")?),
                station: lat
                    .zip(lon)
                    .and_then(|(lat, lon)| GeoPoint::new(lat, lon).ok()),
                note: r.try_get::<Option<String>, _>("note")?.unwrap_or_default(),
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let rows = sqlx::query(
        "SELECT number, name_bn, name_en, note_bn, note_en, uncertain FROM hotlines \
         ORDER BY sort_order, number",
    )
    .fetch_all(store.reader())
    .await?;
    let hotlines = rows
        .iter()
        .map(|r| {
            Ok(Hotline {
                number: r.try_get("number")?,
                name_bn: r.try_get("name_bn")?,
                name_en: r.try_get("name_en")?,
                note_bn: r.try_get("note_bn")?,
                note_en: r.try_get("note_en")?,
                uncertain: r.try_get::<i64, _>("uncertain")? != 0,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Directory { places, hotlines })
}

fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

/// A place's details as an editor typed them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub phone: String,
    pub address_bn: String,
    pub address_en: String,
    pub officer_in_charge: String,
    pub station_lat: String,
    pub station_lon: String,
}

/// The same, checked.
#[derive(Debug, Clone, PartialEq)]
struct Parsed {
    phone: Option<String>,
    address_bn: Option<String>,
    address_en: Option<String>,
    officer_in_charge: Option<String>,
    station_lat: Option<f64>,
    station_lon: Option<f64>,
}

impl ContactForm {
    fn parse(&self, area: &ServiceArea) -> Result<Parsed, crate::domain::InputError> {
        let phones = contact::parse_phones(&self.phone)?;
        let station = contact::parse_station(&self.station_lat, &self.station_lon, area)?;
        Ok(Parsed {
            phone: (!phones.is_empty()).then(|| contact::phones_text(&phones)),
            address_bn: contact::parse_address(&self.address_bn)?,
            address_en: contact::parse_address(&self.address_en)?,
            officer_in_charge: contact::parse_officer_name(&self.officer_in_charge)?,
            station_lat: station.map(|p| p.lat),
            station_lon: station.map(|p| p.lon),
        })
    }
}

/// Saves a place's details; the audit entry names the fields that changed (not their values).
pub async fn edit(
    store: &Store,
    officer: &Officer,
    area: &ServiceArea,
    key: &str,
    form: &ContactForm,
) -> Result<(), ServiceError> {
    access::edits_contacts(officer)?;
    let new = form.parse(area)?;
    let key = key.to_string();
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let row = sqlx::query(
                    "SELECT phone, address_bn, address_en, officer_in_charge, station_lat, \
                     station_lon FROM places WHERE key = $1",
                )
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await?;
                let Some(row) = row else {
                    return Ok(Err(ServiceError::NotFound));
                };
                let old = Parsed {
                    phone: non_empty(row.try_get("phone")?),
                    address_bn: non_empty(row.try_get("address_bn")?),
                    address_en: non_empty(row.try_get("address_en")?),
                    officer_in_charge: non_empty(row.try_get("officer_in_charge")?),
                    station_lat: row.try_get("station_lat")?,
                    station_lon: row.try_get("station_lon")?,
                };
                let changed = changed_fields(&old, &new);
                if changed.is_empty() {
                    return Ok(Ok(()));
                }
                sqlx::query(
                    "UPDATE places SET phone = $1, address_bn = $2, address_en = $3, \
                     officer_in_charge = $4, station_lat = $5, station_lon = $6, \
                     updated_at = $7 WHERE key = $8",
                )
                .bind(&new.phone)
                .bind(&new.address_bn)
                .bind(&new.address_en)
                .bind(&new.officer_in_charge)
                .bind(new.station_lat)
                .bind(new.station_lon)
                .bind(now())
                .bind(&key)
                .execute(&mut *conn)
                .await?;
                let detail = format!("{key}: {}", changed.join(", "));
                audit::record(conn, Some(actor), Action::ContactEdit, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await??;
    tracing::info!(officer.id = actor, "contact edited");
    Ok(())
}

fn changed_fields(old: &Parsed, new: &Parsed) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.phone != new.phone {
        changed.push("phone");
    }
    if old.address_bn != new.address_bn || old.address_en != new.address_en {
        changed.push("address");
    }
    if old.officer_in_charge != new.officer_in_charge {
        changed.push("officer_in_charge");
    }
    if old.station_lat != new.station_lat || old.station_lon != new.station_lon {
        changed.push("station");
    }
    changed
}

/// Marks a hotline as confirmed (shown to citizens) or as to be confirmed (hidden from them).
pub async fn set_hotline_confirmed(
    store: &Store,
    officer: &Officer,
    number: &str,
    confirmed: bool,
) -> Result<(), ServiceError> {
    access::edits_contacts(officer)?;
    let number = number.trim().to_string();
    let actor = officer.id;
    store
        .write_audited(move |conn| {
            Box::pin(async move {
                let updated = sqlx::query("UPDATE hotlines SET uncertain = $1 WHERE number = $2")
                    .bind(i64::from(!confirmed))
                    .bind(&number)
                    .execute(&mut *conn)
                    .await?;
                if updated.rows_affected() == 0 {
                    return Ok(Err(ServiceError::NotFound));
                }
                let state = if confirmed {
                    "confirmed"
                } else {
                    "to be confirmed"
                };
                let detail = format!("{number}: {state}");
                audit::record(conn, Some(actor), Action::HotlineConfirm, None, &detail).await?;
                Ok(Ok(()))
            })
        })
        .await??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> Directory {
        let places = crate::store::seed::PLACES
            .iter()
            .map(|p| Contact {
                key: p.key.into(),
                kind: p.kind.into(),
                name_bn: p.name_bn.into(),
                name_en: p.name_en.into(),
                variants: p.variants.into(),
                phones: Vec::new(),
                address_bn: None,
                address_en: None,
                officer_in_charge: None,
                station: None,
                note: p.note.into(),
                updated_at: None,
            })
            .collect();
        let hotlines = crate::store::seed::HOTLINES
            .iter()
            .map(|h| Hotline {
                number: h.number.into(),
                name_bn: h.name_bn.into(),
                name_en: h.name_en.into(),
                note_bn: h.note_bn.into(),
                note_en: h.note_en.into(),
                uncertain: h.uncertain,
            })
            .collect();
        Directory { places, hotlines }
    }

    fn first_place(d: &Directory, query: &str) -> Option<String> {
        d.search(query).into_iter().find_map(|hit| match hit {
            Hit::Place(p) => Some(p.key.clone()),
            Hit::Hotline(_) => None,
        })
    }

    /// Every spelling in FACTS.md's table of thanas finds its thana first.
    #[test]
    fn every_spelling_of_a_thana_finds_it_first() {
        let d = directory();
        for (key, spellings) in FACTS_SPELLINGS {
            for spelling in *spellings {
                assert_eq!(
                    first_place(&d, spelling).as_deref(),
                    Some(*key),
                    "{spelling:?} should find {key}"
                );
            }
        }
    }

    /// FACTS.md, "The eight thanas": the English and Bangla variants, as listed (shared with
    /// the integration tests of the contacts page).
    const FACTS_SPELLINGS: &[(&str, &[&str])] = include!("../../tests/it/data/thana_spellings.rs");

    #[test]
    fn case_nukta_and_near_spellings_find_the_thana() {
        let d = directory();
        for (query, key) in [
            ("DAULATPUR", "daulatpur"),
            ("আড\u{09BC}ংঘাটা", "aranghata"),
            ("আঢ়ংঘাটা", "aranghata"),
            ("সোনাডাঙ্গা থানা", "sonadanga"),
            ("khanjahan ali", "khan_jahan_ali"),
            ("কোতোয়ালি", "khulna_sadar"),
        ] {
            assert_eq!(first_place(&d, query).as_deref(), Some(key), "{query}");
        }
        assert!(d.search("Chattogram").is_empty());
        assert!(d.search("   ").is_empty());
    }

    #[test]
    fn hotlines_are_found_by_number_in_either_script_and_by_name() {
        let d = directory().published();
        let numbers = |q: &str| -> Vec<String> {
            d.search(q)
                .into_iter()
                .filter_map(|h| match h {
                    Hit::Hotline(h) => Some(h.number.clone()),
                    Hit::Place(_) => None,
                })
                .collect()
        };
        assert_eq!(numbers("৯৯৯"), ["999"]);
        // The fire service's own line first; 999 (police, fire, ambulance) shares the words.
        assert_eq!(numbers("fire service"), ["16163", "999"]);
        // The uncertain 333 is not published, so no search finds it.
        assert!(numbers("333").is_empty());
        assert!(d.places.iter().all(|p| p.note.is_empty()));
    }
}

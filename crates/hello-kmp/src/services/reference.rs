//! Reference data read once at start: thanas, units and hotlines, for forms and labels.

use sqlx::Row;

use crate::i18n::Lang;
use crate::store::{Store, StoreError};

/// A thana, a unit or headquarters.
#[derive(Debug, Clone)]
pub struct Place {
    pub key: String,
    pub kind: String,
    pub name_bn: String,
    pub name_en: String,
}

impl Place {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Bn => &self.name_bn,
            Lang::En => &self.name_en,
        }
    }

    pub fn is_thana(&self) -> bool {
        self.kind == "thana"
    }
}

/// Everything the pages need to name places.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    pub places: Vec<Place>,
}

impl Reference {
    pub async fn load(store: &Store) -> Result<Reference, StoreError> {
        let rows =
            sqlx::query("SELECT key, kind, name_bn, name_en FROM places ORDER BY sort_order, key")
                .fetch_all(store.reader())
                .await?;
        let places = rows
            .iter()
            .map(|row| {
                Ok(Place {
                    key: row.try_get("key")?,
                    kind: row.try_get("kind")?,
                    name_bn: row.try_get("name_bn")?,
                    name_en: row.try_get("name_en")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Reference { places })
    }

    pub fn thanas(&self) -> impl Iterator<Item = &Place> {
        self.places.iter().filter(|p| p.is_thana())
    }

    pub fn place(&self, key: &str) -> Option<&Place> {
        self.places.iter().find(|p| p.key == key)
    }

    pub fn thana(&self, key: &str) -> Option<&Place> {
        self.place(key).filter(|p| p.is_thana())
    }

    /// The place's name, or the key itself if it is gone.
    pub fn place_name(&self, key: &str, lang: Lang) -> String {
        self.place(key)
            .map_or_else(|| key.to_string(), |p| p.name(lang).to_string())
    }
}

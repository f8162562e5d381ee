//! Secret tips: what a citizen sends, what the tipster may see again with the receipt, and what
//! officers do with it. [`citizen`] holds the tipster's side, [`officer`] the console's.

pub mod citizen;
pub mod officer;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::tip::{DHAKA, TipStatus};
use crate::sealing::Keys;
use crate::store::StoreError;

/// The sealed part of a tip: everything that could say who sent it or what they saw.
#[derive(Serialize, Deserialize)]
pub(crate) struct SealedBody {
    pub description: String,
    #[serde(default)]
    pub contact_name: Option<String>,
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// The point from "use my location": often the tipster's own position, so sealed too.
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
}

impl std::fmt::Debug for SealedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedBody(redacted)")
    }
}

pub(crate) fn body_context(uid: &str) -> String {
    format!("tip:{uid}:body")
}

pub(crate) fn message_context(uid: &str) -> String {
    format!("message:{uid}")
}

pub(crate) fn open_text(keys: &Keys, context: &str, sealed: &[u8]) -> Result<String, StoreError> {
    let plain = keys.open(context, sealed)?;
    String::from_utf8(plain).map_err(|_| StoreError::Sealing)
}

/// The reference officers use for a tip, such as `T-2026-000123`: the year it came and its number.
pub fn reference(id: i64, created_at: i64) -> String {
    let year = OffsetDateTime::from_unix_timestamp(created_at)
        .map(|t| t.to_offset(DHAKA).year())
        .unwrap_or(1970);
    format!("T-{year}-{id:06}")
}

/// The tip number inside a reference; the year must match too, checked when the row is read.
pub fn parse_reference(text: &str) -> Option<(i32, i64)> {
    let ascii = crate::domain::digits::to_ascii(text.trim());
    let rest = ascii
        .strip_prefix("T-")
        .or_else(|| ascii.strip_prefix("t-"))?;
    let (year, number) = rest.split_once('-')?;
    Some((
        year.parse().ok()?,
        number.parse().ok().filter(|n: &i64| *n > 0)?,
    ))
}

/// A reference as officers write it (`T-2026-000123`), from however it was typed.
pub fn canonical_reference(text: &str) -> Option<String> {
    parse_reference(text).map(|(year, id)| format!("T-{year}-{id:06}"))
}

/// One step of a tip's history.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub at: i64,
    pub status: TipStatus,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Tipster,
    Officer,
    /// An internal note, never shown to the tipster.
    Note,
}

impl Author {
    pub fn key(self) -> &'static str {
        match self {
            Author::Tipster => "tipster",
            Author::Officer => "officer",
            Author::Note => "note",
        }
    }

    pub(crate) fn parse(key: &str) -> Author {
        match key {
            "officer" => Author::Officer,
            "note" => Author::Note,
            _ => Author::Tipster,
        }
    }
}

/// A message, opened. No `Debug`: its body is what a tipster or officer wrote.
#[derive(Clone)]
pub struct Message {
    pub author: Author,
    pub officer_name: Option<String>,
    pub body: String,
    pub at: i64,
    /// For officers: the duplicate a tipster's message was written on, when it reached this
    /// tip because of "duplicate of" (a different tipster from this tip's own).
    pub via: Option<String>,
}

pub(crate) fn parse_status(key: &str) -> Result<TipStatus, StoreError> {
    TipStatus::parse(key).map_err(|_| StoreError::Sealing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip() {
        let created = 1_796_000_000; // late November 2026
        let text = reference(123, created);
        assert_eq!(text, "T-2026-000123");
        assert_eq!(parse_reference(&text), Some((2026, 123)));
        assert_eq!(parse_reference("T-২০২৬-০০০১২৩"), Some((2026, 123)));
        assert_eq!(parse_reference("T-2026-abc"), None);
    }
}

//! A secret tip as the citizen gives it, parsed: category, description, time, place, contact.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset, macros::format_description};

use super::InputError;
use super::digits;

/// Longest description, in characters (Bangla or English).
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
/// Longest follow-up message or officer reply, in characters.
pub const MESSAGE_MAX_CHARS: usize = 5_000;
const CONTACT_NAME_MAX_CHARS: usize = 100;
/// Bangladesh Standard Time, UTC+6 all year.
pub const DHAKA: UtcOffset = match UtcOffset::from_hms(6, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// What a tip is about. The order here is the order on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Drugs,
    Militancy,
    Terrorism,
    Theft,
    ViolenceAgainstWomenChildren,
    CyberCrime,
    Extortion,
    Other,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Self::Drugs,
        Self::Militancy,
        Self::Terrorism,
        Self::Theft,
        Self::ViolenceAgainstWomenChildren,
        Self::CyberCrime,
        Self::Extortion,
        Self::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Drugs => "drugs",
            Self::Militancy => "militancy",
            Self::Terrorism => "terrorism",
            Self::Theft => "theft",
            Self::ViolenceAgainstWomenChildren => "violence_against_women_children",
            Self::CyberCrime => "cyber_crime",
            Self::Extortion => "extortion",
            Self::Other => "other",
        }
    }

    pub fn parse(key: &str) -> Result<Category, InputError> {
        Self::ALL
            .into_iter()
            .find(|c| c.key() == key.trim())
            .ok_or(InputError::CategoryUnknown)
    }

    /// The Fluent key of its name.
    pub fn label_key(self) -> String {
        format!("category-{}", self.key().replace('_', "-"))
    }
}

/// Where a tip stands. Officers see these words; the tipster sees [`TipStatus::citizen_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TipStatus {
    New,
    UnderReview,
    Investigating,
    ActionTaken,
    ClosedNoAction,
    ClosedDuplicate,
    ClosedFalse,
}

impl TipStatus {
    pub const ALL: [TipStatus; 7] = [
        Self::New,
        Self::UnderReview,
        Self::Investigating,
        Self::ActionTaken,
        Self::ClosedNoAction,
        Self::ClosedDuplicate,
        Self::ClosedFalse,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::UnderReview => "under_review",
            Self::Investigating => "investigating",
            Self::ActionTaken => "action_taken",
            Self::ClosedNoAction => "closed_no_action",
            Self::ClosedDuplicate => "closed_duplicate",
            Self::ClosedFalse => "closed_false",
        }
    }

    pub fn parse(key: &str) -> Result<TipStatus, InputError> {
        Self::ALL
            .into_iter()
            .find(|s| s.key() == key.trim())
            .ok_or(InputError::FormTampered)
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::ActionTaken | Self::ClosedNoAction | Self::ClosedDuplicate | Self::ClosedFalse
        )
    }

    /// A tip moves forward; a finished tip may only be reopened for review.
    pub fn may_become(self, next: TipStatus) -> bool {
        if self == next || next == Self::New {
            return false;
        }
        if self.is_final() {
            return next == Self::UnderReview;
        }
        match self {
            Self::New => true,
            Self::UnderReview => next != Self::New,
            Self::Investigating => next != Self::UnderReview,
            _ => false,
        }
    }

    /// Officers' word for the status.
    pub fn label_key(self) -> String {
        format!("status-{}", self.key().replace('_', "-"))
    }

    /// The tipster's plain-language word: every closure reads the same, so a tipster never learns
    /// that a tip was judged false or a duplicate.
    pub fn citizen_key(self) -> &'static str {
        match self {
            Self::New => "citizen-status-new",
            Self::UnderReview => "citizen-status-under-review",
            Self::Investigating => "citizen-status-investigating",
            Self::ActionTaken => "citizen-status-action-taken",
            Self::ClosedNoAction | Self::ClosedDuplicate | Self::ClosedFalse => {
                "citizen-status-closed"
            }
        }
    }
}

/// A latitude and longitude, both finite and in range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// Both halves or neither: `Ok(None)` when both are blank.
    pub fn parse_pair(lat: &str, lon: &str) -> Result<Option<GeoPoint>, InputError> {
        let (lat, lon) = (digits::to_ascii(lat.trim()), digits::to_ascii(lon.trim()));
        if lat.is_empty() && lon.is_empty() {
            return Ok(None);
        }
        let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
            return Err(InputError::PointMalformed);
        };
        Self::new(lat, lon).map(Some)
    }

    /// Whether the point lies in the box around Bangladesh (20.5° to 26.7° N, 88.0° to 92.7° E,
    /// a little wider than the border), where a thana of KMP can be the nearest at all.
    pub fn in_bangladesh(self) -> bool {
        (20.5..=26.7).contains(&self.lat) && (88.0..=92.7).contains(&self.lon)
    }

    pub fn new(lat: f64, lon: f64) -> Result<GeoPoint, InputError> {
        if !lat.is_finite() || !lon.is_finite() {
            return Err(InputError::PointMalformed);
        }
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(InputError::PointOutOfRange);
        }
        Ok(GeoPoint { lat, lon })
    }
}

/// When the event happened, as a citizen in Khulna types it (`2026-12-01T14:30`, local time).
pub fn parse_event_time(input: &str, now: OffsetDateTime) -> Result<Option<i64>, InputError> {
    let input = digits::to_ascii(input.trim());
    if input.is_empty() {
        return Ok(None);
    }
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = PrimitiveDateTime::parse(&input, without)
        .or_else(|_| PrimitiveDateTime::parse(&input, with_seconds))
        .map_err(|_| InputError::EventTimeMalformed)?;
    let at = local.assume_offset(DHAKA).unix_timestamp();
    // A phone's clock may run a little fast; an hour's grace avoids refusing honest tipsters.
    if at > now.unix_timestamp() + 3_600 {
        return Err(InputError::EventTimeInFuture);
    }
    if at < now.unix_timestamp() - 10 * 366 * 24 * 3_600 {
        return Err(InputError::EventTimeTooOld);
    }
    Ok(Some(at))
}

/// A due date as an officer types it (`2026-12-31`, either digits); the tip is due by the end of
/// that day in Khulna. Blank clears it.
pub fn parse_due_date(input: &str) -> Result<Option<i64>, InputError> {
    let input = digits::to_ascii(input.trim());
    if input.is_empty() {
        return Ok(None);
    }
    let day = time::Date::parse(&input, format_description!("[year]-[month]-[day]"))
        .map_err(|_| InputError::DueDateMalformed)?;
    let end = day
        .with_hms(23, 59, 59)
        .map_err(|_| InputError::DueDateMalformed)?
        .assume_offset(DHAKA);
    Ok(Some(end.unix_timestamp()))
}

/// A due time as the date to show in the due-date field (Khulna's calendar).
pub fn due_date_text(at: i64) -> String {
    OffsetDateTime::from_unix_timestamp(at)
        .map(|t| {
            let d = t.to_offset(DHAKA).date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_default()
}

/// Why a tip moves to another desk: up to 1,000 characters, not empty.
pub fn parse_reason(input: &str) -> Result<String, InputError> {
    parse_text(
        input,
        1_000,
        InputError::ReasonMissing,
        InputError::MessageTooLong,
    )
}

/// Trims and checks a free-text field that must not be empty.
pub fn parse_text(
    input: &str,
    max_chars: usize,
    empty: InputError,
    too_long: InputError,
) -> Result<String, InputError> {
    let text = visible_text(input);
    let text = text.trim().to_string();
    // Zero-width joiners are kept (Bangla conjuncts use them) but do not make text non-empty.
    if text.chars().all(|c| c.is_whitespace() || is_invisible(c)) {
        return Err(empty);
    }
    if text.chars().count() > max_chars {
        return Err(too_long);
    }
    Ok(text)
}

/// The text without what no reader sees but can be misled by: control characters (other than
/// line breaks and tabs), and the embeddings, overrides and isolates of the bidirectional
/// algorithm (U+202A–U+202E, U+2066–U+2069), which would make an officer's page show words in
/// another order than they were written. Bangla and English need none of them.
fn visible_text(input: &str) -> String {
    input
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect()
}

/// Format characters that show nothing: zero-width spaces and joiners, direction marks, the
/// byte-order mark.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

pub fn parse_description(input: &str) -> Result<String, InputError> {
    parse_text(
        input,
        DESCRIPTION_MAX_CHARS,
        InputError::DescriptionEmpty,
        InputError::DescriptionTooLong,
    )
}

pub fn parse_message(input: &str) -> Result<String, InputError> {
    parse_text(
        input,
        MESSAGE_MAX_CHARS,
        InputError::MessageEmpty,
        InputError::MessageTooLong,
    )
}

/// A name the tipster chose to leave; blank means none.
pub fn parse_contact_name(input: &str) -> Result<Option<String>, InputError> {
    let name = visible_text(input);
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > CONTACT_NAME_MAX_CHARS {
        return Err(InputError::ContactNameTooLong);
    }
    Ok(Some(name.to_string()))
}

/// Whether `token` can name a form (a tip's or a message's): 32 to 64 letters, digits, dashes or
/// underscores, at least 128 bits as hex, so that tokens are not guessable.
pub fn well_formed_token(token: &str) -> bool {
    (32..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A Bangladeshi mobile number the tipster chose to leave, as `+8801XXXXXXXXX`; blank means none.
// Limitation: only Bangladeshi mobile numbers (01[3-9] and eight digits) are accepted; a tipster
// abroad cannot leave a foreign number.
pub fn parse_contact_phone(input: &str) -> Result<Option<String>, InputError> {
    let ascii = digits::to_ascii(input.trim());
    if ascii.is_empty() {
        return Ok(None);
    }
    let digits_only: String = ascii.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let national = digits_only
        .strip_prefix("+880")
        .or_else(|| digits_only.strip_prefix("880"))
        .map(|rest| format!("0{rest}"))
        .unwrap_or(digits_only);
    let valid = national.len() == 11
        && national.bytes().all(|b| b.is_ascii_digit())
        && national.starts_with("01")
        && matches!(national.as_bytes()[2], b'3'..=b'9');
    if !valid {
        return Err(InputError::PhoneMalformed);
    }
    Ok(Some(format!("+88{national}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_that_would_reorder_or_hide_words_on_an_officers_page_is_dropped() {
        let sent = "টাকা \u{202E}gnirts\u{202C} নেওয়া \u{2067}x\u{2069}\u{0007} ঘুষ";
        let kept = parse_description(sent).expect("text remains");
        assert_eq!(kept, "টাকা gnirts নেওয়া x ঘুষ");
        let name = parse_contact_name("\u{202E}Rahim").expect("a name");
        assert_eq!(name.as_deref(), Some("Rahim"));
        // Bangla conjuncts keep their joiners.
        assert_eq!(parse_message("ক্\u{200D}ষ").expect("kept"), "ক্\u{200D}ষ");
        assert_eq!(
            parse_message("\u{202E}\u{2066}"),
            Err(InputError::MessageEmpty)
        );
    }

    use super::*;

    #[test]
    fn categories_round_trip_and_unknown_is_refused() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Ok(c));
        }
        assert_eq!(Category::parse("bribery"), Err(InputError::CategoryUnknown));
    }

    #[test]
    fn points_need_both_halves_in_range() {
        assert_eq!(GeoPoint::parse_pair("", ""), Ok(None));
        assert_eq!(
            GeoPoint::parse_pair("22.8", ""),
            Err(InputError::PointMalformed)
        );
        assert_eq!(
            GeoPoint::parse_pair("abc", "89.5"),
            Err(InputError::PointMalformed)
        );
        assert_eq!(
            GeoPoint::parse_pair("NaN", "89.5"),
            Err(InputError::PointMalformed)
        );
        assert_eq!(
            GeoPoint::parse_pair("95", "89.5"),
            Err(InputError::PointOutOfRange)
        );
        let p = GeoPoint::parse_pair("২২.৮", "89.5")
            .expect("parses")
            .expect("some");
        assert!((p.lat - 22.8).abs() < 1e-9);
        assert!(p.in_bangladesh());
        for (lat, lon) in [(51.5, -0.12), (22.8, 95.0), (19.9, 89.5), (27.0, 89.5)] {
            let far = GeoPoint::new(lat, lon).expect("a point");
            assert!(!far.in_bangladesh(), "{lat},{lon}");
        }
    }

    #[test]
    fn event_time_is_local_and_not_in_the_future() {
        let now = OffsetDateTime::from_unix_timestamp(1_796_400_000).expect("valid"); // 4 December 2026
        let at = parse_event_time("2026-12-01T14:30", now)
            .expect("ok")
            .expect("some");
        let local = OffsetDateTime::from_unix_timestamp(at)
            .expect("valid")
            .to_offset(DHAKA);
        assert_eq!((local.hour(), local.minute()), (14, 30));
        assert_eq!(
            parse_event_time("2030-01-01T00:00", now),
            Err(InputError::EventTimeInFuture)
        );
        assert_eq!(
            parse_event_time("1990-01-01T00:00", now),
            Err(InputError::EventTimeTooOld)
        );
        assert_eq!(
            parse_event_time("yesterday", now),
            Err(InputError::EventTimeMalformed)
        );
    }

    #[test]
    fn phone_numbers_normalise_to_e164() {
        assert_eq!(
            parse_contact_phone("01712-345678"),
            Ok(Some("+8801712345678".into()))
        );
        assert_eq!(
            parse_contact_phone("+৮৮০১৭১২৩৪৫৬৭৮"),
            Ok(Some("+8801712345678".into()))
        );
        assert_eq!(
            parse_contact_phone("0171234"),
            Err(InputError::PhoneMalformed)
        );
        assert_eq!(
            parse_contact_phone("01212345678"),
            Err(InputError::PhoneMalformed)
        );
    }

    #[test]
    fn status_moves_forward_and_finished_tips_only_reopen() {
        assert!(TipStatus::New.may_become(TipStatus::Investigating));
        assert!(!TipStatus::Investigating.may_become(TipStatus::New));
        assert!(!TipStatus::ClosedFalse.may_become(TipStatus::Investigating));
        assert!(TipStatus::ClosedFalse.may_become(TipStatus::UnderReview));
    }

    #[test]
    fn description_is_trimmed_and_bounded() {
        assert_eq!(
            parse_description("  \n "),
            Err(InputError::DescriptionEmpty)
        );
        assert_eq!(
            parse_description(&"ক".repeat(5_000)).map(|s| s.chars().count()),
            Ok(5_000)
        );
        assert_eq!(
            parse_description(&"ক".repeat(5_001)),
            Err(InputError::DescriptionTooLong)
        );
    }
}

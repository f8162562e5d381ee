//! An SOS alert as the citizen sends it, parsed, and the steps the control room takes with it.

use super::InputError;
use super::digits;
use super::tip::{self, GeoPoint};

/// Longest place a citizen may write when no location came, in characters.
pub const PLACE_MAX_CHARS: usize = 500;
/// Longest note of who or what was sent, in characters.
pub const DISPATCH_NOTE_MAX_CHARS: usize = 300;
/// A phone's accuracy beyond this (in metres) says nothing useful; it is kept as this.
const ACCURACY_MAX_METRES: f64 = 100_000.0;

/// Where an alert stands on the control room's board. The order here is the board's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    New,
    Acknowledged,
    Dispatched,
    Closed,
}

impl AlertStatus {
    pub const ALL: [AlertStatus; 4] = [
        Self::New,
        Self::Acknowledged,
        Self::Dispatched,
        Self::Closed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Acknowledged => "acknowledged",
            Self::Dispatched => "dispatched",
            Self::Closed => "closed",
        }
    }

    pub fn parse(key: &str) -> Option<AlertStatus> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Officers' word for the status.
    pub fn label_key(self) -> String {
        format!("sos-status-{}", self.key())
    }

    /// An alert moves forward only: acknowledged, then dispatched (an alert may be dispatched
    /// without being acknowledged first: sending help is the acknowledgement), then closed,
    /// which may happen at any step (a false alarm needs no dispatch). Nothing follows closed.
    pub fn may_become(self, next: AlertStatus) -> bool {
        matches!(
            (self, next),
            (Self::New, Self::Acknowledged)
                | (Self::New | Self::Acknowledged, Self::Dispatched)
                | (
                    Self::New | Self::Acknowledged | Self::Dispatched,
                    Self::Closed
                )
        )
    }
}

/// How an alert ended, chosen when it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Help reached the person.
    Helped,
    /// Nobody in need was found at the place.
    NotFound,
    /// The same emergency was already on the board or reported to 999.
    Duplicate,
    /// The person said they no longer need help.
    NoLongerNeeded,
    /// Sent by mistake or as a prank.
    FalseAlarm,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Self::Helped,
        Self::NotFound,
        Self::Duplicate,
        Self::NoLongerNeeded,
        Self::FalseAlarm,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Helped => "helped",
            Self::NotFound => "not_found",
            Self::Duplicate => "duplicate",
            Self::NoLongerNeeded => "no_longer_needed",
            Self::FalseAlarm => "false_alarm",
        }
    }

    pub fn parse(key: &str) -> Result<Outcome, InputError> {
        Self::ALL
            .into_iter()
            .find(|o| o.key() == key.trim())
            .ok_or(InputError::OutcomeUnknown)
    }

    pub fn label_key(self) -> String {
        format!("sos-outcome-{}", self.key().replace('_', "-"))
    }
}

/// The phone's own estimate of how far off its point may be, in whole metres; blank means none.
/// A negative or unreadable value is refused; a huge one is kept as the largest we show.
pub fn parse_accuracy(input: &str) -> Result<Option<i64>, InputError> {
    let ascii = digits::to_ascii(input.trim());
    if ascii.is_empty() {
        return Ok(None);
    }
    let metres: f64 = ascii.parse().map_err(|_| InputError::PointMalformed)?;
    if !metres.is_finite() || metres < 0.0 {
        return Err(InputError::PointMalformed);
    }
    Ok(Some(metres.min(ACCURACY_MAX_METRES).round() as i64))
}

/// Where the citizen says they are, when the phone gave no point; blank means nothing written.
pub fn parse_place(input: &str) -> Result<Option<String>, InputError> {
    match tip::parse_text(
        input,
        PLACE_MAX_CHARS,
        InputError::SosLocationMissing,
        InputError::PlaceTooLong,
    ) {
        Ok(text) => Ok(Some(text)),
        Err(InputError::SosLocationMissing) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A Bangladeshi mobile number to call back, as `+8801XXXXXXXXX`; blank means none.
pub fn parse_callback(input: &str) -> Result<Option<String>, InputError> {
    tip::parse_contact_phone(input).map_err(|_| InputError::CallbackMalformed)
}

/// Who or what the control room sent: not empty, at most [`DISPATCH_NOTE_MAX_CHARS`].
pub fn parse_dispatch_note(input: &str) -> Result<String, InputError> {
    tip::parse_text(
        input,
        DISPATCH_NOTE_MAX_CHARS,
        InputError::DispatchNoteMissing,
        InputError::DispatchNoteTooLong,
    )
}

/// A point and its accuracy from the page; the accuracy counts only with a point.
pub fn parse_location(
    lat: &str,
    lon: &str,
    accuracy: &str,
) -> Result<Option<(GeoPoint, Option<i64>)>, InputError> {
    let Some(point) = GeoPoint::parse_pair(lat, lon)? else {
        return Ok(None);
    };
    Ok(Some((point, parse_accuracy(accuracy)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_move_forward_and_nothing_follows_closed() {
        use AlertStatus::*;
        assert!(New.may_become(Acknowledged));
        assert!(New.may_become(Dispatched));
        assert!(Acknowledged.may_become(Dispatched));
        assert!(Dispatched.may_become(Closed));
        assert!(!Acknowledged.may_become(Acknowledged));
        assert!(!Dispatched.may_become(Acknowledged));
        for next in AlertStatus::ALL {
            assert!(!Closed.may_become(next), "closed -> {next:?}");
            assert!(!next.may_become(New), "{next:?} -> new");
        }
    }

    #[test]
    fn accuracy_is_whole_metres_and_never_negative() {
        assert_eq!(parse_accuracy(""), Ok(None));
        assert_eq!(parse_accuracy("12.6"), Ok(Some(13)));
        assert_eq!(parse_accuracy("৩৫"), Ok(Some(35)));
        assert_eq!(parse_accuracy("1e9"), Ok(Some(100_000)));
        assert_eq!(parse_accuracy("-3"), Err(InputError::PointMalformed));
        assert_eq!(parse_accuracy("near"), Err(InputError::PointMalformed));
        assert_eq!(parse_accuracy("NaN"), Err(InputError::PointMalformed));
    }

    #[test]
    fn call_back_numbers_take_either_digits_and_refuse_the_rest() {
        assert_eq!(
            parse_callback("০১৭১২-৩৪৫৬৭৮"),
            Ok(Some("+8801712345678".into()))
        );
        assert_eq!(
            parse_callback("+880 1812 345678"),
            Ok(Some("+8801812345678".into()))
        );
        assert_eq!(parse_callback("  "), Ok(None));
        assert_eq!(parse_callback("999"), Err(InputError::CallbackMalformed));
    }

    #[test]
    fn a_written_place_is_optional_and_bounded() {
        assert_eq!(parse_place(" \n "), Ok(None));
        assert_eq!(parse_place(" রূপসা ঘাট "), Ok(Some("রূপসা ঘাট".to_string())));
        assert_eq!(
            parse_place(&"ক".repeat(PLACE_MAX_CHARS + 1)),
            Err(InputError::PlaceTooLong)
        );
    }

    #[test]
    fn outcomes_round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.key()), Ok(o));
        }
        assert_eq!(Outcome::parse(""), Err(InputError::OutcomeUnknown));
    }
}

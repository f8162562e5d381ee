//! Contacts as editors type them, parsed: station phone numbers, addresses, the officer in
//! charge, the station's point; and the spelling fold that lets a search find a thana however
//! its name is written.

use super::InputError;
use super::digits;
use super::tip::GeoPoint;

/// How many numbers one place may list.
pub const PHONES_MAX: usize = 3;
/// Longest address note, in characters.
pub const ADDRESS_MAX_CHARS: usize = 200;
/// Longest name of an officer in charge, in characters.
pub const OFFICER_NAME_MAX_CHARS: usize = 100;

/// A number a citizen can dial, normalised: `+880…` for Bangladeshi numbers, or a short code
/// such as `999`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// One number as typed, in Bangla or ASCII digits, with or without `+880`, spaces, dashes,
    /// dots or brackets: a mobile (`01` and nine digits), a landline (`0`, an area code and the
    /// number: nine to eleven digits in all) or a short code of three to five digits.
    pub fn parse(input: &str) -> Result<PhoneNumber, InputError> {
        let ascii = digits::to_ascii(input.trim());
        let plus = ascii.starts_with('+');
        let mut number = String::new();
        for c in ascii.chars().skip(usize::from(plus)) {
            match c {
                '0'..='9' => number.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(InputError::ContactPhoneMalformed),
            }
        }
        let national = if let Some(rest) = number.strip_prefix("880").filter(|_| plus) {
            format!("0{rest}")
        } else if let Some(rest) = number.strip_prefix("00880") {
            format!("0{rest}")
        } else if plus {
            return Err(InputError::ContactPhoneMalformed);
        } else if let Some(rest) = number.strip_prefix("880").filter(|r| r.len() >= 9) {
            format!("0{rest}")
        } else {
            number
        };
        let bytes = national.as_bytes();
        let short_code = (3..=5).contains(&bytes.len()) && bytes[0] != b'0';
        if short_code {
            return Ok(PhoneNumber(national));
        }
        let mobile = bytes.len() == 11 && national.starts_with("01") && bytes[2] >= b'3';
        let landline = (9..=11).contains(&bytes.len())
            && bytes[0] == b'0'
            && (b'2'..=b'9').contains(&bytes[1]);
        if mobile || landline {
            Ok(PhoneNumber(format!("+88{national}")))
        } else {
            Err(InputError::ContactPhoneMalformed)
        }
    }

    /// A stored number, trusted to be one [`PhoneNumber::parse`] made.
    pub fn stored(text: &str) -> PhoneNumber {
        PhoneNumber(text.trim().to_string())
    }

    /// For a `tel:` link.
    pub fn dial(&self) -> &str {
        &self.0
    }

    /// As people in Bangladesh write it: `01712-345678`, `041-761001`, `02-9512345`, `999`.
    // Limitation: landlines are grouped only for Dhaka (02) and Khulna (041); a number with
    // another area code is shown as one run of digits.
    pub fn display(&self) -> String {
        let Some(rest) = self.0.strip_prefix("+88") else {
            return self.0.clone();
        };
        let split = if rest.starts_with("01") {
            5
        } else if rest.starts_with("02") {
            2
        } else if rest.starts_with("041") {
            3
        } else {
            return rest.to_string();
        };
        format!("{}-{}", &rest[..split], &rest[split..])
    }
}

/// Up to [`PHONES_MAX`] numbers separated by commas, semicolons or new lines; blank is none.
pub fn parse_phones(input: &str) -> Result<Vec<PhoneNumber>, InputError> {
    let numbers = input
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PhoneNumber::parse)
        .collect::<Result<Vec<_>, _>>()?;
    if numbers.len() > PHONES_MAX {
        return Err(InputError::ContactPhoneMalformed);
    }
    Ok(numbers)
}

/// The numbers as stored: normalised, separated by `, `.
pub fn phones_text(numbers: &[PhoneNumber]) -> String {
    numbers
        .iter()
        .map(PhoneNumber::dial)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A stored list of numbers.
pub fn stored_phones(text: Option<&str>) -> Vec<PhoneNumber> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PhoneNumber::stored)
        .collect()
}

/// An address note; blank is none.
pub fn parse_address(input: &str) -> Result<Option<String>, InputError> {
    parse_text(input, ADDRESS_MAX_CHARS, InputError::AddressTooLong)
}

/// The name of the officer in charge; blank is none.
pub fn parse_officer_name(input: &str) -> Result<Option<String>, InputError> {
    parse_text(
        input,
        OFFICER_NAME_MAX_CHARS,
        InputError::OfficerNameTooLong,
    )
}

fn parse_text(input: &str, max: usize, too_long: InputError) -> Result<Option<String>, InputError> {
    // One line: a new line typed in the field becomes a space.
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(too_long);
    }
    Ok(Some(text))
}

/// The station's point as an operator typed it (both halves or neither), inside KMP's area.
pub fn parse_station(
    lat: &str,
    lon: &str,
    area: &crate::config::ServiceArea,
) -> Result<Option<GeoPoint>, InputError> {
    let point = GeoPoint::parse_pair(lat, lon).map_err(|_| InputError::StationPointMalformed)?;
    match point {
        Some(p) if !area.contains(p.lat, p.lon) => Err(InputError::StationOutsideArea),
        other => Ok(other),
    }
}

// ---------------------------------------------------------------------------------------------
// Spelling

/// Writes a name or a query so that the spellings the press uses for one place come out alike:
/// lower case, no spaces or punctuation, ASCII digits, and in Bangla ণ as ন, ড় ঢ় ড ঢ as র,
/// শ ষ as স, য as জ, ঙ as ং, long vowel signs as short ones, no hasanta or nukta; in Latin
/// script o as a, v as b, z as j, y as i, ee as i, and no doubled letters.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in digits::to_ascii(text).chars().flat_map(char::to_lowercase) {
        let folded = match c {
            // Nukta and hasanta only change how a letter is drawn or joined.
            '\u{09BC}' | '\u{09CD}' | '\u{200C}' | '\u{200D}' => continue,
            'ণ' => 'ন',
            'ড' | 'ঢ' | '\u{09DC}' | '\u{09DD}' | 'র' | 'ৰ' => 'র',
            'শ' | 'ষ' => 'স',
            'য' | '\u{09DF}' => 'জ',
            'ঙ' => 'ং',
            'ৎ' => 'ত',
            'ী' => 'ি',
            'ূ' => 'ু',
            'ঈ' => 'ই',
            'ঊ' => 'উ',
            'o' => 'a',
            'v' => 'b',
            'z' => 'j',
            'y' => 'i',
            c if c.is_alphanumeric() || is_bangla_sign(c) => c,
            _ => continue,
        };
        // "ee" is the long i of older transliterations.
        match (out.chars().last(), folded) {
            (Some('e'), 'e') => {
                out.pop();
                out.push('i');
            }
            (Some(last), next) if last == next && next.is_ascii_alphabetic() => {}
            // ঙ্গ is written ঙ as often: the গ after it goes.
            (Some('ং'), 'গ') => {}
            // "sh" and "s" stand for the same শ/স in Latin spellings (Khalishpur, Khalispur).
            (Some('s'), 'h') => {}
            _ => out.push(folded),
        }
    }
    out
}

/// Vowel signs and other combining marks of Bengali script, which `is_alphanumeric` leaves out.
fn is_bangla_sign(c: char) -> bool {
    ('\u{0981}'..='\u{0983}').contains(&c) || ('\u{09BE}'..='\u{09D7}').contains(&c)
}

/// Words a query may add to a place's name without changing which place it means.
const FILLER: [&str; 7] = ["থানা", "thana", "মডেল", "model", "police", "পুলিশ", "station"];

/// The folded words of a query that say which place is meant. When every word is a filler
/// ("thana"), they all count.
pub fn query_words(query: &str) -> Vec<String> {
    let words: Vec<String> = query
        .split_whitespace()
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    let fillers: Vec<String> = FILLER.iter().map(|w| fold(w)).collect();
    let meaningful: Vec<String> = words
        .iter()
        .filter(|w| !fillers.contains(w))
        .cloned()
        .collect();
    if meaningful.is_empty() {
        words
    } else {
        meaningful
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_either_script_are_normalised() {
        for (typed, stored, shown) in [
            ("01712-345678", "+8801712345678", "01712-345678"),
            ("+৮৮০ ১৭১২ ৩৪৫৬৭৮", "+8801712345678", "01712-345678"),
            ("০৪১-৭৬১০০১", "+88041761001", "041-761001"),
            ("(041) 761001", "+88041761001", "041-761001"),
            ("+880 2 9512345", "+88029512345", "02-9512345"),
            ("00880 41 761001", "+88041761001", "041-761001"),
            ("999", "999", "999"),
            ("১৬১৬৩", "16163", "16163"),
        ] {
            let phone = PhoneNumber::parse(typed).unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(phone.dial(), stored, "{typed}");
            assert_eq!(phone.display(), shown, "{typed}");
        }
        for bad in [
            "01712-34567a",
            "call 999",
            "0171234",
            "+44 20 7946 0000",
            "12",
            "01212345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(bad),
                Err(InputError::ContactPhoneMalformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn several_numbers_are_kept_in_order_up_to_three() {
        let numbers = parse_phones("041-761001, 01712-345678").expect("two numbers");
        assert_eq!(phones_text(&numbers), "+88041761001, +8801712345678");
        assert_eq!(stored_phones(Some(&phones_text(&numbers))), numbers);
        assert_eq!(parse_phones("  "), Ok(Vec::new()));
        assert_eq!(
            parse_phones("999, 109, 16163, 16263"),
            Err(InputError::ContactPhoneMalformed)
        );
    }

    #[test]
    fn addresses_are_one_line_and_bounded() {
        assert_eq!(
            parse_address("  189 Khan Jahan Ali Road,\n Khulna "),
            Ok(Some("189 Khan Jahan Ali Road, Khulna".into()))
        );
        assert_eq!(parse_address(""), Ok(None));
        assert_eq!(
            parse_address(&"ক".repeat(201)),
            Err(InputError::AddressTooLong)
        );
        assert_eq!(
            parse_officer_name(&"a".repeat(101)),
            Err(InputError::OfficerNameTooLong)
        );
    }

    #[test]
    fn the_fold_makes_press_spellings_meet() {
        for (a, b) in [
            ("হরিণটানা", "হরিনটানা"),
            ("লবণচরা", "লবনচরা"),
            ("আড়ংঘাটা", "আঢ়ংঘাটা"),
            // ড় written as ড + nukta, and as one letter.
            ("আড\u{09BC}ংঘাটা", "আ\u{09DC}ংঘাটা"),
            ("খান জাহান আলী", "খানজাহান আলি"),
            ("কোতোয়ালী", "কোতোয়ালি"),
            ("Doulatpur", "Daulatpur"),
            ("Arongghata", "ARANGHATA"),
            ("Lobonchora", "Labanchara"),
            ("Horintana", "Harintana"),
            ("Khan Jahan Ali", "khanjahan ali"),
            ("সোনাডাঙ্গা", "সোনাডাঙা"),
            ("Khalishpur", "khalispur"),
        ] {
            assert_eq!(fold(a), fold(b), "{a} / {b}");
        }
        assert_ne!(fold("Khalishpur"), fold("Daulatpur"));
        assert_eq!(fold("৯৯৯"), "999");
    }

    #[test]
    fn fillers_are_dropped_unless_nothing_else_is_left() {
        assert_eq!(query_words("সোনাডাঙ্গা থানা"), [fold("সোনাডাঙ্গা")]);
        assert_eq!(query_words("Sonadanga Model Thana"), [fold("sonadanga")]);
        assert_eq!(query_words("thana"), [fold("thana")]);
    }
}

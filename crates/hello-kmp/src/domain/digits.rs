//! Bangla digits (০–৯, U+09E6–U+09EF) and their ASCII twins.

const BANGLA_ZERO: u32 = 0x09E6;

/// Writes every ASCII digit of `text` as a Bangla digit; everything else stays.
pub fn to_bangla(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(BANGLA_ZERO + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Writes every Bangla digit of `text` as an ASCII digit; everything else stays.
pub fn to_ascii(text: &str) -> String {
    text.chars()
        .map(|c| bangla_digit_value(c).map_or(c, |d| char::from(b'0' + d)))
        .collect()
}

fn bangla_digit_value(c: char) -> Option<u8> {
    let offset = u32::from(c).checked_sub(BANGLA_ZERO)?;
    u8::try_from(offset).ok().filter(|d| *d <= 9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_between_scripts() {
        assert_eq!(to_bangla("T-2026 09"), "T-২০২৬ ০৯");
        assert_eq!(to_ascii("১২৩ ৪৫-x"), "123 45-x");
        assert_eq!(to_ascii(&to_bangla("0123456789")), "0123456789");
    }
}

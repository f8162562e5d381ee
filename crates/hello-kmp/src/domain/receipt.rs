//! The receipt: the tipster's only key back to a tip.
//!
//! 25 random decimal digits (about 83 bits), shown once in five groups of five. The server keeps
//! only a keyed hash of it. Typed back in Bangla or ASCII digits, with any spaces or dashes.

use std::fmt;

use rand::RngExt;

use super::InputError;
use super::digits;

pub const RECEIPT_DIGITS: usize = 25;
const GROUP: usize = 5;

/// A well-formed receipt. `Debug` hides it so that it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Receipt(String);

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(redacted)")
    }
}

impl Receipt {
    /// A fresh random receipt.
    pub fn generate() -> Receipt {
        let mut rng = rand::rng();
        Receipt(
            (0..RECEIPT_DIGITS)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect(),
        )
    }

    /// Accepts Bangla or ASCII digits; ignores spaces, dashes and other separators people type.
    pub fn parse(input: &str) -> Result<Receipt, InputError> {
        let ascii = digits::to_ascii(input);
        let mut kept = String::with_capacity(RECEIPT_DIGITS);
        for c in ascii.chars() {
            if c.is_ascii_digit() {
                kept.push(c);
            } else if !(c.is_whitespace() || matches!(c, '-' | '–' | '—' | '.' | '_' | ',')) {
                return Err(InputError::ReceiptMalformed);
            }
        }
        if kept.len() != RECEIPT_DIGITS {
            return Err(InputError::ReceiptMalformed);
        }
        Ok(Receipt(kept))
    }

    /// The digits alone: what is hashed.
    pub fn expose_digits(&self) -> &str {
        &self.0
    }

    /// ASCII digits in groups, as `12345 67890 …`.
    pub fn grouped(&self) -> String {
        let chunks: Vec<&str> = self
            .0
            .as_bytes()
            .chunks(GROUP)
            .map(|c| std::str::from_utf8(c).expect("receipts are ASCII digits"))
            .collect();
        chunks.join(" ")
    }

    /// Bangla digits in groups, as `১২৩৪৫ ৬৭৮৯০ …`.
    pub fn grouped_bangla(&self) -> String {
        digits::to_bangla(&self.grouped())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_receipts_have_25_digits_and_differ() {
        let a = Receipt::generate();
        assert_eq!(a.expose_digits().len(), 25);
        assert!(a.expose_digits().bytes().all(|b| b.is_ascii_digit()));
        assert_ne!(a, Receipt::generate());
    }

    #[test]
    fn accepts_bangla_digits_spaces_and_dashes() {
        let r = Receipt::parse("12345-67890 12345 67890 12345").expect("ascii");
        assert_eq!(Receipt::parse(&r.grouped_bangla()).expect("bangla"), r);
        assert_eq!(
            Receipt::parse("  ১২৩৪৫—৬৭৮৯০\n12345 67890 12345 ").expect("mixed"),
            r
        );
    }

    #[test]
    fn refuses_wrong_lengths_and_letters() {
        assert_eq!(Receipt::parse("1234"), Err(InputError::ReceiptMalformed));
        assert_eq!(
            Receipt::parse(&"1".repeat(26)),
            Err(InputError::ReceiptMalformed)
        );
        assert_eq!(
            Receipt::parse("12345 67890 12345 67890 1234a"),
            Err(InputError::ReceiptMalformed)
        );
    }

    #[test]
    fn debug_does_not_show_the_digits() {
        let r = Receipt::generate();
        assert!(!format!("{r:?}").contains(r.expose_digits()));
    }
}

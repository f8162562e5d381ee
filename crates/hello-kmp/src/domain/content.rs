//! Public texts that editors write (FAQ answers, news posts): each in Bangla and in English,
//! plain text with paragraphs, never HTML. Also what makes a search find Bangla and English
//! alike, and the Latin slug of a news post's address.

use unicode_normalization::UnicodeNormalization;

use super::InputError;
use super::tip::parse_text;

/// A text in both languages; either may be empty while it is a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bilingual {
    pub bn: String,
    pub en: String,
}

impl Bilingual {
    /// Both languages trimmed and at most `max_chars` each; empty is allowed here, and the
    /// caller decides whether a missing language may stay missing.
    pub fn parse(
        bn: &str,
        en: &str,
        max_chars: usize,
        too_long: InputError,
    ) -> Result<Bilingual, InputError> {
        Ok(Bilingual {
            bn: optional_text(bn, max_chars, too_long)?,
            en: optional_text(en, max_chars, too_long)?,
        })
    }

    /// Refuses with `bn_missing` or `en_missing` unless both languages are there.
    pub fn require_both(
        &self,
        bn_missing: InputError,
        en_missing: InputError,
    ) -> Result<(), InputError> {
        if self.bn.is_empty() {
            return Err(bn_missing);
        }
        if self.en.is_empty() {
            return Err(en_missing);
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.bn.is_empty() && self.en.is_empty()
    }

    /// The text in `lang`, or the other language's while a draft lacks it.
    pub fn get(&self, lang: crate::i18n::Lang) -> &str {
        let (wanted, other) = match lang {
            crate::i18n::Lang::Bn => (&self.bn, &self.en),
            crate::i18n::Lang::En => (&self.en, &self.bn),
        };
        if wanted.is_empty() { other } else { wanted }
    }
}

/// A free-text field that may be left empty: trimmed, control characters dropped.
fn optional_text(
    input: &str,
    max_chars: usize,
    too_long: InputError,
) -> Result<String, InputError> {
    match parse_text(input, max_chars, InputError::FormTampered, too_long) {
        Ok(text) => Ok(text),
        Err(InputError::FormTampered) => Ok(String::new()),
        Err(other) => Err(other),
    }
}

/// Paragraphs (separated by a blank line), each a list of lines, for templates to render as
/// escaped text.
pub fn paragraphs(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.to_string());
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Text as search compares it: Unicode NFC (so `য়` typed as one character or as `য` and a
/// nukta are the same), lower case, Bangla digits as ASCII, zero-width joiners (which
/// keyboards add or leave out) dropped, the letters Bangla spellings confuse most made one
/// (শ, ষ and স; ণ and ন; long and short ই and উ signs), and runs of spaces made one.
pub fn fold(text: &str) -> String {
    let ascii_digits = super::digits::to_ascii(text);
    let folded: String = ascii_digits
        .nfc()
        .filter(|c| !matches!(c, '\u{200C}' | '\u{200D}'))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'শ' | 'ষ' => 'স',
            'ণ' => 'ন',
            'ী' => 'ি',
            'ূ' => 'ু',
            other => other,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Longest search, in characters.
pub const QUERY_MAX_CHARS: usize = 100;

/// The words of a search, folded; at most [`QUERY_MAX_CHARS`] characters are read.
pub fn query_terms(query: &str) -> Vec<String> {
    let cut: String = query.chars().take(QUERY_MAX_CHARS).collect();
    fold(&cut)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A search as an app sends it, trimmed; blank is no search. Unlike a page, which reads only the
/// first `max_chars` characters of whatever its address carries, an app is told when it sends
/// more, so that it can say so instead of showing results for words it did not mean.
pub fn parse_search(raw: Option<&str>, max_chars: usize) -> Result<Option<String>, InputError> {
    let query = raw.unwrap_or_default().trim();
    if query.chars().count() > max_chars {
        return Err(InputError::QueryTooLong);
    }
    Ok((!query.is_empty()).then(|| query.to_string()))
}

/// A search from a page's address: trimmed, cut to `max_chars` characters.
pub fn page_search(raw: &str, max_chars: usize) -> String {
    raw.trim().chars().take(max_chars).collect()
}

/// Whether every term is found somewhere in `haystack` (already folded).
pub fn matches_all(haystack: &str, terms: &[String]) -> bool {
    !terms.is_empty() && terms.iter().all(|t| haystack.contains(t.as_str()))
}

/// A news post's address words, from its English title: lower-case ASCII letters and digits
/// joined by dashes, at most 60 characters; empty when the title has none.
pub fn slug(title_en: &str) -> String {
    let mut slug = String::new();
    for c in title_en.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    slug.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {

    #[test]
    fn common_misspellings_meet() {
        assert!(matches_all(&fold("রসিদ নম্বর"), &query_terms("রশিদ")));
        assert!(matches_all(&fold("হরিণটানা"), &query_terms("হরিনটানা")));
        assert!(!matches_all(&fold("রসিদ"), &query_terms("খবর")));
    }

    use super::*;

    #[test]
    fn both_languages_may_be_required() {
        let draft = Bilingual::parse(" প্রশ্ন ", "", 10, InputError::FormTampered).expect("ok");
        assert_eq!(draft.bn, "প্রশ্ন");
        assert_eq!(
            draft.require_both(InputError::RoleUnknown, InputError::PlaceUnknown),
            Err(InputError::PlaceUnknown)
        );
        assert_eq!(draft.get(crate::i18n::Lang::En), "প্রশ্ন");
        assert_eq!(
            Bilingual::parse("", &"x".repeat(11), 10, InputError::NameTooLong),
            Err(InputError::NameTooLong)
        );
        // Invisible characters alone are nothing.
        let blank = Bilingual::parse("\u{200B}", " \n ", 10, InputError::NameTooLong).expect("ok");
        assert!(blank.is_empty());
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let text = "First line\nsecond line\n\n\n  \nNext <b>para</b>\n";
        assert_eq!(
            paragraphs(text),
            vec![
                vec!["First line".to_string(), "second line".to_string()],
                vec!["Next <b>para</b>".to_string()],
            ]
        );
    }

    #[test]
    fn search_folds_case_digits_and_bangla_spellings() {
        // য় as one code point (U+09DF) and as য + nukta.
        assert_eq!(fold("\u{09DF}"), fold("\u{09AF}\u{09BC}"));
        assert_eq!(fold("Receipt  ৯৯৯"), "receipt 999");
        assert_eq!(fold("ক্\u{200C}ষ"), fold("ক্ষ"));
        let terms = query_terms("  RECEIPT   রসিদ ");
        assert_eq!(terms, ["receipt", "রসিদ"]);
        assert!(matches_all(&fold("The receipt (রসিদ) number"), &terms));
        assert!(!matches_all(&fold("The receipt number"), &terms));
        assert!(!matches_all("anything", &[]));
        assert_eq!(query_terms(&"a".repeat(500))[0].len(), QUERY_MAX_CHARS);
    }

    #[test]
    fn an_app_search_over_the_limit_is_refused_and_a_page_search_is_cut() {
        assert_eq!(parse_search(Some("  রসিদ "), 5), Ok(Some("রসিদ".into())));
        assert_eq!(parse_search(Some("   "), 5), Ok(None));
        assert_eq!(parse_search(None, 5), Ok(None));
        assert_eq!(
            parse_search(Some("আমার রসিদ"), 5),
            Err(InputError::QueryTooLong)
        );
        assert_eq!(page_search(" আমার রসিদ ", 4), "আমার");
    }

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("New helpline: 999 — free!"), "new-helpline-999-free");
        assert_eq!(slug("নতুন খবর"), "");
        assert!(slug(&"word ".repeat(40)).len() <= 60);
        assert!(!slug(&"word ".repeat(40)).ends_with('-'));
    }
}

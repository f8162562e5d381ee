//! Words in Bangla and English, from Fluent files in `locales/`, compiled into the binary.
//!
//! Bangla is the default. Fluent's NUMBER() cannot write Bangla digits, so numbers shown to a
//! Bangla reader go through [`Lang::digits`].

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "bn",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static BN: LanguageIdentifier = langid!("bn");
static EN: LanguageIdentifier = langid!("en");

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Bn,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "bn" => Some(Lang::Bn),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Bn => "bn",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Bn => Lang::En,
            Lang::En => Lang::Bn,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Bn => &BN,
            Lang::En => &EN,
        }
    }

    /// The message for `key`; a missing key shows itself, and a test keeps that from shipping.
    pub fn t(self, key: &str) -> String {
        LOCALES
            .try_lookup(self.id(), key)
            .unwrap_or_else(|| key.to_string())
    }

    /// The message for `key` with one named argument.
    pub fn t_with(self, key: &str, name: &'static str, value: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES
            .try_lookup_with_args(self.id(), key, &args)
            .unwrap_or_else(|| key.to_string())
    }

    /// The message for `key` with several named text arguments.
    pub fn t_texts(self, key: &str, named: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = named
            .iter()
            .map(|&(name, value)| (Cow::Borrowed(name), FluentValue::from(value.to_string())))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &args)
            .unwrap_or_else(|| key.to_string())
    }

    /// The message explaining a refusal, with the numbers it names written in this language's
    /// digits.
    pub fn t_input(self, err: crate::domain::InputError) -> String {
        let key = err.message_key();
        let named = err.message_args();
        if named.is_empty() {
            return self.t(&key);
        }
        let args: HashMap<Cow<'static, str>, FluentValue> = named
            .into_iter()
            .map(|(name, n)| (Cow::Borrowed(name), self.number(n)))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), &key, &args)
            .unwrap_or(key)
    }

    /// The message for `key` with numeric arguments, in this language's digits.
    pub fn t_numbers(self, key: &str, named: &[(&'static str, u64)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = named
            .iter()
            .map(|&(name, n)| (Cow::Borrowed(name), self.number(n)))
            .collect();
        LOCALES
            .try_lookup_with_args(self.id(), key, &args)
            .unwrap_or_else(|| key.to_string())
    }

    /// A number as text in this language's digits, so Fluent does not format it itself.
    fn number(self, n: u64) -> FluentValue<'static> {
        FluentValue::from(self.digits(&n.to_string()))
    }

    /// Whether `key` exists in this language itself (not by falling back to Bangla). A message
    /// that needs arguments counts: formatting it without them fails, finding it does not.
    pub fn has(self, key: &str) -> bool {
        let found = LOCALES.lookup_single_language::<&str>(self.id(), key, None);
        // fluent-templates does not name its error type; a formatting error displays so.
        found.is_ok() || found.is_err_and(|e| e.to_string().starts_with("Fluent errors"))
    }

    /// Digits as this language's reader expects them.
    pub fn digits(self, text: &str) -> String {
        match self {
            Lang::Bn => crate::domain::digits::to_bangla(text),
            Lang::En => text.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InputError;
    use crate::domain::tip::{Category, TipStatus};

    /// A refusal that names a limit says the limit it was given, in the reader's digits, and no
    /// refusal leaves a Fluent placeholder unfilled.
    #[test]
    fn refusals_name_their_numbers() {
        let big = InputError::FileTooLarge { limit_mb: 7 };
        assert!(
            Lang::En.t_input(big).contains("7 MB"),
            "{}",
            Lang::En.t_input(big)
        );
        assert!(
            Lang::Bn.t_input(big).contains('৭'),
            "{}",
            Lang::Bn.t_input(big)
        );
        let many = InputError::TooManyFiles { max: 3 };
        assert!(Lang::En.t_input(many).contains("at most 3 files"));
        assert!(Lang::Bn.t_input(many).contains("৩টি"));
        for &err in InputError::ALL {
            for lang in [Lang::Bn, Lang::En] {
                let text = lang.t_input(err);
                assert!(
                    !text.contains('$') && !text.contains('{'),
                    "{err:?}: {text}"
                );
            }
        }
    }

    /// Every `t("…")` key in the templates, and every key the code builds, exists in both
    /// languages.
    #[test]
    fn every_message_exists_in_bangla_and_english() {
        let mut keys: Vec<String> = Vec::new();
        let templates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for path in files(&templates) {
            let text = std::fs::read_to_string(&path).expect("template reads");
            for piece in text.split("t(\"").skip(1) {
                keys.push(piece.split('"').next().expect("closing quote").to_string());
            }
        }
        assert!(keys.len() > 50, "the scan found the template keys");
        keys.extend(InputError::ALL.iter().map(|e| e.message_key()));
        keys.extend(Category::ALL.iter().map(|c| c.label_key()));
        keys.extend(TipStatus::ALL.iter().map(|s| s.label_key()));
        keys.extend(
            crate::domain::officer::Role::ALL
                .iter()
                .map(|r| format!("role-{}", r.key().replace('_', "-"))),
        );
        keys.extend(TipStatus::ALL.iter().map(|s| s.citizen_key().to_string()));
        keys.extend(
            crate::services::audit::Action::ALL
                .iter()
                .map(|a| a.label_key()),
        );
        keys.extend(
            crate::domain::sos::AlertStatus::ALL
                .iter()
                .map(|s| s.label_key()),
        );
        keys.extend(
            crate::domain::sos::Outcome::ALL
                .iter()
                .map(|o| o.label_key()),
        );
        keys.extend(
            crate::web::pwa::OFFLINE_PAGES
                .iter()
                .filter_map(|p| p.label_key.map(String::from)),
        );
        keys.extend(
            [
                "err-not-found",
                "err-forbidden",
                "err-not-allowed",
                "console-done-disable",
                "console-done-enable",
                "console-done-unlock",
                "console-done-edit",
                "err-unavailable",
                "err-internal",
                "error-title",
                "tip-files-choose",
                "contacts-call",
                "pwa-name",
            ]
            .map(String::from),
        );
        for key in keys {
            assert!(Lang::Bn.has(&key), "{key} missing in Bangla");
            assert!(Lang::En.has(&key), "{key} missing in English");
        }
    }

    #[test]
    fn bangla_pages_get_bangla_digits() {
        assert_eq!(Lang::Bn.digits("T-2026-000123"), "T-২০২৬-০০০১২৩");
        assert_eq!(Lang::En.digits("2026"), "2026");
        assert_eq!(Lang::Bn.t("app-name"), "হ্যালো কেএমপি");
        assert_eq!(Lang::En.t("app-name"), "Hello KMP");
    }

    fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).expect("dir reads").flatten() {
            if entry.path().is_dir() {
                out.extend(files(&entry.path()));
            } else {
                out.push(entry.path());
            }
        }
        out
    }
}

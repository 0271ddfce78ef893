//! The languages notifications are written in, and a text in each of them.
//! Texts are chosen per recipient when the notification is written, so its
//! in-app row and its e-mail say the same thing in the same language.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Locale {
    /// The platform's language, for everyone who chose nothing else.
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Self; 2] = [Self::Fr, Self::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }

    /// A stored value; anything unknown (a language since removed) falls
    /// back to the default rather than failing a notification.
    pub fn from_stored(value: Option<&str>) -> Self {
        value.and_then(|v| v.parse().ok()).unwrap_or_default()
    }
}

/// The document's schema for a field that takes a locale.
pub fn locale_schema() -> utoipa::openapi::schema::Object {
    mdsc_core::openapi_names::one_of_names(Locale::ALL.map(Locale::as_str))
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Locale {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|locale| locale.as_str() == s)
            .ok_or_else(|| format!("must be `fr` or `en`, got {s:?}"))
    }
}

/// One text in every language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    pub fr: String,
    pub en: String,
}

impl Texts {
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// A text that is not translated (what a user wrote).
    pub fn same(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            fr: text.clone(),
            en: text,
        }
    }

    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::Fr => &self.fr,
            Locale::En => &self.en,
        }
    }

    /// Each language's text through `f`.
    pub fn map(&self, f: impl Fn(&str) -> String) -> Self {
        Self {
            fr: f(&self.fr),
            en: f(&self.en),
        }
    }
}

/// A date and time as each language writes it (UTC: recipients' time
/// zones are not known here).
pub fn when(t: NaiveDateTime) -> Texts {
    Texts::new(
        t.format("%d/%m/%Y à %H:%M UTC").to_string(),
        t.format("%-d %B %Y at %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_read_back_and_unknown_ones_fall_back_to_french() {
        for locale in Locale::ALL {
            assert_eq!(locale.as_str().parse::<Locale>(), Ok(locale));
        }
        assert!("de".parse::<Locale>().is_err());
        assert!("EN".parse::<Locale>().is_err());
        assert_eq!(Locale::from_stored(Some("en")), Locale::En);
        assert_eq!(Locale::from_stored(Some("xx")), Locale::Fr);
        assert_eq!(Locale::from_stored(None), Locale::Fr);
    }

    #[test]
    fn dates_in_each_language() {
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 20)
            .and_then(|d| d.and_hms_opt(9, 5, 0))
            .unwrap_or_default();
        let texts = when(t);
        assert_eq!(texts.fr, "20/01/2026 à 09:05 UTC");
        assert_eq!(texts.en, "20 January 2026 at 09:05 UTC");
    }
}

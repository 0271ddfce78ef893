//! Text rules of the forum and the folded form that search matches.

use validator::ValidationError;

pub const SEARCH_MAX: usize = 200;

/// Markdown: the shared multi-line rule (newlines and tabs, CR only in
/// CRLF, no other control character), and not blank.
pub fn validate_markdown(value: &str) -> Result<(), ValidationError> {
    mdsc_core::text::validate_multi_line(value)?;
    mdsc_core::text::validate_not_blank(value)
}

/// A title: the shared single-line rule, and not blank.
pub fn validate_title(value: &str) -> Result<(), ValidationError> {
    mdsc_core::text::validate_single_line(value)?;
    mdsc_core::text::validate_not_blank(value)
}

/// Lower-cased and accent-folded ("Éléphant" → "elephant"), so that search
/// is case- and accent-insensitive alike on SQLite and PostgreSQL.
pub use mdsc_core::search::fold;

/// What a topic's `search_text` holds: its folded title, then its folded
/// content.
pub fn search_text(title: &str, content: &str) -> String {
    format!("{}\n{}", fold(title), fold(content))
}

/// What a topic's `search_title` holds: its folded title (which search
/// ranks first).
pub fn search_title(title: &str) -> String {
    fold(title)
}

/// At most this many words of a search count; more narrow nothing useful.
pub const SEARCH_WORDS_MAX: usize = 10;

/// The words of a search, folded, each once, at most `SEARCH_WORDS_MAX`:
/// a topic matches when it contains every one, anywhere and in any order.
/// Empty when the query has no word.
pub fn search_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for word in fold(query).split_whitespace() {
        if !words.iter().any(|w| w == word) {
            words.push(word.to_owned());
        }
        if words.len() == SEARCH_WORDS_MAX {
            break;
        }
    }
    words
}

/// The `LIKE` pattern that finds `word` anywhere (`\` being the escape
/// character, so `%` and `_` are characters to find, not wildcards).
pub use mdsc_core::search::like_contains as like_pattern;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_newlines_and_tabs_only() {
        assert!(validate_markdown("# Titre\n\n- un\n\t- deux\r\n").is_ok());
        assert!(validate_markdown("bell\u{7}").is_err());
        assert!(validate_markdown("nul\0").is_err());
        assert!(validate_markdown("lone\rreturn").is_err());
        assert!(validate_markdown("c1\u{85}").is_err());
        assert!(validate_markdown(" \n ").is_err());
    }

    #[test]
    fn titles_are_one_line() {
        assert!(validate_title("Question sur l'ownership").is_ok());
        assert!(validate_title("two\nlines").is_err());
        assert!(validate_title("tab\there").is_err());
        assert!(validate_title("   ").is_err());
    }

    #[test]
    fn folding_and_patterns() {
        assert_eq!(fold("Éléphant ÇA"), "elephant ca");
        assert_eq!(search_title("Problème d'ÉTÉ"), "probleme d'ete");
        assert_eq!(search_words("  Été "), ["ete"]);
        assert_eq!(like_pattern("ete"), "%ete%");
        assert_eq!(like_pattern("100%_a\\b"), "%100\\%\\_a\\\\b%");
        assert_eq!(
            search_words("Borrow  CHECKER borrow"),
            ["borrow", "checker"]
        );
        assert!(search_words("   ").is_empty());
        assert_eq!(search_words(&"a ".repeat(30)).len(), 1);
        assert_eq!(
            search_words("a b c d e f g h i j k l").len(),
            SEARCH_WORDS_MAX
        );
    }
}

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
pub fn fold(value: &str) -> String {
    deunicode::deunicode(value).to_lowercase()
}

/// What a topic's `search_text` holds.
pub fn search_text(title: &str, content: &str) -> String {
    format!("{}\n{}", fold(title), fold(content))
}

/// At most this many words of a search count; more narrow nothing useful.
pub const SEARCH_WORDS_MAX: usize = 10;

/// One `LIKE` pattern per word of `query` (folded, `\` being the escape
/// character): a topic matches when it contains every word, anywhere and
/// in any order. Empty when the query has no word.
pub fn like_patterns(query: &str) -> Vec<String> {
    let mut patterns: Vec<String> = Vec::new();
    for word in fold(query).split_whitespace() {
        let mut pattern = String::with_capacity(word.len() + 2);
        pattern.push('%');
        for c in word.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        if !patterns.contains(&pattern) {
            patterns.push(pattern);
        }
        if patterns.len() == SEARCH_WORDS_MAX {
            break;
        }
    }
    patterns
}

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
        assert_eq!(like_patterns("  Été "), ["%ete%"]);
        assert_eq!(like_patterns("100%_a\\b"), ["%100\\%\\_a\\\\b%"]);
        assert_eq!(
            like_patterns("Borrow  CHECKER borrow"),
            ["%borrow%", "%checker%"]
        );
        assert!(like_patterns("   ").is_empty());
        assert_eq!(like_patterns(&"a ".repeat(30)).len(), 1);
        assert_eq!(
            like_patterns("a b c d e f g h i j k l").len(),
            SEARCH_WORDS_MAX
        );
    }
}

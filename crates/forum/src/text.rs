//! Text rules of the forum and the folded form that search matches.

use validator::ValidationError;

pub const SEARCH_MAX: usize = 200;

fn error(code: &'static str, message: &'static str) -> ValidationError {
    let mut err = ValidationError::new(code);
    err.message = Some(message.into());
    err
}

/// Markdown keeps newlines and tabs and nothing else below U+0020 (nor DEL
/// and the C1 controls). A carriage return is accepted only as part of a
/// CRLF line break, which is still a newline.
pub fn validate_markdown(value: &str) -> Result<(), ValidationError> {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control(),
        };
        if !allowed {
            return Err(error(
                "control_characters",
                "must not contain control characters other than newline and tab",
            ));
        }
    }
    mdsc_core::text::validate_not_blank(value)
}

/// A title is one line: no control character at all.
pub fn validate_title(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(char::is_control) {
        return Err(error(
            "control_characters",
            "must not contain control characters",
        ));
    }
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

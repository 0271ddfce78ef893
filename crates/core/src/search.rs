//! Plain "contains" search over short folded columns (names) and e-mails,
//! for lists bounded by one course or by the admin's paging: `column LIKE
//! '%word%' ESCAPE '\'`, every word required, case and accents ignored.

use diesel::sql_types::Text;

diesel::define_sql_function! {
    /// Lower case (ASCII only on SQLite, every script on PostgreSQL).
    fn lower(x: Text) -> Text;
}

/// Lower-cased and accent-folded ("Éléphant" → "elephant"): the form the
/// search columns hold (forum topics, the course catalog, user names), so
/// that search ignores case and accents alike on SQLite and PostgreSQL.
/// Line breaks and tabs become spaces first: deunicode drops control
/// characters, which would glue the words on either side together.
pub fn fold(value: &str) -> String {
    let spaced = value.replace(|c: char| c.is_whitespace() && c.is_control(), " ");
    deunicode::deunicode(&spaced).to_lowercase()
}

/// Words searched at most; longer searches are cut, not refused.
pub const MAX_WORDS: usize = 5;
/// Characters of a search read at most.
pub const MAX_CHARS: usize = 100;

/// The `LIKE` patterns of a search: each word folded (see [`fold`]: match
/// it against folded columns), with `%`, `_` and `\` escaped (they are
/// characters to find, not wildcards).
pub fn contains_patterns(search: Option<&str>) -> Vec<String> {
    fold(
        &search
            .unwrap_or_default()
            .chars()
            .take(MAX_CHARS)
            .collect::<String>(),
    )
    .split_whitespace()
    .take(MAX_WORDS)
    .map(like_contains)
    .collect()
}

/// The `LIKE … ESCAPE '\'` pattern that finds `word` anywhere (`%`, `_`
/// and `\` are characters to find, not wildcards).
pub fn like_contains(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents_and_keeps_lines_apart() {
        assert_eq!(fold("Éléphant ROSE"), "elephant rose");
        assert_eq!(fold("fin\ndébut\tici"), "fin debut ici");
    }

    #[test]
    fn words_are_lowered_escaped_and_bounded() {
        assert_eq!(
            contains_patterns(Some(" Adèle  50%_off ")),
            ["%adele%", "%50\\%\\_off%"]
        );
        assert!(contains_patterns(None).is_empty());
        assert_eq!(contains_patterns(Some("a b c d e f g")).len(), MAX_WORDS);
    }
}

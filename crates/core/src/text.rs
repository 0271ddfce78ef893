//! Input text rules shared by every crate that stores user text. Two rules
//! for control characters, one per kind of field, so that every crate
//! refuses the same characters:
//!
//! - [`validate_single_line`] for text shown on one line (titles, names,
//!   room names, categories, addresses, keys);
//! - [`validate_multi_line`] for text that may span lines (descriptions,
//!   post and lesson content, comments, chat messages).

use validator::ValidationError;

fn control_error(message: &'static str) -> ValidationError {
    let mut err = ValidationError::new("control_characters");
    err.message = Some(message.into());
    err
}

/// One line: no control character at all (C0 including tab, CR and LF, DEL,
/// C1), nor the Unicode line and paragraph separators. A line break in a
/// name or title splits e-mail headers, iCalendar lines and log lines; ESC
/// and BEL drive terminals.
pub fn validate_single_line(value: &str) -> Result<(), ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(control_error(
            "must be one line, without control characters (no newline or tab)",
        ));
    }
    Ok(())
}

/// Several lines: newline and tab are kept, a carriage return only as part
/// of a CRLF line break (a lone CR rewrites a terminal's line); every other
/// control character (C0, DEL, C1, NUL included) is refused.
pub fn validate_multi_line(value: &str) -> Result<(), ValidationError> {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = match c {
            '\n' | '\t' => true,
            '\r' => chars.peek() == Some(&'\n'),
            c => !c.is_control(),
        };
        if !allowed {
            return Err(control_error(
                "must not contain control characters other than newline and tab",
            ));
        }
    }
    Ok(())
}

/// Rejects values that are empty once trimmed.
pub fn validate_not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        let mut err = ValidationError::new("blank");
        err.message = Some("must not be blank".into());
        return Err(err);
    }
    Ok(())
}

/// Admits only `http://` and `https://` links. Browsers run `javascript:`
/// and `data:` links that the URL check alone accepts, and these values end
/// up as links in other users' pages.
pub fn validate_http_url(value: &str) -> Result<(), ValidationError> {
    let lower = value.trim_start().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(());
    }
    let mut err = ValidationError::new("http_url");
    err.message = Some("must be an http:// or https:// address".into());
    Err(err)
}

/// For `Option<Option<T>>` fields that tell "absent" from `null`: an absent
/// field stays `None` (with `#[serde(default)]`), `null` is `Some(None)`
/// (clear it), a value is `Some(Some(value))`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_keeps_newlines_and_tabs_only() {
        assert!(validate_multi_line("Bonjour\n\tà tous\r\n").is_ok());
        for bad in [
            "bell\u{7}",
            "esc\u{1b}[2J",
            "nul\0",
            "lone\rreturn",
            "del\u{7f}",
            "c1\u{85}",
        ] {
            assert!(validate_multi_line(bad).is_err(), "{bad:?}");
        }
        assert!(validate_not_blank("  ").is_err());
        assert!(validate_not_blank(" a ").is_ok());
    }

    #[test]
    fn single_line_refuses_every_control_character() {
        assert!(validate_single_line("Rust pour débutants — «2026»").is_ok());
        for bad in [
            "two\nlines",
            "crlf\r\n",
            "cr\r",
            "tab\there",
            "bell\u{7}",
            "nul\0",
            "c1\u{9b}",
            "sep\u{2028}",
        ] {
            let err = validate_single_line(bad).unwrap_err();
            assert_eq!(err.code, "control_characters", "{bad:?}");
        }
    }

    #[test]
    fn links_are_http_only() {
        assert!(validate_http_url("https://example.org/a.mp4").is_ok());
        assert!(validate_http_url("HTTP://example.org").is_ok());
        assert!(validate_http_url("javascript:alert(1)").is_err());
        assert!(validate_http_url("data:text/html,<script>").is_err());
        assert!(validate_http_url("ftp://example.org").is_err());
    }
}

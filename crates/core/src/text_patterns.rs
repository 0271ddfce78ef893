//! The text rules of [`crate::text`] as JSON Schema `pattern`s (ECMA 262
//! regular expressions), for the OpenAPI document: a client, a form
//! library or a fuzzer reads from the schema which strings the API takes.
//!
//! utoipa takes a `pattern` only as a string literal, so each input field
//! spells one of these out in its `#[schema(pattern = …)]`; the gateway's
//! tests check that every pattern in the document is one of these, and the
//! tests below that each one accepts exactly what its validator accepts.
//!
//! "Control character" is Unicode's `Cc` (U+0000–U+001F, U+007F–U+009F),
//! as `char::is_control`; "blank" is Rust's `White_Space`, as `str::trim`.

/// [`crate::text::validate_single_line`].
pub const SINGLE_LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029]*$";

/// [`crate::text::validate_single_line`] and
/// [`crate::text::validate_not_blank`]: one character at least that is
/// not white space.
pub const SINGLE_LINE_NOT_BLANK: &str = r"^[^\u0000-\u001F\u007F-\u009F\u2028\u2029]*[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\u0000-\u001F\u007F-\u009F\u2028\u2029]*$";

/// [`crate::text::validate_multi_line`]: newline and tab, CR only before
/// LF, no other control character.
pub const MULTI_LINE: &str = r"^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\r\n)*$";

/// [`crate::text::validate_multi_line`] and
/// [`crate::text::validate_not_blank`].
pub const MULTI_LINE_NOT_BLANK: &str = r"^(?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\r\n)*[^\u0000-\u0020\u007F-\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](?:[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\r\n)*$";

/// [`crate::text::validate_http_url`] on a one-line value: `http://` or
/// `https://` in any case, after spaces at most.
pub const HTTP_URL: &str =
    r"^ *[hH][tT][tT][pP][sS]?://[^\u0000-\u001F\u007F-\u009F\u2028\u2029]*$";

/// Every pattern above, for the check that the document uses no other.
pub const ALL: [&str; 5] = [
    SINGLE_LINE,
    SINGLE_LINE_NOT_BLANK,
    MULTI_LINE,
    MULTI_LINE_NOT_BLANK,
    HTTP_URL,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{
        validate_http_url, validate_multi_line, validate_not_blank, validate_single_line,
    };

    /// Strings at the edges of every rule: each control character, each
    /// white space, separators, CR with and without LF, and ordinary text.
    fn corpus() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            " ",
            "a",
            " a ",
            "Rust pour débutants",
            "two\nlines",
            "crlf\r\nend",
            "lone\rcr",
            "\r\n",
            "\t",
            " \t\n ",
            "tab\there",
            "\u{feff}",
            "\u{85}",
            "http://x",
            "HTTPS://example.org/a b",
            " https://x",
            "ftp://x",
            "javascript:alert(1)",
            "http:/x",
            "\u{3000}",
            "日本語",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in (0u32..0xA1)
            .chain(0x1680..0x1681)
            .chain(0x2000..0x2030)
            .chain([0x205F, 0x3000, 0xFEFF])
        {
            let c = char::from_u32(c).unwrap();
            out.push(c.to_string());
            out.push(format!("x{c}y"));
            out.push(format!("https://x{c}"));
        }
        out
    }

    fn holds(pattern: &str, rule: impl Fn(&str) -> bool) {
        let regex = regex::Regex::new(pattern).unwrap();
        for text in corpus() {
            assert_eq!(
                regex.is_match(&text),
                rule(&text),
                "{pattern} and its validator disagree on {text:?}"
            );
        }
    }

    #[test]
    fn each_pattern_accepts_exactly_what_its_validator_accepts() {
        holds(SINGLE_LINE, |t| validate_single_line(t).is_ok());
        holds(SINGLE_LINE_NOT_BLANK, |t| {
            validate_single_line(t).is_ok() && validate_not_blank(t).is_ok()
        });
        holds(MULTI_LINE, |t| validate_multi_line(t).is_ok());
        holds(MULTI_LINE_NOT_BLANK, |t| {
            validate_multi_line(t).is_ok() && validate_not_blank(t).is_ok()
        });
        holds(HTTP_URL, |t| {
            validate_single_line(t).is_ok() && validate_http_url(t).is_ok()
        });
    }
}

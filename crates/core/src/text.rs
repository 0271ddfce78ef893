//! Input text rules shared by every crate that stores user text.

/// Rejects control characters other than newline, carriage return and tab:
/// they have no business in titles or Markdown and break terminals and feeds.
pub fn validate_no_control_chars(value: &str) -> Result<(), validator::ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        let mut err = validator::ValidationError::new("control_characters");
        err.message = Some("must not contain control characters".into());
        return Err(err);
    }
    Ok(())
}

/// Rejects values that are empty once trimmed.
pub fn validate_not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut err = validator::ValidationError::new("blank");
        err.message = Some("must not be blank".into());
        return Err(err);
    }
    Ok(())
}

/// Admits only `http://` and `https://` links. Browsers run `javascript:`
/// and `data:` links that the URL check alone accepts, and these values end
/// up as links in other users' pages.
pub fn validate_http_url(value: &str) -> Result<(), validator::ValidationError> {
    let lower = value.trim_start().to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(());
    }
    let mut err = validator::ValidationError::new("http_url");
    err.message = Some("must be an http:// or https:// address".into());
    Err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters() {
        assert!(validate_no_control_chars("Bonjour\n\tà tous\r\n").is_ok());
        assert!(validate_no_control_chars("bell\u{7}").is_err());
        assert!(validate_no_control_chars("nul\0").is_err());
        assert!(validate_not_blank("  ").is_err());
        assert!(validate_not_blank(" a ").is_ok());
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

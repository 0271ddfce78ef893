//! A certificate a person can show: the public verification link answers
//! browsers with a printable page and PDF readers with a PDF, and keeps
//! JSON for API clients.

pub mod html;
pub mod pdf;
pub mod text;

/// What the verification link answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
    Pdf,
}

/// The code and the format asked for: a code ending in `.pdf` asks for the
/// PDF; otherwise the best of JSON, HTML and PDF in `Accept` by its
/// quality (ties: the first listed). `*/*` or no `Accept` mean JSON, so
/// API clients that send nothing get what they always got.
pub fn negotiate(code: &str, accept: Option<&str>) -> (String, Format) {
    if let Some(bare) = code.strip_suffix(".pdf") {
        return (bare.to_owned(), Format::Pdf);
    }
    let mut best: Option<(f32, Format)> = None;
    for entry in accept.unwrap_or_default().split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let format = match media.as_str() {
            "application/json" => Format::Json,
            "text/html" | "application/xhtml+xml" => Format::Html,
            "application/pdf" => Format::Pdf,
            _ => continue,
        };
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, format));
        }
    }
    (code.to_owned(), best.map_or(Format::Json, |(_, f)| f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_html_pdf_readers_pdf_and_the_rest_json() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(negotiate("ab12", Some(firefox)).1, Format::Html);
        assert_eq!(negotiate("ab12", Some("application/pdf")).1, Format::Pdf);
        assert_eq!(negotiate("ab12", Some("application/json")).1, Format::Json);
        assert_eq!(negotiate("ab12", Some("*/*")).1, Format::Json);
        assert_eq!(negotiate("ab12", None).1, Format::Json);
        let prefers_json = "text/html;q=0.5, application/json";
        assert_eq!(negotiate("ab12", Some(prefers_json)).1, Format::Json);
        assert_eq!(negotiate("ab12", Some("text/html;q=0")).1, Format::Json);
        assert_eq!(
            negotiate("ab12.pdf", Some(firefox)),
            ("ab12".to_owned(), Format::Pdf)
        );
    }
}

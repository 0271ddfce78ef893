//! Text put into the small HTML pages the API serves (unsubscribe pages,
//! the certificate page): names and titles come from users.

/// Text made safe to put in HTML, in an element or an attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_a_name_stays_text() {
        assert_eq!(
            escape("<b>Ada</b> & \"co\" 'x'"),
            "&lt;b&gt;Ada&lt;/b&gt; &amp; &quot;co&quot; &#39;x&#39;"
        );
    }
}

//! The small HTML pages a person sees behind a notification e-mail's
//! unsubscribe link: what the link turns off, with a button that sends the
//! one-click `POST`; the confirmation; and a clear page for a link that is
//! invalid or expired. In the recipient's language, or the browser's when
//! the link says nothing about its recipient.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use mdsc_notify::Locale;
use mdsc_notify::preferences::UnsubscribeOffer;

use crate::html_text::escape;

/// The page for an unsubscribe link that works: a form whose button posts
/// to the same address.
pub fn offer(offer: &UnsubscribeOffer, action: &str) -> HttpResponse {
    let what = offer.kind.describe();
    let what = what.get(offer.locale);
    let (title, text, button) = match (offer.locale, offer.email_on) {
        (Locale::Fr, true) => (
            "Se désabonner des e-mails",
            format!(
                "Ne plus recevoir par e-mail {what} ? Les notifications dans l'application restent comme elles sont."
            ),
            Some("Me désabonner"),
        ),
        (Locale::En, true) => (
            "Unsubscribe from e-mails",
            format!("Stop receiving e-mails about {what}? In-app notifications stay as they are."),
            Some("Unsubscribe"),
        ),
        (Locale::Fr, false) => (
            "Déjà désabonné",
            format!("Vous ne recevez déjà plus par e-mail {what}."),
            None,
        ),
        (Locale::En, false) => (
            "Already unsubscribed",
            format!("You already receive no e-mails about {what}."),
            None,
        ),
    };
    let form = button.map_or_else(String::new, |button| {
        format!(
            "<form method=\"post\" action=\"{}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">{}</button></form>",
            escape(action),
            escape(button)
        )
    });
    page(StatusCode::OK, offer.locale, title, &text, &form)
}

/// After the `POST` from the page's button.
pub fn done(offer: &UnsubscribeOffer) -> HttpResponse {
    let what = offer.kind.describe();
    let what = what.get(offer.locale);
    let (title, text) = match offer.locale {
        Locale::Fr => (
            "Désabonnement enregistré",
            format!(
                "Vous ne recevrez plus par e-mail {what}. Vous pouvez changer cela à tout moment dans les préférences de notification."
            ),
        ),
        Locale::En => (
            "You are unsubscribed",
            format!(
                "You will no longer receive e-mails about {what}. You can change this at any time in your notification preferences."
            ),
        ),
    };
    page(StatusCode::OK, offer.locale, title, &text, "")
}

/// A link that does not work: its status (401 for a token that is invalid
/// or expired, 422 for an unknown type), said in words.
pub fn refused(code: &str, status: StatusCode, locale: Locale) -> HttpResponse {
    let expired = status == StatusCode::UNAUTHORIZED;
    let (title, text) = match (locale, expired) {
        (Locale::Fr, true) => (
            "Lien expiré ou invalide",
            "Ce lien de désabonnement n'est plus valable. Choisissez ce que vous recevez par e-mail dans les préférences de notification de votre compte.",
        ),
        (Locale::En, true) => (
            "Expired or invalid link",
            "This unsubscribe link no longer works. Choose what you receive by e-mail in your account's notification preferences.",
        ),
        (Locale::Fr, false) => (
            "Lien incomplet",
            "Ce lien de désabonnement est incomplet ou abîmé. Copiez-le en entier depuis l'e-mail, ou choisissez ce que vous recevez dans les préférences de notification de votre compte.",
        ),
        (Locale::En, false) => (
            "Incomplete link",
            "This unsubscribe link is incomplete or damaged. Copy all of it from the e-mail, or choose what you receive in your account's notification preferences.",
        ),
    };
    log::debug!("unsubscribe link refused: {code}");
    page(status, locale, title, text, "")
}

/// The browser's language when the link names no recipient: English when
/// it comes first in `Accept-Language`, French (the platform's) otherwise.
pub fn browser_locale(accept_language: Option<&str>) -> Locale {
    let first = accept_language
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match first {
        Some(lang) if lang.starts_with("en") => Locale::En,
        _ => Locale::Fr,
    }
}

fn page(status: StatusCode, locale: Locale, title: &str, text: &str, extra: &str) -> HttpResponse {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}\
         button{{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}}</style></head>\
         <body><h1>{title}</h1><p>{text}</p>{extra}</body></html>\n",
        lang = locale.as_str(),
        title = escape(title),
        text = escape(text),
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // Never cached: the same link answers differently once used.
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">l'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;l&#39;été &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn the_browser_language_picks_english_only_when_it_comes_first() {
        assert_eq!(browser_locale(Some("en-GB,en;q=0.9")), Locale::En);
        assert_eq!(browser_locale(Some("fr-FR,en;q=0.5")), Locale::Fr);
        assert_eq!(browser_locale(None), Locale::Fr);
    }
}

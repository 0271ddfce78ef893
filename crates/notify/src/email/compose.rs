//! The text of a notification e-mail: its body, a link into the web app,
//! and a footer, all in the language the notification was written in.

use crate::email::account_mail::ACCOUNT_KIND;
use crate::email::mailer::EmailMessage;
use crate::email::outbox::EmailJob;
use crate::locale::{Locale, Texts};

/// Where the web app lets a user choose their notifications (appended to
/// `APP_URL` in every e-mail's footer).
pub const PREFERENCES_PATH: &str = "/settings/notifications";

/// The e-mail of `job` to `to`: subject = the notification's title; body =
/// its body, the absolute link (`app_url` + the app-relative
/// `data.link`), then how to change one's preferences.
pub fn compose(job: &EmailJob, to: &str, app_url: &str) -> EmailMessage {
    let app_url = app_url.trim_end_matches('/');
    let locale = Locale::from_stored(Some(&job.locale));
    let mut text = job.body.clone();
    // Only app-relative links: anything else is not ours to put in a mail.
    if let Some(link) = job.link.as_deref().filter(|l| l.starts_with('/')) {
        text.push_str(&format!("\n\n{app_url}{link}"));
    }
    let preferences = format!("{app_url}{PREFERENCES_PATH}");
    let footer = if job.kind == ACCOUNT_KIND {
        Texts::new(
            "Vous recevez cet e-mail car il a été demandé pour votre compte MDSC.",
            "You receive this e-mail because it was asked for your MDSC account.",
        )
    } else {
        Texts::new(
            format!(
                "Vous recevez cet e-mail car les e-mails sont activés pour ce type de notification. \
             Pour choisir ce que vous recevez par e-mail : {preferences}"
            ),
            format!(
                "You receive this e-mail because e-mail is on for this type of notification. \
             To choose what you receive by e-mail: {preferences}"
            ),
        )
    };
    // "-- " is the signature separator mail clients recognise. No final
    // line break: the SMTP transport ends the last line.
    text.push_str(&format!("\n\n-- \n{}", footer.get(locale)));
    EmailMessage {
        to: to.to_owned(),
        subject: job.title.clone(),
        text,
        // Signed per recipient when sending (`EmailLinks`).
        unsubscribe_url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(locale: &str, link: Option<&str>) -> EmailJob {
        EmailJob {
            user_id: 1,
            kind: "forum_topic".to_owned(),
            locale: locale.to_owned(),
            title: "Title".to_owned(),
            body: "Body".to_owned(),
            link: link.map(str::to_owned),
            notification_id: Some(3),
        }
    }

    #[test]
    fn body_link_and_footer_in_the_notification_language() {
        let mail = compose(
            &job("en", Some("/courses/rust/forum/topics/7")),
            "a@example.com",
            "https://app.example.org/",
        );
        assert_eq!(mail.subject, "Title");
        assert_eq!(mail.to, "a@example.com");
        assert!(
            mail.text.starts_with(
                "Body\n\nhttps://app.example.org/courses/rust/forum/topics/7\n\n-- \nYou receive"
            ),
            "{}",
            mail.text
        );
        assert!(
            mail.text
                .contains("https://app.example.org/settings/notifications")
        );
        let french = compose(&job("fr", None), "a@example.com", "https://app.example.org");
        assert!(french.text.starts_with("Body\n\n-- \nVous recevez"));
    }

    #[test]
    fn a_link_that_is_not_app_relative_is_left_out() {
        let mail = compose(
            &job("fr", Some("https://elsewhere.example/x")),
            "a@example.com",
            "https://app.example.org",
        );
        assert!(!mail.text.contains("elsewhere"), "{}", mail.text);
    }
}

//! E-mails about the account itself (a password reset link, an address to
//! verify): sent whatever
//! the notification preferences say, without an unsubscribe link, in the
//! user's language, through the same queue and worker as notifications.

use chrono::NaiveDateTime;
use mdsc_core::{DbConnection, Error};

use crate::email::outbox::{EmailJob, enqueue};
use crate::language::get_settings;
use crate::locale::{Locale, Texts, when};

/// The `type` of account e-mails (not a notification type: no preference
/// turns them off).
pub const ACCOUNT_KIND: &str = "account";

/// Where the web app takes a reset token (appended to `APP_URL`).
pub const RESET_PASSWORD_PATH: &str = "/reset-password";
/// Where the web app takes an e-mail verification token (appended to
/// `APP_URL`); it posts it to `POST /api/auth/verify-email`.
pub const VERIFY_EMAIL_PATH: &str = "/verify-email";

/// Queues the reset link for `user_id`, in the transaction that created it.
/// `token` only travels in the e-mail; once sent, the job keeps the text
/// without the link (see `send::forget_secret`).
pub fn queue_password_reset(
    conn: &mut DbConnection,
    user_id: i32,
    token: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let until = when(expires_at);
    let title = Texts::new(
        "Réinitialiser votre mot de passe MDSC",
        "Reset your MDSC password",
    );
    let body = Texts::new(
        format!(
            "Pour choisir un nouveau mot de passe, ouvrez le lien ci-dessous. Il sert une fois \
             et expire le {}. Si vous n'avez rien demandé, ignorez cet e-mail : votre mot de passe \
             ne change pas.",
            until.get(Locale::Fr)
        ),
        format!(
            "To choose a new password, open the link below. It works once and expires on {}. \
             If you did not ask for it, ignore this e-mail: your password stays as it is.",
            until.get(Locale::En)
        ),
    );
    let link = format!("{RESET_PASSWORD_PATH}?token={token}");
    queue(conn, user_id, title, body, link, now)
}

/// Queues the verification link of a new account, in the transaction that
/// created it; the job forgets the link once sent, as for resets.
pub fn queue_email_verification(
    conn: &mut DbConnection,
    user_id: i32,
    token: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let until = when(expires_at);
    let title = Texts::new(
        "Confirmez votre adresse e-mail MDSC",
        "Confirm your MDSC e-mail address",
    );
    let body = Texts::new(
        format!(
            "Pour publier sur la plateforme (forum, chat, avis), confirmez votre adresse en \
             ouvrant le lien ci-dessous. Il sert une fois et expire le {}. Si vous n'avez pas \
             créé de compte, ignorez cet e-mail.",
            until.get(Locale::Fr)
        ),
        format!(
            "To post on the platform (forum, chat, ratings), confirm your address by opening \
             the link below. It works once and expires on {}. If you did not create an \
             account, ignore this e-mail.",
            until.get(Locale::En)
        ),
    );
    let link = format!("{VERIFY_EMAIL_PATH}?token={token}");
    queue(conn, user_id, title, body, link, now)
}

/// One account e-mail, in the user's language.
fn queue(
    conn: &mut DbConnection,
    user_id: i32,
    title: Texts,
    body: Texts,
    link: String,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let actor = mdsc_auth::Principal {
        user_id,
        role: mdsc_auth::Role::Student,
    };
    let locale = Locale::from_stored(Some(&get_settings(conn, &actor)?.locale));
    let mail = EmailJob {
        user_id,
        kind: ACCOUNT_KIND.to_owned(),
        locale: locale.as_str().to_owned(),
        title: title.get(locale).to_owned(),
        body: body.get(locale).to_owned(),
        link: Some(link),
        notification_id: None,
    };
    enqueue(conn, &[mail], None, now)?;
    Ok(())
}

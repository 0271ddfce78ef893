//! Notifications by e-mail (issue 7). `deliver::notify` queues one `email`
//! job per recipient who keeps e-mail on for the type, in the transaction
//! of the change: a rolled-back change sends nothing, a committed one loses
//! nothing. The worker sends the due ones ([`send_due`]) through a
//! [`Mailer`]: SMTP (`SMTP_URL`), or the log when no SMTP server is set.
//! Sending is at least once: the message goes out, then the job is marked
//! done; a failure is retried with the jobs' back-off.

mod account_mail;
mod compose;
mod links;
mod mailer;
mod outbox;
mod send;
mod settings;
mod smtp_refusal;

pub use account_mail::{
    ACCOUNT_KIND, RESET_PASSWORD_PATH, VERIFY_EMAIL_PATH, queue_email_verification,
    queue_password_reset,
};
pub use compose::{PREFERENCES_PATH, compose};
pub use links::{EmailLinks, UNSUBSCRIBE_PATH};
pub use mailer::{EmailMessage, LogMailer, Mailer, SMTP_TIMEOUT, SmtpMailer};
pub(crate) use outbox::enqueue;
pub use outbox::{EMAIL_JOB, EmailJob};
pub use send::{EMAILS_METRIC, send_due};
pub use settings::{DEFAULT_FROM, EmailSettings};
pub use smtp_refusal::{SMTP_DEFERRED, SMTP_UNAVAILABLE};

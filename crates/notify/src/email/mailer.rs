//! Where e-mails go: an SMTP server, or the log when none is configured.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use lettre::{Message, SmtpTransport, Transport};
use mdsc_core::Error;

use crate::email::smtp_refusal::classify;
use crate::jobs::PERMANENT_FAILURE;

/// A plain-text e-mail to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailMessage {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// One-click unsubscribe (RFC 8058): sent as `List-Unsubscribe` with
    /// `List-Unsubscribe-Post`, so mail clients offer the button.
    pub unsubscribe_url: Option<String>,
}

/// Sends e-mails. Blocking: the worker calls it on the blocking pool.
pub trait Mailer: Send + Sync {
    /// Sends the message. An error coded [`PERMANENT_FAILURE`] fails the
    /// e-mail at once; [`SMTP_UNAVAILABLE`](crate::email::SMTP_UNAVAILABLE)
    /// retries it and holds the rest of the batch; any other retries it.
    fn send(&self, message: &EmailMessage) -> Result<(), Error>;
}

/// Without `SMTP_URL`: the e-mail is written to the log (INFO), and counts
/// as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogMailer;

impl Mailer for LogMailer {
    fn send(&self, message: &EmailMessage) -> Result<(), Error> {
        log::info!(
            "e-mail (no SMTP_URL, not sent) to {}: {}\n{}",
            message.to,
            message.subject,
            message.text
        );
        Ok(())
    }
}

/// How long one SMTP read or write may wait (lettre's default is a
/// minute): a worker pass holds its e-mail claims (5 minutes) meanwhile.
pub const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Through an SMTP server, with lettre's pooled connections.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    transport: SmtpTransport,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(transport: SmtpTransport, from: Mailbox) -> Self {
        Self { transport, from }
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, message: &EmailMessage) -> Result<(), Error> {
        let to: Mailbox = message.to.parse().map_err(|e| {
            Error::internal(format!("recipient address {:?}: {e}", message.to))
                .with_code(PERMANENT_FAILURE)
        })?;
        let mut builder = Message::builder();
        if let Some(url) = &message.unsubscribe_url {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let email = builder
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.as_str())
            // Relays and spam filters expect one; lettre makes it unique.
            .message_id(None)
            // A single text/plain UTF-8 part, with its MIME-Version.
            .singlepart(SinglePart::plain(message.text.clone()))
            .map_err(|e| {
                Error::internal(format!("e-mail not built: {e}")).with_code(PERMANENT_FAILURE)
            })?;
        self.transport.send(&email).map_err(|e| classify(&e))?;
        Ok(())
    }
}

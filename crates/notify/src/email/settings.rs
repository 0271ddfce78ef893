//! E-mail configuration: `SMTP_URL` (none: e-mails go to the log) and
//! `SMTP_FROM`. Checked at start; the password is never shown.

use std::fmt;
use std::sync::Arc;

use lettre::SmtpTransport;
use lettre::message::Mailbox;
use mdsc_core::Error;

use crate::email::mailer::{LogMailer, Mailer, SmtpMailer};

/// The sender when `SMTP_FROM` is not set.
pub const DEFAULT_FROM: &str = "MDSC <no-reply@localhost>";

#[derive(Clone)]
pub struct EmailSettings {
    /// Checked by lettre at start; holds the password, so never printed.
    smtp_url: Option<String>,
    pub from: Mailbox,
}

impl Default for EmailSettings {
    /// No SMTP server (the log), from [`DEFAULT_FROM`].
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_FROM
                .parse()
                .unwrap_or_else(|_| unreachable!("DEFAULT_FROM is a valid mailbox")),
        }
    }
}

impl fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailSettings")
            .field("smtp_url", &self.smtp_url.as_deref().map(redacted))
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl EmailSettings {
    /// From `SMTP_URL` and `SMTP_FROM` (empty means unset).
    /// `smtp://user:password@host:587?tls=required` (STARTTLS),
    /// `smtps://user:password@host` (TLS from the start, port 465),
    /// `smtp://host:25` (no TLS: a local relay only).
    pub fn new(smtp_url: Option<&str>, from: Option<&str>) -> Result<Self, Error> {
        let smtp_url = smtp_url.map(str::trim).filter(|u| !u.is_empty());
        if let Some(url) = smtp_url {
            SmtpTransport::from_url(url).map_err(|e| {
                let reason = match password_of(url) {
                    // lettre does not quote the URL today; be sure anyway.
                    Some(password) if !password.is_empty() => {
                        e.to_string().replace(password, "***")
                    }
                    _ => e.to_string(),
                };
                Error::config(format!(
                    "SMTP_URL is not a valid SMTP URL ({reason}); expected \
                     smtp://user:password@host:587?tls=required or smtps://user:password@host"
                ))
            })?;
        }
        let from = match from.map(str::trim).filter(|f| !f.is_empty()) {
            None => Self::default().from,
            Some(raw) => raw.parse().map_err(|e| {
                Error::config(format!(
                    "SMTP_FROM={raw:?} is not a mailbox ({e}); expected e.g. \"MDSC <no-reply@example.org>\""
                ))
            })?,
        };
        Ok(Self {
            smtp_url: smtp_url.map(str::to_owned),
            from,
        })
    }

    /// Whether e-mails go through an SMTP server (else to the log).
    pub fn uses_smtp(&self) -> bool {
        self.smtp_url.is_some()
    }

    /// `SMTP_URL` with its user and password hidden, for the log.
    pub fn describe(&self) -> String {
        match &self.smtp_url {
            Some(url) => format!("SMTP {} from {}", redacted(url), self.from),
            None => "the log (SMTP_URL is not set)".to_owned(),
        }
    }

    /// The mailer these settings describe: build it once and keep it, so
    /// SMTP connections are pooled.
    pub fn mailer(&self) -> Result<Arc<dyn Mailer>, Error> {
        let Some(url) = &self.smtp_url else {
            return Ok(Arc::new(LogMailer));
        };
        let transport = SmtpTransport::from_url(url)
            .map_err(|_| Error::config("SMTP_URL is not a valid SMTP URL"))?
            .timeout(Some(super::mailer::SMTP_TIMEOUT))
            .build();
        Ok(Arc::new(SmtpMailer::new(transport, self.from.clone())))
    }
}

/// The URL's authority part: between `://` and the path, query or fragment.
fn authority(url: &str) -> (&str, &str, &str) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (scheme, &rest[..end], &rest[end..])
}

fn password_of(url: &str) -> Option<&str> {
    let (_, authority, _) = authority(url);
    let (userinfo, _) = authority.rsplit_once('@')?;
    userinfo.split_once(':').map(|(_, password)| password)
}

/// `smtp://user:secret@host:587?tls=required` → `smtp://***@host:587?tls=required`.
fn redacted(url: &str) -> String {
    let (scheme, authority, rest) = authority(url);
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    format!("{scheme}://{host}{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_empty_means_the_log_and_the_default_sender() {
        for url in [None, Some(""), Some("  ")] {
            let settings = EmailSettings::new(url, None).unwrap();
            assert!(!settings.uses_smtp());
            assert_eq!(settings.from.to_string(), DEFAULT_FROM);
        }
    }

    #[test]
    fn smtp_urls_are_checked_without_showing_the_password() {
        for good in [
            "smtp://user:pass@mail.example.org:587?tls=required",
            "smtps://user:pass@mail.example.org",
            "smtp://127.0.0.1:2525",
        ] {
            let settings = EmailSettings::new(Some(good), None).unwrap();
            assert!(settings.uses_smtp());
            let shown = format!("{settings:?} {}", settings.describe());
            assert!(!shown.contains("pass"), "{shown}");
        }
        for bad in [
            "http://user:s3cret-pw@mail.example.org",
            "smtp://user:s3cret-pw@mail.example.org?tls=sometimes",
            "smtp://user:s3cret-pw@:25",
            "not a url s3cret-pw",
        ] {
            let err = EmailSettings::new(Some(bad), None).unwrap_err();
            assert_eq!(err.code, "CONFIGURATION_ERROR");
            assert!(err.message.starts_with("SMTP_URL "), "{}", err.message);
            assert!(!err.message.contains("s3cret-pw"), "{}", err.message);
        }
    }

    #[test]
    fn the_sender_must_be_a_mailbox() {
        let settings = EmailSettings::new(None, Some("Plateforme <noreply@example.org>")).unwrap();
        assert_eq!(settings.from.email.to_string(), "noreply@example.org");
        let err = EmailSettings::new(None, Some("not an address")).unwrap_err();
        assert!(err.message.starts_with("SMTP_FROM="), "{}", err.message);
    }

    #[test]
    fn redaction_keeps_the_host_and_query() {
        assert_eq!(
            redacted("smtp://u:p@host:587?tls=required"),
            "smtp://***@host:587?tls=required"
        );
        assert_eq!(redacted("smtps://host"), "smtps://host");
    }
}

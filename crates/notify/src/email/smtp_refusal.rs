//! What an SMTP error means for the e-mail and for the rest of the batch.
//!
//! A server's reply says whose problem it is (RFC 5321 §4.2.1): a `5xx` is
//! a permanent refusal and a `4xx` a temporary one; most are about this
//! message (an unknown mailbox, a full one), some about the whole
//! connection (our credentials were refused, the server is closing). A
//! failure to reach or talk to the server at all is an outage.

use lettre::transport::smtp;
use mdsc_core::Error;

use crate::jobs::PERMANENT_FAILURE;

/// The server cannot be used now (down, unreachable, timing out, closing
/// the connection, refusing our credentials): this e-mail is retried and
/// the rest of the batch waits without being tried.
pub const SMTP_UNAVAILABLE: &str = "SMTP_UNAVAILABLE";

/// The server refused this message for now (`4xx`: mailbox busy, greylisted,
/// over quota for the hour): this e-mail is retried with back-off, the
/// others go on.
pub const SMTP_DEFERRED: &str = "SMTP_DEFERRED";

/// How a failed send is recorded: [`PERMANENT_FAILURE`] for a refusal of
/// this message for good (the job fails at once, with the server's answer),
/// [`SMTP_DEFERRED`] or [`SMTP_UNAVAILABLE`] otherwise.
pub fn classify(error: &smtp::Error) -> Error {
    let (kind, what) = meaning(error.status().map(u16::from));
    Error::internal(format!("{what}: {error}")).with_code(kind)
}

/// The error code and its words for a server reply code (`None`: no reply,
/// the connection itself failed).
fn meaning(reply: Option<u16>) -> (&'static str, &'static str) {
    match reply {
        // Authentication required, too weak, refused, or needing
        // encryption: wrong for every message until an operator fixes it.
        Some(530 | 534 | 535 | 538) => (SMTP_UNAVAILABLE, "the SMTP server refused our login"),
        // "Service not available, closing transmission channel".
        Some(421) => (SMTP_UNAVAILABLE, "the SMTP server is not available"),
        Some(500..=599) => (
            PERMANENT_FAILURE,
            "the SMTP server refused this e-mail for good",
        ),
        Some(400..=499) => (SMTP_DEFERRED, "the SMTP server refused this e-mail for now"),
        _ => (SMTP_UNAVAILABLE, "the SMTP server cannot be reached"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_mailbox_fails_alone_and_a_busy_one_waits_alone() {
        assert_eq!(meaning(Some(550)).0, PERMANENT_FAILURE);
        assert_eq!(meaning(Some(553)).0, PERMANENT_FAILURE);
        assert_eq!(meaning(Some(450)).0, SMTP_DEFERRED);
        assert_eq!(meaning(Some(452)).0, SMTP_DEFERRED);
    }

    #[test]
    fn a_refused_login_a_closing_server_or_no_answer_holds_the_batch() {
        for reply in [Some(535), Some(530), Some(421), None] {
            assert_eq!(meaning(reply).0, SMTP_UNAVAILABLE, "{reply:?}");
        }
    }
}

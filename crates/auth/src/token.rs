//! API tokens: HS256 JWTs carrying the user id, checked against the `Clock`.

use chrono::{Duration, NaiveDateTime};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use mdsc_core::{Clock, Error};
use serde::{Deserialize, Serialize};

pub const DEFAULT_TOKEN_TTL_HOURS: i64 = 24;
const ISSUER: &str = "mdsc";
/// Stream tokens carry their own issuer, so neither kind passes for the other.
const STREAM_ISSUER: &str = "mdsc-stream";
/// Unsubscribe tokens name their notification type in the issuer, so a
/// token works for that one type and for nothing else.
const UNSUBSCRIBE_ISSUER: &str = "mdsc-unsubscribe";
/// How long an e-mail's unsubscribe link works. Mail is read late; past
/// this, the e-mail's link to the preferences page remains.
pub const UNSUBSCRIBE_TTL: Duration = Duration::days(365);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string per RFC 7519.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
}

/// Signing and verification keys for API tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl TokenKeys {
    /// Keys from a shared secret; refuses secrets shorter than 32 bytes,
    /// which would make HS256 brute-forceable.
    pub fn from_secret(secret: &[u8], ttl: Duration) -> Result<Self, Error> {
        if secret.len() < 32 {
            return Err(Error::config("JWT_SECRET must be at least 32 bytes long"));
        }
        Ok(Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user_id: i32, clock: &dyn Clock) -> Result<String, Error> {
        self.sign(user_id, clock, self.ttl, ISSUER)
    }

    /// The user id of a valid, unexpired token.
    pub fn verify(&self, token: &str, clock: &dyn Clock) -> Result<i32, Error> {
        self.check(token, clock, ISSUER)
    }

    /// A short-lived token for event streams, which browsers open with
    /// `EventSource` and so can only authenticate in the URL. It is refused
    /// everywhere else, and an API token is refused in its place, so a URL
    /// that leaks (logs, history) carries minutes of stream access at most.
    pub fn issue_stream(
        &self,
        user_id: i32,
        clock: &dyn Clock,
        ttl: Duration,
    ) -> Result<String, Error> {
        self.sign(user_id, clock, ttl, STREAM_ISSUER)
    }

    /// The user id of a valid, unexpired stream token.
    pub fn verify_stream(&self, token: &str, clock: &dyn Clock) -> Result<i32, Error> {
        self.check(token, clock, STREAM_ISSUER)
    }

    /// The token of an e-mail's one-click unsubscribe link: it turns off
    /// `user_id`'s e-mails of the notification type `kind`, and nothing
    /// else, for [`UNSUBSCRIBE_TTL`] from `now` (the worker's time).
    pub fn issue_unsubscribe(
        &self,
        user_id: i32,
        kind: &str,
        now: NaiveDateTime,
    ) -> Result<String, Error> {
        self.sign_at(user_id, now, UNSUBSCRIBE_TTL, &unsubscribe_issuer(kind))
    }

    /// The user id of a valid, unexpired unsubscribe token for `kind`.
    pub fn verify_unsubscribe(
        &self,
        token: &str,
        kind: &str,
        clock: &dyn Clock,
    ) -> Result<i32, Error> {
        self.check(token, clock, &unsubscribe_issuer(kind))
    }

    fn sign(
        &self,
        user_id: i32,
        clock: &dyn Clock,
        ttl: Duration,
        issuer: &str,
    ) -> Result<String, Error> {
        self.sign_at(user_id, clock.now(), ttl, issuer)
    }

    fn sign_at(
        &self,
        user_id: i32,
        now: NaiveDateTime,
        ttl: Duration,
        issuer: &str,
    ) -> Result<String, Error> {
        let now = now.and_utc().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iat: now,
            exp: now + ttl.num_seconds(),
            iss: issuer.to_owned(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::internal(format!("token signing failed: {e}")))
    }

    fn check(&self, token: &str, clock: &dyn Clock, issuer: &str) -> Result<i32, Error> {
        let invalid =
            || Error::unauthenticated("Invalid or expired token").with_code("INVALID_TOKEN");
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the injected clock.
        validation.validate_exp = false;
        validation.required_spec_claims = ["exp", "sub", "iss"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        validation.set_issuer(&[issuer]);
        let data = decode::<Claims>(token, &self.decoding, &validation).map_err(|_| invalid())?;
        if data.claims.exp <= clock.now().and_utc().timestamp() {
            return Err(invalid());
        }
        data.claims.sub.parse().map_err(|_| invalid())
    }
}

fn unsubscribe_issuer(kind: &str) -> String {
    format!("{UNSUBSCRIBE_ISSUER}:{kind}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mdsc_core::ManualClock;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn issued_tokens_verify_until_they_expire() -> Result<(), Error> {
        let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
        let keys = TokenKeys::from_secret(SECRET, Duration::hours(24))?;
        let token = keys.issue(42, &clock)?;
        assert_eq!(keys.verify(&token, &clock)?, 42);
        clock.advance(Duration::hours(23));
        assert_eq!(keys.verify(&token, &clock)?, 42);
        clock.advance(Duration::hours(1));
        assert_eq!(
            keys.verify(&token, &clock).map_err(|e| e.code),
            Err("INVALID_TOKEN".into())
        );
        Ok(())
    }

    #[test]
    fn tokens_signed_with_another_secret_or_tampered_are_refused() -> Result<(), Error> {
        let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
        let keys = TokenKeys::from_secret(SECRET, Duration::hours(24))?;
        let other =
            TokenKeys::from_secret(b"another-secret-another-secret-xx", Duration::hours(24))?;
        let token = other.issue(1, &clock)?;
        assert!(keys.verify(&token, &clock).is_err());
        assert!(keys.verify("not.a.token", &clock).is_err());
        let mut tampered = keys.issue(1, &clock)?;
        tampered.pop();
        assert!(keys.verify(&tampered, &clock).is_err());
        Ok(())
    }

    #[test]
    fn stream_and_api_tokens_are_not_interchangeable() -> Result<(), Error> {
        let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
        let keys = TokenKeys::from_secret(SECRET, Duration::hours(24))?;
        let stream = keys.issue_stream(7, &clock, Duration::minutes(5))?;
        let api = keys.issue(7, &clock)?;
        assert_eq!(keys.verify_stream(&stream, &clock)?, 7);
        assert!(keys.verify(&stream, &clock).is_err());
        assert!(keys.verify_stream(&api, &clock).is_err());
        clock.advance(Duration::minutes(5));
        assert!(keys.verify_stream(&stream, &clock).is_err());
        Ok(())
    }

    #[test]
    fn unsubscribe_tokens_work_for_their_type_only_and_for_a_year() -> Result<(), Error> {
        let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
        let keys = TokenKeys::from_secret(SECRET, Duration::hours(24))?;
        let token = keys.issue_unsubscribe(7, "forum_reply", clock.now())?;
        assert_eq!(keys.verify_unsubscribe(&token, "forum_reply", &clock)?, 7);
        // Not for another type, not as an API or stream token, and neither
        // of those in its place.
        assert!(
            keys.verify_unsubscribe(&token, "live_reminder", &clock)
                .is_err()
        );
        assert!(keys.verify(&token, &clock).is_err());
        assert!(keys.verify_stream(&token, &clock).is_err());
        let api = keys.issue(7, &clock)?;
        let stream = keys.issue_stream(7, &clock, Duration::minutes(5))?;
        for other in [api, stream] {
            assert!(
                keys.verify_unsubscribe(&other, "forum_reply", &clock)
                    .is_err()
            );
        }
        clock.advance(UNSUBSCRIBE_TTL - Duration::seconds(1));
        assert_eq!(keys.verify_unsubscribe(&token, "forum_reply", &clock)?, 7);
        clock.advance(Duration::seconds(1));
        assert!(
            keys.verify_unsubscribe(&token, "forum_reply", &clock)
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenKeys::from_secret(b"short", Duration::hours(1)).is_err());
    }
}

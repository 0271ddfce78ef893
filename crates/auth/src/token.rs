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
    /// The account's token version at issue: a bump ends every token
    /// issued before (tokens from before versions existed read as 0).
    #[serde(default)]
    pub ver: i32,
    /// The token's own id, for a logout to end it alone; a stream token
    /// carries the id of the API token it was taken with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// What a verified token says; whether it still counts is decided against
/// the account (`service::current_principal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaim {
    pub user_id: i32,
    /// The account's token version when the token was issued.
    pub version: i32,
    /// The id a logout revokes (API and stream tokens).
    pub token_id: Option<String>,
    /// When the token expires, in Unix seconds.
    pub expires_at: i64,
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

    /// An API token for `user_id`, whose token version is `version`, with
    /// a random id of its own.
    pub fn issue(&self, user_id: i32, version: i32, clock: &dyn Clock) -> Result<String, Error> {
        let token_id = mdsc_core::random::random_hex(16)?;
        self.sign_at(
            user_id,
            version,
            Some(token_id),
            clock.now(),
            self.ttl,
            ISSUER,
        )
    }

    /// What a valid, unexpired API token says.
    pub fn verify(&self, token: &str, clock: &dyn Clock) -> Result<TokenClaim, Error> {
        self.check(token, clock, ISSUER)
    }

    /// A short-lived token for event streams, which browsers open with
    /// `EventSource` and so can only authenticate in the URL. It is refused
    /// everywhere else, and an API token is refused in its place, so a URL
    /// that leaks (logs, history) carries minutes of stream access at most.
    /// It carries the version and id of the API token it is taken with:
    /// ending that token (logout) ends its stream tokens too.
    pub fn issue_stream(
        &self,
        parent: &TokenClaim,
        clock: &dyn Clock,
        ttl: Duration,
    ) -> Result<String, Error> {
        self.sign_at(
            parent.user_id,
            parent.version,
            parent.token_id.clone(),
            clock.now(),
            ttl,
            STREAM_ISSUER,
        )
    }

    /// What a valid, unexpired stream token says.
    pub fn verify_stream(&self, token: &str, clock: &dyn Clock) -> Result<TokenClaim, Error> {
        self.check(token, clock, STREAM_ISSUER)
    }

    /// The token of an e-mail's one-click unsubscribe link: it turns off
    /// `user_id`'s e-mails of the notification type `kind`, and nothing
    /// else, for [`UNSUBSCRIBE_TTL`] from `now` (the worker's time), until
    /// the account's token version (`version` now) changes.
    pub fn issue_unsubscribe(
        &self,
        user_id: i32,
        version: i32,
        kind: &str,
        now: NaiveDateTime,
    ) -> Result<String, Error> {
        self.sign_at(
            user_id,
            version,
            None,
            now,
            UNSUBSCRIBE_TTL,
            &unsubscribe_issuer(kind),
        )
    }

    /// What a valid, unexpired unsubscribe token for `kind` says.
    pub fn verify_unsubscribe(
        &self,
        token: &str,
        kind: &str,
        clock: &dyn Clock,
    ) -> Result<TokenClaim, Error> {
        self.check(token, clock, &unsubscribe_issuer(kind))
    }

    fn sign_at(
        &self,
        user_id: i32,
        version: i32,
        token_id: Option<String>,
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
            ver: version,
            jti: token_id,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| Error::internal(format!("token signing failed: {e}")))
    }

    fn check(&self, token: &str, clock: &dyn Clock, issuer: &str) -> Result<TokenClaim, Error> {
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
        Ok(TokenClaim {
            user_id: data.claims.sub.parse().map_err(|_| invalid())?,
            version: data.claims.ver,
            token_id: data.claims.jti,
            expires_at: data.claims.exp,
        })
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
        let token = keys.issue(42, 3, &clock)?;
        let claim = keys.verify(&token, &clock)?;
        assert_eq!((claim.user_id, claim.version), (42, 3));
        assert_eq!(claim.token_id.as_deref().map(str::len), Some(32));
        clock.advance(Duration::hours(23));
        assert_eq!(keys.verify(&token, &clock)?.user_id, 42);
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
        let token = other.issue(1, 0, &clock)?;
        assert!(keys.verify(&token, &clock).is_err());
        assert!(keys.verify("not.a.token", &clock).is_err());
        let mut tampered = keys.issue(1, 0, &clock)?;
        tampered.pop();
        assert!(keys.verify(&tampered, &clock).is_err());
        Ok(())
    }

    #[test]
    fn stream_and_api_tokens_are_not_interchangeable() -> Result<(), Error> {
        let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
        let keys = TokenKeys::from_secret(SECRET, Duration::hours(24))?;
        let api = keys.issue(7, 2, &clock)?;
        let parent = keys.verify(&api, &clock)?;
        let stream = keys.issue_stream(&parent, &clock, Duration::minutes(5))?;
        let claim = keys.verify_stream(&stream, &clock)?;
        // The stream token ends with its API token (same id and version).
        assert_eq!((claim.user_id, claim.version), (7, 2));
        assert_eq!(claim.token_id, parent.token_id);
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
        let token = keys.issue_unsubscribe(7, 1, "forum_reply", clock.now())?;
        let claim = keys.verify_unsubscribe(&token, "forum_reply", &clock)?;
        assert_eq!((claim.user_id, claim.version), (7, 1));
        // Not for another type, not as an API or stream token, and neither
        // of those in its place.
        assert!(
            keys.verify_unsubscribe(&token, "live_reminder", &clock)
                .is_err()
        );
        assert!(keys.verify(&token, &clock).is_err());
        assert!(keys.verify_stream(&token, &clock).is_err());
        let api = keys.issue(7, 1, &clock)?;
        let stream =
            keys.issue_stream(&keys.verify(&api, &clock)?, &clock, Duration::minutes(5))?;
        for other in [api, stream] {
            assert!(
                keys.verify_unsubscribe(&other, "forum_reply", &clock)
                    .is_err()
            );
        }
        clock.advance(UNSUBSCRIBE_TTL - Duration::seconds(1));
        assert_eq!(
            keys.verify_unsubscribe(&token, "forum_reply", &clock)?
                .user_id,
            7
        );
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

//! Stream tokens: what a browser's `EventSource`, which cannot send an
//! `Authorization` header, puts in the URL of an event stream.

use chrono::{DateTime, Duration, Utc};
use mdsc_core::throttle::{self, Limit, user_subject};
use mdsc_core::time::utc;
use mdsc_core::{Clock, DbConnection, Error};
use serde::Serialize;

use crate::limits::{STREAM_TOKEN_USER, TOO_MANY_STREAM_TOKENS};
use crate::model::Principal;
use crate::service::current_principal;
use crate::token::{TokenClaim, TokenKeys};

/// Shortest and longest lifetimes an operator may configure.
pub const STREAM_TOKEN_TTL_RANGE: std::ops::RangeInclusive<i64> = 10..=3600;
pub const DEFAULT_STREAM_TOKEN_TTL_SECONDS: i64 = 300;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StreamToken {
    /// Pass it as `?token=` to the `…/stream` routes.
    pub token: String,
    /// After this instant (UTC) the token opens no new stream; streams
    /// already open stay open.
    pub expires_at: DateTime<Utc>,
    pub expires_in_seconds: i64,
}

/// A stream token for the signed-in actor, tied to the API token it is
/// taken with (`parent`: ending that token ends this one); at most
/// `per_user` of them in its window (`429 RATE_LIMITED`), as each one can
/// open a stream.
pub fn issue_stream_token(
    conn: &mut DbConnection,
    actor: &Principal,
    parent: &TokenClaim,
    keys: &TokenKeys,
    clock: &dyn Clock,
    ttl: Duration,
    per_user: Limit,
) -> Result<StreamToken, Error> {
    throttle::hit(
        conn,
        clock,
        STREAM_TOKEN_USER,
        &user_subject(actor.user_id),
        per_user,
        TOO_MANY_STREAM_TOKENS,
    )?;
    let token = keys.issue_stream(parent, clock, ttl)?;
    Ok(StreamToken {
        token,
        expires_at: utc(clock.now() + ttl),
        expires_in_seconds: ttl.num_seconds(),
    })
}

/// The actor behind a stream token, with the role the user has now, and
/// what the token says (an open stream checks it again when the account's
/// access changes).
pub fn authenticate_stream(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    clock: &dyn Clock,
    token: &str,
) -> Result<(Principal, TokenClaim), Error> {
    let claim = keys.verify_stream(token, clock)?;
    let actor = current_principal(conn, &claim)?;
    Ok((actor, claim))
}

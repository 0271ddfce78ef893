//! E-mail verification, required per deployment (`REQUIRE_EMAIL_VERIFICATION`,
//! off by default). A new account is e-mailed a single-use link, valid two
//! days; until it is used the account reads everything it may read but
//! posts nothing (`403 EMAIL_NOT_VERIFIED`). Tokens are random (256 bits
//! from the OS), stored as digests, and tried under the per-address bound
//! of logins; links are sent at most three an hour per account.

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::schema::{email_verifications, users};
use mdsc_core::throttle::{self, Limit, address_subject, hashed_subject, user_subject};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::limits::{AuthLimits, TOO_MANY_ATTEMPTS};
use crate::model::{Principal, User, UserRow};
use crate::service::find_user;

/// How long a verification link works.
pub const VERIFICATION_TTL: Duration = Duration::hours(48);
/// Links one account is sent per hour (`429 TOO_MANY_ATTEMPTS` past it).
pub const LINKS_PER_ACCOUNT: Limit = Limit::new(3, 3600);
/// The code of a token that is unknown, used or expired.
pub const INVALID_VERIFICATION_TOKEN: &str = "INVALID_VERIFICATION_TOKEN";
/// The code of a post refused to an account whose address is not verified.
pub const EMAIL_NOT_VERIFIED: &str = "EMAIL_NOT_VERIFIED";

const LINK_ACCOUNT: &str = "email_verification_account";
const TRY_ADDRESS: &str = "email_verification_address";

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct VerifyEmailInput {
    /// The token of the e-mailed link.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
}

/// A link to e-mail: to whom, its token, until when it works.
#[derive(Debug, Clone)]
pub struct VerificationLink {
    pub user_id: i32,
    pub token: String,
    pub expires_at: NaiveDateTime,
}

fn digest(token: &str) -> String {
    hashed_subject("email_verification", token)
}

/// A new link for the account, unless its address is verified already
/// (`None`). At most [`LINKS_PER_ACCOUNT`] an hour. The caller e-mails it
/// in the same transaction.
pub fn issue_link(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    user_id: i32,
) -> Result<Option<VerificationLink>, Error> {
    let Some(user) = find_user(conn, user_id)? else {
        return Err(Error::unauthenticated("This account no longer exists"));
    };
    if user.email_verified_at.is_some() {
        return Ok(None);
    }
    throttle::hit(
        conn,
        clock,
        LINK_ACCOUNT,
        &user_subject(user_id),
        LINKS_PER_ACCOUNT,
        TOO_MANY_ATTEMPTS,
    )?;
    let token = mdsc_core::random::random_hex(32)?;
    let now = clock.now();
    let expires_at = now + VERIFICATION_TTL;
    diesel::insert_into(email_verifications::table)
        .values((
            email_verifications::user_id.eq(user_id),
            email_verifications::token_digest.eq(digest(&token)),
            email_verifications::expires_at.eq(expires_at),
            email_verifications::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Some(VerificationLink {
        user_id,
        token,
        expires_at,
    }))
}

fn invalid_token() -> Error {
    Error::invalid_field(
        "token",
        "this link is invalid, was already used or has expired: ask for a new one",
    )
    .with_code(INVALID_VERIFICATION_TOKEN)
}

/// Verifies the address of the link's account, once: the link and the
/// account's other links are used up. Tries count per client address
/// like logins (`429 TOO_MANY_ATTEMPTS`).
pub fn verify_email(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    limits: &AuthLimits,
    client: Option<IpAddr>,
    input: VerifyEmailInput,
) -> Result<User, Error> {
    input.validate()?;
    throttle::hit(
        conn,
        clock,
        TRY_ADDRESS,
        &address_subject(client),
        limits.login_failures_per_address,
        TOO_MANY_ATTEMPTS,
    )?;
    let now = clock.now();
    let token_digest = digest(input.token.trim());
    write_transaction(conn, |conn| {
        let claimed: Option<i32> = diesel::update(
            email_verifications::table
                .filter(email_verifications::token_digest.eq(&token_digest))
                .filter(email_verifications::used_at.is_null())
                .filter(email_verifications::expires_at.gt(now)),
        )
        .set(email_verifications::used_at.eq(now))
        .returning(email_verifications::user_id)
        .get_result(conn)
        .optional()?;
        let user_id = claimed.ok_or_else(invalid_token)?;
        diesel::update(
            email_verifications::table
                .filter(email_verifications::user_id.eq(user_id))
                .filter(email_verifications::used_at.is_null()),
        )
        .set(email_verifications::used_at.eq(now))
        .execute(conn)?;
        Ok(mark_verified(conn, user_id, now)?.into())
    })
}

/// Records the address as verified (a link used, or an account made by an
/// operator); a verified address keeps its first date.
pub fn mark_verified(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<UserRow, Error> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(now))
    .execute(conn)?;
    find_user(conn, user_id)?.ok_or_else(|| Error::not_found("User"))
}

/// Refuses a post (`403 EMAIL_NOT_VERIFIED`) from an account whose address
/// is not verified, where the deployment requires it.
pub fn ensure_may_post(
    conn: &mut DbConnection,
    actor: &Principal,
    required: bool,
) -> Result<(), Error> {
    if !required {
        return Ok(());
    }
    let verified: Option<Option<NaiveDateTime>> = users::table
        .find(actor.user_id)
        .select(users::email_verified_at)
        .first(conn)
        .optional()?;
    match verified {
        Some(Some(_)) => Ok(()),
        _ => Err(Error::forbidden(
            "Verify your e-mail address first: open the link we sent you, or ask for a new one",
        )
        .with_code(EMAIL_NOT_VERIFIED)),
    }
}

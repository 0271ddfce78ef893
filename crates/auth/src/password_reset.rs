//! "Forgot your password?": a single-use link, valid one hour, e-mailed to
//! the account's address. The token is random (OS randomness, 256 bits)
//! and only its digest is stored; asking never says whether the address
//! has an account. Requests and tries are throttled per client address
//! like logins, and links per account.

use std::net::IpAddr;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use mdsc_core::checkout::checkout;
use mdsc_core::schema::password_resets;
use mdsc_core::throttle::{self, Limit, address_subject, hashed_subject};
use mdsc_core::{Clock, DbConnection, DbPool, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::account::set_password;
use crate::limits::{
    AuthLimits, LOGIN_ACCOUNT, PASSWORD_RESET_ACCOUNT, PASSWORD_RESET_ADDRESS, TOO_MANY_ATTEMPTS,
};
use crate::model::{AccountStatus, AuthResponse};
use crate::password::hash_password;
use crate::service::{find_user_by_email, normalize_email};
use crate::sign_in::SignIn;

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::hours(1);

/// Links one account is sent per hour; more requests are answered the same
/// (`202`) and send nothing, so nobody can flood a mailbox.
pub const RESETS_PER_ACCOUNT: Limit = Limit::new(3, 3600);

/// The code of a reset token that is unknown, used or expired.
pub const INVALID_RESET_TOKEN: &str = "INVALID_RESET_TOKEN";

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ForgotPasswordInput {
    /// Any text: an address without an account is answered the same.
    pub email: String,
}

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ResetPasswordInput {
    /// The token of the e-mailed link.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    /// At least 8 characters.
    #[validate(length(min = 8, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    pub new_password: String,
}

/// A link to e-mail: to whom, its token, until when it works.
#[derive(Debug, Clone)]
pub struct ResetLink {
    pub user_id: i32,
    pub token: String,
    pub expires_at: NaiveDateTime,
}

fn digest(token: &str) -> String {
    hashed_subject("password_reset", token)
}

/// A reset link for the account with this e-mail, if there is an active
/// one and it has not had [`RESETS_PER_ACCOUNT`] this hour; `None`
/// otherwise. The caller answers the same either way and e-mails the link
/// in the same transaction. Per client address, requests count against
/// `login_failures_per_address` (`429 TOO_MANY_ATTEMPTS`).
pub fn request_reset(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    limits: &AuthLimits,
    client: Option<IpAddr>,
    input: &ForgotPasswordInput,
) -> Result<Option<ResetLink>, Error> {
    throttle::hit(
        conn,
        clock,
        PASSWORD_RESET_ADDRESS,
        &address_subject(client),
        limits.login_failures_per_address,
        TOO_MANY_ATTEMPTS,
    )?;
    let email = normalize_email(&input.email);
    if email.contains('\0') || email.len() > 255 {
        return Ok(None);
    }
    let Some(user) = find_user_by_email(conn, &email)? else {
        return Ok(None);
    };
    if AccountStatus::from_db(&user.status) == AccountStatus::Disabled {
        return Ok(None);
    }
    let per_account = throttle::hit(
        conn,
        clock,
        PASSWORD_RESET_ACCOUNT,
        &hashed_subject("email", &email),
        RESETS_PER_ACCOUNT,
        TOO_MANY_ATTEMPTS,
    );
    match per_account {
        Ok(()) => {}
        // Said to nobody: the answer must not tell that the account exists.
        Err(e) if e.code == TOO_MANY_ATTEMPTS.code => return Ok(None),
        Err(e) => return Err(e),
    }
    let token = mdsc_core::random::random_hex(32)?;
    let now = clock.now();
    let expires_at = now + RESET_TTL;
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user.id),
            password_resets::token_digest.eq(digest(&token)),
            password_resets::expires_at.eq(expires_at),
            password_resets::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(Some(ResetLink {
        user_id: user.id,
        token,
        expires_at,
    }))
}

fn invalid_token() -> Error {
    Error::invalid_field(
        "token",
        "this link is invalid, was already used or has expired: ask for a new one",
    )
    .with_code(INVALID_RESET_TOKEN)
}

/// Sets a new password with a reset token, once: the link is used up,
/// every other link of the account dies, every token issued before ends,
/// the account's failed-login count is cleared, and this device is signed
/// in. Tries count per client address like logins.
pub fn reset_password(
    pool: &DbPool,
    ctx: SignIn<'_>,
    client: Option<IpAddr>,
    input: ResetPasswordInput,
) -> Result<AuthResponse, Error> {
    input.validate()?;
    let address = address_subject(client);
    let token_digest = digest(input.token.trim());
    let now = ctx.clock.now();
    let reset_id = {
        let mut conn = checkout(pool)?;
        throttle::hit(
            &mut conn,
            ctx.clock,
            PASSWORD_RESET_ADDRESS,
            &address,
            ctx.limits.login_failures_per_address,
            TOO_MANY_ATTEMPTS,
        )?;
        usable(&mut conn, &token_digest, now)?.ok_or_else(invalid_token)?
    };
    let password = input.new_password;
    let hash = ctx.gate.run(move || hash_password(&password))??;
    let mut conn = checkout(pool)?;
    let row = write_transaction(&mut conn, |conn| {
        // Used up here, once: a concurrent use of the same link finds it gone.
        let (id, user_id) = reset_id;
        let claimed = diesel::update(
            password_resets::table
                .filter(password_resets::id.eq(id))
                .filter(password_resets::used_at.is_null())
                .filter(password_resets::expires_at.gt(now)),
        )
        .set(password_resets::used_at.eq(now))
        .execute(conn)?;
        if claimed == 0 {
            return Err(invalid_token());
        }
        diesel::update(
            password_resets::table
                .filter(password_resets::user_id.eq(user_id))
                .filter(password_resets::used_at.is_null()),
        )
        .set(password_resets::used_at.eq(now))
        .execute(conn)?;
        let row = set_password(conn, user_id, &hash, now)?;
        throttle::reset(conn, LOGIN_ACCOUNT, &hashed_subject("email", &row.email))?;
        Ok(row)
    })?;
    let token = ctx.keys.issue(row.id, row.token_version, ctx.clock)?;
    Ok(AuthResponse {
        token,
        user: row.into(),
    })
}

/// `(reset id, user id)` of an unused, unexpired link with this digest.
fn usable(
    conn: &mut DbConnection,
    token_digest: &str,
    now: NaiveDateTime,
) -> Result<Option<(i32, i32)>, Error> {
    Ok(password_resets::table
        .filter(password_resets::token_digest.eq(token_digest))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select((password_resets::id, password_resets::user_id))
        .first(conn)
        .optional()?)
}

/// Forgets links that expired more than a day ago (the worker's sweep).
pub fn purge_expired_resets(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, Error> {
    Ok(diesel::delete(
        password_resets::table.filter(password_resets::expires_at.le(now - Duration::days(1))),
    )
    .execute(conn)?)
}

//! The signed-in user's own account: ending the current token (logout),
//! changing the password (which ends every other token), and the profile.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::checkout::checkout;
use mdsc_core::schema::{revoked_tokens, users};
use mdsc_core::text::{validate_not_blank, validate_single_line};
use mdsc_core::throttle::{self, user_subject};
use mdsc_core::{DbConnection, DbPool, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::limits::{PASSWORD_CHANGE_USER, TOO_MANY_ATTEMPTS};
use crate::model::{AuthResponse, Principal, User, UserRow};
use crate::password::{hash_password, verify_password};
use crate::service::find_user;
use crate::sign_in::SignIn;
use crate::token::TokenClaim;

/// Ends the token the request came with (and the stream tokens taken with
/// it); the account's other tokens keep working. A token from before
/// tokens had ids cannot be ended alone: every token of the account ends.
pub fn logout(conn: &mut DbConnection, claim: &TokenClaim) -> Result<(), Error> {
    let Some(token_id) = &claim.token_id else {
        return end_every_token(conn, claim.user_id);
    };
    let expires_at = chrono::DateTime::from_timestamp(claim.expires_at, 0)
        .map(|at| at.naive_utc())
        .unwrap_or(NaiveDateTime::MAX);
    let inserted = diesel::insert_into(revoked_tokens::table)
        .values((
            revoked_tokens::token_id.eq(token_id),
            revoked_tokens::user_id.eq(claim.user_id),
            revoked_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn);
    match inserted.map_err(Error::from) {
        // Ended already (a second logout with the same token).
        Err(e) if e.code == "ALREADY_EXISTS" => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Ends every token of the account issued before now (API, stream and
/// unsubscribe tokens): they carry the old token version.
pub fn end_every_token(conn: &mut DbConnection, user_id: i32) -> Result<(), Error> {
    diesel::update(users::table.find(user_id))
        .set(users::token_version.eq(users::token_version + 1))
        .execute(conn)?;
    Ok(())
}

/// Forgets revocations whose token has expired anyway (the worker's sweep).
pub fn purge_expired_revocations(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    Ok(
        diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.le(now)))
            .execute(conn)?,
    )
}

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ChangePasswordInput {
    #[schema(max_length = 1024)]
    #[validate(length(max = 1024))]
    pub current_password: String,
    /// At least 8 characters.
    #[validate(length(min = 8, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    pub new_password: String,
}

/// Changes the actor's password after checking the current one, ends every
/// token issued before, and signs this device in again (a new token).
/// Wrong current passwords count like failed logins: after
/// `login_failures_per_account` in the window, `429 TOO_MANY_ATTEMPTS`
/// (a stolen token cannot be used to guess the password).
pub fn change_password(
    pool: &DbPool,
    ctx: SignIn<'_>,
    actor: &Principal,
    input: ChangePasswordInput,
) -> Result<AuthResponse, Error> {
    input.validate()?;
    let subject = user_subject(actor.user_id);
    let limit = ctx.limits.login_failures_per_account;
    let stored = {
        let mut conn = checkout(pool)?;
        throttle::hit(
            &mut conn,
            ctx.clock,
            PASSWORD_CHANGE_USER,
            &subject,
            limit,
            TOO_MANY_ATTEMPTS,
        )?;
        find_user(&mut conn, actor.user_id)?
            .ok_or_else(|| Error::unauthenticated("This account no longer exists"))?
    };
    // No connection is held while the hashes run.
    let (current, new, hash) = (
        input.current_password,
        input.new_password,
        stored.password_hash.clone(),
    );
    let new_hash = ctx.gate.run(move || {
        if !verify_password(&current, &hash) {
            return Ok(None);
        }
        hash_password(&new).map(Some)
    })??;
    let mut conn = checkout(pool)?;
    let Some(new_hash) = new_hash else {
        return Err(Error::invalid_field(
            "current_password",
            "is not this account's password",
        ));
    };
    let row = write_transaction(&mut conn, |conn| {
        throttle::reset(conn, PASSWORD_CHANGE_USER, &subject)?;
        set_password(conn, actor.user_id, &new_hash, ctx.clock.now())
    })?;
    let token = ctx.keys.issue(row.id, row.token_version, ctx.clock)?;
    Ok(AuthResponse {
        token,
        user: row.into(),
    })
}

/// Stores a new password hash and ends every token issued before.
pub(crate) fn set_password(
    conn: &mut DbConnection,
    user_id: i32,
    password_hash: &str,
    now: NaiveDateTime,
) -> Result<UserRow, Error> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(now),
        ))
        .get_result::<UserRow>(conn)
        .optional()?
        .ok_or_else(|| Error::unauthenticated("This account no longer exists"))
}

/// `PUT /api/auth/me`: what is given changes, what is absent stays; `null`
/// clears the avatar or the time zone.
#[derive(Debug, Clone, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct UpdateProfileInput {
    #[validate(length(min = 1, max = 100), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    /// An `https://` (or `http://`) image URL; `null` removes it.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub avatar: Option<Option<String>>,
    /// An IANA time zone (`Europe/Paris`): the default of new study
    /// schedules; `null` returns to the platform's default.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(value_type = Option<String>, max_length = 64, example = "Europe/Paris")]
    pub time_zone: Option<Option<String>>,
}

/// Updates the actor's own profile (names, avatar, time zone).
pub fn update_profile(
    conn: &mut DbConnection,
    actor: &Principal,
    now: NaiveDateTime,
    input: UpdateProfileInput,
) -> Result<User, Error> {
    input.validate()?;
    if let Some(Some(url)) = &input.avatar {
        check_avatar_url(url)?;
    }
    if let Some(Some(zone)) = &input.time_zone
        && zone.parse::<chrono_tz::Tz>().is_err()
    {
        return Err(Error::invalid_field(
            "time_zone",
            "is not an IANA time zone (e.g. Europe/Paris)",
        ));
    }
    write_transaction(conn, |conn| {
        let mut row = find_user(conn, actor.user_id)?
            .ok_or_else(|| Error::unauthenticated("This account no longer exists"))?;
        if let Some(first_name) = &input.first_name {
            row.first_name = first_name.trim().to_owned();
        }
        if let Some(last_name) = &input.last_name {
            row.last_name = last_name.trim().to_owned();
        }
        if let Some(avatar) = &input.avatar {
            row.avatar = avatar.as_ref().map(|url| url.trim().to_owned());
        }
        if let Some(zone) = &input.time_zone {
            row.time_zone = zone.clone();
        }
        let row = diesel::update(users::table.find(actor.user_id))
            .set((
                users::first_name.eq(&row.first_name),
                users::last_name.eq(&row.last_name),
                users::search_name.eq(crate::model::search_name(&row.first_name, &row.last_name)),
                users::avatar.eq(&row.avatar),
                users::time_zone.eq(&row.time_zone),
                users::updated_at.eq(now),
            ))
            .get_result::<UserRow>(conn)?;
        Ok(row.into())
    })
}

fn check_avatar_url(url: &str) -> Result<(), Error> {
    let url = url.trim();
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    let plain = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if url.len() > 2048 || !scheme_ok || !plain || url.len() <= "https://".len() {
        return Err(Error::invalid_field(
            "avatar",
            "must be an http(s) URL of at most 2048 characters",
        ));
    }
    Ok(())
}

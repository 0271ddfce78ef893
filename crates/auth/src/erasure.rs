//! Erasing one's own account (GDPR, right to erasure): the account's part.
//! The row stays, so that forum posts, chat messages and certificates keep
//! an author, but nothing in it names a person any more: the e-mail (free
//! to register again), the names, the avatar, the password and the time
//! zone are replaced, every token ends, and the account cannot sign in.
//! The other domains erase their own data in the same transaction (the
//! gateway's `personal_data` module calls each).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::checkout::checkout;
use mdsc_core::lock_row;
use mdsc_core::schema::{password_resets, revoked_tokens, users};
use mdsc_core::throttle::{self, user_subject};
use mdsc_core::{DbConnection, DbPool, Error};
use serde::Deserialize;
use validator::Validate;

use crate::admin_users::{lock_active_admins, other_active_admins};
use crate::limits::{PASSWORD_CHANGE_USER, TOO_MANY_ATTEMPTS};
use crate::model::{AccountStatus, Principal, Role, UserRow};
use crate::password::verify_password;
use crate::service::find_user;
use crate::sign_in::SignIn;

/// What an erased account's names read, wherever its posts are shown.
pub const ERASED_FIRST_NAME: &str = "Deleted";
pub const ERASED_LAST_NAME: &str = "user";

/// Not an argon2 hash: no password ever verifies against it.
const NO_PASSWORD: &str = "!erased";

/// `DELETE /api/auth/me`: the account's password, as a last confirmation.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct EraseAccountInput {
    #[schema(max_length = 1024)]
    #[validate(length(min = 1, max = 1024))]
    pub password: String,
}

/// Checks that `password` is the actor's. Wrong passwords count like
/// failed logins (`429 TOO_MANY_ATTEMPTS` past the bound), so a stolen
/// token cannot be used to guess it; the hash runs without holding a
/// database connection.
pub fn confirm_password(
    pool: &DbPool,
    ctx: SignIn<'_>,
    actor: &Principal,
    input: EraseAccountInput,
) -> Result<(), Error> {
    input.validate()?;
    let subject = user_subject(actor.user_id);
    let stored = {
        let mut conn = checkout(pool)?;
        throttle::hit(
            &mut conn,
            ctx.clock,
            PASSWORD_CHANGE_USER,
            &subject,
            ctx.limits.login_failures_per_account,
            TOO_MANY_ATTEMPTS,
        )?;
        find_user(&mut conn, actor.user_id)?
            .ok_or_else(|| Error::unauthenticated("This account no longer exists"))?
    };
    let (password, hash) = (input.password, stored.password_hash);
    if !ctx.gate.run(move || verify_password(&password, &hash))? {
        return Err(Error::invalid_field(
            "password",
            "is not this account's password",
        ));
    }
    let mut conn = checkout(pool)?;
    throttle::reset(&mut conn, PASSWORD_CHANGE_USER, &subject)
}

/// Replaces the account's personal data and ends every token (open
/// streams close). Run inside the erasure's transaction. The last active
/// administrator cannot erase their account (`409 LAST_ADMIN`): nobody
/// would be left to run the platform.
pub fn anonymize_account(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<UserRow, Error> {
    lock_active_admins(conn)?;
    lock_row!(conn, users, user_id)?;
    let row = find_user(conn, user_id)?
        .ok_or_else(|| Error::unauthenticated("This account no longer exists"))?;
    if Role::from_db(&row.role) == Role::Admin && other_active_admins(conn, user_id)? == 0 {
        return Err(Error::conflict(
            "LAST_ADMIN",
            "The last active administrator cannot erase their account",
        ));
    }
    diesel::delete(password_resets::table.filter(password_resets::user_id.eq(user_id)))
        .execute(conn)?;
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::user_id.eq(user_id)))
        .execute(conn)?;
    Ok(diesel::update(users::table.find(user_id))
        .set((
            // Unique and not an address anyone can own (`.invalid`, RFC 2606).
            users::email.eq(format!("erased-{user_id}@erased.invalid")),
            users::password_hash.eq(NO_PASSWORD),
            users::first_name.eq(ERASED_FIRST_NAME),
            users::last_name.eq(ERASED_LAST_NAME),
            users::search_name.eq(crate::model::search_name(
                ERASED_FIRST_NAME,
                ERASED_LAST_NAME,
            )),
            users::avatar.eq(None::<String>),
            users::time_zone.eq(None::<String>),
            users::status.eq(AccountStatus::Disabled.as_str()),
            users::token_version.eq(users::token_version + 1),
            users::deleted_at.eq(now),
            users::updated_at.eq(now),
        ))
        .get_result::<UserRow>(conn)?)
}

/// An erased account stays erased: its status and role no longer change.
pub(crate) fn refuse_if_erased(row: &UserRow) -> Result<(), Error> {
    match row.deleted_at {
        Some(_) => Err(Error::conflict(
            "ACCOUNT_ERASED",
            "This account was erased at its owner's request",
        )),
        None => Ok(()),
    }
}

//! Accounts: the current user, role changes, the accounts the commands
//! create. Signing in and up over the API is `sign_in`.

use diesel::prelude::*;
use mdsc_core::schema::{revoked_tokens, users};
use mdsc_core::text::{validate_not_blank, validate_single_line};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::model::{AccountStatus, Principal, Role, User, UserRow};
use crate::password::hash_password;
use crate::token::{TokenClaim, TokenKeys};

pub const MIN_PASSWORD_LENGTH: u64 = 8;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct RegisterInput {
    #[validate(email, length(max = 255))]
    #[schema(max_length = 255, format = Email)]
    pub email: String,
    /// At least 8 characters.
    #[validate(length(min = 8, max = 1024))]
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    #[validate(length(min = 1, max = 100), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub first_name: String,
    #[validate(length(min = 1, max = 100), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub last_name: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SetRoleInput {
    pub role: Role,
}

/// E-mails compare case-insensitively: they are stored trimmed and lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) fn invalid_credentials() -> Error {
    Error::unauthenticated("Invalid e-mail or password").with_code("INVALID_CREDENTIALS")
}

/// Hashes on the calling thread: for the commands and tests, which
/// `sign_in::register` (the API route) is not.
fn insert_user(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    input: &RegisterInput,
    role: Role,
) -> Result<UserRow, Error> {
    insert_user_with_hash(conn, clock, input, role, &hash_password(&input.password)?)
}

pub(crate) fn insert_user_with_hash(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    input: &RegisterInput,
    role: Role,
    password_hash: &str,
) -> Result<UserRow, Error> {
    let now = clock.now();
    let inserted = diesel::insert_into(users::table)
        .values((
            users::email.eq(&input.email),
            users::password_hash.eq(password_hash),
            users::first_name.eq(input.first_name.trim()),
            users::last_name.eq(input.last_name.trim()),
            users::search_name.eq(crate::model::search_name(
                &input.first_name,
                &input.last_name,
            )),
            users::role.eq(role.as_str()),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .get_result::<UserRow>(conn);
    inserted.map_err(|e| match Error::from(e) {
        err if err.code == "ALREADY_EXISTS" => {
            Error::conflict("EMAIL_TAKEN", "An account with this e-mail already exists")
        }
        err => err,
    })
}

pub fn find_user(conn: &mut DbConnection, user_id: i32) -> Result<Option<UserRow>, Error> {
    Ok(users::table
        .find(user_id)
        .select(UserRow::as_select())
        .first::<UserRow>(conn)
        .optional()?)
}

pub fn find_user_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<UserRow>, Error> {
    Ok(users::table
        .filter(users::email.eq(normalize_email(email)))
        .select(UserRow::as_select())
        .first::<UserRow>(conn)
        .optional()?)
}

/// The caller's own account.
pub fn me(conn: &mut DbConnection, actor: &Principal) -> Result<User, Error> {
    find_user(conn, actor.user_id)?
        .map(User::from)
        .ok_or_else(|| Error::unauthenticated("This account no longer exists"))
}

/// The actor behind a verified token, with the role the user has now (a
/// role change or a deleted account takes effect at once, not at expiry).
pub fn authenticate(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    clock: &dyn Clock,
    token: &str,
) -> Result<Principal, Error> {
    let claim = keys.verify(token, clock)?;
    current_principal(conn, &claim)
}

/// The code of a token refused because its account is disabled.
pub const ACCOUNT_DISABLED: &str = "ACCOUNT_DISABLED";

/// The user as they are now (role included), if the token still counts:
/// `401 INVALID_TOKEN` once the account is gone, the token was ended by a
/// logout, or every token issued before was ended (a password changed or
/// reset, a role changed); `401 ACCOUNT_DISABLED` while the account is
/// disabled. What every token check and open stream ends with.
///
/// One statement by primary key (every authenticated request pays for
/// it): the role, the token version, the status and whether this token
/// was revoked; never the password hash or the e-mail.
pub fn current_principal(conn: &mut DbConnection, claim: &TokenClaim) -> Result<Principal, Error> {
    let revoked = revoked_tokens::table
        .filter(revoked_tokens::token_id.eq(claim.token_id.as_deref().unwrap_or_default()));
    let account: Option<(String, i32, String, bool)> = users::table
        .find(claim.user_id)
        .select((
            users::role,
            users::token_version,
            users::status,
            diesel::dsl::exists(revoked),
        ))
        .first(conn)
        .optional()?;
    let ended = || Error::unauthenticated("Invalid or expired token").with_code("INVALID_TOKEN");
    let Some((role, version, status, revoked)) = account else {
        return Err(ended());
    };
    if version != claim.version || revoked {
        return Err(ended());
    }
    if AccountStatus::from_db(&status) == AccountStatus::Disabled {
        return Err(Error::unauthenticated("This account is disabled").with_code(ACCOUNT_DISABLED));
    }
    Ok(Principal {
        user_id: claim.user_id,
        role: Role::from_db(&role),
    })
}

/// Admins change roles. An admin cannot change their own role, so the last
/// admin cannot lock everyone out by mistake.
pub fn set_role(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    user_id: i32,
    input: SetRoleInput,
) -> Result<User, Error> {
    if !actor.is_admin() {
        return Err(Error::forbidden("Only an administrator can change roles"));
    }
    if actor.user_id == user_id {
        return Err(Error::conflict(
            "OWN_ROLE",
            "Administrators cannot change their own role",
        ));
    }
    if let Some(target) = find_user(conn, user_id)? {
        crate::erasure::refuse_if_erased(&target)?;
    }
    // Tokens issued under the old role end: the user signs in again.
    let row = diesel::update(users::table.find(user_id))
        .set((
            users::role.eq(input.role.as_str()),
            users::token_version.eq(users::token_version + 1),
            users::updated_at.eq(clock.now()),
        ))
        .get_result::<UserRow>(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("User"))?;
    Ok(row.into())
}

/// For the `create-admin` command: creates an administrator, or promotes an
/// existing account with that e-mail (its password is left as it was).
/// Returns the user and whether it was created.
pub fn create_admin(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    mut input: RegisterInput,
) -> Result<(User, bool), Error> {
    input.email = normalize_email(&input.email);
    input.validate()?;
    write_transaction(conn, |conn| {
        let existing = users::table
            .filter(users::email.eq(&input.email))
            .select(UserRow::as_select())
            .first::<UserRow>(conn)
            .optional()?;
        match existing {
            Some(row) => {
                diesel::update(users::table.find(row.id))
                    .set((
                        users::role.eq(Role::Admin.as_str()),
                        users::updated_at.eq(clock.now()),
                    ))
                    .execute(conn)?;
                let row = crate::email_verification::mark_verified(conn, row.id, clock.now())?;
                Ok((row.into(), false))
            }
            None => {
                let row = insert_user(conn, clock, &input, Role::Admin)?;
                let row = crate::email_verification::mark_verified(conn, row.id, clock.now())?;
                Ok((row.into(), true))
            }
        }
    })
}

/// Creates a user with a given role; for the demo seed and for tests.
pub fn create_user_with_role(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    mut input: RegisterInput,
    role: Role,
) -> Result<User, Error> {
    input.email = normalize_email(&input.email);
    input.validate()?;
    // Made by an operator (or a test), not signed up: nothing to verify.
    let row = insert_user(conn, clock, &input, role)?;
    Ok(crate::email_verification::mark_verified(conn, row.id, clock.now())?.into())
}

/// Folds the names of accounts made before `users.search_name` existed (it
/// is empty only for them: a folded "last first" holds a space at least).
/// Run at start, after the migrations; returns how many were folded.
pub fn fold_missing_search_names(conn: &mut DbConnection) -> Result<usize, Error> {
    let mut folded = 0;
    loop {
        let batch: Vec<(i32, String, String)> = users::table
            .filter(users::search_name.eq(""))
            .select((users::id, users::first_name, users::last_name))
            .order(users::id)
            .limit(500)
            .load(conn)?;
        if batch.is_empty() {
            return Ok(folded);
        }
        write_transaction(conn, |conn| -> Result<(), Error> {
            for (id, first, last) in &batch {
                diesel::update(users::table.find(id))
                    .set(users::search_name.eq(crate::model::search_name(first, last)))
                    .execute(conn)?;
            }
            Ok(())
        })?;
        folded += batch.len();
    }
}

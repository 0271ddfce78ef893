//! Signing in and signing up under hostile use: failed logins are counted
//! per account and per client address before any password is checked, and
//! password hashes run through the `HashGate`, holding no database
//! connection, so a flood of logins neither exhausts the pool nor the memory.

use std::net::IpAddr;

use mdsc_core::checkout::checkout;
use mdsc_core::throttle::{self, address_subject, hashed_subject};
use mdsc_core::{Clock, DbPool, Error, write_transaction};
use validator::Validate;

use crate::hash_gate::HashGate;
use crate::limits::{
    AuthLimits, LOGIN_ACCOUNT, LOGIN_ADDRESS, REGISTER_ADDRESS, TOO_MANY_ATTEMPTS,
    TOO_MANY_REGISTRATIONS,
};
use crate::model::{AccountStatus, AuthResponse, Role};
use crate::password::{dummy_hash, hash_password, verify_password};
use crate::service::{
    ACCOUNT_DISABLED, LoginInput, RegisterInput, find_user_by_email, insert_user_with_hash,
    invalid_credentials, normalize_email,
};
use crate::token::TokenKeys;

/// What signing in and up need besides the pool and the input.
#[derive(Clone, Copy)]
pub struct SignIn<'a> {
    pub keys: &'a TokenKeys,
    pub clock: &'a dyn Clock,
    pub gate: &'a HashGate,
    pub limits: &'a AuthLimits,
}

/// Signs a user in. A wrong password and an unknown e-mail give the same
/// answer after the same work; the 6th failure for one e-mail within the
/// window (5 by default) is `429 TOO_MANY_ATTEMPTS` with `Retry-After`,
/// whether or not the account exists, until a success resets the count.
pub fn login(
    pool: &DbPool,
    ctx: SignIn<'_>,
    client: Option<IpAddr>,
    input: LoginInput,
) -> Result<AuthResponse, Error> {
    let email = normalize_email(&input.email);
    let account = hashed_subject("email", &email);
    let address = address_subject(client);
    let stored = {
        let mut conn = checkout(pool)?;
        // Each attempt is counted before it is checked, so concurrent
        // guesses cannot pass the bound together; a success gives it back.
        write_transaction(&mut conn, |conn| {
            throttle::hit(
                conn,
                ctx.clock,
                LOGIN_ADDRESS,
                &address,
                ctx.limits.login_failures_per_address,
                TOO_MANY_ATTEMPTS,
            )?;
            throttle::hit(
                conn,
                ctx.clock,
                LOGIN_ACCOUNT,
                &account,
                ctx.limits.login_failures_per_account,
                TOO_MANY_ATTEMPTS,
            )
        })?;
        // Text with NUL cannot match a stored e-mail (and PostgreSQL refuses it).
        if email.contains('\0') {
            None
        } else {
            find_user_by_email(&mut conn, &email)?
        }
    };
    // The connection is back in the pool while the hash runs.
    let password = input.password;
    let hash = match &stored {
        Some(row) => row.password_hash.clone(),
        None => dummy_hash().to_owned(),
    };
    // An unknown e-mail costs the same verification as a wrong password.
    let matched = match ctx.gate.run(move || verify_password(&password, &hash)) {
        Ok(verified) => verified && stored.is_some(),
        Err(busy) => {
            // Not checked, so not counted: a saturated server does not
            // spend the user's attempts.
            let mut conn = checkout(pool)?;
            throttle::release(
                &mut conn,
                ctx.clock,
                LOGIN_ADDRESS,
                &address,
                ctx.limits.login_failures_per_address,
            )?;
            throttle::release(
                &mut conn,
                ctx.clock,
                LOGIN_ACCOUNT,
                &account,
                ctx.limits.login_failures_per_account,
            )?;
            return Err(busy);
        }
    };
    let Some(row) = stored.filter(|_| matched) else {
        return Err(invalid_credentials());
    };
    // Said only to whoever knows the password: a guesser learns nothing.
    if AccountStatus::from_db(&row.status) == AccountStatus::Disabled {
        return Err(Error::forbidden(
            "This account is disabled: ask an administrator to enable it",
        )
        .with_code(ACCOUNT_DISABLED));
    }
    let mut conn = checkout(pool)?;
    write_transaction(&mut conn, |conn| {
        throttle::reset(conn, LOGIN_ACCOUNT, &account)?;
        throttle::release(
            conn,
            ctx.clock,
            LOGIN_ADDRESS,
            &address,
            ctx.limits.login_failures_per_address,
        )
    })?;
    let token = ctx.keys.issue(row.id, row.token_version, ctx.clock)?;
    Ok(AuthResponse {
        token,
        user: row.into(),
    })
}

/// Creates a student account and signs it in; at most
/// `registrations_per_address` per window from one client address
/// (`429 TOO_MANY_REGISTRATIONS`). A taken e-mail is `409 EMAIL_TAKEN`
/// (see docs/api.md for why registration says so), and counts as an attempt.
pub fn register(
    pool: &DbPool,
    ctx: SignIn<'_>,
    client: Option<IpAddr>,
    mut input: RegisterInput,
) -> Result<AuthResponse, Error> {
    input.email = normalize_email(&input.email);
    input.validate()?;
    let address = address_subject(client);
    let limit = ctx.limits.registrations_per_address;
    throttle::hit(
        &mut *checkout(pool)?,
        ctx.clock,
        REGISTER_ADDRESS,
        &address,
        limit,
        TOO_MANY_REGISTRATIONS,
    )?;
    let password = input.password.clone();
    let hash = match ctx.gate.run(move || hash_password(&password)) {
        Ok(hash) => hash?,
        Err(busy) => {
            // Refused before any work: not counted.
            throttle::release(
                &mut *checkout(pool)?,
                ctx.clock,
                REGISTER_ADDRESS,
                &address,
                limit,
            )?;
            return Err(busy);
        }
    };
    let mut conn = checkout(pool)?;
    let user = insert_user_with_hash(&mut conn, ctx.clock, &input, Role::Student, &hash)?;
    let token = ctx.keys.issue(user.id, user.token_version, ctx.clock)?;
    Ok(AuthResponse {
        token,
        user: user.into(),
    })
}

//! The bounds on signing in and signing up, per account and per client
//! address. Counters live in the database (`mdsc_core::throttle`), so a
//! bound holds across gateway replicas.

use mdsc_core::throttle::{Limit, Refusal};

/// 15 minutes, as most platforms lock an account after failed logins.
pub const DEFAULT_LOGIN_WINDOW_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthLimits {
    /// Failed logins for one e-mail address (whether or not it has an
    /// account, so the answer does not tell). A success resets it.
    pub login_failures_per_account: Limit,
    /// Failed logins from one client address (a campus behind one NAT
    /// shares it, hence more than per account).
    pub login_failures_per_address: Limit,
    /// New accounts from one client address.
    pub registrations_per_address: Limit,
    /// Stream tokens one account may take (`EventSource` reconnects).
    pub stream_tokens_per_user: Limit,
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self {
            login_failures_per_account: Limit::new(5, DEFAULT_LOGIN_WINDOW_SECS),
            login_failures_per_address: Limit::new(50, DEFAULT_LOGIN_WINDOW_SECS),
            registrations_per_address: Limit::new(10, 3600),
            stream_tokens_per_user: Limit::new(60, 60),
        }
    }
}

pub(crate) const LOGIN_ACCOUNT: &str = "login_account";
pub(crate) const LOGIN_ADDRESS: &str = "login_address";
pub(crate) const REGISTER_ADDRESS: &str = "register_address";
pub(crate) const STREAM_TOKEN_USER: &str = "stream_token_user";
/// Wrong current passwords on a password change, per account.
pub(crate) const PASSWORD_CHANGE_USER: &str = "password_change_user";
/// Reset links asked for, per account (silently not sent past the bound).
pub(crate) const PASSWORD_RESET_ACCOUNT: &str = "password_reset_account";
/// Reset links asked for, and reset tokens tried, per client address.
pub(crate) const PASSWORD_RESET_ADDRESS: &str = "password_reset_address";

pub(crate) const TOO_MANY_ATTEMPTS: Refusal = Refusal::new(
    "TOO_MANY_ATTEMPTS",
    "Too many failed sign-in attempts; try again later",
);
pub(crate) const TOO_MANY_REGISTRATIONS: Refusal = Refusal::new(
    "TOO_MANY_REGISTRATIONS",
    "Too many accounts created from this address; try again later",
);
pub(crate) const TOO_MANY_STREAM_TOKENS: Refusal = Refusal::new(
    "RATE_LIMITED",
    "Too many stream tokens requested; try again later",
);

//! The limits that hold the service under hostile use, from the
//! environment: failed logins, registrations, stream tokens and streams per
//! address, concurrent password hashes, and where the client address comes
//! from behind a proxy. Each one is documented in docs/operations.md.

use mdsc_auth::{AuthLimits, HashGateSettings};
use mdsc_core::Error;
use mdsc_core::throttle::Limit;

use crate::client_address::TrustedProxies;
use crate::config::{parsed, var};

/// Enough for a classroom behind one NAT with several tabs each.
pub const DEFAULT_SSE_MAX_STREAMS_PER_ADDRESS: usize = 200;

#[derive(Debug, Clone)]
pub struct Limits {
    pub auth: AuthLimits,
    pub hash_gate: HashGateSettings,
    pub trusted_proxies: TrustedProxies,
    /// Event streams one client address may hold open on this process.
    pub sse_max_streams_per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            auth: AuthLimits::default(),
            hash_gate: HashGateSettings::default(),
            trusted_proxies: TrustedProxies::default(),
            sse_max_streams_per_address: DEFAULT_SSE_MAX_STREAMS_PER_ADDRESS,
        }
    }
}

/// A count setting that must be at least 1.
pub(crate) fn at_least_one<T>(name: &str, default: T) -> Result<T, Error>
where
    T: std::str::FromStr + PartialOrd + From<u8>,
{
    let value: T = parsed(name, default)?;
    if value < T::from(1) {
        return Err(Error::config(format!("{name} must be at least 1")));
    }
    Ok(value)
}

/// `name` sets the count of `default`, whose window stays.
pub(crate) fn limit(name: &str, default: Limit) -> Result<Limit, Error> {
    Ok(Limit::new(
        at_least_one(name, default.max)?,
        default.window_secs,
    ))
}

impl Limits {
    pub fn from_env() -> Result<Self, Error> {
        let defaults = AuthLimits::default();
        let window: i64 = parsed(
            "LOGIN_FAILURE_WINDOW_SECONDS",
            defaults.login_failures_per_account.window_secs,
        )?;
        if !(60..=86_400).contains(&window) {
            return Err(Error::config(
                "LOGIN_FAILURE_WINDOW_SECONDS must be between 60 and 86400",
            ));
        }
        let failures = |name: &str, default: Limit| -> Result<Limit, Error> {
            Ok(Limit::new(at_least_one(name, default.max)?, window))
        };
        let auth = AuthLimits {
            login_failures_per_account: failures(
                "LOGIN_MAX_FAILURES_PER_ACCOUNT",
                defaults.login_failures_per_account,
            )?,
            login_failures_per_address: failures(
                "LOGIN_MAX_FAILURES_PER_ADDRESS",
                defaults.login_failures_per_address,
            )?,
            registrations_per_address: limit(
                "REGISTRATIONS_PER_ADDRESS_PER_HOUR",
                defaults.registrations_per_address,
            )?,
            stream_tokens_per_user: limit(
                "STREAM_TOKENS_PER_MINUTE",
                defaults.stream_tokens_per_user,
            )?,
        };
        let gate = HashGateSettings::default();
        let hash_gate = HashGateSettings {
            permits: at_least_one("PASSWORD_HASHES_AT_ONCE", gate.permits)?,
            ..gate
        };
        Ok(Self {
            auth,
            hash_gate,
            trusted_proxies: TrustedProxies::parse(&var("TRUSTED_PROXIES").unwrap_or_default())?,
            sse_max_streams_per_address: at_least_one(
                "SSE_MAX_STREAMS_PER_ADDRESS",
                DEFAULT_SSE_MAX_STREAMS_PER_ADDRESS,
            )?,
        })
    }
}

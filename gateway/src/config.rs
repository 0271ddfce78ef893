//! Configuration from the environment (and a `.env` file), each setting with
//! a default that works on a developer's machine.

use std::path::{Path, PathBuf};

use mdsc_core::{DatabaseUrl, Error};

#[derive(Debug, Clone)]
pub struct Config {
    pub bind_addr: String,
    pub database_url: DatabaseUrl,
    pub pool_size: u32,
    pub data_dir: PathBuf,
    /// `None`: read or generate `DATA_DIR/jwt_secret`.
    pub jwt_secret: Option<String>,
    pub jwt_ttl_hours: i64,
    /// Base of absolute links, without a trailing slash.
    pub public_url: String,
    pub cors_allowed_origins: Vec<String>,
    pub max_json_body_bytes: usize,
    pub rating: mdsc_rating::RatingSettings,
    pub live: mdsc_live::LiveSettings,
    pub forum: mdsc_forum::ForumSettings,
    pub schedule: mdsc_schedule::ScheduleSettings,
    /// `SMTP_URL` and `SMTP_FROM`: where notification e-mails go.
    pub email: mdsc_notify::email::EmailSettings,
    /// How often the job worker looks for due jobs; 0 disables it.
    pub jobs_poll_seconds: u64,
    /// Seconds between comments on idle event streams, so proxies keep them.
    pub sse_heartbeat_seconds: u64,
    /// Lifetime of the tokens `EventSource` opens streams with.
    pub stream_token_ttl_seconds: i64,
    /// Event streams one user may have open at once on this process.
    pub sse_max_streams_per_user: usize,
    /// Bounds against floods (logins, registrations, streams per address).
    pub limits: crate::limits::Limits,
    /// `METRICS_TOKEN`: when set, `GET /metrics` wants it as a bearer token.
    pub metrics_token: Option<crate::metrics::route::MetricsToken>,
    /// `REQUIRE_EMAIL_VERIFICATION`: new accounts are e-mailed a link and
    /// post nothing until it is used (off by default).
    pub require_email_verification: bool,
}

pub const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";
pub const DEFAULT_POOL_SIZE: u32 = 8;
pub const DEFAULT_MAX_JSON_BODY_BYTES: usize = 1024 * 1024;
pub const DEFAULT_JOBS_POLL_SECONDS: u64 = 5;
/// Under the 30 to 60 s after which common proxies drop a silent connection.
pub const DEFAULT_SSE_HEARTBEAT_SECONDS: u64 = 20;
/// A few tabs, each with its notification stream and a chat or topic.
pub const DEFAULT_SSE_MAX_STREAMS_PER_USER: usize = 20;

pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub(crate) fn parsed<T: std::str::FromStr>(name: &str, default: T) -> Result<T, Error> {
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse()
            .map_err(|_| Error::config(format!("{name}={raw:?} is not a valid value"))),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, Error> {
        let data_dir = PathBuf::from(var("DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        let database_url = match var("DATABASE_URL") {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::Sqlite(data_dir.join("mdsc.db").to_string_lossy().into_owned()),
        };
        let bind_addr = var("BIND_ADDR").unwrap_or_else(|| DEFAULT_BIND_ADDR.to_owned());
        let public_url = var("PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"))
            .trim_end_matches('/')
            .to_owned();
        let pool_size: u32 = parsed("DATABASE_POOL_SIZE", DEFAULT_POOL_SIZE)?;
        if pool_size == 0 {
            return Err(Error::config("DATABASE_POOL_SIZE must be at least 1"));
        }
        let jwt_ttl_hours: i64 = parsed("JWT_TTL_HOURS", mdsc_auth::DEFAULT_TOKEN_TTL_HOURS)?;
        if !(1..=8760).contains(&jwt_ttl_hours) {
            return Err(Error::config(
                "JWT_TTL_HOURS must be between 1 and 8760 (a year)",
            ));
        }
        Ok(Self {
            bind_addr,
            database_url,
            pool_size,
            data_dir,
            jwt_secret: var("JWT_SECRET"),
            jwt_ttl_hours,
            public_url: public_url.clone(),
            cors_allowed_origins: var("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            max_json_body_bytes: parsed("MAX_JSON_BODY_BYTES", DEFAULT_MAX_JSON_BODY_BYTES)?,
            rating: rating_settings()?,
            live: live_settings()?,
            forum: forum_settings()?,
            schedule: schedule_settings(&public_url)?,
            email: mdsc_notify::email::EmailSettings::new(
                var("SMTP_URL").as_deref(),
                var("SMTP_FROM").as_deref(),
            )?,
            jobs_poll_seconds: jobs_poll_seconds()?,
            sse_heartbeat_seconds: sse_heartbeat_seconds()?,
            stream_token_ttl_seconds: stream_token_ttl_seconds()?,
            sse_max_streams_per_user: sse_max_streams_per_user()?,
            limits: crate::limits::Limits::from_env()?,
            metrics_token: var("METRICS_TOKEN").map(crate::metrics::route::MetricsToken::new),
            require_email_verification: switch("REQUIRE_EMAIL_VERIFICATION")?,
        })
    }

    /// The JWT secret: `JWT_SECRET`, else the one kept in the data folder,
    /// generated on first use so tokens survive a restart.
    pub fn resolve_jwt_secret(&self) -> Result<String, Error> {
        if let Some(secret) = &self.jwt_secret {
            return Ok(secret.clone());
        }
        read_or_create_secret(&self.data_dir.join("jwt_secret"))
    }
}

/// An on/off setting: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`
/// (case-insensitive); unset is off.
fn switch(name: &str) -> Result<bool, Error> {
    match var(name).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false" | "0" | "no" | "off") => Ok(false),
        Some("true" | "1" | "yes" | "on") => Ok(true),
        Some(other) => Err(Error::config(format!(
            "{name}={other:?}: use true or false"
        ))),
    }
}

/// Bounded: chrono's `Duration::hours` panics far beyond any useful delay.
fn prompt_delay(hours: i64) -> Result<chrono::Duration, Error> {
    if !(0..=87_600).contains(&hours) {
        return Err(Error::config(
            "RATING_PROMPT_DELAY_HOURS must be between 0 and 87600 (ten years)",
        ));
    }
    Ok(chrono::Duration::hours(hours))
}

fn rating_settings() -> Result<mdsc_rating::RatingSettings, Error> {
    let moderation = match var("RATING_MODERATION") {
        Some(value) => mdsc_rating::Moderation::parse(&value)?,
        None => mdsc_rating::Moderation::Post,
    };
    let hours: i64 = parsed(
        "RATING_PROMPT_DELAY_HOURS",
        mdsc_rating::settings::DEFAULT_PROMPT_DELAY_HOURS,
    )?;
    Ok(mdsc_rating::RatingSettings {
        moderation,
        prompt_delay: prompt_delay(hours)?,
        writes_per_hour: crate::limits::at_least_one(
            "RATING_WRITES_PER_HOUR",
            mdsc_rating::settings::DEFAULT_WRITES_PER_HOUR,
        )?,
    })
}

fn required(name: &str, provider: &str) -> Result<String, Error> {
    var(name)
        .ok_or_else(|| Error::config(format!("{name} is required with JITSI_PROVIDER={provider}")))
}

/// `meet.example.org:8443` → `meet.example.org`.
fn host_of(domain: &str) -> &str {
    domain.split(':').next().unwrap_or(domain)
}

fn live_settings() -> Result<mdsc_live::LiveSettings, Error> {
    use mdsc_live::JitsiProvider;
    use mdsc_live::settings as live;
    let provider_name = var("JITSI_PROVIDER").unwrap_or_else(|| "public".to_owned());
    let mut server_url = var("JITSI_SERVER_URL")
        .unwrap_or_else(|| live::DEFAULT_JITSI_SERVER_URL.to_owned())
        .trim_end_matches('/')
        .to_owned();
    let provider = match provider_name.to_ascii_lowercase().as_str() {
        "public" => JitsiProvider::Public,
        "selfhosted" => JitsiProvider::SelfHosted {
            app_id: required("JITSI_APP_ID", "selfhosted")?,
            app_secret: required("JITSI_APP_SECRET", "selfhosted")?,
            subject: var("JITSI_TOKEN_SUBJECT")
                .unwrap_or_else(|| host_of(mdsc_live::jitsi::domain_of(&server_url)).to_owned()),
        },
        "jaas" => {
            server_url = live::JAAS_SERVER_URL.to_owned();
            let private_key_pem = match (var("JAAS_PRIVATE_KEY"), var("JAAS_PRIVATE_KEY_FILE")) {
                (Some(pem), _) => pem.replace("\\n", "\n"),
                (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| {
                    Error::config(format!("cannot read JAAS_PRIVATE_KEY_FILE {path}: {e}"))
                })?,
                (None, None) => {
                    return Err(Error::config(
                        "JAAS_PRIVATE_KEY or JAAS_PRIVATE_KEY_FILE is required with JITSI_PROVIDER=jaas",
                    ));
                }
            };
            JitsiProvider::Jaas {
                app_id: required("JAAS_APP_ID", "jaas")?,
                key_id: required("JAAS_KEY_ID", "jaas")?,
                private_key_pem,
            }
        }
        other => {
            return Err(Error::config(format!(
                "JITSI_PROVIDER must be `public`, `selfhosted` or `jaas`, got {other:?}"
            )));
        }
    };
    let margin: i64 = parsed(
        "JITSI_TOKEN_MARGIN_MINUTES",
        live::DEFAULT_TOKEN_MARGIN_MINUTES,
    )?;
    // Tokens signed after the scheduled end live for the margin: zero
    // would hand latecomers tokens that are already expired.
    if !(5..=24 * 60).contains(&margin) {
        return Err(Error::config(
            "JITSI_TOKEN_MARGIN_MINUTES must be between 5 and 1440",
        ));
    }
    let settings = mdsc_live::LiveSettings {
        provider,
        server_url,
        max_participants_cap: parsed("LIVE_MAX_PARTICIPANTS", live::DEFAULT_MAX_PARTICIPANTS_CAP)?,
        token_margin: chrono::Duration::minutes(margin),
        webhook_secret: var("JITSI_WEBHOOK_SECRET"),
        chat_messages_per_minute: crate::limits::at_least_one(
            "LIVE_CHAT_MESSAGES_PER_MINUTE",
            live::DEFAULT_CHAT_MESSAGES_PER_MINUTE,
        )?,
    };
    settings.validate()?;
    Ok(settings)
}

fn forum_settings() -> Result<mdsc_forum::ForumSettings, Error> {
    let per_minute = crate::limits::at_least_one::<u32>;
    Ok(mdsc_forum::ForumSettings {
        topics_per_minute: per_minute(
            "FORUM_TOPICS_PER_MINUTE",
            mdsc_forum::settings::DEFAULT_TOPICS_PER_MINUTE,
        )?,
        replies_per_minute: per_minute(
            "FORUM_REPLIES_PER_MINUTE",
            mdsc_forum::settings::DEFAULT_REPLIES_PER_MINUTE,
        )?,
        reactions_per_minute: per_minute(
            "FORUM_REACTIONS_PER_MINUTE",
            mdsc_forum::settings::DEFAULT_REACTIONS_PER_MINUTE,
        )?,
        reports_per_hour: per_minute(
            "FORUM_REPORTS_PER_HOUR",
            mdsc_forum::settings::DEFAULT_REPORTS_PER_HOUR,
        )?,
    })
}

/// `APP_URL` (the web app, for links back from calendar events; default
/// `PUBLIC_URL`) and `SCHEDULE_DEFAULT_TIMEZONE` (default Europe/Paris).
fn schedule_settings(public_url: &str) -> Result<mdsc_schedule::ScheduleSettings, Error> {
    let app_url = var("APP_URL").unwrap_or_else(|| public_url.to_owned());
    let mut settings = mdsc_schedule::ScheduleSettings::new(public_url, &app_url);
    if let Some(zone) = var("SCHEDULE_DEFAULT_TIMEZONE") {
        settings.default_timezone = zone.trim().parse().map_err(|_| {
            Error::config(format!(
                "SCHEDULE_DEFAULT_TIMEZONE={zone:?} is not an IANA time zone (e.g. Europe/Paris)"
            ))
        })?;
    }
    Ok(settings)
}

/// At most an hour: reminders would come late.
fn jobs_poll_seconds() -> Result<u64, Error> {
    let seconds: u64 = parsed("JOBS_POLL_SECONDS", DEFAULT_JOBS_POLL_SECONDS)?;
    if seconds > 3600 {
        return Err(Error::config(
            "JOBS_POLL_SECONDS must be between 0 (worker off) and 3600",
        ));
    }
    Ok(seconds)
}

fn sse_heartbeat_seconds() -> Result<u64, Error> {
    let seconds: u64 = parsed("SSE_HEARTBEAT_SECONDS", DEFAULT_SSE_HEARTBEAT_SECONDS)?;
    if !(1..=300).contains(&seconds) {
        return Err(Error::config(
            "SSE_HEARTBEAT_SECONDS must be between 1 and 300",
        ));
    }
    Ok(seconds)
}

fn sse_max_streams_per_user() -> Result<usize, Error> {
    let max: usize = parsed("SSE_MAX_STREAMS_PER_USER", DEFAULT_SSE_MAX_STREAMS_PER_USER)?;
    if !(1..=1000).contains(&max) {
        return Err(Error::config(
            "SSE_MAX_STREAMS_PER_USER must be between 1 and 1000",
        ));
    }
    Ok(max)
}

fn stream_token_ttl_seconds() -> Result<i64, Error> {
    let range = mdsc_auth::stream_token::STREAM_TOKEN_TTL_RANGE;
    let seconds: i64 = parsed(
        "STREAM_TOKEN_TTL_SECONDS",
        mdsc_auth::stream_token::DEFAULT_STREAM_TOKEN_TTL_SECONDS,
    )?;
    if !range.contains(&seconds) {
        return Err(Error::config(format!(
            "STREAM_TOKEN_TTL_SECONDS must be between {} and {}",
            range.start(),
            range.end()
        )));
    }
    Ok(seconds)
}

fn read_or_create_secret(path: &Path) -> Result<String, Error> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    let secret = mdsc_core::random::random_hex(32)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::config(format!("cannot create {}: {e}", dir.display())))?;
    }
    write_private(path, &secret)
        .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))?;
    log::warn!(
        "JWT_SECRET is not set: generated one into {}. Set JWT_SECRET when running several instances.",
        path.display()
    );
    Ok(secret)
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_is_kept_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("jwt_secret");
        let first = read_or_create_secret(&path).expect("created");
        assert_eq!(first.len(), 64);
        let second = read_or_create_secret(&path).expect("read back");
        assert_eq!(first, second);
    }

    #[test]
    fn the_rating_prompt_delay_is_bounded_instead_of_panicking() {
        assert_eq!(prompt_delay(0).unwrap(), chrono::Duration::zero());
        assert_eq!(
            prompt_delay(87_600).unwrap(),
            chrono::Duration::hours(87_600)
        );
        for out_of_range in [-1, 87_601, i64::MAX] {
            let err = prompt_delay(out_of_range).unwrap_err();
            assert!(err.message.contains("between 0 and 87600"), "{err}");
        }
    }
}

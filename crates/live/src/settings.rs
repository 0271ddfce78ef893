//! Live-session settings an operator chooses: the Jitsi provider and its
//! credentials, the participant cap, the recording hook's secret.

use std::fmt;

use chrono::Duration;
use mdsc_core::Error;

pub const DEFAULT_JITSI_SERVER_URL: &str = "https://meet.jit.si";
pub const JAAS_SERVER_URL: &str = "https://8x8.vc";
pub const DEFAULT_MAX_PARTICIPANTS_CAP: i32 = 100;
/// Tokens stay valid this long after the scheduled end, for overruns.
pub const DEFAULT_TOKEN_MARGIN_MINUTES: i64 = 60;

/// Which Jitsi deployment the rooms live on, and how joins are authorized.
#[derive(Clone, PartialEq, Eq)]
pub enum JitsiProvider {
    /// meet.jit.si or any server without token authentication: no token.
    Public,
    /// A self-hosted Jitsi with Prosody token authentication (HS256).
    SelfHosted {
        app_id: String,
        app_secret: String,
        /// The JWT `sub`: the Jitsi domain (or tenant).
        subject: String,
    },
    /// Jitsi as a Service on 8x8.vc (RS256).
    Jaas {
        /// The `vpaas-magic-cookie-…` string.
        app_id: String,
        /// The API key id shown next to the public key in the JaaS console.
        key_id: String,
        /// The matching RSA private key, PEM.
        private_key_pem: String,
    },
}

impl JitsiProvider {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::SelfHosted { .. } => "selfhosted",
            Self::Jaas { .. } => "jaas",
        }
    }
}

// Secrets never reach a log line.
impl fmt::Debug for JitsiProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Public => f.write_str("Public"),
            Self::SelfHosted {
                app_id, subject, ..
            } => f
                .debug_struct("SelfHosted")
                .field("app_id", app_id)
                .field("subject", subject)
                .finish_non_exhaustive(),
            Self::Jaas { app_id, key_id, .. } => f
                .debug_struct("Jaas")
                .field("app_id", app_id)
                .field("key_id", key_id)
                .finish_non_exhaustive(),
        }
    }
}

#[derive(Clone)]
pub struct LiveSettings {
    pub provider: JitsiProvider,
    /// Base URL of the Jitsi server, without a trailing slash.
    pub server_url: String,
    /// Upper bound for a session's `max_participants`.
    pub max_participants_cap: i32,
    /// How long after the scheduled end a join token stays valid.
    pub token_margin: Duration,
    /// Shared secret of the recording hook and the JaaS webhooks; `None`
    /// refuses both.
    pub webhook_secret: Option<String>,
    /// Chat messages one user may post per minute, all sessions together
    /// (`LIVE_CHAT_MESSAGES_PER_MINUTE`).
    pub chat_messages_per_minute: u32,
}

impl fmt::Debug for LiveSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveSettings")
            .field("provider", &self.provider)
            .field("server_url", &self.server_url)
            .field("max_participants_cap", &self.max_participants_cap)
            .field("token_margin", &self.token_margin)
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "…"))
            .field("chat_messages_per_minute", &self.chat_messages_per_minute)
            .finish()
    }
}

/// A lively class chats fast; 200 messages in a burst is a flood.
pub const DEFAULT_CHAT_MESSAGES_PER_MINUTE: u32 = 20;

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            provider: JitsiProvider::Public,
            server_url: DEFAULT_JITSI_SERVER_URL.to_owned(),
            max_participants_cap: DEFAULT_MAX_PARTICIPANTS_CAP,
            token_margin: Duration::minutes(DEFAULT_TOKEN_MARGIN_MINUTES),
            webhook_secret: None,
            chat_messages_per_minute: DEFAULT_CHAT_MESSAGES_PER_MINUTE,
        }
    }
}

impl LiveSettings {
    /// Checks what can be checked before the first join: a JaaS key that
    /// parses, a self-hosted secret long enough to be one.
    pub fn validate(&self) -> Result<(), Error> {
        if !(self.server_url.starts_with("https://") || self.server_url.starts_with("http://")) {
            return Err(Error::config(format!(
                "JITSI_SERVER_URL must be an http(s) URL, got {:?}",
                self.server_url
            )));
        }
        if self.max_participants_cap < 1 {
            return Err(Error::config("LIVE_MAX_PARTICIPANTS must be at least 1"));
        }
        match &self.provider {
            JitsiProvider::Public => Ok(()),
            JitsiProvider::SelfHosted {
                app_id, app_secret, ..
            } => {
                if app_id.is_empty() {
                    return Err(Error::config("JITSI_APP_ID is required for selfhosted"));
                }
                if app_secret.len() < 32 {
                    return Err(Error::config(
                        "JITSI_APP_SECRET must be at least 32 bytes for selfhosted",
                    ));
                }
                Ok(())
            }
            JitsiProvider::Jaas {
                app_id,
                key_id,
                private_key_pem,
            } => {
                if !app_id.starts_with("vpaas-magic-cookie-") {
                    return Err(Error::config(
                        "JAAS_APP_ID must be the JaaS app id (vpaas-magic-cookie-…)",
                    ));
                }
                if key_id.is_empty() {
                    return Err(Error::config("JAAS_KEY_ID is required for jaas"));
                }
                jsonwebtoken::EncodingKey::from_rsa_pem(private_key_pem.as_bytes()).map_err(
                    |e| Error::config(format!("JAAS_PRIVATE_KEY is not an RSA PEM key: {e}")),
                )?;
                Ok(())
            }
        }
    }
}

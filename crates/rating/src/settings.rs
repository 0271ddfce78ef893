//! Rating settings an operator chooses (`RATING_MODERATION`,
//! `RATING_PROMPT_DELAY_HOURS`).

use chrono::Duration;
use mdsc_core::Error;

/// When a new rating becomes public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Moderation {
    /// Approved at once; staff may reject it later (the default).
    #[default]
    Post,
    /// Pending until staff approve it.
    Pre,
}

impl Moderation {
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "post" => Ok(Self::Post),
            "pre" => Ok(Self::Pre),
            other => Err(Error::config(format!(
                "RATING_MODERATION must be `post` or `pre`, got {other:?}"
            ))),
        }
    }
}

pub const DEFAULT_PROMPT_DELAY_HOURS: i64 = 72;

#[derive(Debug, Clone, Copy)]
pub struct RatingSettings {
    pub moderation: Moderation,
    /// After "Plus tard", how long before the rating prompt shows again.
    pub prompt_delay: Duration,
}

impl Default for RatingSettings {
    fn default() -> Self {
        Self {
            moderation: Moderation::Post,
            prompt_delay: Duration::hours(DEFAULT_PROMPT_DELAY_HOURS),
        }
    }
}

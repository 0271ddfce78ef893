//! Rating settings an operator chooses (`RATING_MODERATION`,
//! `RATING_PROMPT_DELAY_HOURS`, `RATING_WRITES_PER_HOUR`).

use chrono::Duration;
use mdsc_core::Error;
use mdsc_core::throttle::{self, Limit, Refusal, user_subject};
use mdsc_core::{Clock, DbConnection};

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
    /// Ratings written, edited or marked helpful by one user per hour.
    pub writes_per_hour: u32,
}

/// Far more than a learner rating their courses and reading reviews needs.
pub const DEFAULT_WRITES_PER_HOUR: u32 = 30;

impl RatingSettings {
    /// Counts one write of `actor` (in the caller's transaction, so a write
    /// that fails is not counted), or refuses it with `429 RATE_LIMITED`.
    pub(crate) fn admit_write(
        &self,
        conn: &mut DbConnection,
        clock: &dyn Clock,
        user_id: i32,
    ) -> Result<(), Error> {
        throttle::hit(
            conn,
            clock,
            "rating_write",
            &user_subject(user_id),
            Limit::new(self.writes_per_hour, 3600),
            Refusal::new(
                "RATE_LIMITED",
                "Too many rating changes in a short time, try again later",
            ),
        )
    }
}

impl Default for RatingSettings {
    fn default() -> Self {
        Self {
            moderation: Moderation::Post,
            prompt_delay: Duration::hours(DEFAULT_PROMPT_DELAY_HOURS),
            writes_per_hour: DEFAULT_WRITES_PER_HOUR,
        }
    }
}

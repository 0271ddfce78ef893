//! Time as a dependency, so rules that depend on "now" are testable.

use std::fmt::Debug;
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};

pub trait Clock: Send + Sync + Debug {
    /// Now, in UTC, truncated to microseconds: both databases then store and
    /// return exactly the same value.
    fn now(&self) -> NaiveDateTime;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc().trunc_subsecs(6)
    }
}

/// A clock that stands still until moved; for tests and simulations.
#[derive(Debug)]
pub struct ManualClock(Mutex<NaiveDateTime>);

impl ManualClock {
    pub fn new(start: NaiveDateTime) -> Self {
        Self(Mutex::new(start.trunc_subsecs(6)))
    }
    pub fn starting_at(rfc3339: &str) -> Self {
        let start = DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| t.naive_utc())
            .unwrap_or_else(|_| Utc::now().naive_utc());
        Self::new(start)
    }
    pub fn set(&self, now: NaiveDateTime) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = now.trunc_subsecs(6);
    }
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
